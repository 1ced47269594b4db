//! The interactive composer.
//!
//! One queue of [`Msg`]s feeds a pure [`update`]; the effects it returns are
//! run here (sends in background tasks, saving, `$EDITOR`); the screen is
//! drawn once the queue is drained, never on a fixed clock — a tick runs only
//! while a send animates.

pub mod app;
pub mod attach;
pub mod autosave;
pub mod checks;
pub mod compose;
pub mod deliver;
pub mod form;
pub mod keymap;
pub mod layout;
pub mod memory;
pub mod mockup;
pub mod msg;
pub mod popup;
pub mod preview_pane;
pub mod preview_state;
pub mod queue;
pub mod quickfix;
pub mod tall;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod update;
pub mod view;
pub mod width;
pub mod wrap;

/// The help pop-up, also by its older path (the view still names it so).
pub use popup::help;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{AbortHandle, JoinHandle};

use crate::sandbox::{DEMO_KEY, RECORD_FILE_NAME, Sandbox, SandboxConfig};
use crate::store::config::{Config, ConfigStore};
use crate::store::drafts::DraftStore;
use crate::store::media_cache::{self, MediaCache};
use crate::store::templates::TemplateStore;
use crate::wecom::attach::send_media;
use crate::wecom::client::Progress;
use crate::wecom::client::{Client, ClientConfig, SendError};
use crate::wecom::media::MediaKind;
use crate::wecom::{Key, Webhook};
use app::{App, SandboxInfo, Startup};
use msg::{Effect, Msg, Payload, SendOutcome};
use std::sync::Arc;
use theme::Theme;
use tokio_util::sync::CancellationToken;
pub use update::update;

/// Where the composer keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config: PathBuf,
    pub drafts: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn from_env(config_override: Option<PathBuf>) -> Paths {
        let data_dir = crate::paths::data_dir();
        Paths {
            config: config_override.unwrap_or_else(ConfigStore::default_path),
            drafts: DraftStore::default_path(),
            data_dir,
        }
    }
}

/// Runs the composer until the user quits.
pub fn run(paths: Paths) -> anyhow::Result<()> {
    if let Some(refusal) = refuse_terminal(std::env::var("TERM").ok().as_deref()) {
        anyhow::bail!(refusal);
    }
    let _log = init_logging(&paths.data_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run_async(paths))
}

fn init_logging(dir: &Path) -> Option<()> {
    let file = open_log(dir).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("WECOM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()
}

/// Why the composer cannot run on this terminal, if it cannot: a dumb
/// terminal moves no cursor and shows no colour, so the full-screen
/// composer would be garbage there. The subcommands still work.
pub fn refuse_terminal(term: Option<&str>) -> Option<&'static str> {
    (term == Some("dumb")).then_some(text::DUMB_TERMINAL)
}

/// Opens the composer's log for appending: the log may quote what was
/// written, so the file is the owner's only (0600, an older wider one is
/// tightened) and so is the data directory when it is created here (0700).
pub fn open_log(dir: &Path) -> std::io::Result<std::fs::File> {
    crate::paths::create_private_dir(dir)?;
    let path = dir.join(LOG_FILE_NAME);
    let file = crate::paths::private_file_options()
        .create(true)
        .append(true)
        .open(&path)?;
    crate::paths::tighten_file(&path)?;
    Ok(file)
}

/// The composer's log, in the data directory.
pub const LOG_FILE_NAME: &str = "wecom.log";

