//! Rendering: a pure function of the state. The layout is a function too, so
//! mouse clicks are mapped with the same rectangles that were drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Focus, Tone};
use super::checks;
use super::compose::FieldId;
use super::help;
use super::keymap;
use super::layout::{MIN_HEIGHT, MIN_WIDTH, above_hint, layout};
use super::popup::Popup;
use super::text;
use super::width::fit;
use crate::untrusted::one_line;
use crate::wecom::MessageKind;
use crate::wecom::validate::group_digits;

mod attachment;
mod form;
mod popups;
mod preview;

use attachment::render_attachment;
use form::render_form;
use popups::{render_confirm, render_robot_dialog, render_templates, render_too_small};
use preview::render_preview;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

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
    for (id, rect) in &areas.fields {
        render_field(app, frame, *id, *rect, areas.hint);
    }
    render_preview(app, frame, areas.preview);
    checks::render(app, frame, areas.problems);
    render_status(app, frame, areas.status);
    render_footer(app, frame, areas.footer);
    match &app.popup {
        Some(Popup::Help { scroll }) => help::render(app, frame, *scroll),
        Some(Popup::Templates(picker)) => render_templates(app, frame, picker),
        Some(Popup::Browser(browser)) => frame.render_widget(browser, frame.area()),
        Some(Popup::Later(later)) => frame.render_widget(later, frame.area()),
        Some(Popup::Split(offer)) => frame.render_widget(offer, frame.area()),
        Some(Popup::Memory(screen)) => {
            // Over the whole screen but the status line (what a cancel or a
            // copy did) and the footer (the screen's keys).
            let full = frame.area();
            let rect = Rect::new(
                full.x,
                full.y,
                full.width,
                areas.status.y.saturating_sub(full.y),
            );
            frame.render_widget(ratatui::widgets::Clear, rect);
            frame.render_widget(
                crate::tui::memory::MemoryView {
                    screen,
                    theme: &app.theme,
                    now_ms: i64::try_from(app.clock.now_ms()).unwrap_or(i64::MAX),
                },
                rect,
            );
        }
        Some(Popup::Results(view)) => {
            if let Some(broadcast) = &app.broadcast {
                frame.render_widget(
                    crate::tui::popup::results::ResultsWidget {
                        view,
                        broadcast,
                        theme: &app.theme,
                        now_ms: app.clock.now_ms(),
                    },
                    frame.area(),
                );
            }
        }
        Some(Popup::QuitWithOutbox { left }) => render_confirm(
            app,
            frame,
            &crate::tr!("confirm.quit_title"),
            &crate::tr!("confirm.quit_outbox", left = left),
        ),
        Some(Popup::Robot(dialog)) => render_robot_dialog(app, frame, dialog),
        Some(Popup::ConfirmDelete { name }) => render_confirm(
            app,
            frame,
            &crate::tr!("confirm.delete_robot_title"),
            &crate::tr!("confirm.delete_robot", name = name),
        ),
        Some(Popup::ConfirmDeleteTemplate { name }) => render_confirm(
            app,
            frame,
            &crate::tr!("confirm.delete_template_title"),
            &crate::tr!("confirm.delete_template", name = name),
        ),
        Some(Popup::ConfirmQuit { reason }) => {
            render_confirm(app, frame, &crate::tr!("confirm.quit_title"), reason)
        }
        None => {}
    }
}

fn block<'a>(app: &App, title: impl Into<Line<'a>>, focused: bool) -> Block<'a> {
    app.theme.block(title, focused)
}

/// The robot list: the robots (marked ones ticked, the quota used in the
/// shared rate ledger at the right), then the config's groups with their
/// member counts (a full robot says when its next slot opens instead);
/// while the list has the keyboard, its bottom border gives the selected
/// robot's masked key and where it sends.
fn render_robots(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Robots;
    let width = area.width.saturating_sub(2) as usize;
    let now = app.clock.now_ms();
    let marking = !app.marked.is_empty();
    let mut lines: Vec<Line> = app
        .robots
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let selected = i == app.robot_index && app.group_cursor.is_none();
            let marker = match (selected, r.webhook.is_err()) {
                (_, true) => "! ",
                (true, false) => "› ",
                (false, false) => "  ",
            };
            let mark = match (marking, app.marked.contains(&r.name)) {
                (false, _) => "",
                (true, true) => "✓ ",
                (true, false) => "· ",
            };
            let suffix = if r.is_sandbox {
                crate::tr!("robots.local")
            } else {
                "".into()
            };
            let quota = app
                .quotas
                .get(&r.name)
                .filter(|q| q.used > 0)
                .map(|q| match q.next_in(now) {
                    Some(wait) => crate::tr!(
                        "robots.next_slot",
                        s = wait.as_millis().div_ceil(1000).max(1)
                    )
                    .into_owned(),
                    None => format!(" {}/{}", q.used, q.limit),
                })
                .unwrap_or_default();
            let name = fit(
                &format!("{marker}{mark}{}{suffix}", r.name),
                width.saturating_sub(quota.width()),
            );
            let style = if selected {
                app.theme.selected()
            } else if app.marked.contains(&r.name) {
                app.theme.accent()
            } else if r.is_sandbox {
                app.theme.dim()
            } else {
                Style::default()
            };
            let full = app
                .quotas
                .get(&r.name)
                .is_some_and(|q| q.next_in(now).is_some());
            let quota_style = if full {
                app.theme.warning()
            } else {
                app.theme.dim()
            };
            Line::from(vec![
                Span::styled(name, style),
                Span::styled(quota, quota_style),
            ])
        })
        .collect();
    for (g, group) in app.config.groups.iter().enumerate() {
        let marker = if app.group_cursor == Some(g) {
            "› "
        } else {
            "  "
        };
        let text = fit(
            &format!("{marker}◆ {} ({})", group.name, group.robots.len()),
            width,
        );
        let style = if app.group_cursor == Some(g) {
            app.theme.selected()
        } else {
            app.theme.dim()
        };
        lines.push(Line::styled(text, style));
    }
    let marked = app.marked_robots().len();
    let title = if marked > 0 {
        crate::tr!("title.robots_marked", marked = marked).into_owned()
    } else {
        crate::tr!("title.robots").into_owned()
    };
    let mut b = block(app, title, focused);
    if focused
        && app.group_cursor.is_none()
        && let Some(Ok(webhook)) = app.robot().map(|r| r.webhook.as_ref())
    {
        // The masked key first: in a narrow list it is what tells two
        // robots on one host apart.
        let text = format!(
            " {} {} ",
            one_line(&webhook.key().to_string()),
            one_line(&webhook.host())
        );
        b = b.title_bottom(Line::styled(fit(&text, width), app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines).block(b), area);
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
            Line::styled(fit(&format!("{marker}{}", k.shown()), width), style)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block(app, crate::tr!("title.types"), focused)),
        area,
    );
}

