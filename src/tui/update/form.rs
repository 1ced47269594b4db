//! Keys in the form of news and cards: moving between rows, choices, groups.

use ratatui::crossterm::event::KeyEvent;

use super::{App, Focus, Status, Tone};
use crate::tui::compose::{FieldId, has_form};
use crate::tui::form::{ItemChange, ItemRefusal, ItemVerb, RowKind};
use crate::tui::keymap::{Action, Context, key_for};
use crate::tui::text;
use crate::wecom::schema::FieldKind;

/// ↑/↓ in the form: to the row above or below; in a multi-line field, the
/// cursor moves within the text until its first or last line.
pub(super) fn form_step(app: &mut App, step: isize, key: KeyEvent) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let multiline = comp
        .form
        .as_ref()
        .and_then(|f| f.current())
        .is_some_and(|row| row.kind == RowKind::Field && row.spec.kind == FieldKind::MultiLine);
    let inside = multiline
        && comp.form_editor.as_ref().is_some_and(|e| {
            let line = e.area.cursor().0;
            if step < 0 {
                line > 0
            } else {
                line + 1 < e.area.lines().len()
            }
        });
    if inside {
        if let Some(editor) = comp.form_editor.as_mut() {
            editor.area.input(key);
        }
    } else if let Some(form) = comp.form.as_mut() {
        form.step(step);
    }
    comp.sync_form_editor();
}

/// Enter, Space, ←/→ on a choice: its next or previous value.
pub(super) fn form_choice(app: &mut App, step: isize) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(row) = comp.form.as_ref().and_then(|f| f.current()) else {
        return;
    };
    if let Some(form) = comp.form.as_mut() {
        form.cycle_choice(&row, step);
    }
    comp.sync_form_editor();
    comp.revision += 1;
    app.drafts_dirty = true;
}

/// A key typed into the form's field under the cursor (choices, groups and
/// headings take no text).
pub(super) fn form_text_input(app: &mut App, key: KeyEvent) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let is_text = comp
        .form
        .as_ref()
        .and_then(|f| f.current())
        .is_some_and(|row| {
            row.kind == RowKind::Field && !matches!(row.spec.kind, FieldKind::Choice(_))
        });
    let changed = is_text
        && comp
            .form_editor
            .as_mut()
            .is_some_and(|editor| editor.area.input(key));
    if changed {
        comp.commit_form_editor();
        comp.revision += 1;
    }
    comp.sync_form_editor();
    app.drafts_dirty |= changed;
}

/// Add, remove or move a form item, saying what happened or why not.
pub(super) fn form_command(app: &mut App, action: Action) {
    let before = app.composition().map(|c| (app.key(), c.to_draft()));
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(form) = comp.form.as_mut() else {
        app.status = Status::info(crate::tr!("form.groups_in_forms").into_owned());
        return;
    };
    let result = match action {
        Action::AddItem => form.add_item(),
        Action::RemoveItem => form.remove_item(),
        Action::MoveItemUp => form.move_item(-1),
        _ => form.move_item(1),
    };
    if result.is_ok() {
        comp.revision += 1;
    }
    comp.sync_form_editor();
    app.drafts_dirty |= result.is_ok();
    let removed = action == Action::RemoveItem && result.is_ok();
    if removed && let Some((key, draft)) = before {
        app.undo = Some(crate::tui::app::DraftUndo { key, draft });
    }
    app.status = match result {
        Ok(change) if removed => Status::info(
            crate::tr!(
                "form.change_and_undo",
                change = item_change_said(change),
                undo = text::shown(text::CTRL_Z_UNDOES)
            )
            .into_owned(),
        ),
        Ok(change) => Status::info(item_change_said(change)),
        Err(refusal) => Status {
            tone: Tone::Warning,
            text: item_refusal_said(refusal),
            detail: None,
        },
    };
}

/// The status line's sentence for an item edit.
fn item_change_said(change: ItemChange) -> String {
    match change {
        ItemChange::Added { index, group } => {
            crate::tr!("form.added", n = index + 1, group = group.shown_label())
        }
        ItemChange::Removed { index, group } => {
            crate::tr!("form.removed", n = index + 1, group = group.shown_label())
        }
        ItemChange::Moved { to, group } => {
            crate::tr!("form.moved", n = to + 1, group = group.shown_label())
        }
    }
    .into_owned()
}

/// The status line's sentence for a refused item edit: why, and what to do.
fn item_refusal_said(refusal: ItemRefusal) -> String {
    match refusal {
        ItemRefusal::NoGroup => crate::tr!("form.no_group"),
        ItemRefusal::NotInItem(ItemVerb::Remove) => crate::tr!("form.not_in_item_remove"),
        ItemRefusal::NotInItem(ItemVerb::Move) => crate::tr!("form.not_in_item_move"),
        ItemRefusal::NotAGroup => crate::tr!("form.not_a_group"),
        ItemRefusal::Full { group, max } => {
            crate::tr!(
                "form.full",
                group = group.shown_label(),
                max = max,
                key = group.key
            )
        }
        ItemRefusal::AtMinimum { group, min } => {
            crate::tr!("form.at_minimum", group = group.shown_label(), min = min)
        }
        ItemRefusal::AtEnd { index, group } => {
            crate::tr!("form.at_end", n = index + 1, group = group.shown_label())
        }
    }
    .into_owned()
}

pub(super) fn toggle_json(app: &mut App) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let result = comp.toggle_json();
    let to_json = comp.json_mode;
    match result {
        Ok(()) => {
            // A file type's way back is its path field, not a form it lacks.
            let form = has_form(app.kind);
            let first = app.fields().first().copied().unwrap_or(FieldId::Raw);
            app.focus = Focus::Editor(first);
            app.drafts_dirty = true;
            let key = key_for(Action::ToggleJson, Context::Global);
            app.status = Status::info(match (to_json, form) {
                (true, true) => crate::tr!("status.json_back_to_form", key = key),
                (true, false) => crate::tr!("status.json_back_to_file", key = key),
                (false, true) => crate::tr!("status.back_to_form"),
                (false, false) => crate::tr!("status.back_to_file"),
            });
        }
        Err(e) => {
            app.status = Status::error(crate::tr!("form.staying_in_json", error = e).into_owned())
        }
    }
}
