//! Shared by the command-line tests: a sandbox on 127.0.0.1, private config
//! and data directories, and the `wecom` binary run as a separate process.
#![allow(dead_code)]

pub mod batch;
pub mod notify;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;
use wecom_composer::sandbox::{Sandbox, SandboxConfig};

/// An obviously fake key the sandbox accepts; searched for in every output.
pub const KEY: &str = "fake-key-0000-cli-tests-7c1d";
/// A second key the sandbox accepts, for broadcasts to two robots (its
/// masked form, `****4b8e`, tells its records from [`KEY`]'s).
pub const KEY2: &str = "fake-key-0000-cli-second-4b8e";
/// A key the sandbox does not accept (93000).
pub const WRONG_KEY: &str = "fake-key-0000-cli-wrong-9e2f";

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// The exit code, checked with the outputs shown on failure.
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code\n{self:#?}");
        self
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:#?}"))
    }
}

/// A sandbox and a home for the binary's files.
pub struct Env {
    pub dir: TempDir,
    pub sandbox: Sandbox,
}

pub async fn sandbox(config: SandboxConfig) -> Sandbox {
    let config = SandboxConfig {
        keys: vec![KEY.to_owned(), KEY2.to_owned()],
        ..config
    };
    Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox")
}

impl Env {
    pub async fn new() -> Env {
        Env::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            sandbox: sandbox(config).await,
        }
    }

    /// The sandbox's webhook URL for `key`.
    pub fn url(&self, key: &str) -> String {
        self.sandbox.webhook_url(key)
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config").join("config.toml")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A file in the temporary directory.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        path
    }

    /// Saves robot `name` for `key` through `wecom robots add NAME -`.
    pub async fn add_robot(&self, name: &str, key: &str) {
        self.run_with(&["robots", "add", name, "-"], Some(&self.url(key)), &[])
            .await
            .expect(0);
    }

    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        command(&self.dir, args, env)
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, &[]).await
    }

    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let cmd = self.command(args, env);
        let stdin = stdin.map(str::to_owned);
        let run = tokio::task::spawn_blocking(move || run(cmd, stdin.as_deref()))
            .await
            .expect("join");
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(KEY), "the key leaked:\n{run:#?}");
            assert!(!text.contains(WRONG_KEY), "the key leaked:\n{run:#?}");
            assert!(!text.contains(KEY2), "the key leaked:\n{run:#?}");
        }
        run
    }

    /// The messages the sandbox accepted, in order.
    pub fn messages(&self) -> Vec<Value> {
        self.sandbox.messages()
    }

    /// When the sandbox accepted each message (Unix ms), in order.
    pub fn message_times(&self) -> Vec<u64> {
        self.sandbox
            .records()
            .iter()
            .filter_map(|r| match r {
                wecom_composer::sandbox::Record::Message { at_ms, .. } => Some(*at_ms),
                _ => None,
            })
            .collect()
    }

    /// Starts collecting the errcodes of the requests the sandbox refuses
    /// from now on: "none refused" is then checked on the server's side.
    pub fn watch_refusals(&self) -> Refusals {
        let mut events = self.sandbox.subscribe();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let into = seen.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match events.recv().await {
                    Ok(wecom_composer::sandbox::Event::Refused { errcode, .. }) => {
                        into.lock().expect("refusals").push(errcode);
                    }
                    Ok(_) => {}
                    // Missed events might have been refusals: count them so.
                    Err(RecvError::Lagged(n)) => into.lock().expect("refusals").push(-(n as i64)),
                    Err(RecvError::Closed) => break,
                }
            }
        });
        Refusals(seen)
    }

    /// The server's side of "paced": it refused nothing since `refusals`
    /// started, and its 21st message came at least `window_ms` after the
    /// first (the wait happened before it, not as retries after refusals).
    pub fn assert_paced(&self, refusals: &Refusals, window_ms: u64) {
        assert_eq!(
            refusals.errcodes(),
            Vec::<i64>::new(),
            "the sandbox refused none"
        );
        let times = self.message_times();
        assert!(times.len() > 20, "{} messages", times.len());
        assert!(
            times[20] - times[0] >= window_ms,
            "the 21st message left {} ms after the first",
            times[20] - times[0]
        );
    }

    /// The masked key (`****7c1d`) of each message the sandbox accepted,
    /// in order, with the message: which robot got what.
    pub fn messages_by_key(&self) -> Vec<(String, Value)> {
        self.sandbox
            .records()
            .into_iter()
            .filter_map(|r| match r {
                wecom_composer::sandbox::Record::Message {
                    key_hint, message, ..
                } => Some((key_hint, message)),
                _ => None,
            })
            .collect()
    }

    /// The masked key and media_id of each upload the sandbox accepted.
    pub fn uploads_by_key(&self) -> Vec<(String, String)> {
        self.sandbox
            .records()
            .into_iter()
            .filter_map(|r| match r {
                wecom_composer::sandbox::Record::Upload {
                    key_hint, media_id, ..
                } => Some((key_hint, media_id)),
                _ => None,
            })
            .collect()
    }

    pub fn uploads(&self) -> usize {
        self.sandbox
            .records()
            .iter()
            .filter(|r| matches!(r, wecom_composer::sandbox::Record::Upload { .. }))
            .count()
    }
}

/// The errcodes the sandbox answered since [`Env::watch_refusals`].
pub struct Refusals(std::sync::Arc<std::sync::Mutex<Vec<i64>>>);

impl Refusals {
    pub fn errcodes(&self) -> Vec<i64> {
        self.0.lock().expect("refusals").clone()
    }
}

/// The binary with private directories, an English locale and no webhook,
/// proxy or log variables from the environment of the test run.
pub fn command(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wecom"));
    cmd.args(args)
        .env("WECOM_CONFIG_DIR", dir.path().join("config"))
        .env("WECOM_DATA_DIR", dir.path().join("data"))
        .env_remove("WECOM_WEBHOOK")
        .env_remove("WECOM_RATE_WINDOW_MS")
        .env_remove("WECOM_RATE_LIMIT")
        .env_remove("WECOM_LOG")
        // English unless a test asks otherwise, whatever the run's locale.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs to completion, feeding `stdin` (or nothing).
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Run {
    let started = Instant::now();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn wecom");
    // Dropping the pipe closes standard input, with or without text.
    if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
        pipe.write_all(text.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

pub fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seeds")
        .join(name);
    std::fs::read_to_string(path).expect("fixture")
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
