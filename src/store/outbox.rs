//! The outbox: every message on its way, written before its first byte goes
//! out and taken out in the same transaction that writes its history row.
//! The states and what moves an item between them are described in
//! [`crate::delivery`]; this module is their storage.

use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::db::{Db, StoreError};
use super::history::{self, HistoryEntry};
use crate::wecom::media::MediaKind;

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its turn (and a rate-limit slot).
    Queued,
    /// A retryable failure; tried again at `next_attempt_ms`.
    Retrying,
    /// Leased by a process that is sending it now.
    Sending,
    /// The request may have reached WeCom but no answer came: never resent
    /// without the user's say (`wecom outbox retry`).
    Unknown,
    /// Retrying was given up; kept for the user to retry or cancel.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Retrying => "retrying",
            OutboxState::Sending => "sending",
            OutboxState::Unknown => "unknown",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "queued" => OutboxState::Queued,
            "retrying" => OutboxState::Retrying,
            "sending" => OutboxState::Sending,
            "unknown" => OutboxState::Unknown,
            _ => OutboxState::Failed,
        }
    }
}

/// A file or voice clip to upload before sending; the payload's media_id is
/// filled in then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub path: PathBuf,
    pub kind: MediaKind,
}

/// A message to put in the outbox (also kept, as JSON, in a schedule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewItem {
    /// What to call it in lines for people ("markdown", "file report.pdf").
    pub label: String,
    pub robot_name: String,
    /// The robot's fingerprint.
    pub robot: String,
    pub msgtype: String,
    /// The JSON body to post (for an upload: with a placeholder media_id).
    pub payload: String,
    /// `2/3` for the parts of a split message.
    pub part: Option<String>,
    pub upload: Option<Upload>,
}

/// An item in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub batch: String,
    pub seq: i64,
    pub part: Option<String>,
    pub label: String,
    pub robot_name: String,
    pub robot: String,
    pub msgtype: String,
    pub payload: String,
    pub upload: Option<Upload>,
    pub state: OutboxState,
    pub attempts: i64,
    pub created_ms: i64,
    pub first_try_ms: Option<i64>,
    pub next_attempt_ms: Option<i64>,
    pub give_up_ms: Option<i64>,
    pub lease_owner: Option<String>,
    pub lease_until_ms: Option<i64>,
    pub waited_ms: i64,
    pub last_error: Option<String>,
    /// Put there by `--no-queue` or the relay: removed, not kept, when its
    /// sender stops.
    pub transient: bool,
    /// Sent later: not delivered before this time (Unix ms), and delivered
    /// by whichever worker holds the store then (`wecom outbox run`, `wecom
    /// serve`, the composer).
    pub due_ms: Option<i64>,
    /// Its placeholders are still to be filled in (at delivery).
    pub expand: bool,
}

/// When a message sent later goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueAt {
    /// Unix ms.
    pub due_ms: i64,
    /// Fill in placeholders at delivery.
    pub expand: bool,
}

const COLUMNS: &str = "id, batch, seq, part, label, robot_name, robot, msgtype, payload, upload, state, \
     attempts, created_ms, first_try_ms, next_attempt_ms, give_up_ms, lease_owner, lease_until_ms, \
     waited_ms, last_error, transient, due_ms, expand";

fn item(row: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    let upload: Option<String> = row.get(9)?;
    Ok(OutboxItem {
        id: row.get(0)?,
        batch: row.get(1)?,
        seq: row.get(2)?,
        part: row.get(3)?,
        label: row.get(4)?,
        robot_name: row.get(5)?,
        robot: row.get(6)?,
        msgtype: row.get(7)?,
        payload: row.get(8)?,
        upload: upload.and_then(|u| serde_json::from_str(&u).ok()),
        state: OutboxState::parse(&row.get::<_, String>(10)?),
        attempts: row.get(11)?,
        created_ms: row.get(12)?,
        first_try_ms: row.get(13)?,
        next_attempt_ms: row.get(14)?,
        give_up_ms: row.get(15)?,
        lease_owner: row.get(16)?,
        lease_until_ms: row.get(17)?,
        waited_ms: row.get(18)?,
        last_error: row.get(19)?,
        transient: row.get::<_, i64>(20)? != 0,
        due_ms: row.get(21)?,
        expand: row.get::<_, i64>(22)? != 0,
    })
}