async fn start_sandbox(config: &Config, data_dir: &Path) -> Option<(Sandbox, SandboxInfo)> {
    let record_path = data_dir.join(RECORD_FILE_NAME);
    let sandbox_config = SandboxConfig {
        keys: config.sandbox.keys.clone(),
        record_path: Some(record_path.clone()),
        ..SandboxConfig::default()
    };
    match Sandbox::start(sandbox_config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await {
        Ok(sandbox) => {
            let key = Key::new(DEMO_KEY).ok()?;
            let webhook = Webhook::new(&sandbox.base_url(), key);
            Some((
                sandbox,
                SandboxInfo {
                    webhook,
                    record_path,
                },
            ))
        }
        Err(e) => {
            tracing::warn!("the in-process sandbox did not start: {e}");
            None
        }
    }
}

async fn run_async(paths: Paths) -> anyhow::Result<()> {
    let config_store = ConfigStore::new(&paths.config);
    let (config, config_error) = match config_store.load() {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e.to_string())),
    };
    let draft_store = DraftStore::new(&paths.drafts);
    let (drafts, drafts_warning) = draft_store.load();
    let sandbox = start_sandbox(&config, &paths.data_dir).await;
    let delivery = config_error.is_none().then_some(config.delivery);
    let client = Client::new(ClientConfig::default()).map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut terminal = terminal::enter()?;
    let size = terminal.size()?;
    let mut app = App::new(Startup {
        config,
        config_path: paths.config.clone(),
        config_error,
        drafts,
        drafts_warning,
        sandbox: sandbox.as_ref().map(|(_, info)| info.clone()),
        theme: Theme::from_env(),
        size: (size.width, size.height),
    });
    let (tx, rx) = unbounded_channel();
    let engine = deliver::open_engine(&paths.data_dir, client.clone(), delivery.as_ref());
    let wake_tx = tx.clone();
    app.services.pictures = Some(Arc::new(crate::picture::Pictures::new(
        crate::picture::detect(),
        crate::picture::Options {
            remote: std::env::var("WECOM_REMOTE_PICTURES").map_or(true, |v| v != "0" && v != "off"),
            cache_dir: paths.data_dir.join("pictures"),
        },
        Arc::new(move || {
            let _ = wake_tx.send(Msg::PictureReady);
        }),
    )));
    if let Some(engine) = &engine {
        app.services.history = Some(Arc::new(engine.history().clone()));
        app.services.outbox = Some(engine.outbox().clone());
        app.services.schedules = Some(crate::store::schedule::Schedules::new(Arc::clone(
            engine.db(),
        )));
    }
    // While the composer is open it delivers what is due (`wecom send
    // --at`, schedules), as `wecom outbox run` and `wecom serve` do.
    let due_stop = CancellationToken::new();
    let due_worker = engine.as_ref().map(|engine| {
        let mut options = crate::delivery::due::WorkerOptions::from_env().unwrap_or_else(|e| {
            tracing::warn!("{e}; the default is used");
            crate::delivery::due::WorkerOptions::default()
        });
        // What an earlier composer left waiting (it quit leaving them, or
        // was killed) is sent now, as the quit prompt promised.
        options.adopt = Some(crate::delivery::ORIGIN_COMPOSER);
        crate::delivery::due::spawn_worker_observed(
            engine.clone(),
            config_store.clone(),
            options,
            due_stop.clone(),
            queue::worker_observer(tx.clone()),
            // The built-in sandbox is in no config: the worker knows it here.
            app.sandbox.iter().map(|s| s.webhook.clone()).collect(),
        )
    });
    let mut runner = Runner {
        tx: tx.clone(),
        engine,
        client,
        config_store,
        draft_store,
        draft_writes: autosave::NumberedWrites::new(),
        config_writes: autosave::NumberedWrites::new(),
        config_saves: Vec::new(),
        templates: TemplateStore::new(paths.data_dir.join("templates")),
        media_cache: Arc::new(std::sync::Mutex::new(MediaCache::load(
            paths.data_dir.join(media_cache::FILE_NAME),
        ))),
        sends: HashMap::new(),
        cancels: HashMap::new(),
        leaving: CancellationToken::new(),
        deliveries: Vec::new(),
        quota_timer: None,
        animating: false,
        rich_colors: Theme::rich_colors(
            std::env::var("TERM").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
        ),
        input: Some(spawn_input(tx.clone())),
    };
    let _ = tx.send(Msg::Started);
    spawn_signals(tx);
    let result = runner.event_loop(&mut app, &mut terminal, rx).await;
    terminal::leave();
    // What still waits for a slot stays in the outbox, queued (unleased,
    // so `wecom outbox flush` takes it at once); a request being written
    // ends within its own timeout.
    runner.leaving.cancel();
    for delivery in runner.deliveries.drain(..) {
        let _ = tokio::time::timeout(Duration::from_secs(3), delivery).await;
    }
    // Whatever happened, keep what was typed and the robots changed.
    for saving in runner.config_saves.drain(..) {
        let _ = saving.await;
    }
    if app.drafts_dirty {
        let _ = runner.save_drafts(&mut app);
    }
    due_stop.cancel();
    if let Some(worker) = due_worker {
        // A delivery in flight ends (or is marked unknown by the next
        // process) within its own timeout; quitting waits no longer.
        let _ = tokio::time::timeout(Duration::from_secs(3), worker).await;
    }
    if let Some((sandbox, _)) = sandbox {
        sandbox.shutdown().await;
    }
    result
}

