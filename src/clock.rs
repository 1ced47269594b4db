//! The wall clock, read the same way everywhere (0 if the clock is before
//! 1970, rather than a panic).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Seconds since the Unix epoch (WeCom's `created_at` is in these).
pub fn now_unix() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}

/// The clock the composer reads to draw countdowns ("12 s"): the wall clock,
/// or, in tests, one held still, so a snapshot of a countdown does not
/// depend on how long the machine took to draw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    /// Always this many milliseconds since the Unix epoch.
    Fixed(u64),
}

impl Clock {
    /// Milliseconds since the Unix epoch, by this clock.
    pub fn now_ms(self) -> u64 {
        match self {
            Clock::System => now_ms(),
            Clock::Fixed(ms) => ms,
        }
    }
}
