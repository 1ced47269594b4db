//! The composer's state. Changed only by `update`; read by `view`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::attach::AttachState;
use super::compose::DraftKey;
use super::compose::{Composition, Derived, FieldId};
use super::form::RowKind;
use super::keymap::{Action, Context};
use super::popup::Popup;
use super::text;
use super::theme::Theme;
use crate::store::config::Config;
use crate::store::drafts::{Drafts, LastUsed};
use crate::wecom::schema::FieldKind;
use crate::wecom::{MessageKind, Webhook};

/// The name of the built-in sandbox robot.
pub const SANDBOX_ROBOT: &str = "sandbox";

/// A robot in the list.
#[derive(Debug, Clone)]
pub struct RobotItem {
    pub name: String,
    /// The parsed webhook, or why the stored one is unusable.
    pub webhook: Result<Webhook, String>,
    pub is_sandbox: bool,
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Robots,
    Types,
    Editor(FieldId),
    Preview,
}

/// What the preview pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewMode {
    Content,
    Json,
}

/// How the status line is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

/// The status line, and optional detail shown in the problems pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub tone: Tone,
    pub text: String,
    pub detail: Option<String>,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            tone: Tone::Info,
            text: text.into(),
            detail: None,
        }
    }
    pub fn error(text: impl Into<String>) -> Status {
        Status {
            tone: Tone::Error,
            text: text.into(),
            detail: None,
        }
    }
}

/// A send in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub id: u64,
    pub robot: String,
    pub kind: MessageKind,
}

/// A draft as it was before a change that replaced much of it at once
/// (loading a template, removing a form item), so Ctrl-Z can put it back.
#[derive(Debug, Clone)]
pub struct DraftUndo {
    pub key: DraftKey,
    pub draft: crate::store::drafts::Draft,
}

/// Where the in-process sandbox listens, when it runs.
#[derive(Debug, Clone)]
pub struct SandboxInfo {
    pub webhook: Webhook,
    pub record_path: PathBuf,
}

/// Everything the composer knows.
pub struct App {
    pub robots: Vec<RobotItem>,
    pub robot_index: usize,
    pub kind: MessageKind,
    pub focus: Focus,
    pub compositions: HashMap<DraftKey, Composition>,
    pub derived: Derived,
    pub preview: PreviewMode,
    pub preview_scroll: u16,
    /// How far the Checks pane is scrolled, and how far it can be (kept
    /// by `update` after every message, so the footer knows whether
    /// scrolling it does anything).
    pub checks_scroll: u16,
    pub checks_last: u16,
    pub sending: Option<InFlight>,
    pub next_id: u64,
    pub status: Status,
    pub popup: Option<Popup>,
    pub config: Config,
    pub config_path: PathBuf,
    /// Set when the config file could not be read: it is then never written.
    pub config_error: Option<String>,
    /// Drafts as loaded, updated as compositions are left.
    pub drafts: Drafts,
    pub drafts_dirty: bool,
    pub sandbox: Option<SandboxInfo>,
    pub spinner: usize,
    pub size: (u16, u16),
    pub theme: Theme,
    /// What countdowns are counted against (held still in tests).
    pub clock: crate::clock::Clock,
    /// Set once the user asked to quit and the drafts were handed to saving.
    pub quitting: bool,
    /// Set when told to leave (SIGTERM, SIGHUP, the terminal gone): the app
    /// then ends even if the drafts cannot be saved, without asking.
    pub terminating: bool,
    /// The draft a send result in the status line is about: once another
    /// robot or type is shown, that result (and its detail in Checks) is
    /// cleared so it is never read as this draft's.
    pub status_about: Option<DraftKey>,
    /// What Ctrl-Z restores: the draft before the last template load or
    /// item removal.
    pub undo: Option<DraftUndo>,
    /// The upload in flight.
    pub upload: Option<super::msg::UploadProgress>,
    /// The rendered preview of text and markdown drafts.
    pub preview_state: super::preview_state::PreviewState,
    /// What the app reads from outside while drawing or handling a key:
    /// the history's pages, the outbox, the pictures.
    pub services: Services,
    /// The outbox item the current draft was opened from (Outbox tab, e):
    /// sending the draft sends it in the item's place.
    pub editing: Option<EditedItem>,
    /// The robots marked for a broadcast, by name. Only the user clears
    /// them (Esc in the list, or unmarking): a send does not.
    pub marked: Vec<String>,
    /// The robot list's cursor is on this group (after the robots) rather
    /// than on a robot; `robot_index` stays on the last robot chosen.
    pub group_cursor: Option<usize>,
    /// The latest broadcast and its outcomes, robot by robot.
    pub broadcast: Option<super::popup::results::Broadcast>,
    /// The robots' quotas in the shared rate ledger, by name, as last read.
    pub quotas: HashMap<String, crate::store::ledger::Quota>,
    /// Outbox items this composer queued that are not finished yet (item
    /// id → the send id that queued it): asked about at quit.
    pub unfinished: std::collections::BTreeMap<i64, u64>,
    /// The user chose to quit once `unfinished` is empty.
    pub quit_when_done: bool,
}

