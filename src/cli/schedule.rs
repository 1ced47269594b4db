//! `wecom schedule`: recurring messages on a cron pattern. Each run becomes
//! outbox items due at the run's time, sent by the worker (`wecom outbox
//! run`, `wecom serve`, the composer), so checks, pacing, retries and the
//! history apply as to any send. The content flags are `wecom send`'s.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

use super::exit;
use super::outbox::{finish, rfc3339};
use super::send::{self, Failure, Output, SendArgs};
use crate::delivery::due::{CronSpec, local_time, who_sends};
use crate::store::Db;
use crate::store::config::ConfigStore;
use crate::store::schedule::{Schedule, Schedules};
use crate::untrusted::one_line;

/// `wecom schedule` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ScheduleCommand {
    /// Add a recurring message: a name, a cron pattern, a robot and the
    /// content as for `wecom send` (--text, --markdown, --json, …).
    #[command(after_help = ADD_HELP)]
    Add(Box<AddArgs>),
    /// The schedules with their next three run times.
    List {
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Remove a schedule (runs already in the outbox stay there).
    Remove { name: String },
    /// Stop a schedule's runs until `resume`.
    Pause { name: String },
    /// Start a paused schedule again from its next run (the runs during
    /// the pause are not sent).
    Resume { name: String },
}

const ADD_HELP: &str = "\
Patterns (croner): 5 fields `minute hour day month weekday`, or 6 with seconds first.
  \"0 9 * * MON-FRI\"   09:00 on weekdays
  \"30 17 * * FRI\"     Friday 17:30
  \"*/2 * * * * *\"     every 2 seconds
Placeholders in the content are filled in at each run: {{now:%Y-%m-%d}}, {{env:NAME}}, {{file:/PATH}}.
Example:
  wecom schedule add standup --cron \"0 9 * * MON-FRI\" --tz Asia/Shanghai -r ops \\
      --markdown '**Stand-up** {{now:%m-%d}}: 10 minutes, room 3'";

/// `wecom schedule add` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// The schedule's name (for list, pause, resume, remove).
    pub name: String,
    /// When it runs: a cron pattern (see below).
    #[arg(long, value_name = "PATTERN")]
    pub cron: String,
    /// The time zone of the pattern (an IANA name, like Asia/Shanghai);
    /// the machine's local time when not given.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    #[command(flatten)]
    pub send: SendArgs,
}

/// Runs `wecom schedule …`.
pub fn run(command: ScheduleCommand, config: Option<PathBuf>) -> ExitCode {
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let result = Db::open_default()
        .map_err(|e| Failure::new(exit::IO, e.to_string()))
        .and_then(|db| {
            let schedules = Schedules::new(db);
            match command {
                ScheduleCommand::Add(args) => add(&schedules, &store, &args),
                ScheduleCommand::List { output } => list(&schedules, output),
                ScheduleCommand::Remove { name } => {
                    let removed = schedules.remove(&name).map_err(io)?;
                    done(removed, &name, "cli.schedule.removed")
                }
                ScheduleCommand::Pause { name } => {
                    let paused = schedules.set_paused(&name, true, None).map_err(io)?;
                    done(paused, &name, "cli.schedule.paused")
                }
                ScheduleCommand::Resume { name } => resume(&schedules, &name),
            }
        });
    finish("schedule", result)
}

fn io(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::IO, e.to_string())
}

fn usage(message: String) -> Failure {
    Failure::new(exit::USAGE, message)
}

/// `key` says what was done: `cli.schedule.removed`, `.paused`, `.resumed`.
fn done(found: bool, name: &str, key: &str) -> Result<u8, Failure> {
    if !found {
        return Err(not_found(name));
    }
    println!("{}", crate::tr!(key, name = one_line(name)));
    Ok(exit::OK)
}

fn not_found(name: &str) -> Failure {
    usage(crate::tr!("cli.schedule.not_found", name = one_line(name)).into_owned())
}

fn now_ms() -> i64 {
    chrono::Local::now().timestamp_millis()
}

