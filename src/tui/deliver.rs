//! The composer's sends through the delivery engine: written to the outbox
//! before the first byte goes out, paced by the rate ledger every `wecom`
//! process shares, retried when WeCom was busy, and recorded in the history,
//! exactly as `wecom send` and the relay do.
//!
//! The engine's progress (waiting for a slot, retrying) becomes
//! [`Msg::SendProgress`] lines for the status bar; its end becomes the
//! [`SendOutcome`] the status line explains. Esc stops a send only while it
//! waits: a request being written is never cut, so its answer still lands in
//! the history.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::msg::{Msg, Outgoing, Payload, SendOutcome, Target};
use super::popup::results::RowState;
use crate::delivery::media::UploadProgress;
use crate::delivery::{Delivered, Engine, Event, ORIGIN_COMPOSER, RetryPolicy};
use crate::store::config::DeliverySection;
use crate::store::db::{DB_FILE, Db};
use crate::store::history::HistoryStatus;
use crate::store::ledger::Rate;
use crate::store::outbox::{NewItem, OutboxItem, Upload};
use crate::untrusted::one_line;
use crate::wecom::Webhook;
use crate::wecom::attach::media_message;
use crate::wecom::attach::robot_id;
use crate::wecom::client::Client;
use crate::wecom::client::SendError;

/// Waits shorter than this are not worth a word in the result.
const NOTEWORTHY_WAIT: Duration = Duration::from_secs(1);

/// The engine on the data directory's `wecom.db`, or `None` (with the
/// reason logged) when the store cannot be opened: the composer then sends
/// directly, as before the engine, rather than not at all. With config.toml
/// read (`settings`), its `[delivery]` give-up time and history retention
/// apply; without, the defaults apply and the history is not pruned, so a
/// longer retention set in an unreadable file is never cut.
pub fn open_engine(
    data_dir: &Path,
    client: Client,
    settings: Option<&DeliverySection>,
) -> Option<Engine> {
    match Db::open(&data_dir.join(DB_FILE)) {
        Ok(db) => {
            let db = Arc::new(db);
            let rate = Rate::from_env();
            let engine = match settings {
                Some(s) => Engine::configured(db, client, rate, RetryPolicy::from_settings(s), s),
                None => Engine::new(db, client, rate, RetryPolicy::default()),
            };
            Some(engine.with_origin(ORIGIN_COMPOSER))
        }
        Err(e) => {
            tracing::warn!("the outbox is off, sends go out directly: {e}");
            None
        }
    }
}

/// Puts the message in the outbox and delivers it; `None` when the user
/// stopped it while it waited (it is then taken out of the outbox).
pub async fn deliver(
    engine: &Engine,
    id: u64,
    robot: String,
    webhook: &Webhook,
    payload: Payload,
    tx: &UnboundedSender<Msg>,
    stop: &CancellationToken,
) -> Option<SendOutcome> {
    let (msgtype, json) = match payload {
        Payload::Message(m) => (m.kind().msgtype().to_owned(), m.to_json()),
        Payload::Raw(json) => (raw_msgtype(&json), json),
    };
    let item = NewItem {
        label: msgtype.clone(),
        robot_name: robot,
        robot: robot_id(webhook),
        msgtype,
        payload: json,
        part: None,
        upload: None,
    };
    deliver_item(engine, id, item, webhook, tx, stop, None).await
}

/// Puts `item` in the outbox and delivers it (the composer's file and voice
/// sends come here with their upload and its progress); `None` when the
/// user stopped it while it waited or uploaded.
pub async fn deliver_item(
    engine: &Engine,
    id: u64,
    item: NewItem,
    webhook: &Webhook,
    tx: &UnboundedSender<Msg>,
    stop: &CancellationToken,
    upload_progress: Option<UploadProgress>,
) -> Option<SendOutcome> {
    let submitter = engine.clone();
    let submitted =
        tokio::task::spawn_blocking(move || submitter.submit(None, &[item], false)).await;
    let outbox_id = match submitted {
        Ok(Ok(s)) => s.ids.first().copied()?,
        Ok(Err(e)) => return Some(store_failed(&e.to_string(), false)),
        Err(e) => return Some(store_failed(&e.to_string(), false)),
    };
    deliver_submitted(engine, id, outbox_id, webhook, tx, stop, upload_progress).await
}

