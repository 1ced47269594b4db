//! The preview, construct by construct and dialect by dialect. Every
//! expectation comes from the dialect table (shared/API-FACTS.md, "Markdown
//! dialects", from the official robot page): what a dialect supports is
//! drawn, what it does not is shown as the characters typed.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use wecom_composer::preview::{
    Construct, Dialect, HintKind, HintSeverity, RenderOptions, Rendered, hint_lines, render,
};

const MD: Dialect = Dialect::Markdown;
const V2: Dialect = Dialect::MarkdownV2;

fn show(src: &str, dialect: Dialect) -> Rendered {
    render(
        src,
        dialect,
        &RenderOptions {
            width: 60,
            ..RenderOptions::default()
        },
    )
}

fn show_width(src: &str, dialect: Dialect, width: u16) -> Rendered {
    render(
        src,
        dialect,
        &RenderOptions {
            width,
            ..RenderOptions::default()
        },
    )
}

/// The rows as plain strings, trailing spaces dropped.
fn rows(r: &Rendered) -> Vec<String> {
    r.text
        .lines
        .iter()
        .map(|l| l.to_string().trim_end().to_owned())
        .collect()
}

/// The first span containing `needle`.
fn span<'a>(r: &'a Rendered, needle: &str) -> &'a Span<'static> {
    r.text
        .lines
        .iter()
        .flat_map(|l| l.spans.iter())
        .find(|s| s.content.contains(needle))
        .unwrap_or_else(|| panic!("no span with {needle:?} in {:#?}", r.text))
}

fn has(style: Style, m: Modifier) -> bool {
    style.add_modifier.contains(m)
}

fn kinds(r: &Rendered) -> Vec<HintKind> {
    r.hints.iter().map(|h| h.kind.clone()).collect()
}

fn hint_at(r: &Rendered, kind: &HintKind) -> Option<usize> {
    r.hints.iter().find(|h| &h.kind == kind).map(|h| h.line)
}

// ---- headings -------------------------------------------------------------

#[test]
fn headings_one_to_six_need_a_space_in_both_dialects() {
    for dialect in [MD, V2] {
        for level in 1..=6 {
            let src = format!("{} 标题{level}", "#".repeat(level));
            let r = show(&src, dialect);
            assert_eq!(rows(&r), [format!("标题{level}")], "{dialect:?} {src}");
            assert!(has(span(&r, "标题").style, Modifier::BOLD), "{src}");
            assert!(!kinds(&r).contains(&HintKind::HeadingNeedsSpace));
        }
        let r = show("#标题", dialect);
        assert_eq!(rows(&r), ["#标题"], "{dialect:?}: no space, no heading");
        assert!(!has(span(&r, "标题").style, Modifier::BOLD));
        assert_eq!(hint_at(&r, &HintKind::HeadingNeedsSpace), Some(1));
    }
}

#[test]
fn seven_hashes_are_not_a_heading() {
    let r = show("####### 七", MD);
    assert_eq!(rows(&r), ["####### 七"]);
}

#[test]
fn the_space_hint_points_at_its_line_and_ignores_escapes() {
    let r = show("正文\n\n##二级", MD);
    assert_eq!(hint_at(&r, &HintKind::HeadingNeedsSpace), Some(3));
    let r = show("\\#话题 and a #tag mid-line", MD);
    assert!(!kinds(&r).contains(&HintKind::HeadingNeedsSpace), "{r:?}");
}

#[test]
fn a_setext_heading_is_text_and_underline_in_markdown_but_a_heading_in_v2() {
    let r = show("标题\n===", MD);
    assert_eq!(rows(&r), ["标题", "==="]);
    assert!(!has(span(&r, "标题").style, Modifier::BOLD));
    let r = show("标题\n===", V2);
    assert_eq!(rows(&r), ["标题"]);
    assert!(has(span(&r, "标题").style, Modifier::BOLD));
}

// ---- bold, italic ---------------------------------------------------------

#[test]
fn bold_is_bold_in_both() {
    for dialect in [MD, V2] {
        let r = show("普通**加粗**普通", dialect);
        assert_eq!(rows(&r), ["普通加粗普通"]);
        assert!(has(span(&r, "加粗").style, Modifier::BOLD));
        assert!(!has(span(&r, "普通").style, Modifier::BOLD));
    }
}

