//! The checks in Chinese: the Checks pane's problems and fixes, the
//! preview's lint hints and the quick-fix label, in the seeds' words, and
//! F12 making them again in the other language. Each test gives its own
//! thread its language first, so the tests beside it never see it.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::i18n::{self, Lang};
use wecom_composer::tui::msg::Msg;
use wecom_composer::tui::update;
use wecom_composer::wecom::validate::validate;
use wecom_composer::wecom::{Message, MessageKind};

fn markdown_of_bytes(bytes: usize) -> String {
    let line = "- item\n";
    let mut s = line.repeat(bytes / line.len());
    s.push_str(&"x".repeat(bytes - s.len()));
    s
}

/// Whether a line holds any CJK character.
fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn the_checks_with_problems_in_chinese() {
    i18n::set_for_this_thread(Lang::ZhCn);
    let mut app = app(config_with_robots());
    update(&mut app, Msg::Paste(markdown_of_bytes(4_200)));
    let shown = screen(&app, 100, 30);
    assert!(shown.contains(" 检查 1 个错误 "), "{shown}");
    let checks = pane_words(&shown, "检查");
    for words in [
        "内容有 4,200 个字节（UTF-8），最长不超过 4,096 个字节。请删减 104 个字节（一个汉字占 3 个字节）。",
        "[Ctrl-S: 分段编号发送",
    ] {
        assert!(
            checks.contains(&squeezed(words)),
            "{words:?} missing:\n{shown}"
        );
    }
    // The lint hint under the preview, and its quick fix.
    let preview = pane_words(&shown, "预览");
    let hint = "⚠ 第 1 行：markdown 不支持列表（按原样显示）— 请改用 markdown_v2 [Ctrl-F: 改用 markdown_v2]";
    assert!(
        preview.contains(&squeezed(hint)),
        "{hint:?} missing:\n{shown}"
    );
    for english in ["bytes (UTF-8)", "Shorten it", "line 1:", "switch to"] {
        assert!(!shown.contains(english), "{english:?} left:\n{shown}");
    }
    insta::assert_snapshot!("zh_markdown_over_limit", shown);
}

#[test]
fn a_card_with_problems_in_the_seeds_words() {
    i18n::set_for_this_thread(Lang::ZhCn);
    let json = serde_json::json!({
        "msgtype": "template_card",
        "template_card": {
            "card_type": "text_notice",
            "main_title": {"title": "这是一个标题，它比文档建议的二十六个字还要长出好几个字来"},
            "emphasis_content": {"title": "100", "desc": "数据含义"},
            "quote_area": {"type": 1, "url": "example.com/quote", "quote_text": "引用"},
            "jump_list": [{"type": 1, "title": "企业微信官网"}],
            "card_action": {"type": 1, "url": "https://work.weixin.qq.com"}
        }
    });
    let message = Message::from_json_str(&json.to_string()).expect("a card");
    let problems = validate(&message);
    // Each problem as `wecom validate` prints it.
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let all = lines.join("\n");
    for words in [
        "标题有 28 个字，建议不超过 26 个字。",
        "type 为 1（跳转 url）时，链接为必填。",
        "文档建议引用文献不与关键数据共用。",
        "链接没有 http:// 或 https://（“example.com/quote”）。",
    ] {
        assert!(all.contains(words), "{words:?} missing:\n{all}");
    }
    // The sentence and its fix each in Chinese (the line as a whole would
    // pass on the word 错误 alone).
    for p in &problems {
        assert!(has_cjk(&p.message), "a sentence left in English: {p:?}");
        assert!(has_cjk(&p.fix), "a fix left in English: {p:?}");
    }
    insta::assert_snapshot!("zh_card_problems", all);
}

#[test]
fn an_empty_card_form_lists_its_problems_in_chinese() {
    i18n::set_for_this_thread(Lang::ZhCn);
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::TextNotice);
    let shown = h.screen();
    assert!(shown.contains(" 检查 "), "{shown}");
    assert!(
        shown.contains("必须有一项填写"),
        "the seeds' own words:\n{shown}"
    );
    assert!(!shown.contains("is required"), "{shown}");
    insta::assert_snapshot!("zh_card_checks", shown);
}

