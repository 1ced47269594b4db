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

/// Uploads `path` (or reuses a fresh media_id for its content), then sends it.
/// A reused media_id that the server refuses (40007) is forgotten and the
/// file uploaded once more. The cache is saved after a new upload.
pub async fn send_media(
    client: &Client,
    cache: Arc<Mutex<MediaCache>>,
    webhook: &Webhook,
    path: &Path,
    kind: MediaKind,
    progress: impl Fn(Progress) + Send + Sync + Clone + 'static,
    cancel: CancellationToken,
) -> Result<MediaSent, SendError> {
    let owned = path.to_path_buf();
    let sha256 = tokio::task::spawn_blocking(move || file_sha256(&owned))
        .await
        .map_err(|e| SendError::Other(format!("hashing the file failed: {e}")))?
        .map_err(|e| SendError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let cached = {
        let cache = lock(&cache);
        cache.get(webhook, &sha256, kind, now_unix()).map(|id| {
            let age = cache
                .entries()
                .iter()
                .find(|e| e.media_id == id)
                .map_or(0, |e| now_unix() - e.created_at);
            (id.to_owned(), age)
        })
    };
    if let Some((media_id, age)) = cached {
        match client
            .send(webhook, &media_message(kind, media_id.clone()))
            .await
        {
            Ok(receipt) => {
                return Ok(MediaSent {
                    receipt,
                    media_id,
                    reused_age_secs: Some(age),
                });
            }
            Err(SendError::Refused { errcode, .. }) if errcode == INVALID_MEDIA_ID => {
                lock(&cache).forget(webhook, &media_id);
            }
            Err(e) => return Err(e),
        }
    }
    let started_at = now_unix();
    let uploaded = client.upload(webhook, path, kind, progress, cancel).await?;
    {
        let mut cache = lock(&cache);
        cache.put(webhook, &sha256, kind, &uploaded.media_id, started_at);
        if let Err(e) = cache.save() {
            tracing::warn!("the media cache could not be saved: {e}");
        }
    }
    let receipt = client
        .send(webhook, &media_message(kind, uploaded.media_id.clone()))
        .await?;
    Ok(MediaSent {
        receipt,
        media_id: uploaded.media_id,
        reused_age_secs: None,
    })
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
