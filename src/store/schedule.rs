//! Schedules: messages sent on a cron pattern (`wecom schedule add`). Each
//! run becomes outbox items with a due time, so checks, pacing, retries and
//! the history apply to it as to any send.
//!
//! This module is storage only; when a pattern runs is computed by
//! [`crate::delivery::due`] (croner), which hands [`Schedules::take_due`] a
//! function for it. A run is taken in the same `IMMEDIATE` transaction that
//! moves the schedule on, so two workers never turn one run into two sends.

use std::sync::Arc;

use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

use super::db::{Db, StoreError};
use super::outbox::{self, DueAt, NewItem};

/// A recurring message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    /// A cron pattern, 5 fields or 6 with seconds first.
    pub cron: String,
    /// An IANA zone (`Asia/Shanghai`); `None`: the machine's local time.
    pub tz: Option<String>,
    /// The messages of each run (robots by name and fingerprint).
    pub items: Vec<NewItem>,
    pub paused: bool,
    /// The next run (Unix ms); `None` when the pattern has no more.
    pub next_ms: Option<i64>,
    pub last_run_ms: Option<i64>,
    pub runs: i64,
    pub created_ms: i64,
}

/// A run turned into outbox items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub schedule: String,
    /// The run's time (Unix ms), which is the items' due time.
    pub at_ms: i64,
    /// Earlier runs that were missed (no worker was running) and are not
    /// sent: only the latest missed run is.
    pub skipped: u64,
}

/// When a schedule runs, as [`Schedules::take_due`] needs it.
pub struct Timing {
    /// The latest run at or before `now`, and how many runs between the
    /// schedule's due run and that one were skipped.
    pub latest: i64,
    pub skipped: u64,
    /// The first run after `now`.
    pub next: Option<i64>,
}

const COLUMNS: &str = "id, name, cron, tz, items, paused, next_ms, last_run_ms, runs, created_ms";

fn schedule(row: &Row<'_>) -> rusqlite::Result<Schedule> {
    let items: String = row.get(4)?;
    Ok(Schedule {
        id: row.get(0)?,
        name: row.get(1)?,
        cron: row.get(2)?,
        tz: row.get(3)?,
        items: serde_json::from_str(&items).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?,
        paused: row.get::<_, i64>(5)? != 0,
        next_ms: row.get(6)?,
        last_run_ms: row.get(7)?,
        runs: row.get(8)?,
        created_ms: row.get(9)?,
    })
}

/// The schedules over the shared database.
#[derive(Debug, Clone)]
pub struct Schedules {
    db: Arc<Db>,
}

impl Schedules {
    pub fn new(db: Arc<Db>) -> Schedules {
        Schedules { db }
    }

    /// Adds a schedule; `Ok(false)` when one of that name exists.
    pub fn add(
        &self,
        name: &str,
        cron: &str,
        tz: Option<&str>,
        items: &[NewItem],
        next_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(items).map_err(|e| StoreError::Task(e.to_string()))?;
        self.db
            .with(|c| {
                c.execute(
                    "INSERT INTO schedules (name, cron, tz, items, next_ms, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
                    rusqlite::params![name, cron, tz, json, next_ms, now_ms],
                )
            })
            .map(|n| n > 0)
    }