#[test]
fn italic_is_typed_in_markdown_and_italic_in_v2() {
    let r = show("a *x* b", MD);
    assert_eq!(rows(&r), ["a *x* b"]);
    assert!(!has(span(&r, "x").style, Modifier::ITALIC));
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::Italic)),
        Some(1)
    );

    let r = show("a *x* b", V2);
    assert_eq!(rows(&r), ["a x b"]);
    assert!(has(span(&r, "x").style, Modifier::ITALIC));
    assert!(!kinds(&r).contains(&HintKind::NotInMarkdown(Construct::Italic)));
}

#[test]
fn bold_inside_typed_italic_keeps_both_delimiters_in_markdown() {
    let r = show("***重要***", MD);
    assert_eq!(rows(&r), ["*重要*"]);
    assert!(has(span(&r, "重要").style, Modifier::BOLD));
    let r = show("_x_", MD);
    assert_eq!(rows(&r), ["_x_"]);
}

// ---- links and images -------------------------------------------------------

#[test]
fn links_show_their_text_styled_and_the_url_dimmed() {
    for dialect in [MD, V2] {
        let r = show("[文档](https://work.weixin.qq.com/api/doc)", dialect);
        assert_eq!(rows(&r), ["文档 (https://work.weixin.qq.com/api/doc)"]);
        assert!(has(span(&r, "文档").style, Modifier::UNDERLINED));
        assert_eq!(span(&r, "https://").style.fg, Some(Color::DarkGray));
    }
    let r = render(
        "[文档](https://x.y)",
        MD,
        &RenderOptions {
            link_urls: false,
            ..RenderOptions::default()
        },
    );
    assert_eq!(rows(&r), ["文档"]);
}

#[test]
fn images_are_typed_in_markdown_and_a_placeholder_in_v2() {
    let src = "![logo](https://x.cn/a.png)";
    let r = show(src, MD);
    assert_eq!(rows(&r), [src]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::Image)),
        Some(1)
    );

    let r = show(src, V2);
    assert_eq!(rows(&r), ["[image: logo] https://x.cn/a.png"]);
    assert!(kinds(&r).iter().all(|k| *k == HintKind::OldClients));
    let r = show("![](https://x.cn/a.png)", V2);
    assert_eq!(rows(&r), ["[image] https://x.cn/a.png"]);
}

// ---- code -------------------------------------------------------------------

#[test]
fn single_line_inline_code_is_code_in_both() {
    for dialect in [MD, V2] {
        let r = show("运行 `cargo test` 吧", dialect);
        assert_eq!(rows(&r), ["运行 cargo test 吧"]);
        assert_eq!(span(&r, "cargo").style.fg, Some(Color::Yellow));
        assert_ne!(span(&r, "运行").style.fg, Some(Color::Yellow));
    }
}

#[test]
fn inline_code_across_lines_is_typed_with_a_hint() {
    for dialect in [MD, V2] {
        let r = show("前 `a\nb` 后", dialect);
        assert_eq!(rows(&r), ["前 `a", "b` 后"], "{dialect:?}");
        assert_eq!(hint_at(&r, &HintKind::MultiLineInlineCode), Some(1));
    }
}

#[test]
fn fenced_code_is_typed_in_markdown_and_framed_in_v2() {
    let src = "```rust\nfn main() {}\n```";
    let r = show(src, MD);
    assert_eq!(rows(&r), ["```rust", "fn main() {}", "```"]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::CodeBlock)),
        Some(1)
    );

    let r = show(src, V2);
    let shown = rows(&r);
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(shown[0].starts_with("┌─ rust ─"), "{shown:?}");
    assert_eq!(shown[1], "│ fn main() {}");
    assert!(shown[2].starts_with("└─"), "{shown:?}");
    assert_eq!(span(&r, "fn main").style.fg, Some(Color::Yellow));
    assert_eq!(r.source_lines, [1, 2, 3]);
}

#[test]
fn code_block_lines_keep_their_indentation_and_blank_lines() {
    let r = show("```\na\n\n  b\n```", V2);
    assert_eq!(&rows(&r)[1..4], ["│ a", "│", "│   b"]);
}

