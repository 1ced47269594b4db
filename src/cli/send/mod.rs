//! `wecom send`: one or more messages to a robot, for scripts and CI.
//!
//! The robot comes from `--robot NAME` (saved robots), `--webhook`, or the
//! `WECOM_WEBHOOK` variable; the first and the last keep the key out of the
//! process list. Everything is read and checked before anything is sent, so
//! a mistake costs no message; then the messages go out in order under the
//! rate limit ([`deliver`]). Exit codes: [`crate::cli::exit`].

mod deliver;
mod input;
mod later;
mod plan;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;

use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;

use crate::cli::exit;
use crate::delivery::{Engine, RetryPolicy};
use crate::store::Db;
use crate::store::config::{Config, ConfigStore, RobotError};
use crate::store::ledger::Rate;
use crate::untrusted::one_line;
use crate::wecom::client::{Client, ClientConfig};
use crate::wecom::webhook::{Webhook, default_base};

pub use input::Source;
pub use later::{filled_in_now, items_for_later};
pub use plan::Item;

/// The variable holding a webhook URL or key, read when neither `--robot`
/// nor `--webhook` is given.
pub const WEBHOOK_ENV: &str = "WECOM_WEBHOOK";

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON document on standard output, for scripts.
    Json,
}

/// `wecom send` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = exit::TABLE,
    after_long_help = send_long_help(),
)]
pub struct SendArgs {
    /// A saved robot (see `wecom robots list`). Repeatable: the same
    /// messages go to each robot, robots in parallel, each paced by its own
    /// rate limit.
    #[arg(long, short = 'r', value_name = "NAME", conflicts_with = "webhook")]
    pub robot: Vec<String>,
    /// Every robot of a group (`wecom robots group list`); repeatable, and
    /// combined with --robot (a robot named twice gets the messages once).
    #[arg(long, short = 'g', value_name = "GROUP", conflicts_with = "webhook")]
    pub group: Vec<String>,
    /// A webhook URL or bare key. Other users can see it in the process list:
    /// prefer --robot, or the WECOM_WEBHOOK variable, which is read when
    /// neither is given.
    #[arg(long, value_name = "URL_OR_KEY")]
    pub webhook: Option<String>,

    /// Send a text message (at most 2048 bytes): the text, @FILE, or - for
    /// standard input.
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        group = "content"
    )]
    pub text: Option<String>,
    /// Send a markdown message (at most 4096 bytes): the text, @FILE or -.
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        group = "content"
    )]
    pub markdown: Option<String>,
    /// Send a markdown_v2 message (tables, lists, code blocks): the text,
    /// @FILE or -.
    #[arg(
        long = "markdown-v2",
        value_name = "TEXT",
        allow_hyphen_values = true,
        group = "content"
    )]
    pub markdown_v2: Option<String>,
    /// Send raw message JSON: one object, or an array of them sent in order
    /// under the rate limit. A file path, - for standard input, or the JSON
    /// itself (starting with { or [).
    #[arg(long, value_name = "PATH", group = "content", conflicts_with_all = ["title", "mention", "mention_mobile", "split"])]
    pub json: Option<String>,

    /// A bold first line (the notify API's convention); a plain first line
    /// for --text.
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// Mention a member by user id (repeatable; @all for everyone). In
    /// markdown it is written into the content as <@userid>, since WeCom
    /// ignores mentioned_list there.
    #[arg(long, value_name = "USERID")]
    pub mention: Vec<String>,
    /// Mention a member by phone number (repeatable; text only).
    #[arg(long = "mention-mobile", value_name = "PHONE")]
    pub mention_mobile: Vec<String>,

    /// Send a picture (JPG or PNG, at most 2 MiB; repeatable).
    #[arg(long, value_name = "PATH")]
    pub image: Vec<PathBuf>,
    /// Turn a WebP, GIF, BMP or oversized picture into PNG or JPEG under 2 MiB.
    #[arg(long)]
    pub convert: bool,
    /// Upload a file (at most 20 MiB) and send it (repeatable). An upload is
    /// reused for 3 days.
    #[arg(long, value_name = "PATH")]
    pub file: Vec<PathBuf>,
    /// Upload a voice clip (AMR, at most 2 MiB and 60 s) and send it
    /// (repeatable).
    #[arg(long, value_name = "PATH")]
    pub voice: Vec<PathBuf>,

    /// Content over its byte limit is sent as numbered parts, cut at
    /// paragraphs, lines or characters, never inside a code block that fits
    /// in a part. Without it, such content is refused.
    #[arg(long)]
    pub split: bool,
    /// Check everything and print the JSON of each message, one per line,
    /// exactly as it would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send later, at this local time: 18:00 (tomorrow if it has passed
    /// today), tomorrow 09:00, 2026-12-02T09:00. Checked now, kept in the
    /// outbox, and sent then by `wecom outbox run`, `wecom serve` or the
    /// composer. Content may hold {{now:%Y-%m-%d}}, {{env:NAME}} and
    /// {{file:/PATH}}, filled in when it is sent.
    #[arg(long, value_name = "TIME", conflicts_with_all = ["send_in", "no_queue"])]
    pub at: Option<String>,
    /// Send later, after this delay: 30s, 30m, 2h, 1h30m (see --at).
    #[arg(long = "in", value_name = "DELAY", conflicts_with = "no_queue")]
    pub send_in: Option<String>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Print nothing on success.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// On errcode 45009 (over 20 messages a minute) or another retryable
    /// failure, fail at once instead of waiting and trying again.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up retrying a message after this many seconds (from its first
    /// attempt); it then stays in the outbox as failed.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub give_up_after: u64,
    /// Keep nothing after exit: no outbox (an interrupted or failed batch is
    /// not resumed by `wecom outbox flush`), and only 45009 is waited out.
    /// The history still records what was sent.
    #[arg(long)]
    pub no_queue: bool,

    /// For tests: the rate-limit window in milliseconds (default 60000).
    #[arg(long, hide = true, env = "WECOM_RATE_WINDOW_MS")]
    pub rate_window_ms: Option<u64>,
    /// For tests: messages per window (default 20).
    #[arg(long, hide = true, env = "WECOM_RATE_LIMIT")]
    pub rate_limit: Option<usize>,
}

