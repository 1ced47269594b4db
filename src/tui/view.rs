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

fn render_too_small(frame: &mut Frame, area: Rect) {
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

/// Width of the label column of a form `width` columns wide: room for the
/// longest labels on wide screens, a third of the form on narrow ones.
fn form_label(width: usize) -> usize {
    (width * 2 / 5).clamp(12, 22)
}

/// A line of the drawn form: a row, or a problem under it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FormLine {
    Row(usize),
    Problem(usize, usize),
}

/// The lines of a form and the first one shown, so the cursor's row stays in
/// view; shared by drawing and mouse clicks.
fn form_lines(form: &Form, problems: &[Problem], height: usize) -> (Vec<FormLine>, usize) {
    let rows = form.rows();
    let mut lines = Vec::new();
    let mut cursor_line = 0;
    for (i, row) in rows.iter().enumerate() {
        if i == form.cursor {
            cursor_line = lines.len();
        }
        lines.push(FormLine::Row(i));
        let path = path_string(form.kind, &row.path);
        if let Some(p) = problems.iter().position(|p| p.path == path) {
            lines.push(FormLine::Problem(i, p));
        }
    }
    let offset = (cursor_line + 3).saturating_sub(height);
    (lines, offset)
}

/// The form row drawn at screen row `y` of the form's frame `area`.
pub fn form_row_at(form: &Form, problems: &[Problem], area: Rect, y: u16) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    let height = inner.height.saturating_sub(1) as usize;
    let (lines, offset) = form_lines(form, problems, height);
    let line = (y.checked_sub(inner.y)? as usize) + offset;
    match lines.get(line)? {
        FormLine::Row(i) if form.rows().get(*i).is_some_and(|r| r.focusable()) => Some(*i),
        _ => None,
    }
}

fn render_form(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    let title = format!(" {} form → {} ", app.kind.label(), app.robot_name());
    let b = block(app, title, focused).title_bottom(
        Line::from(" F9 JSON ")
            .right_aligned()
            .style(app.theme.dim()),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(comp) = app.composition() else {
        return;
    };
    let Some(form) = &comp.form else { return };
    let rows = form.rows();
    let height = inner.height.saturating_sub(1) as usize;
    let (lines, offset) = form_lines(form, &app.derived.problems, height);
    let width = inner.width as usize;
    for (n, line) in lines.iter().skip(offset).take(height).enumerate() {
        let y = inner.y + n as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        match *line {
            FormLine::Problem(i, p) => {
                let problem = &app.derived.problems[p];
                let style = if problem.is_error() {
                    app.theme.error()
                } else {
                    app.theme.warning()
                };
                let indent = "  ".repeat(rows[i].depth + 1);
                let mark = if problem.is_error() { "✗" } else { "!" };
                let text = fit(
                    &format!("{indent}{mark} {} {}", problem.message, problem.fix),
                    width,
                );
                frame.render_widget(Paragraph::new(Line::styled(text, style)), rect);
            }
            FormLine::Row(i) => {
                let row = &rows[i];
                let is_cursor = focused && i == form.cursor;
                render_form_row(app, frame, form, row, rect, is_cursor);
                if is_cursor && let Some(editor) = &comp.form_editor {
                    // Leave room for the counter at the end of the row.
                    let text = form.text(&row.path);
                    let reserve =
                        counter(row.spec, &text).map_or(0, |(c, _)| c.chars().count() + 1);
                    let label = form_label(width);
                    let value = Rect::new(
                        inner.x + label as u16,
                        y,
                        inner.width.saturating_sub((label + reserve) as u16),
                        1,
                    );
                    frame.render_widget(&editor.area, value);
                }
            }
        }
    }
    // What the focused field is for, from the official page.
    if let Some(row) = rows.get(form.cursor) {
        let help = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(1),
            inner.width,
            1,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(fit(row.spec.help, width), app.theme.dim())),
            help,
        );
    }
}

