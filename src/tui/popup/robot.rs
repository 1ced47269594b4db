//! The robot dialog (add, edit, rename): its state, what each of its
//! actions does, and how it is drawn, in one place as the file browser.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use ratatui_textarea::TextArea;
use url::Url;

use crate::relay::DEFAULT_LISTEN;
use crate::store::config::{Config, RelayCode};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::tui::wrap::plain as wrap;
use crate::wecom::Webhook;

/// What the robot dialog does on save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotDialogMode {
    Add,
    /// Change name and/or webhook of `original`.
    Edit {
        original: String,
        masked: String,
    },
    /// Change only the name of `original`.
    Rename {
        original: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogField {
    Name,
    Webhook,
    /// The robot's relay codes (editing a saved robot).
    Codes,
}

/// The relay codes of the robot being edited: made, listed and revoked
/// here (and saved at once, apart from the dialog's Enter). Only their
/// hashes are kept, so the list shows ids; a new code is shown once.
#[derive(Default)]
pub struct RelayCodes {
    /// Whether the dialog has the codes at all (editing a saved robot).
    pub shown: bool,
    pub list: Vec<RelayCode>,
    pub selected: usize,
    /// The code made since the dialog opened, with its curl line: the
    /// only time it is seen.
    pub fresh: Option<FreshLine>,
    /// The id of the code the user asked to revoke, waiting for yes or no.
    pub revoking: Option<String>,
}

/// A code just made: its id and the ready-to-use curl line that holds it.
pub struct FreshLine {
    pub id: String,
    pub curl: String,
}

/// The curl line that posts seed 000's body with `code` to `wecom serve`
/// at its default address (`--listen` changes it; the README says so).
pub fn notify_curl(code: &str) -> String {
    format!(
        "curl -X POST http://{DEFAULT_LISTEN}/api/notify/{code} -H 'Content-Type: application/json' -d '{{\"title\":\"Hello\",\"content\":\"Sent through wecom serve\"}}'"
    )
}

/// Add, edit or rename a robot: a name and a webhook URL or bare key,
/// validated as typed; the key is masked once the field is left.
pub struct RobotDialog {
    pub mode: RobotDialogMode,
    pub name: TextArea<'static>,
    pub webhook: TextArea<'static>,
    pub focus: DialogField,
    /// Shown after a refused save.
    pub error: Option<String>,
    /// The webhook field shows what was typed (F3); otherwise every
    /// character is masked, so a key pasted in front of others stays private.
    pub revealed: bool,
    pub codes: RelayCodes,
}

/// What masks the webhook field's characters while it is hidden.
pub const MASK_CHAR: char = '•';

fn secret_line(placeholder: &str) -> TextArea<'static> {
    let mut t = single_line("", placeholder);
    t.set_mask_char(MASK_CHAR);
    t
}

pub(super) fn single_line(text: &str, placeholder: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_owned()]);
    t.set_placeholder_text(placeholder.to_owned());
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// What typing in the dialog amounts to so far.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookCheck {
    /// Nothing typed (in Edit mode: keep the stored webhook).
    Empty,
    Valid(Webhook),
    Invalid(String),
}

impl RobotDialog {
    pub fn add() -> RobotDialog {
        RobotDialog {
            mode: RobotDialogMode::Add,
            name: single_line("", &crate::tr!("robot.placeholder_name")),
            webhook: secret_line(&crate::tr!("robot.placeholder_webhook")),
            focus: DialogField::Name,
            error: None,
            revealed: false,
            codes: RelayCodes::default(),
        }
    }

    pub fn edit(name: &str, masked: String) -> RobotDialog {
        RobotDialog {
            mode: RobotDialogMode::Edit {
                original: name.to_owned(),
                masked: masked.clone(),
            },
            name: single_line(name, &crate::tr!("robot.placeholder_robot_name")),
            webhook: secret_line(&crate::tr!("robot.placeholder_new_webhook")),
            focus: DialogField::Webhook,
            error: None,
            revealed: false,
            codes: RelayCodes::default(),
        }
    }

    pub fn rename(name: &str) -> RobotDialog {
        RobotDialog {
            mode: RobotDialogMode::Rename {
                original: name.to_owned(),
            },
            name: single_line(name, &crate::tr!("robot.placeholder_robot_name")),
            webhook: single_line("", ""),
            focus: DialogField::Name,
            error: None,
            revealed: false,
            codes: RelayCodes::default(),
        }
    }

