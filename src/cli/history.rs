//! `wecom history`: every send that ended, newest first (a broadcast as one
//! line with its outcomes under it), and one entry in full (`wecom history
//! show ID`). Never a key: robots are named, and the
//! payload is what was posted (it holds no key).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::exit;
use super::outbox::{finish, rfc3339};
use super::send::{Failure, Output};
use crate::store::Db;
use crate::store::history::{History, HistoryEntry, HistoryQuery, HistoryStatus};
use crate::untrusted::{multi_line, one_line};

/// `wecom history` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: Option<HistoryCommand>,
    /// Only this saved robot's entries.
    #[arg(long, short = 'r', value_name = "NAME")]
    pub robot: Option<String>,
    /// Only entries since then: a duration ago (90s, 30m, 2h, 7d) or a
    /// date (2026-12-01, or RFC 3339 like 2026-12-01T08:00:00+08:00).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only entries whose payload, errmsg or error contains this text.
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Only entries that ended so.
    #[arg(long, value_enum)]
    pub status: Option<HistoryStatus>,
    /// At most this many entries.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// `wecom history` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum HistoryCommand {
    /// One entry: its payload and its outcome.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
}

/// Runs `wecom history …`. Reads only: no engine, no recovery.
pub fn run(args: HistoryArgs, _config: Option<PathBuf>) -> ExitCode {
    let result = Db::open_default()
        .map(History::new)
        .map_err(|e| Failure::new(exit::IO, e.to_string()))
        .and_then(|history| match &args.command {
            Some(HistoryCommand::Show { id, output }) => show(&history, *id, *output),
            None => list(&history, &args),
        });
    finish("history", result)
}

/// `--since`: `90s`, `30m`, `2h`, `7d` ago, a date (local midnight) or
/// RFC 3339; Unix ms.
pub fn parse_since(text: &str, now_ms: i64) -> Result<i64, String> {
    let t = text.trim();
    let unit = t.chars().last().unwrap_or(' ');
    if let Some(n) = t
        .strip_suffix(unit)
        .and_then(|n| n.trim().parse::<u64>().ok())
    {
        let secs = match unit {
            's' => Some(n),
            'm' => n.checked_mul(60),
            'h' => n.checked_mul(3600),
            'd' => n.checked_mul(86_400),
            'w' => n.checked_mul(7 * 86_400),
            _ => None,
        };
        if let Some(secs) = secs {
            let ago = i64::try_from(Duration::from_secs(secs).as_millis()).unwrap_or(i64::MAX);
            return Ok(now_ms.saturating_sub(ago));
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
        && let Some(local) = midnight.and_local_timezone(chrono::Local).earliest()
    {
        return Ok(local.timestamp_millis());
    }
    Err(crate::tr!("cli.history.bad_since", since = one_line(text)).into_owned())
}

fn list(history: &History, args: &HistoryArgs) -> Result<u8, Failure> {
    let now = i64::try_from(crate::clock::now_ms()).unwrap_or(i64::MAX);
    let since_ms = args
        .since
        .as_deref()
        .map(|s| parse_since(s, now))
        .transpose()
        .map_err(|e| Failure::new(exit::USAGE, e))?;
    let entries = history
        .list(&HistoryQuery {
            robot: args.robot.clone(),
            since_ms,
            grep: args.grep.clone(),
            status: args.status,
            limit: args.limit,
            before_id: None,
        })
        .map_err(|e| Failure::new(exit::IO, e.to_string()))?;
    let batches: Vec<&str> = entries.iter().filter_map(|e| e.batch.as_deref()).collect();
    let robots = history
        .robots_per_batch(&batches)
        .map_err(|e| Failure::new(exit::IO, e.to_string()))?;
    // A batch that went to several robots is a broadcast.
    fn broadcast_of<'e>(
        e: &'e HistoryEntry,
        robots: &std::collections::HashMap<String, usize>,
    ) -> Option<&'e str> {
        e.batch
            .as_deref()
            .filter(|b| robots.get(*b).is_some_and(|n| *n > 1))
    }
    match args.output {
        Output::Json => {
            let doc: Vec<Value> = entries
                .iter()
                .map(|e| {
                    let mut v = entry_json(e);
                    if let Value::Object(map) = &mut v {
                        map.insert("broadcast".into(), json!(broadcast_of(e, &robots)));
                    }
                    v
                })
                .collect();
            println!("{}", Value::Array(doc));
        }
        Output::Text if entries.is_empty() => println!("{}", crate::tr!("cli.history.none")),
        Output::Text => {
            let mut out = String::new();
            let mut shown: Vec<&str> = Vec::new();
            for e in &entries {
                let Some(batch) = broadcast_of(e, &robots) else {
                    out.push_str(&format!(
                        "{:>7}  {}  {}  {:<12}  {:<9}  {}\n",
                        e.id,
                        rfc3339(e.time_ms),
                        pad(&one_line(&e.robot_name), 14),
                        e.msgtype,
                        e.status.as_str(),
                        summary(e)
                    ));
                    continue;
                };
                if shown.contains(&batch) {
                    continue;
                }
                shown.push(batch);
                // The broadcast's line where its newest outcome falls, its
                // outcomes (those on this page) under it.
                let outcomes: Vec<&HistoryEntry> = entries
                    .iter()
                    .filter(|o| o.batch.as_deref() == Some(batch))
                    .collect();
                out.push_str(&format!(
                    "{:>7}  {}  {}  {:<12}  {}\n",
                    "",
                    rfc3339(e.time_ms),
                    crate::tr!(
                        "cli.history.broadcast",
                        n = robots.get(batch).copied().unwrap_or(0),
                        counts = status_counts(&outcomes)
                    ),
                    e.msgtype,
                    summary(e)
                ));
                for o in outcomes {
                    let why = match (o.errcode, &o.label) {
                        (Some(code), _) if code != 0 => format!("errcode {code}"),
                        (_, Some(label)) => one_line(label).into_owned(),
                        _ => String::new(),
                    };
                    out.push_str(&format!(
                        "  {:>5}  {}  {:<12}  {:<9}  {why}\n",
                        o.id,
                        pad(&one_line(&o.robot_name), 14),
                        o.msgtype,
                        o.status.as_str(),
                    ));
                }
            }
            print!("{out}");
        }
    }
    Ok(exit::OK)
}

