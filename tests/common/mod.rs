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
    // English unless the test chose a language for its thread first: the
    // process's language is shared with the tests running beside this one.
    if wecom_composer::i18n::thread_language().is_none() {
        wecom_composer::i18n::set_for_this_thread(wecom_composer::i18n::Lang::En);
    }
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

/// The composer driven as a person drives it, by keys and text, with the
/// screen and the effects to assert on; calls chain, in the manner of
/// slumber's `view/test_util.rs`:
///
/// ```ignore
/// Harness::new(Config::default())
///     .send_text("hello")
///     .send_key(KeyCode::F(1))
///     .assert_screen_contains("Keys — the same list drives the footer");
/// ```
pub struct Harness {
    pub app: App,
    /// The effects of every input since the last `take_effects`.
    pub effects: Vec<Effect>,
    pub width: u16,
    pub height: u16,
}

impl Harness {
    pub fn new(config: Config) -> Harness {
        Harness::from_startup(startup(config, Drafts::default()))
    }

    pub fn from_startup(startup: Startup) -> Harness {
        let mut app = App::new(startup);
        let (width, height) = (120, 35);
        let mut effects = update(&mut app, Msg::Resized { width, height });
        effects.extend(update(&mut app, Msg::Started));
        Harness {
            app,
            effects,
            width,
            height,
        }
    }

    /// Any message, as the runtime would deliver it.
    pub fn send(&mut self, msg: Msg) -> &mut Harness {
        let fx = update(&mut self.app, msg);
        self.effects.extend(fx);
        self
    }

    /// A key with no modifiers.
    pub fn send_key(&mut self, code: KeyCode) -> &mut Harness {
        self.send(key(code))
    }

    /// A key with modifiers (`Ctrl-S`, `Alt-↑`).
    pub fn send_chord(&mut self, code: KeyCode, mods: KeyModifiers) -> &mut Harness {
        self.send(Msg::Key(KeyEvent::new(code, mods)))
    }

    /// Ctrl and a letter.
    pub fn send_ctrl(&mut self, c: char) -> &mut Harness {
        self.send(ctrl(c))
    }

    /// Text typed key by key (a newline is Enter).
    pub fn send_text(&mut self, text: &str) -> &mut Harness {
        for c in text.chars() {
            self.send_key(if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            });
        }
        self
    }

    /// Presses `code` until `done` holds, at most `limit` times; fails the
    /// test if it never does (a key that does not do what it says).
    pub fn press_until(
        &mut self,
        code: KeyCode,
        limit: usize,
        done: impl Fn(&App) -> bool,
    ) -> &mut Harness {
        for _ in 0..limit {
            if done(&self.app) {
                return self;
            }
            self.send_key(code);
        }
        assert!(
            done(&self.app),
            "{code:?} pressed {limit} times did not get there"
        );
        self
    }

    /// Moves the keyboard to `focus` with Tab, as a person would.
    pub fn tab_to(&mut self, focus: wecom_composer::tui::app::Focus) -> &mut Harness {
        self.press_until(KeyCode::Tab, 20, |app| app.focus == focus)
    }

    /// The current message type changed to `kind` from the type list.
    pub fn choose_kind(&mut self, kind: wecom_composer::wecom::MessageKind) -> &mut Harness {
        self.tab_to(wecom_composer::tui::app::Focus::Types)
            .press_until(KeyCode::Char('j'), 20, |app| app.kind == kind)
            .send_key(KeyCode::Enter)
    }

    /// Where the keys go now.
    pub fn context(&self) -> wecom_composer::tui::keymap::Context {
        self.app.key_context()
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        screen(&self.app, self.width, self.height)
    }

    /// The screen with its styles, to see changes that are only colour (a
    /// selection, the cursor).
    pub fn buffer(&self) -> ratatui::buffer::Buffer {
        let mut terminal =
            Terminal::new(TestBackend::new(self.width, self.height)).expect("terminal");
        terminal.draw(|f| view::render(&self.app, f)).expect("draw");
        terminal.backend().buffer().clone()
    }

    pub fn assert_screen_contains(&mut self, text: &str) -> &mut Harness {
        let shown = self.screen();
        assert!(shown.contains(text), "{text:?} not on screen:\n{shown}");
        self
    }

    pub fn assert_screen_lacks(&mut self, text: &str) -> &mut Harness {
        let shown = self.screen();
        assert!(!shown.contains(text), "{text:?} on screen:\n{shown}");
        self
    }

    /// Asserts that some effect since the last `take_effects` matches.
    pub fn assert_effect(&mut self, what: &str, matches: impl Fn(&Effect) -> bool) -> &mut Harness {
        assert!(
            self.effects.iter().any(matches),
            "no effect {what}: {:?}",
            self.effects
        );
        self
    }

    /// Asserts on the state.
    pub fn assert_app(&mut self, what: &str, holds: impl Fn(&App) -> bool) -> &mut Harness {
        assert!(
            holds(&self.app),
            "{what}: status {:?}",
            self.app.status.text
        );
        self
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
}

