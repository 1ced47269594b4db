//! `update`: the one place the app's state changes. It never awaits and never
//! does I/O; work outside the state is returned as [`Effect`]s.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::app::{App, Focus, InFlight, PreviewMode, Status, Tone};
use super::attach::AttachState;
use super::checks;
use super::compose::{FieldId, cursor_of, place_cursor, rescroll};
use super::keymap::{self, Action};
use super::msg::{EditorError, Effect, Msg, Payload, SendOutcome, TemplateChange};
use super::popup::{Popup, RobotDialog, TemplatePicker};
use super::text;
use crate::store::templates::TemplateError;
use crate::untrusted::one_line;
use crate::wecom::MessageKind;

mod attachment;
mod broadcast;
mod copy;
mod form;
mod later;
mod memory;
mod mouse;
mod popups;
mod quickfix;

use attachment::{
    check_path, check_pending_attachment, complete_path, on_path_completed, path_input,
};
use form::{form_choice, form_command, form_step, form_text_input, toggle_json};
use mouse::on_mouse;
use popups::{on_popup_key, robot_command};

/// Applies one message to the state and returns the work it asks for.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Started => fx.push(broadcast::read_quotas(app)),
        // The common tail below does the work: check files, render preview.
        Msg::PictureReady => {}
        Msg::LinksQuiet(generation) => crate::tui::preview_pane::links_quiet(app, generation),
        Msg::HistoryQuiet(generation) => memory::filter_quiet(app, generation),
        Msg::OutboxChanged { items, said } => {
            if let Some(Popup::Memory(screen)) = &mut app.popup {
                screen.set_outbox(items);
            }
            app.status = Status::info(said);
        }
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut fx),
        Msg::Key(_) => {}
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Mouse(mouse) => on_mouse(app, mouse),
        Msg::Resized { width, height } => {
            app.size = (width, height);
            if let Some(comp) = app.composition_mut() {
                for area in [
                    &mut comp.content,
                    &mut comp.mentions,
                    &mut comp.mobiles,
                    &mut comp.raw,
                ] {
                    rescroll(area);
                }
            }
        }
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            // While a broadcast goes on: its countdowns move, and the
            // quotas are read again once a second.
            if app.broadcast.as_ref().is_some_and(|b| b.in_flight()) {
                broadcast::refresh_status(app);
            }
            if app.busy() && app.spinner.is_multiple_of(10) {
                fx.push(broadcast::read_quotas(app));
            }
        }
        Msg::SendFinished { id, outcome, at } => on_send_finished(app, id, outcome, &at, &mut fx),
        Msg::ConfigReloaded(config) => {
            let before = app.robots.len();
            app.config = config;
            app.reload_robots(None);
            app.refresh();
            fx.push(broadcast::read_quotas(app));
            if app.robots.len() != before {
                app.status = Status::info(text::shown(text::ROBOTS_RELOADED));
            }
        }
        Msg::QueuedLater(result) => {
            app.status = match result {
                Ok(said) => Status {
                    tone: Tone::Success,
                    text: said,
                    detail: None,
                },
                Err(why) => Status::error(
                    crate::tr!("status.not_queued", why = crate::untrusted::one_line(&why))
                        .into_owned(),
                ),
            };
            refresh_outbox(app);
        }
        Msg::Replaced { id, result, then } => later::replaced(app, id, result, *then, &mut fx),
        Msg::DueDelivered { line, ok } => {
            // A send of the user's own in flight keeps the status line.
            if app.sending.is_none() {
                app.status = Status {
                    tone: if ok { Tone::Success } else { Tone::Warning },
                    text: line,
                    detail: None,
                };
            }
            refresh_outbox(app);
        }
        Msg::BroadcastQueued { id, batch, items } => broadcast::on_queued(app, id, batch, items),
        Msg::BroadcastRow { id, row, state } => broadcast::on_row(app, id, row, state, &mut fx),
        Msg::Quotas(quotas) => app.quotas = quotas.into_iter().collect(),
        Msg::QuotaDue => fx.push(broadcast::read_quotas(app)),
        Msg::Queued { id, outbox_id } => {
            if app.sending.as_ref().is_some_and(|s| s.id == id) {
                app.unfinished.insert(outbox_id, id);
            }
        }
        Msg::SendProgress { id, note } => {
            // Only the send in flight speaks; a cancelled one is quiet.
            if app.sending.as_ref().is_some_and(|s| s.id == id) {
                app.status =
                    Status::info(crate::tr!("status.esc_cancels", note = note).into_owned());
            }
        }
        Msg::EditorClosed(result) => on_editor_closed(app, result),
        Msg::DraftsSaved(result) => on_drafts_saved(app, result, &mut fx),
        Msg::ConfigSaved(Ok(())) => {}
        Msg::ConfigSaved(Err(e)) => {
            app.status = Status::error(crate::tr!("status.robots_not_saved", error = e))
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
            if let Some(Popup::Browser(b)) = &mut app.popup {
                b.listed(&dir, entries);
            }
        }
        Msg::UploadAdvanced { id, progress } => {
            if app.sending.as_ref().is_some_and(|s| s.id == id) {
                app.upload = Some(progress);
            }
        }
        Msg::PreviewRendered(key, rendered) => {
            app.refresh();
            crate::tui::preview_pane::arrived(app, key, rendered, &mut fx);
        }
        Msg::TemplatesListed(templates, unreadable) => {
            if let Some(Popup::Templates(picker)) = &mut app.popup {
                picker.selected = picker.selected.min(templates.len().saturating_sub(1));
                picker.templates = Some(templates);
                if !unreadable.is_empty() {
                    picker.note = Some(
                        crate::tr!(
                            "status.templates_skipped",
                            files = crate::untrusted::one_line(&unreadable.join("; "))
                        )
                        .into_owned(),
                    );
                }
            }
        }
        Msg::TemplateStored { name, result } => {
            let (text, ok) = match &result {
                Ok(TemplateChange::Saved(path)) => (
                    crate::tr!("status.template_saved", name = name, path = path.display())
                        .into_owned(),
                    true,
                ),
                Ok(TemplateChange::Deleted) => (
                    crate::tr!(
                        "status.template_deleted",
                        name = crate::untrusted::one_line(&name)
                    )
                    .into_owned(),
                    true,
                ),
                Err(e @ TemplateError::Delete { .. }) => (
                    crate::tr!(
                        "status.template_not_deleted",
                        name = crate::untrusted::one_line(&name),
                        error = e
                    )
                    .into_owned(),
                    false,
                ),
                Err(e) => (e.to_string(), false),
            };
            if let Some(Popup::Templates(picker)) = &mut app.popup {
                picker.note = Some(text);
                fx.push(Effect::ListTemplates);
            } else {
                app.status = if ok {
                    Status::info(text)
                } else {
                    Status::error(text)
                };
            }
        }
        Msg::RelayCodeDrawn { robot, code } => {
            popups::relay_code_drawn(app, &robot, &code, &mut fx)
        }
        Msg::Terminate => {
            app.quitting = true;
            app.terminating = true;
            fx.push(Effect::SaveDrafts);
        }
    }
    clear_stale_status(app);
    broadcast::quit_if_done(app, &mut fx);
    check_pending_attachment(app, &mut fx);
    app.refresh();
    crate::tui::preview_pane::sync(app, &mut fx);
    app.checks_last = checks::max_scroll(app);
    fx
}