/// The outbox over the shared database.
#[derive(Debug, Clone)]
pub struct Outbox {
    db: Arc<Db>,
    /// Who puts items in through this handle: the process (`pid:start`)
    /// and, for the composer, its name. Stamped on each new item.
    made_by: Option<Arc<(String, Option<&'static str>)>>,
}

impl Outbox {
    pub fn new(db: Arc<Db>) -> Outbox {
        Outbox { db, made_by: None }
    }

    /// This handle, stamping the items it puts in with the process
    /// `creator` (`pid:start`) and the front end `origin`.
    pub fn made_by(self, creator: &str, origin: Option<&'static str>) -> Outbox {
        Outbox {
            made_by: Some(Arc::new((creator.to_owned(), origin))),
            ..self
        }
    }

    /// Writes who made `ids` (see [`Outbox::made_by`]) inside `tx`.
    fn stamp(&self, tx: &rusqlite::Transaction<'_>, ids: &[i64]) -> rusqlite::Result<()> {
        let Some(made) = &self.made_by else {
            return Ok(());
        };
        let mut stmt = tx.prepare("UPDATE outbox SET creator = ?2, origin = ?3 WHERE id = ?1")?;
        for id in ids {
            stmt.execute(rusqlite::params![id, made.0, made.1])?;
        }
        Ok(())
    }