/// Where the draft goes: the selected robot, or with robots marked the
/// marked ones, shortened to fit a title ("ops, qa, +3").
fn targets(app: &App) -> String {
    let marked = app.marked_robots();
    if marked.is_empty() {
        return app.robot_name();
    }
    const ROOM: usize = 30;
    let mut text = String::new();
    for (i, r) in marked.iter().enumerate() {
        let part = if i == 0 {
            r.name.clone()
        } else {
            format!(", {}", r.name)
        };
        let more = format!(", +{}", marked.len() - i);
        if text.width() + part.width() > ROOM
            || (i + 1 < marked.len() && text.width() + part.width() + more.width() > ROOM)
        {
            if i == 0 {
                return crate::tr!("title.n_robots", n = marked.len()).into_owned();
            }
            text.push_str(&more);
            return text;
        }
        text.push_str(&part);
    }
    text
}

fn field_title(app: &App, id: FieldId) -> String {
    let to = targets(app);
    match id {
        FieldId::Content => {
            crate::tr!("title.content", kind = app.kind.shown(), to = to).into_owned()
        }
        FieldId::Mentions => crate::tr!("title.mentions").into_owned(),
        FieldId::Mobiles => crate::tr!("title.mobiles").into_owned(),
        FieldId::Raw => crate::tr!("title.raw", kind = app.kind.shown(), to = to).into_owned(),
        FieldId::Form => crate::tr!("title.form", kind = app.kind.shown(), to = to).into_owned(),
        FieldId::Path => crate::tr!("title.content", kind = app.kind.shown(), to = to).into_owned(),
    }
}

/// Draws one field's box; a raw JSON editor's `hint` goes inside the box,
/// below the text.
fn render_field(app: &App, frame: &mut Frame, id: FieldId, area: Rect, hint: Option<Rect>) {
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
    let mut inner = b.inner(area);
    frame.render_widget(b, area);
    if let (FieldId::Raw, Some(hint)) = (id, hint) {
        let lines: Vec<Line> =
            crate::tui::wrap::plain(&text::raw_hint(app.kind), hint.width as usize)
                .into_iter()
                .map(Line::from)
                .collect();
        frame.render_widget(Paragraph::new(lines).style(app.theme.dim()), hint);
        inner = above_hint(inner, Some(hint));
    }
    if let Some(area) = app.composition().and_then(|c| c.editor(id)) {
        frame.render_widget(area, inner);
    }
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let style = match app.status.tone {
        Tone::Info => Style::default(),
        Tone::Success => app.theme.success(),
        Tone::Warning => app.theme.warning(),
        Tone::Error => app.theme.error(),
    };
    let mut spans = Vec::new();
    if app.busy() {
        spans.push(Span::styled(
            format!("{} ", SPINNER[app.spinner % SPINNER.len()]),
            app.theme.accent(),
        ));
    }
    spans.push(Span::styled(app.status.text.clone(), style));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The key hints for where the user is, from the key map: pinned ones
/// (send, help, quit) always show; others are dropped whole, from the last,
/// when the line is full (measured in display columns); an action that
/// cannot be done now is greyed.
fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let hints = keymap::footer(app.key_context(), |a| app.available(a));
    let width = |h: &keymap::Hint| h.key.width() + 1 + h.label.width() + 3;
    let mut room =
        (area.width as usize).saturating_sub(hints.iter().filter(|h| h.pinned).map(width).sum());
    let mut shown: Vec<&keymap::Hint> = Vec::new();
    let mut full = false;
    for hint in &hints {
        if hint.pinned {
            shown.push(hint);
        } else if !full && width(hint) <= room {
            room -= width(hint);
            shown.push(hint);
        } else {
            full = true;
        }
    }
    let mut spans = Vec::new();
    for (i, hint) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", app.theme.dim()));
        }
        let (key_style, label_style) = if hint.available {
            (app.theme.key(), Style::default())
        } else {
            (app.theme.dim(), app.theme.dim())
        };
        spans.push(Span::styled(hint.key.clone(), key_style));
        spans.push(Span::styled(format!(" {}", hint.label), label_style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