/// An outbox item opened in the composer to be edited.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedItem {
    pub outbox_id: i64,
    pub robot: String,
    pub kind: MessageKind,
    /// When it was due, if it was sent later: the edit keeps that time.
    pub due_ms: Option<i64>,
}

/// Read-only services the composer's run loop gives the app; absent in
/// tests that do not need them (and when the store could not be opened).
#[derive(Default, Clone)]
pub struct Services {
    /// The history, a page at a time (the History screen).
    pub history: Option<std::sync::Arc<dyn super::memory::Pages + Send + Sync>>,
    /// The outbox, listed for the Outbox tab.
    pub outbox: Option<crate::store::outbox::Outbox>,
    /// The recurring schedules, listed under the outbox.
    pub schedules: Option<crate::store::schedule::Schedules>,
    /// Pictures of the preview, decoded and fetched off the UI thread.
    pub pictures: Option<std::sync::Arc<crate::picture::Pictures>>,
}

/// What the app starts from.
pub struct Startup {
    pub config: Config,
    pub config_path: PathBuf,
    pub config_error: Option<String>,
    pub drafts: Drafts,
    pub drafts_warning: Option<String>,
    pub sandbox: Option<SandboxInfo>,
    pub theme: Theme,
    pub size: (u16, u16),
}

impl App {
    pub fn new(s: Startup) -> App {
        let mut app = App {
            robots: Vec::new(),
            robot_index: 0,
            kind: MessageKind::Markdown,
            focus: Focus::Editor(FieldId::Content),
            compositions: HashMap::new(),
            derived: Derived::default(),
            preview: PreviewMode::Content,
            preview_scroll: 0,
            checks_scroll: 0,
            checks_last: 0,
            sending: None,
            next_id: 1,
            status: Status::info(text::shown(text::READY)),
            popup: None,
            config: s.config,
            config_path: s.config_path,
            config_error: s.config_error,
            drafts: s.drafts,
            drafts_dirty: false,
            sandbox: s.sandbox,
            spinner: 0,
            size: s.size,
            theme: s.theme,
            clock: crate::clock::Clock::System,
            quitting: false,
            terminating: false,
            upload: None,
            status_about: None,
            undo: None,
            preview_state: super::preview_state::PreviewState {
                follow: true,
                ..Default::default()
            },
            services: Services::default(),
            editing: None,
            marked: Vec::new(),
            group_cursor: None,
            broadcast: None,
            quotas: HashMap::new(),
            unfinished: Default::default(),
            quit_when_done: false,
        };
        app.reload_robots(None);
        if let Some(LastUsed { robot, kind }) = app.drafts.last.clone() {
            if let Some(i) = app.robots.iter().position(|r| r.name == robot) {
                app.robot_index = i;
            }
            app.kind = kind;
        }
        app.ensure_composition();
        app.focus = Focus::Editor(app.fields()[0]);
        app.status = if let Some(err) = &app.config_error {
            Status {
                tone: Tone::Error,
                text: text::shown(text::CONFIG_UNREADABLE).into_owned(),
                detail: Some(err.clone()),
            }
        } else if let Some(w) = s.drafts_warning {
            Status {
                tone: Tone::Warning,
                text: w,
                detail: None,
            }
        } else if app.config.robots.is_empty() {
            Status {
                tone: Tone::Info,
                text: text::shown(text::FIRST_RUN).into_owned(),
                detail: app.sandbox.as_ref().map(|s| {
                    crate::i18n::join_sentences(
                        &text::shown(text::SANDBOX_RECORDS),
                        &s.record_path.display().to_string(),
                    )
                }),
            }
        } else {
            Status::info(text::shown(text::READY))
        };
        app.ensure_composition();
        app.refresh();
        app
    }

