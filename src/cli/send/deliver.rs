//! Sending the planned messages in order, under the robot's rate limit.
//!
//! Each message waits for a slot in the robot's window ([`Pacer`]), so a
//! batch of 25 is sent as 20, then 5 when the window has moved on. If WeCom
//! still answers 45009 (another program is using the same robot), the
//! message is tried again every `window / limit` for up to two windows.
//! Uploads go through the media cache: a file already uploaded by this robot
//! in the last three days is not uploaded again, and a cached media_id that
//! WeCom no longer knows (40007) is dropped and the file uploaded anew. The
//! first failure stops the batch: what follows is reported as not sent, so a
//! sequence (numbered parts) never arrives with a hole in it.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::plan::Item;
use crate::relay::Pacer;
use crate::store::media_cache::{MediaCache, robot_id};
use crate::wecom::attach::{self, media_message};
use crate::wecom::client::{Client, SendError};
use crate::wecom::media::MediaKind;
use crate::wecom::{Message, Webhook};

/// 45009: over 20 messages a minute.
const FREQ_OUT_OF_LIMIT: i64 = 45009;

/// What happened to one message.
#[derive(Debug)]
pub struct Outcome {
    pub label: String,
    pub msgtype: &'static str,
    pub status: Status,
    /// Time spent waiting for the rate limit.
    pub waited: Duration,
    /// From the first request to the answer (upload included).
    pub elapsed: Duration,
    /// For file and voice: whether the media_id came from the cache.
    pub cached_media: Option<bool>,
}

#[derive(Debug)]
pub enum Status {
    Sent { errmsg: String },
    Failed(SendError),
    NotSent,
}

/// Everything a send needs besides the messages.
pub struct Sender<'a> {
    pub client: &'a Client,
    pub webhook: &'a Webhook,
    pub pacer: &'a Pacer,
    pub cache: &'a std::sync::Mutex<MediaCache>,
    /// Fail at once on 45009 instead of waiting.
    pub no_wait: bool,
    /// Called before each message with a line about what is happening.
    pub progress: &'a dyn Fn(&str),
}

impl Sender<'_> {
    /// Sends every item in order; stops at the first failure.
    pub async fn send_all(&mut self, items: &[Item]) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(items.len());
        let mut failed = false;
        for item in items {
            if failed {
                outcomes.push(Outcome {
                    label: item.label().to_owned(),
                    msgtype: item.msgtype(),
                    status: Status::NotSent,
                    waited: Duration::ZERO,
                    elapsed: Duration::ZERO,
                    cached_media: None,
                });
                continue;
            }
            let outcome = self.send_one(item).await;
            failed = matches!(outcome.status, Status::Failed(_));
            outcomes.push(outcome);
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.is_changed()
            && let Err(e) = cache.save()
        {
            (self.progress)(&format!(
                "warning: cannot save the media cache {}: {e}",
                cache.path().display()
            ));
        }
        drop(cache);
        outcomes
    }

    async fn send_one(&mut self, item: &Item) -> Outcome {
        let started = Instant::now();
        let mut outcome = Outcome {
            label: item.label().to_owned(),
            msgtype: item.msgtype(),
            status: Status::NotSent,
            waited: Duration::ZERO,
            elapsed: Duration::ZERO,
            cached_media: None,
        };
        let result = match item {
            Item::Ready { message, .. } => self.send_paced(message, &mut outcome.waited).await,
            Item::Upload { path, kind, .. } => self.send_upload(path, *kind, &mut outcome).await,
        };
        outcome.status = match result {
            Ok(errmsg) => Status::Sent { errmsg },
            Err(e) => Status::Failed(e),
        };
        outcome.elapsed = started.elapsed().saturating_sub(outcome.waited);
        outcome
    }

    /// A file or voice clip: the cached media_id if fresh, else an upload
    /// (the engine the composer uses too); once more if WeCom has forgotten
    /// a cached one.
    async fn send_upload(
        &mut self,
        path: &Path,
        kind: MediaKind,
        outcome: &mut Outcome,
    ) -> Result<String, SendError> {
        let uploader = attach::Uploader {
            client: self.client,
            cache: self.cache,
            webhook: self.webhook,
        };
        let (media_id, age) = uploader
            .media_id_for(path, kind, |_| {}, CancellationToken::new())
            .await?;
        outcome.cached_media = Some(age.is_some());
        match self
            .send_paced(&media_message(kind, media_id.clone()), &mut outcome.waited)
            .await
        {
            Err(e) if age.is_some() && attach::is_invalid_media_id(&e) => {
                outcome.cached_media = Some(false);
                let fresh = uploader
                    .upload_again(path, kind, &media_id, |_| {}, CancellationToken::new())
                    .await?;
                self.send_paced(&media_message(kind, fresh), &mut outcome.waited)
                    .await
            }
            other => other,
        }
    }

    /// Sends one message when the robot's window has room; retries 45009.
    async fn send_paced(
        &self,
        message: &Message,
        waited: &mut Duration,
    ) -> Result<String, SendError> {
        let robot = robot_id(self.webhook);
        let json = message.to_json();
        let patience = self.pacer.window() * 2;
        let mut retried = Duration::ZERO;
        loop {
            let before = Instant::now();
            // Without a maximum wait, a slot is always granted.
            let slot = match self.pacer.acquire(&robot, None).await {
                Ok(slot) => slot,
                Err(wait) => return Err(SendError::Other(format!("no slot within {wait:?}"))),
            };
            let paused = before.elapsed();
            if paused > Duration::from_millis(100) {
                *waited += paused;
            }
            let result = self.client.send_raw(self.webhook, json.clone()).await;
            self.pacer.settle(&slot);
            match result {
                Ok(receipt) => return Ok(receipt.errmsg),
                Err(SendError::Refused {
                    errcode: FREQ_OUT_OF_LIMIT,
                    ..
                }) if !self.no_wait && retried < patience => {
                    let step = self.pacer.retry_step();
                    if retried.is_zero() {
                        (self.progress)(
                            "WeCom says the robot is over 20 messages a minute (errcode 45009): waiting to try again",
                        );
                    }
                    tokio::time::sleep(step).await;
                    retried += step;
                    *waited += step;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
