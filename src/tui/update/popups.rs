//! Keys in pop-ups (help, templates, robot dialog, confirmations) and the
//! robot changes they make.

use super::*;

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

pub(super) fn on_popup_key(app: &mut App, popup: Popup, key: KeyEvent, fx: &mut Vec<Effect>) {
    let is =
        |c: char| key.code == KeyCode::Char(c) && !key.modifiers.contains(KeyModifiers::CONTROL);
    match popup {
        Popup::Help { scroll } => {
            let last = view::help_max_scroll(app);
            let scroll = match key.code {
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(10),
                KeyCode::Home => 0,
                KeyCode::End => last,
                _ => return, // Esc, F1, Enter, q, anything: closes
            };
            // Scrolling stops at the last line, never into a blank page.
            app.popup = Some(Popup::Help {
                scroll: scroll.min(last),
            });
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
        Popup::ConfirmDeleteTemplate { name } => {
            let yes = is('y') || key.code == KeyCode::Enter;
            if !(yes || key.code == KeyCode::Esc || is('n')) {
                app.popup = Some(Popup::ConfirmDeleteTemplate { name });
                return;
            }
            if yes {
                fx.push(Effect::DeleteTemplate(name));
            }
            // Back to the list, read again.
            app.popup = Some(Popup::Templates(TemplatePicker::new()));
            fx.push(Effect::ListTemplates);
        }
        Popup::ConfirmDelete { name } => {
            if is('y') || key.code == KeyCode::Enter {
                delete_robot(app, &name, fx);
            } else if !(key.code == KeyCode::Esc || is('n')) {
                app.popup = Some(Popup::ConfirmDelete { name });
            }
        }
        Popup::Robot(mut dialog) => match keymap::resolve(&key, Context::RobotDialog) {
            Some(Action::Quit) => {
                app.quitting = true;
                fx.push(Effect::SaveDrafts);
            }
            Some(Action::RevealKey) => {
                dialog.toggle_reveal();
                app.popup = Some(Popup::Robot(dialog));
            }
            _ => robot_dialog_key(app, dialog, key, fx),
        },
    }
}

fn robot_dialog_key(app: &mut App, mut dialog: RobotDialog, key: KeyEvent, fx: &mut Vec<Effect>) {
    match key.code {
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
    }
}

pub(super) fn on_templates_key(
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
    } else if key.code == KeyCode::Up || plain('k') {
        picker.selected = picker.selected.saturating_sub(1);
    } else if key.code == KeyCode::Down || plain('j') {
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
                app.popup = Some(Popup::ConfirmDeleteTemplate { name: t.name });
                return;
            }
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