// ---- quotes -----------------------------------------------------------------

#[test]
fn a_quote_has_a_bar_in_both() {
    for dialect in [MD, V2] {
        let r = show("> 引用文本\n> 第二行", dialect);
        assert_eq!(rows(&r), ["│ 引用文本", "│ 第二行"]);
    }
}

#[test]
fn nested_quotes_are_bars_in_v2_and_typed_in_markdown() {
    let src = "> 一级\n>>二级\n>>>三级";
    let r = show(src, V2);
    assert_eq!(rows(&r), ["│ 一级", "│ │ 二级", "│ │ │ 三级"]);

    let r = show(src, MD);
    // One level is a quote; the extra `>` are characters on the screen.
    assert_eq!(rows(&r), ["│ 一级", "│ >二级", "│ >>三级"]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::NestedQuote)),
        Some(2)
    );
}

#[test]
fn a_blank_quote_line_separates_blocks_inside_the_quote() {
    let r = show("> - a\n>\n> 段落", V2);
    assert_eq!(rows(&r), ["│ • a", "│", "│ 段落"]);
}

#[test]
fn a_line_without_quote_marker_shows_no_bar() {
    let r = show(">类型:反馈\n普通行", MD);
    assert_eq!(rows(&r), ["│ 类型:反馈", "普通行"]);
}

// ---- font colours and mentions (markdown only) ------------------------------

#[test]
fn the_three_font_colours_in_markdown() {
    let r = show(
        "<font color=\"info\">绿色</font><font color=\"comment\">灰色</font><font color=\"warning\">橙红色</font>",
        MD,
    );
    assert_eq!(rows(&r), ["绿色灰色橙红色"]);
    assert_eq!(span(&r, "绿色").style.fg, Some(Color::Green));
    assert_eq!(span(&r, "灰色").style.fg, Some(Color::Gray));
    // xterm-256 colour 202, "OrangeRed1".
    assert_eq!(span(&r, "橙红色").style.fg, Some(Color::Indexed(202)));
    assert!(r.hints.is_empty(), "{:?}", r.hints);
}

#[test]
fn font_colours_are_typed_in_v2_with_a_hint() {
    let src = "<font color=\"info\">绿色</font>";
    let r = show(src, V2);
    assert_eq!(rows(&r), [src]);
    assert_eq!(span(&r, "绿色").style.fg, None);
    assert_eq!(hint_at(&r, &HintKind::FontColourInV2), Some(1));
}

#[test]
fn an_unknown_colour_shows_its_tags() {
    let r = show("<font color=\"red\">红</font>", MD);
    assert_eq!(rows(&r), ["<font color=\"red\">红</font>"]);
    assert_eq!(hint_at(&r, &HintKind::UnknownFontColour), Some(1));
}

#[test]
fn an_unclosed_font_colours_the_rest_of_its_paragraph_only() {
    let r = show("<font color=\"info\">绿 **粗**\n\n下一段", MD);
    assert_eq!(rows(&r), ["绿 粗", "", "下一段"]);
    assert_eq!(span(&r, "绿").style.fg, Some(Color::Green));
    assert_eq!(span(&r, "粗").style.fg, Some(Color::Green));
    assert!(has(span(&r, "粗").style, Modifier::BOLD));
    assert_eq!(span(&r, "下一段").style.fg, None);
}

#[test]
fn mentions_are_highlighted_in_markdown_and_text_and_typed_in_v2() {
    for dialect in [MD, Dialect::Text] {
        let r = show("请 <@wangqing> 查看", dialect);
        assert_eq!(rows(&r), ["请 @wangqing 查看"], "{dialect:?}");
        let m = span(&r, "@wangqing");
        assert_eq!(m.content, "@wangqing");
        assert_eq!(m.style.fg, Some(Color::Blue));
        assert!(r.hints.is_empty());
    }
    let r = show("请 <@wangqing> 查看", V2);
    assert_eq!(rows(&r), ["请 <@wangqing> 查看"]);
    assert_eq!(span(&r, "wangqing").style.fg, None);
    assert_eq!(hint_at(&r, &HintKind::MentionInV2), Some(1));
}

