//! What `wecom send` prints: results on standard output (lines, or one JSON
//! document with `--output json`), problems on standard error. Never a key:
//! the robot is named by its saved name or its masked webhook, and every
//! error text from the client is already redacted.

use serde_json::{Value, json};

use super::deliver::{Outcome, Sent, Status};
use super::plan::{Item, Plan};
use super::{Failure, Output, SendArgs, Target};
use crate::cli::exit;
use crate::store::media_cache::{MediaCache, file_sha256, now_unix};
use crate::wecom::client::SendError;
use crate::wecom::media::MediaKind;
use crate::wecom::message::Media;
use crate::wecom::{Message, errcode};

/// Prints a failure that happened before sending.
pub fn failure(args: &SendArgs, failure: &Failure) {
    match args.output {
        Output::Json => {
            let doc = json!({
                "ok": false,
                "exit_code": failure.code,
                "error": failure.lines.join("\n"),
                "results": [],
            });
            println!("{doc}");
        }
        Output::Text => {
            for line in &failure.lines {
                eprintln!("wecom send: {line}");
            }
        }
    }
}

/// Notes (warnings, conversions) before sending, on standard error.
pub fn notes(args: &SendArgs, notes: &[String]) {
    if args.quiet {
        return;
    }
    for note in notes {
        eprintln!("wecom send: {note}");
    }
}

/// A line about what is happening (waiting for the rate limit).
pub fn progress(args: &SendArgs, line: &str) {
    if !args.quiet {
        eprintln!("wecom send: {line}");
    }
}

/// `--dry-run`: each message's JSON on its own line, exactly as it would be
/// posted; for a file or voice clip, the cached media_id when there is one,
/// else a placeholder named after the file.
pub fn dry_run(args: &SendArgs, plan: &Plan, target: Option<&Target>) -> u8 {
    notes(args, &plan.notes);
    let cache = MediaCache::load(MediaCache::default_path());
    let bodies: Vec<String> = plan
        .items
        .iter()
        .map(|item| match item {
            Item::Ready { message, .. } => message.to_json(),
            Item::Upload { path, kind, .. } => {
                let cached = target.and_then(|t| {
                    let sha = file_sha256(path).ok()?;
                    cache.get(&t.webhook, &sha, *kind, now_unix())
                });
                let media_id = cached.unwrap_or_else(|| {
                    format!(
                        "<uploaded at send time: {}>",
                        path.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    )
                });
                let media = Media { media_id };
                match kind {
                    MediaKind::File => Message::File(media),
                    MediaKind::Voice => Message::Voice(media),
                }
                .to_json()
            }
        })
        .collect();
    match args.output {
        Output::Text => {
            for body in &bodies {
                println!("{body}");
            }
        }
        Output::Json => {
            let messages: Vec<Value> = bodies
                .iter()
                .filter_map(|b| serde_json::from_str(b).ok())
                .collect();
            let doc = json!({
                "ok": true,
                "exit_code": exit::OK,
                "dry_run": true,
                "messages": messages,
            });
            println!("{doc}");
        }
    }
    exit::OK
}

