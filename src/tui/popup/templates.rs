//! The template list (F3): load one, save the current message as one,
//! delete one of the user's own. Its state, what each of its actions does,
//! and how it is drawn, in one place as the file browser.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use ratatui_textarea::TextArea;

use super::robot::single_line;
use crate::store::templates::Template;
use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::wecom::Message;

/// The template list: load one, save the current message as one, delete.
pub struct TemplatePicker {
    /// `None` until the list has been read.
    pub templates: Option<Vec<Template>>,
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
        self.naming = Some(single_line("", &crate::tr!("templates.placeholder_name")));
        self.note = None;
    }

    /// The template under the cursor, once the list is read.
    pub fn selected_template(&self) -> Option<&Template> {
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

/// What the current draft is, for saving it as a template.
#[derive(Debug, Clone, Copy)]
pub enum Draft<'a> {
    /// Nothing written.
    Empty,
    /// Written, but not a message yet (a check fails).
    Unfinished,
    Ready(&'a Message),
}

/// What an action in the template list asks of the app.
#[derive(Debug)]
pub enum TemplatesOutcome {
    /// Still open.
    Stay,
    /// Closed without a choice.
    Closed,
    /// Load this template into its draft (the list is closed).
    Load(Template),
    /// Save the draft under this name (the list stays open).
    Save { name: String, message: Message },
    /// Ask before deleting this template of the user's (the list is left).
    AskDelete(String),
}

impl TemplatePicker {
    /// Which of the list's own commands can be used now.
    pub fn available(&self, action: Action) -> bool {
        match action {
            Action::DeleteTemplate => self.selected_template().is_some_and(|t| !t.builtin),
            _ => true,
        }
    }

    /// Does what the key map made of `key` here; while a name is typed, a
    /// key that is no command is text for it.
    pub fn on_action(
        &mut self,
        action: Option<Action>,
        key: KeyEvent,
        draft: Draft<'_>,
    ) -> TemplatesOutcome {
        if let Some(naming) = self.naming.as_mut() {
            match action {
                Some(Action::Close) => self.naming = None,
                Some(Action::Submit) => match draft {
                    Draft::Empty => {
                        self.note = Some(crate::tr!("templates.draft_empty").into_owned());
                    }
                    Draft::Unfinished => {
                        self.note = Some(crate::tr!("templates.draft_unfinished").into_owned())
                    }
                    Draft::Ready(message) => {
                        let name = self.name();
                        self.naming = None;
                        return TemplatesOutcome::Save {
                            name,
                            message: message.clone(),
                        };
                    }
                },
                _ => {
                    naming.input(key);
                }
            }
            return TemplatesOutcome::Stay;
        }
        let count = self.templates.as_ref().map_or(0, Vec::len);
        match action {
            Some(Action::Close) => return TemplatesOutcome::Closed,
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Some(Action::SaveTemplate) => self.start_naming(),
            Some(Action::Select) => {
                if let Some(t) = self.selected_template() {
                    return TemplatesOutcome::Load(t.clone());
                }
            }
            Some(Action::DeleteTemplate) => match self.selected_template() {
                Some(t) if t.builtin => {
                    self.note = Some(crate::tr!("templates.builtin_undeletable").into_owned())
                }
                Some(t) => return TemplatesOutcome::AskDelete(t.name.clone()),
                None => {}
            },
            _ => {}
        }
        TemplatesOutcome::Stay
    }
}

/// The list as drawn, in the app's theme.
pub struct TemplatesView<'a> {
    pub picker: &'a TemplatePicker,
    pub theme: &'a Theme,
}

impl Widget for TemplatesView<'_> {
    /// Draws the list in a box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let TemplatesView { picker, theme } = self;
        let area = popup_area(area, 70, 20);
        let outer = theme.block(crate::tr!("templates.title"), true);
        let inner = outer.inner(area);
        super::clear(area, buf);
        outer.render(area, buf);
        let width = inner.width as usize;
        let mut lines = Vec::new();
        match &picker.templates {
            None => lines.push(Line::styled(crate::tr!("templates.reading"), theme.dim())),
            Some(list) => {
                for (i, t) in list.iter().enumerate() {
                    let marker = if i == picker.selected { "› " } else { "  " };
                    let origin = if t.builtin {
                        crate::tr!("templates.example")
                    } else {
                        crate::tr!("templates.yours")
                    };
                    // The name is the user's (or a file's): shown safe, never translated.
                    let text = format!(
                        "{marker}{} · {} · {origin}",
                        crate::untrusted::one_line(&t.name),
                        t.message.kind().shown()
                    );
                    let style = if i == picker.selected {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    lines.push(Line::styled(fit(&text, width), style));
                }
            }
        }
        lines.push(Line::default());
        let mut naming_row = None;
        if let Some(naming) = &picker.naming {
            lines.push(Line::styled(
                crate::tr!("templates.save_as"),
                theme.title(true),
            ));
            let y = inner.y + lines.len() as u16;
            if y < inner.y + inner.height {
                naming.render(Rect::new(inner.x, y, inner.width, 1), buf);
            }
            naming_row = Some(lines.len());
            lines.push(Line::default());
            // Why Enter did not save (an empty or unfinished draft).
            if let Some(note) = &picker.note {
                lines.push(Line::styled(note.clone(), theme.warning()));
            }
            lines.push(Line::styled(
                keymap::hint_line(Context::TemplateName, false, |a| picker.available(a)),
                theme.key(),
            ));
        } else {
            if let Some(note) = &picker.note {
                lines.push(Line::styled(note.clone(), theme.warning()));
            }
            lines.push(Line::styled(
                keymap::hint_line(Context::Templates, false, |a| picker.available(a)),
                theme.key(),
            ));
        }
        for (n, line) in lines.into_iter().enumerate() {
            if Some(n) == naming_row {
                continue;
            }
            let y = inner.y + n as u16;
            if y >= inner.y + inner.height {
                break;
            }
            // One row each, cut at the edge; the "  " indent lines them
            // up under "› ".
            Paragraph::new(line).render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }
}