/// The parts of a split message to `robot`, put in the outbox as one
/// batch (each with its `k/n`, so the history shows them as parts) and
/// delivered in order. The first part that does not go stops the rest,
/// which are taken out of the outbox again (they never went): the outcome
/// says how many went. `None` when the user stopped it before the first.
pub async fn deliver_parts(
    engine: &Engine,
    id: u64,
    robot: String,
    webhook: &Webhook,
    parts: Vec<crate::wecom::Message>,
    tx: &UnboundedSender<Msg>,
    stop: &CancellationToken,
) -> Option<SendOutcome> {
    let n = parts.len();
    let fingerprint = robot_id(webhook);
    let items: Vec<NewItem> = parts
        .iter()
        .enumerate()
        .map(|(i, m)| NewItem {
            label: format!("{} part {}/{n}", m.kind().msgtype(), i + 1),
            robot_name: robot.clone(),
            robot: fingerprint.clone(),
            msgtype: m.kind().msgtype().to_owned(),
            payload: m.to_json(),
            part: Some(format!("{}/{n}", i + 1)),
            upload: None,
        })
        .collect();
    let submitter = engine.clone();
    let submitted =
        tokio::task::spawn_blocking(move || submitter.submit(None, &items, false)).await;
    let ids = match submitted {
        Ok(Ok(s)) => s.ids,
        Ok(Err(e)) => return Some(store_failed(&e.to_string(), false)),
        Err(e) => return Some(store_failed(&e.to_string(), false)),
    };
    let mut last = None;
    for (i, outbox_id) in ids.iter().enumerate() {
        if i > 0 {
            let _ = tx.send(Msg::SendProgress {
                id,
                note: crate::tr!("deliver.part_sent", i = i, n = n, next = i + 1).into_owned(),
            });
        }
        let outcome = deliver_submitted(engine, id, *outbox_id, webhook, tx, stop, None).await;
        if let Some(SendOutcome::Sent { .. }) = outcome {
            last = outcome;
            continue;
        }
        // The rest never went: out of the outbox, recorded as cancelled.
        for rest in &ids[i + 1..] {
            if let Err(e) = engine.cancel(*rest) {
                tracing::warn!("a part not sent stays in the outbox: {e}");
            }
        }
        let before = crate::tr!("deliver.before_sent", i = i).into_owned();
        return match outcome {
            None if i == 0 => None,
            None => Some(SendOutcome::Failed {
                title: crate::tr!("deliver.stopped_after", i = i, n = n).into_owned(),
                detail: crate::tr!("deliver.others_not_sent", before = before, left = n - i)
                    .into_owned(),
            }),
            Some(SendOutcome::Unknown { title, detail }) => Some(SendOutcome::Unknown {
                title: crate::tr!("deliver.part_title", title = title, i = i + 1, n = n)
                    .into_owned(),
                detail: crate::tr!("deliver.none_after", detail = detail, before = before)
                    .into_owned(),
            }),
            Some(SendOutcome::Failed { title, detail }) => Some(SendOutcome::Failed {
                title: crate::tr!("deliver.part_title", title = title, i = i + 1, n = n)
                    .into_owned(),
                detail: crate::tr!("deliver.none_after", detail = detail, before = before)
                    .into_owned(),
            }),
            other => other,
        };
    }
    match last {
        Some(SendOutcome::Sent { elapsed_ms, note }) => Some(SendOutcome::Sent {
            elapsed_ms,
            note: Some(match note {
                Some(note) => crate::tr!("deliver.all_parts_note", n = n, note = note).into_owned(),
                None => crate::tr!("deliver.all_parts", n = n).into_owned(),
            }),
        }),
        other => other,
    }
}

