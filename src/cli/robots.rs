//! `wecom robots`: the saved robots from the command line, in the same
//! config file as the app (atomic writes, owner-only), with the same rules
//! (names unique ignoring case, webhooks normalised, keys never shown), and
//! the named groups of robots that broadcasts go to.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::exit;
use super::send::Output;
use crate::relay::DEFAULT_LISTEN;
use crate::store::config::{Config, ConfigStore, GroupError, RelayCode, RobotError};

/// `wecom robots` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum RobotsCommand {
    /// List the saved robots, keys masked, and the groups.
    List {
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Save a robot. The key is visible to other users in the process list
    /// while the command runs: give - to read the URL or key from standard
    /// input instead.
    Add {
        name: String,
        /// A webhook URL, a bare key, or - to read it from standard input.
        #[arg(value_name = "URL_OR_KEY", allow_hyphen_values = true)]
        webhook: String,
    },
    /// Change a robot's webhook (URL, key, or - for standard input).
    Edit {
        name: String,
        #[arg(value_name = "URL_OR_KEY", allow_hyphen_values = true)]
        webhook: String,
    },
    /// Rename a robot (its relay codes and group memberships follow it).
    Rename { old: String, new: String },
    /// Delete a robot and revoke its relay codes.
    Remove { name: String },
    /// Show one robot: its masked webhook and its relay codes.
    Show { name: String },
    /// Make a relay code for `wecom serve` (printed once; only its hash is
    /// saved), or list or revoke a robot's codes.
    Code {
        name: String,
        /// List the robot's codes (their ids, never the codes).
        #[arg(long, conflicts_with_all = ["revoke", "revoke_all"])]
        list: bool,
        /// Revoke the code with this id (from --list).
        #[arg(long, value_name = "ID", conflicts_with = "revoke_all")]
        revoke: Option<String>,
        /// Revoke every code of the robot.
        #[arg(long)]
        revoke_all: bool,
    },
    /// Named groups of robots, for broadcasts (`wecom send -g NAME`).
    #[command(subcommand)]
    Group(GroupCommand),
}

/// `wecom robots group` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum GroupCommand {
    /// Make a group of saved robots, or add robots to an existing group.
    Add {
        name: String,
        /// Saved robot names (see `wecom robots list`).
        #[arg(value_name = "ROBOT", required = true)]
        robots: Vec<String>,
    },
    /// Delete a group, or only take the robots named out of it. The robots
    /// themselves stay saved.
    Remove {
        name: String,
        #[arg(value_name = "ROBOT")]
        robots: Vec<String>,
    },
    /// List the groups and their robots.
    List {
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
}

/// A failure: the exit code and the sentence to print.
struct Failure(u8, String);

impl From<RobotError> for Failure {
    fn from(e: RobotError) -> Failure {
        Failure(exit::USAGE, e.to_string())
    }
}

impl From<GroupError> for Failure {
    fn from(e: GroupError) -> Failure {
        Failure(exit::USAGE, e.to_string())
    }
}

/// Runs `wecom robots …` against the config at `config` (or the default).
pub fn run(command: RobotsCommand, config: Option<PathBuf>) -> ExitCode {
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    match execute(command, &store) {
        Ok(()) => exit::code(exit::OK),
        Err(Failure(code, message)) => {
            eprintln!("wecom robots: {message}");
            exit::code(code)
        }
    }
}

fn load(store: &ConfigStore) -> Result<Config, Failure> {
    store.load().map_err(|e| Failure(exit::IO, e.to_string()))
}

fn save(store: &ConfigStore, config: &Config) -> Result<(), Failure> {
    store
        .save(config)
        .map_err(|e| Failure(exit::IO, e.to_string()))
}

