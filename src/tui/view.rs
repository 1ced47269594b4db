//! Rendering: a pure function of the state. The layout is a function too, so
//! mouse clicks are mapped with the same rectangles that were drawn.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::app::{App, Focus, PreviewMode, Tone};
use super::compose::FieldId;
use super::dialog::{DialogField, Popup, RobotDialog, RobotDialogMode, WebhookCheck};
use super::keymap;
use super::text;
use super::update::footer_context;
use crate::wecom::MessageKind;
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

/// Lays the screen out for a message type.
pub fn layout(area: Rect, kind: MessageKind) -> Areas {
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
    match FieldId::for_kind(kind) {
        [FieldId::Raw] => {
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
    let areas = layout(area, app.kind);
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
                (_, true) => "⚠ ",
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
    }
}

fn render_field(app: &App, frame: &mut Frame, id: FieldId, area: Rect) {
    let focused = app.focus == Focus::Editor(id);
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
    if let Some(comp) = app.composition() {
        frame.render_widget(comp.field(id), inner);
    }
}

fn render_preview(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Preview;
    let (title, body): (String, Text) = match app.preview {
        PreviewMode::Json => (
            format!(
                " JSON payload · {} B ",
                group_digits(app.derived.json_bytes)
            ),
            Text::from(app.derived.json.clone()),
        ),
        PreviewMode::Content => (" Preview ".to_owned(), preview_text(app)),
    };
    let p = Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .scroll((app.preview_scroll, 0))
        .block(
            block(app, title, focused).title_bottom(
                Line::from(" F3 content/JSON ")
                    .right_aligned()
                    .style(app.theme.dim()),
            ),
        );
    frame.render_widget(p, area);
}

/// A plain preview of what the group will see (the faithful markdown
/// renderer is separate work).
fn preview_text(app: &App) -> Text<'static> {
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
            Some(e) => Text::from(vec![
                Line::styled("The JSON is not a message yet:", app.theme.error()),
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

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (key, label)) in keymap::footer(footer_context(app)).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", app.theme.dim()));
        }
        spans.push(Span::styled(key, app.theme.key()));
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
    let area = popup_area(frame.area(), 96, 30);
    let mut lines = vec![
        Line::styled(
            "Keys — the same list drives the footer",
            app.theme.title(true),
        ),
        Line::default(),
    ];
    for (keys, where_, help) in keymap::help_rows() {
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:<18}"), app.theme.key()),
            Span::styled(format!("{where_:<9}"), app.theme.dim()),
            Span::raw(help),
        ]));
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
        .block(block(app, " Help ", true));
    frame.render_widget(Clear, area);
    frame.render_widget(p, area);
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

/// Cuts `s` to `width` display columns (CJK counts two), ending in `…`
/// when cut.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `width` display columns.
pub fn fit(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    t.extend(std::iter::repeat_n(' ', pad));
    t
}
