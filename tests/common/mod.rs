//! Shared helpers for the composer's tests: an app built from fixed inputs,
//! keys, and a screen rendered into a `TestBackend`.
#![allow(dead_code)]

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use url::Url;
use wecom_composer::store::config::Config;
use wecom_composer::store::drafts::Drafts;
use wecom_composer::tui::app::{App, SandboxInfo, Startup};
use wecom_composer::tui::msg::{Effect, Msg};
use wecom_composer::tui::theme::Theme;
use wecom_composer::tui::{update, view};
use wecom_composer::wecom::{Key, Webhook};

/// An obviously fake key, searched for in every screen.
pub const FAKE_KEY: &str = "fake-key-0000-tui-test-9f3a";

pub fn sandbox_info() -> SandboxInfo {
    let base = Url::parse("http://127.0.0.1:40001").expect("url");
    SandboxInfo {
        webhook: Webhook::new(&base, Key::new("wecom-sandbox-demo-key").expect("key")),
        record_path: PathBuf::from("/home/user/.local/share/wecom-composer/sandbox-messages.jsonl"),
    }
}

pub fn startup(config: Config, drafts: Drafts) -> Startup {
    Startup {
        config,
        config_path: PathBuf::from("/home/user/.config/wecom-composer/config.toml"),
        config_error: None,
        drafts,
        drafts_warning: None,
        sandbox: Some(sandbox_info()),
        theme: Theme { color: true },
        size: (100, 30),
    }
}

/// A config with two robots, one of which holds [`FAKE_KEY`].
pub fn config_with_robots() -> Config {
    let mut c = Config::default();
    c.add_robot("ops-alerts", FAKE_KEY).expect("add");
    c.add_robot(
        "staging",
        "http://127.0.0.1:40002/cgi-bin/webhook/send?key=fake-key-staging-0000",
    )
    .expect("add");
    c
}

pub fn app(config: Config) -> App {
    App::new(startup(config, Drafts::default()))
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types text key by key, as a person would.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        update(app, key(code));
    }
}

pub fn press(app: &mut App, msg: Msg) -> Vec<Effect> {
    update(app, msg)
}

/// The screen as text, `width`×`height`.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::render(app, f)).expect("draw");
    let text = terminal.backend().to_string();
    assert!(
        !text.contains(FAKE_KEY),
        "the key leaked onto the screen:\n{text}"
    );
    text
}
