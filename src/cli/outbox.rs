//! `wecom outbox`: what is on its way or waiting for the user, and the
//! commands that move it: `retry`, `cancel`, `flush`, `edit`, and `run`, the
//! worker that sends messages sent later when they are due. Also `wecom
//! resend`, which puts a history entry through the outbox again.
//!
//! The outbox names robots by name and fingerprint, never by key, so a
//! command that sends looks the robot up again: the saved robot of that
//! name if its webhook still has that fingerprint, else any saved robot that
//! has it (renamed), else `WECOM_WEBHOOK` if it has it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::PoisonError;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::exit;
use super::send::{self, Failure, Output};
use crate::delivery::due::{self, WorkerEvent, WorkerOptions, local_time};
use crate::delivery::{Delivered, Engine, FREQ_OUT_OF_LIMIT, RetryPolicy, placeholders, when};
use crate::store::config::{Config, ConfigStore};
use crate::store::ledger::Rate;
use crate::store::outbox::{NewItem, OutboxItem, OutboxState};
use crate::untrusted::one_line;
use crate::wecom::Webhook;
use crate::wecom::attach::robot_id;

/// `wecom outbox` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub command: Option<OutboxCommand>,
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `wecom outbox` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum OutboxCommand {
    /// Send unknown or failed items again now (an unknown one may then
    /// arrive twice: check the chat first).
    Retry(Which),
    /// Drop items from the outbox (the history says they were cancelled).
    Cancel(Which),
    /// Deliver everything waiting in the outbox now, paced per robot
    /// (messages sent later wait for their time).
    Flush,
    /// Open $EDITOR on an item's JSON; it is checked again and saved
    /// (not while a process is sending it).
    Edit {
        /// The item's id (see `wecom outbox`).
        id: i64,
    },
    /// Keep running and send messages sent later (`wecom send --at/--in`)
    /// and schedule runs (`wecom schedule`) when they are due; stops on
    /// Ctrl-C or SIGTERM. See the README for a systemd user unit.
    Run(RunArgs),
}

/// `wecom outbox run` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A message more than this late (no worker was running at its time)
    /// is not sent; the history says so. Like 30m, 2h, 1d.
    #[arg(long, value_name = "DELAY", env = "WECOM_MAX_LATE")]
    pub max_late: Option<String>,
    /// For tests: the longest sleep between two looks at the outbox (ms).
    #[arg(long, hide = true, env = "WECOM_RECHECK_MS")]
    pub recheck_ms: Option<u64>,
}

/// One item or all.
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Which {
    /// The item's id (see `wecom outbox`).
    pub id: Option<i64>,
    /// Every item.
    #[arg(long)]
    pub all: bool,
}

/// `wecom resend` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ResendArgs {
    /// The history entry (see `wecom history`).
    pub id: i64,
    /// Send to these saved robots instead of the entry's (repeatable).
    #[arg(long, short = 'r', value_name = "NAME")]
    pub robot: Vec<String>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// For tests: the rate-limit window in milliseconds (default 60000).
    #[arg(long, hide = true, env = "WECOM_RATE_WINDOW_MS")]
    pub rate_window_ms: Option<u64>,
    /// For tests: messages per window (default 20).
    #[arg(long, hide = true, env = "WECOM_RATE_LIMIT")]
    pub rate_limit: Option<usize>,
}

/// Runs `wecom outbox …`.
pub fn run(args: OutboxArgs, config: Option<PathBuf>) -> ExitCode {
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let result = send::engine(&store, Rate::from_env(), RetryPolicy::default()).and_then(
        |engine| match args.command {
            None => list(&engine, args.output),
            Some(OutboxCommand::Cancel(which)) => cancel(&engine, &which),
            Some(OutboxCommand::Retry(which)) => retry(&engine, &store, &which),
            Some(OutboxCommand::Flush) => flush(&engine, &store, None),
            Some(OutboxCommand::Edit { id }) => edit(&engine, id),
            Some(OutboxCommand::Run(run)) => worker(engine, store.clone(), &run),
        },
    );
    finish("outbox", result)
}

/// Prints a failure and turns the result into an exit code.
pub fn finish(command: &str, result: Result<u8, Failure>) -> ExitCode {
    match result {
        Ok(code) => exit::code(code),
        Err(failure) => {
            for line in &failure.lines {
                eprintln!("wecom {command}: {line}");
            }
            exit::code(failure.code)
        }
    }
}

fn store_failure(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::IO, e.to_string())
}

