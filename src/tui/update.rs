//! `update`: the one place the app's state changes. It never awaits and never
//! does I/O; work outside the state is returned as [`Effect`]s.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use super::app::{App, Focus, InFlight, PreviewMode, Status, Tone};
use super::attach::AttachState;
use super::compose::FieldId;
use super::dialog::{FileBrowser, Popup, RobotDialog, TemplatePicker};
use super::form::RowKind;
use super::keymap::{self, Action, Context};
use super::msg::{Effect, Msg, Payload, SendOutcome};
use super::text;
use super::view;
use crate::wecom::MessageKind;
use crate::wecom::schema::FieldKind;

/// Applies one message to the state and returns the work it asks for.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut fx),
        Msg::Key(_) => {}
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Mouse(mouse) => on_mouse(app, mouse),
        Msg::Resized { width, height } => app.size = (width, height),
        Msg::Tick => app.spinner = app.spinner.wrapping_add(1),
        Msg::SendFinished { id, outcome, at } => on_send_finished(app, id, outcome, &at, &mut fx),
        Msg::EditorClosed(result) => on_editor_closed(app, result),
        Msg::DraftsSaved(result) => on_drafts_saved(app, result, &mut fx),
        Msg::ConfigSaved(Ok(())) => {}
        Msg::ConfigSaved(Err(e)) => {
            app.status = Status::error(format!("The robots could not be saved: {e}"))
        }
        Msg::AttachmentChecked { key, path, state } => {
            if let Some(comp) = app.compositions.get_mut(&key)
                && let Some(a) = comp.attachment.as_mut()
                && a.path_text() == path
            {
                a.state = state;
                comp.revision += 1;
            }
        }
        Msg::PathCompleted {
            key,
            from,
            completion,
        } => on_path_completed(app, key, &from, completion),
        Msg::DirListed { dir, entries } => {
            if let Some(Popup::Browser(b)) = &mut app.popup
                && b.dir == dir
            {
                b.entries = Some(entries);
                b.selected = 0;
            }
        }
        Msg::UploadProgress {
            id,
            sent,
            total,
            rate,
        } => {
            if app.sending.as_ref().is_some_and(|s| s.id == id) {
                app.upload = Some((sent, total, rate));
            }
        }
        Msg::PreviewRendered(key, rendered) => {
            app.refresh();
            super::preview_pane::arrived(app, key, rendered, &mut fx);
        }
        Msg::TemplatesListed(templates, unreadable) => {
            if let Some(Popup::Templates(picker)) = &mut app.popup {
                picker.selected = picker.selected.min(templates.len().saturating_sub(1));
                picker.templates = Some(templates);
                if !unreadable.is_empty() {
                    picker.note = Some(format!(
                        "Skipped unreadable templates: {}",
                        unreadable.join("; ")
                    ));
                }
            }
        }
        Msg::TemplateStored(result) => {
            let text = match &result {
                Ok(t) | Err(t) => t.clone(),
            };
            if let Some(Popup::Templates(picker)) = &mut app.popup {
                picker.note = Some(text);
                fx.push(Effect::ListTemplates);
            } else {
                app.status = match result {
                    Ok(t) => Status::info(t),
                    Err(t) => Status::error(t),
                };
            }
        }
        Msg::Terminate => {
            app.quitting = true;
            fx.push(Effect::SaveDrafts);
        }
    }
    check_pending_attachment(app, &mut fx);
    app.refresh();
    super::preview_pane::sync(app, &mut fx);
    fx
}

