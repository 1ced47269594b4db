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

/// The raw bytes of a media_id the sandbox issued (it shows them as 44
/// characters of URL-safe base64): half the memory of the text.
type MediaId = [u8; MEDIA_ID_BYTES];
const MEDIA_ID_BYTES: usize = 33;

/// An upload that a later `file` or `voice` message may refer to.
struct StoredMedia {
    /// The key that uploaded it (its place in [`State::key_list`]): only
    /// that robot may send it.
    key: usize,
    kind: MediaKind,
    at: Instant,
}

/// The live media_ids, with the order they were issued in. The TTL is the
/// same for all, so issue order is expiry order: expired ids are dropped
/// from the front as new ones come, and when [`SandboxConfig::media_cap`]
/// ids are live the oldest goes first. An upload costs the same whether 10
/// or 100,000 came before it.
#[derive(Default)]
struct MediaStore {
    by_id: HashMap<MediaId, StoredMedia>,
    issued: VecDeque<(Instant, MediaId)>,
}

/// Shared by every request handler.
pub struct State {
    keys: HashSet<String>,
    /// The same keys in a fixed order, so that a media record holds a small
    /// index instead of a copy of its key.
    key_list: Vec<String>,
    media_cap: usize,
    rate_limit: usize,
    rate_window: Duration,
    media_ttl: Duration,
    /// Per key, when its recent messages were counted (oldest first).
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
    media: Mutex<MediaStore>,
    hints: AtomicU64,
    pub recorder: Recorder,
}

impl State {
    pub fn new(config: &SandboxConfig, recorder: Recorder) -> State {
        let mut keys: HashSet<String> = config.keys.iter().cloned().collect();
        keys.insert(DEMO_KEY.to_owned());
        let mut key_list: Vec<String> = keys.iter().cloned().collect();
        key_list.sort();
        State {
            keys,
            key_list,
            media_cap: config.media_cap.max(1),
            rate_limit: config.rate_limit,
            rate_window: config.rate_window,
            media_ttl: config.media_ttl,
            sent: Mutex::new(HashMap::new()),
            media: Mutex::new(MediaStore::default()),
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
        let id = new_media_id();
        let now = Instant::now();
        // Only accepted keys upload; an unknown one would match nothing.
        let key = self.key_index(key).unwrap_or(usize::MAX);
        let mut media = self.media.lock().unwrap_or_else(PoisonError::into_inner);
        let MediaStore { by_id, issued } = &mut *media;
        while let Some((at, old)) = issued.front()
            && (now.duration_since(*at) >= self.media_ttl || issued.len() >= self.media_cap)
        {
            by_id.remove(old);
            issued.pop_front();
        }
        by_id.insert(id, StoredMedia { key, kind, at: now });
        issued.push_back((now, id));
        drop(media);
        show_media_id(&id)
    }

    /// The live upload behind `media_id`, if the sandbox issued it less than
    /// the TTL ago (and has not dropped it for the cap).
    fn lookup<T>(&self, media_id: &str, f: impl FnOnce(&StoredMedia) -> T) -> Option<T> {
        let id = parse_media_id(media_id)?;
        let media = self.media.lock().unwrap_or_else(PoisonError::into_inner);
        media
            .by_id
            .get(&id)
            .filter(|m| m.at.elapsed() < self.media_ttl)
            .map(f)
    }

    /// Whether `media_id` was uploaded by `key` as `kind` less than the
    /// media TTL ago (WeCom: "仅三天内有效", "只能是对应上传文件的消息推送可以使用").
    pub fn media_usable(&self, key: &str, kind: MediaKind, media_id: &str) -> bool {
        let Some(key) = self.key_index(key) else {
            return false;
        };
        self.lookup(media_id, |m| m.key == key && m.kind == kind)
            .unwrap_or(false)
    }

    /// Whether `media_id` is a live upload of another robot than `key`'s:
    /// the one case where a card's attachment is refused (a media_id the
    /// sandbox never issued may be WeCom's own, as in the documents'
    /// example `MEDIAID`).
    pub fn media_of_another_robot(&self, key: &str, media_id: &str) -> bool {
        let key = self.key_index(key);
        self.lookup(media_id, |m| Some(m.key) != key)
            .unwrap_or(false)
    }

    /// How many media_ids are kept (live or expired but not yet dropped).
    #[cfg(test)]
    fn media_kept(&self) -> usize {
        self.media
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_id
            .len()
    }

    /// `key`'s place in the key list (only accepted keys reach here).
    fn key_index(&self, key: &str) -> Option<usize> {
        self.key_list.binary_search_by(|k| k.as_str().cmp(key)).ok()
    }

    /// A fresh number for the `hint: [...]` part of an errmsg.
    pub fn next_hint(&self) -> u64 {
        self.hints.fetch_add(1, Ordering::Relaxed)
    }
}

/// A random id shaped like WeCom's (44 characters of URL-safe base64, e.g.
/// `1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0`).
fn new_media_id() -> MediaId {
    let mut bytes = [0u8; MEDIA_ID_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn show_media_id(id: &MediaId) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The bytes of a media_id the sandbox could have issued; `None` for any
/// other text (which then matches no upload).
fn parse_media_id(text: &str) -> Option<MediaId> {
    if text.len() != 44 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(limit: usize, window: Duration) -> State {
        let config = SandboxConfig {
            keys: vec!["a".into(), "b".into()],
            rate_limit: limit,
            rate_window: window,
            ..SandboxConfig::default()
        };
        State::new(
            &config,
            Recorder::open(None, 10).expect("in-memory recorder"),
        )
    }

    #[test]
    fn media_ids_look_like_wecom_ones() {
        let id = show_media_id(&new_media_id());
        assert_eq!(
            id.len(),
            "1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0".len()
        );
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(id, show_media_id(&new_media_id()));
        assert_eq!(parse_media_id(&id).map(|b| show_media_id(&b)), Some(id));
        assert_eq!(parse_media_id("MEDIAID"), None);
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
        assert!(s.media_of_another_robot("b", &id));
        assert!(!s.media_of_another_robot("a", &id));
        assert!(!s.media_of_another_robot("b", "MEDIAID"));
    }

    #[test]
    fn live_media_ids_are_capped_oldest_first() {
        let config = SandboxConfig {
            keys: vec!["a".into()],
            media_cap: 3,
            ..SandboxConfig::default()
        };
        let s = State::new(&config, Recorder::open(None, 0).expect("recorder"));
        let ids: Vec<String> = (0..5)
            .map(|_| s.store_media("a", MediaKind::File))
            .collect();
        assert_eq!(s.media_kept(), 3);
        assert!(!s.media_usable("a", MediaKind::File, &ids[0]));
        assert!(!s.media_usable("a", MediaKind::File, &ids[1]));
        for id in &ids[2..] {
            assert!(s.media_usable("a", MediaKind::File, id));
        }
    }

    #[test]
    fn expired_media_ids_are_dropped_as_new_ones_come() {
        let config = SandboxConfig {
            keys: vec!["a".into()],
            media_ttl: Duration::ZERO,
            ..SandboxConfig::default()
        };
        let s = State::new(&config, Recorder::open(None, 0).expect("recorder"));
        for _ in 0..100 {
            s.store_media("a", MediaKind::File);
        }
        // Each upload drops the ones before it, which had all expired.
        assert_eq!(s.media_kept(), 1);
    }
}
