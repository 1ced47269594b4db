//! Sending a file or a voice clip: upload it, or reuse the media_id this robot
//! got for the same content less than 3 days ago, then send the message that
//! carries it. Shared by the composer and `wecom send`, so both reuse uploads
//! the same way.

use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::client::{Client, Progress, Receipt, SendError};
use super::media::MediaKind;
use super::message::{Media, Message};
use super::webhook::Webhook;
use crate::store::media_cache::{MediaCache, file_sha256, now_unix};

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

fn lock(cache: &Mutex<MediaCache>) -> std::sync::MutexGuard<'_, MediaCache> {
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
    pub cache: &'a Mutex<MediaCache>,
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
        lock(self.cache).forget(self.webhook, refused);
        let sha256 = content_hash(path).await?;
        self.upload(path, kind, &sha256, progress, cancel).await
    }

    fn cached(&self, sha256: &str, kind: MediaKind) -> Option<(String, Option<i64>)> {
        let cache = lock(self.cache);
        let id = cache.get(self.webhook, sha256, kind, now_unix())?;
        let age = cache
            .entries()
            .iter()
            .find(|e| e.media_id == id)
            .map_or(0, |e| now_unix() - e.created_at);
        Some((id.to_owned(), Some(age)))
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
        let mut cache = lock(self.cache);
        cache.put(self.webhook, sha256, kind, &uploaded.media_id, started_at);
        // Saved at once: an upload is worth keeping even if the app stops now.
        if let Err(e) = cache.save() {
            tracing::warn!("the media cache could not be saved: {e}");
        }
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
pub async fn send_media(
    client: &Client,
    cache: Arc<Mutex<MediaCache>>,
    webhook: &Webhook,
    path: &Path,
    kind: MediaKind,
    progress: impl Fn(Progress) + Send + Sync + Clone + 'static,
    cancel: CancellationToken,
) -> Result<MediaSent, SendError> {
    let uploader = Uploader {
        client,
        cache: &cache,
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

/// "2 h", "3 min", "40 s": the age of a reused upload, for messages.
pub fn age_text(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}
