//! The composer's pop-ups in Chinese: the robot dialog, the templates, send
//! later and a broadcast's results, drawn into a `TestBackend` and compared
//! with reviewed snapshots; the footer at the minimum size with a pop-up
//! open. Each test gives its own thread Chinese first, so the tests beside
//! it (and the English snapshots) never see it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use unicode_width::UnicodeWidthStr;
use wecom_composer::i18n::{self, Lang};
use wecom_composer::store::config::Config;
use wecom_composer::store::templates;
use wecom_composer::tui::app::Focus;
use wecom_composer::tui::keymap::Context;
use wecom_composer::tui::msg::{Effect, Msg};
use wecom_composer::tui::popup::results::RowState;
use wecom_composer::wecom::Message;

/// No line of the screen is wider than the terminal (a CJK character cut
/// in half would leave a line one column short or long).
fn assert_rows_fit(shown: &str, width: usize) {
    for line in shown.lines() {
        let Some(inside) = line.strip_prefix('"') else {
            continue;
        };
        let end = inside.find('"').expect("closing quote");
        let row = &inside[..end];
        // The backend writes a wide character and skips the cell after it,
        // so a row's width is the terminal's exactly.
        assert!(row.width() <= width, "{row:?} is wider than {width}");
    }
}

#[test]
fn the_robot_dialog_in_chinese() {
    zh();
    let mut h = Harness::new(Config::default());
    h.send_key(KeyCode::F(2));
    assert_eq!(h.context(), Context::RobotDialog);
    h.send_text("运维告警");
    let shown = h.screen();
    for words in [
        " 添加机器人 ",
        " 名称 ",
        " Webhook 地址或 key ",
        "粘贴群机器人页面上的 Webhook 地址，或只粘贴 key。",
        "运维告警",
    ] {
        assert!(shown.contains(words), "{words} missing:\n{shown}");
    }
    assert!(!shown.contains("Add robot"), "{shown}");
    insta::assert_snapshot!("zh_robot_dialog_add", shown);
    // A key typed into the webhook field is masked, and once the field is
    // left only its end is shown, in Chinese words around it.
    h.send_key(KeyCode::Tab)
        .send_text(FAKE_KEY)
        .send_key(KeyCode::Tab);
    let shown = h.screen();
    assert!(!shown.contains(FAKE_KEY), "{shown}");
    assert!(shown.contains("✓ key "), "{shown}");
    assert!(shown.contains("，服务器 "), "{shown}");
    assert_rows_fit(&h.screen(), usize::from(h.width));
}

#[test]
fn the_relay_codes_box_in_chinese() {
    zh();
    let mut h = Harness::new(config_with_robots());
    h.tab_to(Focus::Robots)
        .send_key(KeyCode::Char('e'))
        .send_key(KeyCode::Tab);
    assert_eq!(h.context(), Context::RobotCodes);
    let shown = h.screen();
    for words in [
        " 编辑机器人 ",
        " wecom serve 的转发码 ",
        "还没有转发码：按 Tab 移到这里，再按 n 生成。",
    ] {
        assert!(shown.contains(words), "{words} missing:\n{shown}");
    }
    // c with no new code: said in Chinese, in the dialog.
    h.send_key(KeyCode::Char('c'));
    h.assert_screen_contains("只能复制新生成的转发码");
    assert!(!h.screen().contains(FAKE_KEY));
}

/// The template list with the shipped examples and one of the user's.
fn templates_open(h: &mut Harness) {
    h.send_ctrl('o');
    assert_eq!(h.context(), Context::Templates);
    let mut list = templates::builtin();
    list.push(templates::Template {
        name: "周五发布".to_owned(),
        message: Message::markdown("# 周五发布\n**今晚 20:00**"),
        builtin: false,
    });
    h.send(Msg::TemplatesListed(list, Vec::new()));
}

#[test]
fn the_templates_in_chinese_with_their_rows_lined_up() {
    zh();
    let mut h = Harness::new(Config::default());
    templates_open(&mut h);
    let shown = h.screen();
    // The rows of the pop-up itself (the Types pane behind it lists the
    // same kinds): name, kind and whose, in the seeds' words.
    let listed: Vec<String> = pane(&shown, "┏ 模板 ")
        .into_iter()
        .take_while(|r| !r.is_empty())
        .collect();
    assert_eq!(
        listed,
        [
            "› 部署通知 Deploy notice · 模板卡片：文本通知 · 示例",
            "  故障通报 Incident update · 模板卡片：文本通知 · 示例",
            "  研发周报 Weekly report · 图文 · 示例",
            "  周五发布 · markdown · 自建",
        ],
        "{shown}"
    );
    // Every row starts in the same column: "› " on the selected one, two
    // spaces on the others (they used to be trimmed away).
    let rows: Vec<&str> = shown
        .lines()
        .filter(|l| l.contains(" · 示例") || l.contains(" · 自建"))
        .collect();
    assert_eq!(rows.len(), 4, "{shown}");
    let column = |row: &str, name: &str| row[..row.find(name).expect(name)].width();
    let first = column(rows[0], "部署通知");
    assert_eq!(column(rows[1], "故障通报"), first, "{shown}");
    assert_eq!(column(rows[2], "研发周报"), first, "{shown}");
    assert_eq!(column(rows[3], "周五发布"), first, "{shown}");
    assert!(rows[0].contains("› 部署通知 Deploy notice"), "{}", rows[0]);
    insta::assert_snapshot!("zh_templates", shown);

    // Loading one: the status line is Chinese throughout.
    h.send_key(KeyCode::Enter);
    let status = h.app.status.text.clone();
    assert_eq!(
        status,
        "已把模板 部署通知 Deploy notice 载入模板卡片：文本通知草稿。Ctrl-Z 恢复草稿。"
    );
}