    pub fn has_webhook_field(&self) -> bool {
        !matches!(self.mode, RobotDialogMode::Rename { .. })
    }

    pub fn name_text(&self) -> String {
        self.name.lines().join("").trim().to_owned()
    }

    fn webhook_text(&self) -> String {
        self.webhook.lines().join("").trim().to_owned()
    }

    /// The text field in focus; none while the codes are.
    pub fn field_mut(&mut self) -> Option<&mut TextArea<'static>> {
        match self.focus {
            DialogField::Name => Some(&mut self.name),
            DialogField::Webhook => Some(&mut self.webhook),
            DialogField::Codes => None,
        }
    }

    /// Pasted text goes to the text field in focus, on one line.
    pub fn paste(&mut self, text: &str) {
        if let Some(field) = self.field_mut() {
            field.insert_str(text.replace('\n', ""));
            self.error = None;
        }
    }

    /// Gives the dialog the robot's saved codes (editing opens with them).
    pub fn with_codes(mut self, list: Vec<RelayCode>) -> RobotDialog {
        self.codes.shown = true;
        self.set_codes(list);
        self
    }

    /// The robot's codes after a change; the selection stays in the list.
    pub fn set_codes(&mut self, list: Vec<RelayCode>) {
        self.codes.selected = self.codes.selected.min(list.len().saturating_sub(1));
        self.codes.list = list;
    }

    /// A code was made: it is listed, selected, and shown this once.
    pub fn code_made(&mut self, list: Vec<RelayCode>, id: String, code: &str) {
        self.codes.selected = list.iter().position(|c| c.id == id).unwrap_or(0);
        self.codes.list = list;
        self.codes.fresh = Some(FreshLine {
            id,
            curl: notify_curl(code),
        });
        self.error = None;
    }

    /// A code was revoked: gone from the list, and from the screen if it
    /// was the one just made.
    pub fn code_revoked(&mut self, list: Vec<RelayCode>, id: &str) {
        if self.codes.fresh.as_ref().is_some_and(|f| f.id == id) {
            self.codes.fresh = None;
        }
        self.set_codes(list);
    }

    /// Which keys the dialog takes now: its fields', its codes', or a
    /// revoke's question.
    pub fn context(&self) -> Context {
        if self.codes.revoking.is_some() {
            Context::ConfirmDelete
        } else if self.focus == DialogField::Codes {
            Context::RobotCodes
        } else {
            Context::RobotDialog
        }
    }

    /// Shows or hides the typed webhook (F3).
    pub fn toggle_reveal(&mut self) {
        self.revealed = !self.revealed;
        if self.revealed {
            self.webhook.clear_mask_char();
        } else {
            self.webhook.set_mask_char(MASK_CHAR);
        }
    }

    pub fn toggle_focus(&mut self) {
        if self.has_webhook_field() {
            self.focus = match self.focus {
                DialogField::Name => DialogField::Webhook,
                DialogField::Webhook if self.codes.shown => DialogField::Codes,
                DialogField::Webhook | DialogField::Codes => DialogField::Name,
            };
        }
    }

    /// The webhook as typed so far, checked; a bare key is addressed to
    /// `base`.
    pub fn webhook_check(&self, base: &Url) -> WebhookCheck {
        let text = self.webhook_text();
        if text.is_empty() {
            return WebhookCheck::Empty;
        }
        match Webhook::parse(&text, base) {
            Ok(w) => WebhookCheck::Valid(w),
            Err(e) => WebhookCheck::Invalid(e.to_string()),
        }
    }

    /// Applies the dialog to a copy of `config`: the new config and the name
    /// the robot ends up with, or a sentence saying what to fix.
    pub fn apply(&self, config: &Config) -> Result<(Config, String), String> {
        let mut cfg = config.clone();
        let name = self.name_text();
        let webhook = self.webhook_text();
        match &self.mode {
            RobotDialogMode::Add => {
                if webhook.is_empty() {
                    return Err(crate::tr!("robot.paste_webhook").into_owned());
                }
                cfg.add_robot(&name, &webhook).map_err(|e| e.to_string())?;
            }
            RobotDialogMode::Edit { original, .. } => {
                if !webhook.is_empty() {
                    cfg.edit_robot(original, &webhook)
                        .map_err(|e| e.to_string())?;
                }
                if &name != original {
                    cfg.rename_robot(original, &name)
                        .map_err(|e| e.to_string())?;
                }
            }
            RobotDialogMode::Rename { original } => {
                if &name != original {
                    cfg.rename_robot(original, &name)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        Ok((cfg, name))
    }

    /// The robot's name before the dialog, for edits and renames.
    pub fn original(&self) -> Option<&str> {
        match &self.mode {
            RobotDialogMode::Add => None,
            RobotDialogMode::Edit { original, .. } | RobotDialogMode::Rename { original } => {
                Some(original)
            }
        }
    }
}

/// What an action in the robot dialog asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotOutcome {
    /// Still open (a key typed, a field switched).
    Stay,
    /// Closed without a change.
    Closed,
    /// Save what the dialog holds ([`RobotDialog::apply`]); the app keeps
    /// the dialog open with the refusal if it fails.
    Save,
    /// Make a relay code for the robot (the dialog stays open).
    NewCode,
    /// Copy this curl line of the code just made (the dialog stays open).
    CopyCurl(String),
    /// Revoke the code with this id: the user said yes.
    Revoke(String),
}

impl RobotDialog {
    /// Which of the dialog's own commands can be used now (the footer greys
    /// the others and the dialog's hint line leaves them out).
    pub fn available(&self, action: Action) -> bool {
        match action {
            Action::SwitchField | Action::RevealKey => self.has_webhook_field(),
            Action::CopyCurl => self.codes.fresh.is_some(),
            Action::RevokeCode => !self.codes.list.is_empty(),
            _ => true,
        }
    }

    /// Does what the key map made of `key` here; a key that is no command
    /// is text for the focused field.
    pub fn on_action(&mut self, action: Option<Action>, key: KeyEvent) -> RobotOutcome {
        if let Some(id) = self.codes.revoking.take() {
            return match action {
                Some(Action::Confirm) => RobotOutcome::Revoke(id),
                Some(Action::Close) => RobotOutcome::Stay,
                _ => {
                    self.codes.revoking = Some(id);
                    RobotOutcome::Stay
                }
            };
        }
        let last = self.codes.list.len().saturating_sub(1);
        match action {
            Some(Action::Close) => return RobotOutcome::Closed,
            Some(Action::RevealKey) => self.toggle_reveal(),
            Some(Action::SwitchField) => self.toggle_focus(),
            Some(Action::Submit) => return RobotOutcome::Save,
            Some(Action::Up) => self.codes.selected = self.codes.selected.saturating_sub(1),
            Some(Action::Down) => self.codes.selected = (self.codes.selected + 1).min(last),
            Some(Action::NewRelayCode) => return RobotOutcome::NewCode,
            Some(Action::CopyCurl) => match &self.codes.fresh {
                Some(fresh) => return RobotOutcome::CopyCurl(fresh.curl.clone()),
                None => self.error = Some(crate::tr!("robot.only_new_copied").into_owned()),
            },
            Some(Action::RevokeCode) => {
                if let Some(code) = self.codes.list.get(self.codes.selected) {
                    self.codes.revoking = Some(code.id.clone());
                }
            }
            _ => {
                if let Some(field) = self.field_mut() {
                    field.input(key);
                    self.error = None;
                }
            }
        }
        RobotOutcome::Stay
    }
}

/// The dialog as drawn: it needs the theme and the base URL a bare key is
/// addressed to.
pub struct RobotDialogView<'a> {
    pub dialog: &'a RobotDialog,
    pub theme: &'a Theme,
    pub base: &'a Url,
}

