//! The rendered preview of text and markdown drafts: kept in step with the
//! draft, rendered in the background when the draft is large, and scrolled to
//! follow the editor's cursor unless the user scrolls it.

use ratatui::layout::Rect;

use super::app::App;
use super::compose::FieldId;
use super::keymap::{self, Action, Context};
use super::layout;
use super::msg::Effect;
use super::preview_state::{PreviewKey, RenderJob, SYNC_LIMIT_BYTES};
use crate::preview::{self, Dialect, Rendered};

/// Hint rows always allowed under the preview; a taller pane gives the
/// hints up to half its height, and what still does not fit follows the
/// preview's text, where scrolling reaches it.
pub const MAX_HINT_ROWS: usize = 4;

/// The preview pane's inner area on the current screen.
pub fn inner_area(app: &App) -> Rect {
    let areas = layout::layout(
        Rect::new(0, 0, app.size.0, app.size.1),
        app.kind,
        app.fields(),
    );
    ratatui::widgets::Block::bordered().inner(areas.preview)
}

/// The hints of a rendering laid out in a preview of `inner` size: wrapped
/// (never cut), those under the text, and those that follow the text.
pub struct HintLayout {
    pub below: Vec<ratatui::text::Line<'static>>,
    pub after_text: Vec<ratatui::text::Line<'static>>,
}

impl HintLayout {
    pub fn new(app: &App, rendered: &Rendered, inner: Rect) -> HintLayout {
        let width = usize::from(inner.width.max(1));
        let mut rows = Vec::new();
        let key = keymap::key_for(Action::QuickFix, Context::Editor);
        let lines = preview::hint_lines(&rendered.hints, app.theme.color);
        for (hint, line) in rendered.hints.iter().zip(lines) {
            let style = line.spans.first().map(|s| s.style).unwrap_or_default();
            let mut text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            if let Some(fix) = super::quickfix::label(app, hint, &key) {
                text.push_str(&fix);
            }
            for piece in super::wrap::hanging(&text, width, "  ") {
                rows.push(ratatui::text::Line::styled(piece, style));
            }
        }
        let room = MAX_HINT_ROWS.max(usize::from(inner.height / 2));
        if rows.len() <= room {
            return HintLayout {
                below: rows,
                after_text: Vec::new(),
            };
        }
        let after_text = rows.split_off(room.saturating_sub(1));
        rows.push(ratatui::text::Line::raw(format!(
            "+{} more rows of hints after the text: scroll the preview (Tab to it, PgDn).",
            after_text.len()
        )));
        HintLayout {
            below: rows,
            after_text,
        }
    }

    /// Rows under the preview taken by hints, with their rule.
    pub fn rows(&self) -> u16 {
        match self.below.len() {
            0 => 0,
            n => u16::try_from(n + 1).unwrap_or(u16::MAX),
        }
    }
}

/// How far the preview can scroll: until the last row (of the text, then of
/// the hints that follow it) is at the bottom, never into a blank pane.
pub fn max_scroll(app: &App) -> u16 {
    let Some((key, rendered)) = &app.preview_state.shown else {
        return u16::MAX; // the JSON and card views clamp as they draw
    };
    if Dialect::of(app.kind).is_none() || key.kind != app.kind {
        return u16::MAX;
    }
    let inner = inner_area(app);
    let hints = HintLayout::new(app, rendered, inner);
    let after = match hints.after_text.len() {
        0 => 0,
        n => n + 1,
    };
    let total = rendered.text.lines.len() + after;
    let body = usize::from(inner.height.saturating_sub(hints.rows()));
    u16::try_from(total.saturating_sub(body)).unwrap_or(u16::MAX)
}

/// What the current draft's rendering would be made from (cheap: no text is
/// copied).
fn current_key(app: &App) -> Option<PreviewKey> {
    Dialect::of(app.kind)?;
    let comp = app.composition()?;
    Some(PreviewKey {
        robot: app.robot_name(),
        kind: app.kind,
        revision: comp.revision,
        width: inner_area(app).width,
        color: app.theme.color,
    })
}

/// The size of the draft's content in bytes, without copying it.
fn content_len(app: &App) -> usize {
    app.composition()
        .map(|c| {
            c.content
                .lines()
                .iter()
                .map(|l| l.len() + 1)
                .sum::<usize>()
                .saturating_sub(1)
        })
        .unwrap_or(0)
}

