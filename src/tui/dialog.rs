//! The state of two pop-ups: the robot dialog and the template list.
//! (The file browser is one module under `popup/`; these follow it.)

use ratatui_textarea::TextArea;

use crate::store::config::Config;
use url::Url;

use crate::wecom::Webhook;

/// The template list: load one, save the current message as one, delete.
pub struct TemplatePicker {
    /// `None` until the list has been read.
    pub templates: Option<Vec<crate::store::templates::Template>>,
    pub selected: usize,
    /// The name being typed when saving the current message.
    pub naming: Option<TextArea<'static>>,
    pub note: Option<String>,
}

impl TemplatePicker {
    pub fn new() -> TemplatePicker {
        TemplatePicker {
            templates: None,
            selected: 0,
            naming: None,
            note: None,
        }
    }

    pub fn start_naming(&mut self) {
        self.naming = Some(single_line("", "a name, e.g. Friday release"));
    }

    /// The template under the cursor, once the list is read.
    pub fn selected_template(&self) -> Option<&crate::store::templates::Template> {
        self.templates.as_ref().and_then(|l| l.get(self.selected))
    }

    pub fn name(&self) -> String {
        self.naming
            .as_ref()
            .map(|t| t.lines().join("").trim().to_owned())
            .unwrap_or_default()
    }
}

impl Default for TemplatePicker {
    fn default() -> Self {
        TemplatePicker::new()
    }
}

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
}

/// What masks the webhook field's characters while it is hidden.
pub const MASK_CHAR: char = '•';

fn secret_line(placeholder: &str) -> TextArea<'static> {
    let mut t = single_line("", placeholder);
    t.set_mask_char(MASK_CHAR);
    t
}

fn single_line(text: &str, placeholder: &str) -> TextArea<'static> {
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
            name: single_line("", "e.g. ops-alerts"),
            webhook: secret_line(
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… or the key",
            ),
            focus: DialogField::Name,
            error: None,
            revealed: false,
        }
    }

    pub fn edit(name: &str, masked: String) -> RobotDialog {
        RobotDialog {
            mode: RobotDialogMode::Edit {
                original: name.to_owned(),
                masked: masked.clone(),
            },
            name: single_line(name, "robot name"),
            webhook: secret_line("paste a new URL or key to replace it"),
            focus: DialogField::Webhook,
            error: None,
            revealed: false,
        }
    }

    pub fn rename(name: &str) -> RobotDialog {
        RobotDialog {
            mode: RobotDialogMode::Rename {
                original: name.to_owned(),
            },
            name: single_line(name, "robot name"),
            webhook: single_line("", ""),
            focus: DialogField::Name,
            error: None,
            revealed: false,
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

    pub fn field_mut(&mut self) -> &mut TextArea<'static> {
        match self.focus {
            DialogField::Name => &mut self.name,
            DialogField::Webhook => &mut self.webhook,
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
                DialogField::Webhook => DialogField::Name,
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
                    return Err("Paste the robot's webhook URL or key.".to_owned());
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
