//! Drafts: what the user was writing, per robot and message kind, saved as
//! they type so that quitting or a crash loses nothing, plus where they were
//! (robot and kind) so the app reopens there.
//!
//! Drafts are keyed by robot name, never by webhook, so the store holds no
//! keys; it may hold confidential text, so it is readable by its owner only.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::OptionalExtension;

use super::db::Db;
use crate::paths;
use crate::wecom::MessageKind;

/// The text of one message being written: each editor's content by editor
/// name (`"content"`, `"mentioned_list"`, `"raw_json"`, …), so a draft can
/// hold any message kind's form without this module knowing its fields.
#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// Where the cursor was in each editor (row, column in characters), by
    /// the same names as `texts`, so typing after a restart goes where it
    /// was left. Absent in drafts written before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cursors: BTreeMap<String, (usize, usize)>,
}

impl Draft {
    /// Whether there is nothing to keep: every editor is empty.
    pub fn is_empty(&self) -> bool {
        self.texts.values().all(String::is_empty)
    }
}

/// The robot and message kind the user was last on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub robot: String,
    pub kind: MessageKind,
}

/// Every draft, by robot name and message kind.
#[derive(Clone, Default, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drafts {
    #[serde(default)]
    pub robots: BTreeMap<String, BTreeMap<MessageKind, Draft>>,
    #[serde(default)]
    pub last: Option<LastUsed>,
}

impl Drafts {
    /// The draft of `kind` for `robot`, if one was kept.
    pub fn get(&self, robot: &str, kind: MessageKind) -> Option<&Draft> {
        self.robots.get(robot)?.get(&kind)
    }

    /// Keeps `draft`, or forgets the slot when the draft is empty, so that
    /// clearing an editor leaves no stale entry behind.
    pub fn set(&mut self, robot: &str, kind: MessageKind, draft: Draft) {
        if draft.is_empty() {
            self.clear(robot, kind);
        } else {
            self.robots
                .entry(robot.to_owned())
                .or_default()
                .insert(kind, draft);
        }
    }

    /// Moves a robot's drafts (and the last-used place) to its new name,
    /// after the robot was renamed in the config. Where both names have a
    /// draft of the same kind, the renamed robot's draft wins.
    pub fn rename_robot(&mut self, old: &str, new: &str) {
        if old == new {
            return;
        }
        if let Some(moved) = self.robots.remove(old) {
            self.robots.entry(new.to_owned()).or_default().extend(moved);
        }
        if let Some(last) = self.last.as_mut().filter(|l| l.robot == old) {
            last.robot = new.to_owned();
        }
    }

    /// Forgets a deleted robot's drafts, and the last-used place if it was
    /// that robot.
    pub fn remove_robot(&mut self, name: &str) {
        self.robots.remove(name);
        if self.last.as_ref().is_some_and(|l| l.robot == name) {
            self.last = None;
        }
    }

    fn clear(&mut self, robot: &str, kind: MessageKind) {
        if let Some(kinds) = self.robots.get_mut(robot) {
            kinds.remove(&kind);
            if kinds.is_empty() {
                self.robots.remove(robot);
            }
        }
    }
}

/// Reads and writes the drafts, kept in the shared database
/// ([`super::db`]): one row per robot and message kind.
///
/// A store remembers what it loaded (or last saved), and a save writes only
/// the rows that differ from that: two composers on the same data directory
/// each keep the drafts they changed, instead of the last to quit writing its
/// whole copy over the other's. Clones share that memory, so a save from a
/// background thread updates it for everyone.
///
/// `drafts.json`, where earlier versions kept the drafts, is imported into
/// the database on the first load and renamed `drafts.json.imported`.
#[derive(Debug, Clone)]
pub struct DraftStore {
    /// The old `drafts.json`; the database sits beside it.
    path: PathBuf,
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    db: Option<Arc<Db>>,
    /// What the database held, as far as this process knows: the last load
    /// or save.
    known: Drafts,
}

impl PartialEq for DraftStore {
    fn eq(&self, other: &DraftStore) -> bool {
        self.path == other.path
    }
}

impl Eq for DraftStore {}

/// The `meta` row holding [`Drafts::last`].
const LAST_USED_KEY: &str = "drafts.last";

impl DraftStore {
    /// `drafts.json` in the data directory (`WECOM_DATA_DIR` overrides it);
    /// the drafts themselves live in `wecom.db` beside it.
    pub fn default_path() -> PathBuf {
        paths::data_dir().join("drafts.json")
    }

