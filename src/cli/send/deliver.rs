//! Sending the planned messages in order, through the outbox and the shared
//! rate ledger ([`crate::delivery`]).
//!
//! The whole batch is written to the outbox first, then each message waits
//! for a slot in the robot's window, so a batch of 25 is sent as 20, then 5
//! when the window has moved on, whatever other `wecom` processes send to
//! the same robot. Retryable failures are retried with backoff; a message
//! that may have been delivered is never resent. The first failure stops
//! the batch: what follows stays in the outbox (or, with `--no-queue`, is
//! dropped), so a sequence (numbered parts) never arrives with a hole in it
//! without the user's say. Running the same batch again resumes it.
//!
//! A broadcast (several robots) is one outbox batch, so its history rows
//! share one batch id (`wecom history` shows them as one broadcast); each
//! robot's messages then go in order, robots side by side, each waiting
//! only for its own rate-limit window. A file or voice clip is uploaded
//! once per robot, since a media_id belongs to the robot that uploaded it.

use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::Target;
use super::plan::Item;
use crate::delivery::{Delivered, Engine, Event};
use crate::store::outbox::{NewItem, OutboxItem, Upload};
use crate::wecom::attach::{media_message, robot_id};
use crate::wecom::client::SendError;

/// What happened to one message.
#[derive(Debug)]
pub struct Outcome {
    pub label: String,
    pub msgtype: String,
    pub status: Status,
    /// Time spent waiting for the rate limit and between retries.
    pub waited: Duration,
    /// From the request to the answer.
    pub elapsed: Duration,
    /// For file and voice: whether the media_id came from the cache.
    pub cached_media: Option<bool>,
    /// Its outbox id while it is kept there.
    pub outbox_id: Option<i64>,
    /// Its history id once it ended.
    pub history_id: Option<i64>,
}

#[derive(Debug)]
pub enum Status {
    Sent {
        errmsg: String,
    },
    /// Refused, gave up, or may have been delivered (`may_have_been_delivered`).
    Failed(SendError),
    /// Not sent: an earlier message failed; `kept` when it stays in the outbox.
    NotSent {
        kept: bool,
    },
    /// Not sent: the run was interrupted; `kept` as above.
    Interrupted {
        kept: bool,
    },
    /// Left in the outbox by an earlier run as unknown or failed: the user
    /// decides (`wecom outbox retry` / `cancel`).
    Parked,
}

/// Everything a send needs besides the robots and the messages.
pub struct Sender<'a> {
    pub engine: &'a Engine,
    /// Nothing kept after exit; only 45009 is waited out.
    pub no_queue: bool,
    /// Called with a line about what is happening.
    pub progress: &'a (dyn Fn(&str) + Send + Sync),
    /// Called with each outcome as soon as it is known: the robot, the
    /// message's index among that robot's, and their number.
    pub on_outcome: &'a dyn Fn(&Target, usize, usize, &Outcome),
    /// Fired by SIGINT / SIGTERM: no new message is started.
    pub stop: CancellationToken,
}

/// What a send did: its outbox batch (the broadcast id in the history)
/// and each robot's outcomes, in the order of the targets.
#[derive(Debug)]
pub struct Sent {
    pub batch: String,
    pub outcomes: Vec<Vec<Outcome>>,
}

/// A batch's identity: the robots and every body, so the same batch run
/// again is recognised and resumed.
fn batch_key(items: &[NewItem]) -> String {
    let mut hash = Sha256::new();
    for item in items {
        hash.update(item.robot.as_bytes());
        hash.update(b"\0");
        hash.update(item.payload.as_bytes());
        if let Some(upload) = &item.upload {
            hash.update(upload.path.to_string_lossy().as_bytes());
        }
    }
    hex::encode(hash.finalize())
}

