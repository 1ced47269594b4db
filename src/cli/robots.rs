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
            println!("name:    {}", robot.name);
            println!("webhook: {}", robot.masked_webhook(&base));
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
                "Saved robot \"{}\" ({}) in {}.",
                saved.name,
                saved.masked_webhook(&base),
                store.path().display()
            );
            Ok(())
        }
        RobotsCommand::Edit { name, webhook } => {
            let webhook = webhook_arg(&webhook)?;
            config.edit_robot(&name, &webhook)?;
            save(store, &config)?;
            eprintln!("Changed the webhook of \"{}\".", name.trim());
            Ok(())
        }
        RobotsCommand::Rename { old, new } => {
            let renamed = config.rename_robot(&old, &new)?;
            save(store, &config)?;
            eprintln!("Renamed \"{}\" to \"{}\".", renamed.old, renamed.new);
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
            let revoked = match codes {
                0 => String::new(),
                n => format!(" and revoked its {n} relay code(s)"),
            };
            eprintln!("Removed \"{}\"{revoked}.", removed.name);
            if !groups.is_empty() {
                eprintln!(
                    "It left the group(s) {}; a group left with no robot was deleted.",
                    groups.join(", ")
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
        eprintln!("Paste the webhook URL or key, then press Enter:");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure(exit::IO, format!("cannot read standard input: {e}")))?;
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
            eprintln!(
                "No saved robots. Add one with `wecom robots add NAME -` (then paste the webhook)."
            );
        }
        Output::Text => {
            let width = config
                .robots
                .iter()
                .map(|r| r.name.chars().count())
                .max()
                .unwrap_or(0);
            for r in &config.robots {
                let codes = config.relay_codes_of(&r.name).map_or(0, |c| c.len());
                let codes = match codes {
                    0 => String::new(),
                    n => format!("  ({n} relay code{})", if n == 1 { "" } else { "s" }),
                };
                let pad = width - r.name.chars().count();
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

/// `groups:` and one line per group: its name and its robots.
fn print_groups(config: &Config) {
    println!("groups:");
    let width = config
        .groups
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(0);
    for g in &config.groups {
        let pad = width - g.name.chars().count();
        println!("  {}{}  {}", g.name, " ".repeat(pad), g.robots.join(", "));
    }
}

fn group(store: &ConfigStore, config: &mut Config, command: GroupCommand) -> Result<(), Failure> {
    match command {
        GroupCommand::List { output } => {
            match output {
                Output::Json => println!("{}", json!({ "groups": groups_json(config) })),
                Output::Text if config.groups.is_empty() => eprintln!(
                    "No groups. Make one with `wecom robots group add NAME ROBOT…`, then send to it with `wecom send -g NAME`."
                ),
                Output::Text => print_groups(config),
            }
            Ok(())
        }
        GroupCommand::Add { name, robots } => {
            let (group, new) = config.add_to_group(&name, &robots)?;
            save(store, config)?;
            let verb = if new { "Made" } else { "Changed" };
            eprintln!(
                "{verb} group \"{}\": {} (send to it with `wecom send -g {}`).",
                group.name,
                group.robots.join(", "),
                group.name
            );
            Ok(())
        }
        GroupCommand::Remove { name, robots } => {
            let (before, deleted) = config.remove_from_group(&name, &robots)?;
            save(store, config)?;
            if deleted {
                eprintln!("Deleted group \"{}\"; its robots stay saved.", before.name);
            } else if let Some(now) = config.group(&before.name) {
                eprintln!(
                    "Group \"{}\" now holds: {}.",
                    now.name,
                    now.robots.join(", ")
                );
            }
            Ok(())
        }
    }
}

fn print_codes(codes: &[&RelayCode]) {
    if codes.is_empty() {
        println!("relay codes: none (make one with `wecom robots code NAME`)");
        return;
    }
    println!("relay codes:");
    for c in codes {
        println!("  {}  made {}", c.id, c.created_at);
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
            "Revoked relay code {} of \"{}\": it is refused (404) from now on.",
            gone.id, gone.robot
        );
        return Ok(());
    }
    if revoke_all {
        let n = config.revoke_all_relay_codes(name)?;
        save(store, config)?;
        eprintln!("Revoked {n} relay code(s) of \"{}\".", name.trim());
        return Ok(());
    }
    let (secret, entry) = config.new_relay_code(name)?;
    save(store, config)?;
    eprintln!(
        "New relay code for \"{}\" (id {}). It is shown only now: only its hash is saved.\n\
         Post to: http://{DEFAULT_LISTEN}/api/notify/<code>   (run `wecom serve`)",
        entry.robot, entry.id
    );
    println!("{secret}");
    Ok(())
}
