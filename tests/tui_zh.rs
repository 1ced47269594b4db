//! The composer in Chinese: the main screen, a card form, the help and a
//! refused send, drawn into a `TestBackend` and compared with reviewed
//! snapshots. Each test gives its own thread Chinese first, so the tests
//! running beside it (and the English snapshots) never see it.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::store::config::Config;
use wecom_composer::tui::keymap::Context;
use wecom_composer::tui::msg::{Msg, SendOutcome};
use wecom_composer::tui::update;
use wecom_composer::wecom::MessageKind;
use wecom_composer::wecom::client::SendError;

#[test]
fn the_first_screen_in_chinese() {
    zh();
    let app = app(Config::default());
    let big = screen(&app, 100, 30);
    // Each pane by its own title, and the message types row by row, as
    // seed 001 heads its sections (文本类型, 图文类型, …, 模版卡片类型).
    assert_eq!(pane(&big, "┌ 机器人 ")[0], "› sandbox（本机）");
    let kinds: Vec<String> = pane(&big, "┌ 消息类型 ")
        .iter()
        .map(|r| r.trim_start_matches(['›', ' ']).to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(kinds, KINDS_IN_CHINESE, "{big}");
    pane(&big, "┌ 预览 ");
    pane(&big, "┌ 检查 ");
    assert!(
        big.contains("还没有机器人：正在使用内置沙盒。F2 添加机器人。"),
        "{big}"
    );
    assert!(big.contains("Ctrl-S 发送"), "{big}");
    assert_whole_hints(&big, Context::Editor, 100);
    insta::assert_snapshot!("zh_first_run_100x30", big);

    // At the minimum size the footer drops whole hints, never half a word.
    let small = screen(&app, 80, 24);
    assert!(small.contains("Ctrl-Q 退出"), "{small}");
    assert_whole_hints(&small, Context::Editor, 80);
    insta::assert_snapshot!("zh_first_run_80x24", small);
}

#[test]
fn a_card_form_in_the_seeds_words() {
    zh();
    let mut app = app(Config::default());
    while app.kind != MessageKind::TextNotice {
        update(&mut app, ctrl('t'));
    }
    type_text(
        &mut app,
        "https://wework.qpic.cn/wwpic/252813_jOfDHtcISzuodLa_1629280209/0",
    );
    let shown = screen(&app, 120, 40);
    // The form's labels, row by row with their indent (problems under a
    // field left out, the value column after two spaces or more), each the
    // seed 001 table's word for its field.
    let labels: Vec<String> = pane(&shown, "模板卡片：文本通知表单 → sandbox")
        .iter()
        .take_while(|r| !r.is_empty())
        .filter(|r| !r.trim_start().starts_with('✗'))
        .map(|r| {
            let label = r.trim_start();
            let indent = &r[..r.len() - label.len()];
            format!("{indent}{}", label.split("  ").next().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        labels,
        [
            "▾ 来源",
            "  来源图片",
            "  描述",
            "  颜色",
            "▾ 一级标题",
            "  一级标题",
            "  标题辅助信息",
            "▾ 关键数据",
            "  数据内容",
            "  数据描述",
            "▾ 引用文献样式",
            "  点击事件",
            "  标题",
            "  引用文案",
            "二级普通文本",
            "+ 二级标题+文本列表 0/6",
            "+ 跳转指引 0/3",
            "▾ 卡片跳转*",
            "  卡片跳转类型*",
            "  链接*",
        ],
        "{shown}"
    );
    assert!(shown.contains("模板卡片：文本通知表单"), "{shown}");
    insta::assert_snapshot!("zh_text_notice_form", shown);
}

#[test]
fn the_help_in_chinese() {
    zh();
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(1)));
    let shown = screen(&app, 100, 30);
    assert!(shown.contains("帮助"), "{shown}");
    assert!(
        shown.contains("把消息发给选中的机器人（仍有错误时不发送）。"),
        "{shown}"
    );
    insta::assert_snapshot!("zh_help", shown);
    let tall = screen(&app, 120, 120);
    assert!(tall.contains("F12"), "the language key is listed:\n{tall}");
    assert!(
        tall.contains("在英文（English）和中文之间切换界面语言"),
        "{tall}"
    );
}

#[test]
fn a_refusal_is_explained_in_chinese_with_the_servers_words_unchanged() {
    zh();
    let mut app = app(config_with_robots());
    type_text(&mut app, "# 部署完成\n**v1.2.3** 已上线");
    update(&mut app, ctrl('s'));
    let sending = screen(&app, 100, 30);
    assert!(
        sending.contains("正在把 markdown 消息发给 ops-alerts"),
        "{sending}"
    );
    let id = app.sending.as_ref().expect("in flight").id;
    let errmsg = "api freq out of limit, hint: [1755785525255362096106060], from ip: 127.0.0.1";
    let error = SendError::Refused {
        errcode: 45009,
        errmsg: errmsg.into(),
    };
    update(
        &mut app,
        Msg::SendFinished {
            id,
            outcome: SendOutcome::Failed {
                title: error.title(),
                detail: error.to_string(),
            },
            at: "14:05:10".into(),
        },
    );
    let shown = screen(&app, 100, 30);
    assert!(
        shown.contains("✗ 企业微信拒收了消息：未发给 ops-alerts（14:05:10）。"),
        "{shown}"
    );
    assert!(
        shown.contains("这个机器人在最近一分钟内发送了超过"),
        "{shown}"
    );
    // The server's words are as it sent them (wrapped by the pane, no more),
    // after the explanation of 45009 (API-FACTS: over 20 per minute; wait
    // and retry) whole.
    let detail = app.status.detail.clone().expect("the explanation");
    assert!(
        detail.contains("这个机器人在最近一分钟内发送了超过 20 条消息。最多等一分钟后重试。"),
        "{detail}"
    );
    assert!(
        detail.ends_with(&format!("服务器原话：{errmsg}")),
        "{detail}"
    );
    insta::assert_snapshot!("zh_send_error_explained", shown);
}

#[test]
fn a_small_terminal_is_told_in_chinese() {
    zh();
    let app = app(Config::default());
    let shown = screen(&app, 60, 20);
    assert!(shown.contains("终端窗口太小"), "{shown}");
    assert!(shown.contains("60×20；编辑器至少需要 80×24。"), "{shown}");
}