/// Delivers outbox item `outbox_id` (already submitted) as send `id`,
/// reporting waits and retries as [`Msg::SendProgress`].
async fn deliver_submitted(
    engine: &Engine,
    id: u64,
    outbox_id: i64,
    webhook: &Webhook,
    tx: &UnboundedSender<Msg>,
    stop: &CancellationToken,
    upload_progress: Option<UploadProgress>,
) -> Option<SendOutcome> {
    let _ = tx.send(Msg::Queued { id, outbox_id });
    // The last thing the engine said: a wait is counted down once a second
    // from it, so "12 s" in the status line moves while nothing else does.
    let last = Arc::new(Mutex::new(None::<Event>));
    let observe = {
        let last = Arc::clone(&last);
        let progress = tx.clone();
        move |_: &OutboxItem, event: &Event| {
            *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(event.clone());
            if let Some(note) = progress_note(event, now_ms()) {
                let _ = progress.send(Msg::SendProgress { id, note });
            }
        }
    };
    let delivery = engine.deliver_with(outbox_id, webhook, None, &observe, stop, upload_progress);
    tokio::pin!(delivery);
    let mut countdown = tokio::time::interval(Duration::from_secs(1));
    countdown.tick().await;
    let delivered = loop {
        tokio::select! {
            delivered = &mut delivery => break delivered,
            _ = countdown.tick() => {
                let event = last.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if let Some(event @ (Event::WaitingForSlot { .. } | Event::Retrying { .. })) = event
                    && let Some(note) = progress_note(&event, now_ms())
                {
                    let _ = tx.send(Msg::SendProgress { id, note });
                }
            }
        }
    };
    match delivered {
        Ok(Delivered::Sent {
            elapsed,
            waited,
            media_reused,
            ..
        }) => Some(SendOutcome::Sent {
            elapsed_ms: elapsed.as_millis() as u64,
            note: sent_note(waited, media_reused),
        }),
        Ok(Delivered::Ended { error, .. }) => Some(super::outcome(Err(error))),
        Ok(Delivered::Stopped) => {
            if let Err(e) = engine.cancel(outbox_id) {
                tracing::warn!("a cancelled send stays in the outbox: {e}");
            }
            None
        }
        Ok(Delivered::TooLong { wait }) => Some(SendOutcome::Failed {
            title: crate::tr!("deliver.not_sent").into_owned(),
            detail: crate::tr!("deliver.slot_far", s = wait.as_secs()).into_owned(),
        }),
        Ok(Delivered::Busy) => Some(SendOutcome::Failed {
            title: crate::tr!("deliver.not_from_here").into_owned(),
            detail: crate::tr!("deliver.busy").into_owned(),
        }),
        // The request may already have gone out when the store failed.
        Err(e) => Some(store_failed(&e.to_string(), true)),
    }
}

/// What is worth saying about a send that went through: a wait for the
/// rate limit, and for a file or voice clip whether it was uploaded.
fn sent_note(waited: Duration, media_reused: Option<bool>) -> Option<String> {
    let wait = (waited >= NOTEWORTHY_WAIT)
        .then(|| crate::tr!("deliver.waited", s = waited.as_secs_f64().round()).into_owned());
    let media = media_reused.map(|reused| {
        if reused {
            crate::tr!("deliver.media_reused").into_owned()
        } else {
            crate::tr!("deliver.uploaded").into_owned()
        }
    });
    match (media, wait) {
        (Some(m), Some(w)) => Some(format!("{m} {w}")),
        (m, w) => m.or(w),
    }
}

