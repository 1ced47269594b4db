//! Keys in pop-ups (help, templates, robot dialog, confirmations) and the
//! robot changes they make.

use ratatui::crossterm::event::KeyEvent;

use super::attachment::on_browser_action;
use super::{App, Effect, Focus, Status, Tone, quit, select_kind};
use crate::tui::dialog::{RobotDialog, TemplatePicker};
use crate::tui::help;
use crate::tui::keymap::Action;
use crate::tui::popup::Popup;
use crate::tui::text;

pub(super) fn robot_command(app: &mut App, action: Action) {
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

/// A key while a pop-up is open: `action` is what the key map made of it
/// in the pop-up's context; a key that is no command is text for the
/// pop-up's field, if it has one.
pub(super) fn on_popup_key(
    app: &mut App,
    popup: Popup,
    action: Option<Action>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    if action == Some(Action::Quit) {
        quit(app, fx);
        return;
    }
    match popup {
        Popup::Help { scroll } => {
            let last = help::max_scroll(app);
            let scroll = match action {
                Some(Action::Up) => scroll.saturating_sub(1),
                Some(Action::Down) => scroll.saturating_add(1),
                Some(Action::PageUp) => scroll.saturating_sub(10),
                Some(Action::PageDown) => scroll.saturating_add(10),
                Some(Action::Top) => 0,
                Some(Action::Bottom) => last,
                _ => return, // Esc, F1, Enter, q, anything: closes
            };
            // Scrolling stops at the last line, never into a blank page.
            app.popup = Some(Popup::Help {
                scroll: scroll.min(last),
            });
        }
        Popup::Templates(picker) => on_templates_action(app, picker, action, key, fx),
        Popup::Browser(browser) => on_browser_action(app, browser, action, fx),
        Popup::Memory(screen) => super::memory::on_action(app, screen, action, key, fx),
        Popup::Results(view) => super::broadcast::on_results_action(app, view, action, fx),
        Popup::QuitWithOutbox { left } => {
            super::broadcast::on_quit_outbox_action(app, left, action, fx)
        }
        Popup::ConfirmQuit { reason } => match action {
            Some(Action::Confirm) => fx.push(Effect::Quit),
            Some(Action::Close) => {}
            _ => app.popup = Some(Popup::ConfirmQuit { reason }),
        },
        Popup::ConfirmDeleteTemplate { name } => {
            match action {
                Some(Action::Confirm) => fx.push(Effect::DeleteTemplate(name)),
                Some(Action::Close) => {}
                _ => {
                    app.popup = Some(Popup::ConfirmDeleteTemplate { name });
                    return;
                }
            }
            // Back to the list, read again.
            app.popup = Some(Popup::Templates(TemplatePicker::new()));
            fx.push(Effect::ListTemplates);
        }
        Popup::ConfirmDelete { name } => match action {
            Some(Action::Confirm) => delete_robot(app, &name, fx),
            Some(Action::Close) => {}
            _ => app.popup = Some(Popup::ConfirmDelete { name }),
        },
        Popup::Robot(mut dialog) => match action {
            Some(Action::Close) => {}
            Some(Action::RevealKey) => {
                dialog.toggle_reveal();
                app.popup = Some(Popup::Robot(dialog));
            }
            Some(Action::SwitchField) => {
                dialog.toggle_focus();
                app.popup = Some(Popup::Robot(dialog));
            }
            Some(Action::Submit) => save_robot(app, dialog, fx),
            _ => {
                dialog.field_mut().input(key);
                dialog.error = None;
                app.popup = Some(Popup::Robot(dialog));
            }
        },
    }
}

fn on_templates_action(
    app: &mut App,
    mut picker: TemplatePicker,
    action: Option<Action>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    if let Some(naming) = picker.naming.as_mut() {
        match action {
            Some(Action::Close) => picker.naming = None,
            Some(Action::Submit) => match app.derived.message.clone() {
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
    match action {
        Some(Action::Close) => return,
        Some(Action::Up) => picker.selected = picker.selected.saturating_sub(1),
        Some(Action::Down) => picker.selected = (picker.selected + 1).min(count.saturating_sub(1)),
        Some(Action::SaveTemplate) => picker.start_naming(),
        Some(Action::Select) => {
            if let Some(t) = picker.selected_template().cloned() {
                load_template(app, &t);
                return;
            }
        }
        Some(Action::DeleteTemplate) => match picker.selected_template() {
            Some(t) if t.builtin => {
                picker.note = Some("Built-in examples cannot be deleted.".into())
            }
            Some(t) => {
                app.popup = Some(Popup::ConfirmDeleteTemplate {
                    name: t.name.clone(),
                });
                return;
            }
            None => {}
        },
        _ => {}
    }
    app.popup = Some(Popup::Templates(picker));
}

pub(super) fn load_template(app: &mut App, t: &crate::store::templates::Template) {
    select_kind(app, t.message.kind());
    app.remember_for_undo();
    if let Some(comp) = app.composition_mut() {
        comp.load(&t.message);
    }
    app.drafts_dirty = true;
    app.focus = Focus::Editor(app.fields()[0]);
    app.status = Status::info(format!(
        "Loaded template {} into the {} draft. {}",
        t.name,
        t.message.kind().label(),
        text::CTRL_Z_UNDOES
    ));
}

pub(super) fn save_config(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config_error.is_some() {
        app.status = Status::error(
            "Changed for this session only: the config file could not be read, so it is left untouched.",
        );
    } else {
        fx.push(Effect::SaveConfig(app.config.clone()));
    }
}

pub(super) fn save_robot(app: &mut App, mut dialog: RobotDialog, fx: &mut Vec<Effect>) {
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

pub(super) fn rename_drafts(app: &mut App, from: &str, to: &str) {
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

pub(super) fn delete_robot(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
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