/// An outbox item of `robot` holding `payload`, queued, due at `due_ms`
/// when given.
pub fn outbox_item(
    id: i64,
    robot: &str,
    payload: &str,
    due_ms: Option<i64>,
) -> wecom_composer::store::outbox::OutboxItem {
    wecom_composer::store::outbox::OutboxItem {
        id,
        batch: "b".to_owned(),
        seq: id,
        part: None,
        label: "markdown".to_owned(),
        robot_name: robot.to_owned(),
        robot: "fp".to_owned(),
        msgtype: "markdown".to_owned(),
        payload: payload.to_owned(),
        upload: None,
        state: wecom_composer::store::outbox::OutboxState::Queued,
        attempts: 0,
        created_ms: 1_764_579_600_000,
        first_try_ms: None,
        next_attempt_ms: None,
        give_up_ms: None,
        lease_owner: None,
        lease_until_ms: None,
        waited_ms: 0,
        last_error: None,
        transient: false,
        due_ms,
        expand: due_ms.is_some(),
    }
}

/// Gives this test's thread Chinese, so the tests beside it (and the
/// English snapshots) never see it.
pub fn zh() {
    wecom_composer::i18n::set_for_this_thread(wecom_composer::i18n::Lang::ZhCn);
}

/// The footer: the screen's last line, without the padding (and without
/// the backend's note on wide characters after the closing quote).
pub fn footer(shown: &str) -> String {
    let last = shown.lines().last().expect("a screen");
    let inside = last.strip_prefix('"').expect("quoted");
    let end = inside.find('"').expect("closing quote");
    inside[..end].trim_end().to_owned()
}

/// Every hint of the footer is whole (its key and full label, as the key
/// map has them) and the line fits the width in display columns.
pub fn assert_whole_hints(
    shown: &str,
    context: wecom_composer::tui::keymap::Context,
    width: usize,
) {
    let line = footer(shown);
    assert!(
        unicode_width::UnicodeWidthStr::width(line.as_str()) <= width,
        "{line}"
    );
    assert!(!line.is_empty(), "a footer:\n{shown}");
    let hints = wecom_composer::tui::keymap::footer(context, |_| true);
    for piece in line.split(" · ") {
        assert!(
            hints
                .iter()
                .any(|h| piece == format!("{} {}", h.key, h.label)),
            "{piece:?} is not a whole hint of {hints:?}"
        );
    }
}

/// One line of the backend's text without its quotes and its note on wide
/// characters: the cells as they are drawn.
fn drawn(line: &str) -> &str {
    let inside = line.strip_prefix('"').unwrap_or(line);
    match inside.find("\" Hidden by multi-width symbols") {
        Some(end) => &inside[..end],
        None => inside.strip_suffix('"').unwrap_or(inside),
    }
}

/// The columns `from..to` of a drawn line, counted by display width (a
/// CJK character is two columns and one `char`).
fn columns(line: &str, from: usize, to: usize) -> String {
    let mut at = 0;
    let mut out = String::new();
    for c in line.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if at >= from && at + w <= to {
            out.push(c);
        }
        at += w;
    }
    out
}

/// The rows inside the box whose top border holds `title`, right-trimmed:
/// what that pane or pop-up shows and nothing of what is beside or behind
/// it. Panics when no box has that title.
pub fn pane(shown: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = shown.lines().map(drawn).collect();
    let (top, line) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.contains(title))
        .unwrap_or_else(|| panic!("no box titled {title:?}:\n{shown}"));
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let title_at = line.find(title).expect("found above");
    // The title may start with the corner itself ("┌ 机器人 ").
    let first = title.chars().next().map_or(0, char::len_utf8);
    let left_at = line[..title_at + first]
        .rfind(['┌', '┏'])
        .unwrap_or_else(|| panic!("{title:?} is not on a top border: {line}"));
    let left = width(&line[..left_at]);
    let right_at = title_at
        + line[title_at..]
            .find(['┐', '┓'])
            .unwrap_or_else(|| panic!("{title:?}'s box has no right corner: {line}"));
    let right = width(&line[..right_at]);
    let mut rows = Vec::new();
    for l in &lines[top + 1..] {
        let corner = columns(l, left, left + 1);
        if corner == "└" || corner == "┗" {
            break;
        }
        rows.push(columns(l, left + 1, right).trim_end().to_owned());
    }
    rows
}

/// The words in the box titled `title`, wherever its rows broke: the rows
/// joined with every space dropped. Compare with [`squeezed`] words.
pub fn pane_words(shown: &str, title: &str) -> String {
    squeezed(&pane(shown, title).concat())
}

/// `text` without its spaces, to compare with [`pane_words`].
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The message kinds as the Types pane lists them in Chinese, in the seed
/// 001 headings' words (文本, 图片, 图文, 文件, 语音, 模板卡片 with the card's
/// own name); markdown and markdown_v2 keep the seed's Latin names.
pub const KINDS_IN_CHINESE: [&str; 9] = [
    "文本",
    "markdown",
    "markdown_v2",
    "图片",
    "图文",
    "文件",
    "语音",
    "模板卡片：文本通知",
    "模板卡片：图文展示",
];