    /// A store for the drafts of the data directory holding `path` (the old
    /// `drafts.json`, imported once; tests, portable setups).
    pub fn new(path: impl Into<PathBuf>) -> DraftStore {
        DraftStore {
            path: path.into(),
            shared: Arc::default(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file the drafts live in.
    pub fn db_path(&self) -> PathBuf {
        self.path
            .parent()
            .unwrap_or(Path::new("."))
            .join(super::db::DB_FILE)
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn db(&self, shared: &mut Shared) -> io::Result<Arc<Db>> {
        if let Some(db) = &shared.db {
            return Ok(Arc::clone(db));
        }
        let db = Arc::new(Db::open(&self.db_path()).map_err(io::Error::other)?);
        shared.db = Some(Arc::clone(&db));
        Ok(db)
    }

    /// The saved drafts, and a warning to show if they could not all be
    /// used.
    ///
    /// No drafts yet means an empty set. An old `drafts.json` is imported
    /// first; one that cannot be read or parsed is moved aside (to
    /// `drafts.json.corrupt-<unix seconds>`) and the warning says where it
    /// went: the user's text is never lost silently. Never fails, so that a
    /// bad file cannot keep the app from starting.
    pub fn load(&self) -> (Drafts, Option<String>) {
        let mut shared = self.shared();
        let db = match self.db(&mut shared) {
            Ok(db) => db,
            Err(e) => {
                return (
                    Drafts::default(),
                    Some(crate::tr!("drafts.no_database", error = e).into_owned()),
                );
            }
        };
        let warning = self.import_json(&db);
        match read_all(&db) {
            Ok(drafts) => {
                shared.known = drafts.clone();
                (drafts, warning)
            }
            Err(e) => (
                Drafts::default(),
                Some(
                    crate::tr!("drafts.unreadable", path = db.path().display(), error = e)
                        .into_owned(),
                ),
            ),
        }
    }

    /// Writes what changed in `drafts` since this process last loaded or
    /// saved them: rows added or changed are written, rows gone are
    /// deleted, every other row (another composer's) is left alone.
    pub fn save(&self, drafts: &Drafts) -> io::Result<()> {
        let mut shared = self.shared();
        let db = self.db(&mut shared)?;
        let known = &shared.known;
        let now = crate::clock::now_ms() as i64;
        let mut upserts = Vec::new();
        for (robot, kinds) in &drafts.robots {
            for (kind, draft) in kinds {
                if known.get(robot, *kind) != Some(draft) {
                    let json = serde_json::to_string(draft).map_err(io::Error::other)?;
                    upserts.push((robot.clone(), kind_key(*kind), json));
                }
            }
        }
        let mut deletes = Vec::new();
        for (robot, kinds) in &known.robots {
            for kind in kinds.keys() {
                if drafts.get(robot, *kind).is_none() {
                    deletes.push((robot.clone(), kind_key(*kind)));
                }
            }
        }
        let last = (drafts.last != known.last)
            .then(|| serde_json::to_string(&drafts.last))
            .transpose()
            .map_err(io::Error::other)?;
        if upserts.is_empty() && deletes.is_empty() && last.is_none() {
            return Ok(());
        }
        db.write(|tx| {
            for (robot, kind, json) in &upserts {
                tx.execute(
                    "INSERT INTO drafts (robot, kind, draft, updated_ms) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (robot, kind) DO UPDATE SET draft = ?3, updated_ms = ?4",
                    rusqlite::params![robot, kind, json, now],
                )?;
            }
            for (robot, kind) in &deletes {
                tx.execute(
                    "DELETE FROM drafts WHERE robot = ?1 AND kind = ?2",
                    rusqlite::params![robot, kind],
                )?;
            }
            if let Some(last) = &last {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = ?2",
                    rusqlite::params![LAST_USED_KEY, last],
                )?;
            }
            Ok(())
        })
        .map_err(io::Error::other)?;
        shared.known = drafts.clone();
        Ok(())
    }

    /// Imports `drafts.json` if it is still there, then renames it; a file
    /// that cannot be used is moved aside, and the sentence returned says
    /// so. Rows already in the database win: they are newer.
    fn import_json(&self, db: &Db) -> Option<String> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) => {
                return Some(self.set_aside(&crate::tr!("drafts.file_unreadable", error = e)));
            }
        };
        let old = match serde_json::from_slice::<Drafts>(&bytes) {
            Ok(old) => old,
            Err(e) => return Some(self.set_aside(&describe_json_error(&e))),
        };
        let imported = db.write(|tx| {
            for (robot, kinds) in &old.robots {
                for (kind, draft) in kinds {
                    let json = serde_json::to_string(draft)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    tx.execute(
                        "INSERT OR IGNORE INTO drafts (robot, kind, draft, updated_ms) VALUES (?1, ?2, ?3, 0)",
                        rusqlite::params![robot, kind_key(*kind), json],
                    )?;
                }
            }
            if let Ok(last) = serde_json::to_string(&old.last) {
                tx.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                    rusqlite::params![LAST_USED_KEY, last],
                )?;
            }
            Ok(())
        });
        match imported {
            Ok(()) => match super::db::set_imported_aside(&self.path) {
                Ok(_) => None,
                Err(e) => Some(
                    crate::tr!("drafts.not_renamed", path = self.path.display(), error = e)
                        .into_owned(),
                ),
            },
            Err(e) => Some(
                crate::tr!("drafts.not_imported", path = self.path.display(), error = e)
                    .into_owned(),
            ),
        }
    }

    /// Moves the unusable file aside and says so in a sentence.
    fn set_aside(&self, problem: &str) -> String {
        let shown = self.path.display();
        match self.move_aside() {
            Ok(aside) => crate::tr!(
                "drafts.moved_aside",
                path = shown,
                problem = problem,
                aside = aside.display()
            )
            .into_owned(),
            Err(e) => crate::tr!(
                "drafts.not_moved_aside",
                path = shown,
                problem = problem,
                error = e
            )
            .into_owned(),
        }
    }

    fn move_aside(&self) -> io::Result<PathBuf> {
        let aside = self.free_aside_path();
        fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    /// `drafts.json.corrupt-<secs>`, with `-2`, `-3`… appended if that name
    /// is taken, so an earlier bad file is never overwritten.
    fn free_aside_path(&self) -> PathBuf {
        let secs = crate::clock::now_unix();
        let base = format!("{}.corrupt-{secs}", self.path.display());
        let mut candidate = PathBuf::from(&base);
        let mut n = 2;
        while candidate.exists() {
            candidate = PathBuf::from(format!("{base}-{n}"));
            n += 1;
        }
        candidate
    }
}

