//! Where everything goes on the screen: the panes' rectangles, the smallest
//! terminal, pop-up boxes and the rows of the form. Drawing and mouse
//! hit-testing both read these, so a click lands where the thing was drawn;
//! nothing here draws or changes state.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use super::compose::{FieldId, has_form};
use super::form::{Form, path_string};
use crate::wecom::MessageKind;
use crate::wecom::validate::Problem;

/// The smallest terminal the layout is made for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    pub robots: Rect,
    pub types: Rect,
    /// The editor fields of the current type, each with its frame.
    pub fields: Vec<(FieldId, Rect)>,
    /// What the type needs, inside the bottom of a raw JSON editor's box
    /// (where a form keeps its help), so it reads as the box's own text.
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
            areas.hint = raw_hint_area(editor, &super::text::raw_hint(kind));
            areas.fields.push((FieldId::Raw, editor));
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

/// The rows at the bottom of a raw editor's box `frame` that its hint
/// wraps into, at most half the box so the JSON keeps the most room.
fn raw_hint_area(frame: Rect, hint: &str) -> Option<Rect> {
    let inner = Block::bordered().inner(frame);
    if hint.is_empty() || inner.height < 4 {
        return None;
    }
    let rows = super::wrap::plain(hint, inner.width as usize).len() as u16;
    let rows = rows.min(inner.height / 2);
    Some(Rect::new(inner.x, inner.bottom() - rows, inner.width, rows))
}

/// The part of a raw editor's inner area left for the text: above its
/// hint and the blank row that parts them.
pub fn above_hint(inner: Rect, hint: Option<Rect>) -> Rect {
    match hint {
        Some(h) if h.y > inner.y => Rect {
            height: (h.y - inner.y).saturating_sub(1).max(1),
            ..inner
        },
        _ => inner,
    }
}

pub fn popup_area(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Where the help pop-up goes on a screen of `size`.
pub fn help_area(size: Rect) -> Rect {
    popup_area(size, 116, size.height.saturating_sub(2))
}

/// A line of the drawn form: a row, or a problem under it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FormLine {
    Row(usize),
    Problem(usize, usize),
}

/// Width of the label column of a form `width` columns wide: room for the
/// longest labels on wide screens, a third of the form on narrow ones.
pub fn form_label(width: usize) -> usize {
    (width * 2 / 5).clamp(12, 22)
}

/// The lines of a form and the first one shown, so the cursor's row stays in
/// view; shared by drawing and mouse clicks.
pub fn form_lines(form: &Form, problems: &[Problem], height: usize) -> (Vec<FormLine>, usize) {
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