/// A send's result stays on screen only beside the draft it was about.
fn clear_stale_status(app: &mut App) {
    if let Some(about) = &app.status_about
        && (about.robot != app.robot_name() || about.kind != app.kind)
    {
        app.status_about = None;
        app.status = Status::info(text::shown(text::READY));
    }
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let action = keymap::resolve(&key, app.key_context());
    if let Some(popup) = app.popup.take() {
        on_popup_key(app, popup, action, key, fx);
        return;
    }
    match action {
        Some(action) => on_action(app, action, key, fx),
        // Not a command: text for the focused editor or field.
        None => match app.focus {
            Focus::Editor(FieldId::Form) => form_text_input(app, key),
            Focus::Editor(FieldId::Path) => path_input(app, key),
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

fn on_action(app: &mut App, action: Action, key: KeyEvent, fx: &mut Vec<Effect>) {
    match action {
        // Ctrl-C copies while text is selected; otherwise it quits.
        Action::Copy => {
            let copied = match app.focus {
                Focus::Editor(id) => app
                    .composition_mut()
                    .and_then(|c| c.editor_mut(id))
                    .filter(|area| area.is_selecting())
                    .map(|area| area.copy())
                    .is_some(),
                _ => false,
            };
            if !copied {
                on_action(app, Action::Quit, key, fx);
            }
        }
        Action::Send => send(app, false, fx),
        Action::SendLater => later::open(app),
        // The split offer's own action: only there.
        Action::SendParts => {}
        Action::History => memory::open(app),
        Action::QuickFix => quickfix::apply(app),
        // The History screen's own actions: only there.
        Action::NextTab
        | Action::Reopen
        | Action::Resend
        | Action::CopyPayload
        | Action::CancelItem
        | Action::RetryItem => {}
        Action::SendRaw => send(app, true, fx),
        Action::Mark => broadcast::toggle_mark(app),
        Action::ClearMarks => broadcast::clear_marks(app, fx),
        Action::ShowResults => match &app.broadcast {
            Some(_) => app.popup = Some(Popup::Results(Default::default())),
            None => app.status = Status::info(crate::tr!("status.no_broadcast").into_owned()),
        },
        Action::LeaveOutbox => {}
        Action::Select if broadcast::on_group(app).is_some() => {
            if let Some(g) = broadcast::on_group(app) {
                broadcast::mark_group(app, g);
            }
        }
        Action::CancelSend => cancel(app, fx),
        Action::Quit => quit(app, fx),
        Action::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Action::SwitchLanguage => popups::switch_language(app, fx),
        Action::Templates => {
            app.popup = Some(Popup::Templates(TemplatePicker::new()));
            fx.push(Effect::ListTemplates);
        }
        Action::FocusNext => move_focus(app, 1),
        Action::FocusPrev => move_focus(app, -1),
        Action::ConvertImage => {
            let key = app.key();
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
                    app.status = Status::info(crate::tr!("status.nothing_to_convert").into_owned())
                }
            }
        }
        Action::ExternalEditor => match (app.focus, app.composition()) {
            (Focus::Editor(id), Some(comp)) => fx.push(Effect::OpenEditor {
                text: comp.text(id),
                extension: id.extension(app.kind),
            }),
            _ => app.status = Status::info(text::shown(text::NO_EDITOR_FOCUS)),
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
        Action::Up if app.focus == Focus::Editor(FieldId::Form) => form_step(app, -1, key),
        Action::Down if app.focus == Focus::Editor(FieldId::Form) => form_step(app, 1, key),
        Action::Up => step_list(app, -1),
        Action::Down => step_list(app, 1),
        Action::NextChoice => form_choice(app, 1),
        Action::PrevChoice => form_choice(app, -1),
        Action::CheckPath => check_path(app, fx),
        Action::CompletePath => complete_path(app, fx),
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
            let last = if app.preview == PreviewMode::Content {
                crate::tui::preview_pane::max_scroll(app)
            } else {
                u16::MAX
            };
            app.preview_scroll = app
                .preview_scroll
                .saturating_add(5)
                .min(last.max(app.preview_scroll));
        }
        Action::SwitchDialect => switch_dialect(app),
        Action::ChecksUp => scroll_checks(app, false),
        Action::ChecksDown => scroll_checks(app, true),
        Action::UndoChange => undo_change(app),
        // The pop-ups' own actions: pop-ups take their keys before this.
        Action::RevealKey
        | Action::SwitchField
        | Action::Submit
        | Action::SaveTemplate
        | Action::DeleteTemplate
        | Action::Parent
        | Action::Close
        | Action::Confirm
        | Action::Top
        | Action::Bottom
        | Action::NewRelayCode
        | Action::CopyCurl
        | Action::RevokeCode => {}
        Action::CopyOut => copy::copy_out(app, fx),
        Action::SelectAll => {
            if let Focus::Editor(id) = app.focus
                && let Some(area) = app.composition_mut().and_then(|c| c.editor_mut(id))
            {
                area.select_all();
            }
        }
        Action::TextStart | Action::TextEnd => {
            if let Focus::Editor(id) = app.focus
                && let Some(area) = app.composition_mut().and_then(|c| c.editor_mut(id))
            {
                use ratatui_textarea::CursorMove;
                area.cancel_selection();
                if action == Action::TextStart {
                    area.move_cursor(CursorMove::Top);
                    area.move_cursor(CursorMove::Head);
                } else {
                    area.move_cursor(CursorMove::Bottom);
                    area.move_cursor(CursorMove::End);
                }
                if id == FieldId::Content {
                    app.preview_state.follow = true;
                }
            }
        }
    }
}

/// Scrolls the Checks pane by three rows, never past its last line.
fn scroll_checks(app: &mut App, down: bool) {
    let last = app.checks_last;
    let at = app.checks_scroll.min(last);
    app.checks_scroll = if down {
        at.saturating_add(3).min(last)
    } else {
        at.saturating_sub(3)
    };
}

/// Ctrl-Q: the drafts are handed to saving; the app ends once they are
/// saved. Messages this composer queued and not yet sent are asked about
/// first.
fn quit(app: &mut App, fx: &mut Vec<Effect>) {
    if broadcast::ask_before_quit(app) {
        return;
    }
    quit_now(app, fx);
}

fn quit_now(app: &mut App, fx: &mut Vec<Effect>) {
    app.quitting = true;
    fx.push(Effect::SaveDrafts);
}

fn send(app: &mut App, raw: bool, fx: &mut Vec<Effect>) {
    if later::refuse_edited_broadcast(app) {
        return;
    }
    if !app.marked.is_empty() {
        return broadcast::start(app, raw, fx);
    }
    if refuse_while_busy(app) {
        return;
    }
    if !raw && later::send_edited_later(app, fx) {
        return;
    }
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    let webhook = match robot.webhook {
        Ok(w) => w,
        Err(e) => {
            app.status = Status::error(
                crate::tr!(
                    "status.robot_unusable",
                    robot = crate::untrusted::one_line(&robot.name),
                    error = e
                )
                .into_owned(),
            );
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
            app.status = Status::error(crate::tr!("status.not_sent", reason = reason).into_owned());
            return;
        }
        let AttachState::Upload(_) = &a.state else {
            return;
        };
        let path = super::attach::expand(&a.path_text());
        // No bar yet: it appears with the first progress report, so a
        // reused media_id (nothing uploaded) shows none.
        let id = start_send(app, &robot.name);
        fx.push(Effect::SendMedia {
            id,
            robot: robot.name.clone(),
            webhook,
            path,
            kind,
        });
        fx.push(Effect::Animate(true));
        return;
    }
    let payload = if raw {
        if !app.fields().contains(&FieldId::Raw) {
            app.status = Status::info(text::shown(text::RAW_ONLY));
            return;
        }
        let Some(comp) = app.composition() else {
            return;
        };
        Payload::Raw(comp.text(FieldId::Raw))
    } else {
        if later::offer_split(app) {
            return;
        }
        if let Some(reason) = app.derived.blocking_reason() {
            app.status = Status::error(crate::tr!("status.not_sent", reason = reason).into_owned());
            return;
        }
        let Some(message) = app.derived.message.clone() else {
            return;
        };
        Payload::Message(message)
    };
    let id = start_send(app, &robot.name);
    let effect = Effect::Send {
        id,
        robot: robot.name.clone(),
        webhook,
        payload,
    };
    fx.push(later::in_place_of_edited(app, effect));
    fx.push(Effect::Animate(true));
}

/// Sends the parts of a split message, in order, to the selected robot.
fn send_parts(app: &mut App, parts: Vec<crate::wecom::Message>, fx: &mut Vec<Effect>) {
    if refuse_while_busy(app) {
        return;
    }
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    let Ok(webhook) = robot.webhook else {
        return;
    };
    let id = start_send(app, &robot.name);
    app.status = Status::info(
        crate::tr!(
            "status.sending_parts",
            n = parts.len(),
            robot = crate::untrusted::one_line(&robot.name)
        )
        .into_owned(),
    );
    let effect = Effect::SendParts {
        id,
        robot: robot.name.clone(),
        webhook,
        parts,
    };
    fx.push(later::in_place_of_edited(app, effect));
    fx.push(Effect::Animate(true));
}

/// A send, a broadcast or a split is already in flight: one at a time,
/// said in the status line. True when refused.
fn refuse_while_busy(app: &mut App) -> bool {
    if app.busy() {
        app.status = Status {
            tone: Tone::Warning,
            text: text::shown(text::SEND_IN_FLIGHT).into_owned(),
            detail: None,
        };
    }
    app.busy()
}

/// The Outbox tab, if open, read again (an item was queued or delivered).
fn refresh_outbox(app: &mut App) {
    if let Some(Popup::Memory(screen)) = &mut app.popup
        && let Some(items) = app.services.outbox.as_ref().and_then(|o| o.list().ok())
    {
        screen.set_outbox(items);
    }
}

/// Marks a send as in flight, with a fresh id, so a late answer to an
/// earlier one is recognised and dropped.
fn start_send(app: &mut App, robot: &str) -> u64 {
    let id = app.next_id;
    app.next_id += 1;
    app.sending = Some(InFlight {
        id,
        robot: robot.to_owned(),
        kind: app.kind,
    });
    app.status = Status::info(crate::tr!(
        "status.sending",
        kind = app.kind.shown(),
        robot = robot
    ));
    id
}

fn cancel(app: &mut App, fx: &mut Vec<Effect>) {
    if broadcast::stop_waiting(app) {
        return;
    }
    if app.sending.is_none()
        && let Some(b) = app.broadcast.as_ref().filter(|b| b.in_flight())
    {
        // The runner stops what still waits; the rows say so as it does.
        fx.push(Effect::CancelSend { id: b.id });
        return;
    }
    if let Some(inflight) = app.sending.take() {
        app.unfinished.retain(|_, send| *send != inflight.id);
        app.upload = None;
        fx.push(Effect::CancelSend { id: inflight.id });
        fx.push(Effect::Animate(false));
        app.status = Status {
            tone: Tone::Warning,
            text: text::shown(text::CANCELLED).into_owned(),
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
    app.unfinished.retain(|_, send| *send != inflight.id);
    fx.push(broadcast::read_quotas(app));
    fx.push(Effect::Animate(false));
    app.upload = None;
    app.status_about = Some(super::compose::DraftKey {
        robot: inflight.robot.clone(),
        kind: inflight.kind,
    });
    app.status = match outcome {
        SendOutcome::Sent { elapsed_ms, note } => Status {
            tone: Tone::Success,
            text: crate::tr!(
                "status.sent",
                kind = inflight.kind.shown(),
                robot = inflight.robot,
                at = at,
                ms = elapsed_ms,
                note = note.map(|n| format!(" {n}")).unwrap_or_default()
            )
            .into_owned(),
            detail: None,
        },
        SendOutcome::Invalid(problems) => Status {
            tone: Tone::Error,
            text: crate::tr!("status.not_sent_invalid", robot = inflight.robot, at = at)
                .into_owned(),
            detail: problems
                .first()
                .map(|p| one_line(&p.to_string()).into_owned()),
        },
        SendOutcome::Unknown { title, detail } => Status {
            tone: Tone::Warning,
            text: crate::tr!(
                "status.unknown",
                title = one_line(&title),
                robot = inflight.robot,
                at = at
            )
            .into_owned(),
            detail: Some(one_line(&detail).into_owned()),
        },
        SendOutcome::Failed { title, detail } => Status {
            tone: Tone::Error,
            text: crate::tr!(
                "status.failed",
                title = one_line(&title),
                robot = inflight.robot,
                at = at
            )
            .into_owned(),
            // The explanation may quote the server (errmsg): shown escaped.
            detail: Some(one_line(&detail).into_owned()),
        },
    };
}

fn on_editor_closed(app: &mut App, result: Result<String, EditorError>) {
    match result {
        Ok(mut text) => {
            if text.ends_with('\n') {
                text.pop();
            }
            if let Focus::Editor(id) = app.focus
                && let Some(comp) = app.composition_mut()
            {
                app.status = if comp.text(id) != text {
                    comp.replace(id, &text);
                    app.drafts_dirty = true;
                    Status::info(text::shown(text::EDITOR_UPDATED))
                } else {
                    Status::info(text::shown(text::EDITOR_UNCHANGED))
                };
            }
        }
        Err(e) => {
            app.status = Status::error(crate::tr!("status.editor_failed", error = e).into_owned())
        }
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
            if app.terminating {
                // Told to leave (signal, terminal gone): nobody is there to
                // answer a question, so the failure is logged and the app ends.
                tracing::error!("drafts could not be saved while terminating: {e}");
                fx.push(Effect::Quit);
            } else if app.quitting && app.has_unsent_text() {
                app.quitting = false;
                app.popup = Some(Popup::ConfirmQuit {
                    reason: crate::tr!("confirm.drafts_not_saved", error = e).into_owned(),
                });
            } else if app.quitting {
                fx.push(Effect::Quit);
            } else {
                app.status =
                    Status::error(crate::tr!("status.drafts_not_saved", error = e).into_owned());
            }
        }
    }
}

fn on_paste(app: &mut App, text: &str) {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(Popup::Later(later)) = &mut app.popup {
        later::paste(later, &text);
        return;
    }
    if let Some(Popup::Robot(dialog)) = &mut app.popup {
        dialog.paste(&text);
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

/// Ctrl-Z: the draft before the last template load or item removal.
fn undo_change(app: &mut App) {
    let Some(undo) = app.undo.take() else {
        app.status = Status::info(text::shown(text::NOTHING_TO_UNDO));
        return;
    };
    let kind = undo.key.kind;
    if let Some(i) = app.robots.iter().position(|r| r.name == undo.key.robot) {
        app.robot_index = i;
    }
    select_kind(app, kind);
    let revision = app.composition().map_or(0, |c| c.revision);
    let mut comp = super::compose::Composition::new(kind, Some(&undo.draft));
    comp.revision = revision + 1;
    app.compositions.insert(undo.key, comp);
    app.focus = Focus::Editor(app.fields()[0]);
    app.drafts_dirty = true;
    app.status = Status::info(text::shown(text::UNDONE));
}

/// markdown ⇄ markdown_v2 with the same text, to compare the renderings.
fn switch_dialect(app: &mut App) {
    let other = match app.kind {
        MessageKind::Markdown => MessageKind::MarkdownV2,
        MessageKind::MarkdownV2 => MessageKind::Markdown,
        _ => {
            app.status = Status::info(crate::tr!("status.dialect_key").into_owned());
            return;
        }
    };
    let Some((text, cursor)) = app
        .composition()
        .map(|c| (c.text(FieldId::Content), cursor_of(&c.content)))
    else {
        return;
    };
    select_kind(app, other);
    if let Some(comp) = app.composition_mut() {
        let changed = comp.text(FieldId::Content) != text;
        if changed {
            comp.replace(FieldId::Content, &text);
        }
        // The cursor comes along with the text.
        place_cursor(&mut comp.content, cursor);
        app.drafts_dirty |= changed;
    }
    app.status =
        Status::info(crate::tr!("status.dialect_switched", dialect = other.shown()).into_owned());
}

fn move_focus(app: &mut App, step: isize) {
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
        Focus::Robots if !app.config.groups.is_empty() => broadcast::step_robots(app, step),
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
