//! What flows through the app's one queue: facts that happened (`Msg`, past
//! tense or plain input) and work to be done outside `update` (`Effect`).

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::compose::DraftKey;

use crate::store::config::{Config, ConfigError};
use crate::store::templates::TemplateError;
use crate::wecom::{Message, Webhook, validate::Problem};

/// Everything `update` reacts to. Messages are few and short-lived, so the
/// large variants are not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    /// The composer is up: restored drafts get their preview rendered and
    /// their files checked at once, not on the first key.
    Started,
    /// A picture of the preview became ready (or failed): draw again.
    PictureReady,
    /// `LINK_QUIET` passed since the draft's generation `0` of picture
    /// links began (see `preview_state::PictureLinks`).
    LinksQuiet(u64),
    /// Typing in the history's filter paused (its generation).
    HistoryQuiet(u64),
    /// The outbox after a cancel or retry from the Outbox tab, and what to
    /// say about it.
    OutboxChanged {
        items: Vec<crate::store::outbox::OutboxItem>,
        said: String,
    },
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resized {
        width: u16,
        height: u16,
    },
    /// Animation frame, sent only while something animates (a send).
    Tick,
    /// A send finished; `id` says which, so a stale result is dropped.
    SendFinished {
        id: u64,
        outcome: SendOutcome,
        /// Local wall-clock time of the result, `HH:MM:SS`.
        at: String,
    },
    /// `$EDITOR` exited: the new text, or why it could not run.
    EditorClosed(Result<String, EditorError>),
    DraftsSaved(Result<(), String>),
    ConfigSaved(Result<(), ConfigError>),
    /// A file was checked (or a picture converted) for the draft `key`,
    /// whose path was `path` then.
    AttachmentChecked {
        key: DraftKey,
        path: String,
        state: super::attach::AttachState,
    },
    /// Tab on a path: its completion.
    PathCompleted {
        key: DraftKey,
        from: String,
        completion: super::attach::Completion,
    },
    /// The file browser's directory was read.
    DirListed {
        dir: std::path::PathBuf,
        entries: Result<Vec<super::attach::DirEntry>, String>,
    },
    /// An upload made progress.
    UploadAdvanced {
        id: u64,
        progress: UploadProgress,
    },
    /// A background preview rendering finished.
    PreviewRendered(super::preview_state::PreviewKey, crate::preview::Rendered),
    /// The template list was read: templates and unreadable files.
    TemplatesListed(Vec<crate::store::templates::Template>, Vec<String>),
    /// The template `name` was saved or deleted, or why not.
    TemplateStored {
        name: String,
        result: Result<TemplateChange, TemplateError>,
    },
    /// SIGTERM, SIGHUP: save and leave.
    Terminate,
    /// What the delivery engine is doing with send `id` (waiting for a
    /// rate-limit slot, retrying), said in the status line.
    SendProgress {
        id: u64,
        note: String,
    },
    /// config.toml was changed by another process and read again.
    ConfigReloaded(crate::store::config::Config),
    /// A message sent later was put in the outbox (what to say), or why not.
    QueuedLater(Result<String, String>),
    /// The outbox item an edited draft replaces was taken out (`Ok(true)`:
    /// then `then` runs), was no longer waiting (`Ok(false)`: already
    /// sent or being sent), or the outbox failed.
    Replaced {
        id: i64,
        result: Result<bool, String>,
        then: Box<Effect>,
    },
    /// The send-later worker delivered a due item or ended it otherwise:
    /// a line for the status bar.
    DueDelivered {
        line: String,
        ok: bool,
    },
    /// A new relay code was drawn for the robot `robot` (asked for in the
    /// robot dialog): `update` keeps its hash and shows it once.
    RelayCodeDrawn {
        robot: String,
        code: FreshCode,
    },
    /// Broadcast `id` is in the outbox: batch `batch`, and the outbox item of
    /// each row (row index, item id).
    BroadcastQueued {
        id: u64,
        batch: Option<String>,
        items: Vec<(usize, i64)>,
    },
    /// Row `row` of broadcast `id` moved on.
    BroadcastRow {
        id: u64,
        row: usize,
        state: RowState,
    },
    /// The robots' rate-limit quotas, read from the shared ledger (by name).
    Quotas(Vec<(String, crate::store::ledger::Quota)>),
    /// The earliest "next slot" of a full robot has come: read the quotas
    /// again.
    QuotaDue,
    /// A single send went into the outbox as item `outbox_id`.
    Queued {
        id: u64,
        outbox_id: i64,
    },
}

/// A relay code just drawn: a secret, so its `Debug` never shows it (a
/// message logged or printed in a test leaks nothing).
#[derive(Clone, PartialEq, Eq)]
pub struct FreshCode(pub String);

impl std::fmt::Debug for FreshCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FreshCode(…)")
    }
}

