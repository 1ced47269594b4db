//! The delivery engine: every front end (`wecom send`, `wecom outbox flush`,
//! the relay, and the composer) sends through it, so a message is never lost
//! and never sent twice without the user's say.
//!
//! A message goes through these states (the outbox's, then the history's):
//!
//! ```text
//!  submit ─▶ queued ─▶ (waiting for a rate-limit slot) ─▶ sending ─┬─▶ sent      (history)
//!              ▲                                                  ├─▶ refused   (history)
//!              │         retryable: 45009, -1, HTTP 5xx,          │
//!              └──────── not connected ── retrying (2,4,8…60 s) ◀─┤
//!                                           │ gave up              │
//!                                           └─▶ failed  (kept)     └─▶ unknown   (kept)
//! ```
//!
//! * **queued**: written to the outbox before the first byte goes out.
//! * **waiting**: a slot is reserved in the shared rate ledger; the item
//!   is leased by this process (owner and expiry), so no other takes it.
//! * **sending**: the request is being written. If the process dies now,
//!   the next process to open the store marks the item *unknown* once its
//!   lease expired; it is never resent silently.
//! * **retrying**: a failure that did not deliver (45009, -1 "system
//!   busy", a refused connection, HTTP 5xx) is tried again after 2, 4, 8 …
//!   s (at most 60 s between tries), until [`RetryPolicy::give_up_after`]
//!   (10 min); then **failed**, kept for `wecom outbox retry` or `cancel`.
//! * **unknown**: a timeout or a closed connection after the request was
//!   written: it may have been delivered. Kept for the user to retry or
//!   cancel, never retried automatically.
//! * **sent** / **refused** / **cancelled**: the item leaves the outbox in
//!   the transaction that writes its history row.

pub mod due;
pub mod media;
pub mod placeholders;
pub mod when;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::clock::now_ms;
use crate::store::config::DeliverySection;
use crate::store::db::{Db, StoreError};
use crate::store::history::{History, HistoryEntry, HistoryStatus, Retention};
use crate::store::ledger::{Ledger, Rate, SlotGuard};
use crate::store::media_cache::MediaCache;
use crate::store::outbox::{DueAt, NewItem, Outbox, OutboxItem, OutboxState};
use crate::wecom::attach::{self, media_message, robot_id};
use crate::wecom::client::{Client, SendError};
use crate::wecom::{Webhook, errcode};

/// 45009: over 20 messages a minute.
pub const FREQ_OUT_OF_LIMIT: i64 = 45009;
/// The first retry comes after this; each next one after twice as long.
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// Retries never wait longer than this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The composer's name in the outbox's `origin` column.
pub const ORIGIN_COMPOSER: &str = "composer";

/// A lease outlives the send it covers by this much.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// When to stop retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// From the first attempt; then the item is `failed`.
    pub give_up_after: Duration,
    /// Whether failures other than 45009 are retried at all (`--no-queue`
    /// keeps the old behaviour: only 45009 is waited out).
    pub retry_failures: bool,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            give_up_after: Duration::from_secs(10 * 60),
            retry_failures: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy with the give-up time of config.toml's
    /// `[delivery] give_up_after_minutes`.
    pub fn from_settings(settings: &DeliverySection) -> RetryPolicy {
        let default = RetryPolicy::default();
        RetryPolicy {
            give_up_after: settings
                .give_up_after_minutes
                .map_or(default.give_up_after, |m| {
                    Duration::from_secs(m.saturating_mul(60))
                }),
            ..default
        }
    }
}

/// The history's retention from config.toml's `[delivery]` (90 days or
/// 10,000 entries, whichever keeps more, unless set).
pub fn retention(settings: &DeliverySection) -> Retention {
    let default = Retention::default();
    Retention {
        days: settings.history_days.unwrap_or(default.days),
        entries: settings.history_entries.unwrap_or(default.entries),
    }
}

/// The wait before retry number `attempt` (1-based): 2, 4, 8 … s, at most
/// 60 s.
pub fn backoff(attempt: u32) -> Duration {
    let shift = attempt.saturating_sub(1).min(16);
    (FIRST_BACKOFF * (1u32 << shift)).min(MAX_BACKOFF)
}

