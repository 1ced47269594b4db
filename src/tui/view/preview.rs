//! The preview pane: the rendered draft with its hints, card and news
//! mock-ups, or the exact JSON payload.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

use super::block;
use crate::tui::app::{App, Focus, PreviewMode};
use crate::tui::attach::AttachState;
use crate::tui::compose::FieldId;
use crate::tui::keymap::{self, Action, Context};
use crate::tui::preview_pane::HintLayout;
use crate::wecom::MessageKind;
use crate::wecom::validate::group_digits;

pub(super) fn render_preview(app: &App, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Focus::Preview;
    let footer = Line::from(format!(
        " {} {} ",
        keymap::key_for(Action::TogglePreview, Context::Preview),
        crate::tr!("title.content_json")
    ))
    .right_aligned()
    .style(app.theme.dim());
    if app.preview == PreviewMode::Content
        && let Some(dialect) = crate::preview::Dialect::of(app.kind)
    {
        render_rendered(app, frame, area, dialect, focused, footer);
        return;
    }
    if app.preview == PreviewMode::Content
        && let Some((path, description)) = image_message_file(app)
    {
        render_image(app, frame, area, focused, footer, &path, description);
        return;
    }
    let (title, body): (String, Text) = match app.preview {
        PreviewMode::Json => (
            crate::tr!(
                "title.json_payload",
                bytes = group_digits(app.derived.json_bytes)
            )
            .into_owned(),
            Text::from(app.derived.json.clone()),
        ),
        PreviewMode::Content => (
            crate::tr!("title.preview").into_owned(),
            preview_text(app, area.width.saturating_sub(2)),
        ),
    };
    let b = block(app, title, focused).title_bottom(footer);
    let inner = b.inner(area);
    let shown = crate::tui::wrap::visible(
        &body.lines,
        inner.width,
        app.preview_scroll.into(),
        inner.height.into(),
    );
    let p = Paragraph::new(Text::from(shown).style(body.style)).block(b);
    frame.render_widget(p, area);
    if app.preview == PreviewMode::Content {
        draw_pictures(app, frame, inner);
    }
}

/// The file of an image draft that is ready to send, and what is known of
/// it: what the image view draws. A draft edited as raw JSON, or a file not
/// (yet) a picture WeCom takes, keeps the text preview that says why.
fn image_message_file(app: &App) -> Option<(std::path::PathBuf, &str)> {
    let comp = app.composition()?;
    if app.kind != MessageKind::Image || comp.json_mode {
        return None;
    }
    let a = comp.attachment.as_ref()?;
    match &a.state {
        AttachState::Image(ready) => Some((
            crate::tui::attach::expand(&a.path_text()),
            ready.description.as_str(),
        )),
        _ => None,
    }
}

/// The largest box the image message's picture is drawn in, in cells: about
/// the share of a chat window the client gives a picture.
const IMAGE_BOX: (u16, u16) = (48, 16);

/// The image message as the group sees it: the picture alone, as large as
/// its box allows with its proportions kept, under a line naming the file.
/// While the picture is decoded (off the UI thread), or when it cannot be
/// shown, a box of the same size says so.
fn render_image(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    focused: bool,
    footer: Line<'static>,
    path: &std::path::Path,
    description: &str,
) {
    use crate::picture::{Fit, PictureRef, Shown};
    let b = block(app, crate::tr!("title.preview_image"), focused).title_bottom(footer);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let name = path
        .file_name()
        .map(|n| crate::untrusted::one_line(&n.to_string_lossy()).into_owned())
        .unwrap_or_default();
    let caption = Line::styled(format!("{name} · {description}"), app.theme.dim());
    let caption_rows = 2.min(inner.height);
    frame.render_widget(
        Paragraph::new(caption),
        Rect::new(inner.x, inner.y, inner.width, 1.min(inner.height)),
    );
    let w = inner.width.min(IMAGE_BOX.0);
    let h = inner.height.saturating_sub(caption_rows).min(IMAGE_BOX.1);
    if w == 0 || h == 0 {
        return;
    }
    let rect = Rect::new(inner.x, inner.y + caption_rows, w, h);
    let shown = match &app.services.pictures {
        Some(pictures) => pictures.get(
            &PictureRef::File(path.to_path_buf()),
            ratatui::layout::Size::new(w, h),
            Fit::Contain,
        ),
        None => Shown::Unavailable(crate::picture::Unavailable::NotHere),
    };
    let why = match shown {
        Shown::Ready(p) => return crate::picture::draw(&p, rect, frame.buffer_mut()),
        Shown::Loading => crate::tr!("preview.reading_picture").into_owned(),
        Shown::Unavailable(why) => {
            crate::tr!("preview.picture_not_shown", why = why.to_string()).into_owned()
        }
    };
    let fill: Vec<Line> = (0..h)
        .map(|_| Line::styled("░".repeat(usize::from(w)), app.theme.dim()))
        .collect();
    frame.render_widget(Paragraph::new(fill), rect);
    let mid = Rect::new(rect.x, rect.y + h / 2, w, 1);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {why} "), app.theme.warning())).centered(),
        mid,
    );
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
        // A link still being typed is not fetched (its placeholder stays).
        if !app.preview_state.links.may_fetch(&slot.url) {
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
                let text = why.to_string();
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
    // Scrolled by a u16: past that row the preview says where it stops.
    let cut = app
        .preview_state
        .shown
        .as_ref()
        .is_some_and(|(_, r)| r.text.lines.len() > crate::tui::tall::MAX_ROWS);
    let title = crate::tr!(
        "title.preview_of",
        dialect = dialect.name(),
        more = format!(
            "{}{}",
            if stale {
                crate::tr!("title.updating")
            } else {
                "".into()
            },
            if cut {
                crate::tr!("title.first_rows")
            } else {
                "".into()
            }
        )
    )
    .into_owned();
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
                Line::styled(crate::tr!("preview.not_ready"), app.theme.error()),
                Line::from(e.clone()),
            ]),
            None => Text::from(app.derived.json.clone()),
        },
    }
}