fn job(app: &App, key: PreviewKey) -> Option<RenderJob> {
    let dialect = Dialect::of(app.kind)?;
    let comp = app.composition()?;
    let (mentioned_list, mentioned_mobile_list) = match &app.derived.message {
        Some(crate::wecom::Message::Text(t)) => (
            t.mentioned_list.clone().unwrap_or_default(),
            t.mentioned_mobile_list.clone().unwrap_or_default(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Some(RenderJob {
        key,
        source: comp.text(FieldId::Content),
        dialect,
        mentioned_list,
        mentioned_mobile_list,
    })
}

/// Brings the rendering up to date (now, or by asking the runtime) and
/// scrolls it to the cursor.
pub fn sync(app: &mut App, fx: &mut Vec<Effect>) {
    sync_links(app, fx);
    super::tall::check(app);
    let Some(key) = current_key(app) else { return };
    let current = app
        .preview_state
        .shown
        .as_ref()
        .is_some_and(|(k, _)| *k == key);
    if !current {
        if content_len(app) <= SYNC_LIMIT_BYTES {
            if let Some(job) = job(app, key) {
                let rendered = job.run();
                app.preview_state.shown = Some((job.key, rendered));
            }
        } else if app.preview_state.pending.is_none()
            && let Some(job) = job(app, key)
        {
            // One rendering at a time: the next starts when this one lands,
            // from the text as it is then.
            app.preview_state.pending = Some(job.key.clone());
            fx.push(Effect::RenderPreview(Box::new(job)));
        }
    }
    follow_cursor(app);
}

/// Decides which picture links of the draft may be fetched now (see
/// [`PictureLinks`](super::preview_state::PictureLinks)): those not in the
/// text being edited at once, the one being typed once it is left or the
/// draft stays unchanged for [`LINK_QUIET`](super::preview_state::LINK_QUIET)
/// (the runtime sends `Msg::LinksQuiet` then).
fn sync_links(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(message) = &app.derived.message else {
        return;
    };
    let urls = super::mockup::picture_links(message, &app.theme);
    // The text the keyboard is changing: the form field under the cursor, or
    // the raw JSON.
    let editing = match app.focus {
        super::app::Focus::Editor(id @ (FieldId::Form | FieldId::Raw)) => app
            .composition()
            .and_then(|c| c.editor(id))
            .map(|area| area.lines().join("\n")),
        _ => None,
    };
    let links = &mut app.preview_state.links;
    if links.seen != app.derived.source {
        links.seen = app.derived.source.clone();
        links.generation += 1;
        links.timer = false;
    }
    let mut waiting = false;
    for url in &urls {
        if links.may_fetch(url) {
            continue;
        }
        if editing
            .as_deref()
            .is_some_and(|text| text.contains(url.as_str()))
        {
            waiting = true;
        } else {
            links.settle(url);
        }
    }
    if waiting && !links.timer {
        links.timer = true;
        fx.push(Effect::LinksQuiet(links.generation));
    }
}

/// The quiet period that began at `generation` is over: if nothing changed
/// since, the links being typed are taken as finished.
pub fn links_quiet(app: &mut App, generation: u64) {
    let links = &mut app.preview_state.links;
    if generation != links.generation {
        return;
    }
    links.timer = false;
    if let Some(message) = &app.derived.message {
        for url in super::mockup::picture_links(message, &app.theme) {
            app.preview_state.links.settle(&url);
        }
    }
}

/// A background rendering arrived: keep it (even if the draft moved on, it
/// is closer than what is shown) and ask for the next if needed.
pub fn arrived(app: &mut App, key: PreviewKey, rendered: Rendered, fx: &mut Vec<Effect>) {
    if app.preview_state.pending.as_ref() == Some(&key) {
        app.preview_state.pending = None;
    }
    app.preview_state.shown = Some((key, rendered));
    sync(app, fx);
}

fn follow_cursor(app: &mut App) {
    if !app.preview_state.follow {
        return;
    }
    let Some((_, rendered)) = &app.preview_state.shown else {
        return;
    };
    let Some(comp) = app.composition() else {
        return;
    };
    let cursor_line = comp.content.cursor().0 + 1;
    let inner = inner_area(app);
    let hints = HintLayout::new(app, rendered, inner);
    let height = inner.height.saturating_sub(hints.rows());
    app.preview_scroll = rendered.follow(cursor_line, app.preview_scroll, height);
}