/// What is happening to an item, for lines, progress bars and the composer.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Waiting for a rate-limit slot until this time (Unix ms).
    WaitingForSlot { until_ms: u64 },
    /// Being sent (attempt 1, 2, …).
    Sending { attempt: i64 },
    /// Failed without delivering; tried again at `at_ms`.
    Retrying {
        attempt: i64,
        at_ms: u64,
        reason: String,
    },
    /// WeCom said 45009: someone else uses the robot.
    RobotFull,
}

/// How an item's delivery ended, for this call.
#[derive(Debug)]
pub enum Delivered {
    /// WeCom accepted it.
    Sent {
        errmsg: String,
        history_id: i64,
        elapsed: Duration,
        waited: Duration,
        media_reused: Option<bool>,
    },
    /// Refused, failed for good, or unknown: `error` says which; parked
    /// items stay in the outbox.
    Ended {
        error: SendError,
        status: HistoryStatus,
        history_id: i64,
        waited: Duration,
    },
    /// Not sent: the sender stopped (a signal, a hung-up caller) before it
    /// went out. It stays in the outbox unless it was transient.
    Stopped,
    /// Not sent: the wait for a slot would be longer than allowed (nothing
    /// kept for a transient item).
    TooLong { wait: Duration },
    /// Not sent here: another process holds it, or it is no longer waiting.
    Busy,
}

/// Where a submitted batch went.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub batch: String,
    /// Outbox ids in order.
    pub ids: Vec<i64>,
    /// An interrupted earlier run of the same batch is resumed: only what
    /// it did not deliver is left.
    pub resumed: bool,
}

/// The engine of one process.
#[derive(Debug, Clone)]
pub struct Engine {
    db: Arc<Db>,
    outbox: Outbox,
    ledger: Ledger,
    history: History,
    media: MediaCache,
    client: Client,
    owner: String,
    policy: RetryPolicy,
}

impl Engine {
    /// An engine on `db`; items a dead process left in flight are marked
    /// unknown first. The history is not pruned here: only a process that
    /// read the user's `[delivery]` settings may ([`Engine::configured`]),
    /// so a longer retention there is never cut to the default.
    pub fn new(db: Arc<Db>, client: Client, rate: Rate, policy: RetryPolicy) -> Engine {
        let owner = format!("{}:{}", std::process::id(), now_ms());
        let engine = Engine {
            outbox: Outbox::new(Arc::clone(&db)).made_by(&owner, None),
            ledger: Ledger::new(Arc::clone(&db), rate),
            history: History::new(Arc::clone(&db)),
            media: MediaCache::with_db(Arc::clone(&db)),
            db,
            client,
            owner,
            policy,
        };
        if let Err(e) = engine.recover() {
            tracing::warn!("the outbox could not be checked: {e}");
        }
        engine
    }

    /// [`Engine::new`] with config.toml's `[delivery]` settings: the
    /// give-up time of retries (unless `policy` sets its own, as the relay
    /// does with its wait) and the history's retention, applied now.
    pub fn configured(
        db: Arc<Db>,
        client: Client,
        rate: Rate,
        policy: RetryPolicy,
        settings: &DeliverySection,
    ) -> Engine {
        let engine = Engine::new(db, client, rate, policy);
        if let Err(e) = engine.history.prune(retention(settings), now_i64()) {
            tracing::warn!("the history could not be pruned: {e}");
        }
        engine
    }

    /// This engine, marking what it queues as queued by the front end
    /// `origin` (the composer: [`ORIGIN_COMPOSER`]), so that front end's
    /// next start can send what this one leaves behind
    /// ([`Outbox::left_behind`]).
    pub fn with_origin(mut self, origin: &'static str) -> Engine {
        self.outbox = self.outbox.made_by(&self.owner, Some(origin));
        self
    }

    /// What `origin` processes that are gone left waiting in the outbox.
    pub fn left_behind(&self, origin: &str) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox.left_behind(origin, now_i64(), owner_is_dead)
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Marks items whose sender died while sending as unknown.
    pub fn recover(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox.recover(now_i64(), owner_is_dead, |it| {
            entry_for(
                it,
                HistoryStatus::Unknown,
                None,
                Some(
                    "the process sending it stopped before the answer came: it may have been delivered"
                        .to_owned(),
                ),
                Duration::ZERO,
            )
        })
    }