impl Widget for RobotDialogView<'_> {
    /// Draws the dialog in a box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let RobotDialogView {
            dialog,
            theme,
            base,
        } = self;
        let codes_height = if dialog.codes.shown { CODES_HEIGHT } else { 0 };
        let height = if dialog.has_webhook_field() { 12 } else { 8 } + codes_height;
        let area = popup_area(area, 76, height);
        let title = match dialog.mode {
            RobotDialogMode::Add => crate::tr!("robot.title_add"),
            RobotDialogMode::Edit { .. } => crate::tr!("robot.title_edit"),
            RobotDialogMode::Rename { .. } => crate::tr!("robot.title_rename"),
        };
        let outer = theme.block(title, true);
        let inner = outer.inner(area);
        super::clear(area, buf);
        outer.render(area, buf);
        let rows = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(if dialog.has_webhook_field() { 3 } else { 0 }),
            Constraint::Length(codes_height),
            Constraint::Min(1),
        ])
        .split(inner);
        if dialog.codes.shown {
            render_codes(
                &dialog.codes,
                dialog.focus == DialogField::Codes,
                theme,
                rows[2],
                buf,
            );
        }
        let name_focused = dialog.focus == DialogField::Name;
        let name_block = theme.block(crate::tr!("robot.name"), name_focused);
        dialog.name.render(name_block.inner(rows[0]), buf);
        name_block.render(rows[0], buf);
        let check = dialog.webhook_check(base);
        if dialog.has_webhook_field() {
            let wh_focused = dialog.focus == DialogField::Webhook;
            let wh_block = theme.block(crate::tr!("robot.webhook"), wh_focused);
            let wh_inner = wh_block.inner(rows[1]);
            wh_block.render(rows[1], buf);
            match (&check, wh_focused) {
                // Once the field is left, the key shows only its last 4 characters.
                (WebhookCheck::Valid(w), false) => {
                    Paragraph::new(w.display_url()).render(wh_inner, buf)
                }
                (WebhookCheck::Invalid(_), false) => {
                    Paragraph::new(crate::tr!("robot.not_webhook_yet"))
                        .style(theme.dim())
                        .render(wh_inner, buf)
                }
                _ => dialog.webhook.render(wh_inner, buf),
            }
        }
        let mut lines = Vec::new();
        if let Some(e) = &dialog.error {
            lines.push(Line::styled(format!("✗ {e}"), theme.error()));
        } else if dialog.has_webhook_field() {
            lines.push(match &check {
                WebhookCheck::Valid(w) => Line::styled(
                    crate::tr!("robot.key_at", key = w.key().masked(), host = w.host()),
                    theme.success(),
                ),
                WebhookCheck::Invalid(e) => Line::styled(format!("✗ {e}"), theme.error()),
                WebhookCheck::Empty => match &dialog.mode {
                    RobotDialogMode::Edit { masked, .. } => {
                        Line::styled(crate::tr!("robot.unchanged", masked = masked), theme.dim())
                    }
                    _ => Line::styled(crate::tr!("robot.paste_hint"), theme.dim()),
                },
            });
        }
        lines.push(Line::styled(
            keymap::hint_line(dialog.context(), false, |a| dialog.available(a)),
            theme.key(),
        ));
        Paragraph::new(crate::tui::wrap::lines(&lines, rows[3].width)).render(rows[3], buf);
    }
}