/// Why `$EDITOR` gave no text back; the draft is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("cannot create a temporary file: {0}")]
    TempFile(#[source] std::io::Error),
    #[error("cannot write the temporary file: {0}")]
    WriteFile(#[source] std::io::Error),
    #[error("{editor} did not start: {source} (set $VISUAL or $EDITOR)")]
    Start {
        editor: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{editor} exited with {status}; the text was left unchanged")]
    Failed {
        editor: String,
        status: std::process::ExitStatus,
    },
    #[error("cannot read the edited file: {0}")]
    ReadFile(#[source] std::io::Error),
    #[error("the terminal could not be restored: {0}")]
    Terminal(#[source] std::io::Error),
    #[error("the editor's task ended abnormally: {0}")]
    Task(String),
}

/// What became of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateChange {
    /// Saved, in this file.
    Saved(std::path::PathBuf),
    Deleted,
}

/// An upload's progress, as the bar shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UploadProgress {
    pub sent_bytes: u64,
    pub total_bytes: u64,
    pub bytes_per_second: f64,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// Sent; `note` says more (a reused upload).
    Sent {
        elapsed_ms: u64,
        note: Option<String>,
    },
    /// Refused locally before anything went out.
    Invalid(Vec<Problem>),
    /// Failed: a short title and the explanation (never the key).
    Failed { title: String, detail: String },
    /// The request may have reached WeCom (a timeout or a closed connection
    /// after it was written): never reported as "not sent"; it stays in the
    /// outbox as unknown for the user to retry or discard.
    Unknown { title: String, detail: String },
}

/// What to send: a checked message, or raw JSON forced through as written.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Payload {
    Message(Message),
    Raw(String),
}

/// What a send later queues. (Short-lived, one at a time: not boxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Later {
    /// A checked message.
    Message(Message),
    /// A file or voice clip, uploaded when it is due.
    Upload {
        path: std::path::PathBuf,
        kind: crate::wecom::media::MediaKind,
    },
}

/// What a broadcast sends to each robot: a message (uploaded media have
/// their own media_id per robot, so a file or voice clip is uploaded by
/// each robot's delivery, the media cache reusing what it can).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Outgoing {
    Payload(Payload),
    Media {
        path: std::path::PathBuf,
        kind: crate::wecom::media::MediaKind,
    },
}

/// One robot of a broadcast, as the runner needs it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The row in the results view.
    pub row: usize,
    pub robot: String,
    pub webhook: Webhook,
    /// An unknown or failed item still in the outbox: retried as it is, not
    /// queued again.
    pub outbox_id: Option<i64>,
}

/// Work for the runtime.
#[derive(Debug)]
pub enum Effect {
    Send {
        id: u64,
        /// The robot's name, for the outbox and the history.
        robot: String,
        webhook: Webhook,
        payload: Payload,
    },
    CancelSend {
        id: u64,
    },
    SaveConfig(Config),
    SaveDrafts,
    /// Suspend the terminal and edit `text` in `$VISUAL`/`$EDITOR`.
    OpenEditor {
        text: String,
        extension: &'static str,
    },
    /// Start or stop the animation tick.
    Animate(bool),
    ListTemplates,
    /// Render a large draft's preview off the UI thread.
    RenderPreview(Box<super::preview_state::RenderJob>),
    /// Check the file of the draft `key` (or convert its picture).
    CheckAttachment {
        key: DraftKey,
        path: String,
        convert: bool,
    },
    CompletePath {
        key: DraftKey,
        text: String,
    },
    ListDir(std::path::PathBuf),
    /// Upload (or reuse) a file or voice clip, then send it.
    SendMedia {
        id: u64,
        /// The robot's name, for the outbox and the history.
        robot: String,
        webhook: Webhook,
        path: std::path::PathBuf,
        kind: crate::wecom::media::MediaKind,
    },
    SaveTemplate {
        name: String,
        message: Message,
    },
    DeleteTemplate(String),
    /// Put `text` on the clipboard (OSC 52).
    Copy(String),
    /// Send `Msg::LinksQuiet(generation)` after `preview_state::LINK_QUIET`.
    LinksQuiet(u64),
    /// Send `Msg::HistoryQuiet(generation)` after `memory::FILTER_QUIET`.
    HistoryQuiet(u64),
    /// Cancel / retry an outbox item (the History screen's Outbox tab).
    OutboxCancel(i64),
    OutboxRetry(i64),
    /// Send the parts of a split message, in order, as one batch.
    SendParts {
        id: u64,
        robot: String,
        webhook: Webhook,
        parts: Vec<Message>,
    },
    /// Put a message in the outbox for `due` (send later), for each robot.
    QueueLater {
        robots: Vec<(String, Webhook)>,
        what: Later,
        due: crate::delivery::when::Due,
    },
    /// Take outbox item `outbox_id` out (the draft edited from it is sent
    /// in its place), then run `then`; nothing runs if it already went.
    InPlaceOf {
        outbox_id: i64,
        then: Box<Effect>,
    },
    /// Send `outgoing` to every target, through the outbox as one batch,
    /// robots in parallel.
    Broadcast {
        id: u64,
        targets: Vec<Target>,
        outgoing: Outgoing,
    },
    /// Read the quotas of these robots (name, fingerprint) off the UI thread.
    ReadQuotas(Vec<(String, String)>),
    Quit,
    /// Draw a new relay code for the robot `robot` (randomness stays out
    /// of `update`); it comes back as [`Msg::RelayCodeDrawn`].
    DrawRelayCode {
        robot: String,
    },
}

/// Where one robot's copy of a broadcast is (a row of the results view;
/// here, beside the messages that carry it, so `popup` need not be used
/// by `msg`).
#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    /// In the outbox, not started yet (or left there at quit).
    Queued,
    /// Waiting for a rate-limit slot until this time (Unix ms).
    Waiting {
        until_ms: u64,
    },
    /// The request is being written (attempt 1, 2, …).
    Sending {
        attempt: i64,
    },
    /// Failed without delivering; tried again at `at_ms`.
    Retrying {
        attempt: i64,
        at_ms: u64,
        reason: String,
    },
    Sent {
        elapsed_ms: u64,
        waited_ms: u64,
    },
    /// WeCom refused it (or it was refused here before going out).
    Refused {
        errcode: Option<i64>,
        detail: String,
    },
    /// Not delivered, and retrying was given up (or the store failed first).
    Failed {
        detail: String,
    },
    /// The request may have reached WeCom: kept in the outbox for the
    /// user to retry or discard, never retried on its own.
    Unknown {
        detail: String,
    },
    /// Stopped by the user before it went out.
    Cancelled,
}