    /// Puts `items` in the outbox as one batch. With `batch_key` given and
    /// an earlier run of the same batch still in the outbox, that one is
    /// resumed instead, so nothing it delivered is sent again.
    pub fn submit(
        &self,
        batch_key: Option<&str>,
        items: &[NewItem],
        transient: bool,
    ) -> Result<Submitted, StoreError> {
        if let Some(key) = batch_key
            && !transient
            && let Some((batch, ids)) = self.outbox.find_batch(key)?
        {
            return Ok(Submitted {
                batch,
                ids,
                resumed: true,
            });
        }
        let batch = format!("b{}-{}", now_ms(), std::process::id());
        let ids = self.outbox.enqueue(
            &batch,
            batch_key.unwrap_or(&batch),
            items,
            transient,
            now_i64(),
        )?;
        Ok(Submitted {
            batch,
            ids,
            resumed: false,
        })
    }

    /// Puts `items` in the outbox as one batch sent at `due_ms` (Unix ms)
    /// by whichever worker holds the store then ([`due`]); their
    /// placeholders are filled in at delivery, so `{{now}}` is the time sent.
    pub fn submit_due(&self, items: &[NewItem], due_ms: i64) -> Result<Submitted, StoreError> {
        let batch = format!("d{}-{}", now_ms(), std::process::id());
        let due = DueAt {
            due_ms,
            expand: true,
        };
        let ids = self.outbox.enqueue_due(&batch, items, due, now_i64())?;
        Ok(Submitted {
            batch,
            ids,
            resumed: false,
        })
    }

    /// Delivers outbox item `id` to `webhook`: waits for a slot (at most
    /// `max_wait`, `None`: as long as needed), sends, retries what may be
    /// retried, and records the end. `stop` ends the waiting (never a
    /// request already being written).
    pub async fn deliver(
        &self,
        id: i64,
        webhook: &Webhook,
        max_wait: Option<Duration>,
        observe: &(dyn Fn(&OutboxItem, &Event) + Send + Sync),
        stop: &CancellationToken,
    ) -> Result<Delivered, StoreError> {
        self.deliver_with(id, webhook, max_wait, observe, stop, None)
            .await
    }