    /// Items an earlier `origin` process left waiting when it ended (quit
    /// leaving them, or was killed): queued or retrying, not sent later,
    /// held by no live lease, made by a process `is_dead` says is gone. In the
    /// order they were queued. Where a process's end cannot be known (no
    /// `/proc`), nothing is found. Never an item that may have been sent:
    /// those are `unknown`, for the user to decide.
    pub fn left_behind(
        &self,
        origin: &str,
        now_ms: i64,
        is_dead: impl Fn(&str) -> bool,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let mine = self
            .made_by
            .as_ref()
            .map(|m| m.0.clone())
            .unwrap_or_default();
        let found: Vec<(OutboxItem, String)> = self.db.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS}, creator FROM outbox
                 WHERE origin = ?1 AND creator IS NOT NULL AND creator != ?2
                   AND due_ms IS NULL AND transient = 0
                   AND (lease_owner IS NULL OR lease_until_ms < ?3)
                   AND state IN ('queued', 'retrying')
                 ORDER BY id"
            ))?;
            stmt.query_map(rusqlite::params![origin, mine, now_ms], |row| {
                Ok((item(row)?, row.get(23)?))
            })?
            .collect()
        })?;
        Ok(found
            .into_iter()
            .filter(|(_, creator)| is_dead(creator))
            .map(|(item, _)| item)
            .collect())
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Puts a batch in the outbox, in order, in one transaction; returns
    /// the new ids. `batch_key` identifies the same batch sent again.
    pub fn enqueue(
        &self,
        batch: &str,
        batch_key: &str,
        items: &[NewItem],
        transient: bool,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        self.db.write(|tx| {
            let ids = insert(tx, batch, batch_key, items, transient, None, now_ms)?;
            self.stamp(tx, &ids)?;
            Ok(ids)
        })
    }

    /// Puts a batch in the outbox to be sent at `due` by a worker.
    pub fn enqueue_due(
        &self,
        batch: &str,
        items: &[NewItem],
        due: DueAt,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        self.db.write(|tx| {
            let ids = insert(tx, batch, batch, items, false, Some(due), now_ms)?;
            self.stamp(tx, &ids)?;
            Ok(ids)
        })
    }

    /// Items sent later that are due at `now_ms` and that no live lease
    /// holds, earliest first.
    pub fn due(&self, now_ms: i64) -> Result<Vec<OutboxItem>, StoreError> {
        self.db.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM outbox
                 WHERE due_ms IS NOT NULL AND due_ms <= ?1 AND state IN ('queued', 'retrying')
                   AND (lease_owner IS NULL OR lease_until_ms < ?1)
                 ORDER BY due_ms, id"
            ))?;
            stmt.query_map([now_ms], item)?.collect()
        })
    }

    /// The earliest due time among items sent later that are waiting and
    /// free (a cheap query on an index: a worker asks it every few seconds).
    pub fn next_due(&self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        self.db.with(|c| {
            c.query_row(
                "SELECT MIN(due_ms) FROM outbox
                 WHERE due_ms IS NOT NULL AND state IN ('queued', 'retrying')
                   AND (lease_owner IS NULL OR lease_until_ms < ?1)",
                [now_ms],
                |r| r.get(0),
            )
        })
    }

    /// The placeholders were filled in: the payload to send from now on
    /// (a retry sends the same text).
    pub fn set_expanded(&self, id: i64, payload: &str) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "UPDATE outbox SET payload = ?2, expand = 0 WHERE id = ?1",
                rusqlite::params![id, payload],
            )
            .map(drop)
        })
    }

    /// Replaces the payload of an item nobody is sending (`wecom outbox
    /// edit`); `Ok(false)` when a live lease holds it or it is being sent.
    pub fn edit_payload(
        &self,
        id: i64,
        msgtype: &str,
        payload: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.db
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET payload = ?2, msgtype = ?3
                     WHERE id = ?1 AND state != 'sending'
                       AND (lease_owner IS NULL OR lease_until_ms < ?4)",
                    rusqlite::params![id, payload, msgtype, now_ms],
                )
            })
            .map(|n| n > 0)
    }

    /// The items of a batch still kept under `batch_key` (an interrupted
    /// earlier run of the same batch), with their batch id.
    pub fn find_batch(&self, batch_key: &str) -> Result<Option<(String, Vec<i64>)>, StoreError> {
        self.db.with(|c| {
            let batch: Option<String> = c
                .query_row(
                    "SELECT batch FROM outbox WHERE batch_key = ?1 AND transient = 0 ORDER BY id LIMIT 1",
                    [batch_key],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(batch) = batch else { return Ok(None) };
            let mut stmt = c.prepare("SELECT id FROM outbox WHERE batch = ?1 ORDER BY seq")?;
            let ids = stmt
                .query_map([&batch], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(Some((batch, ids)))
        })
    }

    /// Every item, oldest first.
    pub fn list(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.db.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id"))?;
            stmt.query_map([], item)?.collect()
        })
    }

    pub fn get(&self, id: i64) -> Result<Option<OutboxItem>, StoreError> {
        self.db.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item,
            )
            .optional()
        })
    }

    /// Takes the item for `owner` until `until_ms` if it is waiting and no
    /// live lease of another process holds it.
    pub fn lease(
        &self,
        id: i64,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<OutboxItem>, StoreError> {
        self.db.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET lease_owner = ?2, lease_until_ms = ?4
                 WHERE id = ?1 AND state IN ('queued', 'retrying')
                   AND (due_ms IS NULL OR due_ms <= ?3)
                   AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until_ms < ?3)",
                rusqlite::params![id, owner, now_ms, until_ms],
            )?;
            if n == 0 {
                return Ok(None);
            }
            tx.query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item,
            )
            .optional()
        })
    }

    /// The request is about to be written: from now on, a process that
    /// dies leaves the item `unknown`, never silently resent.
    pub fn mark_sending(
        &self,
        id: i64,
        owner: &str,
        until_ms: i64,
        now_ms: i64,
        waited_ms: i64,
    ) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "UPDATE outbox SET state = 'sending', lease_owner = ?2, lease_until_ms = ?3,
                     attempts = attempts + 1, first_try_ms = COALESCE(first_try_ms, ?4),
                     waited_ms = ?5
                 WHERE id = ?1",
                rusqlite::params![id, owner, until_ms, now_ms, waited_ms],
            )
            .map(drop)
        })
    }

    /// Fills in the payload after an upload.
    pub fn set_payload(&self, id: i64, payload: &str) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "UPDATE outbox SET payload = ?2 WHERE id = ?1",
                rusqlite::params![id, payload],
            )
            .map(drop)
        })
    }

    /// A retryable failure: tried again at `next_ms`, lease kept.
    pub fn set_retrying(
        &self,
        id: i64,
        next_ms: i64,
        give_up_ms: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "UPDATE outbox SET state = 'retrying', next_attempt_ms = ?2,
                     give_up_ms = COALESCE(give_up_ms, ?3), last_error = ?4
                 WHERE id = ?1",
                rusqlite::params![id, next_ms, give_up_ms, error],
            )
            .map(drop)
        })
    }

    /// Back to waiting, lease given up (the sender stopped before sending).
    pub fn unlease(&self, id: i64) -> Result<(), StoreError> {
        self.db.with(|c| {
            c.execute(
                "UPDATE outbox SET lease_owner = NULL, lease_until_ms = NULL,
                     state = CASE state WHEN 'sending' THEN 'queued' ELSE state END
                 WHERE id = ?1",
                [id],
            )
            .map(drop)
        })
    }

    /// The attempt ended for good (sent, refused, cancelled): the history
    /// row is written and the item removed in one transaction.
    pub fn finish(&self, id: i64, entry: &HistoryEntry) -> Result<i64, StoreError> {
        self.db.write(|tx| {
            let hid = history::insert(tx, entry)?;
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            Ok(hid)
        })
    }

    /// The item stays for the user (`unknown`, `failed`), and the history
    /// says so, in one transaction. A transient item is removed instead.
    pub fn park(
        &self,
        id: i64,
        state: OutboxState,
        entry: &HistoryEntry,
    ) -> Result<i64, StoreError> {
        self.db.write(|tx| {
            let hid = history::insert(tx, entry)?;
            tx.execute("DELETE FROM outbox WHERE id = ?1 AND transient = 1", [id])?;
            tx.execute(
                "UPDATE outbox SET state = ?2, lease_owner = NULL, lease_until_ms = NULL,
                     next_attempt_ms = NULL, last_error = ?3
                 WHERE id = ?1",
                rusqlite::params![
                    id,
                    state.as_str(),
                    entry.error.as_deref().or(entry.errmsg.as_deref())
                ],
            )?;
            Ok(hid)
        })
    }

    /// Removes an item without a history row (a transient item whose
    /// sender stopped before sending it, a parked item the user dropped).
    pub fn remove(&self, id: i64) -> Result<bool, StoreError> {
        self.db
            .with(|c| c.execute("DELETE FROM outbox WHERE id = ?1", [id]))
            .map(|n| n > 0)
    }

    /// `unknown` or `failed` back to `queued`, with a new give-up time.
    pub fn requeue(&self, id: i64) -> Result<bool, StoreError> {
        self.db
            .with(|c| {
                c.execute(
                    "UPDATE outbox SET state = 'queued', attempts = 0, give_up_ms = NULL,
                         next_attempt_ms = NULL, lease_owner = NULL, lease_until_ms = NULL
                     WHERE id = ?1 AND state IN ('unknown', 'failed')",
                    [id],
                )
            })
            .map(|n| n > 0)
    }

    /// Items that were being sent by a process whose lease expired (it
    /// died): made `unknown` with a history row each. Waiting items whose
    /// lease expired are simply free again, and their unused rate-limit
    /// reservations are given back. Returns the items made unknown.
    pub fn recover(
        &self,
        now_ms: i64,
        is_dead: impl Fn(&str) -> bool,
        unknown_entry: impl Fn(&OutboxItem) -> HistoryEntry,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        // Most opens find nothing to do: checked without taking the write lock.
        let pending: i64 = self.db.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL OR transient = 1",
                [],
                |r| r.get(0),
            )
        })?;
        if pending == 0 {
            return Ok(Vec::new());
        }
        self.db.write(|tx| {
            // A lease whose owner is known dead has expired, whatever its time.
            let owners: Vec<String> = tx
                .prepare("SELECT DISTINCT lease_owner FROM outbox WHERE lease_owner IS NOT NULL")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for owner in owners.iter().filter(|o| is_dead(o)) {
                tx.execute(
                    "UPDATE outbox SET lease_until_ms = 0 WHERE lease_owner = ?1",
                    [owner],
                )?;
            }
            let mut stmt = tx.prepare(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = 'sending' AND lease_until_ms < ?1"
            ))?;
            let dead: Vec<OutboxItem> = stmt
                .query_map([now_ms], item)?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            for it in &dead {
                let entry = unknown_entry(it);
                history::insert(tx, &entry)?;
                tx.execute(
                    "UPDATE outbox SET state = 'unknown', lease_owner = NULL, lease_until_ms = NULL,
                         last_error = ?2 WHERE id = ?1",
                    rusqlite::params![it.id, entry.error],
                )?;
            }
            tx.execute(
                "DELETE FROM ledger WHERE settled = 0 AND item IN (
                     SELECT id FROM outbox WHERE lease_until_ms < ?1 AND state != 'sending')",
                [now_ms],
            )?;
            tx.execute(
                "UPDATE outbox SET lease_owner = NULL, lease_until_ms = NULL
                 WHERE lease_until_ms < ?1 AND state IN ('queued', 'retrying')",
                [now_ms],
            )?;
            // Transient items of a dead relay or --no-queue run: their
            // callers were told nothing was kept.
            tx.execute(
                "DELETE FROM outbox WHERE transient = 1 AND state IN ('queued', 'retrying')
                     AND lease_owner IS NULL",
                [],
            )?;
            Ok(dead)
        })
    }
}

