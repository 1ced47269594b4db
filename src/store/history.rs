//! The history: one row for every send that ended (sent, refused, failed,
//! unknown, cancelled), kept so what was sent can be found afterwards.
//!
//! A row names the robot by name and by fingerprint (never the key), and
//! keeps the exact payload, the outcome, the times and where it belonged (a
//! batch, a part `2/3`). Retention: entries younger than
//! [`Retention::days`] are kept, and so are the newest
//! [`Retention::entries`], whichever keeps more.

use std::sync::Arc;

use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

use super::db::{Db, StoreError};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum HistoryStatus {
    /// WeCom accepted it (errcode 0).
    Sent,
    /// WeCom refused it (an errcode that retrying cannot fix).
    Refused,
    /// It could not be delivered, and retrying was given up.
    Failed,
    /// It may have been delivered: the answer never came.
    Unknown,
    /// The user cancelled it before it was sent.
    Cancelled,
}

impl HistoryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryStatus::Sent => "sent",
            HistoryStatus::Refused => "refused",
            HistoryStatus::Failed => "failed",
            HistoryStatus::Unknown => "unknown",
            HistoryStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> HistoryStatus {
        match s {
            "sent" => HistoryStatus::Sent,
            "refused" => HistoryStatus::Refused,
            "unknown" => HistoryStatus::Unknown,
            "cancelled" => HistoryStatus::Cancelled,
            _ => HistoryStatus::Failed,
        }
    }
}

/// One history row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    /// Unix milliseconds when it ended.
    pub time_ms: i64,
    pub robot_name: String,
    /// The robot's fingerprint (`wecom::attach::robot_id`).
    pub robot: String,
    pub msgtype: String,
    /// The JSON body exactly as posted.
    pub payload: String,
    pub status: HistoryStatus,
    pub errcode: Option<i64>,
    pub errmsg: Option<String>,
    /// Our explanation of the errcode.
    pub explanation: Option<String>,
    /// The transport error, when there was no answer.
    pub error: Option<String>,
    pub elapsed_ms: i64,
    pub waited_ms: i64,
    pub attempts: i64,
    pub batch: Option<String>,
    /// `2/3` for the parts of a split message.
    pub part: Option<String>,
    /// What the sender called it ("text", "file report.pdf").
    pub label: Option<String>,
}

/// How long entries are kept: the newest `entries`, and every entry younger
/// than `days`, whichever keeps more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub days: u32,
    pub entries: u32,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            days: 90,
            entries: 10_000,
        }
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// A robot's name.
    pub robot: Option<String>,
    /// Only entries at or after (Unix ms).
    pub since_ms: Option<i64>,
    /// Text in the payload, errmsg or error (case-insensitive for ASCII).
    pub grep: Option<String>,
    pub status: Option<HistoryStatus>,
    /// At most this many, newest first.
    pub limit: usize,
    /// Entries older than this id only (paging: the last id of a page).
    pub before_id: Option<i64>,
}

const COLUMNS: &str = "id, time_ms, robot_name, robot, msgtype, payload, status, errcode, errmsg, \
     explanation, error, elapsed_ms, waited_ms, attempts, batch, part, label";

fn entry(row: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        id: row.get(0)?,
        time_ms: row.get(1)?,
        robot_name: row.get(2)?,
        robot: row.get(3)?,
        msgtype: row.get(4)?,
        payload: row.get(5)?,
        status: HistoryStatus::parse(&row.get::<_, String>(6)?),
        errcode: row.get(7)?,
        errmsg: row.get(8)?,
        explanation: row.get(9)?,
        error: row.get(10)?,
        elapsed_ms: row.get(11)?,
        waited_ms: row.get(12)?,
        attempts: row.get(13)?,
        batch: row.get(14)?,
        part: row.get(15)?,
        label: row.get(16)?,
    })
}

