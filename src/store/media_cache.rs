//! The media cache: which `media_id` an uploaded file got, so that sending
//! the same file again through the same robot skips the upload.
//!
//! WeCom keeps an upload for three days and lets only the robot that
//! uploaded it send it (API-FACTS.md), so an entry is keyed by the robot, the
//! file's content (sha256) and the upload kind, and is reused only while it
//! is younger than [`limits::MEDIA_ID_TTL`] less [`SAFETY_MARGIN`]. The file
//! lives in the data directory and must never hold a key, so the robot is
//! identified by a sha256 of its webhook URL, from which the key cannot be
//! recovered (keys are random UUIDs). Written atomically, owner-only; a cache
//! that cannot be read is treated as empty, since it only saves time.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::write_atomic;
use crate::paths;
use crate::wecom::limits;
use crate::wecom::media::MediaKind;
use crate::wecom::webhook::Webhook;

/// The name of the cache file in [`paths::data_dir`].
pub const FILE_NAME: &str = "media-cache.json";
/// An entry is not reused in the last hour of its three days: a send can take
/// a while to reach WeCom, and clocks differ.
pub const SAFETY_MARGIN: Duration = Duration::from_secs(60 * 60);
/// Domain separation for [`robot_id`], so the hash matches no other use of
/// the same URL.
const ROBOT_ID_CONTEXT: &str = "wecom-composer media cache robot v1\n";

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

/// The cache, loaded in memory; [`MediaCache::save`] writes it back.
#[derive(Debug)]
pub struct MediaCache {
    path: PathBuf,
    entries: Vec<Entry>,
    ttl: Duration,
    /// Whether entries were added or dropped since loading: saving syncs
    /// the disk, which costs more than a whole send to the sandbox.
    changed: bool,
}

/// The hexadecimal sha256 identifying a robot: of its send URL, which holds
/// the key, so two robots never share an id and the key cannot be read back.
pub fn robot_id(webhook: &Webhook) -> String {
    let mut hash = Sha256::new();
    hash.update(ROBOT_ID_CONTEXT.as_bytes());
    hash.update(webhook.send_url().as_str().as_bytes());
    hex::encode(hash.finalize())
}

/// The hexadecimal sha256 of a file's content, read in pieces (files go up
/// to 20 MiB).
pub fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hex::encode(hash.finalize()))
}

pub use crate::clock::now_unix;

impl MediaCache {
    /// `media-cache.json` in the data directory (`WECOM_DATA_DIR` overrides).
    pub fn default_path() -> PathBuf {
        paths::data_dir().join(FILE_NAME)
    }

    /// The cache at `path`; a missing or unreadable file gives an empty cache.
    pub fn load(path: impl Into<PathBuf>) -> MediaCache {
        let path = path.into();
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .map(|f| f.entries)
            .unwrap_or_default();
        MediaCache {
            path,
            entries,
            ttl: limits::MEDIA_ID_TTL,
            changed: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether [`MediaCache::put`] or [`MediaCache::forget`] changed it.
    pub fn is_changed(&self) -> bool {
        self.changed
    }

    /// Seconds an entry may be reused for.
    fn usable_secs(&self) -> i64 {
        self.ttl.saturating_sub(SAFETY_MARGIN).as_secs() as i64
    }

    fn fresh(&self, entry: &Entry, now: i64) -> bool {
        let age = now - entry.created_at;
        (0..self.usable_secs()).contains(&age)
    }

    /// A media_id this robot uploaded for this content and kind, still fresh
    /// at `now` (Unix seconds).
    pub fn get(&self, webhook: &Webhook, sha256: &str, kind: MediaKind, now: i64) -> Option<&str> {
        let robot = robot_id(webhook);
        self.entries
            .iter()
            .rev()
            .find(|e| {
                e.robot == robot && e.sha256 == sha256 && e.kind == kind && self.fresh(e, now)
            })
            .map(|e| e.media_id.as_str())
    }

    /// Remembers an upload, replacing an older one of the same content.
    pub fn put(
        &mut self,
        webhook: &Webhook,
        sha256: &str,
        kind: MediaKind,
        media_id: &str,
        created_at: i64,
    ) {
        let robot = robot_id(webhook);
        self.entries
            .retain(|e| !(e.robot == robot && e.sha256 == sha256 && e.kind == kind));
        self.entries.push(Entry {
            robot,
            sha256: sha256.to_owned(),
            kind,
            media_id: media_id.to_owned(),
            created_at,
        });
        self.changed = true;
    }

    /// Drops a media_id the server no longer takes (40007: expired, or a
    /// server that forgot it, like a restarted sandbox).
    pub fn forget(&mut self, webhook: &Webhook, media_id: &str) {
        let robot = robot_id(webhook);
        self.entries
            .retain(|e| !(e.robot == robot && e.media_id == media_id));
        self.changed = true;
    }

    /// Writes the cache, without the entries that are no longer usable.
    pub fn save(&mut self) -> io::Result<()> {
        let now = now_unix();
        let usable = self.usable_secs();
        self.entries
            .retain(|e| (0..usable).contains(&(now - e.created_at)));
        let file = File {
            entries: self.entries.clone(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(io::Error::other)?;
        write_atomic(&self.path, &json, 0o600)?;
        self.changed = false;
        Ok(())
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

    #[test]
    fn reused_for_the_same_robot_content_and_kind_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = MediaCache::load(dir.path().join(FILE_NAME));
        let now = now_unix();
        assert!(!cache.is_changed());
        cache.put(&hook(KEY_A), "abc", MediaKind::File, "m-1", now);
        assert!(cache.is_changed());
        assert_eq!(
            cache.get(&hook(KEY_A), "abc", MediaKind::File, now),
            Some("m-1")
        );
        assert_eq!(cache.get(&hook(KEY_B), "abc", MediaKind::File, now), None);
        assert_eq!(cache.get(&hook(KEY_A), "abd", MediaKind::File, now), None);
        assert_eq!(cache.get(&hook(KEY_A), "abc", MediaKind::Voice, now), None);
    }

    #[test]
    fn expires_before_three_days() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = MediaCache::load(dir.path().join(FILE_NAME));
        let day = 24 * 60 * 60;
        let at = 1_700_000_000;
        cache.put(&hook(KEY_A), "abc", MediaKind::File, "m-1", at);
        let w = hook(KEY_A);
        assert!(
            cache
                .get(&w, "abc", MediaKind::File, at + 2 * day)
                .is_some()
        );
        assert!(
            cache
                .get(&w, "abc", MediaKind::File, at + 3 * day - 3600)
                .is_none()
        );
        // A clock that went backwards does not make an entry usable either.
        assert!(cache.get(&w, "abc", MediaKind::File, at - 10).is_none());
    }

    #[test]
    fn saved_owner_only_without_any_key_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cache = MediaCache::load(&path);
        let now = now_unix();
        cache.put(&hook(KEY_A), "abc", MediaKind::Voice, "m-1", now);
        cache.put(
            &hook(KEY_B),
            "abc",
            MediaKind::Voice,
            "m-2",
            now - 4 * 86_400,
        );
        cache.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("fake-key"), "{text}");
        assert!(!text.contains("m-2"), "expired entries are dropped: {text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = MediaCache::load(&path);
        assert_eq!(
            again.get(&hook(KEY_A), "abc", MediaKind::Voice, now),
            Some("m-1")
        );
        let mut again = again;
        again.forget(&hook(KEY_A), "m-1");
        assert!(again.entries().is_empty());
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