fn add(schedules: &Schedules, store: &ConfigStore, args: &AddArgs) -> Result<u8, Failure> {
    let send = &args.send;
    if send.at.is_some() || send.send_in.is_some() {
        return Err(usage(crate::tr!("cli.schedule.no_at").into_owned()));
    }
    if send.no_queue || send.no_wait {
        return Err(usage(crate::tr!("cli.schedule.no_queue").into_owned()));
    }
    if args.name.trim().is_empty() {
        return Err(usage(crate::tr!("cli.schedule.no_name").into_owned()));
    }
    let spec = CronSpec::parse(&args.cron, args.tz.as_deref()).map_err(usage)?;
    let now = now_ms();
    let upcoming = spec.upcoming(now, 3);
    let Some(next) = upcoming.first().copied() else {
        return Err(usage(
            crate::tr!("cli.schedule.never", cron = one_line(&args.cron)).into_owned(),
        ));
    };
    let (items, notes) = send::items_for_later(send, store)?;
    for note in &notes {
        eprintln!("wecom schedule: {note}");
    }
    let times: Vec<String> = upcoming.iter().map(|t| local_time(*t)).collect();
    if send.dry_run {
        let bodies = send::filled_in_now(&items)?;
        match send.output {
            Output::Text => {
                println!(
                    "{}",
                    crate::tr!("cli.schedule.next_runs", times = times.join(", "))
                );
                eprintln!("wecom schedule: {}", crate::tr!("cli.schedule.dry_run"));
                for body in &bodies {
                    println!("{body}");
                }
            }
            Output::Json => println!(
                "{}",
                json!({"ok": true, "dry_run": true, "next": upcoming.iter().map(|t| rfc3339(*t)).collect::<Vec<_>>(), "messages": bodies})
            ),
        }
        return Ok(exit::OK);
    }
    let tz = args.tz.as_deref().map(str::trim);
    let added = schedules
        .add(
            args.name.trim(),
            args.cron.trim(),
            tz,
            &items,
            Some(next),
            now,
        )
        .map_err(io)?;
    if !added {
        return Err(usage(
            crate::tr!("cli.schedule.exists", name = one_line(&args.name)).into_owned(),
        ));
    }
    println!(
        "{}",
        crate::tr!(
            "cli.schedule.added",
            name = one_line(args.name.trim()),
            times = times.join(", ")
        )
    );
    println!("{}", who_sends());
    Ok(exit::OK)
}

fn resume(schedules: &Schedules, name: &str) -> Result<u8, Failure> {
    let schedule = schedules
        .get(name)
        .map_err(io)?
        .ok_or_else(|| not_found(name))?;
    let spec = CronSpec::parse(&schedule.cron, schedule.tz.as_deref()).map_err(usage)?;
    let next = spec.next_after(now_ms());
    schedules.set_paused(name, false, next).map_err(io)?;
    done(true, name, "cli.schedule.resumed")?;
    if let Some(next) = next {
        println!(
            "{}",
            crate::tr!("cli.schedule.next_run", at = local_time(next))
        );
    }
    Ok(exit::OK)
}

fn robots(s: &Schedule) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for it in &s.items {
        if !names.contains(&it.robot_name) {
            names.push(it.robot_name.clone());
        }
    }
    names
}

fn upcoming(s: &Schedule) -> Vec<i64> {
    if s.paused {
        return Vec::new();
    }
    let Ok(spec) = CronSpec::parse(&s.cron, s.tz.as_deref()) else {
        return Vec::new();
    };
    match s.next_ms {
        // The stored next run first (it may be due now), then the ones after.
        Some(next) => std::iter::once(next)
            .chain(spec.upcoming(next, 2))
            .collect(),
        None => Vec::new(),
    }
}

fn list(schedules: &Schedules, output: Output) -> Result<u8, Failure> {
    let all = schedules.list().map_err(io)?;
    match output {
        Output::Json => {
            let doc: Vec<Value> = all
                .iter()
                .map(|s| {
                    json!({
                        "name": s.name,
                        "cron": s.cron,
                        "tz": s.tz,
                        "paused": s.paused,
                        "robots": robots(s),
                        "messages": s.items.iter().map(|i| i.label.clone()).collect::<Vec<_>>(),
                        "next": upcoming(s).into_iter().map(rfc3339).collect::<Vec<_>>(),
                        "last_run": s.last_run_ms.map(rfc3339),
                        "runs": s.runs,
                    })
                })
                .collect();
            println!("{}", Value::Array(doc));
        }
        Output::Text if all.is_empty() => println!("{}", crate::tr!("cli.schedule.none")),
        Output::Text => {
            for s in &all {
                let zone =
                    s.tz.as_deref()
                        .map(|z| format!(" ({z})"))
                        .unwrap_or_default();
                println!(
                    "{}  {}  {}{zone} → {}",
                    one_line(&s.name),
                    if s.paused {
                        crate::tr!("cli.schedule.state_paused")
                    } else {
                        crate::tr!("cli.schedule.state_active")
                    },
                    one_line(&s.cron),
                    one_line(&robots(s).join(", "))
                );
                let next: Vec<String> = upcoming(s).into_iter().map(local_time).collect();
                if !next.is_empty() {
                    println!(
                        "    {}",
                        crate::tr!("cli.schedule.next", times = next.join(", "))
                    );
                }
                let labels: Vec<String> = s
                    .items
                    .iter()
                    .map(|i| one_line(&i.label).into_owned())
                    .collect();
                let last = s
                    .last_run_ms
                    .map(|t| crate::tr!("cli.schedule.last", at = local_time(t)).into_owned())
                    .unwrap_or_default();
                println!(
                    "    {}",
                    crate::tr!(
                        "cli.schedule.sends",
                        labels = labels.join(", "),
                        runs = s.runs,
                        last = last
                    )
                );
            }
        }
    }
    Ok(exit::OK)
}
