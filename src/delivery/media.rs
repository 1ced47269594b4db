//! Files and voice clips through the engine: the upload (or the reuse of
//! this robot's media_id for the same content) comes first, then the
//! `file` / `voice` message goes through the outbox, the rate ledger and
//! the history like any other message.
//!
//! **Uploads are not counted in the rate ledger.** The documented limit
//! (API-FACTS.md: "at most 20 messages per minute per robot", errcode 45009)
//! is on messages; an upload is not a message and does not post anything to
//! the group, so only the message that carries the media_id takes a slot.
//! An upload is also never "may have been delivered": a lost upload answer
//! costs one more upload, never a duplicate in the chat, so a cancelled or
//! failed upload leaves nothing to decide for the user.
//!
//! The composer shows a progress bar and can cancel: [`UploadProgress`] is
//! called with the bytes written, and the engine's `stop` token cancels the
//! upload too (it then ends as [`Delivered::Stopped`](super::Delivered)).

use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::Engine;
use crate::store::outbox::{NewItem, Upload};
use crate::wecom::Webhook;
use crate::wecom::attach::MediaIds;
use crate::wecom::attach::{Uploader, media_message, robot_id};
use crate::wecom::client::{Progress, SendError};
use crate::wecom::media::MediaKind;

/// Called with the bytes of an upload written so far.
pub type UploadProgress = Arc<dyn Fn(Progress) + Send + Sync>;

/// The outbox item for a file or voice clip to robot `robot_name`: the
/// payload's media_id is filled in by the upload when it is delivered.
/// The path is made absolute, so a worker in another directory finds it.
pub fn media_item(robot_name: &str, webhook: &Webhook, path: &Path, kind: MediaKind) -> NewItem {
    let name = path
        .file_name()
        .map(|n| crate::untrusted::one_line(&n.to_string_lossy()).into_owned())
        .unwrap_or_default();
    NewItem {
        label: format!("{} {name}", kind.as_str()),
        robot_name: robot_name.to_owned(),
        robot: robot_id(webhook),
        msgtype: kind.as_str().to_owned(),
        payload: media_message(kind, String::new()).to_json(),
        part: None,
        upload: Some(Upload {
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            kind,
        }),
    }
}

impl Engine {
    /// A media_id for `upload`: this robot's fresh one for the same content
    /// (`true`: reused, nothing uploaded) or a new upload, kept in the
    /// shared media cache at once.
    pub(super) async fn media_id(
        &self,
        webhook: &Webhook,
        upload: &Upload,
        progress: Option<&UploadProgress>,
        stop: &CancellationToken,
    ) -> Result<(String, bool), SendError> {
        let uploader = Uploader {
            client: &self.client,
            cache: &self.media,
            webhook,
        };
        let progress = progress.cloned();
        let (id, age) = uploader
            .media_id_for(
                &upload.path,
                upload.kind,
                move |p| {
                    if let Some(progress) = &progress {
                        progress(p);
                    }
                },
                stop.child_token(),
            )
            .await?;
        Ok((id, age.is_some()))
    }

    /// Forgets a reused media_id the server no longer takes (40007), so the
    /// next attempt uploads the file again.
    pub(super) fn forget_media_id(&self, webhook: &Webhook, media_id: &str) {
        self.media.forget(&robot_id(webhook), media_id);
    }
}