fn execute(command: RobotsCommand, store: &ConfigStore) -> Result<(), Failure> {
    let mut config = load(store)?;
    let base = config.base();
    match command {
        RobotsCommand::List { output } => {
            list(&config, output);
            Ok(())
        }
        RobotsCommand::Show { name } => {
            let robot = config
                .robot(&name)
                .ok_or_else(|| RobotError::not_found(&name))?;
            println!("{}", crate::tr!("cli.robots.show_name", name = robot.name));
            println!(
                "{}",
                crate::tr!(
                    "cli.robots.show_webhook",
                    webhook = robot.masked_webhook(&base)
                )
            );
            print_codes(&config.relay_codes_of(&robot.name)?);
            Ok(())
        }
        RobotsCommand::Add { name, webhook } => {
            let webhook = webhook_arg(&webhook)?;
            config.add_robot(&name, &webhook)?;
            save(store, &config)?;
            let saved = config
                .robot(&name)
                .ok_or_else(|| RobotError::not_found(&name))?;
            eprintln!(
                "{}",
                crate::tr!(
                    "cli.robots.saved",
                    name = saved.name,
                    webhook = saved.masked_webhook(&base),
                    path = store.path().display()
                )
            );
            Ok(())
        }
        RobotsCommand::Edit { name, webhook } => {
            let webhook = webhook_arg(&webhook)?;
            config.edit_robot(&name, &webhook)?;
            save(store, &config)?;
            eprintln!("{}", crate::tr!("cli.robots.edited", name = name.trim()));
            Ok(())
        }
        RobotsCommand::Rename { old, new } => {
            let renamed = config.rename_robot(&old, &new)?;
            save(store, &config)?;
            eprintln!(
                "{}",
                crate::tr!("cli.robots.renamed", old = renamed.old, new = renamed.new)
            );
            Ok(())
        }
        RobotsCommand::Remove { name } => {
            let codes = config.relay_codes_of(&name)?.len();
            let groups: Vec<String> = config
                .groups_of(&name)
                .iter()
                .map(|g| g.name.clone())
                .collect();
            let removed = config.remove_robot(&name)?;
            save(store, &config)?;
            if codes == 0 {
                eprintln!("{}", crate::tr!("cli.robots.removed", name = removed.name));
            } else {
                eprintln!(
                    "{}",
                    crate::tr!("cli.robots.removed_codes", name = removed.name, n = codes)
                );
            }
            if !groups.is_empty() {
                eprintln!(
                    "{}",
                    crate::tr!("cli.robots.left_groups", groups = groups.join(", "))
                );
            }
            Ok(())
        }
        RobotsCommand::Group(command) => group(store, &mut config, command),
        RobotsCommand::Code {
            name,
            list,
            revoke,
            revoke_all,
        } => code(store, &mut config, &name, list, revoke, revoke_all),
    }
}

/// The URL or key: the argument, or one line of standard input for `-`.
fn webhook_arg(value: &str) -> Result<String, Failure> {
    if value != "-" {
        return Ok(value.to_owned());
    }
    if std::io::stdin().is_terminal() {
        eprintln!("{}", crate::tr!("cli.robots.paste"));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Failure(
            exit::IO,
            crate::tr!("cli.robots.stdin_failed", error = e).into_owned(),
        )
    })?;
    Ok(line.trim().to_owned())
}

fn list(config: &Config, output: Output) {
    let base = config.base();
    match output {
        Output::Json => {
            let robots: Vec<_> = config
                .robots
                .iter()
                .map(|r| {
                    json!({
                        "name": r.name,
                        "webhook": r.masked_webhook(&base),
                        "relay_codes": config.relay_codes_of(&r.name).map_or(0, |c| c.len()),
                    })
                })
                .collect();
            println!(
                "{}",
                json!({ "robots": robots, "groups": groups_json(config) })
            );
        }
        Output::Text if config.robots.is_empty() => {
            eprintln!("{}", crate::tr!("cli.robots.none"));
        }
        Output::Text => {
            let width = config
                .robots
                .iter()
                .map(|r| columns(&r.name))
                .max()
                .unwrap_or(0);
            for r in &config.robots {
                let codes = config.relay_codes_of(&r.name).map_or(0, |c| c.len());
                let codes = match codes {
                    0 => String::new(),
                    n => crate::tr!("cli.robots.list_codes", n = n).into_owned(),
                };
                let pad = width - columns(&r.name);
                println!(
                    "{}{}  {}{codes}",
                    r.name,
                    " ".repeat(pad),
                    r.masked_webhook(&base)
                );
            }
            if !config.groups.is_empty() {
                println!();
                print_groups(config);
            }
        }
    }
}

