//! The media cache: which `media_id` an uploaded file got, so that sending
//! the same file again through the same robot skips the upload.
//!
//! WeCom keeps an upload for three days and lets only the robot that
//! uploaded it send it (API-FACTS.md), so an entry is keyed by the robot, the
//! file's content (sha256) and the upload kind, and is reused only while it
//! is younger than [`limits::MEDIA_ID_TTL`] less [`SAFETY_MARGIN`]. Entries
//! live in the shared database ([`super::db`]), one row each, so two
//! processes uploading at once both keep theirs. The store never holds a
//! key: the robot is its [`robot_id`] fingerprint. A cache that cannot be
//! opened is treated as empty, since it only saves time. The protocol layer
//! sees it through [`MediaIds`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::db::Db;
use crate::wecom::attach::MediaIds;
use crate::wecom::limits;
use crate::wecom::media::MediaKind;
use crate::wecom::webhook::Webhook;

pub use crate::clock::now_unix;
pub use crate::wecom::attach::{file_sha256, robot_id};

/// The name of the old cache file in the data directory, imported into the
/// database once and renamed `media-cache.json.imported`.
pub const FILE_NAME: &str = "media-cache.json";
/// An entry is not reused in the last hour of its three days: a send can take
/// a while to reach WeCom, and clocks differ.
pub const SAFETY_MARGIN: Duration = Duration::from_secs(60 * 60);

/// One upload that may be reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// [`robot_id`] of the robot that uploaded it.
    pub robot: String,
    /// sha256 of the file's content, hexadecimal.
    pub sha256: String,
    pub kind: MediaKind,
    pub media_id: String,
    /// When the upload started, in Unix seconds (local clock): the start, so
    /// that the entry expires early rather than late.
    pub created_at: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    entries: Vec<Entry>,
}

/// The cache, on the shared database.
#[derive(Debug, Clone)]
pub struct MediaCache {
    path: PathBuf,
    db: Option<Arc<Db>>,
    ttl: Duration,
}

impl MediaCache {
    /// The old `media-cache.json` in the data directory (`WECOM_DATA_DIR`
    /// overrides); the cache lives in `wecom.db` beside it.
    pub fn default_path() -> PathBuf {
        crate::paths::data_dir().join(FILE_NAME)
    }

    /// The cache of the data directory holding `path` (the old
    /// `media-cache.json`, imported once). A database that cannot be opened
    /// gives a cache that remembers nothing (and says so in the log).
    pub fn load(path: impl Into<PathBuf>) -> MediaCache {
        let path = path.into();
        let db_path = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(super::db::DB_FILE);
        let db = match Db::open(&db_path) {
            Ok(db) => Some(Arc::new(db)),
            Err(e) => {
                tracing::warn!("the media cache is off: {e}");
                None
            }
        };
        MediaCache::on(path, db)
    }

    /// The cache on an open database.
    pub fn with_db(db: Arc<Db>) -> MediaCache {
        let path = db.path().parent().unwrap_or(Path::new(".")).join(FILE_NAME);
        MediaCache::on(path, Some(db))
    }

    fn on(path: PathBuf, db: Option<Arc<Db>>) -> MediaCache {
        let cache = MediaCache {
            path,
            db,
            ttl: limits::MEDIA_ID_TTL,
        };
        cache.import_json();
        cache
    }

    /// The old file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds an entry may be reused for.
    fn usable_secs(&self) -> i64 {
        self.ttl.saturating_sub(SAFETY_MARGIN).as_secs() as i64
    }

    /// A media_id this robot uploaded for this content and kind, still fresh
    /// at `now` (Unix seconds).
    pub fn get(
        &self,
        webhook: &Webhook,
        sha256: &str,
        kind: MediaKind,
        now: i64,
    ) -> Option<String> {
        self.lookup(&robot_id(webhook), sha256, kind, now)
            .map(|(id, _)| id)
    }

