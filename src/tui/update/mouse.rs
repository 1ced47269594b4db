//! Clicks and the wheel: focus, list selection, form rows, scrolling.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{App, Focus, select_kind};
use crate::tui::compose::FieldId;
use crate::tui::layout;
use crate::wecom::MessageKind;

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if app.popup.is_some() {
        return;
    }
    let areas = layout::layout(
        Rect::new(0, 0, app.size.0, app.size.1),
        app.kind,
        app.fields(),
    );
    let at = Position::new(mouse.column, mouse.row);
    let hit = |r: Rect| r.contains(at);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if hit(areas.robots) {
                app.focus = Focus::Robots;
                let row = mouse.row.saturating_sub(areas.robots.y + 1) as usize;
                if row < app.robots.len() {
                    app.robot_index = row;
                    app.ensure_composition();
                }
            } else if hit(areas.types) {
                app.focus = Focus::Types;
                let row = mouse.row.saturating_sub(areas.types.y + 1) as usize;
                if let Some(kind) = MessageKind::ALL.get(row) {
                    select_kind(app, *kind);
                }
            } else if hit(areas.preview) {
                app.focus = Focus::Preview;
            } else if let Some((id, rect)) = areas.fields.iter().find(|(_, r)| hit(*r)) {
                app.focus = Focus::Editor(*id);
                let clicked = match (id, app.composition().and_then(|c| c.form.as_ref())) {
                    (FieldId::Form, Some(form)) => {
                        layout::form_row_at(form, &app.derived.problems, *rect, mouse.row)
                    }
                    _ => None,
                };
                if let Some(row) = clicked
                    && let Some(comp) = app.composition_mut()
                    && let Some(form) = comp.form.as_mut()
                {
                    form.cursor = row;
                    comp.sync_form_editor();
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = mouse.kind == MouseEventKind::ScrollDown;
            if hit(areas.problems) {
                super::scroll_checks(app, down);
            } else if hit(areas.preview) {
                app.preview_state.follow = false;
                app.preview_scroll = if down {
                    app.preview_scroll.saturating_add(3)
                } else {
                    app.preview_scroll.saturating_sub(3)
                };
            } else if let Some((id, _)) = areas.fields.iter().find(|(_, r)| hit(*r)) {
                let id = *id;
                if let Some(comp) = app.composition_mut()
                    && let Some(form) = comp.form.as_mut().filter(|_| id == FieldId::Form)
                {
                    form.step(if down { 1 } else { -1 });
                    comp.sync_form_editor();
                } else if let Some(area) = app.composition_mut().and_then(|c| c.editor_mut(id)) {
                    area.input(mouse);
                }
            }
        }
        _ => {}
    }
}