/// RFC 3339 in local time, for people and scripts alike.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
}

fn list(engine: &Engine, output: Output) -> Result<u8, Failure> {
    let items = engine.outbox().list().map_err(store_failure)?;
    match output {
        Output::Json => {
            let doc: Vec<Value> = items.iter().map(item_json).collect();
            println!("{}", Value::Array(doc));
        }
        Output::Text if items.is_empty() => println!("{}", crate::tr!("cli.outbox.empty")),
        Output::Text => {
            let now = crate::clock::now_ms();
            let now_i = i64::try_from(now).unwrap_or(i64::MAX);
            for it in &items {
                let next = match (it.state, it.next_attempt_ms, it.due_ms) {
                    (OutboxState::Queued, _, Some(due)) if due > now_i => crate::tr!(
                        "cli.outbox.due",
                        at = local_time(due),
                        countdown = when::countdown(now_i, due)
                    )
                    .into_owned(),
                    (OutboxState::Retrying, Some(at), _) => {
                        let secs = u64::try_from(at)
                            .unwrap_or(0)
                            .saturating_sub(now)
                            .div_ceil(1000);
                        crate::tr!(
                            "cli.outbox.next_attempt",
                            secs = secs,
                            attempt = it.attempts + 1
                        )
                        .into_owned()
                    }
                    _ => String::new(),
                };
                println!(
                    "{:>6}  {}  {}  {:<12}  {}{next}",
                    it.id,
                    super::history::pad(shown_state(it), 8),
                    super::history::pad(&one_line(&it.robot_name), 14),
                    it.msgtype,
                    one_line(&it.label),
                );
                if let Some(error) = &it.last_error {
                    println!("        {}", one_line(error));
                }
            }
            let unknown = items
                .iter()
                .filter(|i| i.state == OutboxState::Unknown)
                .count();
            if unknown > 0 {
                println!("{}", crate::tr!("cli.outbox.unknown", n = unknown));
            }
            println!("{}", crate::tr!("cli.outbox.flush_hint"));
            if items.iter().any(|i| i.due_ms.is_some_and(|d| d > now_i)) {
                println!("{}", crate::tr!("cli.outbox.due_hint"));
            }
        }
    }
    Ok(exit::OK)
}

fn item_json(it: &OutboxItem) -> Value {
    json!({
        "id": it.id,
        "robot": it.robot_name,
        "msgtype": it.msgtype,
        "state": it.state.as_str(),
        "next_attempt": it.next_attempt_ms.map(rfc3339),
        "due": it.due_ms.map(rfc3339),
        "waiting_for_rate_limit": waits_for_rate_limit(it),
        "attempts": it.attempts,
        "label": it.label,
        "batch": it.batch,
        "part": it.part,
        "created": rfc3339(it.created_ms),
        "error": it.last_error,
    })
}

/// A retry after 45009 is only a wait for the robot's window, not a
/// failure: shown as `waiting`.
fn waits_for_rate_limit(it: &OutboxItem) -> bool {
    it.state == OutboxState::Retrying
        && it.last_error.as_deref().is_some_and(|e| {
            // The error was written in the language of its day.
            e.contains(&format!("(errcode {FREQ_OUT_OF_LIMIT})"))
                || e.contains(&format!("（errcode {FREQ_OUT_OF_LIMIT}）"))
        })
}

fn shown_state(it: &OutboxItem) -> &'static str {
    if waits_for_rate_limit(it) {
        "waiting"
    } else {
        it.state.as_str()
    }
}

fn ids(engine: &Engine, which: &Which) -> Result<Vec<i64>, Failure> {
    match which.id {
        Some(id) => Ok(vec![id]),
        None => Ok(engine
            .outbox()
            .list()
            .map_err(store_failure)?
            .into_iter()
            .map(|i| i.id)
            .collect()),
    }
}

fn cancel(engine: &Engine, which: &Which) -> Result<u8, Failure> {
    let mut code = exit::OK;
    for id in ids(engine, which)? {
        if engine.cancel(id).map_err(store_failure)? {
            println!("{}", crate::tr!("cli.outbox.cancelled", id = id));
        } else {
            eprintln!(
                "wecom outbox: {}",
                crate::tr!("cli.outbox.cannot_cancel", id = id)
            );
            code = exit::USAGE;
        }
    }
    Ok(code)
}

