//! The History and Outbox screen's keys: the key map's actions turned into
//! the screen's, and the screen's outcomes into the composer's effects.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{App, Effect, Focus, Status, select_kind, send};
use crate::store::history::HistoryEntry;
use crate::tui::keymap::Action;
use crate::tui::memory::{MemoryScreen, Outcome, ScreenAction, Tab};
use crate::tui::popup::Popup;
use crate::tui::text;
use crate::untrusted::one_line;
use crate::wecom::Message;

/// F10: the screen, on the history.
pub(super) fn open(app: &mut App) {
    let Some(pages) = app.services.history.clone() else {
        app.status = Status::error(text::shown(text::NO_HISTORY));
        return;
    };
    let outbox = app
        .services
        .outbox
        .as_ref()
        .and_then(|o| o.list().ok())
        .unwrap_or_default();
    let offset = *chrono::Local::now().offset();
    let mut screen = MemoryScreen::new(Tab::History, pages.as_ref(), outbox, offset);
    let height =
        MemoryScreen::list_height(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1));
    screen.set_height(height, pages.as_ref());
    if let Some(list) = app.services.schedules.as_ref().and_then(|s| s.list().ok()) {
        screen.set_schedules(list);
    }
    app.popup = Some(Popup::Memory(Box::new(screen)));
}

/// Typing in the filter paused: search now, if it is still the same
/// filter on the same screen.
pub(super) fn filter_quiet(app: &mut App, generation: u64) {
    let Some(pages) = app.services.history.clone() else {
        return;
    };
    if let Some(Popup::Memory(screen)) = &mut app.popup {
        screen.filter_quiet(generation, pages.as_ref());
    }
}

/// A key on the screen.
pub(super) fn on_action(
    app: &mut App,
    mut screen: Box<MemoryScreen>,
    action: Option<Action>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    let Some(pages) = app.services.history.clone() else {
        return;
    };
    let wanted = match action {
        Some(Action::Up) => Some(ScreenAction::Up),
        Some(Action::Down) => Some(ScreenAction::Down),
        Some(Action::PageUp) => Some(ScreenAction::PageUp),
        Some(Action::PageDown) => Some(ScreenAction::PageDown),
        Some(Action::Top) => Some(ScreenAction::Home),
        Some(Action::Bottom) => Some(ScreenAction::End),
        Some(Action::Select) => Some(ScreenAction::Details),
        Some(Action::Close) => Some(ScreenAction::Back),
        Some(Action::NextTab) => Some(ScreenAction::NextTab),
        Some(Action::Reopen) => Some(ScreenAction::Reopen),
        Some(Action::Resend) => Some(ScreenAction::Resend),
        Some(Action::CopyPayload) => Some(ScreenAction::Copy),
        Some(Action::CancelItem) => Some(ScreenAction::Cancel),
        Some(Action::RetryItem) => Some(ScreenAction::RetryNow),
        Some(_) => None,
        // Not a command: text for the history's filter.
        None => match key.code {
            KeyCode::Char(c) => Some(ScreenAction::Type(c)),
            KeyCode::Backspace => Some(ScreenAction::Backspace),
            _ => None,
        },
    };
    let outcome = match wanted {
        Some(a) => screen.handle(a, pages.as_ref()),
        None => Outcome::Nothing,
    };
    match outcome {
        Outcome::Nothing => app.popup = Some(Popup::Memory(screen)),
        Outcome::Close => {}
        Outcome::Reopen(entry) => {
            reopen(app, &entry);
        }
        Outcome::Resend(entry) => {
            if reopen(app, &entry) {
                send(app, false, fx);
            }
        }
        Outcome::Copy { text, what } => {
            app.status = super::copy::copied_status(what, &text);
            fx.push(Effect::Copy(text));
            app.popup = Some(Popup::Memory(screen));
        }
        Outcome::CancelItem(id) => {
            fx.push(Effect::OutboxCancel(id));
            app.popup = Some(Popup::Memory(screen));
        }
        Outcome::RetryItem(id) => {
            fx.push(Effect::OutboxRetry(id));
            app.popup = Some(Popup::Memory(screen));
        }
        Outcome::FilterLater(generation) => {
            fx.push(Effect::HistoryQuiet(generation));
            app.popup = Some(Popup::Memory(screen));
        }
        Outcome::EditItem(item) => {
            if !super::later::edit_item(app, &item) {
                app.popup = Some(Popup::Memory(screen));
            }
        }
    }
}

/// Puts `entry`'s message in the composer as the draft of its robot and
/// type; the draft it replaces is kept for Ctrl-Z. False (and the status
/// says why) when its robot is gone or its payload cannot be read.
fn reopen(app: &mut App, entry: &HistoryEntry) -> bool {
    let message = match Message::from_json_str(&entry.payload) {
        Ok(m) => m,
        Err(e) => {
            app.status = Status::error(
                crate::tr!("memory.entry_not_a_draft", error = one_line(&e.to_string()))
                    .into_owned(),
            );
            return false;
        }
    };
    if !load_draft(app, &entry.robot_name, &message) {
        return false;
    }
    app.status = Status::info(
        crate::tr!(
            "memory.reopened",
            id = entry.id,
            kind = message.kind().shown(),
            robot = one_line(&entry.robot_name),
            undo = text::shown(text::CTRL_Z_UNDOES)
        )
        .into_owned(),
    );
    true
}

/// Makes `message` the draft of `robot` and its type, keeping the draft it
/// replaces for Ctrl-Z. False (and the status says why) when the robot is
/// not in the list any more.
pub(super) fn load_draft(app: &mut App, robot: &str, message: &Message) -> bool {
    let Some(index) = app.robots.iter().position(|r| r.name == robot) else {
        app.status =
            Status::error(crate::tr!("memory.robot_gone", robot = one_line(robot)).into_owned());
        return false;
    };
    app.robot_index = index;
    app.ensure_composition();
    select_kind(app, message.kind());
    app.remember_for_undo();
    if let Some(comp) = app.composition_mut() {
        comp.load(message);
    }
    app.drafts_dirty = true;
    app.focus = Focus::Editor(app.fields()[0]);
    true
}
