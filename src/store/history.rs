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
        let mut w = Where::default();
        if let Some(robot) = &query.robot {
            w.and("robot_name = $", robot.clone());
        }
        if let Some(since) = query.since_ms {
            w.and("time_ms >= $", since);
        }
        if let Some(status) = query.status {
            w.and("status = $", status.as_str());
        }
        if let Some(before) = query.before_id {
            w.and("id < $", before);
        }
        if let Some(grep) = &query.grep {
            w.and(
                "(payload LIKE $ ESCAPE '\\' OR errmsg LIKE $ ESCAPE '\\' OR error LIKE $ ESCAPE '\\')",
                like_pattern(grep),
            );
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM history{} ORDER BY id DESC LIMIT ?",
            w.sql
        );
        w.params.push(Box::new(sql_count(query.limit.max(1))));
        self.db.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            stmt.query_map(w.refs().as_slice(), entry)?.collect()
        })
    }

    /// How many entries `filter` lets through, counting at most `cap`
    /// (the view shows "10000+"; counting every match of a text filter
    /// reads the whole table).
    pub fn count(&self, filter: &HistoryFilter, cap: usize) -> Result<usize, StoreError> {
        let w = filter.clause();
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM history{} LIMIT {})",
            w.sql,
            sql_count(cap)
        );
        self.db.with(|c| {
            c.query_row(&sql, w.refs().as_slice(), |r| r.get::<_, i64>(0))
                .map(|n| usize::try_from(n).unwrap_or(0))
        })
    }

    /// The rows of one page of the history view, newest first: `limit`
    /// rows from `at` (an offset: row `n` of the filtered list, for a
    /// scroll bar or a jump; or the id of the last row shown, to go on from
    /// there, which stays fast however deep). Only these rows are read, and
    /// no payload is loaded: each row carries its first line instead.
    pub fn page(
        &self,
        filter: &HistoryFilter,
        at: PageStart,
        limit: usize,
    ) -> Result<Vec<HistoryRow>, StoreError> {
        let mut w = filter.clause();
        let offset = match at {
            PageStart::Offset(n) => n,
            PageStart::After(id) => {
                w.and("id < $", id);
                0
            }
        };
        // The rows skipped by the offset are found by id alone; only the
        // page's own rows are read whole.
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM history WHERE id IN (
                 SELECT id FROM history{} ORDER BY id DESC LIMIT {} OFFSET {})
             ORDER BY id DESC",
            w.sql,
            sql_count(limit),
            sql_count(offset)
        );
        self.db.with(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            stmt.query_map(w.refs().as_slice(), history_row)?.collect()
        })
    }

    /// Every outcome of one broadcast (or batch), by robot: what the
    /// results view and `wecom history` show under a broadcast's line.
    pub fn batch(&self, batch: &str) -> Result<Vec<HistoryRow>, StoreError> {
        self.db.with(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ROW_COLUMNS} FROM history WHERE batch = ?1 ORDER BY id"
            ))?;
            stmt.query_map([batch], history_row)?.collect()
        })
    }

    /// How many robots each batch went to; a batch that went to more than
    /// one is a broadcast. Batches not in the history are left out.
    pub fn robots_per_batch(
        &self,
        batches: &[&str],
    ) -> Result<std::collections::HashMap<String, usize>, StoreError> {
        self.db.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT COUNT(DISTINCT robot) FROM history WHERE batch = ?1")?;
            let mut out = std::collections::HashMap::new();
            for b in batches {
                let n: i64 = stmt.query_row([b], |r| r.get(0))?;
                if n > 0 {
                    out.insert((*b).to_owned(), usize::try_from(n).unwrap_or(0));
                }
            }
            Ok(out)
        })
    }

    /// Writes finished entries as they are, in one transaction (an
    /// import, tests and benchmarks); returns their ids. The engine writes
    /// its own through the outbox, in the transaction that ends the item.
    pub fn insert_all(&self, entries: &[HistoryEntry]) -> Result<Vec<i64>, StoreError> {
        self.db
            .write(|tx| entries.iter().map(|e| insert(tx, e)).collect())
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

/// Where a page of the history view starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// Skip this many rows of the filtered list (0: the newest).
    Offset(usize),
    /// The rows older than the entry with this id (the last row shown).
    After(i64),
}

/// What the history view filters on; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Text found in the robot's name, the message type, the label, the
    /// errmsg or the payload (not an image's: its base64 would match
    /// anything); case-insensitive for ASCII.
    pub text: Option<String>,
    /// A robot's name (exactly, ignoring ASCII case).
    pub robot: Option<String>,
    /// A msgtype (`markdown`, `file`, …).
    pub msgtype: Option<String>,
    pub status: Option<HistoryStatus>,
}

