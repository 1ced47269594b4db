//! The rate ledger: at most `limit` messages per robot in any rolling
//! `window` (WeCom: 20 per 60 s, "每个机器人发送的消息不能超过 20 条/分钟"),
//! counted across every `wecom` process on the machine.
//!
//! A sender reserves a slot ([`Ledger::reserve`]) in an `IMMEDIATE`
//! transaction, so two processes never take the same place; the slot may be
//! in the future (the sender sleeps until it). The window is a sliding one,
//! as the server's is: a slot is free when fewer than `limit` messages were
//! sent in the `window` before it. The server counts a message when it
//! receives it, somewhere between our send and its answer, so a used slot is
//! moved to the time the answer came ([`Ledger::settle`]); a slot whose
//! sender gave up before sending is given back ([`Ledger::release`], or by
//! dropping the [`SlotGuard`]). A 45009 from WeCom means someone this ledger
//! does not see uses the robot: [`Ledger::mark_full`] keeps every process off
//! it for a window.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::OptionalExtension;

use super::db::{Db, StoreError};
use crate::clock::now_ms;
use crate::wecom::limits;

/// Added to every wait: timers and the server's clock are not exact.
const SLACK_MS: u64 = 20;

/// A robot's rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: usize,
    pub window: Duration,
}

impl Default for Rate {
    /// WeCom's documented limit.
    fn default() -> Rate {
        Rate {
            limit: limits::RATE_LIMIT_MESSAGES,
            window: limits::RATE_LIMIT_WINDOW,
        }
    }
}

impl Rate {
    /// `limit` messages per `window` (at least one message).
    pub fn new(limit: usize, window: Duration) -> Rate {
        Rate {
            limit: limit.max(1),
            window,
        }
    }

    /// WeCom's limit, or `limit` / `window_ms` where given (the
    /// `WECOM_RATE_LIMIT` and `WECOM_RATE_WINDOW_MS` variables, for tests).
    pub fn with_overrides(limit: Option<usize>, window_ms: Option<u64>) -> Rate {
        let default = Rate::default();
        Rate::new(
            limit.unwrap_or(default.limit),
            window_ms.map_or(default.window, Duration::from_millis),
        )
    }

    /// WeCom's limit, or the `WECOM_RATE_LIMIT` / `WECOM_RATE_WINDOW_MS`
    /// overrides (tests with a short window), for the processes that take
    /// no rate flags: the composer and `wecom outbox`.
    pub fn from_env() -> Rate {
        fn number<T: std::str::FromStr>(name: &str) -> Option<T> {
            std::env::var(name).ok()?.trim().parse().ok()
        }
        Rate::with_overrides(number("WECOM_RATE_LIMIT"), number("WECOM_RATE_WINDOW_MS"))
    }

    fn window_ms(&self) -> u64 {
        u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX)
    }

    /// How often to try again when the server says 45009 and our own
    /// ledger has room: `window / limit` (3 s for WeCom).
    pub fn retry_step(&self) -> Duration {
        (self.window / self.limit as u32).max(Duration::from_millis(SLACK_MS))
    }
}

/// When the next slot opens for a robot whose slots in the window (and
/// reserved after it) are at `times`, sorted, and that is kept off until
/// `full_until` by a 45009 (0: not): now, or later when the window is full.
fn earliest_slot(times: &[u64], full_until: u64, now: u64, rate: Rate) -> u64 {
    let window = rate.window_ms();
    let at = if times.len() < rate.limit {
        now
    } else {
        // Free when the limit-th most recent message leaves the window.
        times[times.len() - rate.limit] + window + SLACK_MS
    };
    // A 45009 seen by a process with a longer window (WeCom's, while this
    // one runs with a test override) holds for our window at most.
    at.max(now).max(full_until.min(now + window))
}