/// Turns terminal events into messages.
fn spawn_input(tx: UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(forward_input(EventStream::new(), tx))
}

/// Forwards terminal events as messages until the stream ends. The end of
/// input or an error reading it means the terminal is gone (a closed pty
/// with no SIGHUP delivered): the app is told to save and leave, rather
/// than polling a dead terminal for good.
pub async fn forward_input<S>(mut events: S, tx: UnboundedSender<Msg>)
where
    S: futures_util::Stream<Item = std::io::Result<Event>> + Unpin,
{
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
            Ok(Event::Paste(text)) => Msg::Paste(text),
            Ok(Event::Mouse(mouse)) => Msg::Mouse(mouse),
            Ok(Event::Resize(width, height)) => Msg::Resized { width, height },
            Ok(_) => continue,
            Err(e) => {
                tracing::error!("terminal input failed, saving and quitting: {e}");
                break;
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
    tracing::info!("terminal input ended: saving and quitting");
    let _ = tx.send(Msg::Terminate);
}

/// SIGTERM and SIGHUP end the app cleanly, drafts saved.
fn spawn_signals(tx: UnboundedSender<Msg>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        let _ = tx.send(Msg::Terminate);
    });
}

/// How long an unsaved change waits before it is written: short enough that
/// a crash loses under half a second of typing, long enough that a burst of
/// keys is one write.
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(400);