fn send_long_help() -> String {
    format!(
        "Content values: the text itself, @FILE to read a file, - to read standard input \
         (@@… for a text starting with @). A final line break in a file or standard input is dropped.\n\n\
         Order: the content message first (or its parts), then each --image, --file and --voice.\n\
         The first failure stops the rest; they stay in the outbox (`wecom outbox`).\n\n\
         Delivery: every message goes through the outbox and the history (`wecom history`). \
         WeCom takes 20 messages a minute per robot, counted across every wecom process: longer batches \
         wait for the window instead of failing. 45009, -1, HTTP 5xx and refused connections are retried \
         after 2, 4, 8… s for up to 10 minutes (--no-wait fails at once). A timeout after the message was \
         sent is never retried: it may have been delivered. Ctrl-C stops after the message in flight; \
         `wecom outbox flush` (or the same command again) sends the rest, never what was delivered.\n\n\
         Examples:\n  \
         wecom send -r ops --text 'deploy done'\n  \
         wecom send -r ops --markdown @report.md --title 'Weekly report' --split\n  \
         echo '服务器CPU使用率: 95%' | wecom send -r ops --markdown - --title 'CPU告警' --mention alice\n  \
         WECOM_WEBHOOK=… wecom send --image chart.webp --convert\n  \
         wecom send -r ops --json batch.json --output json\n\n{}",
        exit::TABLE
    )
}

/// A failure before or instead of sending: an exit code and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub lines: Vec<String>,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            lines: vec![message.into()],
        }
    }
    pub fn lines(code: u8, lines: Vec<String>) -> Failure {
        Failure { code, lines }
    }
}

/// A robot the messages go to.
pub struct Target {
    pub webhook: Webhook,
    /// A saved robot's name, or the webhook with its key masked.
    pub name: String,
}

