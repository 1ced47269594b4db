//! The shared state of every `wecom` process on the machine, in one SQLite
//! file (`wecom.db` in the data directory): drafts, the media_id cache, the
//! outbox, the history and the rate ledger.
//!
//! Why SQLite: several processes (composers, `wecom send`, the relay) use the
//! same robots at once, and each must see the others' writes without losing
//! its own. WAL mode lets readers and one writer work together, the busy
//! timeout makes a writer wait for another instead of failing, and an
//! `IMMEDIATE` transaction makes read-then-write steps (a rate-limit slot, a
//! lease on an outbox item) atomic across processes.
//!
//! The schema carries a version (`PRAGMA user_version`) and is migrated on
//! open, so a file made by an older version keeps working. No webhook key is
//! ever written here: robots are named and fingerprinted
//! ([`crate::store::media_cache::robot_id`]). The file is 0600 and its
//! directory 0700.
//!
//! The API is blocking; async callers go through [`Db::run`], which moves
//! the work to tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::paths;

/// The database file's name in the data directory.
pub const DB_FILE: &str = "wecom.db";
/// How long a writer waits for another process's transaction to end.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one entry per version: entry `n` moves a file at version `n`
/// to `n + 1`. Append only; never edit an entry that shipped.
const MIGRATIONS: &[&str] = &[
    // 1: drafts, media cache, ledger, outbox, history.
    "CREATE TABLE drafts (
         robot TEXT NOT NULL,
         kind TEXT NOT NULL,
         draft TEXT NOT NULL,
         updated_ms INTEGER NOT NULL,
         PRIMARY KEY (robot, kind)
     );
     CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE media (
         robot TEXT NOT NULL,
         sha256 TEXT NOT NULL,
         kind TEXT NOT NULL,
         media_id TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         PRIMARY KEY (robot, sha256, kind)
     );
     CREATE TABLE ledger (
         id INTEGER PRIMARY KEY,
         robot TEXT NOT NULL,
         at_ms INTEGER NOT NULL,
         settled INTEGER NOT NULL DEFAULT 0,
         item INTEGER
     );
     CREATE INDEX ledger_robot ON ledger (robot, at_ms);
     CREATE TABLE robot_full (robot TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);
     CREATE TABLE outbox (
         id INTEGER PRIMARY KEY,
         batch TEXT NOT NULL,
         batch_key TEXT NOT NULL,
         seq INTEGER NOT NULL,
         part TEXT,
         label TEXT NOT NULL,
         robot_name TEXT NOT NULL,
         robot TEXT NOT NULL,
         msgtype TEXT NOT NULL,
         payload TEXT NOT NULL,
         upload TEXT,
         state TEXT NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL,
         first_try_ms INTEGER,
         next_attempt_ms INTEGER,
         give_up_ms INTEGER,
         lease_owner TEXT,
         lease_until_ms INTEGER,
         waited_ms INTEGER NOT NULL DEFAULT 0,
         last_error TEXT,
         transient INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX outbox_batch ON outbox (batch, seq);
     CREATE TABLE history (
         id INTEGER PRIMARY KEY,
         time_ms INTEGER NOT NULL,
         robot_name TEXT NOT NULL,
         robot TEXT NOT NULL,
         msgtype TEXT NOT NULL,
         payload TEXT NOT NULL,
         status TEXT NOT NULL,
         errcode INTEGER,
         errmsg TEXT,
         explanation TEXT,
         error TEXT,
         elapsed_ms INTEGER NOT NULL DEFAULT 0,
         waited_ms INTEGER NOT NULL DEFAULT 0,
         attempts INTEGER NOT NULL DEFAULT 0,
         batch TEXT,
         part TEXT,
         label TEXT
     );
     CREATE INDEX history_time ON history (time_ms);
     CREATE INDEX history_robot ON history (robot_name, time_ms);",
    // 2 (broadcasts, the history view): a broadcast's outcomes found by its
    // batch id; the history filtered by message type and outcome without a
    // full scan (entries of one type and status are in id order in the
    // index, so a page newest first needs no sort).
    "CREATE INDEX history_batch ON history (batch);
     CREATE INDEX history_msgtype ON history (msgtype, status);
     CREATE INDEX history_status ON history (status);",
    // 3, send later (issue 14): an item's due time, and whether its
    // placeholders ({{now:…}}, {{env:…}}, {{file:…}}) are still to be
    // filled in at delivery.
    "ALTER TABLE outbox ADD COLUMN due_ms INTEGER;
     ALTER TABLE outbox ADD COLUMN expand INTEGER NOT NULL DEFAULT 0;
     CREATE INDEX outbox_due ON outbox (due_ms) WHERE due_ms IS NOT NULL;",
    // 4, schedules (issue 14): recurring messages; each run becomes outbox
    // items. `items` is the JSON of the messages (robots by name and
    // fingerprint, never by key).
    "CREATE TABLE schedules (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL UNIQUE,
         cron TEXT NOT NULL,
         tz TEXT,
         items TEXT NOT NULL,
         paused INTEGER NOT NULL DEFAULT 0,
         next_ms INTEGER,
         last_run_ms INTEGER,
         runs INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL
     );",
    // 5, messages left behind (issue 10): the process that queued an item
    // (`pid:start`, as in a lease) and the front end it was (`composer`),
    // so the composer's next start sends what an earlier composer left,
    // and never what a live process still has in hand.
    "ALTER TABLE outbox ADD COLUMN creator TEXT;
     ALTER TABLE outbox ADD COLUMN origin TEXT;",
    // 6: a delivery finds the slot its batch holds for it by item
    // (`Ledger::reserve`), on every send; without this index that read
    // scans every slot in the window (tens of thousands when the relay is
    // busy with the limit lifted).
    "CREATE INDEX ledger_item ON ledger (item);",
];

