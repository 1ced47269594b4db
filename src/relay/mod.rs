//! The notify relay (`wecom serve`): the HTTP API of seed 000 in front of the
//! saved robots.
//!
//! `POST /api/notify/{code}` with `{"title": …, "content": …}` sends a
//! markdown message to the robot the code was made for (`wecom robots code
//! NAME`); see [`notify`] for the answers. Codes are bearer secrets kept only
//! as hashes in the config, which is read again when it changes. Messages go
//! through the delivery engine ([`crate::delivery`]): the outbox, the history
//! and the rate ledger every `wecom` process shares. Each robot's
//! 20-per-minute limit is respected by queueing a request for at most
//! [`RelayConfig::max_wait`], then answering 429 with `Retry-After`.
//!
//! Beside it, seed 002's batch API ([`batch`]): `POST
//! /api/v1/openapi/notification/wecom?access_token=TOKEN` with a robot's
//! webhook link and a list of messages, all checked before any is sent.
//! Tokens ([`tokens`]) are kept like codes, as hashes.

pub mod batch;
mod book;
pub mod notify;
pub mod tokens;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use book::Book;

use crate::delivery::{Engine, RetryPolicy};
use crate::http_server::{self, ServerTimeouts};
use crate::store::Db;
use crate::store::config::{ConfigError, ConfigStore};
use crate::store::ledger::Rate;
use crate::untrusted::one_line;
use crate::wecom::client::{Client, ClientConfig};

/// The route, as in seed 000.
pub const NOTIFY_ROUTE: &str = "/api/notify/{code}";
/// Where `wecom serve` listens unless told otherwise: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";
/// How long a request may wait for its robot's rate limit before 429.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);
/// How long [`Relay::shutdown`] lets requests in flight finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// How the relay behaves.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The config file holding the robots and codes.
    pub config: ConfigStore,
    /// Messages per robot per `rate_window` (WeCom: 20 per 60 s).
    pub rate_limit: usize,
    pub rate_window: Duration,
    /// How long a request may queue for its robot's rate limit.
    pub max_wait: Duration,
    pub client: ClientConfig,
    /// When slow connections are cut.
    pub timeouts: ServerTimeouts,
    /// The shared database (outbox, history, rate ledger): the relay counts
    /// against the same limit as every other `wecom` process.
    pub db: std::path::PathBuf,
    /// Hosts (`HOST[:PORT]`) a batch request's link may name besides
    /// WeCom's and the configured `base_url`'s (`--allow-link-host`).
    pub allow_link_hosts: Vec<String>,
}

impl RelayConfig {
    /// WeCom's limits, the default client timeouts, this config file.
    pub fn new(config: ConfigStore) -> RelayConfig {
        let rate = Rate::default();
        RelayConfig {
            config,
            rate_limit: rate.limit,
            rate_window: rate.window,
            max_wait: DEFAULT_MAX_WAIT,
            client: ClientConfig::default(),
            timeouts: ServerTimeouts::DEFAULT,
            db: Db::default_path(),
            allow_link_hosts: Vec::new(),
        }
    }
}

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    book: Book,
    engine: Engine,
    max_wait: Duration,
    /// Refusals (unknown codes, bad bodies, 429s) logged once per kind per
    /// second with a count, so a flood cannot fill the disk with its log.
    refusals: notify::RefusalLog,
    /// Where batch requests may send.
    link_hosts: batch::LinkHosts,
}

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("cannot set up HTTP: {0}")]
    Client(String),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
}

/// The relay's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(NOTIFY_ROUTE, post(notify::handler))
        .route(batch::BATCH_ROUTE, post(batch::handler))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(notify::not_found)
        .with_state(shared)
}

/// A GET (or any method but POST) on the notify route: 405 with `Allow`
/// and a JSON body in seed 000's shape saying what to send instead. The
/// path is not repeated: it holds the code, a secret.
async fn method_not_allowed(method: Method) -> Response {
    let message = format!(
        "method not allowed: {} is not accepted here; send POST /api/notify/{{code}} with a JSON body {{\"title\": \"…\", \"content\": \"…\"}}, or POST {}?access_token=TOKEN with {{\"link\": …, \"data\": [message, …]}}",
        one_line(method.as_str()),
        batch::BATCH_ROUTE
    );
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        Json(json!({ "message": message })),
    )
        .into_response()
}

/// Builds the shared state: reads the config, sets up the client.
pub fn shared(config: &RelayConfig) -> Result<Arc<Shared>, StartError> {
    let client = Client::new(config.client).map_err(|e| StartError::Client(e.to_string()))?;
    let db = Arc::new(Db::open(&config.db)?);
    // Retries stay within the caller's wait: the caller is told the outcome.
    let policy = RetryPolicy {
        give_up_after: config.max_wait,
        retry_failures: true,
    };
    let rate = Rate::new(config.rate_limit, config.rate_window);
    // The history's retention; retries keep the relay's own limit above.
    let settings = config.config.load()?.delivery;
    Ok(Arc::new(Shared {
        book: Book::open(config.config.clone())?,
        engine: Engine::configured(db, client, rate, policy, &settings),
        max_wait: config.max_wait,
        refusals: notify::RefusalLog::default(),
        link_hosts: batch::LinkHosts::new(config.allow_link_hosts.clone()),
    }))
}

/// A running relay; dropping it stops the server too.
pub struct Relay {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Relay {
    /// Binds `addr` (port 0 picks one) and serves on the current runtime.
    pub async fn start(config: RelayConfig, addr: SocketAddr) -> Result<Relay, StartError> {
        let shared = shared(&config)?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(http_server::serve(
            listener,
            router(shared),
            config.timeouts,
            async {
                let _ = stopped.await;
            },
        ));
        Ok(Relay { addr, stop, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/api/v1/openapi/notification/wecom?access_token=TOKEN`.
    pub fn batch_url(&self, token: &str) -> String {
        format!(
            "http://{}{}?access_token={token}",
            self.addr,
            batch::BATCH_ROUTE
        )
    }

    /// `http://ADDR/api/notify/CODE`.
    pub fn notify_url(&self, code: &str) -> String {
        format!("http://{}/api/notify/{code}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, waits for the task.
    pub async fn shutdown(self) {
        let Relay { stop, mut task, .. } = self;
        let _ = stop.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("addr", &self.addr).finish()
    }
}