    /// [`Engine::deliver`], reporting the progress of the upload an item
    /// with a file or voice clip needs first (the composer's progress bar);
    /// `stop` also cancels that upload.
    pub async fn deliver_with(
        &self,
        id: i64,
        webhook: &Webhook,
        max_wait: Option<Duration>,
        observe: &(dyn Fn(&OutboxItem, &Event) + Send + Sync),
        stop: &CancellationToken,
        upload_progress: Option<media::UploadProgress>,
    ) -> Result<Delivered, StoreError> {
        let mut waited = Duration::ZERO;
        let mut media_reused = None;
        let mut media_id = None;
        let mut uploaded_again = false;
        loop {
            let now = now_i64();
            let lease_for = self.client.config().send_timeout + LEASE_MARGIN;
            let Some(mut item) = self
                .outbox
                .lease(id, &self.owner, now, now + ms_of(lease_for))?
            else {
                return Ok(Delivered::Busy);
            };
            if robot_id(webhook) != item.robot {
                return Err(StoreError::Task(format!(
                    "outbox item {id} belongs to another robot than the one given"
                )));
            }
            // A retry waits for its time first.
            if let Some(next) = item.next_attempt_ms.filter(|n| *n > now) {
                let pause = Duration::from_millis(u64::try_from(next - now).unwrap_or(0));
                if !self.pause(pause, stop).await {
                    return self.stopped(&item);
                }
                waited += pause;
                continue;
            }
            if item.expand {
                match fill_in(&item.payload) {
                    Ok(payload) => {
                        self.outbox.set_expanded(id, &payload)?;
                        item.payload = payload;
                        item.expand = false;
                    }
                    Err(error) => return self.refuse_here(&item, error, waited),
                }
            }
            if let Some(upload) = item.upload.clone() {
                match self
                    .media_id(webhook, &upload, upload_progress.as_ref(), stop)
                    .await
                {
                    Ok((id_now, reused)) => {
                        media_reused = Some(reused);
                        item.payload = media_message(upload.kind, id_now.clone()).to_json();
                        media_id = Some(id_now);
                        self.outbox.set_payload(id, &item.payload)?;
                    }
                    // The user stopped it: an upload delivers nothing, so
                    // there is nothing to be unsure about.
                    Err(SendError::Cancelled) => return self.stopped(&item),
                    Err(e) => return self.end(&item, e, waited, media_reused),
                }
            }
            let slot = match self.ledger.reserve(&item.robot, max_wait, Some(id))? {
                Ok(slot) => slot,
                Err(wait) => {
                    if item.transient {
                        self.outbox.remove(id)?;
                    } else {
                        self.outbox.unlease(id)?;
                    }
                    return Ok(Delivered::TooLong { wait });
                }
            };
            let guard = SlotGuard::new(self.ledger.clone(), slot.clone());
            let pause = slot.wait();
            if !pause.is_zero() {
                // The lease covers the wait, so no other process takes it.
                let until = i64::try_from(slot.at_ms).unwrap_or(i64::MAX) + ms_of(lease_for);
                self.outbox.lease(id, &self.owner, now_i64(), until)?;
                observe(
                    &item,
                    &Event::WaitingForSlot {
                        until_ms: slot.at_ms,
                    },
                );
                if !self.pause(pause, stop).await {
                    drop(guard);
                    return self.stopped(&item);
                }
                waited += pause;
            }
            let attempt = item.attempts + 1;
            observe(&item, &Event::Sending { attempt });
            self.outbox.mark_sending(
                id,
                &self.owner,
                now_i64() + ms_of(lease_for),
                now_i64(),
                ms_of(waited),
            )?;
            let started = Instant::now();
            let result = self.client.send_raw(webhook, item.payload.clone()).await;
            let elapsed = started.elapsed();
            match &result {
                // Nothing reached WeCom: the slot is free again.
                Err(e) if e.not_sent() => drop(guard),
                _ => guard.settle(),
            }
            item.attempts = attempt;
            match result {
                Ok(receipt) => {
                    let mut entry = entry_for(&item, HistoryStatus::Sent, None, None, waited);
                    entry.errcode = Some(0);
                    entry.errmsg = Some(receipt.errmsg.clone());
                    entry.elapsed_ms = ms_of(elapsed);
                    let history_id = self.outbox.finish(id, &entry)?;
                    return Ok(Delivered::Sent {
                        errmsg: receipt.errmsg,
                        history_id,
                        elapsed,
                        waited,
                        media_reused,
                    });
                }
                // A reused media_id WeCom no longer takes (40007): forget
                // it and go round once more, which uploads the file again.
                Err(e)
                    if !uploaded_again && media_reused == Some(true) && is_invalid_media_id(&e) =>
                {
                    if let Some(stale) = media_id.take() {
                        self.forget_media_id(webhook, &stale);
                    }
                    uploaded_again = true;
                    let first = item.first_try_ms.unwrap_or(now_i64());
                    let give_up = first + ms_of(self.policy.give_up_after);
                    self.outbox
                        .set_retrying(id, now_i64(), give_up, &e.to_string())?;
                    continue;
                }
                Err(e) => {
                    let full = matches!(&e, SendError::Refused { errcode, .. } if *errcode == FREQ_OUT_OF_LIMIT);
                    if full {
                        self.ledger.mark_full(&item.robot)?;
                        observe(&item, &Event::RobotFull);
                    }
                    let retryable = full || (self.policy.retry_failures && e.is_retryable());
                    let first = item.first_try_ms.unwrap_or(now_i64());
                    let give_up = first + ms_of(self.policy.give_up_after);
                    let next =
                        now_i64() + ms_of(backoff(u32::try_from(attempt).unwrap_or(u32::MAX)));
                    if retryable && next <= give_up && !stop.is_cancelled() {
                        let reason = e.title().to_owned();
                        self.outbox
                            .set_retrying(id, next, give_up, &e.to_string())?;
                        observe(
                            &item,
                            &Event::Retrying {
                                attempt: attempt + 1,
                                at_ms: u64::try_from(next).unwrap_or(0),
                                reason,
                            },
                        );
                        continue;
                    }
                    return self.end(&item, e, waited, media_reused);
                }
            }
        }
    }