/// Writes `entry` (its `id` is ignored) within a transaction; returns its id.
pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, e: &HistoryEntry) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO history (time_ms, robot_name, robot, msgtype, payload, status, errcode, errmsg,
             explanation, error, elapsed_ms, waited_ms, attempts, batch, part, label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        rusqlite::params![
            e.time_ms,
            e.robot_name,
            e.robot,
            e.msgtype,
            e.payload,
            e.status.as_str(),
            e.errcode,
            e.errmsg,
            e.explanation,
            e.error,
            e.elapsed_ms,
            e.waited_ms,
            e.attempts,
            e.batch,
            e.part,
            e.label,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Reads the history.
#[derive(Debug, Clone)]
pub struct History {
    db: Arc<Db>,
}

impl History {
    pub fn new(db: Arc<Db>) -> History {
        History { db }
    }

    /// Entries matching `query`, newest first.
    pub fn list(&self, query: &HistoryQuery) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM history WHERE 1 = 1");
        let mut params: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(robot) = &query.robot {
            params.push(Box::new(robot.clone()));
            sql.push_str(&format!(" AND robot_name = ?{}", params.len()));
        }
        if let Some(since) = query.since_ms {
            params.push(Box::new(since));
            sql.push_str(&format!(" AND time_ms >= ?{}", params.len()));
        }
        if let Some(status) = query.status {
            params.push(Box::new(status.as_str()));
            sql.push_str(&format!(" AND status = ?{}", params.len()));
        }
        if let Some(before) = query.before_id {
            params.push(Box::new(before));
            sql.push_str(&format!(" AND id < ?{}", params.len()));
        }
        if let Some(grep) = &query.grep {
            params.push(Box::new(format!("%{}%", escape_like(grep))));
            let n = params.len();
            sql.push_str(&format!(
                " AND (payload LIKE ?{n} ESCAPE '\\' OR errmsg LIKE ?{n} ESCAPE '\\' OR error LIKE ?{n} ESCAPE '\\')"
            ));
        }
        params.push(Box::new(
            i64::try_from(query.limit.max(1)).unwrap_or(i64::MAX),
        ));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ?{}", params.len()));
        self.db.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let refs: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.as_ref()).collect();
            stmt.query_map(refs.as_slice(), entry)?.collect()
        })
    }

    /// One entry.
    pub fn get(&self, id: i64) -> Result<Option<HistoryEntry>, StoreError> {
        self.db.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM history WHERE id = ?1"),
                [id],
                entry,
            )
            .optional()
        })
    }

    /// Drops what `retention` does not keep; returns how many went.
    pub fn prune(&self, retention: Retention, now_ms: i64) -> Result<usize, StoreError> {
        let cutoff = now_ms - i64::from(retention.days) * 86_400_000;
        // Checked without the write lock first: most runs have nothing to drop.
        let over: bool = self.db.with(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM history WHERE time_ms < ?1)
                     AND (SELECT COALESCE(MAX(id) - MIN(id) + 1, 0) FROM history) > ?2",
                rusqlite::params![cutoff, i64::from(retention.entries)],
                |r| r.get(0),
            )
        })?;
        if !over {
            return Ok(0);
        }
        self.db.with(|c| {
            c.execute(
                "DELETE FROM history WHERE time_ms < ?1 AND id <= (
                     SELECT COALESCE(MAX(id), 0) - ?2 FROM history)",
                rusqlite::params![cutoff, i64::from(retention.entries)],
            )
        })
    }
}

/// `%`, `_` and `\` match themselves in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample(time_ms: i64, robot: &str, payload: &str, status: HistoryStatus) -> HistoryEntry {
        HistoryEntry {
            id: 0,
            time_ms,
            robot_name: robot.into(),
            robot: "f".repeat(64),
            msgtype: "text".into(),
            payload: payload.into(),
            status,
            errcode: Some(0),
            errmsg: Some("ok".into()),
            explanation: None,
            error: None,
            elapsed_ms: 3,
            waited_ms: 0,
            attempts: 1,
            batch: None,
            part: None,
            label: None,
        }
    }

    #[test]
    fn filters_and_orders_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        db.write(|tx| {
            insert(
                tx,
                &sample(1_000, "ops", "{\"a\":\"100%_done\"}", HistoryStatus::Sent),
            )?;
            insert(
                tx,
                &sample(2_000, "dev", "{\"a\":\"b\"}", HistoryStatus::Refused),
            )?;
            insert(
                tx,
                &sample(3_000, "ops", "{\"a\":\"c\"}", HistoryStatus::Sent),
            )?;
            Ok(())
        })
        .unwrap();
        let h = History::new(db);
        let all = h
            .list(&HistoryQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            all.iter().map(|e| e.time_ms).collect::<Vec<_>>(),
            [3_000, 2_000, 1_000]
        );
        let ops = h
            .list(&HistoryQuery {
                robot: Some("ops".into()),
                since_ms: Some(2_000),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ops.len(), 1);
        let refused = h
            .list(&HistoryQuery {
                status: Some(HistoryStatus::Refused),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(refused[0].robot_name, "dev");
        // % and _ are literal in --grep.
        let grep = h
            .list(&HistoryQuery {
                grep: Some("0%_d".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(grep.len(), 1);
        assert!(
            h.list(&HistoryQuery {
                grep: Some("%".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len()
                == 1
        );
    }

    #[test]
    fn retention_keeps_whichever_keeps_more() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        let day = 86_400_000;
        let now = 200 * day;
        db.write(|tx| {
            for i in 0..10 {
                // Five old entries (100 days), five recent.
                let t = if i < 5 { now - 100 * day } else { now - day };
                insert(tx, &sample(t, "ops", "{}", HistoryStatus::Sent))?;
            }
            Ok(())
        })
        .unwrap();
        let h = History::new(db);
        // Keep 7 entries: the 5 recent by age, and 2 old by count.
        let gone = h
            .prune(
                Retention {
                    days: 90,
                    entries: 7,
                },
                now,
            )
            .unwrap();
        assert_eq!(gone, 3);
        // Keep 2 entries: age keeps the 5 recent.
        let gone = h
            .prune(
                Retention {
                    days: 90,
                    entries: 2,
                },
                now,
            )
            .unwrap();
        assert_eq!(gone, 2);
        assert_eq!(
            h.list(&HistoryQuery {
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
            5
        );
    }
}
