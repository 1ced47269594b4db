//! `wecom tokens`: the access tokens of the relay's batch API (seed 002's
//! `?access_token=`). A new token is printed once, on standard output, and
//! only its hash is saved; `list` shows ids and labels, never tokens.
//! A running `wecom serve` sees every change at its next request.

use std::path::PathBuf;
use std::process::ExitCode;

use super::exit;
use crate::relay::batch::BATCH_ROUTE;
use crate::relay::{DEFAULT_LISTEN, tokens};
use crate::store::config::{ConfigError, ConfigStore};

/// `wecom tokens` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum TokensCommand {
    /// Make a token for the batch API (printed once; only its hash is saved).
    Add {
        /// Who or what uses it, for example "ci".
        label: String,
    },
    /// List the tokens: their ids, labels and dates (never the tokens).
    List,
    /// Revoke a token by its id (from `list`), or every token with --all.
    Revoke {
        /// The token's id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Revoke every token.
        #[arg(long)]
        all: bool,
    },
}

/// Runs `wecom tokens`.
pub fn run(command: TokensCommand, config: Option<PathBuf>) -> ExitCode {
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let result = match command {
        TokensCommand::List => list(&store),
        TokensCommand::Add { label } => add(&store, &label),
        TokensCommand::Revoke { id, all } => revoke(&store, id.as_deref(), all),
    };
    match result {
        Ok(()) => exit::code(exit::OK),
        Err((code, message)) => {
            eprintln!("wecom tokens: {message}");
            exit::code(code)
        }
    }
}

type Failure = (u8, String);

fn io(e: ConfigError) -> Failure {
    (exit::IO, e.to_string())
}

fn usage(e: tokens::TokenError) -> Failure {
    (exit::USAGE, e.to_string())
}

fn list(store: &ConfigStore) -> Result<(), Failure> {
    let config = store.load().map_err(io)?;
    if config.relay.tokens.is_empty() {
        println!("{}", crate::tr!("cli.tokens.none"));
        return Ok(());
    }
    println!("{}", crate::tr!("cli.tokens.list"));
    for t in &config.relay.tokens {
        println!(
            "  {}",
            crate::tr!(
                "cli.tokens.line",
                id = t.id,
                label = crate::untrusted::one_line(&t.label),
                made = t.created_at
            )
        );
    }
    Ok(())
}

fn add(store: &ConfigStore, label: &str) -> Result<(), Failure> {
    // Checked first, so that a bad label leaves the file untouched.
    tokens::check_label(label).map_err(usage)?;
    let made = store.update(|config| Ok(tokens::add(config, label)));
    let (token, entry) = made.map_err(io)?.map_err(usage)?;
    eprintln!(
        "{}",
        crate::tr!(
            "cli.tokens.new",
            label = crate::untrusted::one_line(&entry.label),
            id = entry.id,
            url = format!("http://{DEFAULT_LISTEN}{BATCH_ROUTE}")
        )
    );
    println!("{token}");
    Ok(())
}

fn revoke(store: &ConfigStore, id: Option<&str>, all: bool) -> Result<(), Failure> {
    if all {
        let n = store
            .update(|config| Ok(tokens::revoke_all(config)))
            .map_err(io)?;
        eprintln!("{}", crate::tr!("cli.tokens.revoked_all", n = n));
        return Ok(());
    }
    let id = id.unwrap_or_default();
    // Looked up first, so that a wrong id leaves the file untouched.
    let known = store.load().map_err(io)?;
    tokens::revoke(&mut known.clone(), id).map_err(usage)?;
    let gone = store.update(|config| Ok(tokens::revoke(config, id)));
    let gone = gone.map_err(io)?.map_err(usage)?;
    eprintln!(
        "{}",
        crate::tr!(
            "cli.tokens.revoked",
            id = gone.id,
            label = crate::untrusted::one_line(&gone.label)
        )
    );
    Ok(())
}
