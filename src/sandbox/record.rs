//! What the sandbox accepted: appended to a JSON-lines file, the newest few
//! also kept in memory.
//!
//! The file is how a user (or a test, or another tool) sees what their program
//! sent without a real WeCom group. It never holds a key: only the masked
//! `key_hint`, so the file can be shared when asking for help.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::paths;
use crate::wecom::Key;
use crate::wecom::media::MediaKind;

/// One accepted request, as recorded (one JSON line each, tagged by `record`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A message accepted by `/cgi-bin/webhook/send`, exactly as sent.
    Message {
        /// Unix time in milliseconds.
        at_ms: u64,
        /// The robot's key, masked (`****abcd`).
        key_hint: String,
        /// The JSON body as the client sent it (key order kept).
        message: Value,
        /// Fields WeCom does not document (`chatid`, `text.foo`), which it
        /// most likely ignores; absent when there are none.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ignored_fields: Vec<String>,
    },
    /// A file accepted by `/cgi-bin/webhook/upload_media`; the bytes themselves
    /// are not kept.
    Upload {
        /// Unix time in milliseconds.
        at_ms: u64,
        /// The robot's key, masked (`****abcd`).
        key_hint: String,
        kind: MediaKind,
        /// The `filename` of the `media` part, which WeCom shows in the chat.
        filename: String,
        size: u64,
        media_id: String,
    },
}

/// Something the sandbox did, for whoever watches it live (`wecom sandbox`
/// prints these). Never holds a key.
#[derive(Debug, Clone)]
pub enum Event {
    /// A request was accepted and recorded.
    Accepted(Record),
    /// A request was answered with a non-zero errcode.
    Refused {
        /// `send` or `upload_media`.
        endpoint: &'static str,
        /// The masked key, when the request had one.
        key_hint: Option<String>,
        errcode: i64,
        errmsg: String,
    },
}

/// The key as the record shows it: `Key`'s masked form (`****` and the last
/// four characters), also for keys `Key::new` would refuse.
pub fn key_hint(key: &str) -> String {
    match Key::new(key) {
        Ok(k) => k.masked(),
        Err(_) => {
            let chars: Vec<char> = key.chars().collect();
            let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
            format!("****{tail}")
        }
    }
}

pub use crate::clock::now_ms;

/// Seconds since the Unix epoch, as WeCom's `created_at`.
pub fn now_unix_seconds() -> u64 {
    now_ms() / 1000
}

struct Inner {
    /// The newest records with their size as JSON, at most `window` of them
    /// and [`WINDOW_BYTES`] in all (oldest dropped first).
    recent: VecDeque<(Record, usize)>,
    /// The sum of the sizes in `recent`.
    recent_bytes: usize,
    file: Option<File>,
}

/// Appends each record to the record file and keeps the newest few in
/// memory. The file is the full history; memory holds only a bounded window
/// ([`super::SandboxConfig::record_window`] records, and at most
/// [`WINDOW_BYTES`] of them: a few 2 MiB images fill it) for in-process
/// readers (tests, the composer), so a sandbox that runs for days does not
/// grow.
pub struct Recorder {
    inner: Mutex<Inner>,
    window: usize,
    path: Option<PathBuf>,
    events: broadcast::Sender<Event>,
}

impl Recorder {
    /// Opens (creating its directory) the record file for appending, and
    /// keeps the newest `window` records in memory.
    pub fn open(path: Option<&Path>, window: usize) -> io::Result<Recorder> {
        let file = match path {
            Some(path) => Some(open_append(path)?),
            None => None,
        };
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        Ok(Recorder {
            inner: Mutex::new(Inner {
                recent: VecDeque::with_capacity(window.min(INITIAL_CAPACITY)),
                recent_bytes: 0,
                file,
            }),
            window,
            path: path.map(Path::to_path_buf),
            events,
        })
    }

