//! The composer's hot paths: drawing a whole frame with a 4096-byte markdown
//! draft, wrapping 4096 bytes of Chinese, and handling one keystroke (update
//! + recomputing what it derives).
//!
//! Run with `cargo bench --bench tui`.

use std::path::PathBuf;

use divan::{Bencher, black_box};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use url::Url;
use wecom_composer::store::config::Config;
use wecom_composer::store::drafts::Drafts;
use wecom_composer::tui::app::{App, SandboxInfo, Startup};
use wecom_composer::tui::msg::Msg;
use wecom_composer::tui::theme::Theme;
use wecom_composer::tui::{update, view};
use wecom_composer::wecom::{Key, Webhook};

fn main() {
    divan::main();
}

fn markdown_4096() -> String {
    let line = "> 类型:<font color=\"comment\">用户反馈</font> **加粗** [链接](https://work.weixin.qq.com)\n";
    let mut s = String::new();
    while s.len() + line.len() <= 4096 {
        s.push_str(line);
    }
    while s.len() < 4096 {
        s.push('x');
    }
    s
}

fn app_with_draft() -> App {
    app_with(markdown_4096())
}

fn app_with(content: String) -> App {
    let base = Url::parse("http://127.0.0.1:40001").expect("url");
    let mut app = App::new(Startup {
        config: Config::default(),
        config_path: PathBuf::from("/tmp/config.toml"),
        config_error: None,
        drafts: Drafts::default(),
        drafts_warning: None,
        sandbox: Some(SandboxInfo {
            webhook: Webhook::new(&base, Key::new("wecom-sandbox-demo-key").expect("key")),
            record_path: PathBuf::from("/tmp/r.jsonl"),
        }),
        theme: Theme { color: true },
        size: (120, 40),
    });
    update(&mut app, Msg::Paste(content));
    app
}

#[divan::bench(args = [(80, 24), (120, 40), (200, 60)])]
fn draw_frame_4096_markdown(b: Bencher, (w, h): (u16, u16)) {
    let app = app_with_draft();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    b.bench_local(|| {
        terminal
            .draw(|f| view::render(black_box(&app), f))
            .expect("draw");
    });
}

/// About 4096 bytes of Chinese prose with some Latin words, as one
/// paragraph: the longest text a dialog or the checks wrap in one go.
fn chinese_4096() -> String {
    let sentence = "消息内容超过 4,096 个字节时，请删减或分段发送（Ctrl-S 分段编号）。";
    let mut s = String::new();
    while s.len() + sentence.len() <= 4096 {
        s.push_str(sentence);
    }
    s
}

/// Wrapping a whole paragraph at a pane's width: every row made.
#[divan::bench(args = [45, 92])]
fn wrap_4096_chinese(b: Bencher, width: u16) {
    let text = [ratatui::text::Line::from(chinese_4096())];
    b.bench_local(|| wecom_composer::tui::wrap::lines(black_box(&text), width));
}

/// What a scrolled pane draws: 30 rows from the middle of the paragraph.
#[divan::bench]
fn wrap_visible_window_4096_chinese(b: Bencher) {
    let text = [ratatui::text::Line::from(chinese_4096())];
    b.bench_local(|| wecom_composer::tui::wrap::visible(black_box(&text), 45, 40, 30));
}

/// Types then erases a letter, so the draft keeps its size, and measures
/// each keystroke.
fn type_and_erase(b: Bencher, mut app: App) {
    let mut n = 0u64;
    b.bench_local(|| {
        let code = if n.is_multiple_of(2) {
            KeyCode::Char('a')
        } else {
            KeyCode::Backspace
        };
        n += 1;
        update(&mut app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    });
}

#[divan::bench]
fn keystroke_in_4096_markdown(b: Bencher) {
    type_and_erase(b, app_with_draft());
}

/// Typing in a 1 MiB markdown draft: the preview renders in the background
/// (its effect is not run here), so this is what a keystroke costs the UI.
#[divan::bench(sample_count = 30)]
fn keystroke_in_1mib_markdown(b: Bencher) {
    let mut content = String::new();
    while content.len() < 1024 * 1024 {
        content.push_str(&markdown_4096());
        content.push('\n');
    }
    type_and_erase(b, app_with(content));
}