fn retry(engine: &Engine, store: &ConfigStore, which: &Which) -> Result<u8, Failure> {
    let ids = ids(engine, which)?;
    let mut wanted = Vec::new();
    for id in &ids {
        let item = engine.outbox().get(*id).map_err(store_failure)?;
        match item.map(|i| i.state) {
            Some(OutboxState::Unknown | OutboxState::Failed) => {
                engine.retry(*id).map_err(store_failure)?;
                wanted.push(*id);
            }
            Some(OutboxState::Queued | OutboxState::Retrying) => wanted.push(*id),
            _ if which.all => {}
            _ => {
                return Err(Failure::new(
                    exit::USAGE,
                    crate::tr!("cli.outbox.no_item", id = id),
                ));
            }
        }
    }
    flush(engine, store, Some(&wanted))
}

/// The webhook for an outbox or history row, found again without a key
/// stored anywhere.
pub use crate::delivery::due::resolve;

/// Delivers the waiting items (`only`: those ids), batch by batch in order;
/// each robot's items one after the other, robots side by side. A batch
/// stops at its first failure, its rest kept.
fn flush(engine: &Engine, store: &ConfigStore, only: Option<&[i64]>) -> Result<u8, Failure> {
    let config = store.load().map_err(store_failure)?;
    let items: Vec<OutboxItem> = engine
        .outbox()
        .list()
        .map_err(store_failure)?
        .into_iter()
        .filter(|i| matches!(i.state, OutboxState::Queued | OutboxState::Retrying))
        .filter(|i| only.is_none_or(|ids| ids.contains(&i.id)))
        .collect();
    let now = i64::try_from(crate::clock::now_ms()).unwrap_or(i64::MAX);
    let (later, items): (Vec<OutboxItem>, Vec<OutboxItem>) = items
        .into_iter()
        .partition(|i| i.due_ms.is_some_and(|d| d > now));
    if !later.is_empty() {
        eprintln!(
            "wecom outbox: {}",
            crate::tr!("cli.outbox.later_wait", n = later.len())
        );
    }
    if items.is_empty() {
        println!("{}", crate::tr!("cli.outbox.nothing"));
        return Ok(exit::OK);
    }
    let mut robots: Vec<(String, Vec<OutboxItem>)> = Vec::new();
    for it in items {
        match robots.iter_mut().find(|(r, _)| *r == it.robot) {
            Some((_, list)) => list.push(it),
            None => robots.push((it.robot.clone(), vec![it])),
        }
    }
    let runtime = send::runtime()?;
    runtime.block_on(async {
        let stop = CancellationToken::new();
        let signal = send::watch_signals(stop.clone());
        let runs = robots.into_iter().map(|(_, list)| {
            let stop = stop.clone();
            let config = &config;
            async move { flush_robot(engine, config, list, &stop).await }
        });
        let codes = futures_util::future::join_all(runs).await;
        let mut code = exit::OK;
        for c in codes {
            let c = c?;
            if code == exit::OK {
                code = c;
            }
        }
        let interrupted = *signal.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(signal) = interrupted {
            eprintln!("wecom outbox: {}", crate::tr!("cli.outbox.interrupted"));
            return Ok(signal.exit_code());
        }
        Ok(code)
    })
}

async fn flush_robot(
    engine: &Engine,
    config: &Config,
    items: Vec<OutboxItem>,
    stop: &CancellationToken,
) -> Result<u8, Failure> {
    let mut code = exit::OK;
    let mut failed_batch: Option<String> = None;
    for it in items {
        if stop.is_cancelled() {
            break;
        }
        if failed_batch.as_deref() == Some(it.batch.as_str()) {
            eprintln!(
                "wecom outbox: {}",
                crate::tr!(
                    "cli.outbox.stopped",
                    id = it.id,
                    label = one_line(&it.label)
                )
            );
            continue;
        }
        let webhook = match resolve(config, &it.robot_name, &it.robot) {
            Ok(w) => w,
            Err(why) => {
                eprintln!(
                    "wecom outbox: {}",
                    crate::tr!("cli.outbox.not_sent", id = it.id, why = why)
                );
                code = exit::USAGE;
                failed_batch = Some(it.batch.clone());
                continue;
            }
        };
        let observe = |item: &OutboxItem, event: &crate::delivery::Event| {
            line_for_event(&item.label, event);
        };
        let result = engine
            .deliver(it.id, &webhook, None, &observe, stop)
            .await
            .map_err(store_failure)?;
        let c = report_delivered(&it.robot_name, &it.label, it.id, &result);
        if c != exit::OK {
            failed_batch = Some(it.batch.clone());
            if code == exit::OK {
                code = c;
            }
        }
    }
    Ok(code)
}

