//! `wecom send --at TIME | --in DELAY`: the messages are checked now and
//! put in the outbox with a due time; a worker (`wecom outbox run`, `wecom
//! serve`, the composer) sends them then ([`crate::delivery::due`]).
//! Also the seam `wecom schedule add` uses to turn send's content flags into
//! outbox items.

use serde_json::{Value, json};

use super::plan::Plan;
use super::{Failure, Output, SendArgs, Target, WEBHOOK_ENV, deliver, prepare};
use crate::cli::exit;
use crate::delivery::due::{self, local_time};
use crate::delivery::placeholders;
use crate::delivery::when::{self, Due};
use crate::delivery::{Engine, RetryPolicy};
use crate::store::config::ConfigStore;
use crate::store::ledger::Rate;
use crate::store::outbox::NewItem;
use crate::untrusted::one_line;
use crate::wecom::attach::robot_id;

/// The due time `--at` or `--in` asks for, if any.
pub(super) fn due(args: &SendArgs) -> Result<Option<Due>, Failure> {
    let now = chrono::Local::now();
    let due = match (&args.at, &args.send_in) {
        (Some(at), _) => when::due_at(at, now).map_err(|e| usage(format!("--at: {e}")))?,
        (None, Some(delay)) => {
            when::due_in(delay, now.timestamp_millis()).map_err(|e| usage(format!("--in: {e}")))?
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(due))
}

fn usage(message: String) -> Failure {
    Failure::new(exit::USAGE, message)
}

fn no_robot() -> Failure {
    usage(crate::tr!("cli.send.no_robot", env = WEBHOOK_ENV).into_owned())
}

/// The planned messages as outbox items for `target`, their placeholders
/// checked (a missing file is only a note: it is read at send time).
fn items(plan: &Plan, target: &Target) -> Result<(Vec<NewItem>, Vec<String>), Failure> {
    let robot = robot_id(&target.webhook);
    let mut notes = plan.notes.clone();
    let mut items = Vec::with_capacity(plan.items.len());
    for item in &plan.items {
        let new = deliver::new_item(item, &target.name, &robot);
        placeholders::check_json(&new.payload).map_err(|e| usage(format!("{}: {e}", new.label)))?;
        if placeholders::expand_json(&new.payload, &chrono::Local::now(), &placeholders::Process)
            .is_err_and(|e| e.contains("{{file:"))
        {
            notes.push(crate::tr!("cli.later.file_later", label = new.label).into_owned());
        }
        items.push(new);
    }
    Ok((items, notes))
}

/// The planned messages as outbox items for each of `targets` in turn
/// (a broadcast scheduled at once), with the plan's notes once.
fn items_for_all(plan: &Plan, targets: &[Target]) -> Result<(Vec<NewItem>, Vec<String>), Failure> {
    if targets.is_empty() {
        return Err(no_robot());
    }
    let mut all = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for target in targets {
        let (items, more) = items(plan, target)?;
        all.extend(items);
        for n in more {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    Ok((all, notes))
}

/// Send's content flags (`--text`, `--markdown`, `--json`, `--image`, …
/// and `-r`) as outbox items, checked, with notes for the user; used by
/// `wecom schedule add`.
pub fn items_for_later(
    args: &SendArgs,
    store: &ConfigStore,
) -> Result<(Vec<NewItem>, Vec<String>), Failure> {
    let (plan, targets) = prepare(args, store)?;
    items_for_all(&plan, &targets)
}

/// Each item's body with its placeholders filled in as of now (for
/// `--dry-run`); a placeholder that fails is an error, as it would be when
/// the message is sent.
pub fn filled_in_now(items: &[NewItem]) -> Result<Vec<Value>, Failure> {
    items
        .iter()
        .map(|it| {
            let filled = placeholders::expand_json(
                &it.payload,
                &chrono::Local::now(),
                &placeholders::Process,
            )
            .map_err(|e| {
                usage(
                    crate::tr!("cli.later.would_be_refused", label = it.label, error = e)
                        .into_owned(),
                )
            })?;
            serde_json::from_str(&filled).map_err(|e| {
                usage(crate::wecom::json_words::translate(&e.to_string()).into_owned())
            })
        })
        .collect()
}

/// Queues the messages for `due` (or, with `--dry-run`, shows them filled
/// in as of now).
pub(super) fn run(
    args: &SendArgs,
    store: &ConfigStore,
    plan: &Plan,
    targets: &[Target],
    due: &Due,
) -> Result<u8, Failure> {
    let (items, notes) = items_for_all(plan, targets)?;
    super::report::notes(args, &notes);
    let when_text = format!(
        "{} ({})",
        local_time(due.at_ms),
        when::countdown(chrono::Local::now().timestamp_millis(), due.at_ms)
    );
    if due.rolled_over && !args.quiet {
        eprintln!(
            "wecom send: {}",
            crate::tr!(
                "cli.later.rolled_over",
                at = one_line(args.at.as_deref().unwrap_or_default().trim()),
                when = local_time(due.at_ms)
            )
        );
    }
    if args.dry_run {
        let bodies = filled_in_now(&items)?;
        match args.output {
            Output::Text => {
                eprintln!(
                    "wecom send: {}",
                    crate::tr!("cli.later.dry_run", when = when_text)
                );
                for body in &bodies {
                    println!("{body}");
                }
            }
            Output::Json => println!(
                "{}",
                json!({"ok": true, "exit_code": exit::OK, "dry_run": true,
                       "due": crate::cli::outbox::rfc3339(due.at_ms), "messages": bodies})
            ),
        }
        return Ok(exit::OK);
    }
    if args.robot.is_empty() && args.group.is_empty() && !args.quiet {
        eprintln!(
            "wecom send: {}",
            crate::tr!("cli.later.unsaved_robot", env = WEBHOOK_ENV)
        );
    }
    let engine: Engine = super::engine(store, Rate::from_env(), RetryPolicy::default())?;
    let submitted = engine
        .submit_due(&items, due.at_ms)
        .map_err(|e| Failure::new(exit::IO, e.to_string()))?;
    match args.output {
        Output::Json => {
            let queued: Vec<Value> = submitted
                .ids
                .iter()
                .zip(&items)
                .map(|(id, it)| json!({"outbox_id": id, "label": it.label, "msgtype": it.msgtype}))
                .collect();
            println!(
                "{}",
                json!({"ok": true, "exit_code": exit::OK, "queued": queued,
                       "due": crate::cli::outbox::rfc3339(due.at_ms),
                       "robots": targets.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()})
            );
        }
        Output::Text if args.quiet => {}
        Output::Text => {
            for (id, it) in submitted.ids.iter().zip(&items) {
                println!(
                    "{}",
                    crate::tr!(
                        "cli.later.queued",
                        label = one_line(&it.label),
                        robot = one_line(&it.robot_name),
                        when = when_text,
                        id = id
                    )
                );
            }
            println!("{}", due::who_sends());
        }
    }
    Ok(exit::OK)
}