/// Runs `wecom send`.
pub fn run(args: SendArgs, config: Option<PathBuf>) -> ExitCode {
    english_for_json(args.output);
    let store = ConfigStore::new(config.unwrap_or_else(ConfigStore::default_path));
    let result = prepare(&args, &store).and_then(|(plan, targets)| {
        if let Some(due) = later::due(&args)? {
            return later::run(&args, &store, &plan, &targets, &due);
        }
        if args.dry_run {
            return Ok(report::dry_run(&args, &plan, targets.first()));
        }
        if targets.is_empty() {
            return Err(Failure::new(
                exit::USAGE,
                crate::tr!("cli.send.no_robot_or_group", env = WEBHOOK_ENV),
            ));
        }
        send(&args, &store, &plan, &targets)
    });
    match result {
        Ok(code) => exit::code(code),
        Err(failure) => {
            report::failure(&args, &failure);
            exit::code(failure.code)
        }
    }
}

/// `--output json` is for scripts: its document (with its `error` and
/// `explanation` sentences), and the lines beside it, are English whatever
/// the language, so a script reads the same bytes everywhere.
pub fn english_for_json(output: Output) {
    if output == Output::Json {
        crate::i18n::set_for_this_thread(crate::i18n::Lang::En);
    }
}

/// Reads and checks everything; nothing is sent yet.
fn prepare(args: &SendArgs, store: &ConfigStore) -> Result<(plan::Plan, Vec<Target>), Failure> {
    let mut targets = targets(args, store)?;
    let mut plan = plan::plan(args)?;
    if targets.is_empty()
        && let Some(webhook) = plan.link.take()
    {
        let target = unsaved_target(webhook);
        plan.notes.push(
            crate::tr!(
                "cli.send.robot_from_link",
                robot = target.name,
                env = WEBHOOK_ENV
            )
            .into_owned(),
        );
        targets.push(target);
    }
    Ok((plan, targets))
}

/// A webhook not saved as a robot, named by its host and masked key.
fn unsaved_target(webhook: Webhook) -> Target {
    let name = if webhook.base() == &default_base() {
        format!("webhook {}", webhook.key().masked())
    } else {
        format!("webhook {} {}", webhook.host(), webhook.key().masked())
    };
    Target { webhook, name }
}

fn config_failure(e: impl std::fmt::Display) -> Failure {
    Failure::new(exit::IO, e.to_string())
}

/// The robots of `--robot` and `--group` (each once, in the order given),
/// else `--webhook` or `WECOM_WEBHOOK`; none when nothing names a robot.
fn targets(args: &SendArgs, store: &ConfigStore) -> Result<Vec<Target>, Failure> {
    if !args.robot.is_empty() || !args.group.is_empty() {
        let config = store.load().map_err(config_failure)?;
        return saved_targets(args, &config, store.path());
    }
    let (text, from) = match (&args.webhook, std::env::var(WEBHOOK_ENV)) {
        (Some(text), _) => (text.clone(), "--webhook"),
        (None, Ok(text)) if !text.trim().is_empty() => (text, WEBHOOK_ENV),
        _ => return Ok(Vec::new()),
    };
    // A bare key goes to the configured base (a corporate proxy); a config
    // that cannot be read must not silently send it elsewhere.
    let base = store.load().map_err(config_failure)?.base();
    let webhook = Webhook::parse(&text, &base)
        .map_err(|e| Failure::new(exit::USAGE, format!("{from}: {e}")))?;
    Ok(vec![unsaved_target(webhook)])
}

/// `--robot` names and the members of each `--group`, resolved in the
/// config; every unknown name is reported before anything is sent.
fn saved_targets(
    args: &SendArgs,
    config: &Config,
    path: &std::path::Path,
) -> Result<Vec<Target>, Failure> {
    let listed = crate::tr!("cli.send.listed", path = path.display());
    let mut names: Vec<String> = args.robot.clone();
    for group in &args.group {
        let (members, missing) = config
            .group_members(group)
            .map_err(|e| Failure::new(exit::USAGE, format!("--group: {e}")))?;
        if !missing.is_empty() {
            let group = config
                .group(group)
                .map_or(group.as_str(), |g| g.name.as_str());
            return Err(Failure::new(
                exit::USAGE,
                crate::tr!(
                    "cli.send.group_members_gone",
                    group = one_line(group),
                    positions = missing
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    listed = listed,
                ),
            ));
        }
        names.extend(members.iter().map(|r| r.name.clone()));
    }
    let mut targets: Vec<Target> = Vec::new();
    for name in &names {
        let webhook = config.webhook_of(name).map_err(|e| match e {
            RobotError::NotFound { .. } => Failure::new(exit::USAGE, format!("{e} {listed}")),
            other => Failure::new(exit::USAGE, other.to_string()),
        })?;
        let name = config
            .robot(name)
            .map_or_else(|| name.clone(), |r| r.name.clone());
        // The same robot (by name or by webhook) gets the messages once.
        if !targets
            .iter()
            .any(|t| t.name == name || t.webhook == webhook)
        {
            targets.push(Target { webhook, name });
        }
    }
    Ok(targets)
}