/// Sends `outgoing` to every target of broadcast `id`: the new ones go
/// into the outbox as one batch (one broadcast in the history), an unknown
/// or failed item being retried is put back in the queue as it is; then
/// every robot is delivered to at once, each paced by its own ledger, and
/// each step comes back as a [`Msg::BroadcastRow`].
///
/// `stop` is the user's Esc: what still waits is cancelled (taken out of
/// the outbox). `leaving` is the composer quitting: what still waits is
/// left in the outbox, queued, for `wecom outbox flush`.
pub async fn broadcast(
    engine: &Engine,
    id: u64,
    targets: Vec<Target>,
    outgoing: Outgoing,
    tx: &UnboundedSender<Msg>,
    stop: &CancellationToken,
    leaving: &CancellationToken,
) {
    let row = |row: usize, state: RowState| {
        let _ = tx.send(Msg::BroadcastRow { id, row, state });
    };
    let queue = {
        let engine = engine.clone();
        let targets = targets.clone();
        tokio::task::spawn_blocking(move || queue_broadcast(&engine, &targets, &outgoing))
    };
    let (batch, ids) = match queue.await {
        Ok(Ok(queued)) => queued,
        Ok(Err(e)) => return fail_all(&targets, &e, row),
        Err(e) => return fail_all(&targets, &e.to_string(), row),
    };
    let _ = tx.send(Msg::BroadcastQueued {
        id,
        batch,
        items: targets
            .iter()
            .map(|t| t.row)
            .zip(ids.iter().copied())
            .collect(),
    });
    let runs = targets
        .iter()
        .zip(ids)
        .map(|(target, outbox_id)| async move {
            let observe = |_: &OutboxItem, event: &Event| {
                let state = match event {
                    Event::WaitingForSlot { until_ms } => RowState::Waiting {
                        until_ms: *until_ms,
                    },
                    Event::Sending { attempt } => RowState::Sending { attempt: *attempt },
                    Event::Retrying {
                        attempt,
                        at_ms,
                        reason,
                    } => RowState::Retrying {
                        attempt: *attempt,
                        at_ms: *at_ms,
                        reason: reason.clone(),
                    },
                    Event::RobotFull => return,
                };
                row(target.row, state);
            };
            let delivered = engine
                .deliver(outbox_id, &target.webhook, None, &observe, stop)
                .await;
            let state = match delivered {
                Ok(Delivered::Stopped) if leaving.is_cancelled() => RowState::Queued,
                Ok(Delivered::Stopped) => {
                    if let Err(e) = engine.cancel(outbox_id) {
                        tracing::warn!("a cancelled broadcast item stays in the outbox: {e}");
                    }
                    RowState::Cancelled
                }
                other => row_state(other),
            };
            row(target.row, state);
        });
    futures_util::future::join_all(runs).await;
}

/// Puts the broadcast in the outbox: (its new batch, the outbox id of each
/// target in order).
fn queue_broadcast(
    engine: &Engine,
    targets: &[Target],
    outgoing: &Outgoing,
) -> Result<(Option<String>, Vec<i64>), String> {
    let (msgtype, payload, upload) = match outgoing {
        Outgoing::Payload(Payload::Message(m)) => {
            (m.kind().msgtype().to_owned(), m.to_json(), None)
        }
        Outgoing::Payload(Payload::Raw(json)) => (raw_msgtype(json), json.clone(), None),
        Outgoing::Media { path, kind } => {
            let message = media_message(*kind, String::new());
            (
                message.kind().msgtype().to_owned(),
                message.to_json(),
                Some(Upload {
                    path: std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
                    kind: *kind,
                }),
            )
        }
    };
    let fresh: Vec<NewItem> = targets
        .iter()
        .filter(|t| t.outbox_id.is_none())
        .map(|t| NewItem {
            label: msgtype.clone(),
            robot_name: t.robot.clone(),
            robot: robot_id(&t.webhook),
            msgtype: msgtype.clone(),
            payload: payload.clone(),
            part: None,
            upload: upload.clone(),
        })
        .collect();
    let submitted = if fresh.is_empty() {
        None
    } else {
        Some(
            engine
                .submit(None, &fresh, false)
                .map_err(|e| e.to_string())?,
        )
    };
    let mut new_ids = submitted.iter().flat_map(|s| s.ids.iter().copied());
    let mut ids = Vec::with_capacity(targets.len());
    for t in targets {
        match t.outbox_id {
            Some(old) => {
                engine.retry(old).map_err(|e| e.to_string())?;
                ids.push(old);
            }
            None => ids.push(
                new_ids
                    .next()
                    .ok_or("the outbox gave fewer ids than items")?,
            ),
        }
    }
    Ok((submitted.map(|s| s.batch), ids))
}

/// The store failed before anything went out: every row says so.
fn fail_all(targets: &[Target], error: &str, row: impl Fn(usize, RowState)) {
    for t in targets {
        row(
            t.row,
            RowState::Failed {
                detail: format!(
                    "the outbox could not be written: {}; nothing was sent",
                    one_line(error)
                ),
            },
        );
    }
}