/// [`AUTOSAVE_DELAY`], unless `WECOM_AUTOSAVE_DELAY_MS` says otherwise. For
/// tests only: with a long delay, a draft found on disk after SIGTERM can
/// only have been saved by the terminate path, not by an autosave that
/// happened to run first.
fn autosave_delay() -> Duration {
    std::env::var("WECOM_AUTOSAVE_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(AUTOSAVE_DELAY, Duration::from_millis)
}

/// Runs effects and owns what they need.
struct Runner {
    tx: UnboundedSender<Msg>,
    client: Client,
    /// Sends go through the outbox, the shared rate ledger and the history
    /// (`None`: the store could not be opened; sends go out directly).
    engine: Option<crate::delivery::Engine>,
    config_store: ConfigStore,
    draft_store: DraftStore,
    /// Orders the drafts writes, background and at quit.
    draft_writes: autosave::NumberedWrites,
    /// Orders the config writes, which run in the background; those still
    /// running are waited for before the app ends.
    config_writes: autosave::NumberedWrites,
    config_saves: Vec<JoinHandle<()>>,
    templates: TemplateStore,
    media_cache: Arc<std::sync::Mutex<MediaCache>>,
    sends: HashMap<u64, AbortHandle>,
    cancels: HashMap<u64, CancellationToken>,
    /// Cancelled when the composer quits: deliveries then leave what still
    /// waits in the outbox instead of cancelling it.
    leaving: CancellationToken,
    /// The engine's deliveries in flight, waited for (briefly) at quit.
    deliveries: Vec<JoinHandle<()>>,
    /// Wakes the app when a full robot's next slot opens (one timer, not a
    /// poll).
    quota_timer: Option<AbortHandle>,
    animating: bool,
    /// The terminal shows more than the 16 basic colours.
    rich_colors: bool,
    input: Option<JoinHandle<()>>,
}

enum Flow {
    Continue,
    Quit,
}

impl Runner {
    async fn event_loop(
        &mut self,
        app: &mut App,
        terminal: &mut terminal::Tui,
        mut rx: UnboundedReceiver<Msg>,
    ) -> anyhow::Result<()> {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        // When the unsaved change is due on disk: set at the first change
        // after a save, so typing is saved within AUTOSAVE_DELAY even while
        // it goes on (a kill -9 loses at most that much).
        let mut autosave_due: Option<tokio::time::Instant> = None;
        let mut redraw = true;
        loop {
            if redraw {
                terminal.draw(|frame| {
                    view::render(app, frame);
                    if !self.rich_colors {
                        theme::to_basic_colors(frame.buffer_mut());
                    }
                })?;
            }
            redraw = true;
            if app.drafts_dirty && autosave_due.is_none() {
                autosave_due = Some(tokio::time::Instant::now() + autosave_delay());
            }
            let due = autosave_due.unwrap_or_else(tokio::time::Instant::now);
            let msg = tokio::select! {
                biased;
                msg = rx.recv() => match msg {
                    Some(msg) => msg,
                    None => return Ok(()),
                },
                _ = tick.tick(), if self.animating => Msg::Tick,
                // Autosave wakes the loop only while there is something to
                // save, and changes nothing on screen.
                _ = tokio::time::sleep_until(due), if autosave_due.is_some() => {
                    autosave_due = None;
                    if app.drafts_dirty {
                        self.autosave(app);
                    }
                    redraw = false;
                    continue;
                }
            };
            if let Flow::Quit = self.handle(app, terminal, msg).await? {
                return Ok(());
            }
            // Drain what queued up before drawing again.
            while let Ok(msg) = rx.try_recv() {
                if let Flow::Quit = self.handle(app, terminal, msg).await? {
                    return Ok(());
                }
            }
        }
    }

    async fn handle(
        &mut self,
        app: &mut App,
        terminal: &mut terminal::Tui,
        msg: Msg,
    ) -> anyhow::Result<Flow> {
        // Another process (`wecom robots add`, a second composer) may have
        // changed config.toml: read it again before acting on the user's
        // next key, so the robots shown are the file's. One stat a key.
        if matches!(msg, Msg::Key(_) | Msg::Mouse(_))
            && app.config_error.is_none()
            && self.config_store.changed_on_disk()
        {
            match self.config_store.load() {
                Ok(config) => {
                    let _ = update(app, Msg::ConfigReloaded(config));
                }
                Err(e) => tracing::warn!("config.toml changed but cannot be read: {e}"),
            }
        }
        // A send that ended keeps no token or handle for the session.
        if let Msg::SendFinished { id, .. } = &msg {
            self.cancels.remove(id);
            self.sends.remove(id);
        }
        self.cancels.retain(|_, c| !c.is_cancelled());
        for effect in update(app, msg) {
            match effect {
                Effect::Quit => return Ok(Flow::Quit),
                Effect::Send {
                    id,
                    robot,
                    webhook,
                    payload,
                } => self.send(id, robot, webhook, payload),
                Effect::CancelSend { id } => {
                    if let Some(cancel) = self.cancels.remove(&id) {
                        cancel.cancel();
                    }
                    if let Some(handle) = self.sends.remove(&id) {
                        handle.abort();
                    }
                }
                Effect::SaveConfig(config) => {
                    let store = self.config_store.clone();
                    // Numbered: a slower earlier save never overwrites a later one.
                    let write = self.config_writes.job(move || store.save(&config));
                    let saving = self.in_background(move || Msg::ConfigSaved(write()));
                    self.config_saves.retain(|h| !h.is_finished());
                    self.config_saves.push(saving);
                }
                Effect::SaveDrafts => {
                    let result = self.save_drafts(app);
                    let _ = self.tx.send(Msg::DraftsSaved(result));
                }
                Effect::OpenEditor { text, extension } => {
                    let result = self.external_editor(terminal, &text, extension).await;
                    let _ = self.tx.send(Msg::EditorClosed(result));
                }
                Effect::Animate(on) => self.animating = on,
                Effect::CheckAttachment { key, path, convert } => {
                    let kind = key.kind;
                    self.in_background(move || {
                        let state = if convert {
                            attach::convert(&path)
                        } else {
                            attach::inspect(&path, kind)
                        };
                        Msg::AttachmentChecked { key, path, state }
                    });
                }
                Effect::CompletePath { key, text } => drop(self.in_background(move || {
                    let completion = attach::complete(&text);
                    Msg::PathCompleted {
                        key,
                        from: text,
                        completion,
                    }
                })),
                Effect::ListDir(dir) => drop(self.in_background(move || {
                    let entries = attach::list_dir(&dir);
                    Msg::DirListed { dir, entries }
                })),
                Effect::SendMedia {
                    id,
                    robot,
                    webhook,
                    path,
                    kind,
                } => self.send_media(id, robot, webhook, path, kind),
                Effect::RenderPreview(job) => drop(self.in_background(move || {
                    let rendered = job.run();
                    Msg::PreviewRendered(job.key, rendered)
                })),
                Effect::ListTemplates => {
                    let templates = self.templates.clone();
                    self.in_background(move || {
                        let (list, unreadable) = templates.list();
                        Msg::TemplatesListed(list, unreadable)
                    });
                }
                Effect::SaveTemplate { name, message } => {
                    let templates = self.templates.clone();
                    self.in_background(move || {
                        let result = templates
                            .save(&name, &message)
                            .map(msg::TemplateChange::Saved);
                        Msg::TemplateStored { name, result }
                    });
                }
                Effect::HistoryQuiet(generation) => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(crate::tui::memory::FILTER_QUIET).await;
                        let _ = tx.send(Msg::HistoryQuiet(generation));
                    });
                }
                Effect::LinksQuiet(generation) => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(crate::tui::preview_state::LINK_QUIET).await;
                        let _ = tx.send(Msg::LinksQuiet(generation));
                    });
                }
                Effect::Copy(text) => {
                    use std::io::Write;
                    let copy =
                        ratatui::crossterm::clipboard::CopyToClipboard::to_clipboard_from(text);
                    let mut out = std::io::stdout();
                    if let Err(e) =
                        ratatui::crossterm::execute!(out, copy).and_then(|()| out.flush())
                    {
                        tracing::warn!("copy (OSC 52) failed: {e}");
                    }
                }
                Effect::OutboxCancel(id) | Effect::OutboxRetry(id) => {
                    let cancel = matches!(effect, Effect::OutboxCancel(_));
                    if let Some(engine) = &self.engine {
                        let done = if cancel {
                            engine.cancel(id)
                        } else {
                            engine.retry(id)
                        };
                        let items = engine.outbox().list().unwrap_or_default();
                        let _ = self.tx.send(Msg::OutboxChanged {
                            items,
                            said: match (cancel, done) {
                                (true, Ok(true)) => crate::tr!("queue.item_cancelled", id = id),
                                (false, Ok(true)) => crate::tr!("queue.item_retried", id = id),
                                (_, Ok(false)) => crate::tr!("queue.item_gone", id = id),
                                (_, Err(e)) => crate::tr!("queue.unchanged", error = e),
                            }
                            .into_owned(),
                        });
                    }
                }
                Effect::QueueLater { robots, what, due } => self.queue_later(robots, what, due),
                Effect::InPlaceOf { outbox_id, then } => self.in_place_of(outbox_id, *then),
                Effect::SendParts {
                    id,
                    robot,
                    webhook,
                    parts,
                } => self.send_parts(id, robot, webhook, parts),
                Effect::DrawRelayCode { robot } => {
                    let code = msg::FreshCode(crate::store::config::fresh_relay_code());
                    let _ = self.tx.send(Msg::RelayCodeDrawn { robot, code });
                }
                Effect::Broadcast {
                    id,
                    targets,
                    outgoing,
                } => self.broadcast(id, targets, outgoing),
                Effect::ReadQuotas(robots) => self.read_quotas(robots),
                Effect::DeleteTemplate(name) => {
                    let templates = self.templates.clone();
                    self.in_background(move || {
                        let result = templates
                            .delete(&name)
                            .map(|()| msg::TemplateChange::Deleted);
                        Msg::TemplateStored { name, result }
                    });
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Runs blocking work (files, hashing, conversion, rendering, the
    /// config and the templates) off the UI thread and hands its result
    /// back as a message: the one place such work is spawned.
    fn in_background(&self, work: impl FnOnce() -> Msg + Send + 'static) -> JoinHandle<()> {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(work());
        })
    }

    /// Writes the drafts off the UI thread (the write is fsynced, which can
    /// take a while); a failure comes back as a message and marks them
    /// unsaved again.
    fn autosave(&mut self, app: &mut App) {
        let write = self.drafts_write(app);
        let tx = self.tx.clone();
        app.drafts_dirty = false;
        tokio::task::spawn_blocking(move || {
            if let Err(e) = write() {
                let _ = tx.send(Msg::DraftsSaved(Err(e)));
            }
        });
    }

    /// Saves the drafts now (quitting, or when asked).
    fn save_drafts(&mut self, app: &mut App) -> Result<(), String> {
        let result = self.drafts_write(app)();
        if result.is_ok() {
            app.drafts_dirty = false;
        }
        result
    }

    /// A write of the drafts as they are now. Writes are numbered, and one
    /// older than the last written is skipped, so a slow background autosave
    /// can never put back text older than what the quit saved.
    fn drafts_write(&mut self, app: &App) -> impl FnOnce() -> Result<(), String> + Send + 'static {
        let drafts = app.drafts_snapshot();
        let store = self.draft_store.clone();
        self.draft_writes
            .job(move || store.save(&drafts).map_err(|e| e.to_string()))
    }

    /// Sends through the engine: Esc stops it while it waits (a token, not
    /// an abort, so a request being written is never cut off unrecorded).
    fn send(&mut self, id: u64, robot: String, webhook: Webhook, payload: Payload) {
        let Some(engine) = self.engine.clone() else {
            return self.send_direct(id, webhook, payload);
        };
        let tx = self.tx.clone();
        let stop = CancellationToken::new();
        let task_stop = stop.clone();
        let task = tokio::spawn(async move {
            let outcome =
                deliver::deliver(&engine, id, robot, &webhook, payload, &tx, &task_stop).await;
            if let Some(outcome) = outcome {
                let _ = tx.send(finished(id, outcome));
            }
        });
        self.deliveries.retain(|h| !h.is_finished());
        self.deliveries.push(task);
        self.cancels.retain(|_, c| !c.is_cancelled());
        self.cancels.insert(id, stop);
    }

    /// A broadcast: every target through the outbox, robots in parallel.
    /// Without the store there is no outbox to keep them in, so nothing is
    /// sent and every row says why.
    fn broadcast(&mut self, id: u64, targets: Vec<msg::Target>, outgoing: msg::Outgoing) {
        let Some(engine) = self.engine.clone() else {
            for t in &targets {
                let _ = self.tx.send(Msg::BroadcastRow {
                    id,
                    row: t.row,
                    state: popup::results::RowState::Failed {
                        detail: "the outbox (wecom.db in the data directory) could not be opened, so broadcasts are off; see wecom.log".to_owned(),
                    },
                });
            }
            return;
        };
        let tx = self.tx.clone();
        let stop = self.leaving.child_token();
        let task_stop = stop.clone();
        let leaving = self.leaving.clone();
        let task = tokio::spawn(async move {
            deliver::broadcast(&engine, id, targets, outgoing, &tx, &task_stop, &leaving).await;
            // Over: its token has nothing left to stop, and is dropped
            // from `cancels` at the next message.
            task_stop.cancel();
        });
        self.deliveries.retain(|h| !h.is_finished());
        self.deliveries.push(task);
        self.cancels.retain(|_, c| !c.is_cancelled());
        self.cancels.insert(id, stop);
    }

    /// Reads the robots' quotas off the UI thread; when one is full, one
    /// timer wakes the app as its next slot opens.
    fn read_quotas(&mut self, robots: Vec<(String, String)>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let tx = self.tx.clone();
        if let Some(timer) = self.quota_timer.take() {
            timer.abort();
        }
        let timer = tokio::spawn(async move {
            let ledger = engine.ledger().clone();
            let read = tokio::task::spawn_blocking(move || {
                robots
                    .into_iter()
                    .filter_map(|(name, robot)| Some((name, ledger.quota(&robot).ok()?)))
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(quotas) = read else {
                return;
            };
            let next = quotas.iter().filter_map(|(_, q)| q.next_slot_ms).min();
            let _ = tx.send(Msg::Quotas(quotas));
            if let Some(at) = next {
                let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(at.saturating_sub(now) + 50)).await;
                let _ = tx.send(Msg::QuotaDue);
            }
        });
        self.quota_timer = Some(timer.abort_handle());
    }

    /// Sends without the outbox, when the store could not be opened.
    fn send_direct(&mut self, id: u64, webhook: Webhook, payload: Payload) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let result = match payload {
                Payload::Message(m) => client.send(&webhook, &m).await,
                Payload::Raw(json) => client.send_raw(&webhook, json).await,
            };
            let outcome = outcome(result.map(|r| (r.elapsed, None)));
            let _ = tx.send(finished(id, outcome));
        });
        self.sends.retain(|_, h| !h.is_finished());
        self.sends.insert(id, task.abort_handle());
    }

    /// Uploads (or reuses) a file or voice clip and sends it through the
    /// engine like any message (outbox, rate ledger, history), reporting the
    /// upload's progress at most 20 times a second. Esc cancels the upload
    /// or the wait for a slot, never a request being written.
    fn send_media(
        &mut self,
        id: u64,
        robot: String,
        webhook: Webhook,
        path: std::path::PathBuf,
        kind: MediaKind,
    ) {
        let progress = upload_progress(id, self.tx.clone());
        let Some(engine) = self.engine.clone() else {
            return self.send_media_direct(id, webhook, path, kind, progress);
        };
        let tx = self.tx.clone();
        let stop = CancellationToken::new();
        let task_stop = stop.clone();
        tokio::spawn(async move {
            let item = crate::delivery::media::media_item(&robot, &webhook, &path, kind);
            let outcome =
                deliver::deliver_item(&engine, id, item, &webhook, &tx, &task_stop, Some(progress))
                    .await;
            if let Some(outcome) = outcome {
                let _ = tx.send(finished(id, outcome));
            }
        });
        self.cancels.retain(|_, c| !c.is_cancelled());
        self.cancels.insert(id, stop);
    }

    /// Uploads and sends without the outbox, when the store could not be
    /// opened.
    fn send_media_direct(
        &mut self,
        id: u64,
        webhook: Webhook,
        path: std::path::PathBuf,
        kind: MediaKind,
        progress: crate::delivery::media::UploadProgress,
    ) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let cache = self.media_cache.clone();
        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        let task = tokio::spawn(async move {
            let started = std::time::Instant::now();
            let progress = move |p: Progress| progress(p);
            let result =
                send_media(&client, cache, &webhook, &path, kind, progress, task_cancel).await;
            let outcome = outcome(result.map(|sent| {
                let note = match sent.reused_age_secs {
                    Some(age) => {
                        let age = crate::delivery::when::span(std::time::Duration::from_secs(
                            age.max(0).unsigned_abs(),
                        ));
                        crate::tr!("deliver.media_reused_ago", age = age).into_owned()
                    }
                    None => crate::tr!("deliver.uploaded").into_owned(),
                };
                (started.elapsed(), Some(note))
            }));
            let _ = tx.send(finished(id, outcome));
        });
        self.sends.retain(|_, h| !h.is_finished());
        self.sends.insert(id, task.abort_handle());
        self.cancels.insert(id, cancel);
    }

    /// Suspends the terminal, runs `$VISUAL`/`$EDITOR` on a temporary file,
    /// and takes the terminal back.
    async fn external_editor(
        &mut self,
        terminal: &mut terminal::Tui,
        text: &str,
        extension: &str,
    ) -> Result<String, msg::EditorError> {
        if let Some(input) = self.input.take() {
            input.abort();
            let _ = input.await;
        }
        terminal::leave();
        let result = run_editor(text, extension).await;
        let reenter = terminal::enter().map(|t| *terminal = t);
        self.input = Some(spawn_input(self.tx.clone()));
        if let Err(e) = reenter {
            return Err(msg::EditorError::Terminal(e));
        }
        result
    }
}

