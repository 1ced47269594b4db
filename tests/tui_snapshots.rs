//! The composer's main states, drawn into a `TestBackend` and compared with
//! reviewed snapshots (`tests/snapshots/`). Every screen is also searched for
//! the fake key.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::store::config::Config;
use wecom_composer::tui::msg::{Msg, SendOutcome};
use wecom_composer::tui::update;
use wecom_composer::wecom::client::SendError;

fn markdown_of_bytes(bytes: usize) -> String {
    // "部署" lines: 3 bytes a character, newline-separated, padded with ASCII.
    let line = "部署完成，服务已上线。\n";
    let mut s = String::new();
    while s.len() + line.len() <= bytes {
        s.push_str(line);
    }
    while s.len() < bytes {
        s.push('x');
    }
    assert_eq!(s.len(), bytes);
    s
}

#[test]
fn first_run_offers_the_sandbox_robot() {
    let app = app(Config::default());
    insta::assert_snapshot!("first_run_100x30", screen(&app, 100, 30));
    insta::assert_snapshot!("first_run_80x24", screen(&app, 80, 24));
}

/// The style of the first cell of `needle` on the screen.
fn style_of(app: &wecom_composer::tui::app::App, needle: &str) -> ratatui::style::Style {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    terminal
        .draw(|f| wecom_composer::tui::view::render(app, f))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let first = needle.chars().next().expect("needle");
    for y in 0..buffer.area.height {
        let row: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect();
        if let Some(i) = row.find(needle) {
            let x = row[..i].chars().count() as u16;
            assert_eq!(buffer[(x, y)].symbol().chars().next(), Some(first));
            return buffer[(x, y)].style();
        }
    }
    panic!("{needle} not on screen")
}

#[test]
fn markdown_near_the_limit_is_flagged_before_it_is_refused() {
    use ratatui::style::{Color, Modifier};
    let mut app = app(config_with_robots());
    // 90 % of 4,096 is 3,686.4: 3,686 bytes is still plain, 3,687 is flagged.
    update(&mut app, Msg::Paste(markdown_of_bytes(3_686)));
    let below = style_of(&app, "3,686 / 4,096 B");
    assert_eq!(below.fg, Some(Color::DarkGray), "plain below 90 %");
    update(&mut app, ctrl('a'));
    update(&mut app, Msg::Paste(markdown_of_bytes(3_687)));
    let at = style_of(&app, "3,687 / 4,096 B");
    assert_eq!(at.fg, Some(Color::Yellow), "flagged from 90 %");
    assert!(at.add_modifier.contains(Modifier::BOLD));
    update(&mut app, ctrl('a'));
    update(&mut app, Msg::Paste(markdown_of_bytes(3_900)));
    let near = screen(&app, 100, 30);
    assert!(near.contains("3,900 / 4,096 B"), "{near}");
    assert_eq!(style_of(&app, "3,900 / 4,096 B").fg, Some(Color::Yellow));
    insta::assert_snapshot!("markdown_near_limit", near);

    update(&mut app, Msg::Paste(markdown_of_bytes(300)));
    let over = screen(&app, 100, 30);
    assert!(over.contains("4,200 / 4,096 B"), "{over}");
    assert!(over.contains("Shorten it by 104 bytes"), "{over}");
    assert_eq!(
        style_of(&app, "4,200 / 4,096 B").fg,
        Some(Color::Red),
        "refused past it"
    );
    insta::assert_snapshot!("markdown_over_limit", over);
}

#[test]
fn robot_dialog_masks_the_key_once_entered() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(2)));
    type_text(&mut app, "ops-alerts");
    update(&mut app, key(KeyCode::Tab));
    update(
        &mut app,
        Msg::Paste(format!(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={FAKE_KEY}"
        )),
    );
    update(&mut app, key(KeyCode::Tab)); // leave the field: the key is masked
    let shown = screen(&app, 100, 30);
    assert!(shown.contains("key=****9f3a"), "{shown}");
    assert!(
        shown.contains("✓ key ****9f3a at qyapi.weixin.qq.com"),
        "{shown}"
    );
    insta::assert_snapshot!("robot_dialog_masked", shown);
}