#[test]
fn saving_a_template_is_asked_in_chinese() {
    zh();
    let mut h = Harness::new(Config::default());
    templates_open(&mut h);
    h.send_key(KeyCode::Char('s'));
    assert_eq!(h.context(), Context::TemplateName);
    h.assert_screen_contains("把当前消息存为：")
        .assert_screen_contains("模板名称，例如 周五发布");
    // Enter with an empty draft: refused, in Chinese.
    h.send_key(KeyCode::Enter);
    h.assert_screen_contains("当前草稿是空的：请先写点内容。");
}

#[test]
fn send_later_in_chinese() {
    zh();
    let mut h = Harness::new(Config::default());
    h.send_text("十点站会").send_ctrl('l');
    assert_eq!(h.context(), Context::SendLater);
    let shown = h.screen();
    for words in [
        " 定时发送 ",
        "把 markdown 消息发给 sandbox，发送时间：",
        "例如 18:00 · +30m",
        "消息现在就检查，并保存在发件箱中",
    ] {
        assert!(shown.contains(words), "{words} missing:\n{shown}");
    }
    assert_rows_fit(&shown, usize::from(h.width));
    insta::assert_snapshot!("zh_send_later", shown);
    // The time is read back as it is typed, the countdown in Chinese.
    h.send_text("+30m").assert_screen_contains("（30 分钟后）");
    h.send_key(KeyCode::Backspace)
        .send_key(KeyCode::Backspace)
        .send_key(KeyCode::Backspace)
        .send_key(KeyCode::Backspace)
        .send_text("soonish")
        .assert_screen_contains("“soonish”不是时间：请写成 18:00");
    h.send_key(KeyCode::Esc);
    assert_eq!(h.app.status.text, "没有排队任何消息。");
}

/// The moment the results are drawn at: the composer's clock is held
/// here, so a wait of 11.6 s reads "12 秒" however slow the machine is.
const NOW_MS: u64 = 1_796_000_000_000;