/// The composer's upload progress for send `id`: at most 20 reports a
/// second (and the last one), with the rate so far, so a fast upload does
/// not flood the event loop.
fn upload_progress(
    id: u64,
    tx: tokio::sync::mpsc::UnboundedSender<Msg>,
) -> crate::delivery::media::UploadProgress {
    let started = std::time::Instant::now();
    let last = std::sync::Mutex::new(None::<std::time::Instant>);
    std::sync::Arc::new(move |p: Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let due =
            last.is_none_or(|t| t.elapsed() >= Duration::from_millis(50)) || p.sent == p.total;
        if due {
            *last = Some(std::time::Instant::now());
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            let _ = tx.send(Msg::UploadAdvanced {
                id,
                progress: msg::UploadProgress {
                    sent_bytes: p.sent,
                    total_bytes: p.total,
                    bytes_per_second: p.sent as f64 / secs,
                },
            });
        }
    })
}

/// How a send ended, for the status line: the error explained, never the key
/// (client errors are redacted where they are made).
fn outcome(result: Result<(Duration, Option<String>), SendError>) -> SendOutcome {
    match result {
        Ok((elapsed, note)) => SendOutcome::Sent {
            elapsed_ms: elapsed.as_millis() as u64,
            note,
        },
        Err(SendError::Invalid(problems)) | Err(SendError::UploadRejected(problems)) => {
            SendOutcome::Invalid(problems)
        }
        Err(e) if e.may_have_been_delivered() => SendOutcome::Unknown {
            title: e.title().to_owned(),
            detail: e.to_string(),
        },
        Err(e) => SendOutcome::Failed {
            title: e.title().to_owned(),
            detail: e.to_string(),
        },
    }
}

/// The message that ends send `id`, stamped with the local time.
fn finished(id: u64, outcome: SendOutcome) -> Msg {
    let at = chrono::Local::now().format("%H:%M:%S").to_string();
    Msg::SendFinished { id, outcome, at }
}

async fn run_editor(text: &str, extension: &str) -> Result<String, msg::EditorError> {
    use msg::EditorError;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned());
    let file = tempfile::Builder::new()
        .prefix("wecom-")
        .suffix(&format!(".{extension}"))
        .tempfile()
        .map_err(EditorError::TempFile)?;
    std::fs::write(file.path(), text).map_err(EditorError::WriteFile)?;
    let path = file.path().to_owned();
    let editor_for_task = editor.clone();
    // `sh -c` so that EDITOR="code --wait" works as in git.
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor_for_task} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status()
    })
    .await
    .map_err(|e| EditorError::Task(e.to_string()))?
    .map_err(|source| EditorError::Start {
        editor: editor.clone(),
        source,
    })?;
    if !status.success() {
        return Err(EditorError::Failed { editor, status });
    }
    std::fs::read_to_string(file.path()).map_err(EditorError::ReadFile)
}