impl HistoryFilter {
    /// The filter for what the user typed in the view's search field:
    /// `robot:NAME`, `type:MSGTYPE` and `status:STATUS` words pick those
    /// fields, the other words (joined by spaces) are the text.
    pub fn parse(typed: &str) -> HistoryFilter {
        let mut filter = HistoryFilter::default();
        let mut words = Vec::new();
        for word in typed.split_whitespace() {
            let pick = |prefix: &str| {
                word.strip_prefix(prefix)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            if let Some(robot) = pick("robot:") {
                filter.robot = Some(robot);
            } else if let Some(kind) = pick("type:") {
                filter.msgtype = Some(kind);
            } else if let Some(status) = pick("status:")
                .and_then(|s| <HistoryStatus as clap::ValueEnum>::from_str(&s, true).ok())
            {
                filter.status = Some(status);
            } else {
                words.push(word);
            }
        }
        if !words.is_empty() {
            filter.text = Some(words.join(" "));
        }
        filter
    }

    fn clause(&self) -> Where {
        let mut w = Where::default();
        if let Some(robot) = &self.robot {
            w.and("robot_name = $ COLLATE NOCASE", robot.clone());
        }
        if let Some(kind) = &self.msgtype {
            w.and("msgtype = $", kind.clone());
        }
        if let Some(status) = self.status {
            w.and("status = $", status.as_str());
        }
        if let Some(text) = &self.text {
            w.and(
                "(robot_name LIKE $ ESCAPE '\\' OR msgtype LIKE $ ESCAPE '\\' \
                  OR label LIKE $ ESCAPE '\\' OR errmsg LIKE $ ESCAPE '\\' \
                  OR (msgtype != 'image' AND payload LIKE $ ESCAPE '\\'))",
                like_pattern(text),
            );
        }
        w
    }
}

/// One line of the history view: what it shows, without the payload
/// (`History::get` reads the whole entry when it is opened).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub id: i64,
    pub time_ms: i64,
    pub robot_name: String,
    pub msgtype: String,
    pub status: HistoryStatus,
    pub errcode: Option<i64>,
    /// The broadcast or batch it belonged to.
    pub batch: Option<String>,
    pub part: Option<String>,
    /// The first non-empty line of the content (a card's or a news
    /// article's title), else the label ("file report.pdf"); raw text from
    /// the payload, to be made safe before it is drawn.
    pub first_line: String,
}

/// A row's columns; of the content only its first 400 characters are read.
const ROW_COLUMNS: &str = "id, time_ms, robot_name, msgtype, status, errcode, batch, part, label, \
     substr(CASE msgtype \
         WHEN 'text' THEN json_extract(payload, '$.text.content') \
         WHEN 'markdown' THEN json_extract(payload, '$.markdown.content') \
         WHEN 'markdown_v2' THEN json_extract(payload, '$.markdown_v2.content') \
         WHEN 'news' THEN json_extract(payload, '$.news.articles[0].title') \
         WHEN 'template_card' THEN json_extract(payload, '$.template_card.main_title.title') \
     END, 1, 400)";

fn history_row(row: &Row<'_>) -> rusqlite::Result<HistoryRow> {
    let label: Option<String> = row.get(8)?;
    // Not JSON (a row written by hand): no first line rather than an error.
    let content: Option<String> = row.get::<_, Option<String>>(9).unwrap_or(None);
    let first_line = content
        .as_deref()
        .and_then(|c| c.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(str::to_owned)
        .or(label)
        .unwrap_or_default();
    Ok(HistoryRow {
        id: row.get(0)?,
        time_ms: row.get(1)?,
        robot_name: row.get(2)?,
        msgtype: row.get(3)?,
        status: HistoryStatus::parse(&row.get::<_, String>(4)?),
        errcode: row.get(5)?,
        batch: row.get(6)?,
        part: row.get(7)?,
        first_line,
    })
}

/// A `WHERE` clause built from optional parts, with its parameters.
#[derive(Default)]
struct Where {
    sql: String,
    params: Vec<Box<dyn rusqlite::ToSql>>,
}

impl Where {
    /// Adds `condition`, where each `$` stands for `value`.
    fn and(&mut self, condition: &str, value: impl rusqlite::ToSql + 'static) {
        self.params.push(Box::new(value));
        let condition = condition.replace('$', &format!("?{}", self.params.len()));
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(&condition);
    }

    fn refs(&self) -> Vec<&dyn rusqlite::ToSql> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn like_pattern(text: &str) -> String {
    format!("%{}%", escape_like(text))
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