    /// Every entry, usable or not (tests, diagnostics).
    pub fn entries(&self) -> Vec<Entry> {
        let Some(db) = &self.db else {
            return Vec::new();
        };
        db.with(|c| {
            let mut stmt = c.prepare(
                "SELECT robot, sha256, kind, media_id, created_at FROM media ORDER BY created_at",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (robot, sha256, kind, media_id, created_at) = row?;
                if let Some(kind) = MediaKind::parse(&kind) {
                    out.push(Entry {
                        robot,
                        sha256,
                        kind,
                        media_id,
                        created_at,
                    });
                }
            }
            Ok(out)
        })
        .unwrap_or_default()
    }

    /// Imports `media-cache.json` if it is still there, then renames it.
    fn import_json(&self) {
        let Some(db) = &self.db else { return };
        let Ok(bytes) = std::fs::read(&self.path) else {
            return;
        };
        let entries = serde_json::from_slice::<File>(&bytes)
            .map(|f| f.entries)
            .unwrap_or_default();
        let imported = db.write(|tx| {
            for e in &entries {
                tx.execute(
                    "INSERT OR IGNORE INTO media (robot, sha256, kind, media_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![e.robot, e.sha256, e.kind.as_str(), e.media_id, e.created_at],
                )?;
            }
            Ok(())
        });
        match imported {
            Ok(()) => {
                if let Err(e) = super::db::set_imported_aside(&self.path) {
                    tracing::warn!("the old media cache was imported but not renamed: {e}");
                }
            }
            Err(e) => tracing::warn!("the old media cache could not be imported: {e}"),
        }
    }
}