    /// Sleeps `pause` unless `stop` fires first (then `false`).
    async fn pause(&self, pause: Duration, stop: &CancellationToken) -> bool {
        tokio::select! {
            biased;
            _ = stop.cancelled() => false,
            _ = tokio::time::sleep(pause) => true,
        }
    }

    fn stopped(&self, item: &OutboxItem) -> Result<Delivered, StoreError> {
        if item.transient {
            self.outbox.remove(item.id)?;
        } else {
            self.outbox.unlease(item.id)?;
        }
        Ok(Delivered::Stopped)
    }

    /// Refuses an item before sending it (a placeholder that cannot be
    /// filled in, a message that breaks a rule once filled in): a refused
    /// history row with the reason; nothing was sent.
    fn refuse_here(
        &self,
        item: &OutboxItem,
        error: SendError,
        waited: Duration,
    ) -> Result<Delivered, StoreError> {
        let entry = entry_for(
            item,
            HistoryStatus::Refused,
            None,
            Some(error.to_string()),
            waited,
        );
        let history_id = self.outbox.finish(item.id, &entry)?;
        Ok(Delivered::Ended {
            error,
            status: HistoryStatus::Refused,
            history_id,
            waited,
        })
    }

    /// Records an attempt that ended without delivery.
    fn end(
        &self,
        item: &OutboxItem,
        error: SendError,
        waited: Duration,
        _media_reused: Option<bool>,
    ) -> Result<Delivered, StoreError> {
        let (status, errcode, text) = match &error {
            SendError::Refused { errcode, errmsg } => {
                (HistoryStatus::Refused, Some(*errcode), errmsg.clone())
            }
            e if e.may_have_been_delivered() => (HistoryStatus::Unknown, None, e.to_string()),
            e => (HistoryStatus::Failed, None, e.to_string()),
        };
        let mut entry = entry_for(item, status, errcode, None, waited);
        entry.attempts = item.attempts;
        match errcode {
            Some(code) => {
                entry.errmsg = Some(text);
                entry.explanation = Some(errcode::describe(code));
            }
            None => entry.error = Some(text),
        }
        let history_id = match status {
            HistoryStatus::Refused => self.outbox.finish(item.id, &entry)?,
            HistoryStatus::Unknown => self.outbox.park(item.id, OutboxState::Unknown, &entry)?,
            _ => self.outbox.park(item.id, OutboxState::Failed, &entry)?,
        };
        Ok(Delivered::Ended {
            error,
            status,
            history_id,
            waited,
        })
    }

    /// Cancels a waiting, unknown or failed item: a history row says it
    /// was cancelled. Returns whether there was such an item.
    pub fn cancel(&self, id: i64) -> Result<bool, StoreError> {
        let Some(item) = self.outbox.get(id)? else {
            return Ok(false);
        };
        if item.state == OutboxState::Sending {
            return Ok(false);
        }
        let entry = entry_for(&item, HistoryStatus::Cancelled, None, None, Duration::ZERO);
        self.outbox.finish(id, &entry)?;
        Ok(true)
    }

    /// Puts an unknown or failed item back in the queue (the user's say:
    /// an unknown one may then arrive twice).
    pub fn retry(&self, id: i64) -> Result<bool, StoreError> {
        self.outbox.requeue(id)
    }
}

/// The payload with its placeholders filled in, checked again: a file may
/// have made it too long.
fn fill_in(payload: &str) -> Result<String, SendError> {
    let filled = placeholders::expand_json(payload, &chrono::Local::now(), &placeholders::Process)
        .map_err(|why| SendError::Other(format!("not sent: {why}")))?;
    let parsed = crate::wecom::Message::parse_json_str(&filled)
        .map_err(|e| SendError::Other(format!("not sent: once filled in, {e}")))?;
    let problems: Vec<_> = crate::wecom::validate::validate_parsed(&parsed)
        .into_iter()
        .filter(|p| p.is_error())
        .collect();
    if problems.is_empty() {
        Ok(filled)
    } else {
        Err(SendError::Invalid(problems))
    }
}

/// Whether a reused media_id the server refused should be uploaded anew.
pub use attach::is_invalid_media_id;