fn render_form_row(
    app: &App,
    frame: &mut Frame,
    form: &Form,
    row: &super::form::Row,
    rect: Rect,
    is_cursor: bool,
) {
    let width = rect.width as usize;
    let indent = "  ".repeat(row.depth);
    let label_style = if is_cursor {
        app.theme.selected()
    } else if !row.applies {
        app.theme.dim()
    } else {
        Style::default()
    };
    let star = if row.required { "*" } else { "" };
    let mut spans = Vec::new();
    match &row.kind {
        RowKind::Section => {
            spans.push(Span::styled(
                fit(&format!("{indent}▾ {}{star}", row.spec.label), width),
                label_style.add_modifier(Modifier::BOLD),
            ));
        }
        RowKind::List { count, max, .. } => {
            spans.push(Span::styled(
                format!("{indent}+ {}{star} ", row.spec.label),
                label_style.add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(format!("{count}/{max}"), app.theme.dim()));
            if is_cursor {
                spans.push(Span::styled("  Enter/F6 add", app.theme.key()));
            }
        }
        RowKind::Item { index, .. } => {
            let summary = ["title", "keyname"]
                .iter()
                .map(|k| {
                    let mut p = row.path.clone();
                    p.push(super::form::Seg::Key(k));
                    form.text(&p)
                })
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("{indent}#{} ", index + 1),
                label_style.add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(truncate(&summary, 24), app.theme.dim()));
            if is_cursor {
                spans.push(Span::styled("  F7 remove · Alt-↑↓ move", app.theme.key()));
            }
        }
        RowKind::Field => {
            let label_width = form_label(width);
            let label = fit(
                &format!("{indent}{}{star}", row.spec.label),
                label_width - 1,
            );
            spans.push(Span::styled(label, label_style));
            spans.push(Span::raw(" "));
            let text = form.text(&row.path);
            let count = counter(row.spec, &text);
            let value_width = width.saturating_sub(label_width + 12);
            match row.spec.kind {
                FieldKind::Choice(_) => {
                    let value = form.get(&row.path).and_then(serde_json::Value::as_i64);
                    let shown = match value {
                        Some(v) => format!("{v} {}", row.spec.choice_label(v).unwrap_or("?")),
                        None => "not set".to_owned(),
                    };
                    let style = if is_cursor {
                        app.theme.key()
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(format!("‹ {shown} ›"), style));
                }
                _ if is_cursor => {}
                _ if text.is_empty() && row.required => {
                    spans.push(Span::styled("required", app.theme.dim()))
                }
                _ => spans.push(Span::raw(fit(&text.replace('\n', "⏎"), value_width))),
            }
            if !row.applies {
                spans.push(Span::styled(" (unused for this type)", app.theme.dim()));
            } else if let Some((c, over)) = count {
                let used: usize = spans
                    .iter()
                    .map(|s| unicode_width::UnicodeWidthStr::width(s.content.as_ref()))
                    .sum();
                let pad = width.saturating_sub(used + c.chars().count() + 1);
                spans.push(Span::raw(" ".repeat(pad)));
                spans.push(Span::styled(
                    c,
                    if over {
                        app.theme.warning()
                    } else {
                        app.theme.dim()
                    },
                ));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), rect);
}

fn render_preview(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Preview;
    let footer = Line::from(" F3 content/JSON ")
        .right_aligned()
        .style(app.theme.dim());
    if app.preview == PreviewMode::Content
        && let Some(dialect) = crate::preview::Dialect::of(app.kind)
    {
        render_rendered(app, frame, area, dialect, focused, footer);
        return;
    }
    let (title, body): (String, Text) = match app.preview {
        PreviewMode::Json => (
            format!(
                " JSON payload · {} B ",
                group_digits(app.derived.json_bytes)
            ),
            Text::from(app.derived.json.clone()),
        ),
        PreviewMode::Content => (
            " Preview ".to_owned(),
            preview_text(app, area.width.saturating_sub(2)),
        ),
    };
    let p = Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .scroll((app.preview_scroll, 0))
        .block(block(app, title, focused).title_bottom(footer));
    frame.render_widget(p, area);
}

/// The draft as the group will see it, with the dialect's hints below.
fn render_rendered(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    dialect: crate::preview::Dialect,
    focused: bool,
    footer: Line<'static>,
) {
    use super::preview_pane::{MAX_HINT_ROWS, hint_rows};
    let stale = app.preview_state.pending.is_some();
    let title = format!(
        " Preview · {}{} ",
        dialect.name(),
        if stale { " · updating…" } else { "" }
    );
    let b = block(app, title, focused).title_bottom(footer);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some((_, rendered)) = &app.preview_state.shown else {
        return;
    };
    let hints = hint_rows(rendered);
    let body_height = inner.height.saturating_sub(hints);
    // The renderer wraps: one line per row, so only the visible rows are drawn.
    let visible: Vec<Line> = rendered
        .text
        .lines
        .iter()
        .skip(app.preview_scroll as usize)
        .take(body_height as usize)
        .cloned()
        .collect();
    frame.render_widget(
        Paragraph::new(visible),
        Rect::new(inner.x, inner.y, inner.width, body_height),
    );
    if hints > 0 {
        let mut lines = vec![Line::styled(
            "─".repeat(inner.width as usize),
            app.theme.dim(),
        )];
        lines.extend(
            crate::preview::hint_lines(&rendered.hints, app.theme.color)
                .into_iter()
                .take(MAX_HINT_ROWS),
        );
        if rendered.hints.len() > MAX_HINT_ROWS {
            lines.push(Line::styled(
                format!("+{} more hints", rendered.hints.len() - MAX_HINT_ROWS),
                app.theme.dim(),
            ));
        }
        let rect = Rect::new(inner.x, inner.y + body_height, inner.width, hints);
        let lines: Vec<Line> = lines
            .into_iter()
            .map(|l| cut_line(l, inner.width as usize))
            .collect();
        frame.render_widget(Paragraph::new(lines), rect);
    }
}

/// A line cut to `width` columns (hint lines must stay one row each).
fn cut_line(line: Line<'static>, width: usize) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    if unicode_width::UnicodeWidthStr::width(text.as_str()) <= width {
        return line;
    }
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    Line::styled(truncate(&text, width), style)
}

