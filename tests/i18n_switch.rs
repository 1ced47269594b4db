//! F12 switches the composer's language at run time, from the main screen
//! and from the help, and asks for config.toml to remember it. The test's
//! thread has a language of its own, which the key switches.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::i18n::{self, Lang, Setting};
use wecom_composer::store::config::Config;
use wecom_composer::tui::msg::Effect;
use wecom_composer::tui::popup::Popup;

/// The language the effects ask config.toml to keep.
fn saved_language(effects: &[Effect]) -> Option<Option<Setting>> {
    effects.iter().find_map(|e| match e {
        Effect::SaveConfig(config) => Some(config.language),
        _ => None,
    })
}

#[test]
fn f12_switches_the_language_and_remembers_it() {
    i18n::set_for_this_thread(Lang::En);
    let mut app = app(Config::default());
    assert!(screen(&app, 100, 30).contains(" Robots "));

    let effects = press(&mut app, key(KeyCode::F(12)));
    assert_eq!(i18n::current(), Lang::ZhCn);
    assert_eq!(saved_language(&effects), Some(Some(Setting::ZhCn)));
    let shown = screen(&app, 100, 30);
    assert!(shown.contains(" 机器人 "), "{shown}");
    assert!(
        shown.contains("界面语言：简体中文"),
        "the status says so:\n{shown}"
    );
    assert!(
        shown.contains("Ctrl-S 发送"),
        "the footer follows:\n{shown}"
    );

    // From the help screen too, which stays open in the other language.
    press(&mut app, key(KeyCode::F(1)));
    let effects = press(&mut app, key(KeyCode::F(12)));
    assert!(
        matches!(app.popup, Some(Popup::Help { .. })),
        "help stays open"
    );
    assert_eq!(i18n::current(), Lang::En);
    assert_eq!(saved_language(&effects), Some(Some(Setting::En)));
    let shown = screen(&app, 100, 30);
    assert!(
        shown.contains("Keys — the same list drives the footer"),
        "{shown}"
    );
    i18n::set(Lang::En);
}
