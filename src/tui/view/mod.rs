//! Rendering: a pure function of the state. The layout is a function too, so
//! mouse clicks are mapped with the same rectangles that were drawn.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::app::{App, Focus, PreviewMode, Tone};
use super::compose::{FieldId, has_form};
use super::dialog::{DialogField, Popup, RobotDialog, RobotDialogMode, WebhookCheck};
use super::form::{Form, RowKind, counter, path_string};
use super::keymap;
use super::text;
use super::update::footer_context;
use super::width::{fit, truncate, wrap};
use crate::wecom::MessageKind;
use crate::wecom::schema::FieldKind;
use crate::wecom::validate::Problem;
use crate::wecom::validate::{Severity, group_digits};

/// The smallest terminal the layout is made for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

mod attachment;
mod form;
mod popups;
mod preview;

use attachment::*;
pub use form::form_row_at;
use form::*;
pub use popups::help_max_scroll;
use popups::*;
use preview::*;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Where each part of the screen goes.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    pub robots: Rect,
    pub types: Rect,
    /// The editor fields of the current type, each with its frame.
    pub fields: Vec<(FieldId, Rect)>,
    /// A line about what the type needs, above a raw JSON editor.
    pub hint: Option<Rect>,
    pub preview: Rect,
    pub problems: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// Lays the screen out for a message type edited with `fields`.
pub fn layout(area: Rect, kind: MessageKind, fields: &[FieldId]) -> Areas {
    let [main, status, footer] = Layout::vertical([
        Constraint::Min(10),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_width = if area.width >= 120 { 26 } else { 22 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(20)]).areas(main);
    let types_height = MessageKind::ALL.len() as u16 + 2;
    let [robots, types] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(types_height)]).areas(left);
    let [top, problems] =
        Layout::vertical([Constraint::Min(8), Constraint::Length(6)]).areas(right);
    let [editor, preview] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let mut areas = Areas {
        robots,
        types,
        preview,
        problems,
        status,
        footer,
        ..Areas::default()
    };
    match fields {
        [FieldId::Raw] if !has_form(kind) => {
            let [hint, raw] =
                Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(editor);
            areas.hint = Some(hint);
            areas.fields.push((FieldId::Raw, raw));
        }
        [FieldId::Content, FieldId::Mentions, FieldId::Mobiles] => {
            let [content, mentions, mobiles] = Layout::vertical([
                Constraint::Min(4),
                Constraint::Length(3),
                Constraint::Length(3),
            ])
            .areas(editor);
            areas.fields = vec![
                (FieldId::Content, content),
                (FieldId::Mentions, mentions),
                (FieldId::Mobiles, mobiles),
            ];
        }
        [only] => areas.fields.push((*only, editor)),
        _ => areas.fields.push((FieldId::Content, editor)),
    }
    areas
}

/// Draws the whole app.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area);
        return;
    }
    let areas = layout(area, app.kind, app.fields());
    render_robots(app, frame, areas.robots);
    render_types(app, frame, areas.types);
    if let Some(hint) = areas.hint {
        let p = Paragraph::new(text::raw_hint(app.kind))
            .style(app.theme.dim())
            .wrap(Wrap { trim: true });
        frame.render_widget(p, hint);
    }
    for (id, rect) in &areas.fields {
        render_field(app, frame, *id, *rect);
    }
    render_preview(app, frame, areas.preview);
    render_problems(app, frame, areas.problems);
    render_status(app, frame, areas.status);
    render_footer(app, frame, areas.footer);
    match &app.popup {
        Some(Popup::Help { scroll }) => render_help(app, frame, *scroll),
        Some(Popup::Templates(picker)) => render_templates(app, frame, picker),
        Some(Popup::Browser(browser)) => render_browser(app, frame, browser),
        Some(Popup::Robot(dialog)) => render_robot_dialog(app, frame, dialog),
        Some(Popup::ConfirmDelete { name }) => render_confirm(
            app,
            frame,
            "Delete robot",
            &format!("Delete robot {name} and its drafts? This cannot be undone."),
            text::CONFIRM_DELETE_KEYS,
        ),
        Some(Popup::ConfirmDeleteTemplate { name }) => render_confirm(
            app,
            frame,
            "Delete template",
            &format!("Delete your template {name}? This cannot be undone."),
            text::CONFIRM_DELETE_KEYS,
        ),
        Some(Popup::ConfirmQuit { reason }) => {
            render_confirm(app, frame, "Quit?", reason, text::CONFIRM_QUIT_KEYS)
        }
        None => {}
    }
}

fn block<'a>(app: &App, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(app.theme.border(focused))
        .title(title.into().style(app.theme.title(focused)))
}

fn render_robots(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Robots;
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = app
        .robots
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let marker = match (i == app.robot_index, r.webhook.is_err()) {
                (_, true) => "! ",
                (true, false) => "› ",
                (false, false) => "  ",
            };
            let suffix = if r.is_sandbox { " (local)" } else { "" };
            let text = fit(&format!("{marker}{}{suffix}", r.name), width);
            let style = if i == app.robot_index {
                app.theme.selected()
            } else if r.is_sandbox {
                app.theme.dim()
            } else {
                Style::default()
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block(app, " Robots ", focused)),
        area,
    );
}

fn render_types(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Types;
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = MessageKind::ALL
        .iter()
        .map(|k| {
            let style = if *k == app.kind {
                app.theme.selected()
            } else {
                Style::default()
            };
            let marker = if *k == app.kind { "› " } else { "  " };
            Line::styled(fit(&format!("{marker}{}", k.label()), width), style)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block(app, " Type ", focused)),
        area,
    );
}