#[test]
fn a_broadcasts_results_in_chinese() {
    zh();
    let mut config = Config::default();
    for (name, key) in [
        ("运维", FAKE_KEY),
        ("qa", "fake-key-qa-0000-tui-1"),
        ("北京团队", "fake-key-bj-0000-tui-2"),
        ("revoked", "fake-key-revoked-0000-3"),
    ] {
        config
            .add_robot(
                name,
                &format!("http://127.0.0.1:40009/cgi-bin/webhook/send?key={key}"),
            )
            .expect("add");
    }
    let mut h = Harness::new(config);
    h.app.clock = wecom_composer::clock::Clock::Fixed(NOW_MS);
    h.tab_to(Focus::Robots);
    for _ in 0..4 {
        h.send_key(KeyCode::Char(' ')).send_key(KeyCode::Down);
    }
    assert_eq!(h.app.marked.len(), 4, "{}", h.app.status.text);
    h.tab_to(Focus::Editor(
        wecom_composer::tui::compose::FieldId::Content,
    ));
    h.send_text("# 发布完成").send_ctrl('s');
    assert_eq!(h.context(), Context::Results);
    let id = h
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Broadcast { id, .. } => Some(id),
            _ => None,
        })
        .expect("a broadcast");
    let order: Vec<String> = h
        .app
        .broadcast
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.robot.clone())
        .collect();
    let states = |name: &str| match name {
        "运维" => RowState::Sent {
            elapsed_ms: 42,
            waited_ms: 0,
        },
        "qa" => RowState::Waiting {
            until_ms: NOW_MS + 11_600,
        },
        "北京团队" => RowState::Unknown {
            detail: "no answer from 127.0.0.1:40009 within 10 s".to_owned(),
        },
        _ => RowState::Refused {
            errcode: Some(93000),
            detail: "invalid webhook url".to_owned(),
        },
    };
    for (row, name) in order.iter().enumerate() {
        h.send(Msg::BroadcastRow {
            id,
            row,
            state: states(name),
        });
    }
    let shown = screen(&h.app, 120, 35);
    for words in [
        "✓ 已发送（42 ms）",
        "… 等待发送频率限制的空位：12 秒",
        "? 未知：可能已送达",
        "✗ 被拒 93000：Webhook key 错误",
        "群发 markdown 消息给 4 个机器人：",
        "状态未知的可能已送达：按 r 再次发送前请先在群里确认。",
    ] {
        assert!(shown.contains(words), "{words} missing:\n{shown}");
    }
    // The states start in one column whatever the names' widths.
    let at = |word: &str| {
        let line = shown.lines().find(|l| l.contains(word)).expect(word);
        line[..line.find(word).unwrap()].width()
    };
    assert_eq!(at("✓ 已发送"), at("… 等待"), "{shown}");
    assert_eq!(at("✓ 已发送"), at("? 未知"), "{shown}");
    assert_eq!(at("✓ 已发送"), at("✗ 被拒"), "{shown}");
    insta::assert_snapshot!("zh_results", shown);
    assert!(
        h.app.status.text.contains("已发送 1"),
        "{}",
        h.app.status.text
    );
    // Enter on the refused robot: the detail's field names in Chinese.
    let refused = order.iter().position(|n| n == "revoked").unwrap();
    for _ in 0..refused {
        h.send_key(KeyCode::Down);
    }
    h.send_key(KeyCode::Enter);
    let detail = screen(&h.app, 120, 35);
    // Inside the pop-up only (the robot pane behind it is titled 机器人
    // too): each field's name starts a row of the detail.
    let rows = pane(&detail, "┏ 群发 markdown 消息给 4 个机器人");
    for name in ["机器人", "发往", "发件箱", "结果"] {
        assert!(
            rows.iter().any(|r| r.starts_with(&format!("{name} "))),
            "no row starts with {name}:\n{detail}"
        );
    }
    assert!(!detail.contains(FAKE_KEY), "{detail}");
    // The wrapped Chinese explanation is taller than the box: the payload
    // below it is scrolled to.
    h.send_key(KeyCode::PageDown);
    let below = screen(&h.app, 120, 35);
    assert!(below.contains("请求体（markdown）"), "{below}");
    assert!(!below.contains(FAKE_KEY), "{below}");
}

#[test]
fn the_footer_drops_whole_hints_at_80x24_with_a_popup_open() {
    zh();
    let mut h = Harness::new(config_with_robots());
    // The robot dialog.
    h.send_key(KeyCode::F(2));
    let shown = screen(&h.app, 80, 24);
    assert_whole_hints(&shown, Context::RobotDialog, 80);
    assert_rows_fit(&shown, 80);
    assert!(shown.contains(" 添加机器人 "), "{shown}");
    h.send_key(KeyCode::Esc);
    // The templates.
    templates_open(&mut h);
    let shown = screen(&h.app, 80, 24);
    assert_whole_hints(&shown, Context::Templates, 80);
    assert_rows_fit(&shown, 80);
    assert!(shown.contains(" 模板 "), "{shown}");
    h.send_key(KeyCode::Esc);
    // Send later.
    h.send_text("你好").send_ctrl('l');
    assert_eq!(h.context(), Context::SendLater);
    let shown = screen(&h.app, 80, 24);
    assert_whole_hints(&shown, Context::SendLater, 80);
    assert_rows_fit(&shown, 80);
    assert!(shown.contains(" 定时发送 "), "{shown}");
    insta::assert_snapshot!("zh_send_later_80x24", shown);
}

#[test]
fn countdowns_and_spans_in_chinese() {
    use std::time::Duration;
    use wecom_composer::delivery::when;
    zh();
    assert_eq!(when::countdown(0, 58_000), "58 秒后");
    assert_eq!(when::countdown(0, 1_800_000), "30 分钟后");
    assert_eq!(when::countdown(5, 0), "现在");
    assert_eq!(when::span(Duration::from_secs(200)), "3 分 20 秒");
    assert_eq!(when::span(Duration::from_secs(7500)), "2 小时 5 分钟");
    assert_eq!(when::span(Duration::from_secs(90_000)), "1 天 1 小时");
}

#[test]
fn f12_puts_the_empty_fields_placeholders_in_the_other_language() {
    i18n::set_for_this_thread(Lang::En);
    let mut h = Harness::new(Config::default());
    h.tab_to(Focus::Editor(
        wecom_composer::tui::compose::FieldId::Content,
    ));
    let english = h.screen();
    assert!(!english.contains("在这里写 markdown。"), "{english}");
    h.send_key(KeyCode::F(12));
    assert_eq!(i18n::current(), Lang::ZhCn);
    assert_eq!(
        h.app.status.text,
        "界面语言：简体中文（F12 切换；已保存到 config.toml）。"
    );
    h.assert_screen_contains("在这里写 markdown。");
}
