//! The command line: argument parsing and the non-interactive subcommands.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::sandbox;
use crate::wecom::{self, Message};

/// Compose, preview and send messages to WeCom (企业微信) group robots.
#[derive(Debug, Parser)]
#[command(name = "wecom", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local endpoint that behaves like WeCom (same checks, errcodes and
    /// rate limit) and records every accepted message.
    Sandbox(sandbox::SandboxArgs),
    /// Check a JSON message against every documented rule, without sending.
    Validate {
        /// A file with one message object, or - for standard input.
        path: PathBuf,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Sandbox(args)) => sandbox::run_cli(args),
        Some(Command::Validate { path }) => validate_cmd(&path),
        None => {
            println!(
                "wecom: the interactive composer is not built yet.\n\
                 Try `wecom sandbox` to run a local WeCom-compatible endpoint,\n\
                 or `wecom validate MESSAGE.json` to check a message. See `wecom --help`."
            );
            ExitCode::SUCCESS
        }
    }
}

/// Exit code for a usage or validation error.
pub const EXIT_INVALID: u8 = 2;

fn validate_cmd(path: &std::path::Path) -> ExitCode {
    let mut json = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut json).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|s| json = s)
    };
    if let Err(e) = read {
        eprintln!("wecom: cannot read {}: {e}", path.display());
        return ExitCode::from(EXIT_INVALID);
    }
    let message = match Message::from_json_str(&json) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let problems = wecom::validate(&message);
    for p in &problems {
        eprintln!("{p}");
    }
    if wecom::validate::has_errors(&problems) {
        ExitCode::from(EXIT_INVALID)
    } else {
        println!(
            "ok: a valid {} message ({} bytes of JSON)",
            message.kind().label(),
            message.to_json().len()
        );
        ExitCode::SUCCESS
    }
}
