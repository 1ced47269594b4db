//! Sending later (Ctrl-L), the split offer for a message over its limit,
//! and sending a draft edited from an outbox item in that item's place.

use chrono::Local;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Status};
use crate::store::outbox::OutboxItem;
use crate::tui::app::EditedItem;
use crate::tui::attach::AttachState;
use crate::tui::keymap::Action;
use crate::tui::msg::Later;
use crate::tui::popup::{LaterOutcome, Popup, SendLater, SplitOffer, SplitOutcome};
use crate::untrusted::one_line;
use crate::wecom::media::MediaKind;
use crate::wecom::{Message, MessageKind, Rule, Webhook};

/// What the current draft would queue, or why it cannot be.
fn what_to_queue(app: &App) -> Result<Later, String> {
    let comp = app
        .composition()
        .ok_or_else(|| crate::tr!("later.no_draft").into_owned())?;
    if let Some(reason) = app.derived.blocking_reason() {
        return Err(reason);
    }
    if !comp.json_mode
        && let Some(a) = &comp.attachment
        && let Some(kind) = media_kind(app.kind)
    {
        let AttachState::Upload(_) = &a.state else {
            return Err(crate::tr!("later.file_checking").into_owned());
        };
        let path = crate::tui::attach::expand(&a.path_text());
        return Ok(Later::Upload {
            path: std::fs::canonicalize(&path).unwrap_or(path),
            kind,
        });
    }
    app.derived
        .message
        .clone()
        .map(Later::Message)
        .ok_or_else(|| crate::tr!("later.not_a_message").into_owned())
}

fn media_kind(kind: MessageKind) -> Option<MediaKind> {
    match kind {
        MessageKind::File => Some(MediaKind::File),
        MessageKind::Voice => Some(MediaKind::Voice),
        _ => None,
    }
}

/// Where a send later goes: the marked robots (the usable ones), or else
/// the selected robot; `None` (and the status says why) when none can be
/// used.
fn targets(app: &mut App, doing: &str) -> Option<Vec<(String, Webhook)>> {
    if !app.marked.is_empty() {
        let usable: Vec<(String, Webhook)> = app
            .marked_robots()
            .into_iter()
            .filter_map(|r| r.webhook.clone().ok().map(|w| (r.name.clone(), w)))
            .collect();
        if usable.is_empty() {
            app.status = Status::error(crate::tr!("later.none_usable", doing = doing).into_owned());
            return None;
        }
        return Some(usable);
    }
    target(app, doing).map(|t| vec![t])
}

/// The selected robot and its webhook, or why it cannot be used (said).
fn target(app: &mut App, doing: &str) -> Option<(String, Webhook)> {
    let robot = app.robot()?.clone();
    match robot.webhook {
        Ok(w) => Some((robot.name, w)),
        Err(e) => {
            app.status = Status::error(
                crate::tr!(
                    "later.robot_unusable",
                    doing = doing,
                    robot = one_line(&robot.name),
                    error = e
                )
                .into_owned(),
            );
            None
        }
    }
}

/// Ctrl-L: asks when, once the draft is a message that could be sent.
pub(super) fn open(app: &mut App) {
    let Some(robots) = targets(app, &crate::tr!("later.not_queued")) else {
        return;
    };
    let names: Vec<&str> = robots.iter().map(|(n, _)| n.as_str()).collect();
    let robot = names.join(", ");
    if let Err(why) = what_to_queue(app) {
        app.status = Status::error(crate::tr!("status.not_queued", why = why).into_owned());
        return;
    }
    app.popup = Some(Popup::Later(SendLater::open(
        robot,
        app.kind.shown().into_owned(),
        app.theme,
    )));
}

/// A key in the send-later pop-up.
pub(super) fn on_key(
    app: &mut App,
    mut later: SendLater,
    action: Option<Action>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    let typed = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    let backspace = action.is_none() && key.code == KeyCode::Backspace;
    match later.on_action(
        action,
        typed.filter(|_| action.is_none()),
        backspace,
        Local::now(),
    ) {
        LaterOutcome::Stay => app.popup = Some(Popup::Later(later)),
        LaterOutcome::Closed => {
            app.status = Status::info(crate::tr!("later.nothing_queued").into_owned())
        }
        LaterOutcome::Queue(due) => queue(app, due, fx),
    }
}

/// Text pasted while the send-later pop-up is open.
pub(super) fn paste(later: &mut SendLater, text: &str) {
    later.paste(text, Local::now());
}

/// Queues the draft for `due` (in place of the outbox item it was opened
/// from, if any).
fn queue(app: &mut App, due: crate::delivery::when::Due, fx: &mut Vec<Effect>) {
    let Some(robots) = targets(app, &crate::tr!("later.not_queued")) else {
        return;
    };
    let what = match what_to_queue(app) {
        Ok(what) => what,
        Err(why) => {
            app.status = Status::error(crate::tr!("status.not_queued", why = why).into_owned());
            return;
        }
    };
    app.status = Status::info(
        crate::tr!("later.queueing", kind = app.kind.shown(), n = robots.len()).into_owned(),
    );
    let effect = Effect::QueueLater { robots, what, due };
    fx.push(in_place_of_edited(app, effect));
}

