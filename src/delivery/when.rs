//! When a message sent later is due: `--at 18:00`, `--at 2026-12-02T09:00`,
//! `--in 30m`, and the composer's forms `+30m` and `tomorrow 09:00`.
//!
//! The parser lives here, not in the command line, so the composer and
//! `wecom send` read the same forms the same way. Times of day are local
//! (the machine's time zone); a time of day already past today means
//! tomorrow, and [`Due::rolled_over`] says so, so the caller can tell the
//! user rather than surprise them.

use std::time::Duration;

use chrono::{DateTime, Days, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// A due time, and whether a time of day was moved to tomorrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// A time of day (`18:00`) had already passed today: it means tomorrow.
    pub rolled_over: bool,
}

/// A duration such as `30m`, `2s`, `1h30m`, `2d` or `90` (seconds); a
/// leading `+` is allowed (`+30m`).
pub fn parse_in(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t).trim();
    if t.is_empty() {
        return Err(in_help(text));
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(in_help(text)),
        };
        let n: u64 = number.parse().map_err(|_| in_help(text))?;
        number.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| in_help(text))?;
    }
    if !number.is_empty() {
        return Err(in_help(text));
    }
    Ok(Duration::from_secs(total))
}

fn in_help(text: &str) -> String {
    crate::tr!("when.not_a_delay", text = crate::untrusted::one_line(text)).into_owned()
}

/// `--in`: `now` plus the delay.
pub fn due_in(text: &str, now_ms: i64) -> Result<Due, String> {
    let delay = parse_in(text)?;
    let ms = i64::try_from(delay.as_millis()).map_err(|_| in_help(text))?;
    Ok(Due {
        at_ms: now_ms.saturating_add(ms),
        rolled_over: false,
    })
}

/// `--at` or the composer's field, in local time: `18:00`, `18:00:30`,
/// `tomorrow 09:00`, `2026-12-02T09:00`, `2026-12-02 09:00`, an RFC 3339
/// time with its offset, or `+30m`.
pub fn due_at(text: &str, now: DateTime<Local>) -> Result<Due, String> {
    due_at_in(text, now)
}

/// [`due_at`] in any time zone (for tests).
pub fn due_at_in<Tz: TimeZone>(text: &str, now: DateTime<Tz>) -> Result<Due, String> {
    let t = text.trim();
    if t.starts_with('+') {
        return due_in(t, now.timestamp_millis());
    }
    if let Ok(fixed) = DateTime::parse_from_rfc3339(t) {
        return absolute(fixed.timestamp_millis(), now.timestamp_millis(), text);
    }
    let zone = now.timezone();
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            let ms = local_ms(&zone, naive, text)?;
            return absolute(ms, now.timestamp_millis(), text);
        }
    }
    let (tomorrow, clock) = match t.strip_prefix("tomorrow") {
        Some(rest) => (true, rest.trim()),
        None => (false, t),
    };
    let time = parse_clock(clock).ok_or_else(|| at_help(text))?;
    let today: NaiveDate = now.naive_local().date();
    let day = if tomorrow {
        today.checked_add_days(Days::new(1))
    } else {
        Some(today)
    }
    .ok_or_else(|| at_help(text))?;
    let ms = local_ms(&zone, day.and_time(time), text)?;
    if tomorrow || ms > now.timestamp_millis() {
        return Ok(Due {
            at_ms: ms,
            rolled_over: false,
        });
    }
    let next = day
        .checked_add_days(Days::new(1))
        .ok_or_else(|| at_help(text))?;
    Ok(Due {
        at_ms: local_ms(&zone, next.and_time(time), text)?,
        rolled_over: true,
    })
}

fn parse_clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

fn local_ms<Tz: TimeZone>(zone: &Tz, naive: NaiveDateTime, text: &str) -> Result<i64, String> {
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            crate::tr!("when.skipped", text = crate::untrusted::one_line(text)).into_owned()
        })
}

fn absolute(ms: i64, now_ms: i64, text: &str) -> Result<Due, String> {
    if ms <= now_ms {
        return Err(
            crate::tr!("when.passed", text = crate::untrusted::one_line(text)).into_owned(),
        );
    }
    Ok(Due {
        at_ms: ms,
        rolled_over: false,
    })
}