/// How one robot's delivery ended, as its row says it.
fn row_state(delivered: Result<Delivered, crate::store::StoreError>) -> RowState {
    match delivered {
        Ok(Delivered::Sent {
            elapsed, waited, ..
        }) => RowState::Sent {
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        },
        Ok(Delivered::Ended { error, status, .. }) => {
            let detail = error.to_string();
            match status {
                HistoryStatus::Refused => RowState::Refused {
                    errcode: match error {
                        SendError::Refused { errcode, .. } => Some(errcode),
                        _ => None,
                    },
                    detail,
                },
                HistoryStatus::Unknown => RowState::Unknown { detail },
                _ => RowState::Failed { detail },
            }
        }
        Ok(Delivered::Stopped) => RowState::Cancelled,
        Ok(Delivered::TooLong { wait }) => RowState::Failed {
            detail: format!(
                "the next rate-limit slot is {} s away; try again then",
                wait.as_secs()
            ),
        },
        Ok(Delivered::Busy) => RowState::Failed {
            detail: "another wecom process is delivering this message; see `wecom outbox`"
                .to_owned(),
        },
        // The request may already have gone out when the store failed.
        Err(e) => RowState::Unknown {
            detail: format!(
                "the outbox could not be written: {}; see `wecom outbox` and `wecom history`",
                one_line(&e.to_string())
            ),
        },
    }
}

/// The store failed around a send: before it (nothing went out) or after
/// the request may have been written (then said so).
fn store_failed(error: &str, after_sending: bool) -> SendOutcome {
    let detail = crate::tr!("deliver.outbox_unwritable", error = one_line(error)).into_owned();
    let title = crate::tr!("deliver.outbox_error").into_owned();
    if after_sending {
        SendOutcome::Unknown { title, detail }
    } else {
        SendOutcome::Failed { title, detail }
    }
}

/// The `msgtype` of raw JSON, for the outbox and history (`raw` when it has
/// none: the server will say what is wrong).
fn raw_msgtype(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("msgtype")?.as_str().map(|s| one_line(s).into_owned()))
        .unwrap_or_else(|| "raw".to_owned())
}

/// A status-line sentence for what the engine is doing, at `now_ms`.
pub fn progress_note(event: &Event, now_ms: u64) -> Option<String> {
    let secs_until = |at_ms: u64| at_ms.saturating_sub(now_ms).div_ceil(1000);
    match event {
        Event::WaitingForSlot { until_ms } if *until_ms > now_ms => Some(
            crate::tr!(
                "status.waiting_for_slot",
                secs = secs_until(*until_ms),
                until = clock(*until_ms)
            )
            .into_owned(),
        ),
        Event::WaitingForSlot { .. } => None,
        Event::Sending { attempt } if *attempt > 1 => {
            Some(crate::tr!("status.sending_attempt", attempt = attempt).into_owned())
        }
        Event::Sending { .. } => None,
        Event::Retrying {
            attempt,
            at_ms,
            reason,
        } => Some(
            crate::tr!(
                "status.retrying",
                reason = one_line(reason),
                secs = secs_until(*at_ms),
                attempt = attempt
            )
            .into_owned(),
        ),
        Event::RobotFull => Some(crate::tr!("status.robot_full").into_owned()),
    }
}

fn clock(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_and_retries_are_said_with_their_seconds() {
        let now = 1_700_000_000_000;
        assert_eq!(
            progress_note(
                &Event::WaitingForSlot {
                    until_ms: now + 11_200
                },
                now
            )
            .as_deref()
            .map(|s| s.starts_with("Waiting for a rate-limit slot: 12 s (until ")),
            Some(true)
        );
        assert_eq!(
            progress_note(
                &Event::Retrying {
                    attempt: 2,
                    at_ms: now + 4_000,
                    reason: "system busy\u{1b}[2J".to_owned()
                },
                now
            )
            .as_deref(),
            Some("system busy\\u{1b}[2J: retrying in 4 s (attempt 2).")
        );
        assert_eq!(progress_note(&Event::Sending { attempt: 1 }, now), None);
        assert_eq!(
            progress_note(&Event::WaitingForSlot { until_ms: now }, now),
            None
        );
    }

    #[test]
    fn raw_json_names_its_msgtype_or_raw() {
        assert_eq!(raw_msgtype(r#"{"msgtype":"text","text":{}}"#), "text");
        assert_eq!(raw_msgtype("not json"), "raw");
    }
}
