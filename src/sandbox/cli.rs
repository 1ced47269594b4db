//! `wecom sandbox`: runs the sandbox in the foreground, printing where it
//! listens, a line for each accepted request and a summary of refusals,
//! until Ctrl-C or SIGTERM.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::record::{Event, Record};
use super::{DEMO_KEY, RECORD_FILE_NAME, Sandbox, SandboxConfig, StartError};
use crate::http_server::summary::{RepeatSummary, Repeats};
use crate::paths;
use crate::untrusted::one_line;
use crate::wecom::limits;
use crate::wecom::webhook::{self, Key, UPLOAD_PATH, Webhook};

/// The environment variable `--key` is read from when it is not given.
pub const KEYS_ENV: &str = "WECOM_SANDBOX_KEYS";

/// `wecom sandbox` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = SANDBOX_AFTER_HELP)]
pub struct SandboxArgs {
    /// Port to listen on (127.0.0.1); 0 picks any free port.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Accept this key as well as the demo key (repeatable, or several
    /// separated by commas). A whole webhook URL is accepted too; its key is
    /// used. A key given here shows in `ps`: prefer --key-file or
    /// WECOM_SANDBOX_KEYS for real keys.
    #[arg(
        long = "key",
        value_name = "KEY",
        value_parser = parse_key,
        env = KEYS_ENV,
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub keys: Vec<Key>,
    /// Read keys (or webhook URLs) to accept from this file, one a line;
    /// blank lines and lines starting with # are skipped. `-` reads standard
    /// input. Repeatable.
    #[arg(long = "key-file", value_name = "PATH")]
    pub key_files: Vec<PathBuf>,
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

const SANDBOX_AFTER_HELP: &str = "\
Keys: the demo key is always accepted. Add your own with --key KEY (visible to
other users in `ps`), with --key-file PATH (one a line; - for standard input),
or with the environment variable WECOM_SANDBOX_KEYS (separated by commas).

Output: one line per accepted message or upload; refusals are summarised, one
line per kind per second with the count. WECOM_LOG=debug prints every refusal
in full on standard error. Records go to the --record file (0600), never keys.";

/// Exit code when the sandbox cannot start.
const EXIT_START_FAILED: u8 = 1;

/// Reads `--key-file` files (`-`: standard input), one key or webhook URL a
/// line. Errors name the file and line, never the line's text (a key).
fn read_key_files(paths: &[PathBuf]) -> Result<Vec<Key>, String> {
    let mut keys = Vec::new();
    for path in paths {
        let text = if path.as_os_str() == "-" {
            let mut text = String::new();
            io::Read::read_to_string(&mut io::stdin(), &mut text)
                .map(|_| text)
                .map_err(|e| format!("cannot read keys from standard input: {e}"))?
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?
        };
        let shown = if path.as_os_str() == "-" {
            "standard input".to_owned()
        } else {
            path.display().to_string()
        };
        keys.extend(keys_in(&text, &shown)?);
    }
    Ok(keys)
}

/// The keys in a key file's text; `source` names the file in errors.
fn keys_in(text: &str, source: &str) -> Result<Vec<Key>, String> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = parse_key(line).map_err(|e| format!("{source}, line {}: {e}", n + 1))?;
        keys.push(key);
    }
    Ok(keys)
}

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

async fn serve(mut args: SandboxArgs) -> ExitCode {
    init_logging();
    match read_key_files(&args.key_files) {
        Ok(keys) => args.keys.extend(keys),
        Err(e) => {
            eprintln!("wecom sandbox: {e}.\nFix the file, or give keys with --key or {KEYS_ENV}.");
            return ExitCode::from(EXIT_START_FAILED);
        }
    }
    let record_path = args
        .record
        .clone()
        .unwrap_or_else(|| paths::data_dir().join(RECORD_FILE_NAME));
    let config = SandboxConfig {
        keys: args.keys.iter().map(|k| k.expose().to_owned()).collect(),
        rate_limit: args.rate_limit,
        record_path: Some(record_path.clone()),
        // Nothing reads records back from a standalone sandbox: the file has
        // them all, and memory stays flat however long it runs.
        record_window: 0,
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
    // Listening before the banner says so: a client that starts on the
    // banner's line must not send its first requests before anyone hears
    // them (their console lines, or counts, were lost).
    let events = sandbox.subscribe();
    if let Err(e) = print_banner(&sandbox, &record_path, &args) {
        eprintln!("wecom sandbox: cannot write to standard output: {e}");
    }
    let (stop_printer, printer_stopped) = tokio::sync::oneshot::channel();
    let printer = tokio::spawn(print_events(events, printer_stopped));
    crate::signals::stop_requested().await;
    say("Stopping the sandbox.");
    sandbox.shutdown().await;
    let _ = stop_printer.send(());
    let _ = printer.await;
    ExitCode::SUCCESS
}

/// Warnings (a record file that cannot be written) and, with
/// WECOM_LOG=debug, every refusal in full, on standard error.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WECOM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("wecom_composer=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_target(false)
        .try_init();
}