/// A message over its limit: the split offer opens instead of a refusal.
/// False when the draft is not such a message (the send goes on as usual).
pub(super) fn offer_split(app: &mut App) -> bool {
    let Some(message) = app.derived.message.as_ref() else {
        return false;
    };
    if !app.marked.is_empty() {
        // The parts go to one robot, in order; a broadcast is not split.
        return false;
    }
    if !only_too_long(app) {
        return false;
    }
    let robot = app.robot_name();
    match SplitOffer::for_message(message, robot, app.theme) {
        Ok(Some(offer)) => {
            app.status = Status::info(
                crate::tr!(
                    "later.over_limit",
                    limit = crate::wecom::validate::group_digits(offer.limit),
                    n = offer.parts.len()
                )
                .into_owned(),
            );
            app.popup = Some(Popup::Split(offer));
            true
        }
        Ok(None) => false,
        Err(e) => {
            app.status = Status::error(crate::tr!("later.cannot_split", error = e).into_owned());
            true
        }
    }
}

/// Whether the content's length is all that is wrong with the draft: only
/// then can splitting it help (other errors are the user's to fix).
pub(super) fn only_too_long(app: &App) -> bool {
    let mut errors = app
        .derived
        .problems
        .iter()
        .filter(|p| p.is_error())
        .peekable();
    errors.peek().is_some()
        && errors.all(|p| p.rule == Rule::TooManyBytes && p.path.ends_with("content"))
}

/// A key in the split offer.
pub(super) fn on_split_key(
    app: &mut App,
    mut offer: SplitOffer,
    action: Option<Action>,
    fx: &mut Vec<Effect>,
) {
    match offer.on_action(action) {
        SplitOutcome::Stay => app.popup = Some(Popup::Split(offer)),
        SplitOutcome::Closed => {
            app.status = Status::info(crate::tr!("later.nothing_sent").into_owned())
        }
        SplitOutcome::Send(parts) => super::send_parts(app, parts, fx),
    }
}

/// Outbox tab, e: the item's message becomes the draft of its robot and
/// type; sending it then sends it in the item's place (at its due time if
/// it had one to come).
pub(super) fn edit_item(app: &mut App, item: &OutboxItem) -> bool {
    if item.upload.is_some() {
        app.status =
            Status::error(crate::tr!("later.upload_not_editable", id = item.id).into_owned());
        return false;
    }
    let message = match Message::from_json_str(&item.payload) {
        Ok(m) => m,
        Err(e) => {
            app.status = Status::error(
                crate::tr!(
                    "later.item_not_a_draft",
                    id = item.id,
                    error = one_line(&e.to_string())
                )
                .into_owned(),
            );
            return false;
        }
    };
    if !super::memory::load_draft(app, &item.robot_name, &message) {
        return false;
    }
    let now = Local::now().timestamp_millis();
    app.editing = Some(EditedItem {
        outbox_id: item.id,
        robot: item.robot_name.clone(),
        kind: message.kind(),
        due_ms: item.due_ms.filter(|due| *due > now),
    });
    let when = match item.due_ms.filter(|due| *due > now) {
        Some(due) => crate::tr!(
            "later.editing_due",
            id = item.id,
            at = crate::delivery::due::local_time(due)
        ),
        None => crate::tr!("later.editing_now", id = item.id),
    };
    app.status = Status::info(when.into_owned());
    true
}

/// A draft edited from an outbox item goes in that item's place, to its
/// one robot: with robots marked it would go to them as well, so it is
/// refused (and said) rather than sent twice. True when refused.
pub(super) fn refuse_edited_broadcast(app: &mut App) -> bool {
    match edited(app) {
        Some(e) if !app.marked.is_empty() => {
            app.status = Status::error(
                crate::tr!(
                    "later.edited_broadcast",
                    id = e.outbox_id,
                    robot = one_line(&e.robot)
                )
                .into_owned(),
            );
            true
        }
        _ => false,
    }
}

/// Whether the draft shown is the one opened from an outbox item.
fn edited(app: &App) -> Option<EditedItem> {
    app.editing
        .clone()
        .filter(|e| e.robot == app.robot_name() && e.kind == app.kind)
}

/// `effect` as it should run: after the outbox item the draft was edited
/// from is taken out, when there is one.
pub(super) fn in_place_of_edited(app: &mut App, effect: Effect) -> Effect {
    match edited(app) {
        Some(e) => {
            app.editing = None;
            Effect::InPlaceOf {
                outbox_id: e.outbox_id,
                then: Box::new(effect),
            }
        }
        None => effect,
    }
}

/// Ctrl-S on a draft edited from an item that was due later: it is queued
/// for the same time rather than sent now. False when that is not the case.
pub(super) fn send_edited_later(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    let Some(EditedItem {
        due_ms: Some(due_ms),
        ..
    }) = edited(app)
    else {
        return false;
    };
    if due_ms <= Local::now().timestamp_millis() {
        return false;
    }
    queue(
        app,
        crate::delivery::when::Due {
            at_ms: due_ms,
            rolled_over: false,
        },
        fx,
    );
    true
}

/// The item an edit was to replace had already gone (or the outbox
/// failed): the edit is not sent, and the status says why and what to do.
pub(super) fn replaced(
    app: &mut App,
    id: i64,
    result: Result<bool, String>,
    then: Effect,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(true) => {
            fx.push(then);
        }
        Ok(false) => {
            if matches!(then, Effect::Send { .. }) {
                app.sending = None;
                fx.push(Effect::Animate(false));
            }
            app.status = Status::error(crate::tr!("later.item_gone", id = id).into_owned());
        }
        Err(e) => {
            if matches!(then, Effect::Send { .. }) {
                app.sending = None;
                fx.push(Effect::Animate(false));
            }
            app.status = Status::error(
                crate::tr!("later.outbox_unchanged", error = one_line(&e)).into_owned(),
            );
        }
    }
}
