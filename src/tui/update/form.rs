//! Keys in the form of news and cards: moving between rows, choices, groups.

use super::*;

/// A key in the form that is not a command: moving between rows, changing a
/// choice, or typing into the field under the cursor.
pub(super) fn form_input(app: &mut App, key: KeyEvent) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(row) = comp.form.as_ref().and_then(|f| f.current()) else {
        return;
    };
    let is_choice = matches!(row.spec.kind, FieldKind::Choice(_));
    let is_text = row.kind == RowKind::Field && !is_choice;
    let multiline = row.spec.kind == FieldKind::MultiLine;
    // In a multi-line field, ↑/↓ move within the text until its first/last line.
    let inside = comp.form_editor.as_ref().is_some_and(|e| {
        let line = e.area.cursor().0;
        match key.code {
            KeyCode::Up => multiline && line > 0,
            KeyCode::Down => multiline && line + 1 < e.area.lines().len(),
            _ => false,
        }
    });
    let mut changed = false;
    let mut status = None;
    if let Some(form) = comp.form.as_mut() {
        match key.code {
            KeyCode::Up if !inside => {
                form.step(-1);
            }
            KeyCode::Down if !inside => {
                form.step(1);
            }
            KeyCode::Enter if is_text && !multiline => {
                form.step(1);
            }
            KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Right if is_choice => {
                form.cycle_choice(&row, 1);
                changed = true;
            }
            KeyCode::Left if is_choice => {
                form.cycle_choice(&row, -1);
                changed = true;
            }
            KeyCode::Enter if matches!(row.kind, RowKind::List { .. }) => {
                status = Some(form.add_item());
                changed = true;
            }
            _ if is_text => {
                if let Some(editor) = comp.form_editor.as_mut()
                    && editor.area.input(key)
                {
                    comp.commit_form_editor();
                    changed = true;
                }
            }
            _ => {}
        }
    }
    comp.sync_form_editor();
    if changed {
        comp.revision += 1;
        app.drafts_dirty = true;
    }
    if let Some(result) = status {
        app.status = match result {
            Ok(text) => Status::info(text),
            Err(text) => Status {
                tone: Tone::Warning,
                text,
                detail: None,
            },
        };
    }
}

/// Add, remove or move a form item, saying what happened or why not.
pub(super) fn form_command(app: &mut App, action: Action) {
    let before = app.composition().map(|c| (app.key(), c.to_draft()));
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(form) = comp.form.as_mut() else {
        app.status = Status::info("Groups are edited in the form of news and cards.");
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
        Ok(text) if removed => Status::info(format!("{text} {}", text::CTRL_Z_UNDOES)),
        Ok(text) => Status::info(text),
        Err(text) => Status {
            tone: Tone::Warning,
            text,
            detail: None,
        },
    };
}

pub(super) fn toggle_json(app: &mut App) {
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let result = comp.toggle_json();
    let to_json = comp.json_mode;
    match result {
        Ok(()) => {
            app.focus = Focus::Editor(if to_json { FieldId::Raw } else { FieldId::Form });
            app.drafts_dirty = true;
            app.status = Status::info(if to_json {
                "Editing the JSON payload; F9 goes back to the form."
            } else {
                "Back to the form."
            });
        }
        Err(e) => app.status = Status::error(format!("Staying in JSON: {e}")),
    }
}