#[test]
fn f12_makes_the_checks_again_in_the_other_language() {
    i18n::set_for_this_thread(Lang::En);
    let mut app = app(config_with_robots());
    update(&mut app, Msg::Paste(markdown_of_bytes(4_200)));
    let english = screen(&app, 100, 30);
    assert!(english.contains("Shorten it by 104 bytes"), "{english}");
    assert!(english.contains("⚠ line 1: lists are not"), "{english}");

    press(&mut app, key(KeyCode::F(12)));
    assert_eq!(i18n::current(), Lang::ZhCn);
    let chinese = screen(&app, 100, 30);
    assert!(
        pane_words(&chinese, "检查").contains(&squeezed("请删减 104 个字节")),
        "{chinese}"
    );
    assert!(
        pane_words(&chinese, "预览").contains(&squeezed("⚠ 第 1 行：markdown")),
        "{chinese}"
    );
    assert!(
        pane_words(&chinese, "预览").contains(&squeezed("[Ctrl-F: 改用")),
        "{chinese}"
    );
    assert!(!chinese.contains("Shorten it"), "{chinese}");

    press(&mut app, key(KeyCode::F(12)));
    let back = screen(&app, 100, 30);
    assert!(back.contains("Shorten it by 104 bytes"), "{back}");
}

#[test]
fn the_kinds_of_message_are_named_as_the_seeds_name_them() {
    i18n::set_for_this_thread(Lang::ZhCn);
    // Seed 001's sections: 文本类型, markdown 类型, markdown_v2 类型, 图片类型,
    // 图文类型, 文件类型, 语音类型, 模版卡片类型 (文本通知模版卡片, 图文展示
    // 模版卡片; the issue writes 模板卡片, as the seed does once).
    let names: Vec<String> = MessageKind::ALL
        .iter()
        .map(|k| k.shown().into_owned())
        .collect();
    assert_eq!(names, KINDS_IN_CHINESE);
    // And in a sentence about a kind: the raw editor's hint for news.
    let hint = i18n::template("raw_hint.news");
    assert!(hint.starts_with("图文："), "{hint}");
}

#[test]
fn list_bounds_and_unknown_fields_are_explained_in_chinese() {
    i18n::set_for_this_thread(Lang::ZhCn);
    // A list too short and an undocumented field.
    let json = r#"{"msgtype":"news","news":{"articles":[]},"extra":1}"#;
    let parsed = Message::parse_json_str(json).expect("parsed");
    let problems = wecom_composer::wecom::validate::validate_parsed(&parsed);
    let all: Vec<String> = problems
        .iter()
        .map(|p| format!("{} {}", p.message, p.fix))
        .collect();
    assert!(
        all.iter()
            .any(|l| l.contains("至少需要 1 项") && l.contains("再添加 1 项")),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|l| l.contains("企业微信文档中没有 `extra`")),
        "{all:#?}"
    );
}

/// A document that is not a message is explained in Chinese (the raw JSON
/// editor, `wecom validate`), with the JSON names left as WeCom spells them;
/// a problem's line starts with 错误：.
#[test]
fn parse_errors_and_problem_lines_in_chinese() {
    wecom_composer::i18n::set_for_this_thread(wecom_composer::i18n::Lang::ZhCn);
    let e = wecom_composer::wecom::Message::from_json_str(r#"{"msgtype":"text"}"#)
        .expect_err("no body");
    assert_eq!(
        e.to_string(),
        "缺少消息内容：\"text\" 类型的消息需要在 msgtype 旁边有一个 \"text\": {...} 对象"
    );
    let e = wecom_composer::wecom::Message::from_json_str(r#"{"msgtype":"txt"}"#)
        .expect_err("unknown type");
    assert!(
        e.to_string().starts_with("\"txt\" 不是企业微信的消息类型"),
        "{e}"
    );
    let message = wecom_composer::wecom::Message::from_json_str(
        r#"{"msgtype":"text","text":{"content":""}}"#,
    )
    .expect("a message");
    let problems = wecom_composer::wecom::validate(&message);
    let line = problems
        .first()
        .expect("empty content is a problem")
        .to_string();
    assert!(line.starts_with("错误：text.content："), "{line}");
}