/// Runs store work that may block (another process holds the write lock,
/// and the busy timeout waits for it) without stalling a tokio worker
/// thread: on the multi-thread runtime (the relay, the composer) tokio is
/// told, so its other tasks move to another thread meanwhile; on the
/// current-thread runtime of `wecom send`, outside tokio, or on a blocking
/// thread already, it simply runs.
fn off_the_async_threads<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Why the store could not be used, with the file named.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", crate::tr!("store.db_open", path = .path.display(), error = .source))]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{}",
        crate::tr!("store.db_too_new", path = .path.display(), found = .found, known = .known)
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{}", crate::tr!("store.db_failed", path = .path.display(), error = .source))]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{}", crate::tr!("store.data_dir", path = .path.display(), error = .source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", crate::tr!("store.task", error = .0))]
    Task(String),
}

/// One process's connection to `wecom.db`; shared through `Arc` by the
/// tasks of the process.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Db {
    /// `wecom.db` in the data directory (`WECOM_DATA_DIR` overrides it).
    pub fn default_path() -> PathBuf {
        paths::data_dir().join(DB_FILE)
    }

    /// Opens the default database, creating it if need be.
    pub fn open_default() -> Result<Arc<Db>, StoreError> {
        Db::open(&Db::default_path()).map(Arc::new)
    }

    /// Opens (or creates) the database at `path`: WAL, busy timeout, schema
    /// migrated; the directory made 0700, the file and its WAL 0600.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        paths::create_private_dir(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if !path.exists() {
            // Created empty and private first, so SQLite never makes it 0644.
            paths::private_file_options()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|source| StoreError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // A short-lived process (`wecom send`) would otherwise checkpoint
        // and delete the WAL as it exits, and the next one re-create and
        // sync it: a few fsyncs per send. The WAL is checkpointed as it
        // grows instead (SQLite's automatic checkpoint).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(open_err)?;
        set_wal(&conn).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        let db = Db {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        db.migrate()?;
        for side in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(side);
            let _ = paths::tighten_file(Path::new(&name));
        }
        let _ = paths::tighten_file(path);
        Ok(db)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic in another task while holding the lock leaves a usable
        // connection: SQLite rolled back whatever was unfinished.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sql_err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// Runs `f` on the connection (plain statements, autocommit).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        off_the_async_threads(|| {
            let conn = self.lock();
            f(&conn).map_err(|e| self.sql_err(e))
        })
    }

    /// Runs `f` in an `IMMEDIATE` transaction: the write lock is taken at
    /// the start, so what `f` reads cannot change before it writes.
    /// Committed if `f` returns `Ok`, rolled back otherwise.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        off_the_async_threads(|| {
            let mut conn = self.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.sql_err(e))?;
            let value = f(&tx).map_err(|e| self.sql_err(e))?;
            tx.commit().map_err(|e| self.sql_err(e))?;
            Ok(value)
        })
    }

    /// Runs blocking store work off the async threads.
    pub async fn run<T, F>(self: &Arc<Db>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> Result<T, StoreError> + Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        self.write(|tx| {
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version > known {
                return Ok(Some(version));
            }
            for (index, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(step)?;
                tx.pragma_update(None, "user_version", index as i64 + 1)?;
            }
            Ok(None)
        })?
        .map_or(Ok(()), |found| {
            Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known,
            })
        })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }
}