fn field_title(app: &App, id: FieldId) -> String {
    match id {
        FieldId::Content => format!(" {} → {} ", app.kind.label(), app.robot_name()),
        FieldId::Mentions => " @ userids ".to_owned(),
        FieldId::Mobiles => " @ phones ".to_owned(),
        FieldId::Raw => format!(" {} JSON → {} ", app.kind.label(), app.robot_name()),
        FieldId::Form => format!(" {} form → {} ", app.kind.label(), app.robot_name()),
        FieldId::Path => format!(" {} → {} ", app.kind.label(), app.robot_name()),
    }
}

fn render_field(app: &App, frame: &mut Frame, id: FieldId, area: Rect) {
    let focused = app.focus == Focus::Editor(id);
    if id == FieldId::Form {
        render_form(app, frame, area, focused);
        return;
    }
    if id == FieldId::Path {
        render_attachment(app, frame, area, focused);
        return;
    }
    let mut b = block(app, field_title(app, id), focused);
    let counter = match (id, app.derived.bytes) {
        (FieldId::Content, Some((used, limit))) => Some(Span::styled(
            format!(" {} / {} B ", group_digits(used), group_digits(limit)),
            app.theme.counter(used, limit),
        )),
        (FieldId::Raw, _) => Some(Span::styled(
            format!(" {} B JSON ", group_digits(app.derived.json_bytes)),
            app.theme.dim(),
        )),
        _ => None,
    };
    if let Some(c) = counter {
        b = b.title_bottom(Line::from(c).right_aligned());
    }
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if let Some(area) = app.composition().and_then(|c| c.editor(id)) {
        frame.render_widget(area, inner);
    }
}

fn render_problems(app: &App, frame: &mut Frame, area: Rect) {
    let d = &app.derived;
    let errors = d
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
        + usize::from(d.parse_error.is_some());
    let warnings = d.problems.len() + usize::from(d.parse_error.is_some()) - errors;
    let empty = d.bytes.is_some_and(|(used, _)| used == 0);
    let title = if empty {
        Line::from(vec![
            Span::raw(" Checks "),
            Span::styled(format!("{} ", text::EMPTY_DRAFT), app.theme.dim()),
        ])
    } else if errors + warnings == 0 {
        Line::from(vec![
            Span::raw(" Checks "),
            Span::styled("✓ ready to send ", app.theme.success()),
        ])
    } else {
        let mut spans = vec![Span::raw(" Checks ")];
        if errors > 0 {
            spans.push(Span::styled(
                format!("{errors} error{} ", plural(errors)),
                app.theme.error(),
            ));
        }
        if warnings > 0 {
            spans.push(Span::styled(
                format!("{warnings} warning{} ", plural(warnings)),
                app.theme.warning(),
            ));
        }
        Line::from(spans)
    };
    let mut lines: Vec<Line> = Vec::new();
    // A failed send's explanation comes first; a mere note comes last, after
    // the problems of the draft.
    let detail = app.status.detail.as_ref().map(|detail| {
        let style = match app.status.tone {
            Tone::Error => app.theme.error(),
            Tone::Warning => app.theme.warning(),
            _ => app.theme.dim(),
        };
        Line::styled(detail.clone(), style)
    });
    let urgent = matches!(app.status.tone, Tone::Error | Tone::Warning);
    if urgent && let Some(line) = detail.clone() {
        lines.push(line);
    }
    if let Some(e) = &d.parse_error {
        lines.push(Line::from(vec![
            Span::styled("✗ ", app.theme.error()),
            Span::raw(e.clone()),
        ]));
    }
    for p in d.problems.iter().filter(|_| !empty) {
        let (mark, style) = match p.severity {
            Severity::Error => ("✗ ", app.theme.error()),
            Severity::Warning => ("! ", app.theme.warning()),
        };
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(format!("{} ", p.path), style),
            Span::raw(format!("{} {}", p.message, p.fix)),
        ]));
    }
    if !urgent && let Some(line) = detail {
        lines.push(line);
    }
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block(app, title, false));
    frame.render_widget(p, area);
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let style = match app.status.tone {
        Tone::Info => Style::default(),
        Tone::Success => app.theme.success(),
        Tone::Warning => app.theme.warning(),
        Tone::Error => app.theme.error(),
    };
    let mut spans = Vec::new();
    if app.sending.is_some() {
        spans.push(Span::styled(
            format!("{} ", SPINNER[app.spinner % SPINNER.len()]),
            app.theme.accent(),
        ));
    }
    spans.push(Span::styled(app.status.text.clone(), style));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The key hints for where the user is. Send, help and quit always show;
/// other hints are dropped whole, from the last, when the line is full.
fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let hints = keymap::footer(footer_context(app));
    let always = |label: &str| matches!(label, "send" | "help" | "quit");
    let width = |(k, l): &(String, &str)| k.chars().count() + 1 + l.chars().count() + 3;
    let mut room =
        (area.width as usize).saturating_sub(hints.iter().filter(|h| always(h.1)).map(width).sum());
    let mut shown: Vec<&(String, &str)> = Vec::new();
    let mut full = false;
    for hint in &hints {
        if always(hint.1) {
            shown.push(hint);
        } else if !full && width(hint) <= room {
            room -= width(hint);
            shown.push(hint);
        } else {
            full = true;
        }
    }
    let mut spans = Vec::new();
    for (i, (key, label)) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", app.theme.dim()));
        }
        spans.push(Span::styled(key.clone(), app.theme.key()));
        spans.push(Span::raw(format!(" {label}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
