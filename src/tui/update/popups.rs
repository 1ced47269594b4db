//! Keys in pop-ups, handed to each pop-up's module (`tui/popup/`), and what
//! the app does with their outcome: the robot changes, loading a template.

use ratatui::crossterm::event::KeyEvent;

use super::attachment::on_browser_action;
use super::{App, Effect, Focus, Status, Tone, quit, select_kind};
use crate::store::config::RelayCode;
use crate::tui::compose::DraftKey;
use crate::tui::keymap::Action;
use crate::tui::msg::FreshCode;
use crate::tui::popup::confirm::{Answer, answer};
use crate::tui::popup::help;
use crate::tui::popup::robot::RobotOutcome;
use crate::tui::popup::templates::{Draft, TemplatesOutcome};
use crate::tui::popup::{Popup, RobotDialog, TemplatePicker};
use crate::tui::text;

pub(super) fn robot_command(app: &mut App, action: Action) {
    let Some(robot) = app.robot().cloned() else {
        return;
    };
    if robot.is_sandbox {
        app.status = Status::info(text::shown(text::SANDBOX_IS_BUILT_IN));
        return;
    }
    app.popup = Some(match action {
        Action::EditRobot => {
            let masked = app
                .config
                .robot(&robot.name)
                .map(|r| r.masked_webhook(&app.config.base()))
                .unwrap_or_default();
            let codes = codes_of(&app.config, &robot.name);
            Popup::Robot(RobotDialog::edit(&robot.name, masked).with_codes(codes))
        }
        Action::RenameRobot => Popup::Robot(RobotDialog::rename(&robot.name)),
        _ => Popup::ConfirmDelete { name: robot.name },
    });
}