/// `robot`'s slots after `since` (Unix ms), sorted, and until when a 45009
/// keeps it off (0: not).
fn slots_since(
    c: &rusqlite::Connection,
    robot: &str,
    since: i64,
) -> rusqlite::Result<(Vec<u64>, u64)> {
    let mut stmt = c.prepare_cached(
        "SELECT at_ms FROM ledger WHERE robot = ?1 AND at_ms > ?2 ORDER BY at_ms",
    )?;
    let times: Vec<u64> = stmt
        .query_map(rusqlite::params![robot, since], |r| r.get::<_, i64>(0))?
        .map(|t| t.map(ms))
        .collect::<Result<_, _>>()?;
    let full_until: u64 = c
        .query_row(
            "SELECT until_ms FROM robot_full WHERE robot = ?1",
            [robot],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .map_or(0, ms);
    Ok((times, full_until))
}

/// How much of a robot's rate limit is taken, for the quota beside each
/// robot ("14/20", "20/20 · next in 23 s").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Messages sent in the last window, and slots reserved for messages
    /// about to go; the limit while WeCom said 45009.
    pub used: usize,
    pub limit: usize,
    /// When the robot is full: when the next slot opens (Unix ms).
    pub next_slot_ms: Option<u64>,
}

impl Quota {
    /// From now until the next slot opens; `None` when one is free now.
    pub fn next_in(&self, now_ms: u64) -> Option<Duration> {
        self.next_slot_ms
            .map(|at| Duration::from_millis(at.saturating_sub(now_ms)))
    }

    /// `14/20`, or `20/20, next in 23 s` when full (seconds rounded up, so
    /// "0 s" is never shown while it is still full).
    pub fn label(&self, now_ms: u64) -> String {
        match self.next_in(now_ms) {
            Some(wait) => format!(
                "{}/{}, next in {} s",
                self.used,
                self.limit,
                wait.as_millis().div_ceil(1000).max(1)
            ),
            None => format!("{}/{}", self.used, self.limit),
        }
    }
}

/// A place in a robot's window, reserved in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    id: i64,
    pub robot: String,
    /// When the message may be sent, in Unix milliseconds.
    pub at_ms: u64,
}

impl Reservation {
    /// How long to wait from now before sending.
    pub fn wait(&self) -> Duration {
        Duration::from_millis(self.at_ms.saturating_sub(now_ms()))
    }
}

/// The shared ledger, one per process, over the shared database.
#[derive(Debug, Clone)]
pub struct Ledger {
    db: Arc<Db>,
    rate: Rate,
}

