//! What the sandbox remembers between requests: the accepted keys, each key's
//! recent messages (for the rate limit) and the uploaded media_ids.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rand::RngCore as _;

use super::record::Recorder;
use super::reply::{Reject, errcode};
use super::{DEMO_KEY, SandboxConfig};
use crate::wecom::media::MediaKind;

/// An upload that a later `file` or `voice` message may refer to.
struct StoredMedia {
    /// The key that uploaded it: only that robot may send it.
    key: String,
    kind: MediaKind,
    at: Instant,
}

/// Shared by every request handler.
pub struct State {
    keys: HashSet<String>,
    rate_limit: usize,
    rate_window: Duration,
    media_ttl: Duration,
    /// Per key, when its recent messages were counted (oldest first).
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
    media: Mutex<HashMap<String, StoredMedia>>,
    hints: AtomicU64,
    pub recorder: Recorder,
}

impl State {
    pub fn new(config: &SandboxConfig, recorder: Recorder) -> State {
        let mut keys: HashSet<String> = config.keys.iter().cloned().collect();
        keys.insert(DEMO_KEY.to_owned());
        State {
            keys,
            rate_limit: config.rate_limit,
            rate_window: config.rate_window,
            media_ttl: config.media_ttl,
            sent: Mutex::new(HashMap::new()),
            media: Mutex::new(HashMap::new()),
            hints: AtomicU64::new(1),
            recorder,
        }
    }

    /// The request's key when it is one of the accepted keys, else 93000.
    pub fn accepted_key(&self, key: Option<&str>) -> Result<String, Reject> {
        match key {
            Some(k) if self.keys.contains(k) => Ok(k.to_owned()),
            _ => Err(Reject::new(
                errcode::INVALID_WEBHOOK_URL,
                "invalid webhook url",
            )),
        }
    }

    /// Counts a message call for `key` in a sliding window; the call over the
    /// limit is refused with 45009 and not counted, so a client that waits
    /// gets through again once the window has moved on.
    pub fn count_message(&self, key: &str) -> Result<(), Reject> {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        let times = sent.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.rate_window)
        {
            times.pop_front();
        }
        if times.len() >= self.rate_limit {
            return Err(Reject::new(
                errcode::FREQ_OUT_OF_LIMIT,
                "api freq out of limit",
            ));
        }
        times.push_back(now);
        Ok(())
    }

    /// Remembers an upload by `key` and returns its new media_id.
    pub fn store_media(&self, key: &str, kind: MediaKind) -> String {
        let media_id = new_media_id();
        let now = Instant::now();
        let mut media = self.media.lock().unwrap_or_else(PoisonError::into_inner);
        media.retain(|_, m| now.duration_since(m.at) < self.media_ttl);
        media.insert(
            media_id.clone(),
            StoredMedia {
                key: key.to_owned(),
                kind,
                at: now,
            },
        );
        media_id
    }

    /// Whether `media_id` was uploaded by `key` as `kind` less than the
    /// media TTL ago (WeCom: "仅三天内有效", "只能是对应上传文件的消息推送可以使用").
    pub fn media_usable(&self, key: &str, kind: MediaKind, media_id: &str) -> bool {
        let media = self.media.lock().unwrap_or_else(PoisonError::into_inner);
        media
            .get(media_id)
            .is_some_and(|m| m.key == key && m.kind == kind && m.at.elapsed() < self.media_ttl)
    }

    /// A fresh number for the `hint: [...]` part of an errmsg.
    pub fn next_hint(&self) -> u64 {
        self.hints.fetch_add(1, Ordering::Relaxed)
    }
}

/// A random id shaped like WeCom's (44 characters of URL-safe base64, e.g.
/// `1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0`).
fn new_media_id() -> String {
    let mut bytes = [0u8; 33];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(limit: usize, window: Duration) -> State {
        let config = SandboxConfig {
            rate_limit: limit,
            rate_window: window,
            ..SandboxConfig::default()
        };
        State::new(&config, Recorder::open(None).expect("in-memory recorder"))
    }

    #[test]
    fn media_ids_look_like_wecom_ones() {
        let id = new_media_id();
        assert_eq!(
            id.len(),
            "1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0".len()
        );
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(id, new_media_id());
    }

    #[test]
    fn the_limit_is_per_key() {
        let s = state(2, Duration::from_secs(60));
        assert!(s.count_message("a").is_ok());
        assert!(s.count_message("a").is_ok());
        assert_eq!(
            s.count_message("a").expect_err("over the limit").code,
            45009
        );
        assert!(s.count_message("b").is_ok());
    }

    #[test]
    fn media_belongs_to_its_key_and_kind() {
        let s = state(20, Duration::from_secs(60));
        let id = s.store_media("a", MediaKind::File);
        assert!(s.media_usable("a", MediaKind::File, &id));
        assert!(!s.media_usable("b", MediaKind::File, &id));
        assert!(!s.media_usable("a", MediaKind::Voice, &id));
        assert!(!s.media_usable("a", MediaKind::File, "unknown"));
    }
}
