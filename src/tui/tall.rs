//! Drafts taller than the editor can draw (issue 18 item 5).
//!
//! Why this exists: ratatui-textarea keeps its scroll position in a `u16`,
//! so an editor cannot show a row past 65,535. A 70,000-line paste is kept
//! whole (the draft, the JSON and the send all have every line), but the
//! editor would silently show the wrong rows, hide the cursor and the
//! typing, and the preview (scrolled by a `u16` too) stops at the same
//! row. Rather than let that look like lost text, the composer says what
//! is happening once, when a draft becomes that tall, and what to do: edit
//! it in `$EDITOR`, or send it in parts from the command line.

use super::app::{App, Status};
use super::compose::FieldId;
use super::keymap::{self, Action, Context};

/// The most rows an editor or the preview can scroll to.
pub const MAX_ROWS: usize = u16::MAX as usize;

/// The rows of `lines` wrapped at `width` columns, counted at least (a
/// word wrap can only add rows), and no further than just past
/// [`MAX_ROWS`].
pub fn rows_at_least<S: AsRef<str>>(lines: &[S], width: usize) -> usize {
    let width = width.max(1);
    let mut rows = 0usize;
    for line in lines {
        let w = unicode_width::UnicodeWidthStr::width(line.as_ref());
        rows += w.div_ceil(width).max(1);
        if rows > MAX_ROWS {
            break;
        }
    }
    rows
}

/// The editors of the current draft that are taller than they can draw,
/// and how many lines each has.
fn too_tall(app: &App) -> Option<(FieldId, usize)> {
    let comp = app.composition()?;
    let areas = super::layout::layout(
        ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1),
        app.kind,
        app.fields(),
    );
    areas.fields.iter().find_map(|(id, rect)| {
        let lines = comp.editor(*id)?.lines();
        // Each row holds at most a row's width of text: a draft smaller
        // than the limit in bytes cannot be too tall (checked first so
        // typing in an ordinary draft costs nothing).
        let bytes: usize = lines.len() + lines.iter().map(String::len).sum::<usize>();
        let width = usize::from(rect.width.saturating_sub(2));
        (lines.len() > MAX_ROWS || (bytes > MAX_ROWS && rows_at_least(lines, width) > MAX_ROWS))
            .then_some((*id, lines.len()))
    })
}

/// What the status line says of a draft of `lines` lines.
pub fn warning(lines: usize) -> String {
    crate::tr!(
        "tall.warning",
        lines = crate::wecom::validate::group_digits(lines),
        rows = crate::wecom::validate::group_digits(MAX_ROWS),
        key = keymap::key_for(Action::ExternalEditor, Context::Editor),
    )
    .into_owned()
}

/// Says once, when the current draft becomes too tall to draw, what is
/// happening (see the module's notes); quiet again once it is not.
pub fn check(app: &mut App) {
    let key = app.key();
    let tall = too_tall(app);
    let warned = app.preview_state.too_tall.as_ref() == Some(&key);
    match tall {
        Some((_, lines)) if !warned => {
            app.preview_state.too_tall = Some(key);
            // One status line is too narrow for the way out: the Checks
            // pane shows the whole of it.
            let mut status = Status::error(
                crate::tr!(
                    "tall.status",
                    lines = crate::wecom::validate::group_digits(lines),
                    rows = crate::wecom::validate::group_digits(MAX_ROWS),
                )
                .into_owned(),
            );
            status.detail = Some(warning(lines));
            app.status = status;
        }
        None if warned => app.preview_state.too_tall = None,
        _ => {}
    }
}