/// Rows of the relay codes' box, borders included.
const CODES_HEIGHT: u16 = 9;

/// The relay codes' box: a revoke's question, or the code just made with
/// its curl line, then the list by id and date (never a code: only hashes
/// are kept).
fn render_codes(codes: &RelayCodes, focused: bool, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let outer = theme.block(crate::tr!("robot.codes_title"), focused);
    let inner = outer.inner(area);
    outer.render(area, buf);
    let width = usize::from(inner.width);
    // Wrapped here, so the list below knows how many rows are left.
    let mut lines = Vec::new();
    let mut said = |text: &str, style: Style| {
        for piece in wrap(text, width) {
            lines.push(Line::styled(piece, style));
        }
    };
    if let Some(id) = &codes.revoking {
        said(
            &crate::tr!("robot.revoke_question", id = id),
            theme.warning(),
        );
    } else if let Some(fresh) = &codes.fresh {
        said(
            &crate::tr!("robot.new_code", id = fresh.id),
            theme.success(),
        );
        said(&fresh.curl, Style::default());
    }
    if codes.list.is_empty() {
        said(&crate::tr!("robot.no_codes"), theme.dim());
    }
    // The list scrolls so the selected code stays in view.
    let room = usize::from(inner.height).saturating_sub(lines.len()).max(1);
    let offset = (codes.selected + 1).saturating_sub(room);
    for (i, c) in codes.list.iter().enumerate().skip(offset).take(room) {
        let marker = if focused && i == codes.selected {
            "› "
        } else {
            "  "
        };
        let made: String = c
            .created_at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " ");
        let style = if focused && i == codes.selected {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(
            fit(
                &format!(
                    "{marker}{}  {}",
                    c.id,
                    crate::tr!("robot.code_made", at = made)
                ),
                width,
            ),
            style,
        ));
    }
    Paragraph::new(lines).render(inner, buf);
}