    /// Rebuilds the robot list from the config (plus the sandbox robot) and
    /// keeps `select` (or the current robot) selected.
    pub fn reload_robots(&mut self, select: Option<&str>) {
        let keep = select
            .map(str::to_owned)
            .or_else(|| self.robots.get(self.robot_index).map(|r| r.name.clone()));
        let base = self.config.base();
        self.robots = self
            .config
            .robots
            .iter()
            .map(|r| RobotItem {
                name: r.name.clone(),
                webhook: Webhook::parse(&r.webhook, &base).map_err(|e| e.to_string()),
                is_sandbox: false,
            })
            .collect();
        match &self.sandbox {
            Some(s) => self.robots.push(RobotItem {
                name: SANDBOX_ROBOT.to_owned(),
                webhook: Ok(s.webhook.clone()),
                is_sandbox: true,
            }),
            None => self.robots.push(RobotItem {
                name: SANDBOX_ROBOT.to_owned(),
                webhook: Err(text::shown(text::SANDBOX_DOWN).into_owned()),
                is_sandbox: true,
            }),
        }
        self.robot_index = keep
            .and_then(|name| self.robots.iter().position(|r| r.name == name))
            .unwrap_or(0)
            .min(self.robots.len().saturating_sub(1));
    }

    pub fn robot(&self) -> Option<&RobotItem> {
        self.robots.get(self.robot_index)
    }

    pub fn robot_name(&self) -> String {
        self.robot().map(|r| r.name.clone()).unwrap_or_default()
    }

    pub fn key(&self) -> DraftKey {
        DraftKey {
            robot: self.robot_name(),
            kind: self.kind,
        }
    }

    /// Opens the draft of the current robot and type, if not open yet.
    pub fn ensure_composition(&mut self) {
        let key = self.key();
        if !self.compositions.contains_key(&key) {
            let comp = Composition::new(self.kind, self.drafts.get(&key.robot, key.kind));
            self.compositions.insert(key, comp);
        }
        self.drafts.last = Some(LastUsed {
            robot: self.robot_name(),
            kind: self.kind,
        });
    }

    pub fn composition(&self) -> Option<&Composition> {
        self.compositions.get(&self.key())
    }

    pub fn composition_mut(&mut self) -> Option<&mut Composition> {
        let key = self.key();
        self.compositions.get_mut(&key)
    }

