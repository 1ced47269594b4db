//! Summarising repeats, so a flood of the same refusal writes a line a
//! second instead of a line a request.
//!
//! A server under a flood of bad requests (a script retrying a revoked key
//! in a loop, a load test) would otherwise write hundreds of megabytes of
//! identical lines. [`RepeatSummary`] lets the first occurrence of each kind
//! in a period through in full and counts the rest; at the end of the period
//! [`RepeatSummary::due`] returns one count per kind that had repeats. Used
//! by `wecom sandbox`'s console; meant for any log of refusals (the relay's
//! 404s and 429s too).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How many distinct kinds are tracked at once; beyond that, new kinds are
/// counted under [`RepeatSummary::OTHER`], so memory stays bounded whatever
/// the kinds are made of.
const MAX_KINDS: usize = 256;

/// Counts repeated events per kind over a period (see the module docs).
#[derive(Debug)]
pub struct RepeatSummary {
    period: Duration,
    kinds: HashMap<String, Slot>,
}

#[derive(Debug)]
struct Slot {
    /// When the first occurrence of this period was let through.
    since: Instant,
    /// Occurrences held back since then.
    held: u64,
}

/// Repeats of one kind held back during one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeats {
    pub kind: String,
    /// How many were held back (not shown in full).
    pub count: u64,
    /// Over how long (from the one shown in full to the end of the period).
    pub over: Duration,
}

impl RepeatSummary {
    /// The kind new kinds are counted under once [`MAX_KINDS`] are tracked.
    pub const OTHER: &'static str = "other";

    /// A summary that shows each kind at most once per `period`.
    pub fn new(period: Duration) -> RepeatSummary {
        RepeatSummary {
            period,
            kinds: HashMap::new(),
        }
    }

    /// Records one event of `kind` at `now`. `true`: show it in full (the
    /// first of its kind this period); `false`: it was counted, and will be
    /// in the next [`RepeatSummary::due`] instead.
    pub fn note(&mut self, kind: &str, now: Instant) -> bool {
        let kind = if self.kinds.contains_key(kind) || self.kinds.len() < MAX_KINDS {
            kind
        } else {
            Self::OTHER
        };
        match self.kinds.get_mut(kind) {
            Some(slot) if now.saturating_duration_since(slot.since) < self.period => {
                slot.held += 1;
                false
            }
            Some(slot) => {
                // The period is over but `due` was not asked in between: a
                // fresh period starts with this one shown. Whatever was held
                // is still reported by the next `due`.
                if slot.held == 0 {
                    slot.since = now;
                    true
                } else {
                    slot.held += 1;
                    false
                }
            }
            None => {
                self.kinds.insert(
                    kind.to_owned(),
                    Slot {
                        since: now,
                        held: 0,
                    },
                );
                true
            }
        }
    }

    /// The kinds whose period has ended by `now` with events held back, one
    /// [`Repeats`] each, in no particular order. Kinds whose period ended
    /// quietly are forgotten, so the next one is shown in full again.
    pub fn due(&mut self, now: Instant) -> Vec<Repeats> {
        let period = self.period;
        let mut out = Vec::new();
        self.kinds.retain(|kind, slot| {
            let elapsed = now.saturating_duration_since(slot.since);
            if elapsed < period {
                return true;
            }
            if slot.held > 0 {
                out.push(Repeats {
                    kind: kind.clone(),
                    count: slot.held,
                    over: elapsed,
                });
            }
            false
        });
        out
    }

    /// Everything still held back, whatever the time (for a last line at
    /// shutdown).
    pub fn flush(&mut self, now: Instant) -> Vec<Repeats> {
        let mut out: Vec<Repeats> = self
            .kinds
            .drain()
            .filter(|(_, slot)| slot.held > 0)
            .map(|(kind, slot)| Repeats {
                kind,
                count: slot.held,
                over: now.saturating_duration_since(slot.since),
            })
            .collect();
        out.sort_by(|a, b| a.kind.cmp(&b.kind));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_first_of_a_kind_is_shown_and_the_rest_counted() {
        let mut s = RepeatSummary::new(SECOND);
        let t0 = Instant::now();
        assert!(s.note("93000", t0));
        for i in 1..=1000 {
            assert!(!s.note("93000", t0 + Duration::from_micros(i)));
        }
        // Another kind is shown at once, even in the same period.
        assert!(s.note("45009", t0));
        assert!(s.due(t0 + SECOND / 2).is_empty(), "the period is not over");
        let due = s.due(t0 + SECOND);
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(due[0].kind, "93000");
        assert_eq!(due[0].count, 1000);
        // After the period, the next one is shown in full again.
        assert!(s.note("93000", t0 + 2 * SECOND));
    }

    #[test]
    fn kinds_are_bounded() {
        let mut s = RepeatSummary::new(SECOND);
        let t0 = Instant::now();
        for i in 0..10_000 {
            s.note(&format!("kind-{i}"), t0);
        }
        assert!(s.kinds.len() <= MAX_KINDS + 1, "{}", s.kinds.len());
        let flushed = s.flush(t0);
        let other = flushed.iter().find(|r| r.kind == RepeatSummary::OTHER);
        assert_eq!(
            other.map(|r| r.count),
            Some(10_000 - MAX_KINDS as u64 - 1),
            "all but the first 'other' are held: {flushed:?}"
        );
    }

    #[test]
    fn held_events_survive_a_late_due() {
        let mut s = RepeatSummary::new(SECOND);
        let t0 = Instant::now();
        assert!(s.note("k", t0));
        assert!(!s.note("k", t0));
        // No `due` in between: the late one is held, not lost.
        assert!(!s.note("k", t0 + 3 * SECOND));
        assert_eq!(s.due(t0 + 3 * SECOND)[0].count, 2);
    }
}