    /// Every schedule, by name.
    pub fn list(&self) -> Result<Vec<Schedule>, StoreError> {
        self.db.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM schedules ORDER BY name"))?;
            stmt.query_map([], schedule)?.collect()
        })
    }

    pub fn get(&self, name: &str) -> Result<Option<Schedule>, StoreError> {
        self.db.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM schedules WHERE name = ?1"),
                [name],
                schedule,
            )
            .optional()
        })
    }

    /// Removes a schedule (its runs already in the outbox stay there).
    pub fn remove(&self, name: &str) -> Result<bool, StoreError> {
        self.db
            .with(|c| c.execute("DELETE FROM schedules WHERE name = ?1", [name]))
            .map(|n| n > 0)
    }

    /// Pauses or resumes; a resumed schedule runs next at `next_ms` (the
    /// runs during the pause are not sent).
    pub fn set_paused(
        &self,
        name: &str,
        paused: bool,
        next_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.db
            .with(|c| {
                c.execute(
                    "UPDATE schedules SET paused = ?2, next_ms = COALESCE(?3, next_ms) WHERE name = ?1",
                    rusqlite::params![name, i64::from(paused), next_ms],
                )
            })
            .map(|n| n > 0)
    }

    /// The earliest next run of an active schedule (a cheap query).
    pub fn next_run(&self) -> Result<Option<i64>, StoreError> {
        self.db.with(|c| {
            c.query_row(
                "SELECT MIN(next_ms) FROM schedules WHERE paused = 0",
                [],
                |r| r.get(0),
            )
        })
    }

    /// Turns each active schedule's due run into outbox items due at the
    /// run's time: only the latest run at or before `now_ms` (a worker that
    /// was not running sends no burst of missed runs), then moves the
    /// schedule to its next run, all in one transaction.
    pub fn take_due(
        &self,
        now_ms: i64,
        timing: impl Fn(&Schedule, i64) -> Option<Timing>,
    ) -> Result<Vec<Run>, StoreError> {
        let any: Option<i64> = self.db.with(|c| {
            c.query_row(
                "SELECT 1 FROM schedules WHERE paused = 0 AND next_ms <= ?1 LIMIT 1",
                [now_ms],
                |r| r.get(0),
            )
            .optional()
        })?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        self.db.write(|tx| {
            let due: Vec<Schedule> = tx
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM schedules WHERE paused = 0 AND next_ms <= ?1"
                ))?
                .query_map([now_ms], schedule)?
                .collect::<rusqlite::Result<_>>()?;
            let mut runs = Vec::new();
            for s in due {
                let Some(t) = timing(&s, now_ms) else {
                    // The pattern has no more runs (or no longer parses).
                    tx.execute(
                        "UPDATE schedules SET next_ms = NULL WHERE id = ?1",
                        [s.id],
                    )?;
                    continue;
                };
                let batch = format!("s{}-{}", s.id, t.latest);
                outbox::insert(
                    tx,
                    &batch,
                    &batch,
                    &s.items,
                    false,
                    Some(DueAt {
                        due_ms: t.latest,
                        expand: true,
                    }),
                    now_ms,
                )?;
                tx.execute(
                    "UPDATE schedules SET next_ms = ?2, last_run_ms = ?3, runs = runs + 1 WHERE id = ?1",
                    rusqlite::params![s.id, t.next, t.latest],
                )?;
                runs.push(Run {
                    schedule: s.name.clone(),
                    at_ms: t.latest,
                    skipped: t.skipped,
                });
            }
            Ok(runs)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn item() -> NewItem {
        NewItem {
            label: "text".into(),
            robot_name: "ops".into(),
            robot: "fingerprint".into(),
            msgtype: "text".into(),
            payload: r#"{"msgtype":"text","text":{"content":"{{now:%H}}"}}"#.into(),
            part: None,
            upload: None,
        }
    }

    #[test]
    fn two_workers_taking_the_same_run_make_one_outbox_item() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wecom.db");
        let first = Schedules::new(Arc::new(Db::open(&path).unwrap()));
        assert!(
            first
                .add("tick", "* * * * * *", None, &[item()], Some(1_000), 0)
                .unwrap()
        );
        assert!(
            !first
                .add("tick", "* * * * * *", None, &[item()], Some(1_000), 0)
                .unwrap()
        );
        let start = Arc::new(std::sync::Barrier::new(4));
        let takers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    let schedules = Schedules::new(Arc::new(Db::open(&path).unwrap()));
                    start.wait();
                    schedules
                        .take_due(5_000, |_, _| {
                            Some(Timing {
                                latest: 5_000,
                                skipped: 4,
                                next: Some(6_000),
                            })
                        })
                        .unwrap()
                })
            })
            .collect();
        let runs: Vec<Run> = takers.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].skipped, 4);
        let outbox = super::super::outbox::Outbox::new(Arc::new(Db::open(&path).unwrap()));
        let items = outbox.list().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].due_ms, Some(5_000));
        assert!(items[0].expand);
        let s = first.get("tick").unwrap().unwrap();
        assert_eq!(
            (s.next_ms, s.last_run_ms, s.runs),
            (Some(6_000), Some(5_000), 1)
        );
        // Paused: nothing is taken.
        first.set_paused("tick", true, None).unwrap();
        assert!(first.take_due(10_000, |_, _| None).unwrap().is_empty());
    }
}
