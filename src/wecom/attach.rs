//! Sending a file or a voice clip: upload it, or reuse the media_id this robot
//! got for the same content less than 3 days ago, then send the message that
//! carries it. Shared by the composer and `wecom send`, so both reuse uploads
//! the same way.

use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::client::{Client, Progress, Receipt, SendError};
use super::media::MediaKind;
use super::message::{Media, Message};
use super::webhook::Webhook;
use crate::clock::now_unix;

/// Where media_ids are remembered between sends. The protocol layer only
/// needs these three operations; the store keeps them on disk, shared by
/// every process (`store::media_cache`). Robots are named by [`robot_id`],
/// never by key.
pub trait MediaIds: Send + Sync {
    /// A media_id this robot got for this content and kind that is still
    /// usable at `now` (Unix seconds), with when its upload started.
    fn lookup(&self, robot: &str, sha256: &str, kind: MediaKind, now: i64)
    -> Option<(String, i64)>;
    /// Keeps an upload's media_id (`created_at`: when the upload started).
    fn remember(&self, robot: &str, sha256: &str, kind: MediaKind, media_id: &str, created_at: i64);
    /// Drops a media_id the server no longer takes.
    fn forget(&self, robot: &str, media_id: &str);
}

/// A cache behind a mutex is a cache: the composer shares one that way.
impl<T: MediaIds> MediaIds for Mutex<T> {
    fn lookup(
        &self,
        robot: &str,
        sha256: &str,
        kind: MediaKind,
        now: i64,
    ) -> Option<(String, i64)> {
        lock(self).lookup(robot, sha256, kind, now)
    }
    fn remember(
        &self,
        robot: &str,
        sha256: &str,
        kind: MediaKind,
        media_id: &str,
        created_at: i64,
    ) {
        lock(self).remember(robot, sha256, kind, media_id, created_at);
    }
    fn forget(&self, robot: &str, media_id: &str) {
        lock(self).forget(robot, media_id);
    }
}

/// Domain separation for [`robot_id`], so the hash matches no other use of
/// the same URL. (Its text predates the history and the ledger, which use
/// the same fingerprint; changing it would orphan every stored row.)
const ROBOT_ID_CONTEXT: &str = "wecom-composer media cache robot v1\n";

/// The hexadecimal sha256 identifying a robot: of its send URL, which holds
/// the key, so two robots never share an id and the key cannot be read back
/// (keys are random UUIDs). What the store, the history and the rate ledger
/// know a robot by.
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

/// errcode of a media_id the server does not take (expired, forgotten).
const INVALID_MEDIA_ID: i64 = 40007;

/// What happened on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaSent {
    pub receipt: Receipt,
    pub media_id: String,
    /// Set when no upload was needed: the age in seconds of the reused upload.
    pub reused_age_secs: Option<i64>,
}

/// The `file` or `voice` message for a media_id.
pub fn media_message(kind: MediaKind, media_id: String) -> Message {
    match kind {
        MediaKind::File => Message::File(Media { media_id }),
        MediaKind::Voice => Message::Voice(Media { media_id }),
    }
}

fn lock<T>(cache: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves a usable cache: the
    // worst case is one upload too many.
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where uploads go and are remembered: a robot, and the shared cache.
#[derive(Clone, Copy)]
pub struct Uploader<'a> {
    pub client: &'a Client,
    pub cache: &'a dyn MediaIds,
    pub webhook: &'a Webhook,
}

impl Uploader<'_> {
    /// A media_id for `path`: this robot's fresh one for the same content
    /// (with its age in seconds), or a new upload, remembered in the cache.
    pub async fn media_id_for(
        &self,
        path: &Path,
        kind: MediaKind,
        progress: impl Fn(Progress) + Send + Sync + 'static,
        cancel: CancellationToken,
    ) -> Result<(String, Option<i64>), SendError> {
        let sha256 = content_hash(path).await?;
        if let Some(cached) = self.cached(&sha256, kind) {
            return Ok(cached);
        }
        let media_id = self.upload(path, kind, &sha256, progress, cancel).await?;
        Ok((media_id, None))
    }

    /// Forgets a media_id the server refused (40007) and uploads the file
    /// again.
    pub async fn upload_again(
        &self,
        path: &Path,
        kind: MediaKind,
        refused: &str,
        progress: impl Fn(Progress) + Send + Sync + 'static,
        cancel: CancellationToken,
    ) -> Result<String, SendError> {
        self.cache.forget(&robot_id(self.webhook), refused);
        let sha256 = content_hash(path).await?;
        self.upload(path, kind, &sha256, progress, cancel).await
    }

    fn cached(&self, sha256: &str, kind: MediaKind) -> Option<(String, Option<i64>)> {
        let now = now_unix();
        let (id, created_at) = self
            .cache
            .lookup(&robot_id(self.webhook), sha256, kind, now)?;
        Some((id, Some(now - created_at)))
    }

    async fn upload(
        &self,
        path: &Path,
        kind: MediaKind,
        sha256: &str,
        progress: impl Fn(Progress) + Send + Sync + 'static,
        cancel: CancellationToken,
    ) -> Result<String, SendError> {
        let started_at = now_unix();
        let uploaded = self
            .client
            .upload(self.webhook, path, kind, progress, cancel)
            .await?;
        // Kept at once: an upload is worth keeping even if the app stops now.
        self.cache.remember(
            &robot_id(self.webhook),
            sha256,
            kind,
            &uploaded.media_id,
            started_at,
        );
        Ok(uploaded.media_id)
    }
}

async fn content_hash(path: &Path) -> Result<String, SendError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || file_sha256(&owned))
        .await
        .map_err(|e| SendError::Other(format!("hashing the file failed: {e}")))?
        .map_err(|e| SendError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// Whether an error is the server refusing a media_id (expired, forgotten).
pub fn is_invalid_media_id(e: &SendError) -> bool {
    matches!(e, SendError::Refused { errcode, .. } if *errcode == INVALID_MEDIA_ID)
}

/// Uploads `path` (or reuses a fresh media_id for its content), then sends it.
/// A reused media_id that the server refuses (40007) is forgotten and the
/// file uploaded once more.
pub async fn send_media<C: MediaIds + 'static>(
    client: &Client,
    cache: Arc<C>,
    webhook: &Webhook,
    path: &Path,
    kind: MediaKind,
    progress: impl Fn(Progress) + Send + Sync + Clone + 'static,
    cancel: CancellationToken,
) -> Result<MediaSent, SendError> {
    let uploader = Uploader {
        client,
        cache: &*cache,
        webhook,
    };
    let (media_id, reused_age_secs) = uploader
        .media_id_for(path, kind, progress.clone(), cancel.clone())
        .await?;
    match client
        .send(webhook, &media_message(kind, media_id.clone()))
        .await
    {
        Ok(receipt) => Ok(MediaSent {
            receipt,
            media_id,
            reused_age_secs,
        }),
        Err(e) if reused_age_secs.is_some() && is_invalid_media_id(&e) => {
            let fresh = uploader
                .upload_again(path, kind, &media_id, progress, cancel)
                .await?;
            let receipt = client
                .send(webhook, &media_message(kind, fresh.clone()))
                .await?;
            Ok(MediaSent {
                receipt,
                media_id: fresh,
                reused_age_secs: None,
            })
        }
        Err(e) => Err(e),
    }
}