#[test]
fn a_font_tag_on_its_own_line_colours_the_lines_below_it() {
    let r = show("<font color=\"info\">\n绿色\n</font>\n\n后", MD);
    assert_eq!(rows(&r), ["绿色", "", "后"]);
    assert_eq!(span(&r, "绿色").style.fg, Some(Color::Green));
    assert_eq!(span(&r, "后").style.fg, None);
}

// ---- lists ------------------------------------------------------------------

#[test]
fn lists_are_typed_in_markdown() {
    let r = show("- a\n  - b\n1. c", MD);
    assert_eq!(rows(&r), ["- a", "  - b", "1. c"]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::List)),
        Some(1)
    );
    let r = show("* star\n+ plus\n3) paren", MD);
    assert_eq!(rows(&r), ["* star", "+ plus", "3) paren"]);
}

#[test]
fn lists_in_v2_have_bullets_numbers_and_indentation() {
    let r = show("- 一\n- 二\n  - 二.1\n    - 二.1.1\n1. 甲\n2. 乙", V2);
    assert_eq!(
        rows(&r),
        ["• 一", "• 二", "  ◦ 二.1", "    ▪ 二.1.1", "1. 甲", "2. 乙"]
    );
    assert!(!kinds(&r).contains(&HintKind::NotInMarkdown(Construct::List)));
}

#[test]
fn ordered_lists_count_from_their_first_number() {
    let r = show("7. a\n1. b\n1. c", V2);
    assert_eq!(rows(&r), ["7. a", "8. b", "9. c"]);
}

#[test]
fn a_wrapped_list_item_continues_under_its_text() {
    let r = show_width("- 一二三四五六七八", V2, 10);
    assert_eq!(rows(&r), ["• 一二三四", "  五六七八"]);
}

// ---- rules and tables -------------------------------------------------------

#[test]
fn a_rule_is_typed_in_markdown_and_crosses_the_width_in_v2() {
    let r = show("上\n\n---\n\n下", MD);
    assert_eq!(rows(&r), ["上", "", "---", "", "下"]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::Rule)),
        Some(3)
    );
    let r = show_width("上\n\n---\n\n下", V2, 24);
    assert_eq!(rows(&r)[2], "─".repeat(24));
}

#[test]
fn a_table_stays_pipes_in_markdown() {
    let src = "| 名 | b |\n|:--|--:|\n| 张三 | 1 |";
    let r = show(src, MD);
    assert_eq!(rows(&r), ["| 名 | b |", "|:--|--:|", "| 张三 | 1 |"]);
    assert_eq!(
        hint_at(&r, &HintKind::NotInMarkdown(Construct::Table)),
        Some(1)
    );
    assert!(r.hints[0].message.contains("switch to markdown_v2"));
}

#[test]
fn a_v2_table_aligns_columns_counting_cjk_as_two() {
    // Column 1: "张三" is 4 columns wide, the widest; column 2: "22" is 2.
    let r = show("| 名 | b |\n|:--|--:|\n| 张三 | 1 |\n| x | 22 |", V2);
    assert_eq!(
        rows(&r),
        ["名   │  b", "─────┼───", "张三 │  1", "x    │ 22"]
    );
    assert!(has(span(&r, "名").style, Modifier::BOLD), "header is bold");
    assert_eq!(r.source_lines, [1, 2, 3, 4]);
}

#[test]
fn a_centred_column_splits_its_padding() {
    let r = show("| 尺寸 |\n|:-:|\n| S |", V2);
    // "尺寸" is 4 wide: S gets 1 column left, 2 right.
    assert_eq!(rows(&r)[2], " S");
    assert_eq!(r.text.lines[2].to_string(), " S  ");
}

#[test]
fn a_table_wider_than_the_pane_wraps_inside_its_cells() {
    let r = show_width(
        "| 地址 | 备注 |\n|---|---|\n| 广州市天河区珠江新城 | 好 |",
        V2,
        14,
    );
    for row in rows(&r) {
        let w = unicode_width::UnicodeWidthStr::width(row.as_str());
        assert!(w <= 14, "{row:?} is {w} wide");
    }
    // The address wraps inside its column and reads whole top to bottom.
    let column: String = rows(&r)[2..]
        .iter()
        .map(|l| l.split('│').next().unwrap_or("").trim().to_owned())
        .collect();
    assert_eq!(column, "广州市天河区珠江新城", "{:#?}", rows(&r));
}