/// Whether the process named in a lease (`pid:start`) is gone. Only
/// answered where it can be known for sure (Linux `/proc`); elsewhere a
/// lease simply runs out.
fn owner_is_dead(owner: &str) -> bool {
    let Some(pid) = owner.split(':').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    let proc = std::path::Path::new("/proc");
    if !proc.join("self").exists() {
        return false;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        // A killed process whose parent has not reaped it yet is a zombie
        // (`Z`, or `X` on its way out): gone, though /proc still lists it.
        Ok(stat) => stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .is_some_and(|state| matches!(state, 'Z' | 'X')),
        Err(_) => true,
    }
}

fn now_i64() -> i64 {
    i64::try_from(now_ms()).unwrap_or(i64::MAX)
}

fn ms_of(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A message sent later counts as late when it went out more than this
/// after its due time.
pub const ON_TIME: Duration = Duration::from_secs(2);

/// "sent 3 min 20 s late …" for an item sent later that went out late (its
/// first attempt, or now, more than [`ON_TIME`] after its due time).
fn lateness(item: &OutboxItem) -> Option<String> {
    let due = item.due_ms?;
    let went = item.first_try_ms.unwrap_or_else(now_i64);
    let late = Duration::from_millis(u64::try_from(went - due).ok()?);
    (late > ON_TIME).then(|| {
        format!(
            "late by {}: it was due at {} and no wecom process was delivering then",
            when::span(late),
            due::local_time(due)
        )
    })
}

/// A history row for `item` as it ends now.
fn entry_for(
    item: &OutboxItem,
    status: HistoryStatus,
    errcode: Option<i64>,
    error: Option<String>,
    waited: Duration,
) -> HistoryEntry {
    HistoryEntry {
        id: 0,
        time_ms: now_i64(),
        robot_name: item.robot_name.clone(),
        robot: item.robot.clone(),
        msgtype: item.msgtype.clone(),
        payload: item.payload.clone(),
        status,
        errcode,
        errmsg: None,
        explanation: lateness(item),
        error,
        elapsed_ms: 0,
        waited_ms: ms_of(waited).max(item.waited_ms),
        attempts: item.attempts,
        batch: Some(item.batch.clone()),
        part: item.part.clone(),
        label: Some(item.label.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_settings_override_the_defaults_each_alone() {
        let none = DeliverySection::default();
        assert_eq!(RetryPolicy::from_settings(&none), RetryPolicy::default());
        assert_eq!(
            retention(&none),
            Retention {
                days: 90,
                entries: 10_000
            }
        );
        let set: DeliverySection = serde_json::from_str(
            r#"{"give_up_after_minutes": 30, "history_days": 7, "history_entries": 500}"#,
        )
        .expect("settings");
        assert_eq!(
            RetryPolicy::from_settings(&set).give_up_after,
            Duration::from_secs(1800)
        );
        assert_eq!(
            retention(&set),
            Retention {
                days: 7,
                entries: 500
            }
        );
        let typo = serde_json::from_str::<DeliverySection>(r#"{"history_dayz": 7}"#);
        assert!(typo.is_err(), "an unknown setting is an error, not ignored");
    }

    #[test]
    fn backoff_doubles_from_two_seconds_to_a_minute() {
        let secs: Vec<u64> = (1..=8).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [2, 4, 8, 16, 32, 60, 60, 60]);
    }

    /// A killed process nobody has reaped yet (a zombie) is dead: its
    /// items are free at once, not after its lease runs out. A live one,
    /// and this process, are not.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_zombie_owner_is_dead_and_a_live_one_is_not() {
        let mut live = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep");
        let mut quick = std::process::Command::new("true").spawn().expect("true");
        let zombie = format!("{}:1", quick.id());
        let deadline = Instant::now() + Duration::from_secs(10);
        // Not waited for, so it stays a zombie once it has exited.
        while !owner_is_dead(&zombie) {
            assert!(
                Instant::now() < deadline,
                "the exited child never counted as dead"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(std::path::Path::new(&format!("/proc/{}", quick.id())).exists());
        assert!(!owner_is_dead(&format!("{}:1", live.id())));
        assert!(!owner_is_dead(&format!("{}:1", std::process::id())));
        let _ = live.kill();
        let _ = live.wait();
        let _ = quick.wait();
    }
}