    /// Writes `record` as one line and keeps it in the window. A failed
    /// write is reported but does not refuse the request.
    pub fn push(&self, record: Record) {
        let line = record_line(&record);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = inner.file.as_mut() {
            let written = match &line {
                Ok(bytes) => write_line(file, bytes),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            };
            if let Err(e) = written {
                let shown = self.path.as_deref().map(Path::display);
                tracing::warn!(path = ?shown, error = %e, "sandbox: cannot append to the record file");
            }
        }
        if self.window > 0 {
            let size = line.map_or(0, |line| line.len());
            let Inner {
                recent,
                recent_bytes,
                ..
            } = &mut *inner;
            while recent.len() >= self.window
                || (!recent.is_empty() && *recent_bytes + size > WINDOW_BYTES)
            {
                if let Some((_, dropped)) = recent.pop_front() {
                    *recent_bytes -= dropped;
                }
            }
            recent.push_back((record.clone(), size));
            *recent_bytes += size;
        }
        drop(inner);
        // Nobody listening is fine.
        let _ = self.events.send(Event::Accepted(record));
    }

    /// Tells live watchers about a refused request.
    pub fn refused(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// The records in the window, oldest first.
    pub fn recent(&self) -> Vec<Record> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recent
            .iter()
            .map(|(record, _)| record.clone())
            .collect()
    }

    /// A live feed of what happens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

/// Events a slow watcher may fall behind by before it is told how many it
/// missed (the record file still has every accepted one).
const EVENT_BACKLOG: usize = 1024;
/// Memory reserved up front for the window, whatever its size.
const INITIAL_CAPACITY: usize = 64;
/// The most the in-memory window holds, as JSON (the newest record is kept
/// whatever its size).
pub const WINDOW_BYTES: usize = 16 * 1024 * 1024;

/// Opens the record file for appending, created readable by its owner only
/// (it holds what users wrote) in a private directory.
fn open_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        paths::create_private_dir(dir)?;
    }
    let file = paths::private_file_options()
        .create(true)
        .append(true)
        .open(path)?;
    // A record file left 0644 by an older version is tightened too (not a
    // device such as `--record /dev/null`).
    if file.metadata().is_ok_and(|m| m.is_file()) {
        match paths::tighten_file(path) {
            Ok(true) => tracing::warn!(
                path = %path.display(),
                "sandbox: the record file was readable by others; it is now 0600"
            ),
            Ok(false) => {}
            Err(e) => tracing::warn!(
                path = %path.display(),
                error = %e,
                "sandbox: cannot make the record file private"
            ),
        }
    }
    Ok(file)
}

/// The record as one line of the file, newline included.
fn record_line(record: &Record) -> io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
    line.push(b'\n');
    Ok(line)
}

fn write_line(file: &mut File, line: &[u8]) -> io::Result<()> {
    file.write_all(line)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(content: &str) -> Record {
        Record::Message {
            at_ms: 1,
            key_hint: "****aaaa".into(),
            message: serde_json::json!({"msgtype": "text", "text": {"content": content}}),
            ignored_fields: Vec::new(),
        }
    }

    #[test]
    fn the_window_is_bounded_in_bytes_too() {
        let recorder = Recorder::open(None, 1000).expect("recorder");
        let big = "x".repeat(WINDOW_BYTES / 4);
        for _ in 0..10 {
            recorder.push(message(&big));
        }
        let kept = recorder.recent().len();
        assert!((1..=4).contains(&kept), "{kept} records of 4 MiB kept");
        // One record larger than the whole budget is still kept, alone.
        recorder.push(message(&"y".repeat(WINDOW_BYTES + 1)));
        assert_eq!(recorder.recent().len(), 1);
        recorder.push(message("small"));
        assert_eq!(recorder.recent().len(), 1, "the huge one made room");
    }

    #[test]
    fn key_hint_keeps_only_the_last_four_characters() {
        assert_eq!(key_hint("test-key-0000-aaaa"), "****aaaa");
        assert_eq!(key_hint("k y"), "****k y");
    }

    #[test]
    fn records_are_tagged_lines() {
        let r = Record::Upload {
            at_ms: 1,
            key_hint: "****aaaa".into(),
            kind: MediaKind::Voice,
            filename: "a.amr".into(),
            size: 38,
            media_id: "m".into(),
        };
        let json = serde_json::to_string(&r).expect("serialises");
        assert_eq!(
            json,
            r#"{"record":"upload","at_ms":1,"key_hint":"****aaaa","kind":"voice","filename":"a.amr","size":38,"media_id":"m"}"#
        );
    }
}
