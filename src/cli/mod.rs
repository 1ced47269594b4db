//! The command line: argument parsing and the non-interactive subcommands.

pub mod exit;
pub mod history;
pub mod outbox;
pub mod robots;
pub mod schedule;
pub mod send;
pub mod serve;
pub mod tokens;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::sandbox;
use crate::wecom;

// `--help` stays English on purpose (issue 16): clap's derive help is the
// doc comments below, fixed at compile time. Replacing each about/help by
// argument id at run time is possible, but clap's own words around them
// (Usage, Options, Commands, "[default: …]", its usage errors) would stay
// English on the same screen; making those Chinese too means rewriting
// clap's templates and error formatting. What the commands print is in
// the chosen language.
/// Compose, preview and send messages to WeCom (企业微信) group robots.
#[derive(Debug, Parser)]
#[command(name = "wecom", version, about, long_about = None)]
pub struct Cli {
    /// Use this config file instead of the default one.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The language of messages: en, zh-CN, or auto (follow LC_ALL,
    /// LC_MESSAGES, LANG). Overrides `language` in config.toml.
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<crate::i18n::Setting>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Parses the command line; `--help` names the config file and data
    /// directory actually in use.
    pub fn parse_with_paths() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let where_ = format!(
            "Files:\n  config  {}\n  data    {} (wecom.db: drafts, outbox, history; sandbox records, log)\n\nWith no subcommand, opens the interactive composer.",
            crate::store::config::ConfigStore::default_path().display(),
            crate::paths::data_dir().display()
        );
        let matches = Cli::command().after_help(where_).get_matches();
        match Cli::from_arg_matches(&matches) {
            Ok(cli) => cli,
            Err(e) => e.exit(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local endpoint that behaves like WeCom (same checks, errcodes and
    /// rate limit) and records every accepted message.
    Sandbox(sandbox::SandboxArgs),
    /// Check JSON messages against every documented rule, without sending.
    Validate {
        /// A file (or - for standard input) with one message object, an
        /// array of them, or seed 002's {"link": …, "data": [message, …]}.
        path: PathBuf,
    },
    /// Send messages to a robot: text, markdown, pictures, files, voice, raw
    /// JSON or a batch (see --help for the exit codes).
    Send(Box<send::SendArgs>),
    /// Every send that ended, newest first (filters: robot, since, text,
    /// status); `history show ID` for one in full.
    History(history::HistoryArgs),
    /// Messages on their way or waiting for you: list, retry, cancel,
    /// flush.
    Outbox(outbox::OutboxArgs),
    /// Recurring messages on a cron pattern: add, list, remove, pause,
    /// resume.
    #[command(subcommand)]
    Schedule(schedule::ScheduleCommand),
    /// Send a history entry again, through the outbox (to its robot, or to
    /// others with -r).
    Resend(outbox::ResendArgs),
    /// List, add, edit, rename, remove and show saved robots; make and
    /// revoke relay codes.
    #[command(subcommand)]
    Robots(robots::RobotsCommand),
    /// Run the notify relay: POST /api/notify/{code} with a title and
    /// content sends a markdown message to the code's robot.
    Serve(serve::ServeArgs),
    /// Make, list and revoke the access tokens of the relay's batch API
    /// (seed 002's ?access_token=).
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Print a shell completion script (bash, zsh or fish).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

const COMPLETIONS_HELP: &str = "\
Install:
  bash  wecom completions bash > ~/.local/share/bash-completion/completions/wecom
  zsh   wecom completions zsh > \"${fpath[1]}/_wecom\"
  fish  wecom completions fish > ~/.config/fish/completions/wecom.fish";

/// The shells `wecom completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

fn completions(shell: CompletionShell) -> ExitCode {
    use clap::CommandFactory;
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "wecom", &mut std::io::stdout());
    ExitCode::SUCCESS
}

/// Runs the parsed command line, in the language chosen by `--lang`,
/// config.toml and the locale.
pub fn run(cli: Cli) -> ExitCode {
    choose_language(&cli);
    match cli.command {
        Some(Command::Sandbox(args)) => sandbox::run_cli(args),
        Some(Command::Validate { path }) => validate_cmd(&path),
        Some(Command::Send(args)) => send::run(*args, cli.config),
        Some(Command::Robots(command)) => robots::run(command, cli.config),
        Some(Command::History(args)) => history::run(args, cli.config),
        Some(Command::Outbox(args)) => outbox::run(args, cli.config),
        Some(Command::Schedule(command)) => schedule::run(command, cli.config),
        Some(Command::Resend(args)) => outbox::resend(args, cli.config),
        Some(Command::Serve(args)) => serve::run(args, cli.config),
        Some(Command::Tokens(command)) => tokens::run(command, cli.config),
        Some(Command::Completions { shell }) => completions(shell),
        None => {
            use std::io::IsTerminal;
            if !std::io::stdout().is_terminal() {
                eprintln!("wecom: {}", crate::tr!("cli.needs_terminal"));
                return ExitCode::from(EXIT_INVALID);
            }
            match crate::tui::run(crate::tui::Paths::from_env(cli.config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("wecom: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Sets the language from `--lang`, else config.toml's `language` (a
/// config that cannot be read is reported by the command that needs it;
/// here it only counts as `auto`), else the locale variables.
fn choose_language(cli: &Cli) {
    let configured = if cli.lang.is_some() {
        None
    } else {
        let path = cli
            .config
            .clone()
            .unwrap_or_else(crate::store::config::ConfigStore::default_path);
        crate::store::config::ConfigStore::new(path)
            .load()
            .ok()
            .and_then(|c| c.language)
    };
    crate::i18n::set(crate::i18n::decide(
        cli.lang,
        configured,
        &crate::i18n::LocaleEnv::from_env(),
    ));
}

/// Exit code for a usage or validation error (see [`exit`]).
pub const EXIT_INVALID: u8 = exit::USAGE;

fn validate_cmd(path: &std::path::Path) -> ExitCode {
    let mut json = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut json).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|s| json = s)
    };
    if let Err(e) = read {
        eprintln!(
            "wecom: {}",
            crate::tr!("cli.validate.unreadable", path = path.display(), error = e)
        );
        return ExitCode::from(EXIT_INVALID);
    }
    let body = match wecom::batch::parse_body_str(&json) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("{}", crate::tr!("cli.validate.error", error = e));
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let checked = body.check();
    for p in &checked.problems {
        eprintln!("{p}");
    }
    let link = body.link.as_deref().map(|link| {
        wecom::Webhook::parse(link, &wecom::webhook::default_base()).map(|w| w.display_url())
    });
    if let Some(Err(e)) = &link {
        eprintln!("{}", crate::tr!("cli.validate.link_error", error = e));
    }
    if !checked.is_sendable(body.entries.len()) || matches!(link, Some(Err(_))) {
        return ExitCode::from(EXIT_INVALID);
    }
    match checked.messages.as_slice() {
        [message] if body.shape == wecom::batch::Shape::One => println!(
            "{}",
            crate::tr!(
                "cli.validate.ok_one",
                kind = message.kind().label(),
                bytes = message.to_json().len()
            )
        ),
        messages => println!("{}", crate::tr!("cli.validate.ok_many", n = messages.len())),
    }
    if let Some(Ok(url)) = link {
        println!("{}", crate::tr!("cli.validate.link", url = url));
    }
    ExitCode::SUCCESS
}