/// A chosen file not checked yet is handed to the runtime now.
fn check_pending_attachment(app: &mut App, fx: &mut Vec<Effect>) {
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

fn context(focus: Focus) -> Context {
    match focus {
        Focus::Robots => Context::Robots,
        Focus::Types => Context::Types,
        Focus::Editor(FieldId::Form) => Context::Form,
        Focus::Editor(_) => Context::Editor,
        Focus::Preview => Context::Preview,
    }
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if let Some(popup) = app.popup.take() {
        on_popup_key(app, popup, key, fx);
        return;
    }
    // Ctrl-C copies while text is selected; otherwise it quits.
    if key.code == KeyCode::Char('c')
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && let Focus::Editor(id) = app.focus
        && let Some(comp) = app.composition_mut()
        && let Some(area) = comp.editor_mut(id)
        && area.is_selecting()
    {
        area.copy();
        return;
    }
    match keymap::resolve(&key, context(app.focus)) {
        Some(action) => on_action(app, action, fx),
        None => match app.focus {
            Focus::Editor(FieldId::Form) => form_input(app, key),
            Focus::Editor(FieldId::Path) => path_input(app, key, fx),
            Focus::Editor(id) => {
                if id == FieldId::Content {
                    app.preview_state.follow = true;
                }
                edit(app, id, |area| area.input(key));
            }
            _ => {}
        },
    }
}

/// A key in the form that is not a command: moving between rows, changing a
/// choice, or typing into the field under the cursor.
fn form_input(app: &mut App, key: KeyEvent) {
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

/// A key in the path field: Enter checks the file (or browses from an empty
/// field or a directory); other keys edit the path.
fn path_input(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(a) = app.composition_mut().and_then(|c| c.attachment.as_mut()) else {
        return;
    };
    if key.code == KeyCode::Enter {
        let text = a.path_text();
        let path = super::attach::expand(&text);
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
fn open_browser(app: &mut App, dir: Option<std::path::PathBuf>, fx: &mut Vec<Effect>) {
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

fn on_path_completed(
    app: &mut App,
    key: (String, MessageKind),
    from: &str,
    completion: super::attach::Completion,
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

/// Add, remove or move a form item, saying what happened or why not.
fn form_command(app: &mut App, action: Action) {
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
    app.status = match result {
        Ok(text) => Status::info(text),
        Err(text) => Status {
            tone: Tone::Warning,
            text,
            detail: None,
        },
    };
}

/// Runs an edit on a field and marks the draft changed if it changed.
fn edit(
    app: &mut App,
    id: FieldId,
    f: impl FnOnce(&mut ratatui_textarea::TextArea<'static>) -> bool,
) {
    if let Some(comp) = app.composition_mut()
        && let Some(area) = comp.editor_mut(id)
        && f(area)
    {
        if id == FieldId::Form {
            comp.commit_form_editor();
        }
        comp.revision += 1;
        app.drafts_dirty = true;
    }
}

fn on_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Send => send(app, false, fx),
        Action::SendRaw => send(app, true, fx),
        Action::CancelSend => cancel(app, fx),
        Action::Quit => {
            app.quitting = true;
            fx.push(Effect::SaveDrafts);
        }
        Action::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Action::Templates => {
            app.popup = Some(Popup::Templates(TemplatePicker::new()));
            fx.push(Effect::ListTemplates);
        }
        Action::FocusNext => move_focus(app, 1, fx),
        Action::FocusPrev => move_focus(app, -1, fx),
        Action::ConvertImage => {
            let key = (app.robot_name(), app.kind);
            match app.composition_mut().and_then(|c| c.attachment.as_mut()) {
                Some(a) if matches!(a.state, AttachState::ImageOffer(_)) => {
                    a.state = AttachState::Working("converting the picture…".into());
                    fx.push(Effect::CheckAttachment {
                        key,
                        path: a.path_text(),
                        convert: true,
                    });
                }
                _ => {
                    app.status = Status::info(
                        "Nothing to convert: Ctrl-K converts a picture WeCom would refuse.",
                    )
                }
            }
        }
        Action::ExternalEditor => match (app.focus, app.composition()) {
            (Focus::Editor(id), Some(comp)) => fx.push(Effect::OpenEditor {
                text: comp.text(id),
                extension: id.extension(app.kind),
            }),
            _ => app.status = Status::info(text::NO_EDITOR_FOCUS),
        },
        Action::NextType => {
            let i = MessageKind::ALL
                .iter()
                .position(|k| *k == app.kind)
                .unwrap_or(0);
            select_kind(app, MessageKind::ALL[(i + 1) % MessageKind::ALL.len()]);
        }
        Action::TogglePreview => {
            app.preview = match app.preview {
                PreviewMode::Content => PreviewMode::Json,
                PreviewMode::Json => PreviewMode::Content,
            };
            app.preview_scroll = 0;
        }
        Action::AddRobot => app.popup = Some(Popup::Robot(RobotDialog::add())),
        Action::EditRobot | Action::RenameRobot | Action::DeleteRobot => robot_command(app, action),
        Action::Up => step_list(app, -1),
        Action::Down => step_list(app, 1),
        Action::Select => app.focus = Focus::Editor(app.fields()[0]),
        Action::ToggleJson => toggle_json(app),
        Action::AddItem | Action::RemoveItem | Action::MoveItemUp | Action::MoveItemDown => {
            form_command(app, action)
        }
        Action::PageUp => {
            app.preview_state.follow = false;
            app.preview_scroll = app.preview_scroll.saturating_sub(5);
        }
        Action::PageDown => {
            app.preview_state.follow = false;
            app.preview_scroll = app.preview_scroll.saturating_add(5);
        }
        Action::SwitchDialect => switch_dialect(app),
    }
}

fn send(app: &mut App, raw: bool, fx: &mut Vec<Effect>) {
    if app.sending.is_some() {
        app.status = Status {
            tone: Tone::Warning,
            text: text::SEND_IN_FLIGHT.to_owned(),
            detail: None,
        };
        return;
    }
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    let webhook = match robot.webhook {
        Ok(w) => w,
        Err(e) => {
            app.status = Status::error(format!(
                "Not sent: robot {} cannot be used: {e}",
                robot.name
            ));
            return;
        }
    };
    if let Some(comp) = app.composition()
        && !comp.json_mode
        && let Some(a) = &comp.attachment
        && let Some(kind) = match app.kind {
            MessageKind::File => Some(crate::wecom::media::MediaKind::File),
            MessageKind::Voice => Some(crate::wecom::media::MediaKind::Voice),
            _ => None,
        }
    {
        if let Some(reason) = app.derived.blocking_reason() {
            app.status = Status::error(format!("Not sent: {reason}"));
            return;
        }
        let AttachState::Upload(facts) = &a.state else {
            return;
        };
        let path = super::attach::expand(&a.path_text());
        let total = facts.size;
        let id = app.next_id;
        app.next_id += 1;
        app.sending = Some(InFlight {
            id,
            robot: robot.name.clone(),
            kind: app.kind,
        });
        app.upload = Some((0, total, 0.0));
        app.status = Status::info(format!(
            "Sending {} to {}… Esc cancels.",
            app.kind.label(),
            robot.name
        ));
        fx.push(Effect::SendMedia {
            id,
            webhook,
            path,
            kind,
        });
        fx.push(Effect::Animate(true));
        return;
    }
    let payload = if raw {
        if !app.fields().contains(&FieldId::Raw) {
            app.status = Status::info(text::RAW_ONLY);
            return;
        }
        let Some(comp) = app.composition() else {
            return;
        };
        Payload::Raw(comp.text(FieldId::Raw))
    } else {
        if let Some(reason) = app.derived.blocking_reason() {
            app.status = Status::error(format!("Not sent: {reason}"));
            return;
        }
        let Some(message) = app.derived.message.clone() else {
            return;
        };
        Payload::Message(message)
    };
    let id = app.next_id;
    app.next_id += 1;
    app.sending = Some(InFlight {
        id,
        robot: robot.name.clone(),
        kind: app.kind,
    });
    app.status = Status::info(format!(
        "Sending {} to {}… Esc cancels.",
        app.kind.label(),
        robot.name
    ));
    fx.push(Effect::Send {
        id,
        webhook,
        payload,
    });
    fx.push(Effect::Animate(true));
}

fn cancel(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(inflight) = app.sending.take() {
        app.upload = None;
        fx.push(Effect::CancelSend { id: inflight.id });
        fx.push(Effect::Animate(false));
        app.status = Status {
            tone: Tone::Warning,
            text: text::CANCELLED.to_owned(),
            detail: None,
        };
    } else if let Focus::Editor(id) = app.focus
        && let Some(comp) = app.composition_mut()
        && let Some(area) = comp.editor_mut(id)
        && area.is_selecting()
    {
        area.cancel_selection();
    }
}

fn on_send_finished(app: &mut App, id: u64, outcome: SendOutcome, at: &str, fx: &mut Vec<Effect>) {
    if app.sending.as_ref().map(|s| s.id) != Some(id) {
        return; // a cancelled or superseded send: its result is stale
    }
    let Some(inflight) = app.sending.take() else {
        return;
    };
    fx.push(Effect::Animate(false));
    app.status = match outcome {
        SendOutcome::Sent { elapsed_ms, note } => Status {
            tone: Tone::Success,
            text: format!(
                "✓ Sent {} to {} at {at} ({elapsed_ms} ms).{}",
                inflight.kind.label(),
                inflight.robot,
                note.map(|n| format!(" {n}")).unwrap_or_default()
            ),
            detail: None,
        },
        SendOutcome::Invalid(problems) => Status {
            tone: Tone::Error,
            text: format!(
                "✗ Not sent to {} ({at}): the message has errors.",
                inflight.robot
            ),
            detail: problems.first().map(ToString::to_string),
        },
        SendOutcome::Failed { title, detail } => Status {
            tone: Tone::Error,
            text: format!("✗ {title}: not sent to {} ({at}).", inflight.robot),
            detail: Some(detail),
        },
    };
}

fn on_editor_closed(app: &mut App, result: Result<String, String>) {
    match result {
        Ok(mut text) => {
            if text.ends_with('\n') {
                text.pop();
            }
            if let Focus::Editor(id) = app.focus
                && let Some(comp) = app.composition_mut()
            {
                if comp.text(id) != text {
                    comp.replace(id, &text);
                    app.drafts_dirty = true;
                }
                app.status = Status::info("Text updated from the external editor (Ctrl-U undoes).");
            }
        }
        Err(e) => app.status = Status::error(format!("The external editor did not run: {e}")),
    }
}

fn on_drafts_saved(app: &mut App, result: Result<(), String>, fx: &mut Vec<Effect>) {
    match result {
        Ok(()) => {
            if app.quitting {
                fx.push(Effect::Quit);
            }
        }
        Err(e) => {
            app.drafts_dirty = true;
            if app.quitting && app.has_unsent_text() {
                app.quitting = false;
                app.popup = Some(Popup::ConfirmQuit {
                    reason: format!(
                        "Your drafts could not be saved ({e}). Quitting now loses the unsent text."
                    ),
                });
            } else if app.quitting {
                fx.push(Effect::Quit);
            } else {
                app.status = Status::error(format!("Drafts could not be saved: {e}"));
            }
        }
    }
}

fn on_paste(app: &mut App, text: &str) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(Popup::Robot(dialog)) = &mut app.popup {
        dialog.field_mut().insert_str(text.replace('\n', ""));
        dialog.error = None;
        return;
    }
    if let Some(Popup::Templates(picker)) = &mut app.popup {
        if let Some(naming) = picker.naming.as_mut() {
            naming.insert_str(text.replace('\n', " "));
        }
        return;
    }
    if app.popup.is_none()
        && let Focus::Editor(id) = app.focus
    {
        edit(app, id, |area| area.insert_str(&text));
    }
}

/// markdown ⇄ markdown_v2 with the same text, to compare the renderings.
fn switch_dialect(app: &mut App) {
    let other = match app.kind {
        MessageKind::Markdown => MessageKind::MarkdownV2,
        MessageKind::MarkdownV2 => MessageKind::Markdown,
        _ => {
            app.status = Status::info("Ctrl-D switches between markdown and markdown_v2.");
            return;
        }
    };
    let text = app
        .composition()
        .map(|c| c.text(FieldId::Content))
        .unwrap_or_default();
    select_kind(app, other);
    if let Some(comp) = app.composition_mut()
        && comp.text(FieldId::Content) != text
    {
        comp.replace(FieldId::Content, &text);
        app.drafts_dirty = true;
    }
    app.status = Status::info(format!(
        "Now {}: the same text, rendered as that dialect. Ctrl-D switches back.",
        other.label()
    ));
}

fn toggle_json(app: &mut App) {
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

fn move_focus(app: &mut App, step: isize, fx: &mut Vec<Effect>) {
    // Tab on an edited path completes it, as in a shell.
    if step == 1
        && app.focus == Focus::Editor(FieldId::Path)
        && let Some(a) = app.composition().and_then(|c| c.attachment.as_ref())
        && a.state == AttachState::Edited
    {
        fx.push(Effect::CompletePath {
            key: (app.robot_name(), app.kind),
            text: a.path_text(),
        });
        return;
    }
    // In the form, Tab walks the rows before leaving it.
    if app.focus == Focus::Editor(FieldId::Form)
        && let Some(comp) = app.composition_mut()
        && let Some(form) = comp.form.as_mut()
        && form.step(step)
    {
        comp.sync_form_editor();
        return;
    }
    let mut order = vec![Focus::Robots, Focus::Types];
    order.extend(app.fields().iter().map(|f| Focus::Editor(*f)));
    order.push(Focus::Preview);
    let i = order.iter().position(|f| *f == app.focus).unwrap_or(0) as isize;
    let n = order.len() as isize;
    app.focus = order[((i + step).rem_euclid(n)) as usize];
}

fn step_list(app: &mut App, step: isize) {
    match app.focus {
        Focus::Robots => {
            let n = app.robots.len() as isize;
            if n > 0 {
                app.robot_index = ((app.robot_index as isize + step).rem_euclid(n)) as usize;
                app.ensure_composition();
            }
        }
        Focus::Types => {
            let i = MessageKind::ALL
                .iter()
                .position(|k| *k == app.kind)
                .unwrap_or(0) as isize;
            let n = MessageKind::ALL.len() as isize;
            select_kind(app, MessageKind::ALL[((i + step).rem_euclid(n)) as usize]);
        }
        _ => {}
    }
}

fn select_kind(app: &mut App, kind: MessageKind) {
    app.kind = kind;
    app.ensure_composition();
    app.preview_scroll = 0;
    if let Focus::Editor(id) = app.focus
        && !app.fields().contains(&id)
    {
        app.focus = Focus::Editor(app.fields()[0]);
    }
}

fn robot_command(app: &mut App, action: Action) {
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    if robot.is_sandbox {
        app.status = Status::info(text::SANDBOX_IS_BUILT_IN);
        return;
    }
    app.popup = Some(match action {
        Action::EditRobot => {
            let masked = app
                .config
                .robot(&robot.name)
                .map(|r| r.masked_webhook(&app.config.base()))
                .unwrap_or_default();
            Popup::Robot(RobotDialog::edit(&robot.name, masked))
        }
        Action::RenameRobot => Popup::Robot(RobotDialog::rename(&robot.name)),
        _ => Popup::ConfirmDelete { name: robot.name },
    });
}

// ---------------------------------------------------------------- pop-ups

fn on_popup_key(app: &mut App, popup: Popup, key: KeyEvent, fx: &mut Vec<Effect>) {
    let is =
        |c: char| key.code == KeyCode::Char(c) && !key.modifiers.contains(KeyModifiers::CONTROL);
    match popup {
        Popup::Help { scroll } => {
            let scroll = match key.code {
                KeyCode::Up => scroll.saturating_sub(1),
                KeyCode::Down => scroll.saturating_add(1),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::PageDown => scroll.saturating_add(10),
                _ => return, // Esc, F1, Enter, q, anything: closes
            };
            app.popup = Some(Popup::Help { scroll });
        }
        Popup::Templates(picker) => on_templates_key(app, picker, key, fx),
        Popup::Browser(browser) => on_browser_key(app, browser, key, fx),
        Popup::ConfirmQuit { reason } => {
            if is('y') {
                fx.push(Effect::Quit);
            } else if !(key.code == KeyCode::Esc || is('n')) {
                app.popup = Some(Popup::ConfirmQuit { reason });
            }
        }
        Popup::ConfirmDelete { name } => {
            if is('y') || key.code == KeyCode::Enter {
                delete_robot(app, &name, fx);
            } else if !(key.code == KeyCode::Esc || is('n')) {
                app.popup = Some(Popup::ConfirmDelete { name });
            }
        }
        Popup::Robot(mut dialog) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                dialog.toggle_focus();
                app.popup = Some(Popup::Robot(dialog));
            }
            KeyCode::Enter => save_robot(app, dialog, fx),
            _ => {
                dialog.field_mut().input(key);
                dialog.error = None;
                app.popup = Some(Popup::Robot(dialog));
            }
        },
    }
}

fn on_templates_key(
    app: &mut App,
    mut picker: TemplatePicker,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    if let Some(naming) = picker.naming.as_mut() {
        match key.code {
            KeyCode::Esc => picker.naming = None,
            KeyCode::Enter => match app.derived.message.clone() {
                _ if app.derived.bytes.is_some_and(|(used, _)| used == 0) => {
                    picker.note = Some("The current draft is empty: write something first.".into());
                }
                Some(message) => {
                    fx.push(Effect::SaveTemplate {
                        name: picker.name(),
                        message,
                    });
                    picker.naming = None;
                }
                None => {
                    picker.note =
                        Some("The current draft is not a message yet: fix it first.".into())
                }
            },
            _ => {
                naming.input(key);
            }
        }
        app.popup = Some(Popup::Templates(picker));
        return;
    }
    let count = picker.templates.as_ref().map_or(0, Vec::len);
    let plain =
        |c: char| key.code == KeyCode::Char(c) && !key.modifiers.contains(KeyModifiers::CONTROL);
    if key.code == KeyCode::Esc {
        return;
    } else if key.code == KeyCode::Up {
        picker.selected = picker.selected.saturating_sub(1);
    } else if key.code == KeyCode::Down {
        picker.selected = (picker.selected + 1).min(count.saturating_sub(1));
    } else if plain('s') || plain('n') {
        picker.start_naming();
    } else if let Some(t) = picker
        .templates
        .as_ref()
        .and_then(|l| l.get(picker.selected))
        .cloned()
    {
        if key.code == KeyCode::Enter {
            load_template(app, &t);
            return;
        }
        if plain('d') || key.code == KeyCode::Delete {
            if t.builtin {
                picker.note = Some("Built-in examples cannot be deleted.".into());
            } else {
                fx.push(Effect::DeleteTemplate(t.name));
            }
        }
    }
    app.popup = Some(Popup::Templates(picker));
}

fn on_browser_key(app: &mut App, mut b: FileBrowser, key: KeyEvent, fx: &mut Vec<Effect>) {
    let entries: &[super::attach::DirEntry] = match &b.entries {
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

fn load_template(app: &mut App, t: &crate::store::templates::Template) {
    select_kind(app, t.message.kind());
    if let Some(comp) = app.composition_mut() {
        comp.load(&t.message);
    }
    app.drafts_dirty = true;
    app.focus = Focus::Editor(app.fields()[0]);
    app.status = Status::info(format!(
        "Loaded template {} into the {} draft (Ctrl-U undoes in text editors).",
        t.name,
        t.message.kind().label()
    ));
}

fn save_config(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config_error.is_some() {
        app.status = Status::error(
            "Changed for this session only: the config file could not be read, so it is left untouched.",
        );
    } else {
        fx.push(Effect::SaveConfig(app.config.clone()));
    }
}

fn save_robot(app: &mut App, mut dialog: RobotDialog, fx: &mut Vec<Effect>) {
    match dialog.apply(&app.config) {
        Ok((config, name)) => {
            app.config = config;
            if let Some(original) = dialog.original()
                && original != name
            {
                rename_drafts(app, original, &name);
            }
            app.reload_robots(Some(&name));
            app.ensure_composition();
            app.status = Status {
                tone: Tone::Success,
                text: format!("Robot {name} saved."),
                detail: None,
            };
            save_config(app, fx);
        }
        Err(e) => {
            dialog.error = Some(e);
            app.popup = Some(Popup::Robot(dialog));
        }
    }
}

fn rename_drafts(app: &mut App, from: &str, to: &str) {
    let keys: Vec<_> = app
        .compositions
        .keys()
        .filter(|(r, _)| r == from)
        .cloned()
        .collect();
    for key in keys {
        if let Some(comp) = app.compositions.remove(&key) {
            app.compositions.insert((to.to_owned(), key.1), comp);
        }
    }
    app.drafts.rename_robot(from, to);
    app.drafts_dirty = true;
}

fn delete_robot(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    if let Err(e) = app.config.remove_robot(name) {
        app.status = Status::error(e.to_string());
        return;
    }
    app.compositions.retain(|(r, _), _| r != name);
    app.drafts.remove_robot(name);
    app.drafts_dirty = true;
    app.reload_robots(None);
    app.ensure_composition();
    app.status = Status::info(format!("Robot {name} deleted, with its drafts."));
    save_config(app, fx);
}

// ---------------------------------------------------------------- mouse

fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if app.popup.is_some() {
        return;
    }
    let areas = view::layout(
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
                        view::form_row_at(form, &app.derived.problems, *rect, mouse.row)
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
            if hit(areas.preview) {
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

/// The context for the footer.
pub fn footer_context(app: &App) -> Context {
    context(app.focus)
}