/// Prints one message's outcome as soon as it is known: on standard output
/// in text mode (errors on standard error), on standard error with
/// `--output json` (whose standard output carries one document at the end).
pub fn outcome_line(
    args: &SendArgs,
    target: &Target,
    broadcast: bool,
    index: usize,
    n: usize,
    o: &Outcome,
) {
    // A batch that is one split message is counted by its parts' labels
    // ("markdown part 2/3"); the batch counter would only repeat them.
    let position = format!(" {}/{n}", index + 1);
    let counter = if n > 1 && !o.label.ends_with(&position) {
        format!(" ({}/{n})", index + 1)
    } else {
        String::new()
    };
    // In a broadcast every line names its robot.
    let robot = if broadcast {
        format!("{}: ", target.name)
    } else {
        String::new()
    };
    let json = args.output == Output::Json;
    let say = |line: String| {
        if json {
            eprintln!("wecom send: {line}");
        } else {
            println!("{line}");
        }
    };
    match &o.status {
        Status::Sent { .. } if args.quiet => {}
        Status::Sent { errmsg } => say(crate::tr!(
            "cli.send.sent",
            label = format!("{}{counter}", o.label),
            robot = target.name,
            errmsg = crate::untrusted::one_line(errmsg),
            ms = o.elapsed.as_millis(),
            extras = extras(o)
        )
        .into_owned()),
        Status::Failed(e) => {
            // A request that may have reached WeCom is never "not sent".
            let key = if e.may_have_been_delivered() {
                "cli.send.unknown"
            } else {
                "cli.send.not_sent"
            };
            eprintln!(
                "wecom send: {}",
                crate::tr!(
                    key,
                    robot = robot,
                    label = format!("{}{counter}", o.label),
                    title = e.title()
                )
            );
            eprintln!("  {e}");
        }
        Status::NotSent { kept } => eprintln!(
            "wecom send: {}",
            crate::tr!(
                "cli.send.not_sent_stopped",
                robot = robot,
                label = format!("{}{counter}", o.label),
                kept = kept_note(*kept)
            )
        ),
        Status::Interrupted { kept } => eprintln!(
            "wecom send: {}",
            crate::tr!(
                "cli.send.not_sent_interrupted",
                robot = robot,
                label = format!("{}{counter}", o.label),
                kept = kept_note(*kept)
            )
        ),
        Status::Parked => eprintln!(
            "wecom send: {}",
            crate::tr!(
                "cli.send.parked",
                robot = robot,
                label = format!("{}{counter}", o.label)
            )
        ),
    }
}

fn kept_note(kept: bool) -> std::borrow::Cow<'static, str> {
    if kept {
        crate::tr!("cli.send.kept_note")
    } else {
        crate::tr!("cli.send.nothing_kept_note")
    }
}

/// How bad an exit code is, for a broadcast's "worst of them": a message
/// that may have been delivered (network) outranks a refusal, and a
/// problem of this program or this machine outranks both.
fn severity(code: u8) -> u8 {
    match code {
        exit::OK => 0,
        exit::REFUSED => 1,
        exit::USAGE => 2,
        exit::NETWORK => 3,
        exit::IO => 4,
        _ => 5,
    }
}

/// The worst of exit codes (see [`severity`]); `OK` for none.
pub fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    codes
        .into_iter()
        .max_by_key(|c| severity(*c))
        .unwrap_or(exit::OK)
}

/// The exit code of one outcome.
fn outcome_code(o: &Outcome) -> u8 {
    match &o.status {
        Status::Failed(e) => exit::for_send_error(e),
        Status::Parked => exit::NETWORK,
        _ => exit::OK,
    }
}