    /// The fields the current draft is edited with, in Tab order.
    pub fn fields(&self) -> &'static [FieldId] {
        self.composition()
            .map_or(&[FieldId::Content], Composition::fields)
    }

    /// Recomputes derived data if the draft changed since last time.
    pub fn refresh(&mut self) {
        let robot = self.robot_name();
        let Some(comp) = self.composition() else {
            return;
        };
        let source = Some((robot.clone(), comp.kind, comp.revision));
        let json_wanted = self.preview == PreviewMode::Json;
        if self.derived.source != source || (json_wanted && !self.derived.with_json) {
            self.derived = Derived::compute(&robot, comp, json_wanted);
        }
    }

    /// Every draft, open ones included, for saving.
    pub fn drafts_snapshot(&self) -> Drafts {
        let mut drafts = self.drafts.clone();
        for (key, comp) in &self.compositions {
            drafts.set(&key.robot, key.kind, comp.to_draft());
        }
        drafts
    }

    /// Remembers the current draft for Ctrl-Z, before replacing much of it.
    pub fn remember_for_undo(&mut self) {
        if let Some(comp) = self.composition() {
            self.undo = Some(DraftUndo {
                key: self.key(),
                draft: comp.to_draft(),
            });
        }
    }

    /// Whether any composition holds text.
    pub fn has_unsent_text(&self) -> bool {
        self.compositions.values().any(Composition::has_text)
    }

    /// Where the keys go now, which decides what each one means: the open
    /// pop-up's context, or the focused pane's (in the form, the row's).
    pub fn key_context(&self) -> Context {
        if let Some(popup) = &self.popup {
            return popup.context();
        }
        match self.focus {
            Focus::Robots => Context::Robots,
            Focus::Types => Context::Types,
            Focus::Preview => Context::Preview,
            Focus::Editor(FieldId::Path) => Context::PathField,
            Focus::Editor(FieldId::Form) => self.form_context(),
            Focus::Editor(_) => Context::Editor,
        }
    }

    fn form_context(&self) -> Context {
        let Some(row) = self
            .composition()
            .and_then(|c| c.form.as_ref())
            .and_then(|f| f.current())
        else {
            return Context::Form;
        };
        match (row.kind, &row.spec.kind) {
            (RowKind::Field, FieldKind::Choice(_)) => Context::FormChoice,
            (RowKind::Field, FieldKind::MultiLine) => Context::Form,
            (RowKind::Field, _) => Context::FormField,
            (RowKind::List { .. }, _) => Context::FormList,
            _ => Context::Form,
        }
    }

    /// Whether `action` can be done now; the footer greys what cannot (send
    /// while a check fails), as gitui's `CommandInfo::available` does.
    pub fn available(&self, action: Action) -> bool {
        let comp = self.composition();
        let editing = matches!(self.focus, Focus::Editor(_));
        let own_robot = self.robot().is_some_and(|r| !r.is_sandbox);
        match action {
            Action::Send if !self.marked.is_empty() => {
                !self.busy() && self.derived.blocking_reason().is_none()
            }
            Action::Send => {
                !self.busy()
                    && self.robot().is_some_and(|r| r.webhook.is_ok())
                    && self.derived.blocking_reason().is_none()
            }
            Action::SendRaw => self.sending.is_none() && self.fields().contains(&FieldId::Raw),
            Action::SendLater => {
                self.robot().is_some_and(|r| r.webhook.is_ok())
                    && self.derived.blocking_reason().is_none()
            }
            Action::ClearMarks => !self.marked.is_empty(),
            Action::CancelSend => self.sending.is_some(),
            Action::ExternalEditor | Action::Copy => editing,
            Action::EditRobot | Action::RenameRobot | Action::DeleteRobot => own_robot,
            Action::UndoChange => self.undo.is_some(),
            Action::ChecksUp => self.checks_scroll.min(self.checks_last) > 0,
            Action::ChecksDown => self.checks_scroll < self.checks_last,
            Action::SwitchDialect => {
                matches!(self.kind, MessageKind::Markdown | MessageKind::MarkdownV2)
            }
            Action::ToggleJson => comp.is_some_and(|c| c.form.is_some() || c.json_mode),
            Action::ConvertImage => comp
                .and_then(|c| c.attachment.as_ref())
                .is_some_and(|a| matches!(a.state, AttachState::ImageOffer(_))),
            Action::AddItem | Action::RemoveItem | Action::MoveItemUp | Action::MoveItemDown => {
                comp.is_some_and(|c| c.form.is_some())
            }
            Action::SwitchField | Action::RevealKey => match &self.popup {
                Some(Popup::Robot(d)) => d.has_webhook_field(),
                _ => true,
            },
            Action::NewRelayCode | Action::CopyCurl | Action::RevokeCode => match &self.popup {
                Some(Popup::Robot(d)) => d.available(action),
                _ => true,
            },
            Action::DeleteTemplate => match &self.popup {
                Some(Popup::Templates(p)) => p.selected_template().is_some_and(|t| !t.builtin),
                _ => true,
            },
            _ => true,
        }
    }

    /// Whether a send or a broadcast is in flight: one at a time.
    pub fn busy(&self) -> bool {
        self.sending.is_some() || self.broadcast.as_ref().is_some_and(|b| b.in_flight())
    }

    /// The marked robots that are still in the list, in the list's order.
    pub fn marked_robots(&self) -> Vec<&RobotItem> {
        self.robots
            .iter()
            .filter(|r| self.marked.contains(&r.name))
            .collect()
    }

    /// The lines the help screen ends with: where the config is, and the
    /// sandbox robot's address and record.
    pub fn help_notes(&self) -> Vec<String> {
        let mut notes =
            vec![crate::tr!("help.config_file", path = self.config_path.display()).into_owned()];
        if let Some(s) = &self.sandbox {
            notes.push(
                crate::tr!(
                    "help.sandbox_robot",
                    url = s.webhook.display_url(),
                    record = s.record_path.display()
                )
                .into_owned(),
            );
        }
        notes
    }
}

impl super::popup::help::HelpSource for App {
    fn theme(&self) -> &Theme {
        &self.theme
    }

    fn screen_size(&self) -> (u16, u16) {
        self.size
    }

    fn notes(&self) -> Vec<String> {
        self.help_notes()
    }
}