/// A plain preview of what the group will see (the faithful markdown
/// renderer is separate work).
fn preview_text(app: &App, width: u16) -> Text<'static> {
    let Some(comp) = app.composition() else {
        return Text::default();
    };
    match app.kind {
        MessageKind::Text | MessageKind::Markdown | MessageKind::MarkdownV2 => {
            let mut text = Text::from(comp.text(FieldId::Content));
            if app.kind == MessageKind::Text
                && let Some(crate::wecom::Message::Text(t)) = &app.derived.message
            {
                let mentions: Vec<String> = t
                    .mentioned_list
                    .iter()
                    .flatten()
                    .chain(t.mentioned_mobile_list.iter().flatten())
                    .map(|m| {
                        if m == "@all" {
                            "@all".to_owned()
                        } else {
                            format!("@{m}")
                        }
                    })
                    .collect();
                if !mentions.is_empty() {
                    text.lines.push(Line::default());
                    text.lines
                        .push(Line::styled(mentions.join(" "), app.theme.accent()));
                }
            }
            text
        }
        _ => match &app.derived.parse_error {
            None if let Some(m) = &app.derived.message
                && let Some(t) = super::mockup::mockup(m, width, &app.theme) =>
            {
                t
            }
            Some(e) => Text::from(vec![
                Line::styled("Not ready to send:", app.theme.error()),
                Line::from(e.clone()),
            ]),
            None => Text::from(app.derived.json.clone()),
        },
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
    if let Some(detail) = &app.status.detail {
        let style = match app.status.tone {
            Tone::Error => app.theme.error(),
            Tone::Warning => app.theme.warning(),
            _ => app.theme.dim(),
        };
        lines.push(Line::styled(detail.clone(), style));
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

/// The key hints for where the user is. Help and quit always show, at the
/// end; other hints are dropped whole, from the last, when the line is full.
fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let hints = keymap::footer(footer_context(app));
    let always = |label: &str| label == "help" || label == "quit";
    let width = |(k, l): &(String, &str)| k.chars().count() + 1 + l.chars().count() + 3;
    let mut room =
        (area.width as usize).saturating_sub(hints.iter().filter(|h| always(h.1)).map(width).sum());
    let mut shown: Vec<&(String, &str)> = Vec::new();
    for hint in hints.iter().filter(|h| !always(h.1)) {
        if width(hint) > room {
            break;
        }
        room -= width(hint);
        shown.push(hint);
    }
    shown.extend(hints.iter().filter(|h| always(h.1)));
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

fn popup_area(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn render_help(app: &App, frame: &mut Frame, scroll: u16) {
    let area = popup_area(frame.area(), 100, frame.area().height.saturating_sub(2));
    let mut lines = vec![
        Line::styled(
            "Keys — the same list drives the footer",
            app.theme.title(true),
        ),
        Line::default(),
    ];
    // Keys and place in two columns; the help text wraps in a third.
    let text_width = (area.width as usize).saturating_sub(2 + 28).max(10);
    for (keys, where_, help) in keymap::help_rows() {
        for (i, piece) in wrap(help, text_width).into_iter().enumerate() {
            let (k, w) = if i == 0 {
                (keys.as_str(), where_)
            } else {
                ("", "")
            };
            lines.push(Line::from(vec![
                Span::styled(fit(k, 19), app.theme.key()),
                Span::styled(fit(w, 9), app.theme.dim()),
                Span::raw(piece),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(
        "In an editor, plain keys are text. Editing: Ctrl-U undo · Ctrl-R redo · Shift+arrows select · Ctrl-X cut · Ctrl-C copy · Ctrl-Y paste · Home/End.",
    ));
    lines.push(Line::from(format!(
        "Config file: {}",
        app.config_path.display()
    )));
    if let Some(s) = &app.sandbox {
        lines.push(Line::from(format!(
            "Sandbox robot: {} (records to {})",
            s.webhook.display_url(),
            s.record_path.display()
        )));
    }
    lines.push(Line::styled(
        "Esc closes this help; ↑/↓ scroll.",
        app.theme.dim(),
    ));
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .block(block(app, " Help · ↑↓ scroll · Esc closes ", true));
    frame.render_widget(Clear, area);
    frame.render_widget(p, area);
}

fn render_attachment(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    use super::attach::AttachState;
    let b = block(app, field_title(app, FieldId::Path), focused).title_bottom(
        Line::from(" F9 JSON ")
            .right_aligned()
            .style(app.theme.dim()),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(a) = app.composition().and_then(|c| c.attachment.as_ref()) else {
        return;
    };
    let width = inner.width as usize;
    let label = Rect::new(inner.x, inner.y, 6.min(inner.width), 1);
    frame.render_widget(
        Paragraph::new(Span::styled("File ", app.theme.title(focused))),
        label,
    );
    let field = Rect::new(inner.x + 6, inner.y, inner.width.saturating_sub(6), 1);
    frame.render_widget(&a.path, field);
    let mut lines = vec![
        Line::styled(
            fit("Enter check · Tab complete · Enter on empty: browse", width),
            app.theme.dim(),
        ),
        Line::default(),
    ];
    let limits = match app.kind {
        MessageKind::Image => {
            "JPG or PNG, at most 2 MiB before base64; others are converted on request."
        }
        MessageKind::Voice => {
            "AMR, more than 5 bytes, at most 2 MiB and 60 s; uploaded when you send."
        }
        _ => "More than 5 bytes, at most 20 MiB; uploaded when you send, reused for 3 days.",
    };
    match &a.state {
        AttachState::Empty | AttachState::Edited => {
            lines.push(Line::styled(limits, app.theme.dim()))
        }
        AttachState::Pending | AttachState::Working(_) => {
            let text = match &a.state {
                AttachState::Working(w) => w.clone(),
                _ => "checking…".into(),
            };
            lines.push(Line::styled(text, app.theme.accent()));
        }
        AttachState::Image(ready) => {
            lines.push(Line::styled(
                format!("✓ {}", ready.description),
                app.theme.success(),
            ));
            lines.push(Line::styled(format!("md5 {}", ready.md5), app.theme.dim()));
        }
        AttachState::ImageOffer(offer) => {
            lines.push(Line::from(offer.description.clone()));
            for p in &offer.problems {
                lines.push(Line::styled(
                    format!("✗ {} {}", p.message, p.fix),
                    app.theme.error(),
                ));
            }
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::styled("Ctrl-K", app.theme.key()),
                Span::raw(" converts it to PNG (or JPEG if smaller), scaled down to fit 2 MiB."),
            ]));
        }
        AttachState::Upload(facts) => {
            let mut text = format!("{} bytes", group_digits(facts.size as usize));
            if let Some(secs) = facts.voice_seconds {
                text.push_str(&format!(", {secs:.1} s"));
            }
            let ok = facts.problems.is_empty();
            lines.push(Line::styled(
                format!("{} {text}", if ok { "✓" } else { "✗" }),
                if ok {
                    app.theme.success()
                } else {
                    app.theme.error()
                },
            ));
            lines.push(Line::styled(limits, app.theme.dim()));
        }
        AttachState::Failed(e) => lines.push(Line::styled(format!("✗ {e}"), app.theme.error())),
    }
    if let Some((sent, total, rate)) = app.upload {
        lines.push(Line::default());
        lines.push(progress_line(app, sent, total, rate, width));
        lines.push(Line::styled("Esc cancels the upload.", app.theme.dim()));
    }
    let rest = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}

/// `███████░░░░ 62% 12.4 / 20.0 MiB · 8.1 MiB/s`
fn progress_line(app: &App, sent: u64, total: u64, rate: f64, width: usize) -> Line<'static> {
    const MIB: f64 = 1024.0 * 1024.0;
    let pct = sent
        .saturating_mul(100)
        .checked_div(total)
        .map_or(100, |p| p.min(100)) as usize;
    let text = format!(
        " {pct:>3}% {:.1} / {:.1} MiB · {:.1} MiB/s",
        sent as f64 / MIB,
        total as f64 / MIB,
        rate / MIB
    );
    let bar_width = width.saturating_sub(text.chars().count()).clamp(4, 40);
    let filled = bar_width * pct / 100;
    Line::from(vec![
        Span::styled("█".repeat(filled), app.theme.accent()),
        Span::styled("░".repeat(bar_width - filled), app.theme.dim()),
        Span::raw(text),
    ])
}

fn render_browser(app: &App, frame: &mut Frame, b: &super::dialog::FileBrowser) {
    let area = popup_area(frame.area(), 80, frame.area().height.saturating_sub(4));
    let outer = block(app, format!(" {} ", b.dir.display()), true).title_bottom(
        Line::from(" Enter open/choose · ← parent · Esc close ").style(app.theme.key()),
    );
    let inner = outer.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(outer, area);
    let width = inner.width as usize;
    let height = inner.height as usize;
    let lines: Vec<Line> = match &b.entries {
        None => vec![Line::styled("Reading…", app.theme.dim())],
        Some(Err(e)) => vec![Line::styled(e.clone(), app.theme.error())],
        Some(Ok(entries)) if entries.is_empty() => vec![Line::styled("(empty)", app.theme.dim())],
        Some(Ok(entries)) => {
            let offset = (b.selected + 1).saturating_sub(height);
            entries
                .iter()
                .enumerate()
                .skip(offset)
                .take(height)
                .map(|(i, e)| {
                    let marker = if i == b.selected { "› " } else { "  " };
                    let size = if e.is_dir {
                        "dir".to_owned()
                    } else {
                        group_digits(e.size as usize)
                    };
                    let name = if e.is_dir {
                        format!("{}/", e.name)
                    } else {
                        e.name.clone()
                    };
                    let room = width.saturating_sub(size.len() + 3);
                    let text = format!("{marker}{} {size}", fit(&name, room));
                    let style = if i == b.selected {
                        app.theme.selected()
                    } else {
                        Style::default()
                    };
                    Line::styled(text, style)
                })
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_templates(app: &App, frame: &mut Frame, picker: &super::dialog::TemplatePicker) {
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
        lines.push(Line::styled("Enter save · Esc back", app.theme.key()));
    } else {
        if let Some(note) = &picker.note {
            lines.push(Line::styled(note.clone(), app.theme.warning()));
        }
        lines.push(Line::styled(
            "Enter load · s save the current message · d delete · Esc close",
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

fn render_confirm(app: &App, frame: &mut Frame, title: &str, message: &str, keys: &str) {
    let area = popup_area(frame.area(), 60, 7);
    let lines = vec![
        Line::from(message.to_owned()),
        Line::default(),
        Line::styled(keys.to_owned(), app.theme.key()),
    ];
    let p = Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(
        app,
        format!(" {title} "),
        true,
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(p, area);
}

fn render_robot_dialog(app: &App, frame: &mut Frame, dialog: &RobotDialog) {
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
        "Enter save · Tab switch field · Esc cancel",
        app.theme.key(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rows[2]);
}