fn groups_json(config: &Config) -> serde_json::Value {
    config
        .groups
        .iter()
        .map(|g| json!({ "name": g.name, "robots": g.robots }))
        .collect()
}

/// A name's width on screen: a CJK character takes two columns.
fn columns(name: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(name)
}

/// `groups:` and one line per group: its name and its robots.
fn print_groups(config: &Config) {
    println!("{}", crate::tr!("cli.robots.groups"));
    let width = config
        .groups
        .iter()
        .map(|g| columns(&g.name))
        .max()
        .unwrap_or(0);
    for g in &config.groups {
        let pad = width - columns(&g.name);
        println!("  {}{}  {}", g.name, " ".repeat(pad), g.robots.join(", "));
    }
}

fn group(store: &ConfigStore, config: &mut Config, command: GroupCommand) -> Result<(), Failure> {
    match command {
        GroupCommand::List { output } => {
            match output {
                Output::Json => println!("{}", json!({ "groups": groups_json(config) })),
                Output::Text if config.groups.is_empty() => {
                    eprintln!("{}", crate::tr!("cli.robots.no_groups"))
                }
                Output::Text => print_groups(config),
            }
            Ok(())
        }
        GroupCommand::Add { name, robots } => {
            let (group, new) = config.add_to_group(&name, &robots)?;
            save(store, config)?;
            let key = if new {
                "cli.robots.group_made"
            } else {
                "cli.robots.group_changed"
            };
            eprintln!(
                "{}",
                crate::tr!(key, name = group.name, robots = group.robots.join(", "))
            );
            Ok(())
        }
        GroupCommand::Remove { name, robots } => {
            let (before, deleted) = config.remove_from_group(&name, &robots)?;
            save(store, config)?;
            if deleted {
                eprintln!(
                    "{}",
                    crate::tr!("cli.robots.group_deleted", name = before.name)
                );
            } else if let Some(now) = config.group(&before.name) {
                eprintln!(
                    "{}",
                    crate::tr!(
                        "cli.robots.group_holds",
                        name = now.name,
                        robots = now.robots.join(", ")
                    )
                );
            }
            Ok(())
        }
    }
}

fn print_codes(codes: &[&RelayCode]) {
    if codes.is_empty() {
        println!("{}", crate::tr!("cli.robots.no_codes"));
        return;
    }
    println!("{}", crate::tr!("cli.robots.codes"));
    for c in codes {
        println!(
            "  {}",
            crate::tr!("cli.robots.code_line", id = c.id, made = c.created_at)
        );
    }
}

fn code(
    store: &ConfigStore,
    config: &mut Config,
    name: &str,
    list: bool,
    revoke: Option<String>,
    revoke_all: bool,
) -> Result<(), Failure> {
    if list {
        print_codes(&config.relay_codes_of(name)?);
        return Ok(());
    }
    if let Some(id) = revoke {
        let gone = config.revoke_relay_code(name, &id)?;
        save(store, config)?;
        eprintln!(
            "{}",
            crate::tr!("cli.robots.revoked", id = gone.id, robot = gone.robot)
        );
        return Ok(());
    }
    if revoke_all {
        let n = config.revoke_all_relay_codes(name)?;
        save(store, config)?;
        eprintln!(
            "{}",
            crate::tr!("cli.robots.revoked_all", n = n, robot = name.trim())
        );
        return Ok(());
    }
    let (secret, entry) = config.new_relay_code(name)?;
    save(store, config)?;
    eprintln!(
        "{}",
        crate::tr!(
            "cli.robots.new_code",
            robot = entry.robot,
            id = entry.id,
            listen = DEFAULT_LISTEN
        )
    );
    println!("{secret}");
    Ok(())
}