fn ms(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Ledger {
    pub fn new(db: Arc<Db>, rate: Rate) -> Ledger {
        Ledger { db, rate }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Reserves the earliest slot for `robot` if it is at most `max_wait`
    /// away (`None`: any wait); otherwise reserves nothing and returns, as
    /// `Ok(Err(wait))`, how long until a slot would be free. `item` ties the
    /// reservation to an outbox item, so an abandoned one can be found.
    pub fn reserve(
        &self,
        robot: &str,
        max_wait: Option<Duration>,
        item: Option<i64>,
    ) -> Result<Result<Reservation, Duration>, StoreError> {
        let now = now_ms();
        let window = self.rate.window_ms();
        self.db.write(|tx| {
            // A slot already held for this item ([`Ledger::reserve_each`]):
            // it is the item's, taken when its batch was checked.
            if let Some(item) = item
                && let Some((id, at)) = tx
                    .query_row(
                        "SELECT id, at_ms FROM ledger WHERE item = ?1 AND robot = ?2 AND settled = 0",
                        rusqlite::params![item, robot],
                        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
                    )
                    .optional()?
            {
                return Ok(Ok(Reservation {
                    id,
                    robot: robot.to_owned(),
                    at_ms: ms(at),
                }));
            }
            tx.execute(
                "DELETE FROM ledger WHERE robot = ?1 AND at_ms <= ?2",
                rusqlite::params![robot, sql(now.saturating_sub(window))],
            )?;
            let (times, full_until) = slots_since(tx, robot, 0)?;
            let at = earliest_slot(&times, full_until, now, self.rate);
            let wait = Duration::from_millis(at - now);
            if max_wait.is_some_and(|max| wait > max) {
                return Ok(Err(wait));
            }
            tx.execute(
                "INSERT INTO ledger (robot, at_ms, settled, item) VALUES (?1, ?2, 0, ?3)",
                rusqlite::params![robot, sql(at), item],
            )?;
            Ok(Ok(Reservation {
                id: tx.last_insert_rowid(),
                robot: robot.to_owned(),
                at_ms: at,
            }))
        })
    }

    /// Reserves one slot for each of `items`, in order, in one transaction,
    /// if the last of them is at most `max_wait` away; otherwise reserves
    /// none and returns how long until the last would be free. A batch
    /// that is let in thus holds every slot it needs: no other sender can
    /// take them between the check and the sends, and each item's
    /// [`Ledger::reserve`] finds its own.
    pub fn reserve_each(
        &self,
        robot: &str,
        items: &[i64],
        max_wait: Duration,
    ) -> Result<Result<Vec<Reservation>, Duration>, StoreError> {
        let now = now_ms();
        let window = self.rate.window_ms();
        self.db.write(|tx| {
            tx.execute(
                "DELETE FROM ledger WHERE robot = ?1 AND at_ms <= ?2",
                rusqlite::params![robot, sql(now.saturating_sub(window))],
            )?;
            let (mut times, full_until) = slots_since(tx, robot, 0)?;
            let mut slots = Vec::with_capacity(items.len());
            for _ in items {
                let at = earliest_slot(&times, full_until, now, self.rate);
                let wait = Duration::from_millis(at - now);
                if wait > max_wait {
                    return Ok(Err(wait));
                }
                let place = times.partition_point(|t| *t <= at);
                times.insert(place, at);
                slots.push(at);
            }
            let mut held = Vec::with_capacity(items.len());
            for (item, at) in items.iter().zip(slots) {
                tx.execute(
                    "INSERT INTO ledger (robot, at_ms, settled, item) VALUES (?1, ?2, 0, ?3)",
                    rusqlite::params![robot, sql(at), item],
                )?;
                held.push(Reservation {
                    id: tx.last_insert_rowid(),
                    robot: robot.to_owned(),
                    at_ms: at,
                });
            }
            Ok(Ok(held))
        })
    }

    /// Moves a used slot to now, when the server's answer came: the server
    /// counted the message at some point before that.
    pub fn settle(&self, slot: &Reservation) -> Result<(), StoreError> {
        let now = sql(now_ms());
        self.db.with(|c| {
            c.execute(
                "UPDATE ledger SET at_ms = MAX(at_ms, ?2), settled = 1 WHERE id = ?1",
                rusqlite::params![slot.id, now],
            )
            .map(drop)
        })
    }

    /// Gives back a slot that was not used: nothing was sent.
    pub fn release(&self, slot: &Reservation) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "DELETE FROM ledger WHERE id = ?1 AND settled = 0",
                [slot.id],
            )
            .map(drop)
        })
    }

    /// WeCom said 45009 though our ledger had room: someone else uses the
    /// robot, and their messages leave the server's window at most one
    /// window from now. No process reserves a slot before then.
    pub fn mark_full(&self, robot: &str) -> Result<(), StoreError> {
        let until = sql(now_ms().saturating_add(self.rate.window_ms()));
        self.db.with(|c| {
            c.execute(
                "INSERT INTO robot_full (robot, until_ms) VALUES (?1, ?2)
                 ON CONFLICT (robot) DO UPDATE SET until_ms = MAX(until_ms, ?2)",
                rusqlite::params![robot, until],
            )
            .map(drop)
        })
    }

    /// How much of `robot`'s limit is taken now, and when full, when the
    /// next slot opens: what [`Ledger::reserve`] would answer, read without
    /// reserving or writing anything (cheap enough for every robot of a
    /// list, on each redraw).
    pub fn quota(&self, robot: &str) -> Result<Quota, StoreError> {
        let now = now_ms();
        let since = sql(now.saturating_sub(self.rate.window_ms()));
        let (times, full_until) = self.db.with(|c| slots_since(c, robot, since))?;
        let at = earliest_slot(&times, full_until, now, self.rate);
        let full = at > now;
        Ok(Quota {
            used: if full {
                times.len().max(self.rate.limit)
            } else {
                times.len()
            },
            limit: self.rate.limit,
            next_slot_ms: full.then_some(at),
        })
    }

    /// Sent or reserved messages of `robot` in the current window.
    pub fn used(&self, robot: &str) -> Result<usize, StoreError> {
        let since = sql(now_ms().saturating_sub(self.rate.window_ms()));
        self.db.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM ledger WHERE robot = ?1 AND at_ms > ?2",
                rusqlite::params![robot, since],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or(0))
        })
    }
}