pub(super) fn new_item(item: &Item, robot_name: &str, robot: &str) -> NewItem {
    let (payload, upload) = match item {
        Item::Ready { message, .. } => (message.to_json(), None),
        Item::Upload { path, kind, .. } => (
            media_message(*kind, String::new()).to_json(),
            Some(Upload {
                path: std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
                kind: *kind,
            }),
        ),
    };
    NewItem {
        label: item.label().to_owned(),
        robot_name: robot_name.to_owned(),
        robot: robot.to_owned(),
        msgtype: item.msgtype().to_owned(),
        payload,
        part: part_of(item.label()),
        upload,
    }
}

/// `2/3` from a label like `markdown part 2/3`.
fn part_of(label: &str) -> Option<String> {
    let (_, rest) = label.rsplit_once("part ")?;
    let part: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '/')
        .collect();
    part.contains('/').then_some(part)
}

fn blank(label: String, msgtype: String, status: Status, outbox_id: Option<i64>) -> Outcome {
    Outcome {
        label,
        msgtype,
        status,
        waited: Duration::ZERO,
        elapsed: Duration::ZERO,
        cached_media: None,
        outbox_id,
        history_id: None,
    }
}

/// A countdown while waiting for a slot: a bar on a terminal, a line
/// otherwise.
struct Countdown<'a> {
    bar: Mutex<Option<indicatif::ProgressBar>>,
    /// The bars of every robot of a broadcast, drawn one under the other.
    bars: &'a indicatif::MultiProgress,
    /// `qa: ` in a broadcast, so a line names its robot; empty otherwise.
    prefix: String,
}

impl Countdown<'_> {
    fn start(&self, until_ms: u64, progress: &(dyn Fn(&str) + Send + Sync)) {
        self.stop();
        let wait = Duration::from_millis(until_ms.saturating_sub(crate::clock::now_ms()));
        if wait < Duration::from_millis(500) {
            return;
        }
        if !std::io::stderr().is_terminal() {
            progress(&crate::tr!(
                "cli.send.waiting_for_slot",
                robot = self.prefix,
                secs = format!("{:.1}", wait.as_secs_f64())
            ));
            return;
        }
        let bar = self
            .bars
            .add(indicatif::ProgressBar::new(wait.as_secs().max(1)));
        // `{` and `}` would be read as template fields.
        let prefix = self.prefix.replace(['{', '}'], "");
        let waiting = crate::tr!("cli.send.waiting_bar").replace(['{', '}'], "");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "wecom send: {prefix}{waiting} {{bar:30}} {{msg}}"
        )) {
            bar.set_style(style);
        }
        let ticking = bar.clone();
        tokio::spawn(async move {
            loop {
                let left = until_ms.saturating_sub(crate::clock::now_ms());
                ticking.set_message(
                    crate::tr!("cli.send.seconds", secs = left.div_ceil(1000)).into_owned(),
                );
                ticking.set_position(ticking.length().unwrap_or(0).saturating_sub(left / 1000));
                if left == 0 || ticking.is_finished() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        *self.bar.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar);
    }

    fn stop(&self) {
        if let Some(bar) = self
            .bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            bar.finish_and_clear();
        }
    }
}