// ---- other HTML, blank lines, wrapping ---------------------------------------

#[test]
fn other_html_is_typed_in_both() {
    for dialect in [MD, V2] {
        let r = show("a <b>x</b> <br>", dialect);
        assert_eq!(rows(&r), ["a <b>x</b> <br>"]);
    }
}

#[test]
fn blank_lines_between_blocks_are_kept_once() {
    let r = show("一\n\n\n\n二\n三", MD);
    assert_eq!(rows(&r), ["一", "", "二", "三"]);
    assert_eq!(r.source_lines, [1, 2, 5, 6]);
}

#[test]
fn wrapped_quote_rows_keep_their_bar() {
    let r = show_width("> 一二三四五六七八九十", V2, 10);
    assert_eq!(rows(&r), ["│ 一二三四", "│ 五六七八", "│ 九十"]);
    assert_eq!(r.source_lines, [1, 1, 1]);
}

#[test]
fn words_wrap_whole_when_they_can() {
    let r = show_width("hello wide world", V2, 11);
    assert_eq!(rows(&r), ["hello wide", "world"]);
}

// ---- text messages ------------------------------------------------------------

#[test]
fn text_is_plain_with_the_mention_lists_on_a_last_line() {
    let users = ["wangqing".to_owned(), "@all".to_owned()];
    let mobiles = ["13800001111".to_owned(), "@all".to_owned()];
    let r = render(
        "**不加粗** # 不是标题\n第二行",
        Dialect::Text,
        &RenderOptions {
            mentioned_list: &users,
            mentioned_mobile_list: &mobiles,
            ..RenderOptions::default()
        },
    );
    assert_eq!(
        rows(&r),
        [
            "**不加粗** # 不是标题",
            "第二行",
            "",
            "@wangqing @all @13800001111"
        ]
    );
    assert_eq!(span(&r, "@wangqing").style.fg, Some(Color::Blue));
    assert!(r.hints.is_empty());
}

// ---- hints about the message type ------------------------------------------------

#[test]
fn mention_lists_are_ignored_by_markdown_types() {
    let users = ["wangqing".to_owned()];
    let opts = RenderOptions {
        mentioned_list: &users,
        ..RenderOptions::default()
    };
    let r = render("正文", MD, &opts);
    let h = &r.hints[0];
    assert_eq!((h.line, &h.kind), (1, &HintKind::MentionListIgnored));
    assert_eq!(
        h.message,
        "mentioned_list is ignored for markdown — write <@userid> in the text"
    );
    let r = render("正文", V2, &opts);
    assert!(kinds(&r).contains(&HintKind::MentionListIgnored));
    let r = render("正文", MD, &RenderOptions::default());
    assert!(r.hints.is_empty());
}

#[test]
fn v2_always_warns_about_old_clients_once_on_line_one() {
    let r = show("a\n\nb\n\nc", V2);
    let old: Vec<_> = r
        .hints
        .iter()
        .filter(|h| h.kind == HintKind::OldClients)
        .collect();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].line, 1);
    assert_eq!(old[0].severity, HintSeverity::Info);
    assert!(old[0].message.contains("4.1.36") && old[0].message.contains("4.1.38"));
    assert!(!kinds(&show("a", MD)).contains(&HintKind::OldClients));
}

#[test]
fn hints_come_in_line_order_and_once_per_line_and_kind() {
    let r = show("*a* *b*\n\n| x |\n|---|\n\n*c*", MD);
    let lines: Vec<_> = r.hints.iter().map(|h| (h.line, h.kind.clone())).collect();
    assert_eq!(
        lines,
        [
            (1, HintKind::NotInMarkdown(Construct::Italic)),
            (3, HintKind::NotInMarkdown(Construct::Table)),
            (6, HintKind::NotInMarkdown(Construct::Italic)),
        ]
    );
    let drawn = hint_lines(&r.hints, false);
    assert_eq!(
        drawn[1].to_string(),
        "⚠ line 3: tables are not rendered in markdown (shown as typed) — switch to markdown_v2"
    );
}