/// A reservation that is given back when dropped unless it was settled:
/// a sender that stops waiting (a relay client that hung up, a cancelled
/// task) frees its place for the others.
#[derive(Debug)]
pub struct SlotGuard {
    ledger: Ledger,
    slot: Option<Reservation>,
}

impl SlotGuard {
    pub fn new(ledger: Ledger, slot: Reservation) -> SlotGuard {
        SlotGuard {
            ledger,
            slot: Some(slot),
        }
    }

    pub fn slot(&self) -> Option<&Reservation> {
        self.slot.as_ref()
    }

    /// The request reached (or may have reached) WeCom: the slot is used.
    pub fn settle(mut self) {
        if let Some(slot) = self.slot.take()
            && let Err(e) = self.ledger.settle(&slot)
        {
            tracing::warn!("the rate ledger could not be updated: {e}");
        }
    }
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            tracing::debug!(robot = %&slot.robot[..8.min(slot.robot.len())], "slot released unused");
            if let Err(e) = self.ledger.release(&slot) {
                tracing::warn!("the rate ledger could not release a slot: {e}");
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Whether a slot is free now.
    fn free_now(l: &Ledger, robot: &str) -> bool {
        l.reserve(robot, Some(Duration::ZERO), None)
            .unwrap()
            .is_ok()
    }

    /// The wait refused for a slot at most `max` away.
    fn refused_wait(l: &Ledger, robot: &str, max: Duration) -> Duration {
        l.reserve(robot, Some(max), None).unwrap().unwrap_err()
    }

    fn ledger(limit: usize, window: Duration) -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        (dir, Ledger::new(db, Rate::new(limit, window)))
    }

    /// A batch takes all its slots at once or none: no other sender gets
    /// one between its check and its sends, and each of its items finds
    /// the slot held for it.
    #[test]
    fn a_batch_holds_every_slot_it_needs_or_none() {
        let (_dir, l) = ledger(3, Duration::from_secs(60));
        let too_many = l
            .reserve_each("r", &[1, 2, 3, 4], Duration::from_secs(5))
            .unwrap();
        assert!(too_many.unwrap_err() > Duration::from_secs(59));
        assert_eq!(l.used("r").unwrap(), 0, "a refused batch holds nothing");

        let held = l
            .reserve_each("r", &[1, 2], Duration::ZERO)
            .unwrap()
            .unwrap();
        assert_eq!(held.len(), 2);
        assert!(held.iter().all(|s| s.wait() == Duration::ZERO));
        // One slot is left for anyone else, and then none.
        assert!(free_now(&l, "r"));
        assert!(!free_now(&l, "r"));
        // Item 2's own delivery gets the slot held for it, not a new one.
        let mine = l
            .reserve("r", Some(Duration::ZERO), Some(2))
            .unwrap()
            .unwrap();
        assert_eq!(mine.id, held[1].id);
        assert_eq!(l.used("r").unwrap(), 3);
        // Given back unused (the batch stopped): free for others again.
        l.release(&held[0]).unwrap();
        assert!(free_now(&l, "r"));
    }

