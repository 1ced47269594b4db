//! Pacing messages under WeCom's rate limit: at most 20 messages per robot in
//! any 60 seconds ("每个机器人发送的消息不能超过 20 条/分钟").
//!
//! A batch of 25 messages should arrive, not fail at the 21st, so a sender
//! reserves a slot with [`Pacer::reserve`] and waits for it. The window is a
//! sliding one, as the server's is: a slot is free when fewer than `limit`
//! messages were sent in the `window` before it. The server counts a message
//! when it receives it, somewhere between our send and its answer, so a slot
//! is moved to the time the answer came ([`Pacer::settle`]); that way our
//! window never closes before the server's. Shared by `wecom send` (which
//! waits as long as needed) and the relay (which waits briefly, then answers
//! 429 with Retry-After).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::wecom::limits;

/// Added to every wait: timers and the server's clock are not exact.
const SLACK: Duration = Duration::from_millis(20);

/// Per-robot sliding windows of sent (or reserved) messages.
#[derive(Debug)]
pub struct Pacer {
    limit: usize,
    window: Duration,
    slots: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// A reserved place in a robot's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    robot: String,
    /// When the message may be sent.
    pub at: Instant,
}

impl Slot {
    /// How long to wait from now before sending.
    pub fn wait(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

impl Default for Pacer {
    /// WeCom's documented limit.
    fn default() -> Pacer {
        Pacer::new(limits::RATE_LIMIT_MESSAGES, limits::RATE_LIMIT_WINDOW)
    }
}

impl Pacer {
    /// `limit` messages per `window` per robot (at least 1 message).
    pub fn new(limit: usize, window: Duration) -> Pacer {
        Pacer {
            limit: limit.max(1),
            window,
            slots: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// Reserves the earliest slot for `robot` if it is at most `max_wait`
    /// away (`None`: any wait); otherwise reserves nothing and returns how
    /// long until a slot would be free.
    pub fn reserve(&self, robot: &str, max_wait: Option<Duration>) -> Result<Slot, Duration> {
        let now = Instant::now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let times = slots.entry(robot.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        let at = if times.len() < self.limit {
            now
        } else {
            // The slot frees when the limit-th most recent message leaves the window.
            (times[times.len() - self.limit] + self.window + SLACK).max(now)
        };
        let wait = at.saturating_duration_since(now);
        if max_wait.is_some_and(|max| wait > max) {
            return Err(wait);
        }
        let index = times.partition_point(|t| *t <= at);
        times.insert(index, at);
        Ok(Slot {
            robot: robot.to_owned(),
            at,
        })
    }

    /// Reserves a slot and sleeps until it; see [`Pacer::reserve`].
    pub async fn acquire(&self, robot: &str, max_wait: Option<Duration>) -> Result<Slot, Duration> {
        let slot = self.reserve(robot, max_wait)?;
        tokio::time::sleep_until(slot.at.into()).await;
        Ok(slot)
    }

    /// Moves a used slot to now, when the server's answer came: the server
    /// counted the message at some point before that.
    pub fn settle(&self, slot: &Slot) {
        let now = Instant::now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(times) = slots.get_mut(&slot.robot)
            && let Some(index) = times.iter().position(|t| *t == slot.at)
        {
            times.remove(index);
            let at = now.max(slot.at);
            let index = times.partition_point(|t| *t <= at);
            times.insert(index, at);
        }
    }

    /// How long to wait before trying again after the server said 45009
    /// although our window had room: someone else (another process, another
    /// program) is sending through the same robot. The server's oldest
    /// counted message leaves its window within a window, so trying every
    /// `window / limit` (3 s for WeCom) catches the first free moment without
    /// hammering the server.
    pub fn retry_step(&self) -> Duration {
        (self.window / self.limit as u32).max(SLACK)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_first_limit_messages_go_at_once_then_the_window_is_waited() {
        let pacer = Pacer::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(
                pacer.reserve("r", Some(Duration::ZERO)).unwrap().wait(),
                Duration::ZERO
            );
        }
        let wait = pacer
            .reserve("r", Some(Duration::from_secs(1)))
            .unwrap_err();
        assert!(wait > Duration::from_secs(59), "{wait:?}");
        // Another robot has its own window.
        assert!(pacer.reserve("other", Some(Duration::ZERO)).is_ok());
        // Without a maximum the slot is reserved a window later.
        let slot = pacer.reserve("r", None).unwrap();
        assert!(slot.wait() > Duration::from_secs(59));
        let next = pacer.reserve("r", None).unwrap();
        assert!(next.at >= slot.at);
    }

    #[tokio::test]
    async fn a_short_window_is_waited_for_and_reopens() {
        let pacer = Pacer::new(2, Duration::from_millis(200));
        let started = Instant::now();
        for _ in 0..5 {
            let slot = pacer.acquire("r", None).await.unwrap();
            pacer.settle(&slot);
        }
        // Messages 3-4 wait one window, message 5 a second one.
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }

    #[test]
    fn after_a_refusal_retries_come_every_window_over_limit() {
        assert_eq!(Pacer::default().retry_step(), Duration::from_secs(3));
        let fast = Pacer::new(20, Duration::from_millis(100));
        assert_eq!(fast.retry_step(), SLACK);
    }
}
