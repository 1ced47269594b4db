//! `wecom sandbox`: runs the sandbox in the foreground, printing where it
//! listens and a line for each request, until Ctrl-C or SIGTERM.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokio::sync::broadcast;

use super::record::{Event, Record};
use super::{DEMO_KEY, RECORD_FILE_NAME, Sandbox, SandboxConfig, StartError};
use crate::paths;
use crate::wecom::limits;
use crate::wecom::webhook::{self, Key, UPLOAD_PATH, Webhook};

/// `wecom sandbox` arguments.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (127.0.0.1); 0 picks any free port.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Accept this key as well as the demo key (repeatable). A whole webhook
    /// URL is accepted too; its key is used.
    #[arg(long = "key", value_name = "KEY", value_parser = parse_key)]
    pub keys: Vec<Key>,
    /// JSON-lines file that accepted messages and uploads are appended to
    /// [default: DATA_DIR/sandbox-messages.jsonl].
    #[arg(long, value_name = "PATH")]
    pub record: Option<PathBuf>,
    /// Messages per key per minute before WeCom's 45009 "api freq out of limit".
    #[arg(long, value_name = "N", default_value_t = limits::RATE_LIMIT_MESSAGES, value_parser = parse_rate_limit)]
    pub rate_limit: usize,
}

/// Reads `--key` as a bare key or a whole webhook URL; the error never
/// repeats the input, which may be a key.
fn parse_key(input: &str) -> Result<Key, String> {
    Webhook::parse(input, &webhook::default_base())
        .map(|w| w.key().clone())
        .map_err(|e| e.to_string())
}

fn parse_rate_limit(input: &str) -> Result<usize, String> {
    match input.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("must be a whole number of messages, at least 1".to_owned()),
    }
}

/// Exit code when the sandbox cannot start.
const EXIT_START_FAILED: u8 = 1;

/// Runs `wecom sandbox`: builds a tokio runtime, starts the sandbox, prints
/// its addresses and serves until Ctrl-C or SIGTERM.
pub fn run_cli(args: SandboxArgs) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve(args)),
        Err(e) => {
            eprintln!("wecom sandbox: cannot start the async runtime: {e}");
            ExitCode::from(EXIT_START_FAILED)
        }
    }
}

async fn serve(args: SandboxArgs) -> ExitCode {
    let record_path = args
        .record
        .clone()
        .unwrap_or_else(|| paths::data_dir().join(RECORD_FILE_NAME));
    let config = SandboxConfig {
        keys: args.keys.iter().map(|k| k.expose().to_owned()).collect(),
        rate_limit: args.rate_limit,
        record_path: Some(record_path.clone()),
        ..SandboxConfig::default()
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let sandbox = match Sandbox::launch(config, addr).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("{}", start_error_text(&e, args.port));
            return ExitCode::from(EXIT_START_FAILED);
        }
    };
    if let Err(e) = print_banner(&sandbox, &record_path, &args) {
        eprintln!("wecom sandbox: cannot write to standard output: {e}");
    }
    let printer = tokio::spawn(print_events(sandbox.subscribe()));
    crate::signals::stop_requested().await;
    say("Stopping the sandbox.");
    sandbox.shutdown().await;
    printer.abort();
    ExitCode::SUCCESS
}

fn start_error_text(error: &StartError, port: u16) -> String {
    match error {
        StartError::Bind(addr, e) if e.kind() == io::ErrorKind::AddrInUse => format!(
            "wecom sandbox: port {port} is already in use on {ip} ({e}).\n\
             Is another sandbox running? Choose another port with --port N (--port 0 picks a free one).",
            ip = addr.ip()
        ),
        StartError::Bind(addr, e) => format!(
            "wecom sandbox: cannot listen on {addr} (port {port}): {e}.\n\
             Choose another port with --port N (--port 0 picks a free one)."
        ),
        StartError::Record(path, e) => format!(
            "wecom sandbox: cannot open the record file {}: {e}.\n\
             Choose another file with --record PATH.",
            path.display()
        ),
        StartError::Other(e) => format!("wecom sandbox: cannot start: {e}"),
    }
}

/// The first line (parsed by tests and scripts) is flushed before anything else.
fn print_banner(sandbox: &Sandbox, record_path: &Path, args: &SandboxArgs) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "Sandbox listening on http://{}", sandbox.addr())?;
    out.flush()?;
    writeln!(out, "Demo webhook: {}", sandbox.webhook_url(DEMO_KEY))?;
    writeln!(
        out,
        "Uploads:      http://{}{UPLOAD_PATH}?key={DEMO_KEY}&type=file (or type=voice)",
        sandbox.addr()
    )?;
    writeln!(out, "Recording to: {}", record_path.display())?;
    writeln!(out, "{}", keys_line(&args.keys))?;
    writeln!(
        out,
        "Limits as WeCom: {} messages per minute per key, media_id valid 3 days.",
        args.rate_limit
    )?;
    writeln!(out, "Ctrl-C to stop.")?;
    out.flush()
}

/// Says how many extra keys are accepted, showing each only masked.
fn keys_line(keys: &[Key]) -> String {
    if keys.is_empty() {
        return "Accepted keys: the demo key only (add your own with --key KEY).".to_owned();
    }
    let masked: Vec<String> = keys.iter().map(Key::masked).collect();
    format!(
        "Accepted keys: the demo key and {} more ({}).",
        keys.len(),
        masked.join(", ")
    )
}

async fn print_events(mut events: broadcast::Receiver<Event>) {
    loop {
        match events.recv().await {
            Ok(event) => say(&event_line(&event)),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                say(&format!("({n} requests not shown: too many at once)"));
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}

/// Prints a line; a closed standard output (a pipe whose reader went away)
/// must not stop the server, so errors are ignored.
fn say(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// One console line per request; never a key.
fn event_line(event: &Event) -> String {
    match event {
        Event::Accepted(Record::Message {
            key_hint, message, ..
        }) => {
            let msgtype = message
                .get("msgtype")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            format!("accepted {msgtype} message for {key_hint}")
        }
        Event::Accepted(Record::Upload {
            key_hint,
            kind,
            filename,
            size,
            ..
        }) => format!(
            "accepted {} upload {filename:?} ({size} bytes) for {key_hint}",
            kind.as_str()
        ),
        Event::Refused {
            endpoint,
            key_hint,
            errcode,
            errmsg,
        } => {
            let who = key_hint.as_deref().unwrap_or("no key");
            format!("refused {endpoint} for {who}: errcode {errcode}: {errmsg}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_keys_are_shown_masked() {
        let keys = vec![parse_key("test-key-0000-aaaa").expect("a key")];
        let line = keys_line(&keys);
        assert!(line.contains("1 more (****aaaa)"), "{line}");
        assert!(!line.contains("test-key"), "{line}");
    }

    #[test]
    fn a_whole_url_gives_its_key() {
        let k = parse_key("http://127.0.0.1:8787/cgi-bin/webhook/send?key=test-key-0000-bbbb")
            .expect("a webhook URL");
        assert_eq!(k.expose(), "test-key-0000-bbbb");
        assert!(parse_rate_limit("0").is_err());
        assert_eq!(parse_rate_limit("5"), Ok(5));
    }
}
