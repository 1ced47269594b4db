//! Broadcasts in the composer: marking robots (and groups) in the list,
//! sending the current message to every marked robot, following the
//! outcomes in the results view and the status line, the quotas beside
//! the robots, and the question at quit while the outbox still holds
//! messages this composer queued.

use super::{App, Effect, Focus, Status, Tone};
use crate::tui::app::RobotItem;
use crate::tui::attach::AttachState;
use crate::tui::compose::FieldId;
use crate::tui::keymap::Action;
use crate::tui::msg::{Outgoing, Payload, Target};
use crate::tui::popup::Popup;
use crate::tui::popup::results::{Broadcast, ResultsOutcome, ResultsView, Row, RowState};
use crate::untrusted::one_line;
use crate::wecom::MessageKind;
use crate::wecom::attach::{media_message, robot_id};
use crate::wecom::media::MediaKind;

/// Space in the robot list: marks or unmarks the robot under the cursor,
/// or, on a group, marks its members.
pub(super) fn toggle_mark(app: &mut App) {
    if let Some(g) = app.group_cursor {
        return mark_group(app, g);
    }
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    if let Err(e) = &robot.webhook {
        app.status = Status::error(
            crate::tr!(
                "broadcast.cannot_mark",
                robot = one_line(&robot.name),
                error = e
            )
            .into_owned(),
        );
        return;
    }
    if let Some(i) = app.marked.iter().position(|m| *m == robot.name) {
        app.marked.remove(i);
    } else {
        app.marked.push(robot.name.clone());
    }
    app.status = Status::info(marked_sentence(app));
}

/// Enter or Space on a group: its members are marked (all of them
/// unmarked when they all were marked already).
pub(super) fn mark_group(app: &mut App, g: usize) {
    let Some(group) = app.config.groups.get(g).cloned() else {
        return;
    };
    let members: Vec<String> = group
        .robots
        .iter()
        .filter(|m| {
            app.robots
                .iter()
                .any(|r| r.name == **m && r.webhook.is_ok())
        })
        .cloned()
        .collect();
    if members.is_empty() {
        app.status = Status::error(
            crate::tr!("broadcast.group_unusable", group = one_line(&group.name)).into_owned(),
        );
        return;
    }
    let all_marked = members.iter().all(|m| app.marked.contains(m));
    if all_marked {
        app.marked.retain(|m| !members.contains(m));
    } else {
        for m in members {
            if !app.marked.contains(&m) {
                app.marked.push(m);
            }
        }
    }
    app.status = Status::info(
        crate::tr!(
            "broadcast.group_marked",
            group = one_line(&group.name),
            marked = marked_sentence(app)
        )
        .into_owned(),
    );
}

