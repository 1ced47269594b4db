//! Image, file and voice: the path field, Tab completion, the file browser,
//! and handing a chosen file to the runtime to check.

use super::{App, Effect, FieldId, Status, move_focus};
use crate::tui::attach::{AttachState, Completion, expand};
use crate::tui::compose::DraftKey;
use crate::tui::keymap::Action;
use crate::tui::popup::{BrowserOutcome, FileBrowser, Popup};
use ratatui::crossterm::event::KeyEvent;

/// A chosen file not checked yet is handed to the runtime now.
pub(super) fn check_pending_attachment(app: &mut App, fx: &mut Vec<Effect>) {
    let key = app.key();
    let Some(comp) = app.composition_mut() else {
        return;
    };
    let Some(a) = comp.attachment.as_mut() else {
        return;
    };
    if a.state == AttachState::Pending {
        let path = a.path_text();
        a.state = AttachState::Working(
            crate::tr!("attach.checking", path = crate::untrusted::one_line(&path)).into_owned(),
        );
        comp.revision += 1;
        fx.push(Effect::CheckAttachment {
            key,
            path,
            convert: false,
        });
    }
}

/// Enter in the path field: checks the file, or browses from an empty field
/// or a directory.
pub(super) fn check_path(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(a) = app.composition_mut().and_then(|c| c.attachment.as_mut()) else {
        return;
    };
    let text = a.path_text();
    let path = expand(&text);
    if text.is_empty() || path.is_dir() {
        open_browser(app, if text.is_empty() { None } else { Some(path) }, fx);
    } else {
        a.state = AttachState::Pending;
    }
}

/// Tab in the path field: an edited path is completed, as in a shell; a
/// complete one moves on.
pub(super) fn complete_path(app: &mut App, fx: &mut Vec<Effect>) {
    match app.composition().and_then(|c| c.attachment.as_ref()) {
        Some(a) if a.state == AttachState::Edited => fx.push(Effect::CompletePath {
            key: app.key(),
            text: a.path_text(),
        }),
        _ => move_focus(app, 1),
    }
}

/// A key typed into the path field.
pub(super) fn path_input(app: &mut App, key: KeyEvent) {
    let Some(a) = app.composition_mut().and_then(|c| c.attachment.as_mut()) else {
        return;
    };
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
    app.popup = Some(Popup::Browser(FileBrowser::open(dir, app.theme)));
}

pub(super) fn on_path_completed(app: &mut App, key: DraftKey, from: &str, completion: Completion) {
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
        0 => Status::info(crate::tr!("attach.tab_again").into_owned()),
        n => Status::info(
            crate::tr!(
                "attach.matches",
                n = n,
                names = crate::untrusted::one_line(
                    &completion
                        .candidates
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("  ")
                )
            )
            .into_owned(),
        ),
    };
}

/// An action in the file browser: the browser does it; the app lists a
/// directory or takes the chosen file.
pub(super) fn on_browser_action(
    app: &mut App,
    mut b: FileBrowser,
    action: Option<Action>,
    fx: &mut Vec<Effect>,
) {
    match b.on_action(action) {
        BrowserOutcome::Closed => {}
        BrowserOutcome::Stay => app.popup = Some(Popup::Browser(b)),
        BrowserOutcome::List(dir) => {
            fx.push(Effect::ListDir(dir));
            app.popup = Some(Popup::Browser(b));
        }
        BrowserOutcome::Chosen(path) => {
            if let Some(comp) = app.composition_mut() {
                comp.replace(FieldId::Path, &path.display().to_string());
            }
            app.drafts_dirty = true;
        }
    }
}