/// Renames an imported file to `NAME.imported` (or `.imported-2`, …), so
/// the old file is kept but never imported twice.
pub(crate) fn set_imported_aside(path: &Path) -> std::io::Result<PathBuf> {
    let base = format!("{}.imported", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &candidate)?;
    Ok(candidate)
}

/// Puts the database in WAL mode, once: a database already in WAL is left
/// as it is (asking needs no lock). Switching needs an exclusive lock, and
/// SQLite answers "database is locked" at once, without waiting on the busy
/// timeout, when another process is switching or reading the new file at
/// the same moment (two `wecom send` started together on a new data
/// directory). So the switch is tried again for up to [`BUSY_TIMEOUT`].
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        let attempt = conn
            .pragma_query_value(None, "journal_mode", |row| row.get::<_, String>(0))
            .and_then(|mode| {
                if mode.eq_ignore_ascii_case("wal") {
                    Ok(())
                } else {
                    conn.pragma_update(None, "journal_mode", "WAL")
                }
            });
        match attempt {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Store calls work from every place the front ends make them: a
    /// worker of the multi-thread runtime (the relay: other tasks go on
    /// while one waits for the write lock), a blocking thread, the
    /// current-thread runtime of `wecom send`, and outside tokio.
    #[test]
    fn the_store_is_usable_from_every_kind_of_thread() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).unwrap());
        let count = |db: &Db| {
            db.with(|c| c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0)))
        };
        assert_eq!(count(&db).unwrap(), 0);
        let multi = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        multi.block_on(async {
            let on_worker = Arc::clone(&db);
            let n = tokio::spawn(async move { count(&on_worker) })
                .await
                .unwrap();
            assert_eq!(n.unwrap(), 0);
            let n = db.run(move |db| count(db)).await.unwrap();
            assert_eq!(n, 0);
        });
        // The only worker, blocked in the store, hands its other tasks on:
        // here the one that unblocks it (it would wait 5 s in vain).
        let one = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let unblocked = one.block_on(async {
            let held = Arc::clone(&db);
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let blocked = tokio::spawn(async move {
                held.write(|_| Ok(rx.recv_timeout(std::time::Duration::from_secs(5)).is_ok()))
            });
            tokio::spawn(async move {
                let _ = tx.send(());
            });
            blocked.await.unwrap().unwrap()
        });
        assert!(
            unblocked,
            "the other task could not run while the store blocked"
        );
        let single = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(single.block_on(async { count(&db) }).unwrap(), 0);
    }

    #[test]
    fn processes_opening_a_new_database_at_once_all_succeed() {
        // Two `wecom send` started together on a new data directory: each
        // opens (and switches to WAL) the same new file at the same moment.
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(DB_FILE);
            let start = std::sync::Arc::new(std::sync::Barrier::new(6));
            let openers: Vec<_> = (0..6)
                .map(|_| {
                    let path = path.clone();
                    let start = std::sync::Arc::clone(&start);
                    std::thread::spawn(move || {
                        start.wait();
                        Db::open(&path).map(|db| db.schema_version().unwrap())
                    })
                })
                .collect();
            for opener in openers {
                let opened = opener.join().unwrap();
                assert_eq!(opened.ok(), Some(MIGRATIONS.len() as i64));
            }
        }
    }

    #[test]
    fn opens_migrates_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join(DB_FILE);
        let db = Db::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = db
            .with(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(db);
        // Opening again does not migrate twice.
        let again = Db::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len() as i64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }

    #[test]
    fn a_newer_schema_is_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let db = Db::open(&path).unwrap();
        db.with(|c| c.pragma_update(None, "user_version", 99))
            .unwrap();
        drop(db);
        let err = Db::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer wecom") && err.contains("99"), "{err}");
    }
}