fn start_error_text(error: &StartError, port: u16) -> String {
    match error {
        StartError::Bind(addr, e) if e.kind() == io::ErrorKind::AddrInUse => format!(
            "wecom sandbox: {}",
            crate::tr!(
                "sandbox.port_in_use",
                port = port,
                ip = addr.ip(),
                error = e
            )
        ),
        StartError::Bind(addr, e) => format!(
            "wecom sandbox: {}",
            crate::tr!("sandbox.cannot_listen", addr = addr, port = port, error = e)
        ),
        StartError::Record(path, e) => format!(
            "wecom sandbox: {}",
            crate::tr!("sandbox.record_failed", path = path.display(), error = e)
        ),
        StartError::Other(e) => format!(
            "wecom sandbox: {}",
            crate::tr!("sandbox.cannot_start", error = e)
        ),
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

/// How often refusals of one kind are shown in full; the rest are counted.
const REFUSAL_PERIOD: Duration = Duration::from_secs(1);

/// Prints each accepted request, and refusals through a [`RepeatSummary`]:
/// the first of each kind (endpoint and errcode) per second in full, then
/// one count per kind per second. Ends, with a last count, on `stop`.
async fn print_events(
    mut events: broadcast::Receiver<Event>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut summary = RepeatSummary::new(REFUSAL_PERIOD);
    let mut tick = tokio::time::interval(REFUSAL_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut missed: u64 = 0;
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    if let Some(line) = console_line(&event, &mut summary, Instant::now()) {
                        say(&line);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => missed += n,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = tick.tick() => {
                print_repeats(summary.due(Instant::now()), &mut missed);
            }
            _ = &mut stop => {
                // Requests answered before the stop are still shown or
                // counted: `select!` may pick the stop over events waiting.
                while let Ok(event) = events.try_recv() {
                    if let Some(line) = console_line(&event, &mut summary, Instant::now()) {
                        say(&line);
                    }
                }
                break;
            }
        }
    }
    print_repeats(summary.flush(Instant::now()), &mut missed);
}

fn print_repeats(repeats: Vec<Repeats>, missed: &mut u64) {
    for r in repeats {
        say(&repeats_line(&r));
    }
    if *missed > 0 {
        say(&format!(
            "({missed} requests not shown: too many at once; accepted ones are all in the record file)"
        ));
        *missed = 0;
    }
}

/// "refused send 93000 (invalid webhook url) 1234 more times in the last 1.0 s".
fn repeats_line(r: &Repeats) -> String {
    format!(
        "refused {}: {} more times in the last {:.1} s",
        r.kind,
        r.count,
        r.over.as_secs_f64()
    )
}

/// The console line for an event, if it is shown: every accepted request;
/// a refusal only when it is the first of its kind this period (every
/// refusal goes to the debug log in full).
fn console_line(event: &Event, summary: &mut RepeatSummary, now: Instant) -> Option<String> {
    if let Event::Refused {
        endpoint,
        errcode,
        errmsg,
        key_hint,
    } = event
    {
        let who = key_hint.as_deref().unwrap_or("no key");
        tracing::debug!(endpoint, key = who, errcode, errmsg = %one_line(errmsg), "sandbox: refused");
        let kind = format!("{endpoint} with errcode {errcode}");
        if !summary.note(&kind, now) {
            return None;
        }
    }
    Some(event_line(event))
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
            key_hint,
            message,
            ignored_fields,
            ..
        }) => {
            let msgtype = message
                .get("msgtype")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            let mut line = format!("accepted {} message for {key_hint}", one_line(msgtype));
            if !ignored_fields.is_empty() {
                let shown: Vec<String> = ignored_fields
                    .iter()
                    .map(|f| one_line(f).into_owned())
                    .collect();
                line.push_str(&format!(
                    " (WeCom does not document {}; most likely ignored)",
                    shown.join(", ")
                ));
            }
            line
        }
        Event::Accepted(Record::Upload {
            key_hint,
            kind,
            filename,
            size,
            ..
        }) => format!(
            "accepted {} upload \"{}\" ({size} bytes) for {key_hint}",
            kind.as_str(),
            one_line(filename)
        ),
        Event::Refused {
            endpoint,
            key_hint,
            errcode,
            errmsg,
        } => {
            let who = key_hint.as_deref().unwrap_or("no key");
            format!(
                "refused {endpoint} for {who}: errcode {errcode}: {}",
                one_line(errmsg)
            )
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
