//! A local endpoint on 127.0.0.1 that behaves like WeCom's group-robot webhook.
//!
//! It exists so that programs (this app, its tests, a user's scripts) can be
//! tried without a real WeCom group and without spamming one: it makes the
//! same checks as the real server, answers with the same errcodes in the same
//! JSON shape (HTTP 200, `{"errcode":N,"errmsg":"…"}`), applies the rate limit
//! and the media_id rules, and records every accepted message and upload
//! (in a file, the newest few in memory too).
//!
//! Routes, as on `qyapi.weixin.qq.com`:
//! - `POST /cgi-bin/webhook/send?key=KEY`: a JSON message;
//! - `POST /cgi-bin/webhook/upload_media?key=KEY&type=file|voice`: a
//!   multipart upload with one part named `media`.
//!
//! [`DEMO_KEY`] is always accepted; [`SandboxConfig::keys`] adds others.

mod cli;
mod record;
mod reply;
mod send;
mod server;
mod state;
mod upload;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;
use url::Url;

use crate::http_server::{self, ServerTimeouts};
use crate::wecom::limits;
use crate::wecom::webhook::SEND_PATH;

pub use cli::{SandboxArgs, run_cli};
pub use record::{Event, Record, WINDOW_BYTES};
pub use server::{SEND_BODY_LIMIT, UPLOAD_BODY_LIMIT};

/// The key the sandbox always accepts, so that it can be tried at once
/// (`wecom sandbox` prints its webhook URL). Public: it is not a secret.
pub const DEMO_KEY: &str = "wecom-sandbox-demo-key";

/// The default name of the record file, in [`crate::paths::data_dir`].
pub const RECORD_FILE_NAME: &str = "sandbox-messages.jsonl";

/// How long [`Sandbox::shutdown`] waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How a sandbox behaves. The defaults are WeCom's documented limits; tests
/// shorten the windows to see them pass.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Keys accepted in addition to [`DEMO_KEY`].
    pub keys: Vec<String>,
    /// Messages per key per `rate_window` ("20 条/分钟").
    pub rate_limit: usize,
    /// The sliding window of the rate limit.
    pub rate_window: Duration,
    /// How long an uploaded media_id may be sent ("三天内有效").
    pub media_ttl: Duration,
    /// A JSON-lines file that each accepted message and upload is appended
    /// to (created 0600); `None` keeps only the in-memory window.
    pub record_path: Option<PathBuf>,
    /// How many of the newest records [`Sandbox::records`] keeps in memory
    /// (oldest dropped first); 0 keeps none (`wecom sandbox`, which only
    /// writes the file). Default [`RECORD_WINDOW`].
    pub record_window: usize,
    /// How many media_ids are kept live at once; past it the oldest upload
    /// is forgotten first. Default [`MEDIA_CAP`].
    pub media_cap: usize,
    /// When slow connections are cut.
    pub timeouts: ServerTimeouts,
}

/// The default in-memory record window: enough for any test or a composer
/// session to read back what it sent, bounded so that a sandbox left running
/// does not grow (and never more than [`WINDOW_BYTES`] of JSON, whatever the
/// count).
pub const RECORD_WINDOW: usize = 10_000;

/// The default cap on live media_ids: far more than a person or a test
/// uploads in the 3 days they live (WeCom documents no cap), bounded so that
/// a load test cannot grow the sandbox without end (about 150 bytes each).
pub const MEDIA_CAP: usize = 100_000;

impl Default for SandboxConfig {
    fn default() -> SandboxConfig {
        SandboxConfig {
            keys: Vec::new(),
            rate_limit: limits::RATE_LIMIT_MESSAGES,
            rate_window: limits::RATE_LIMIT_WINDOW,
            media_ttl: limits::MEDIA_ID_TTL,
            record_path: None,
            record_window: RECORD_WINDOW,
            media_cap: MEDIA_CAP,
            timeouts: ServerTimeouts::DEFAULT,
        }
    }
}

/// Why a sandbox could not start: told apart so that `wecom sandbox` can
/// suggest `--port` only when the port is the problem.
#[derive(Debug)]
enum StartError {
    Bind(SocketAddr, io::Error),
    Record(PathBuf, io::Error),
    Other(io::Error),
}

impl From<StartError> for io::Error {
    fn from(e: StartError) -> io::Error {
        match e {
            StartError::Bind(addr, e) => {
                io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"))
            }
            StartError::Record(path, e) => io::Error::new(
                e.kind(),
                format!("cannot open the record file {}: {e}", path.display()),
            ),
            StartError::Other(e) => e,
        }
    }
}

/// A running sandbox. Dropping it stops the server too; [`Sandbox::shutdown`]
/// also waits for it.
pub struct Sandbox {
    addr: SocketAddr,
    base: Url,
    state: Arc<state::State>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free port) and serves on a task of the
    /// current tokio runtime until [`Sandbox::shutdown`] or drop.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> io::Result<Sandbox> {
        Ok(Sandbox::launch(config, addr).await?)
    }

    async fn launch(config: SandboxConfig, addr: SocketAddr) -> Result<Sandbox, StartError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind(addr, e))?;
        let addr = listener.local_addr().map_err(StartError::Other)?;
        let base = Url::parse(&format!("http://{addr}"))
            .map_err(|e| StartError::Other(io::Error::other(e)))?;
        let recorder = match &config.record_path {
            Some(path) => record::Recorder::open(Some(path), config.record_window)
                .map_err(|e| StartError::Record(path.clone(), e))?,
            None => {
                record::Recorder::open(None, config.record_window).map_err(StartError::Other)?
            }
        };
        let state = Arc::new(state::State::new(&config, recorder));
        let app = server::router(Arc::clone(&state));
        let (stop, stopped) = oneshot::channel::<()>();
        let timeouts = config.timeouts;
        let task = tokio::spawn(http_server::serve(listener, app, timeouts, async {
            // A dropped sender stops the server as well.
            let _ = stopped.await;
        }));
        Ok(Sandbox {
            addr,
            base,
            state,
            stop,
            task,
        })
    }

    /// The address actually bound (with the real port when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: what a client uses as its WeCom base URL.
    pub fn base_url(&self) -> Url {
        self.base.clone()
    }

    /// `http://127.0.0.1:PORT/cgi-bin/webhook/send?key=KEY`.
    pub fn webhook_url(&self, key: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(SEND_PATH);
        url.query_pairs_mut().append_pair("key", key);
        url.to_string()
    }

    /// The newest accepted requests, oldest first: the last
    /// [`SandboxConfig::record_window`] of them (the record file has all).
    pub fn records(&self) -> Vec<Record> {
        self.state.recorder.recent()
    }

    /// The accepted message bodies of [`Sandbox::records`], exactly as sent.
    pub fn messages(&self) -> Vec<Value> {
        self.records()
            .into_iter()
            .filter_map(|r| match r {
                Record::Message { message, .. } => Some(message),
                Record::Upload { .. } => None,
            })
            .collect()
    }

    /// A live feed of accepted and refused requests (for `wecom sandbox`'s
    /// console, or a UI showing what arrives).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.state.recorder.subscribe()
    }

    /// Stops accepting connections, lets open requests finish (for up to a
    /// few seconds) and waits for the server task.
    pub async fn shutdown(self) {
        let Sandbox { stop, mut task, .. } = self;
        let _ = stop.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}