fn app_with_message() -> wecom_composer::tui::app::App {
    let mut app = app(config_with_robots());
    type_text(&mut app, "# 部署完成\n**v1.2.3** 已上线");
    app
}

#[test]
fn a_send_in_flight_then_success() {
    let mut app = app_with_message();
    update(&mut app, ctrl('s'));
    let sending = screen(&app, 100, 30);
    assert!(
        sending.contains("Sending markdown to ops-alerts"),
        "{sending}"
    );
    insta::assert_snapshot!("send_in_flight", sending);

    let id = app.sending.as_ref().expect("in flight").id;
    update(
        &mut app,
        Msg::SendFinished {
            id,
            outcome: SendOutcome::Sent {
                elapsed_ms: 42,
                note: None,
            },
            at: "14:03:22".into(),
        },
    );
    let done = screen(&app, 100, 30);
    assert!(
        done.contains("✓ Sent markdown to ops-alerts at 14:03:22 (42 ms)."),
        "{done}"
    );
    insta::assert_snapshot!("send_success", done);
}

#[test]
fn a_refusal_is_explained_before_the_servers_words() {
    let mut app = app_with_message();
    update(&mut app, ctrl('s'));
    let id = app.sending.as_ref().expect("in flight").id;
    let error = SendError::Refused {
        errcode: 45009,
        errmsg: "api freq out of limit, hint: [1755785525255362096106060], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=45009".into(),
    };
    update(
        &mut app,
        Msg::SendFinished {
            id,
            outcome: SendOutcome::Failed {
                title: error.title().to_owned(),
                detail: error.to_string(),
            },
            at: "14:05:10".into(),
        },
    );
    let shown = screen(&app, 100, 30);
    assert!(shown.contains("errcode 45009"), "{shown}");
    let explained = shown.find("errcode 45009").expect("explanation");
    let server = shown
        .find("api freq out of limit")
        .expect("server's errmsg");
    assert!(explained < server, "the explanation comes first");
    insta::assert_snapshot!("send_error_explained", shown);
}

#[test]
fn help_lists_every_key_from_the_key_map() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(1)));
    let tall = screen(&app, 120, 90);
    for (keys, _, _) in wecom_composer::tui::keymap::help_rows() {
        assert!(tall.contains(&keys), "{keys} missing from help:\n{tall}");
    }
    let shown = screen(&app, 100, 30);
    for (keys, _, _) in wecom_composer::tui::keymap::help_rows().into_iter().take(5) {
        assert!(shown.contains(&keys), "{keys} missing from help:\n{shown}");
    }
    insta::assert_snapshot!("help", shown);
    update(&mut app, key(KeyCode::Esc));
    assert!(app.popup.is_none(), "Esc closes help");
}

#[test]
fn a_small_terminal_gets_a_notice_not_garbage() {
    let app = app(Config::default());
    let shown = screen(&app, 60, 20);
    assert!(shown.contains("Terminal too small"), "{shown}");
    assert!(
        shown.contains("60×20; the composer needs 80×24."),
        "{shown}"
    );
    insta::assert_snapshot!("too_small", shown);
}

#[test]
fn text_type_shows_mention_fields_and_no_color_still_marks_state() {
    let mut app = app(Config::default());
    app.theme.color = false;
    update(&mut app, key(KeyCode::BackTab)); // editor → type list
    update(&mut app, key(KeyCode::Up)); // markdown → text
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "广州今日天气:29度");
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "wangqing,@all");
    let shown = screen(&app, 100, 30);
    assert!(shown.contains("@wangqing @all"), "{shown}");
    assert!(shown.contains("24 / 2,048 B"), "{shown}");
    insta::assert_snapshot!("text_with_mentions", shown);
}