fn marked_sentence(app: &App) -> String {
    match app.marked_robots().len() {
        0 => crate::tr!("broadcast.none_marked").into_owned(),
        n => crate::tr!(
            "broadcast.marked",
            n = n,
            robots = app
                .marked_robots()
                .iter()
                .map(|r| one_line(&r.name).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into_owned(),
    }
}

/// Esc in the robot list: unmarks every robot; with none marked it does
/// what Esc does elsewhere (stop waiting to quit, cancel the send).
pub(super) fn clear_marks(app: &mut App, fx: &mut Vec<Effect>) {
    if app.marked.is_empty() || app.quit_when_done {
        return super::cancel(app, fx);
    }
    app.marked.clear();
    app.status = Status::info(marked_sentence(app));
}

/// ↑/↓ in the robot list, which goes on from the robots into the groups.
pub(super) fn step_robots(app: &mut App, step: isize) {
    let robots = app.robots.len();
    let total = (robots + app.config.groups.len()) as isize;
    if total == 0 {
        return;
    }
    let at = app.group_cursor.map_or(app.robot_index, |g| robots + g) as isize;
    let to = (at + step).rem_euclid(total) as usize;
    if to < robots {
        app.group_cursor = None;
        app.robot_index = to;
        app.ensure_composition();
    } else {
        app.group_cursor = Some(to - robots);
    }
}

/// Send with robots marked: the current message to each of them.
pub(super) fn start(app: &mut App, raw: bool, fx: &mut Vec<Effect>) {
    if super::refuse_while_busy(app) {
        return;
    }
    let Some((outgoing, payload)) = outgoing(app, raw) else {
        return;
    };
    let id = app.next_id;
    app.next_id += 1;
    let marked: Vec<RobotItem> = app.marked_robots().into_iter().cloned().collect();
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    for robot in marked {
        match robot.webhook {
            Ok(webhook) => {
                targets.push(Target {
                    row: rows.len(),
                    robot: robot.name.clone(),
                    webhook: webhook.clone(),
                    outbox_id: None,
                });
                rows.push(Row {
                    robot: robot.name,
                    webhook,
                    outbox_id: None,
                    state: RowState::Queued,
                });
            }
            // Marked while usable, changed since (config.toml edited).
            Err(_) => continue,
        }
    }
    if targets.is_empty() {
        app.status = Status::error(crate::tr!("broadcast.none_usable").into_owned());
        return;
    }
    app.broadcast = Some(Broadcast {
        id,
        kind: app.kind,
        outgoing: outgoing.clone(),
        payload,
        batch: None,
        rows,
    });
    app.popup = Some(Popup::Results(ResultsView::default()));
    fx.push(Effect::Broadcast {
        id,
        targets,
        outgoing,
    });
    fx.push(Effect::Animate(true));
    refresh_status(app);
}

/// What the current draft sends, and its JSON for the detail view; `None`
/// (with the reason in the status line) when it cannot be sent.
fn outgoing(app: &mut App, raw: bool) -> Option<(Outgoing, String)> {
    let media = match app.kind {
        MessageKind::File => Some(MediaKind::File),
        MessageKind::Voice => Some(MediaKind::Voice),
        _ => None,
    };
    let blocking = app.derived.blocking_reason();
    let has_raw = app.fields().contains(&FieldId::Raw);
    let comp = app.composition()?;
    let attachment = media.filter(|_| !comp.json_mode).and_then(|kind| {
        let a = comp.attachment.as_ref()?;
        Some((
            kind,
            matches!(a.state, AttachState::Upload(_)),
            a.path_text(),
        ))
    });
    let raw_text = (raw && has_raw).then(|| comp.text(FieldId::Raw));
    let message = app.derived.message.clone();
    let too_long = super::later::only_too_long(app);
    let refused = match (&attachment, raw, &blocking) {
        (None, false, Some(_)) if too_long => {
            Some(Status::error(crate::tr!("broadcast.too_long").into_owned()))
        }
        (Some(_), _, Some(reason)) | (None, false, Some(reason)) => Some(Status::error(
            crate::tr!("status.not_sent", reason = reason).into_owned(),
        )),
        (Some((_, false, _)), _, None) => Some(Status::info(
            crate::tr!("broadcast.file_checking").into_owned(),
        )),
        (None, true, _) if raw_text.is_none() => Some(Status::info(crate::tui::text::shown(
            crate::tui::text::RAW_ONLY,
        ))),
        _ => None,
    };
    if let Some(status) = refused {
        app.status = status;
        return None;
    }
    if let Some((kind, _, path)) = attachment {
        let path = crate::tui::attach::expand(&path);
        let shown =
            media_message(kind, crate::tr!("broadcast.each_uploads").into_owned()).to_json();
        return Some((Outgoing::Media { path, kind }, shown));
    }
    if let Some(json) = raw_text {
        return Some((Outgoing::Payload(Payload::Raw(json.clone())), json));
    }
    let message = message?;
    let json = message.to_json();
    Some((Outgoing::Payload(Payload::Message(message)), json))
}

/// The broadcast is in the outbox: its batch and items.
pub(super) fn on_queued(app: &mut App, id: u64, batch: Option<String>, items: Vec<(usize, i64)>) {
    let Some(b) = app.broadcast.as_mut().filter(|b| b.id == id) else {
        return;
    };
    if batch.is_some() {
        b.batch = batch;
    }
    for (row, outbox_id) in items {
        if let Some(r) = b.rows.get_mut(row) {
            r.outbox_id = Some(outbox_id);
            if !r.state.ended() {
                app.unfinished.insert(outbox_id, id);
            }
        }
    }
}

/// A row moved on.
pub(super) fn on_row(app: &mut App, id: u64, row: usize, state: RowState, fx: &mut Vec<Effect>) {
    let Some(b) = app.broadcast.as_mut().filter(|b| b.id == id) else {
        return;
    };
    let Some(r) = b.rows.get_mut(row) else {
        return;
    };
    let ended = state.ended();
    r.state = state;
    if ended {
        if let Some(outbox_id) = r.outbox_id {
            app.unfinished.remove(&outbox_id);
        }
        if !b.in_flight() && app.sending.is_none() {
            fx.push(Effect::Animate(false));
        }
        fx.push(read_quotas(app));
    }
    refresh_status(app);
}

/// The status line while a broadcast goes on (counted again on every
/// tick, so a countdown moves) and once it is over.
pub(super) fn refresh_status(app: &mut App) {
    let Some(b) = &app.broadcast else {
        return;
    };
    let now = app.clock.now_ms();
    let next = b
        .rows
        .iter()
        .filter_map(|r| match r.state {
            RowState::Waiting { until_ms } => Some(until_ms),
            RowState::Retrying { at_ms, .. } => Some(at_ms),
            _ => None,
        })
        .min()
        .map(|at| {
            crate::tr!(
                "broadcast.next_in",
                s = at.saturating_sub(now).div_ceil(1000)
            )
            .into_owned()
        })
        .unwrap_or_default();
    let n = b.rows.len();
    app.status = if app.quit_when_done {
        Status {
            tone: Tone::Warning,
            text: crate::tr!(
                "broadcast.quitting_once",
                left = app.unfinished.len(),
                summary = b.summary(),
                next = next
            )
            .into_owned(),
            detail: None,
        }
    } else if b.in_flight() {
        Status::info(
            crate::tr!(
                "broadcast.in_flight",
                kind = b.kind.shown(),
                n = n,
                summary = b.summary(),
                next = next
            )
            .into_owned(),
        )
    } else if b.sent() == n {
        Status {
            tone: Tone::Success,
            text: crate::tr!("broadcast.all_sent", kind = b.kind.shown(), n = n).into_owned(),
            detail: None,
        }
    } else {
        Status {
            tone: Tone::Error,
            text: crate::tr!(
                "broadcast.some_failed",
                kind = b.kind.shown(),
                n = n,
                sent = b.sent(),
                summary = b.summary()
            )
            .into_owned(),
            detail: None,
        }
    };
}

/// A key in the results view.
pub(super) fn on_results_action(
    app: &mut App,
    mut view: ResultsView,
    action: Option<Action>,
    fx: &mut Vec<Effect>,
) {
    let Some(b) = &app.broadcast else {
        return;
    };
    match view.on_action(b, action) {
        ResultsOutcome::Closed => {}
        ResultsOutcome::Stay => app.popup = Some(Popup::Results(view)),
        ResultsOutcome::Retry(rows) => {
            retry(app, &rows, fx);
            app.popup = Some(Popup::Results(view));
        }
    }
}

/// `r`: sends again to `rows`. An item still in the outbox (unknown,
/// failed) is put back in the queue as it is; one that left it (refused,
/// cancelled) is queued again.
fn retry(app: &mut App, rows: &[usize], fx: &mut Vec<Effect>) {
    if app.sending.is_some() || app.broadcast.as_ref().is_some_and(Broadcast::in_flight) {
        app.status = Status::info(crate::tr!("broadcast.still_sending").into_owned());
        return;
    }
    if rows.is_empty() {
        app.status = Status::info(crate::tr!("broadcast.nothing_to_retry").into_owned());
        return;
    }
    let Some(b) = app.broadcast.as_mut() else {
        return;
    };
    let targets: Vec<Target> = rows
        .iter()
        .filter_map(|&row| {
            let r = b.rows.get_mut(row)?;
            let keep = matches!(r.state, RowState::Unknown { .. } | RowState::Failed { .. });
            let target = Target {
                row,
                robot: r.robot.clone(),
                webhook: r.webhook.clone(),
                outbox_id: r.outbox_id.filter(|_| keep),
            };
            r.state = RowState::Queued;
            Some(target)
        })
        .collect();
    fx.push(Effect::Broadcast {
        id: b.id,
        targets,
        outgoing: b.outgoing.clone(),
    });
    fx.push(Effect::Animate(true));
    refresh_status(app);
}

/// Reads every usable robot's quota (by name and fingerprint).
pub(super) fn read_quotas(app: &App) -> Effect {
    Effect::ReadQuotas(
        app.robots
            .iter()
            .filter_map(|r| {
                let w = r.webhook.as_ref().ok()?;
                Some((r.name.clone(), robot_id(w)))
            })
            .collect(),
    )
}

/// Quit asked while messages this composer queued are unfinished: asks
/// whether to wait for them (true: the question is open).
pub(super) fn ask_before_quit(app: &mut App) -> bool {
    if app.terminating || app.unfinished.is_empty() {
        return false;
    }
    app.popup = Some(Popup::QuitWithOutbox {
        left: app.unfinished.len(),
    });
    true
}

/// The answer to that question.
pub(super) fn on_quit_outbox_action(
    app: &mut App,
    left: usize,
    action: Option<Action>,
    fx: &mut Vec<Effect>,
) {
    match action {
        Some(Action::Confirm) => {
            app.quit_when_done = true;
            if app.broadcast.is_some() {
                refresh_status(app);
            } else {
                app.status = Status {
                    tone: Tone::Warning,
                    text: crate::tr!("broadcast.quitting_when_done", left = left).into_owned(),
                    detail: None,
                };
            }
            quit_if_done(app, fx);
        }
        Some(Action::LeaveOutbox) => super::quit_now(app, fx),
        Some(Action::Close) => {}
        _ => app.popup = Some(Popup::QuitWithOutbox { left }),
    }
}

/// After every message: quits once what the user chose to wait for is done.
pub(super) fn quit_if_done(app: &mut App, fx: &mut Vec<Effect>) {
    if app.quit_when_done && app.unfinished.is_empty() && !app.quitting {
        super::quit_now(app, fx);
    }
}

/// Esc while waiting to quit: the composer stays.
pub(super) fn stop_waiting(app: &mut App) -> bool {
    if !app.quit_when_done {
        return false;
    }
    app.quit_when_done = false;
    app.status = Status::info(crate::tr!("broadcast.not_quitting").into_owned());
    true
}

/// Whether the list's cursor is on a group (Enter there marks it).
pub(super) fn on_group(app: &App) -> Option<usize> {
    (app.focus == Focus::Robots)
        .then_some(app.group_cursor)
        .flatten()
}