/// Inserts a batch in order inside `tx`; returns the new ids. Shared by the
/// outbox and by schedules, whose runs become outbox items in the same
/// transaction that moves the schedule on.
pub(crate) fn insert(
    tx: &rusqlite::Transaction<'_>,
    batch: &str,
    batch_key: &str,
    items: &[NewItem],
    transient: bool,
    due: Option<DueAt>,
    now_ms: i64,
) -> rusqlite::Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(items.len());
    for (seq, it) in items.iter().enumerate() {
        let upload = it
            .upload
            .as_ref()
            .and_then(|u| serde_json::to_string(u).ok());
        tx.execute(
            "INSERT INTO outbox (batch, batch_key, seq, part, label, robot_name, robot, msgtype,
                 payload, upload, state, created_ms, transient, due_ms, expand)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued', ?11, ?12, ?13, ?14)",
            rusqlite::params![
                batch,
                batch_key,
                seq as i64,
                it.part,
                it.label,
                it.robot_name,
                it.robot,
                it.msgtype,
                it.payload,
                upload,
                now_ms,
                i64::from(transient),
                due.map(|d| d.due_ms),
                i64::from(due.is_some_and(|d| d.expand)),
            ],
        )?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn item(label: &str) -> NewItem {
        NewItem {
            label: label.into(),
            robot_name: "ops".into(),
            robot: "fingerprint".into(),
            msgtype: "text".into(),
            payload: r#"{"msgtype":"text","text":{"content":"hi"}}"#.into(),
            part: None,
            upload: None,
        }
    }

    /// Only what a composer that is gone left waiting, in order: not a
    /// live composer's, not another front end's, not an item sent later,
    /// not one that may have been sent.
    #[test]
    fn left_behind_is_only_a_gone_composers_waiting_items() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        let dead = |c: &str| c.starts_with("dead");
        let gone = Outbox::new(Arc::clone(&db)).made_by("dead:1", Some("composer"));
        let live = Outbox::new(Arc::clone(&db)).made_by("live:2", Some("composer"));
        let script = Outbox::new(Arc::clone(&db)).made_by("dead:3", None);
        let first = gone
            .enqueue("b1", "b1", &[item("one"), item("two")], false, 10)
            .unwrap();
        live.enqueue("b2", "b2", &[item("live")], false, 10)
            .unwrap();
        script
            .enqueue("b3", "b3", &[item("script")], false, 10)
            .unwrap();
        gone.enqueue("b4", "b4", &[item("relay")], true, 10)
            .unwrap();
        gone.enqueue_due(
            "d5",
            &[item("later")],
            DueAt {
                due_ms: 99,
                expand: false,
            },
            10,
        )
        .unwrap();
        let unknown = gone
            .enqueue("b6", "b6", &[item("maybe sent")], false, 10)
            .unwrap();
        db.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'unknown' WHERE id = ?1",
                [unknown[0]],
            )
        })
        .unwrap();
        // A lease still held keeps it from being taken; an expired one not.
        let held = gone
            .enqueue("b7", "b7", &[item("held")], false, 10)
            .unwrap();
        assert!(gone.lease(held[0], "other:9", 10, 1_000).unwrap().is_some());

        let found = |now| -> Vec<String> {
            live.left_behind("composer", now, dead)
                .unwrap()
                .into_iter()
                .map(|i| i.label)
                .collect()
        };
        assert_eq!(found(500), ["one", "two"]);
        assert_eq!(found(2_000), ["one", "two", "held"]);
        // The live composer's own item is found by nobody while it lives.
        let by_another = Outbox::new(Arc::clone(&db)).made_by("new:4", Some("composer"));
        let labels: Vec<String> = by_another
            .left_behind("composer", 500, |c| c != "live:2")
            .unwrap()
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(labels, ["one", "two"]);
        assert_eq!(first.len(), 2);
    }
}