/// A key while a pop-up is open: `action` is what the key map made of it
/// in the pop-up's context. The pop-up's module does what it can alone and
/// says what is left for the app (load, save, delete, quit).
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
        // The language changes under the open help, which stays.
        Popup::Help { scroll } if action == Some(Action::SwitchLanguage) => {
            switch_language(app, fx);
            app.popup = Some(Popup::Help { scroll });
        }
        Popup::Help { scroll } => {
            let last = help::max_scroll(app);
            if let Some(scroll) = help::on_action(scroll, action, last) {
                app.popup = Some(Popup::Help { scroll });
            }
        }
        Popup::Templates(picker) => on_templates_action(app, picker, action, key, fx),
        Popup::Browser(browser) => on_browser_action(app, browser, action, fx),
        Popup::Memory(screen) => super::memory::on_action(app, screen, action, key, fx),
        Popup::Later(later) => super::later::on_key(app, later, action, key, fx),
        Popup::Split(offer) => super::later::on_split_key(app, offer, action, fx),
        Popup::Results(view) => super::broadcast::on_results_action(app, view, action, fx),
        Popup::QuitWithOutbox { left } => {
            super::broadcast::on_quit_outbox_action(app, left, action, fx)
        }
        Popup::ConfirmQuit { reason } => match answer(action) {
            Answer::Yes => fx.push(Effect::Quit),
            Answer::No => {}
            Answer::Undecided => app.popup = Some(Popup::ConfirmQuit { reason }),
        },
        Popup::ConfirmDeleteTemplate { name } => {
            match answer(action) {
                Answer::Yes => fx.push(Effect::DeleteTemplate(name)),
                Answer::No => {}
                Answer::Undecided => {
                    app.popup = Some(Popup::ConfirmDeleteTemplate { name });
                    return;
                }
            }
            // Back to the list, read again.
            app.popup = Some(Popup::Templates(TemplatePicker::new()));
            fx.push(Effect::ListTemplates);
        }
        Popup::ConfirmDelete { name } => match answer(action) {
            Answer::Yes => delete_robot(app, &name, fx),
            Answer::No => {}
            Answer::Undecided => app.popup = Some(Popup::ConfirmDelete { name }),
        },
        Popup::Robot(mut dialog) => match dialog.on_action(action, key) {
            RobotOutcome::Closed => {}
            RobotOutcome::Stay => app.popup = Some(Popup::Robot(dialog)),
            RobotOutcome::Save => save_robot(app, dialog, fx),
            RobotOutcome::NewCode => new_relay_code(app, dialog, fx),
            RobotOutcome::CopyCurl(curl) => {
                let id = dialog.codes.fresh.as_ref().map(|f| f.id.clone());
                // The status line names the code by id only: the code is a
                // secret shown in the dialog alone.
                app.status = Status::info(
                    crate::tr!(
                        "status.curl_copied",
                        id = id.unwrap_or_default(),
                        bytes = curl.len()
                    )
                    .into_owned(),
                );
                fx.push(Effect::Copy(curl));
                app.popup = Some(Popup::Robot(dialog));
            }
            RobotOutcome::Revoke(id) => revoke_relay_code(app, dialog, &id, fx),
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
    let draft = match &app.derived.message {
        _ if app.derived.bytes.is_some_and(|(used, _)| used == 0) => Draft::Empty,
        Some(message) => Draft::Ready(message),
        None => Draft::Unfinished,
    };
    match picker.on_action(action, key, draft) {
        TemplatesOutcome::Stay => {}
        TemplatesOutcome::Closed => return,
        TemplatesOutcome::Load(t) => {
            load_template(app, &t);
            return;
        }
        TemplatesOutcome::Save { name, message } => fx.push(Effect::SaveTemplate { name, message }),
        TemplatesOutcome::AskDelete(name) => {
            app.popup = Some(Popup::ConfirmDeleteTemplate { name });
            return;
        }
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
    app.status = Status::info(
        crate::tr!(
            "status.template_loaded",
            name = crate::untrusted::one_line(&t.name),
            kind = t.message.kind().shown(),
            undo = text::shown(text::CTRL_Z_UNDOES)
        )
        .into_owned(),
    );
}

/// The other language from now on, saved as `language` in config.toml
/// (only that line changes: the save merges into the file as it is).
pub(super) fn switch_language(app: &mut App, fx: &mut Vec<Effect>) {
    let lang = crate::i18n::current().other();
    crate::i18n::set(lang);
    app.config.language = Some(lang.setting());
    // The checks' sentences are made when the draft changes: again now.
    app.derived.source = None;
    // So are the preview's lint hints and quick-fix labels: draw it again.
    app.preview_state.shown = None;
    // So are the empty fields' placeholders.
    for comp in app.compositions.values_mut() {
        comp.relabel();
    }
    app.status = Status::info(crate::tr!("status.language_switched").into_owned());
    save_config(app, fx);
}

pub(super) fn save_config(app: &mut App, fx: &mut Vec<Effect>) {
    if app.config_error.is_some() {
        app.status = Status::error(crate::tr!("status.session_only").into_owned());
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
                text: crate::tr!("status.robot_saved", name = name).into_owned(),
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

/// `n` in the robot dialog's codes: the code is drawn by the runtime
/// ([`Effect::DrawRelayCode`]) and kept when it comes back.
fn new_relay_code(app: &mut App, mut dialog: RobotDialog, fx: &mut Vec<Effect>) {
    match (dialog.original(), &app.config_error) {
        (Some(robot), None) => fx.push(Effect::DrawRelayCode {
            robot: robot.to_owned(),
        }),
        (Some(_), Some(_)) => {
            dialog.error = Some(
                "The config file could not be read, so a relay code could not be saved: fix config.toml, then try again."
                    .to_owned(),
            )
        }
        (None, _) => {}
    }
    app.popup = Some(Popup::Robot(dialog));
}

/// A relay code was drawn for `robot`: its hash is kept in the config
/// (saved at once, so `wecom serve` takes it), and the dialog shows it
/// this once. A code for a dialog closed since is dropped unsaved.
pub(super) fn relay_code_drawn(app: &mut App, robot: &str, code: &FreshCode, fx: &mut Vec<Effect>) {
    let Some(Popup::Robot(dialog)) = &mut app.popup else {
        return;
    };
    if dialog.original() != Some(robot) {
        return;
    }
    match app.config.add_relay_code(robot, &code.0) {
        Ok(entry) => {
            let list = codes_of(&app.config, robot);
            dialog.code_made(list, entry.id.clone(), &code.0);
            app.status = Status {
                tone: Tone::Success,
                text: crate::tr!(
                    "status.relay_code_made",
                    id = entry.id,
                    robot = crate::untrusted::one_line(robot)
                )
                .into_owned(),
                detail: None,
            };
            save_config(app, fx);
        }
        Err(e) => dialog.error = Some(e.to_string()),
    }
}

fn revoke_relay_code(app: &mut App, mut dialog: RobotDialog, id: &str, fx: &mut Vec<Effect>) {
    let Some(robot) = dialog.original().map(str::to_owned) else {
        return;
    };
    match app.config.revoke_relay_code(&robot, id) {
        Ok(gone) => {
            dialog.code_revoked(codes_of(&app.config, &robot), &gone.id);
            app.status = Status::info(
                crate::tr!(
                    "status.relay_code_revoked",
                    id = gone.id,
                    robot = crate::untrusted::one_line(&robot)
                )
                .into_owned(),
            );
            save_config(app, fx);
        }
        Err(e) => dialog.error = Some(e.to_string()),
    }
    app.popup = Some(Popup::Robot(dialog));
}

/// The robot's relay codes, for the dialog's list.
fn codes_of(config: &crate::store::config::Config, robot: &str) -> Vec<RelayCode> {
    config
        .relay_codes_of(robot)
        .map(|l| l.into_iter().cloned().collect())
        .unwrap_or_default()
}

pub(super) fn rename_drafts(app: &mut App, from: &str, to: &str) {
    let keys: Vec<_> = app
        .compositions
        .keys()
        .filter(|k| k.robot == from)
        .cloned()
        .collect();
    for key in keys {
        if let Some(comp) = app.compositions.remove(&key) {
            let renamed = DraftKey {
                robot: to.to_owned(),
                kind: key.kind,
            };
            app.compositions.insert(renamed, comp);
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
    app.compositions.retain(|k, _| k.robot != name);
    app.drafts.remove_robot(name);
    app.drafts_dirty = true;
    app.reload_robots(None);
    app.ensure_composition();
    app.status = Status::info(
        crate::tr!(
            "status.robot_deleted",
            name = crate::untrusted::one_line(name)
        )
        .into_owned(),
    );
    save_config(app, fx);
}