/// Every draft row, and the last-used place. A row that no longer parses
/// (written by a newer version in a layout this one cannot read) is
/// skipped, not deleted.
fn read_all(db: &Db) -> Result<Drafts, super::db::StoreError> {
    db.with(|c| {
        let mut drafts = Drafts::default();
        let mut rows = c.prepare("SELECT robot, kind, draft FROM drafts")?;
        let mut rows = rows.query([])?;
        while let Some(row) = rows.next()? {
            let robot: String = row.get(0)?;
            let kind: String = row.get(1)?;
            let json: String = row.get(2)?;
            if let (Some(kind), Ok(draft)) =
                (parse_kind(&kind), serde_json::from_str::<Draft>(&json))
            {
                drafts.robots.entry(robot).or_default().insert(kind, draft);
            }
        }
        let last: Option<String> = c
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [LAST_USED_KEY],
                |r| r.get(0),
            )
            .optional()?;
        drafts.last = last.and_then(|l| serde_json::from_str(&l).ok()).flatten();
        Ok(drafts)
    })
}

/// The kind's name in the database: its serde name (`markdown_v2`).
fn kind_key(kind: MessageKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}"),
    }
}

fn parse_kind(key: &str) -> Option<MessageKind> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

/// Where the JSON went wrong, without quoting it: serde's messages may quote
/// the user's text.
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => crate::tr!("drafts.json_eof"),
        Category::Syntax => crate::tr!("drafts.json_syntax"),
        Category::Data => crate::tr!("drafts.json_data"),
        Category::Io => crate::tr!("drafts.json_io"),
    };
    crate::tr!(
        "drafts.json_where",
        what = what,
        line = e.line(),
        column = e.column()
    )
    .into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn draft(content: &str) -> Draft {
        Draft {
            texts: BTreeMap::from([("content".to_owned(), content.to_owned())]),
            ..Draft::default()
        }
    }

    fn sample() -> Drafts {
        let mut d = Drafts::default();
        d.set("deploy", MessageKind::Markdown, draft("# 发布完成\n- ok"));
        d.set("deploy", MessageKind::TextNotice, draft("card"));
        d.set("alerts", MessageKind::Text, draft("incident"));
        d.last = Some(LastUsed {
            robot: "deploy".into(),
            kind: MessageKind::Markdown,
        });
        d
    }

    fn aside_files(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("drafts.json")
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn round_trip_through_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("data/drafts.json"));
        let drafts = sample();
        store.save(&drafts).unwrap();
        let (loaded, warning) = DraftStore::new(store.path()).load();
        assert_eq!(warning, None);
        assert_eq!(loaded, drafts);
        assert!(!store.path().exists(), "no drafts.json is written any more");
    }

    #[cfg(unix)]
    #[test]
    fn the_database_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        store.save(&sample()).unwrap();
        let mode = fs::metadata(store.db_path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn no_drafts_yet_is_an_empty_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        assert_eq!(store.load(), (Drafts::default(), None));
        assert!(!store.path().exists());
    }

    #[test]
    fn two_writers_keep_each_others_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drafts.json");
        let first = DraftStore::new(&path);
        let second = DraftStore::new(&path);
        let (mut a, _) = first.load();
        let (mut b, _) = second.load();
        a.set("deploy", MessageKind::Text, draft("from the first"));
        b.set("alerts", MessageKind::Markdown, draft("from the second"));
        first.save(&a).unwrap();
        second.save(&b).unwrap();
        // The first changes its draft again and clears nothing it did not own.
        a.set("deploy", MessageKind::Text, draft("edited"));
        first.save(&a).unwrap();
        let (all, _) = DraftStore::new(&path).load();
        assert_eq!(all.get("deploy", MessageKind::Text), Some(&draft("edited")));
        assert_eq!(
            all.get("alerts", MessageKind::Markdown),
            Some(&draft("from the second"))
        );
        // A draft cleared by one writer is deleted, the other's stays.
        b.set("alerts", MessageKind::Markdown, Draft::default());
        second.save(&b).unwrap();
        let (all, _) = DraftStore::new(&path).load();
        assert_eq!(all.get("alerts", MessageKind::Markdown), None);
        assert_eq!(all.get("deploy", MessageKind::Text), Some(&draft("edited")));
    }

    #[test]
    fn an_old_drafts_json_is_imported_once_and_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drafts.json");
        fs::write(&path, serde_json::to_vec(&sample()).unwrap()).unwrap();
        let (loaded, warning) = DraftStore::new(&path).load();
        assert_eq!(warning, None);
        assert_eq!(loaded, sample());
        assert!(!path.exists());
        assert!(dir.path().join("drafts.json.imported").exists());
        let (again, _) = DraftStore::new(&path).load();
        assert_eq!(again, sample());
    }

    #[test]
    fn corrupt_file_is_moved_aside_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        let bad = "{\"robots\": {\"deploy\": {\"text\": {\"texts\": {\"content\": \"secret plan";
        fs::write(store.path(), bad).unwrap();
        let (drafts, warning) = store.load();
        assert_eq!(drafts, Drafts::default());
        let warning = warning.unwrap();
        assert!(!store.path().exists());
        let aside = aside_files(dir.path());
        assert_eq!(aside.len(), 1);
        let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("drafts.json.corrupt-"), "{name}");
        assert_eq!(fs::read_to_string(&aside[0]).unwrap(), bad);
        assert!(
            warning.contains(&aside[0].display().to_string()),
            "{warning}"
        );
        assert!(!warning.contains("secret plan"), "{warning}");

        // A second bad file in the same second does not overwrite the first.
        fs::write(store.path(), "[1, 2").unwrap();
        let (_, again) = store.load();
        assert!(again.is_some());
        assert_eq!(aside_files(dir.path()).len(), 2);
    }

    #[test]
    fn wrong_layout_is_also_set_aside_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts.json"));
        fs::write(store.path(), "{\"robots\": \"confidential words\"}").unwrap();
        let (drafts, warning) = store.load();
        assert_eq!(drafts, Drafts::default());
        let warning = warning.unwrap();
        assert!(warning.contains("expected layout"), "{warning}");
        assert!(!warning.contains("confidential"), "{warning}");
    }

    #[test]
    fn empty_drafts_are_forgotten() {
        let mut d = sample();
        d.set("alerts", MessageKind::Text, Draft::default());
        assert!(!d.robots.contains_key("alerts"));
        let mut blank = draft("");
        blank.texts.insert("mentioned_list".into(), String::new());
        assert!(blank.is_empty());
        d.set("deploy", MessageKind::Markdown, blank);
        assert!(d.get("deploy", MessageKind::Markdown).is_none());
        assert!(d.get("deploy", MessageKind::TextNotice).is_some());
    }

    #[test]
    fn rename_moves_drafts_and_last_used() {
        let mut d = sample();
        d.set("releases", MessageKind::Markdown, draft("stale"));
        d.set("releases", MessageKind::News, draft("news"));
        d.rename_robot("deploy", "releases");
        assert!(!d.robots.contains_key("deploy"));
        assert_eq!(
            d.get("releases", MessageKind::Markdown),
            Some(&draft("# 发布完成\n- ok"))
        );
        assert_eq!(
            d.get("releases", MessageKind::TextNotice),
            Some(&draft("card"))
        );
        assert_eq!(d.get("releases", MessageKind::News), Some(&draft("news")));
        assert_eq!(d.last.as_ref().unwrap().robot, "releases");
    }

    #[test]
    fn remove_forgets_drafts_and_last_used() {
        let mut d = sample();
        d.remove_robot("alerts");
        assert!(d.get("alerts", MessageKind::Text).is_none());
        assert!(d.last.is_some());
        d.remove_robot("deploy");
        assert!(d.robots.is_empty());
        assert_eq!(d.last, None);
    }
}