/// `s` padded with spaces to `width` display columns (a CJK character
/// takes two), never cut.
pub(super) fn pad(s: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

/// `2 sent, 1 refused`: how a broadcast's outcomes ended.
fn status_counts(outcomes: &[&HistoryEntry]) -> String {
    let mut counts: Vec<(HistoryStatus, usize)> = Vec::new();
    for o in outcomes {
        match counts.iter_mut().find(|(s, _)| *s == o.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((o.status, 1)),
        }
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first words of the content (or the label), on one line.
fn summary(e: &HistoryEntry) -> String {
    let value: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
    let content = value
        .get(&e.msgtype)
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| e.label.clone())
        .unwrap_or_default();
    // 60 columns and the ellipsis, measured on screen (CJK takes two).
    crate::tui::width::truncate(&one_line(&content), 61)
}

fn entry_json(e: &HistoryEntry) -> Value {
    json!({
        "id": e.id,
        "time": rfc3339(e.time_ms),
        "robot": e.robot_name,
        "robot_fingerprint": e.robot,
        "msgtype": e.msgtype,
        "status": e.status.as_str(),
        "errcode": e.errcode,
        "errmsg": e.errmsg,
        "explanation": e.explanation,
        "error": e.error,
        "elapsed_ms": e.elapsed_ms,
        "waited_ms": e.waited_ms,
        "attempts": e.attempts,
        "batch": e.batch,
        "part": e.part,
        "label": e.label,
    })
}

fn show(history: &History, id: i64, output: Output) -> Result<u8, Failure> {
    let Some(e) = history
        .get(id)
        .map_err(|e| Failure::new(exit::IO, e.to_string()))?
    else {
        return Err(Failure::new(
            exit::USAGE,
            crate::tr!("cli.history.no_entry", id = id),
        ));
    };
    let payload: Value =
        serde_json::from_str(&e.payload).unwrap_or(Value::String(e.payload.clone()));
    match output {
        Output::Json => {
            let mut doc = entry_json(&e);
            if let Value::Object(map) = &mut doc {
                map.insert("payload".into(), payload);
            }
            println!("{doc}");
        }
        Output::Text => {
            let mut rows: Vec<(std::borrow::Cow<'static, str>, String)> = vec![
                (crate::tr!("cli.history.f_entry"), e.id.to_string()),
                (crate::tr!("cli.history.f_time"), rfc3339(e.time_ms)),
                (
                    crate::tr!("cli.history.f_robot"),
                    one_line(&e.robot_name).into_owned(),
                ),
                (crate::tr!("cli.history.f_msgtype"), e.msgtype.clone()),
            ];
            if let Some(part) = &e.part {
                rows.push((crate::tr!("cli.history.f_part"), part.clone()));
            }
            rows.push((
                crate::tr!("cli.history.f_status"),
                e.status.as_str().to_owned(),
            ));
            if let Some(code) = e.errcode {
                rows.push((crate::tr!("cli.history.f_errcode"), code.to_string()));
            }
            if let Some(msg) = &e.errmsg {
                rows.push((
                    crate::tr!("cli.history.f_errmsg"),
                    one_line(msg).into_owned(),
                ));
            }
            if let Some(why) = &e.explanation {
                rows.push((crate::tr!("cli.history.f_meaning"), why.clone()));
            }
            if let Some(err) = &e.error {
                rows.push((
                    crate::tr!("cli.history.f_error"),
                    one_line(err).into_owned(),
                ));
            }
            rows.push((
                crate::tr!("cli.history.f_timing"),
                crate::tr!(
                    "cli.history.timing",
                    elapsed = e.elapsed_ms,
                    waited = e.waited_ms,
                    attempts = e.attempts
                )
                .into_owned(),
            ));
            // The values line up by display width, whatever the language.
            let width = rows
                .iter()
                .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_ref()))
                .max()
                .unwrap_or(0)
                + 2;
            for (k, v) in &rows {
                println!("{}{v}", pad(k, width));
            }
            let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
            println!(
                "{}\n{}",
                crate::tr!("cli.history.f_payload"),
                multi_line(&pretty)
            );
            println!("{}", crate::tr!("cli.history.send_again", id = e.id));
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_dates() {
        let now = 1_000_000_000_000;
        assert_eq!(parse_since("2h", now), Ok(now - 7_200_000));
        assert_eq!(parse_since("90s", now), Ok(now - 90_000));
        assert_eq!(parse_since("7d", now), Ok(now - 7 * 86_400_000));
        assert_eq!(
            parse_since("2026-12-01T08:00:00+08:00", now),
            Ok(1_796_083_200_000)
        );
        assert!(parse_since("2026-12-01", now).is_ok());
        let err = parse_since("yesterday", now).unwrap_err();
        assert!(err.contains("2h"), "{err}");
    }
}