/// A plain line for what the engine is doing (stderr).
pub fn line_for_event(label: &str, event: &crate::delivery::Event) {
    use crate::delivery::Event;
    let now = crate::clock::now_ms();
    match event {
        Event::WaitingForSlot { until_ms } => eprintln!(
            "wecom: {}",
            crate::tr!(
                "cli.outbox.waiting",
                label = one_line(label),
                secs = format!("{:.1}", until_ms.saturating_sub(now) as f64 / 1000.0)
            )
        ),
        Event::Retrying {
            attempt,
            at_ms,
            reason,
        } => eprintln!(
            "wecom: {}",
            crate::tr!(
                "cli.outbox.retrying",
                label = one_line(label),
                reason = reason,
                secs = at_ms.saturating_sub(now).div_ceil(1000),
                attempt = attempt
            )
        ),
        Event::RobotFull => eprintln!(
            "wecom: {}",
            crate::tr!("cli.outbox.robot_full", label = one_line(label))
        ),
        Event::Sending { .. } => {}
    }
}

/// One line per delivered or failed item; returns its exit code.
pub fn report_delivered(robot: &str, label: &str, id: i64, result: &Delivered) -> u8 {
    let label = one_line(label);
    let robot = one_line(robot);
    match result {
        Delivered::Sent {
            errmsg,
            history_id,
            elapsed,
            ..
        } => {
            println!(
                "{}",
                crate::tr!(
                    "cli.outbox.sent",
                    label = label,
                    robot = robot,
                    errmsg = one_line(errmsg),
                    ms = elapsed.as_millis(),
                    history = history_id
                )
            );
            exit::OK
        }
        // Refused before sending (a placeholder, too late): the reason says it all.
        Delivered::Ended {
            error: crate::wecom::client::SendError::Other(why),
            ..
        } => {
            eprintln!("wecom: {label} ({id}) to {robot}: {}", one_line(why));
            exit::REFUSED
        }
        Delivered::Ended { error, .. } => {
            let key = if error.may_have_been_delivered() {
                "cli.outbox.ended_unknown"
            } else {
                "cli.outbox.ended_not_sent"
            };
            eprintln!(
                "wecom: {}",
                crate::tr!(
                    key,
                    label = label,
                    id = id,
                    robot = robot,
                    title = error.title()
                )
            );
            eprintln!("  {error}");
            exit::for_send_error(error)
        }
        Delivered::Stopped => {
            eprintln!(
                "wecom: {}",
                crate::tr!("cli.outbox.item_interrupted", label = label, id = id)
            );
            exit::OK
        }
        Delivered::TooLong { wait } => {
            eprintln!(
                "wecom: {}",
                crate::tr!(
                    "cli.outbox.too_long",
                    label = label,
                    id = id,
                    secs = wait.as_secs()
                )
            );
            exit::NETWORK
        }
        Delivered::Busy => {
            eprintln!(
                "wecom: {}",
                crate::tr!("cli.outbox.busy", label = label, id = id)
            );
            exit::OK
        }
    }
}

