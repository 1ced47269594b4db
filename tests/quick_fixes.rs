//! Every quick fix, from the hint the renderer gives to the exact text of
//! the edit, and the hint gone once the edit is made.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use wecom_composer::preview::fixes::{Fix, quick_fixes};
use wecom_composer::preview::{Dialect, Gfm, HintKind, RenderOptions, render};

fn fixes(source: &str, dialect: Dialect, kind: &HintKind, mentioned: &[String]) -> Vec<Fix> {
    let opts = RenderOptions {
        mentioned_list: mentioned,
        ..RenderOptions::default()
    };
    let rendered = render(source, dialect, &opts);
    let hint = rendered
        .hints
        .iter()
        .find(|h| &h.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} hint for {source:?}: {:?}", rendered.hints));
    quick_fixes(hint, source, dialect, mentioned)
        .into_iter()
        .map(|q| q.fix)
        .collect()
}

fn has_hint(source: &str, dialect: Dialect, kind: &HintKind) -> bool {
    render(source, dialect, &RenderOptions::default())
        .hints
        .iter()
        .any(|h| &h.kind == kind)
}

#[test]
fn a_table_in_markdown_switches_to_v2_or_becomes_lines() {
    let src = "| 姓名 | 尺寸 |\n| :-- | --: |\n| 张三 | S |";
    let kind = HintKind::NotInMarkdown(wecom_composer::preview::Construct::Table);
    let got = fixes(src, Dialect::Markdown, &kind, &[]);
    assert_eq!(got[0], Fix::Switch(Dialect::MarkdownV2));
    assert_eq!(got[1], Fix::Content("**姓名 · 尺寸**\n张三 · S".to_owned()));
    assert!(!has_hint(src, Dialect::MarkdownV2, &kind));
    assert!(!has_hint(
        "**姓名 · 尺寸**\n张三 · S",
        Dialect::Markdown,
        &kind
    ));
}

#[test]
fn a_list_in_markdown_offers_only_the_switch() {
    let kind = HintKind::NotInMarkdown(wecom_composer::preview::Construct::List);
    assert_eq!(
        fixes("- a\n- b", Dialect::Markdown, &kind, &[]),
        vec![Fix::Switch(Dialect::MarkdownV2)]
    );
}

#[test]
fn a_mention_in_v2_switches_to_markdown_or_to_text_with_the_list() {
    let src = "<@zhangsan> 请看 <@lisi>";
    let got = fixes(src, Dialect::MarkdownV2, &HintKind::MentionInV2, &[]);
    assert_eq!(got[0], Fix::Switch(Dialect::Markdown));
    assert_eq!(
        got[1],
        Fix::ToTextWithMentions {
            content: "请看".to_owned(),
            mentioned_list: vec!["zhangsan".to_owned(), "lisi".to_owned()],
        }
    );
    assert!(!has_hint(src, Dialect::Markdown, &HintKind::MentionInV2));
}

#[test]
fn a_font_colour_in_v2_switches_to_markdown() {
    let src = "<font color=\"warning\">慢</font>";
    assert_eq!(
        fixes(src, Dialect::MarkdownV2, &HintKind::FontColourInV2, &[]),
        vec![Fix::Switch(Dialect::Markdown)]
    );
    assert!(!has_hint(src, Dialect::Markdown, &HintKind::FontColourInV2));
}

#[test]
fn a_heading_without_its_space_gets_it() {
    let got = fixes(
        "a\n###标题",
        Dialect::Markdown,
        &HintKind::HeadingNeedsSpace,
        &[],
    );
    assert_eq!(got, vec![Fix::Content("a\n### 标题".to_owned())]);
    assert!(!has_hint(
        "a\n### 标题",
        Dialect::Markdown,
        &HintKind::HeadingNeedsSpace
    ));
}

#[test]
fn a_mention_list_for_markdown_is_written_into_the_content() {
    let list = vec!["zhangsan".to_owned()];
    let got = fixes(
        "上线了",
        Dialect::Markdown,
        &HintKind::MentionListIgnored,
        &list,
    );
    assert_eq!(
        got,
        vec![Fix::MentionsIntoContent {
            content: "上线了\n<@zhangsan>".to_owned(),
            mentioned_list: vec![],
        }]
    );
}

#[test]
fn github_extensions_get_hints_and_the_clear_fixes() {
    let strike = HintKind::NotInWeCom(Gfm::Strikethrough);
    assert_eq!(
        fixes("旧 ~~价格~~ 新", Dialect::MarkdownV2, &strike, &[]),
        vec![Fix::Content("旧 价格 新".to_owned())]
    );
    let task = HintKind::NotInWeCom(Gfm::TaskList);
    assert_eq!(
        fixes("- [ ] 发版\n- [x] 测试", Dialect::MarkdownV2, &task, &[]),
        vec![Fix::Content("- ☐ 发版\n- [x] 测试".to_owned())]
    );
    for (src, kind) in [
        ("见注释[^1]", HintKind::NotInWeCom(Gfm::Footnote)),
        ("换行<br>这里", HintKind::NotInWeCom(Gfm::Html)),
    ] {
        assert!(has_hint(src, Dialect::Markdown, &kind), "{src}");
        assert!(
            fixes(src, Dialect::Markdown, &kind, &[]).is_empty(),
            "{src}"
        );
    }
}