/// After the last message: the JSON document, or a summary of what stays
/// in the outbox and how to send it. Returns the exit code: 130 / 143 when
/// interrupted, else the worst of the outcomes of every robot.
pub fn finish(
    args: &SendArgs,
    targets: &[Target],
    sent: &Sent,
    interrupted: Option<super::Interrupt>,
) -> u8 {
    let all = || sent.outcomes.iter().flatten();
    let code = match interrupted {
        Some(signal) => signal.exit_code(),
        None => worst(all().map(outcome_code)),
    };
    let delivered = all()
        .filter(|o| matches!(o.status, Status::Sent { .. }))
        .count();
    let kept: Vec<i64> = all().filter_map(|o| o.outbox_id).collect();
    let total = all().count();
    let broadcast = targets.len() > 1;
    if interrupted.is_some() || !kept.is_empty() {
        let line = if interrupted.is_some() {
            crate::tr!(
                "cli.send.interrupted_delivered",
                delivered = delivered,
                total = total
            )
        } else {
            crate::tr!("cli.send.delivered", delivered = delivered, total = total)
        };
        eprintln!("wecom send: {line}");
        if !kept.is_empty() {
            eprintln!(
                "wecom send: {}",
                crate::tr!(
                    "cli.send.kept",
                    n = kept.len(),
                    ids = kept
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            );
        }
    } else if broadcast && !args.quiet && args.output == Output::Text {
        let failed = total - delivered;
        println!(
            "{}",
            crate::tr!(
                "cli.send.broadcast",
                batch = sent.batch,
                robots = targets.len(),
                delivered = delivered,
                total = total,
                not = if failed == 0 {
                    String::new()
                } else {
                    crate::tr!("cli.send.broadcast_not", n = failed).into_owned()
                }
            )
        );
    }
    if args.output == Output::Json {
        let results: Vec<Value> = targets
            .iter()
            .zip(&sent.outcomes)
            .flat_map(|(t, outcomes)| {
                outcomes
                    .iter()
                    .enumerate()
                    .map(|(i, o)| outcome_json(&t.name, i + 1, o))
            })
            .collect();
        let mut doc = json!({
            "ok": code == exit::OK,
            "exit_code": code,
            "robots": targets.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "broadcast": broadcast.then_some(sent.batch.as_str()),
            "interrupted": interrupted.is_some(),
            "results": results,
        });
        if let ([only], Value::Object(map)) = (targets, &mut doc) {
            map.insert("robot".into(), Value::String(only.name.clone()));
        }
        println!("{doc}");
    }
    code
}

fn extras(o: &Outcome) -> String {
    let mut out = String::new();
    if !o.waited.is_zero() {
        out.push_str(&crate::tr!(
            "cli.send.after_waiting",
            secs = format!("{:.1}", o.waited.as_secs_f64())
        ));
    }
    if o.cached_media == Some(true) {
        out.push_str(&crate::tr!("cli.send.upload_reused"));
    }
    out
}

fn outcome_json(robot: &str, index: usize, o: &Outcome) -> Value {
    let mut v = json!({
        "robot": robot,
        "index": index,
        "label": o.label,
        "msgtype": o.msgtype,
    });
    let fields = match &o.status {
        Status::Sent { errmsg } => json!({
            "history_id": o.history_id,
            "status": "sent",
            "errcode": 0,
            "errmsg": errmsg,
            "elapsed_ms": o.elapsed.as_millis() as u64,
            "waited_ms": o.waited.as_millis() as u64,
        }),
        Status::Failed(SendError::Refused { errcode, errmsg }) => json!({
            "status": "refused",
            "errcode": errcode,
            "errmsg": errmsg,
            "explanation": errcode::describe(*errcode),
            "exit_code": exit::REFUSED,
        }),
        Status::Failed(e) if e.may_have_been_delivered() => json!({
            "status": "unknown",
            "error": e.title(),
            "detail": e.to_string(),
            "outbox_id": o.outbox_id,
            "exit_code": exit::for_send_error(e),
        }),
        Status::Failed(e) => json!({
            "status": "failed",
            "outbox_id": o.outbox_id,
            "error": e.title(),
            "detail": e.to_string(),
            "exit_code": exit::for_send_error(e),
        }),
        Status::NotSent { .. } => json!({ "status": "not_sent", "outbox_id": o.outbox_id }),
        Status::Interrupted { .. } => json!({ "status": "interrupted", "outbox_id": o.outbox_id }),
        Status::Parked => json!({ "status": "parked", "outbox_id": o.outbox_id }),
    };
    if let (Value::Object(into), Value::Object(from)) = (&mut v, fields) {
        into.extend(from);
    }
    if let (Some(cached), Value::Object(into)) = (o.cached_media, &mut v) {
        into.insert("media_reused".into(), Value::Bool(cached));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_wins_whatever_the_order() {
        assert_eq!(worst([]), exit::OK);
        assert_eq!(worst([exit::OK, exit::REFUSED]), exit::REFUSED);
        assert_eq!(worst([exit::NETWORK, exit::REFUSED]), exit::NETWORK);
        assert_eq!(
            worst([exit::REFUSED, exit::NETWORK, exit::OK]),
            exit::NETWORK
        );
        assert_eq!(worst([exit::INTERNAL, exit::IO]), exit::INTERNAL);
    }
}