    #[test]
    fn the_first_limit_messages_go_at_once_then_the_window_is_waited() {
        let (_dir, l) = ledger(3, Duration::from_secs(60));
        for _ in 0..3 {
            let slot = l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
            assert_eq!(slot.wait(), Duration::ZERO);
        }
        let wait = refused_wait(&l, "r", Duration::from_secs(1));
        assert!(wait > Duration::from_secs(59), "{wait:?}");
        // Another robot has its own window.
        assert!(free_now(&l, "other"));
        // Without a maximum the slot is reserved a window later.
        let slot = l.reserve("r", None, None).unwrap().unwrap();
        assert!(slot.wait() > Duration::from_secs(59));
    }

    #[test]
    fn two_ledgers_on_one_file_share_the_window() {
        let (dir, one) = ledger(2, Duration::from_secs(60));
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        let two = Ledger::new(db, Rate::new(2, Duration::from_secs(60)));
        one.reserve("r", Some(Duration::ZERO), None)
            .unwrap()
            .unwrap();
        two.reserve("r", Some(Duration::ZERO), None)
            .unwrap()
            .unwrap();
        assert!(
            one.reserve("r", Some(Duration::ZERO), None)
                .unwrap()
                .is_err()
        );
        assert!(
            two.reserve("r", Some(Duration::ZERO), None)
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn a_dropped_guard_gives_its_slot_back_and_a_settled_one_keeps_it() {
        let (_dir, l) = ledger(1, Duration::from_secs(60));
        let slot = l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
        drop(SlotGuard::new(l.clone(), slot));
        assert_eq!(l.used("r").unwrap(), 0);
        let slot = l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
        SlotGuard::new(l.clone(), slot).settle();
        assert_eq!(l.used("r").unwrap(), 1);
        assert!(l.reserve("r", Some(Duration::ZERO), None).unwrap().is_err());
    }

    #[test]
    fn a_45009_keeps_everyone_off_the_robot_for_a_window() {
        let (_dir, l) = ledger(20, Duration::from_secs(60));
        l.mark_full("r").unwrap();
        let wait = refused_wait(&l, "r", Duration::from_secs(30));
        assert!(wait > Duration::from_secs(59), "{wait:?}");
        assert!(free_now(&l, "other"));
    }

    #[test]
    fn the_quota_counts_the_window_and_says_when_the_next_slot_opens() {
        let (_dir, l) = ledger(3, Duration::from_secs(60));
        let q = l.quota("r").unwrap();
        assert_eq!((q.used, q.limit, q.next_slot_ms), (0, 3, None));
        let first = l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
        l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
        let q = l.quota("r").unwrap();
        assert_eq!((q.used, q.next_slot_ms), (2, None));
        assert_eq!(q.label(now_ms()), "2/3");
        l.reserve("r", Some(Duration::ZERO), None).unwrap().unwrap();
        let q = l.quota("r").unwrap();
        assert_eq!(q.used, 3);
        // Full: the next slot is when the oldest leaves the window, the
        // time reserve() itself would choose.
        let next = q.next_slot_ms.unwrap();
        assert_eq!(next, first.at_ms + 60_000 + SLACK_MS);
        let wait = l
            .reserve("r", Some(Duration::ZERO), None)
            .unwrap()
            .unwrap_err();
        let from_reserve = now_ms() + u64::try_from(wait.as_millis()).unwrap();
        assert!(from_reserve.abs_diff(next) < 1_000, "{from_reserve} {next}");
        assert_eq!(q.label(next - 23_000), "3/3, next in 23 s");
        assert_eq!(q.label(next - 22_001), "3/3, next in 23 s");
        assert_eq!(q.next_in(next + 5), Some(Duration::ZERO));
        // Another robot is untouched; a 45009 makes it full for a window.
        assert_eq!(l.quota("other").unwrap().used, 0);
        l.mark_full("other").unwrap();
        let q = l.quota("other").unwrap();
        assert_eq!(q.used, 3);
        assert!(q.next_in(now_ms()).unwrap() > Duration::from_secs(59));
    }

    #[test]
    fn retries_after_a_refusal_come_every_window_over_limit() {
        assert_eq!(Rate::default().retry_step(), Duration::from_secs(3));
    }
}
