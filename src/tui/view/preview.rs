//! The preview pane: the rendered draft with its hints, card and news
//! mock-ups, or the exact JSON payload.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};

use super::block;
use crate::tui::app::{App, Focus, PreviewMode};
use crate::tui::compose::FieldId;
use crate::tui::keymap::{self, Action, Context};
use crate::tui::preview_pane::HintLayout;
use crate::wecom::MessageKind;
use crate::wecom::validate::group_digits;

pub(super) fn render_preview(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Preview;
    let footer = Line::from(format!(
        " {} content/JSON ",
        keymap::key_for(Action::TogglePreview, Context::Preview)
    ))
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
    let b = block(app, title, focused).title_bottom(footer);
    let inner = b.inner(area);
    let p = Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .scroll((app.preview_scroll, 0))
        .block(b);
    frame.render_widget(p, area);
    if app.preview == PreviewMode::Content {
        draw_pictures(app, frame, inner);
    }
}

/// Draws the mock-up's pictures over their placeholders, where the picture
/// service has them ready; a picture that cannot be shown gets its reason
/// written in its box. Nothing here waits: the service works in the
/// background and asks for a redraw.
fn draw_pictures(app: &App, frame: &mut Frame, inner: Rect) {
    use crate::picture::{Fit, PictureRef, Shown};
    use ratatui::layout::Size;
    let Some(pictures) = &app.services.pictures else {
        return;
    };
    if app.derived.parse_error.is_some() {
        return;
    }
    let Some(message) = &app.derived.message else {
        return;
    };
    let Some(m) = crate::tui::mockup::mockup_with_pictures(message, inner.width, &app.theme) else {
        return;
    };
    let scroll = usize::from(app.preview_scroll);
    let rows = usize::from(inner.height);
    for slot in &m.pictures {
        // Only a picture wholly in view is drawn (a graphics protocol cannot
        // draw part of one); the placeholder shows otherwise.
        if slot.row < scroll || slot.row + slot.height > scroll + rows {
            continue;
        }
        let (Ok(w), Ok(h)) = (u16::try_from(slot.width), u16::try_from(slot.height)) else {
            continue;
        };
        let Ok(x) = u16::try_from(slot.col) else {
            continue;
        };
        let Ok(y) = u16::try_from(slot.row - scroll) else {
            continue;
        };
        if x + w > inner.width {
            continue;
        }
        let rect = Rect::new(inner.x + x, inner.y + y, w, h);
        let fit = if slot.cover { Fit::Cover } else { Fit::Contain };
        match pictures.get(&PictureRef::Url(slot.url.clone()), Size::new(w, h), fit) {
            Shown::Ready(p) => crate::picture::draw(&p, rect, frame.buffer_mut()),
            Shown::Unavailable(why) if h >= 2 && w >= 12 => {
                let text = crate::untrusted::one_line(&why.0).into_owned();
                let line = Line::styled(format!(" {text} "), app.theme.warning());
                let mid = Rect::new(rect.x, rect.y + h / 2, w, 1);
                frame.render_widget(Paragraph::new(line).centered(), mid);
            }
            _ => {}
        }
    }
}

/// The draft as the group will see it, with the dialect's hints below.
pub(super) fn render_rendered(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    dialect: crate::preview::Dialect,
    focused: bool,
    footer: Line<'static>,
) {
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
    let layout = HintLayout::new(app, rendered, inner);
    let hints = layout.rows();
    let body_height = inner.height.saturating_sub(hints);
    // The renderer wraps: one line per row, so only the visible rows are drawn.
    let rule = (!layout.after_text.is_empty())
        .then(|| Line::styled("─".repeat(inner.width as usize), app.theme.dim()));
    let visible: Vec<Line> = rendered
        .text
        .lines
        .iter()
        .chain(rule.iter())
        .chain(layout.after_text.iter())
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
        lines.extend(layout.below);
        let rect = Rect::new(inner.x, inner.y + body_height, inner.width, hints);
        frame.render_widget(Paragraph::new(lines), rect);
    }
}

/// A plain preview of what the group will see (the faithful markdown
/// renderer is separate work).
pub(super) fn preview_text(app: &App, width: u16) -> Text<'static> {
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
                && let Some(t) = crate::tui::mockup::mockup(m, width, &app.theme) =>
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
