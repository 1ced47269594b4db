//! `wecom serve`: runs the relay (notify and batch APIs) in the foreground until Ctrl-C or
//! SIGTERM, then lets requests in flight finish.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tokio::net::TcpListener;

use super::exit;
use crate::http_server;
use crate::relay::{self, DEFAULT_LISTEN, RelayConfig};
use crate::store::config::ConfigStore;

/// `wecom serve` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = SERVE_HELP)]
pub struct ServeArgs {
    /// Address to listen on. The default is this machine only; anyone who can
    /// reach another address and knows a code can post to its robot.
    #[arg(long, value_name = "IP:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// How long a request may wait for its robot's 20-per-minute limit
    /// before the relay answers 429 with Retry-After.
    #[arg(long, value_name = "SECONDS", default_value_t = relay::DEFAULT_MAX_WAIT.as_secs_f64())]
    pub max_wait: f64,
    /// A host (HOST or HOST:PORT; no port: any port) that batch requests'
    /// links may name besides WeCom's and the configured base_url's.
    /// Repeatable.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub allow_link_host: Vec<String>,
    /// For tests: the rate-limit window in milliseconds (default 60000).
    #[arg(long, hide = true, env = "WECOM_RATE_WINDOW_MS")]
    pub rate_window_ms: Option<u64>,
    /// For tests: messages per window (default 20).
    #[arg(long, hide = true, env = "WECOM_RATE_LIMIT")]
    pub rate_limit: Option<usize>,
}

const SERVE_HELP: &str = "\
The notify API (one code per robot, made with `wecom robots code NAME`):

  POST /api/notify/{code}   {\"title\": \"optional\", \"content\": \"required\"}

sends a markdown message, the title as a bold first line. Answers:
  200 {\"message\": \"发送成功\", \"response\": {WeCom's answer}}
  400 invalid JSON, content missing or empty, or over 4096 bytes
  404 unknown or revoked code
  429 the robot's 20 messages a minute are used up (Retry-After says when)
  500 WeCom refused (its answer in \"response\") or could not be reached

The batch API of seed 002 (tokens made with `wecom tokens add LABEL`):

  POST /api/v1/openapi/notification/wecom?access_token=TOKEN
       {\"link\": \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…\",
        \"data\": [message, …]}

checks every message first (nothing is sent if one is wrong), then sends them
in order. Answers {\"code\": 0, \"data\": {\"sent\": N, \"results\": […]}}, or a
non-zero code with \"msg\" and \"hint\" (the README lists the codes). \"sk\" is
accepted and ignored: WeCom group robots have no signature. Links may name
WeCom's host, the configured base_url's, and those given with --allow-link-host.

Codes and tokens made or revoked, or robots changed, while it runs take effect at once.
Logs (standard error, WECOM_LOG=debug for more) name robots, never codes or keys.";

/// Runs `wecom serve`.
pub fn run(args: ServeArgs, config: Option<PathBuf>) -> ExitCode {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve(args, config)),
        Err(e) => {
            eprintln!(
                "wecom serve: {}",
                crate::tr!("cli.runtime_failed", error = e)
            );
            exit::code(exit::INTERNAL)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WECOM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("wecom_composer=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn serve(args: ServeArgs, config: Option<PathBuf>) -> ExitCode {
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let mut relay_config = RelayConfig::new(store.clone());
    if let Some(ms) = args.rate_window_ms {
        relay_config.rate_window = Duration::from_millis(ms);
    }
    if let Some(n) = args.rate_limit {
        relay_config.rate_limit = n;
    }
    if !(args.max_wait.is_finite() && args.max_wait >= 0.0) {
        eprintln!("wecom serve: {}", crate::tr!("cli.serve.max_wait"));
        return exit::code(exit::USAGE);
    }
    relay_config.max_wait = Duration::from_secs_f64(args.max_wait);
    relay_config.allow_link_hosts = args.allow_link_host.clone();
    let shared = match relay::shared(&relay_config) {
        Ok(shared) => shared,
        Err(e) => {
            eprintln!("wecom serve: {e}");
            return exit::code(exit::IO);
        }
    };
    let listener = match TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "wecom serve: {}",
                crate::tr!("cli.serve.cannot_listen", addr = args.listen, error = e)
            );
            return exit::code(exit::IO);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    banner(addr, &store, &relay_config);
    // Messages sent later and schedule runs are delivered here too.
    let worker_stop = tokio_util::sync::CancellationToken::new();
    let rate = crate::store::ledger::Rate::with_overrides(args.rate_limit, args.rate_window_ms);
    let worker = match super::outbox::spawn_worker(&store, rate, worker_stop.clone()) {
        Ok(worker) => worker,
        Err(failure) => {
            eprintln!("wecom serve: {}", failure.lines.join("; "));
            return exit::code(failure.code);
        }
    };
    http_server::serve(
        listener,
        relay::router(shared),
        relay_config.timeouts,
        stop_signal_logged(),
    )
    .await;
    worker_stop.cancel();
    let _ = worker.await;
    tracing::info!("relay stopped");
    exit::code(exit::OK)
}

/// The first line (parsed by tests and scripts) is flushed at once, and
/// stays English in every language; the lines after it are for people.
fn banner(addr: SocketAddr, store: &ConfigStore, config: &RelayConfig) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Relay listening on http://{addr}");
    let _ = out.flush();
    let codes = store.load().map(|c| c.relay.codes.len()).unwrap_or(0);
    let _ = writeln!(
        out,
        "{}",
        crate::tr!(
            "cli.serve.notify",
            url = format!("http://{addr}/api/notify/{{code}}"),
            codes = codes,
            path = store.path().display()
        )
    );
    let tokens = store.load().map(|c| c.relay.tokens.len()).unwrap_or(0);
    let _ = writeln!(
        out,
        "{}",
        crate::tr!(
            "cli.serve.batch",
            url = format!(
                "http://{addr}{}?access_token=TOKEN",
                relay::batch::BATCH_ROUTE
            ),
            tokens = tokens
        )
    );
    let _ = writeln!(
        out,
        "{}",
        crate::tr!(
            "cli.serve.rate",
            limit = config.rate_limit,
            window = config.rate_window.as_secs_f64(),
            wait = format!("{:.1}", config.max_wait.as_secs_f64())
        )
    );
    if !addr.ip().is_loopback() {
        let _ = writeln!(out, "{}", crate::tr!("cli.serve.reachable", addr = addr));
    }
    let _ = out.flush();
}

/// Resolves on Ctrl-C or SIGTERM, saying that requests in flight may finish.
async fn stop_signal_logged() {
    crate::signals::stop_requested().await;
    tracing::info!("stopping: letting requests in flight finish");
}
