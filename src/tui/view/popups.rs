//! Pop-ups (help, templates, robot dialog, confirmations) and the notice for
//! a terminal too small.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::block;
use crate::tui::app::App;
use crate::tui::dialog::{DialogField, RobotDialog, RobotDialogMode, TemplatePicker, WebhookCheck};
use crate::tui::keymap::{self, Context};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH, popup_area};
use crate::tui::text;
use crate::tui::width::fit;

pub(super) fn render_too_small(frame: &mut Frame, area: Rect) {
    let msg = vec![
        Line::styled(
            text::TOO_SMALL,
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::from(format!(
            "{}×{}; the composer needs {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window; nothing is lost."),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect::new(area.x, area.y + y, area.width, 3.min(area.height));
    frame.render_widget(Paragraph::new(msg).alignment(Alignment::Center), rect);
}

pub(super) fn render_templates(app: &App, frame: &mut Frame, picker: &TemplatePicker) {
    let area = popup_area(frame.area(), 70, 20);
    let outer = block(app, " Templates ", true);
    let inner = outer.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(outer, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    match &picker.templates {
        None => lines.push(Line::styled("Reading…", app.theme.dim())),
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                let marker = if i == picker.selected { "› " } else { "  " };
                let origin = if t.builtin { "example" } else { "yours" };
                let text = format!(
                    "{marker}{} · {} · {origin}",
                    t.name,
                    t.message.kind().label()
                );
                let style = if i == picker.selected {
                    app.theme.selected()
                } else {
                    Style::default()
                };
                lines.push(Line::styled(fit(&text, width), style));
            }
        }
    }
    lines.push(Line::default());
    if let Some(naming) = &picker.naming {
        lines.push(Line::styled(
            "Save the current message as:",
            app.theme.title(true),
        ));
        let y = inner.y + lines.len() as u16;
        if y < inner.y + inner.height {
            frame.render_widget(naming, Rect::new(inner.x, y, inner.width, 1));
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            keymap::hint_line(Context::TemplateName, false, |a| app.available(a)),
            app.theme.key(),
        ));
    } else {
        if let Some(note) = &picker.note {
            lines.push(Line::styled(note.clone(), app.theme.warning()));
        }
        lines.push(Line::styled(
            keymap::hint_line(Context::Templates, false, |a| app.available(a)),
            app.theme.key(),
        ));
    }
    let naming_row = picker.naming.as_ref().map(|_| lines.len() - 2);
    for (n, line) in lines.into_iter().enumerate() {
        if Some(n) == naming_row {
            continue;
        }
        let y = inner.y + n as u16;
        if y >= inner.y + inner.height {
            break;
        }
        frame.render_widget(
            Paragraph::new(line).wrap(Wrap { trim: true }),
            Rect::new(inner.x, y, inner.width, 1),
        );
    }
}

pub(super) fn render_confirm(app: &App, frame: &mut Frame, title: &str, message: &str) {
    let keys = keymap::hint_line(app.key_context(), true, |a| app.available(a));
    let area = popup_area(frame.area(), 60, 7);
    let lines = vec![
        Line::from(message.to_owned()),
        Line::default(),
        Line::styled(keys, app.theme.key()),
    ];
    let p = Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(
        app,
        format!(" {title} "),
        true,
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(p, area);
}

pub(super) fn render_robot_dialog(app: &App, frame: &mut Frame, dialog: &RobotDialog) {
    let area = popup_area(
        frame.area(),
        76,
        if dialog.has_webhook_field() { 12 } else { 8 },
    );
    let title = match dialog.mode {
        RobotDialogMode::Add => " Add robot ",
        RobotDialogMode::Edit { .. } => " Edit robot ",
        RobotDialogMode::Rename { .. } => " Rename robot ",
    };
    let outer = block(app, title, true);
    let inner = outer.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(outer, area);
    let rows = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(if dialog.has_webhook_field() { 3 } else { 0 }),
        Constraint::Min(1),
    ])
    .split(inner);
    let name_focused = dialog.focus == DialogField::Name;
    let name_block = block(app, " Name ", name_focused);
    frame.render_widget(&dialog.name, name_block.inner(rows[0]));
    frame.render_widget(name_block, rows[0]);
    let check = dialog.webhook_check(&app.config.base());
    if dialog.has_webhook_field() {
        let wh_focused = dialog.focus == DialogField::Webhook;
        let wh_block = block(app, " Webhook URL or key ", wh_focused);
        let wh_inner = wh_block.inner(rows[1]);
        frame.render_widget(wh_block, rows[1]);
        match (&check, wh_focused) {
            // Once the field is left, the key shows only its last 4 characters.
            (WebhookCheck::Valid(w), false) => {
                frame.render_widget(Paragraph::new(w.display_url()), wh_inner)
            }
            (WebhookCheck::Invalid(_), false) => frame.render_widget(
                Paragraph::new("(not a webhook yet)").style(app.theme.dim()),
                wh_inner,
            ),
            _ => frame.render_widget(&dialog.webhook, wh_inner),
        }
    }
    let mut lines = Vec::new();
    if let Some(e) = &dialog.error {
        lines.push(Line::styled(format!("✗ {e}"), app.theme.error()));
    } else if dialog.has_webhook_field() {
        lines.push(match &check {
            WebhookCheck::Valid(w) => Line::styled(
                format!("✓ key {} at {}", w.key().masked(), w.host()),
                app.theme.success(),
            ),
            WebhookCheck::Invalid(e) => Line::styled(format!("✗ {e}"), app.theme.error()),
            WebhookCheck::Empty => match &dialog.mode {
                RobotDialogMode::Edit { masked, .. } => {
                    Line::styled(format!("Webhook unchanged: {masked}"), app.theme.dim())
                }
                _ => Line::styled(
                    "Paste the webhook URL from the group's robot page, or its key.",
                    app.theme.dim(),
                ),
            },
        });
    }
    lines.push(Line::styled(
        keymap::hint_line(Context::RobotDialog, false, |a| app.available(a)),
        app.theme.key(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rows[2]);
}