/// The rate limit in use: WeCom's, or the test overrides.
pub fn rate(args: &SendArgs) -> Rate {
    Rate::with_overrides(args.rate_limit, args.rate_window_ms)
}

/// How an interrupted run exits: 130 for SIGINT, 143 for SIGTERM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    Int,
    Term,
}

impl Interrupt {
    pub fn exit_code(self) -> u8 {
        match self {
            Interrupt::Int => 130,
            Interrupt::Term => 143,
        }
    }
}

/// Fires `stop` on SIGINT or SIGTERM and remembers which came.
pub fn watch_signals(stop: CancellationToken) -> Arc<Mutex<Option<Interrupt>>> {
    let which = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&which);
    tokio::spawn(async move {
        let got = wait_for_signal().await;
        *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(got);
        stop.cancel();
    });
    which
}

async fn wait_for_signal() -> Interrupt {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            return tokio::select! {
                _ = int.recv() => Interrupt::Int,
                _ = term.recv() => Interrupt::Term,
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    Interrupt::Int
}

/// The engine for this process, on the shared database.
/// The engine of a command, with the `[delivery]` settings of `store`'s
/// config.toml: its give-up time replaces `policy`'s default one (a policy
/// of its own, as `--no-queue` makes, is kept), and its retention prunes the
/// history.
pub fn engine(store: &ConfigStore, rate: Rate, policy: RetryPolicy) -> Result<Engine, Failure> {
    let settings = store.load().map_err(config_failure)?.delivery;
    let policy = if policy == RetryPolicy::default() {
        RetryPolicy::from_settings(&settings)
    } else {
        policy
    };
    let db = Db::open_default().map_err(|e| Failure::new(exit::IO, e.to_string()))?;
    let mut config = ClientConfig::default();
    // For tests: a server that never answers is given up on sooner.
    if let Some(ms) = std::env::var("WECOM_SEND_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        config.send_timeout = Duration::from_millis(ms);
    }
    let client = Client::new(config).map_err(|e| Failure::new(exit::INTERNAL, e.to_string()))?;
    Ok(Engine::configured(db, client, rate, policy, &settings))
}

/// A runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(exit::INTERNAL, crate::tr!("cli.runtime_failed", error = e)))
}

fn send(
    args: &SendArgs,
    store: &ConfigStore,
    plan: &plan::Plan,
    targets: &[Target],
) -> Result<u8, Failure> {
    report::notes(args, &plan.notes);
    let runtime = runtime()?;
    let policy = if args.no_queue {
        RetryPolicy {
            give_up_after: if args.no_wait {
                Duration::ZERO
            } else {
                rate(args).window * 2
            },
            retry_failures: false,
        }
    } else if args.no_wait {
        RetryPolicy {
            give_up_after: Duration::ZERO,
            retry_failures: false,
        }
    } else {
        RetryPolicy {
            give_up_after: Duration::from_secs(args.give_up_after),
            retry_failures: true,
        }
    };
    let engine = engine(store, rate(args), policy)?;
    let broadcast = targets.len() > 1;
    let progress = |line: &str| report::progress(args, line);
    let on_outcome = |target: &Target, i: usize, n: usize, o: &deliver::Outcome| {
        report::outcome_line(args, target, broadcast, i, n, o)
    };
    runtime.block_on(async {
        let stop = CancellationToken::new();
        let signal = watch_signals(stop.clone());
        let sender = deliver::Sender {
            engine: &engine,
            no_queue: args.no_queue,
            progress: &progress,
            on_outcome: &on_outcome,
            stop,
        };
        let sent = sender
            .send_all(targets, &plan.items)
            .await
            .map_err(|e| Failure::new(exit::IO, e.to_string()))?;
        let interrupted = *signal.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(report::finish(args, targets, &sent, interrupted))
    })
}
