//! The quick-fix key in the composer: the hint says what Ctrl-F would do,
//! Ctrl-F makes exactly that edit, and Ctrl-Z puts the draft back in one
//! step. (The edits themselves are tested in tests/quick_fixes.rs.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use wecom_composer::tui::compose::FieldId;
use wecom_composer::wecom::MessageKind;

fn content(h: &Harness) -> String {
    h.app
        .composition()
        .map(|c| c.text(FieldId::Content))
        .unwrap_or_default()
}

#[test]
fn a_heading_without_its_space_is_fixed_by_one_key_and_undone_by_another() {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::Markdown);
    h.send_text("#部署完成\n服务已上线");
    // Wrapped in the pane, every word of the label whole.
    let preview = pane_words(&h.screen(), "Preview");
    let label = squeezed(
        "heading needs a space after #: \"#部署完成\" is shown as typed [Ctrl-F: insert the space after #]",
    );
    assert!(preview.contains(&label), "{preview}");
    h.send_ctrl('f');
    assert_eq!(content(&h), "# 部署完成\n服务已上线");
    h.assert_screen_lacks("heading needs a space");
    h.send_ctrl('z');
    assert_eq!(content(&h), "#部署完成\n服务已上线");
}

#[test]
fn a_table_in_markdown_moves_the_draft_to_markdown_v2() {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::Markdown);
    let table = "| 姓名 | 尺寸 |\n| :-- | --: |\n| 张三 | S |";
    h.send_text(table);
    h.send_ctrl('f');
    assert_eq!(h.app.kind, MessageKind::MarkdownV2);
    assert_eq!(content(&h), table);
}

#[test]
fn with_no_fixable_hint_the_key_says_so_and_changes_nothing() {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::Markdown);
    h.send_text("**ok**");
    h.send_ctrl('f');
    assert_eq!(content(&h), "**ok**");
    assert!(
        h.app.status.text.contains("No hint"),
        "{}",
        h.app.status.text
    );
}