/// Runs `wecom resend ID [-r ROBOT]…`.
pub fn resend(args: ResendArgs, config: Option<PathBuf>) -> ExitCode {
    send::english_for_json(args.output);
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let rate = Rate::with_overrides(args.rate_limit, args.rate_window_ms);
    let result = send::engine(&store, rate, RetryPolicy::default()).and_then(|engine| {
        let entry = engine
            .history()
            .get(args.id)
            .map_err(store_failure)?
            .ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    crate::tr!("cli.history.no_entry", id = args.id),
                )
            })?;
        let config = store.load().map_err(store_failure)?;
        let mut targets: Vec<(String, Webhook)> = Vec::new();
        if args.robot.is_empty() {
            let w = resolve(&config, &entry.robot_name, &entry.robot).map_err(|why| {
                Failure::new(exit::USAGE, crate::tr!("cli.resend.cannot", why = why))
            })?;
            targets.push((entry.robot_name.clone(), w));
        } else {
            for name in &args.robot {
                let w = config
                    .webhook_of(name)
                    .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
                let shown = config.robot(name).map_or(name.clone(), |r| r.name.clone());
                targets.push((shown, w));
            }
        }
        let items: Vec<NewItem> = targets
            .iter()
            .map(|(name, w)| NewItem {
                label: entry.label.clone().unwrap_or_else(|| entry.msgtype.clone()),
                robot_name: name.clone(),
                robot: robot_id(w),
                msgtype: entry.msgtype.clone(),
                payload: entry.payload.clone(),
                part: entry.part.clone(),
                upload: None,
            })
            .collect();
        let submitted = engine.submit(None, &items, false).map_err(store_failure)?;
        let runtime = send::runtime()?;
        runtime.block_on(async {
            let stop = CancellationToken::new();
            let signal = send::watch_signals(stop.clone());
            let mut code = exit::OK;
            let mut results = Vec::new();
            for (id, ((name, w), item)) in submitted.ids.iter().zip(targets.iter().zip(&items)) {
                let observe =
                    |it: &OutboxItem, e: &crate::delivery::Event| line_for_event(&it.label, e);
                let result = engine
                    .deliver(*id, w, None, &observe, &stop)
                    .await
                    .map_err(store_failure)?;
                let c = if args.output == Output::Json {
                    results.push(
                        json!({"robot": name, "outbox_id": id, "result": delivered_json(&result)}),
                    );
                    delivered_code(&result)
                } else {
                    report_delivered(name, &item.label, *id, &result)
                };
                if code == exit::OK {
                    code = c;
                }
            }
            if args.output == Output::Json {
                println!(
                    "{}",
                    json!({"ok": code == exit::OK, "exit_code": code, "results": results})
                );
            }
            let interrupted = *signal.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(interrupted.map_or(code, |s| s.exit_code()))
        })
    });
    finish("resend", result)
}

fn delivered_code(result: &Delivered) -> u8 {
    match result {
        Delivered::Ended { error, .. } => exit::for_send_error(error),
        Delivered::TooLong { .. } => exit::NETWORK,
        _ => exit::OK,
    }
}

fn delivered_json(result: &Delivered) -> Value {
    match result {
        Delivered::Sent {
            errmsg, history_id, ..
        } => json!({"status": "sent", "errmsg": errmsg, "history_id": history_id}),
        Delivered::Ended {
            error,
            status,
            history_id,
            ..
        } => {
            json!({"status": status.as_str(), "error": error.to_string(), "history_id": history_id})
        }
        Delivered::Stopped => json!({"status": "interrupted"}),
        Delivered::TooLong { wait } => {
            json!({"status": "not_sent", "wait_ms": wait.as_millis() as u64})
        }
        Delivered::Busy => json!({"status": "busy"}),
    }
}

/// Runs `$VISUAL` or `$EDITOR` (else `vi`) on `text` in a private
/// temporary file and returns what was saved. Through `sh -c`, so
/// `EDITOR="code --wait"` works as in git.
pub fn edit_in_editor(text: &str, extension: &str) -> Result<String, String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned());
    let file = tempfile::Builder::new()
        .prefix("wecom-outbox-")
        .suffix(&format!(".{extension}"))
        .tempfile()
        .map_err(|e| crate::tr!("cli.editor.create_failed", error = e).into_owned())?;
    std::fs::write(file.path(), text)
        .map_err(|e| crate::tr!("cli.editor.write_failed", error = e).into_owned())?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| {
            crate::tr!("cli.editor.run_failed", editor = editor, error = e).into_owned()
        })?;
    if !status.success() {
        return Err(crate::tr!("cli.editor.exited", editor = editor, status = status).into_owned());
    }
    std::fs::read_to_string(file.path())
        .map_err(|e| crate::tr!("cli.editor.read_failed", error = e).into_owned())
}

