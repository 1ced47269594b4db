//! Image, file and voice: the path field, Tab completion, the file browser,
//! and handing a chosen file to the runtime to check.

use super::*;

/// A chosen file not checked yet is handed to the runtime now.
pub(super) fn check_pending_attachment(app: &mut App, fx: &mut Vec<Effect>) {
    let key = (app.robot_name(), app.kind);
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(a) = comp.attachment.as_mut() else {
        return;
    };
    if a.state == AttachState::Pending {
        let path = a.path_text();
        a.state = AttachState::Working(format!("checking {path}…"));
        comp.revision += 1;
        fx.push(Effect::CheckAttachment {
            key,
            path,
            convert: false,
        });
    }
}

/// A key in the path field: Enter checks the file (or browses from an empty
/// field or a directory); other keys edit the path.
pub(super) fn path_input(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(a) = app.composition_mut().and_then(|c| c.attachment.as_mut()) else {
        return;
    };
    if key.code == KeyCode::Enter {
        let text = a.path_text();
        let path = crate::tui::attach::expand(&text);
        if text.is_empty() || path.is_dir() {
            open_browser(app, if text.is_empty() { None } else { Some(path) }, fx);
        } else {
            a.state = AttachState::Pending;
        }
        return;
    }
    if a.path.input(key) {
        a.state = if a.path_text().is_empty() {
            AttachState::Empty
        } else {
            AttachState::Edited
        };
        if let Some(comp) = app.composition_mut() {
            comp.revision += 1;
        }
        app.drafts_dirty = true;
    }
}

/// Opens the file browser at `dir`, or where the path points, or home.
pub(super) fn open_browser(app: &mut App, dir: Option<std::path::PathBuf>, fx: &mut Vec<Effect>) {
    let dir = dir
        .or_else(|| std::env::var_os("HOME").map(std::path::PathBuf::from))
        .unwrap_or_else(|| std::path::PathBuf::from("/"));
    fx.push(Effect::ListDir(dir.clone()));
    app.popup = Some(Popup::Browser(FileBrowser {
        dir,
        entries: None,
        selected: 0,
    }));
}

pub(super) fn on_path_completed(
    app: &mut App,
    key: (String, MessageKind),
    from: &str,
    completion: crate::tui::attach::Completion,
) {
    let Some(comp) = app.compositions.get_mut(&key) else {
        return;
    };
    let Some(a) = comp.attachment.as_mut() else {
        return;
    };
    if a.path_text() != from.trim() {
        return; // typed on since
    }
    if completion.text != from {
        a.path.select_all();
        a.path.cut();
        a.path.insert_str(&completion.text);
        comp.revision += 1;
        app.drafts_dirty = true;
    }
    let a_state_pending = !completion.text.ends_with('/') && completion.candidates.is_empty();
    if let Some(a) = comp.attachment.as_mut() {
        a.state = if a_state_pending {
            AttachState::Pending
        } else {
            AttachState::Edited
        };
    }
    app.status = match completion.candidates.len() {
        0 => Status::info("Tab again moves on; Enter checks the file."),
        n => Status::info(format!(
            "{n} matches: {}",
            completion
                .candidates
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join("  ")
        )),
    };
}

pub(super) fn on_browser_key(
    app: &mut App,
    mut b: FileBrowser,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    let entries: &[crate::tui::attach::DirEntry] = match &b.entries {
        Some(Ok(e)) => e,
        _ => &[],
    };
    match key.code {
        KeyCode::Esc => return,
        KeyCode::Up => b.selected = b.selected.saturating_sub(1),
        KeyCode::Down => b.selected = (b.selected + 1).min(entries.len().saturating_sub(1)),
        KeyCode::PageUp => b.selected = b.selected.saturating_sub(10),
        KeyCode::PageDown => b.selected = (b.selected + 10).min(entries.len().saturating_sub(1)),
        KeyCode::Backspace | KeyCode::Left => {
            if let Some(parent) = b.dir.parent() {
                b.dir = parent.to_path_buf();
                b.entries = None;
                fx.push(Effect::ListDir(b.dir.clone()));
            }
        }
        KeyCode::Enter | KeyCode::Right => {
            if let Some(entry) = entries.get(b.selected).cloned() {
                let path = b.dir.join(&entry.name);
                if entry.is_dir {
                    b.dir = path;
                    b.entries = None;
                    fx.push(Effect::ListDir(b.dir.clone()));
                } else {
                    if let Some(comp) = app.composition_mut() {
                        comp.replace(FieldId::Path, &path.display().to_string());
                    }
                    app.drafts_dirty = true;
                    return;
                }
            }
        }
        _ => {}
    }
    app.popup = Some(Popup::Browser(b));
}