impl Sender<'_> {
    /// Sends every item to every target: each robot's in order, robots in
    /// parallel; a robot stops at its first failure or on `stop`.
    pub async fn send_all(
        &self,
        targets: &[Target],
        items: &[Item],
    ) -> Result<Sent, crate::store::StoreError> {
        let robots: Vec<String> = targets.iter().map(|t| robot_id(&t.webhook)).collect();
        let new: Vec<NewItem> = targets
            .iter()
            .zip(&robots)
            .flat_map(|(t, robot)| items.iter().map(|i| new_item(i, &t.name, robot)))
            .collect();
        let key = batch_key(&new);
        let submitted = self.engine.submit(
            (!self.no_queue).then_some(key.as_str()),
            &new,
            self.no_queue,
        )?;
        let mut queues: Vec<Vec<OutboxItem>> = targets.iter().map(|_| Vec::new()).collect();
        let mut left = 0;
        for id in &submitted.ids {
            if let Some(item) = self.engine.outbox().get(*id)?
                && let Some(at) = robots.iter().position(|r| *r == item.robot)
            {
                queues[at].push(item);
                left += 1;
            }
        }
        if submitted.resumed {
            (self.progress)(&crate::tr!(
                "cli.send.resuming",
                delivered = new.len().saturating_sub(left),
                total = new.len(),
                left = left,
            ));
        }
        let bars = indicatif::MultiProgress::new();
        let broadcast = targets.len() > 1;
        let runs = targets.iter().zip(queues).map(|(target, queue)| {
            let prefix = if broadcast {
                format!("{}: ", target.name)
            } else {
                String::new()
            };
            self.send_to(
                target,
                queue,
                Countdown {
                    bar: Mutex::new(None),
                    bars: &bars,
                    prefix,
                },
            )
        });
        let outcomes = futures_util::future::join_all(runs)
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sent {
            batch: submitted.batch,
            outcomes,
        })
    }

    /// One robot's part of the batch, in order.
    async fn send_to(
        &self,
        target: &Target,
        queue: Vec<OutboxItem>,
        countdown: Countdown<'_>,
    ) -> Result<Vec<Outcome>, crate::store::StoreError> {
        let progress = self.progress;
        let prefix = countdown.prefix.clone();
        let observe = |_: &OutboxItem, event: &Event| match event {
            Event::WaitingForSlot { until_ms } => countdown.start(*until_ms, progress),
            Event::Retrying {
                attempt,
                at_ms,
                reason,
            } => {
                countdown.stop();
                let secs = at_ms.saturating_sub(crate::clock::now_ms()).div_ceil(1000);
                progress(&crate::tr!(
                    "cli.send.retrying",
                    robot = prefix,
                    reason = reason,
                    secs = secs,
                    attempt = attempt
                ));
            }
            Event::RobotFull => {
                countdown.stop();
                progress(&crate::tr!("cli.send.robot_full", robot = prefix));
            }
            Event::Sending { .. } => countdown.stop(),
        };
        let n = queue.len();
        let mut outcomes = Vec::with_capacity(n);
        let mut failed = false;
        for (index, item) in queue.into_iter().enumerate() {
            let outcome = if failed || self.stop.is_cancelled() {
                let kept = !self.no_queue;
                if !kept {
                    self.engine.outbox().remove(item.id)?;
                }
                let status = if failed {
                    Status::NotSent { kept }
                } else {
                    Status::Interrupted { kept }
                };
                blank(item.label, item.msgtype, status, kept.then_some(item.id))
            } else {
                let result = self
                    .engine
                    .deliver(item.id, &target.webhook, None, &observe, &self.stop)
                    .await?;
                countdown.stop();
                let outcome = self.outcome(item, result);
                failed = matches!(outcome.status, Status::Failed(_) | Status::Parked);
                outcome
            };
            (self.on_outcome)(target, index, n, &outcome);
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    fn outcome(&self, item: OutboxItem, result: Delivered) -> Outcome {
        let id = item.id;
        let mut o = blank(item.label, item.msgtype, Status::Parked, Some(id));
        match result {
            Delivered::Sent {
                errmsg,
                history_id,
                elapsed,
                waited,
                media_reused,
            } => {
                o.status = Status::Sent { errmsg };
                o.history_id = Some(history_id);
                o.elapsed = elapsed;
                o.waited = waited;
                o.cached_media = media_reused;
                o.outbox_id = None;
            }
            Delivered::Ended {
                error,
                history_id,
                waited,
                ..
            } => {
                let kept =
                    error.may_have_been_delivered() || !matches!(error, SendError::Refused { .. });
                o.outbox_id = (kept && !self.no_queue).then_some(id);
                o.status = Status::Failed(error);
                o.history_id = Some(history_id);
                o.waited = waited;
            }
            Delivered::Stopped | Delivered::TooLong { .. } => {
                o.status = Status::Interrupted {
                    kept: !self.no_queue,
                };
                o.outbox_id = (!self.no_queue).then_some(id);
            }
            Delivered::Busy => {}
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_from_labels() {
        assert_eq!(part_of("markdown part 2/3").as_deref(), Some("2/3"));
        assert_eq!(part_of("text"), None);
    }
}