/// `wecom outbox edit ID`: the item's JSON in `$EDITOR`, checked again and
/// saved, unless a process is sending it.
fn edit(engine: &Engine, id: i64) -> Result<u8, Failure> {
    let item = engine
        .outbox()
        .get(id)
        .map_err(store_failure)?
        .ok_or_else(|| Failure::new(exit::USAGE, crate::tr!("cli.outbox.no_item", id = id)))?;
    let now = i64::try_from(crate::clock::now_ms()).unwrap_or(i64::MAX);
    let busy = || Failure::new(exit::USAGE, crate::tr!("cli.outbox.edit_busy", id = id));
    if item.state == OutboxState::Sending || item.lease_until_ms.is_some_and(|until| until >= now) {
        return Err(busy());
    }
    if item.upload.is_some() {
        return Err(Failure::new(
            exit::USAGE,
            crate::tr!("cli.outbox.edit_upload", id = id, msgtype = item.msgtype),
        ));
    }
    let value: Value = serde_json::from_str(&item.payload).unwrap_or(Value::Null);
    let before = serde_json::to_string_pretty(&value).unwrap_or_else(|_| item.payload.clone());
    let after =
        edit_in_editor(&format!("{before}\n"), "json").map_err(|e| Failure::new(exit::IO, e))?;
    if after.trim() == before.trim() {
        println!("{}", crate::tr!("cli.outbox.unchanged", id = id));
        return Ok(exit::OK);
    }
    let parsed = crate::wecom::Message::parse_json_str(&after).map_err(|e| {
        Failure::new(
            exit::USAGE,
            crate::tr!("cli.outbox.not_json", error = e, id = id),
        )
    })?;
    let problems = crate::wecom::validate::validate_parsed(&parsed);
    let mut errors: Vec<String> = problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.to_string())
        .collect();
    if item.expand
        && let Err(e) = placeholders::check_json(&after)
    {
        errors.push(e);
    }
    if !errors.is_empty() {
        errors.push(crate::tr!("cli.outbox.nothing_saved", id = id).into_owned());
        return Err(Failure::lines(exit::USAGE, errors));
    }
    for p in problems.iter().filter(|p| !p.is_error()) {
        eprintln!("wecom outbox: {p}");
    }
    let compact: Value = serde_json::from_str(&after).unwrap_or(Value::Null);
    let saved = engine
        .outbox()
        .edit_payload(
            id,
            parsed.message.kind().msgtype(),
            &compact.to_string(),
            i64::try_from(crate::clock::now_ms()).unwrap_or(i64::MAX),
        )
        .map_err(store_failure)?;
    if !saved {
        return Err(busy());
    }
    println!("{}", crate::tr!("cli.outbox.saved", id = id));
    Ok(exit::OK)
}

/// Starts the due-time worker beside another long-running command (`wecom
/// serve`): on the shared store, with `rate` and `WECOM_MAX_LATE`.
pub fn spawn_worker(
    config: &ConfigStore,
    rate: Rate,
    stop: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>, Failure> {
    let options = WorkerOptions::from_env().map_err(|e| Failure::new(exit::USAGE, e))?;
    let engine = send::engine(config, rate, RetryPolicy::default())?;
    Ok(due::spawn_worker(engine, config.clone(), options, stop))
}

/// `wecom outbox run`: the worker, in the foreground, until a signal.
fn worker(engine: Engine, store: ConfigStore, args: &RunArgs) -> Result<u8, Failure> {
    let mut options = WorkerOptions::default();
    if let Some(text) = &args.max_late {
        options.max_late = when::parse_in(text)
            .map_err(|e| Failure::new(exit::USAGE, format!("--max-late: {e}")))?;
    }
    if let Some(ms) = args.recheck_ms {
        options.recheck = std::time::Duration::from_millis(ms.max(10));
    }
    let waiting = engine
        .outbox()
        .list()
        .map_err(store_failure)?
        .iter()
        .filter(|i| i.due_ms.is_some())
        .count();
    let schedules = crate::store::schedule::Schedules::new(std::sync::Arc::clone(engine.db()))
        .list()
        .map_err(store_failure)?
        .iter()
        .filter(|s| !s.paused)
        .count();
    println!(
        "{}",
        crate::tr!(
            "cli.outbox.worker_start",
            waiting = waiting,
            schedules = schedules,
            max_late = when::span(options.max_late)
        )
    );
    let observe: due::Observer = std::sync::Arc::new(|event: &WorkerEvent<'_>| match event {
        WorkerEvent::Scheduled(run) => println!("{}", due::scheduled_line(run)),
        WorkerEvent::Delivered(item, result) => {
            report_delivered(&item.robot_name, &item.label, item.id, result);
        }
        WorkerEvent::Progress(item, event) => line_for_event(&item.label, event),
        WorkerEvent::StoreFailed(e) => eprintln!("wecom outbox run: {e}"),
        WorkerEvent::Resumed(n) => println!("{}", due::resumed_line(*n)),
    });
    let runtime = send::runtime()?;
    runtime.block_on(async move {
        let stop = CancellationToken::new();
        let signal = send::watch_signals(stop.clone());
        due::run_worker(engine, store, options, stop, observe, Vec::new()).await;
        let got = *signal.lock().unwrap_or_else(PoisonError::into_inner);
        if got.is_some() {
            println!("{}", crate::tr!("cli.outbox.stopped_on_request"));
        } else {
            println!("{}", crate::tr!("cli.outbox.worker_stopped"));
        }
    });
    Ok(exit::OK)
}