fn at_help(text: &str) -> String {
    crate::tr!("when.not_a_time", text = crate::untrusted::one_line(text)).into_owned()
}

/// A short "in 2 h 5 min" for a time to come (or "now").
pub fn countdown(from_ms: i64, to_ms: i64) -> String {
    let secs = (to_ms - from_ms).max(0).div_euclid(1000);
    if secs == 0 {
        return crate::tr!("when.now").into_owned();
    }
    crate::tr!("when.in", span = span(Duration::from_secs(secs as u64))).into_owned()
}

/// A duration for people: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`.
pub fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => crate::tr!("when.s", s = s),
        60..3600 if s.is_multiple_of(60) => crate::tr!("when.min", m = s / 60),
        60..3600 => crate::tr!("when.min_s", m = s / 60, s = s % 60),
        3600..86_400 if s.is_multiple_of(3600) => crate::tr!("when.h", h = s / 3600),
        3600..86_400 => crate::tr!("when.h_min", h = s / 3600, m = (s % 3600) / 60),
        _ => crate::tr!("when.d_h", d = s / 86_400, h = (s % 86_400) / 3600),
    }
    .into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn shanghai(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn at(text: &str, now: &str) -> Result<Due, String> {
        due_at_in(text, shanghai(now))
    }

    fn ms(text: &str) -> i64 {
        shanghai(text).timestamp_millis()
    }

    #[test]
    fn delays_in_the_documented_forms() {
        assert_eq!(parse_in("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_in("+30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_in("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_in("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_in("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_in("90"), Ok(Duration::from_secs(90)));
        for bad in ["", "+", "30x", "m", "30m5", "-5m"] {
            let err = parse_in(bad).unwrap_err();
            assert!(err.contains("30m"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_time_of_day_still_to_come_is_today() {
        let due = at("18:00", "2026-12-01T09:00:00+08:00").unwrap();
        assert_eq!(due.at_ms, ms("2026-12-01T18:00:00+08:00"));
        assert!(!due.rolled_over);
    }

    #[test]
    fn a_time_of_day_already_past_means_tomorrow_and_says_so() {
        let due = at("18:00", "2026-12-01T19:30:00+08:00").unwrap();
        assert_eq!(due.at_ms, ms("2026-12-02T18:00:00+08:00"));
        assert!(due.rolled_over);
        // Exactly now has passed too.
        let due = at("18:00", "2026-12-01T18:00:00+08:00").unwrap();
        assert!(due.rolled_over);
    }

    #[test]
    fn tomorrow_dates_and_offsets() {
        let now = "2026-12-31T23:00:00+08:00";
        assert_eq!(
            at("tomorrow 09:00", now).unwrap().at_ms,
            ms("2027-01-01T09:00:00+08:00")
        );
        assert_eq!(
            at("2027-01-02T09:00", now).unwrap().at_ms,
            ms("2027-01-02T09:00:00+08:00")
        );
        assert_eq!(
            at("2027-01-02 09:00:30", now).unwrap().at_ms,
            ms("2027-01-02T09:00:30+08:00")
        );
        assert_eq!(
            at("2027-01-02T01:00:00Z", now).unwrap().at_ms,
            ms("2027-01-02T09:00:00+08:00")
        );
        assert_eq!(
            at("+30m", now).unwrap().at_ms,
            ms("2026-12-31T23:30:00+08:00")
        );
    }

    #[test]
    fn a_date_that_passed_or_nonsense_is_refused_with_the_forms() {
        let err = at("2026-11-30T09:00", "2026-12-01T09:00:00+08:00").unwrap_err();
        assert!(err.contains("already passed"), "{err}");
        for bad in ["25:00", "soon", "tomorrow", "18h"] {
            let err = at(bad, "2026-12-01T09:00:00+08:00").unwrap_err();
            assert!(err.contains("tomorrow 09:00"), "{bad}: {err}");
        }
    }

    #[test]
    fn spans_for_people() {
        assert_eq!(span(Duration::from_secs(45)), "45 s");
        assert_eq!(span(Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(span(Duration::from_secs(120)), "2 min");
        assert_eq!(span(Duration::from_secs(7500)), "2 h 5 min");
        assert_eq!(span(Duration::from_secs(3600)), "1 h");
        assert_eq!(countdown(0, 1_800_000), "in 30 min");
        assert_eq!(countdown(5, 0), "now");
    }
}