impl MediaIds for MediaCache {
    fn lookup(
        &self,
        robot: &str,
        sha256: &str,
        kind: MediaKind,
        now: i64,
    ) -> Option<(String, i64)> {
        let db = self.db.as_ref()?;
        let oldest = now - self.usable_secs();
        db.with(|c| {
            c.query_row(
                "SELECT media_id, created_at FROM media
                 WHERE robot = ?1 AND sha256 = ?2 AND kind = ?3 AND created_at > ?4 AND created_at <= ?5",
                rusqlite::params![robot, sha256, kind.as_str(), oldest, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
        .ok()
        .flatten()
    }

    fn remember(
        &self,
        robot: &str,
        sha256: &str,
        kind: MediaKind,
        media_id: &str,
        created_at: i64,
    ) {
        let Some(db) = &self.db else { return };
        let oldest = crate::clock::now_unix() - self.usable_secs();
        let result = db.write(|tx| {
            tx.execute(
                "INSERT INTO media (robot, sha256, kind, media_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (robot, sha256, kind) DO UPDATE SET media_id = ?4, created_at = ?5",
                rusqlite::params![robot, sha256, kind.as_str(), media_id, created_at],
            )?;
            // Entries no longer usable are of no use to anyone.
            tx.execute("DELETE FROM media WHERE created_at <= ?1", [oldest])?;
            Ok(())
        });
        if let Err(e) = result {
            tracing::warn!("the media cache could not be saved: {e}");
        }
    }

    fn forget(&self, robot: &str, media_id: &str) {
        let Some(db) = &self.db else { return };
        if let Err(e) = db.with(|c| {
            c.execute(
                "DELETE FROM media WHERE robot = ?1 AND media_id = ?2",
                rusqlite::params![robot, media_id],
            )
        }) {
            tracing::warn!("the media cache could not be updated: {e}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::wecom::webhook::default_base;

    const KEY_A: &str = "fake-key-0000-cache-aaaa";
    const KEY_B: &str = "fake-key-0000-cache-bbbb";

    fn hook(key: &str) -> Webhook {
        Webhook::parse(key, &default_base()).unwrap()
    }

    fn put(cache: &MediaCache, key: &str, sha: &str, kind: MediaKind, id: &str, at: i64) {
        cache.remember(&robot_id(&hook(key)), sha, kind, id, at);
    }

    #[test]
    fn reused_for_the_same_robot_content_and_kind_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MediaCache::load(dir.path().join(FILE_NAME));
        let now = now_unix();
        put(&cache, KEY_A, "abc", MediaKind::File, "m-1", now);
        assert_eq!(
            cache
                .get(&hook(KEY_A), "abc", MediaKind::File, now)
                .as_deref(),
            Some("m-1")
        );
        assert_eq!(cache.get(&hook(KEY_B), "abc", MediaKind::File, now), None);
        assert_eq!(cache.get(&hook(KEY_A), "abd", MediaKind::File, now), None);
        assert_eq!(cache.get(&hook(KEY_A), "abc", MediaKind::Voice, now), None);
    }

    #[test]
    fn expires_before_three_days() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MediaCache::load(dir.path().join(FILE_NAME));
        // Entries already too old are dropped as others are kept, so the
        // upload is recent; the lookups ask about later moments.
        let at = now_unix() - 10;
        put(&cache, KEY_A, "abc", MediaKind::File, "m-1", at);
        let w = hook(KEY_A);
        // Usable for exactly 3 days less the hour of margin: 255,600 s.
        let usable = 3 * 24 * 3600 - 3600;
        assert!(
            cache
                .get(&w, "abc", MediaKind::File, at + usable - 1)
                .is_some()
        );
        assert!(cache.get(&w, "abc", MediaKind::File, at + usable).is_none());
        // A clock that went backwards does not make an entry usable either.
        assert!(cache.get(&w, "abc", MediaKind::File, at - 10).is_none());
    }

    #[test]
    fn two_caches_on_one_directory_keep_both_entries() {
        let dir = tempfile::tempdir().unwrap();
        let one = MediaCache::load(dir.path().join(FILE_NAME));
        let two = MediaCache::load(dir.path().join(FILE_NAME));
        let now = now_unix();
        put(&one, KEY_A, "abc", MediaKind::File, "m-1", now);
        put(&two, KEY_A, "def", MediaKind::File, "m-2", now);
        let again = MediaCache::load(dir.path().join(FILE_NAME));
        assert_eq!(
            again
                .get(&hook(KEY_A), "abc", MediaKind::File, now)
                .as_deref(),
            Some("m-1")
        );
        assert_eq!(
            again
                .get(&hook(KEY_A), "def", MediaKind::File, now)
                .as_deref(),
            Some("m-2")
        );
    }

    #[test]
    fn stored_without_any_key_and_forgotten_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let cache = MediaCache::load(&path);
        let now = now_unix();
        put(&cache, KEY_A, "abc", MediaKind::Voice, "m-1", now);
        put(
            &cache,
            KEY_B,
            "abc",
            MediaKind::Voice,
            "m-2",
            now - 4 * 86_400,
        );
        let ids: Vec<String> = cache.entries().into_iter().map(|e| e.media_id).collect();
        assert_eq!(ids, ["m-1"], "expired entries are dropped");
        cache.forget(&robot_id(&hook(KEY_A)), "m-1");
        assert!(cache.entries().is_empty());
    }

    #[test]
    fn an_old_json_file_is_imported_and_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let now = now_unix();
        let old = serde_json::json!({"entries": [{
            "robot": robot_id(&hook(KEY_A)), "sha256": "abc", "kind": "file",
            "media_id": "m-old", "created_at": now
        }]});
        std::fs::write(&path, old.to_string()).unwrap();
        let cache = MediaCache::load(&path);
        assert_eq!(
            cache
                .get(&hook(KEY_A), "abc", MediaKind::File, now)
                .as_deref(),
            Some("m-old")
        );
        assert!(!path.exists());
        assert!(dir.path().join("media-cache.json.imported").exists());
    }

    #[test]
    fn an_unreadable_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "not json").unwrap();
        assert!(MediaCache::load(&path).entries().is_empty());
    }

    #[test]
    fn content_hash_is_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            file_sha256(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