// ---- following the cursor --------------------------------------------------------

#[test]
fn every_row_knows_its_source_line() {
    let src = "# 标题\n\n段落一\n第二行\n\n> 引用\n\n| a |\n|---|\n| b |";
    let r = show(src, V2);
    assert_eq!(
        rows(&r),
        [
            "标题",
            "",
            "段落一",
            "第二行",
            "",
            "│ 引用",
            "",
            "a",
            "─",
            "b"
        ]
    );
    assert_eq!(r.source_lines, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(r.row_of_source_line(4), 3);
    assert_eq!(r.row_of_source_line(99), 9, "past the end: last row");
    assert_eq!(r.source_line_of_row(5), Some(6));
}

#[test]
fn a_source_line_that_draws_nothing_maps_to_the_next_row() {
    // Line 2 of a setext heading in v2 draws no row of its own.
    let r = show("标题\n---\n正文", V2);
    assert_eq!(rows(&r), ["标题", "正文"]);
    assert_eq!(r.row_of_source_line(2), 1);
}

#[test]
fn follow_scrolls_only_when_the_cursor_line_leaves_the_pane() {
    let src: String = (1..=50).map(|i| format!("第{i}行\n")).collect();
    let r = show(&src, MD);
    assert_eq!(r.follow(5, 0, 10), 0, "in view: no scroll");
    assert_eq!(r.follow(11, 0, 10), 1, "one below: one row");
    assert_eq!(r.follow(30, 0, 10), 20);
    assert_eq!(r.follow(3, 20, 10), 2, "above: to its row");
    // A wrapped line is brought in whole.
    let long = format!("{}{}", "短\n".repeat(9), "长".repeat(40));
    let r = show_width(&long, MD, 20);
    assert_eq!(r.row_of_source_line(10), 9);
    assert_eq!(r.follow(10, 0, 10), 3, "its 4 rows end at row 12");
}

// ---- without colour ------------------------------------------------------------

#[test]
fn no_color_uses_modifiers_only_and_still_tells_things_apart() {
    let opts = RenderOptions {
        color: false,
        width: 60,
        ..RenderOptions::default()
    };
    let all = "# 标题\n**粗** [链](https://x.y) `码` <@u>\n<font color=\"info\">绿</font><font color=\"comment\">灰</font><font color=\"warning\">橙</font>\n> 引";
    let v2 = "# 标题\n*斜* **粗**\n- 项\n\n```\n代码\n```\n\n| a |\n|---|\n| b |\n\n---\n![图](https://x.y/p.png)";
    for (src, dialect) in [(all, MD), (v2, V2)] {
        let r = render(src, dialect, &opts);
        for s in r.text.lines.iter().flat_map(|l| l.spans.iter()) {
            assert_eq!((s.style.fg, s.style.bg), (None, None), "{s:?}");
        }
    }
    let r = render(all, MD, &opts);
    let styles = [
        span(&r, "绿").style,
        span(&r, "灰").style,
        span(&r, "橙").style,
        span(&r, "码").style,
        span(&r, "链").style,
        span(&r, "@u").style,
    ];
    for (i, a) in styles.iter().enumerate() {
        assert_ne!(*a, Style::default(), "style {i} must show");
        for b in &styles[i + 1..] {
            assert_ne!(a, b, "two different things look the same without colour");
        }
    }
}

/// The editor counts lines by `\n` only; a bare CR inside a line is a
/// character there, so the preview must not give that line two numbers
/// (issue 17, item 21).
#[test]
fn a_bare_cr_in_a_table_row_keeps_one_source_line() {
    let r = show("|a|\r|-|", Dialect::MarkdownV2);
    assert!(
        r.source_lines.iter().all(|&l| l == 1),
        "{:?} for {:?}",
        r.source_lines,
        rows(&r)
    );
    let r = show("|a|b|\r|-|-|\r|1|2|\nnext", Dialect::MarkdownV2);
    assert!(
        r.source_lines.iter().all(|&l| l == 1 || l == 2),
        "{:?} for {:?}",
        r.source_lines,
        rows(&r)
    );
    assert_eq!(r.source_lines.last(), Some(&2), "{:?}", rows(&r));
}
