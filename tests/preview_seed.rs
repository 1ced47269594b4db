//! The official page's own examples (seed 001), rendered in both markdown
//! dialects. What must be true of each comes from the page and the dialect
//! table in shared/API-FACTS.md: the markdown_v2 example exercises every v2
//! construct, and most of them are not markdown (v1) constructs, so in v1
//! they must appear as typed.

use ratatui::style::{Color, Modifier};
use ratatui::text::Span;
use wecom_composer::preview::{Construct, Dialect, HintKind, RenderOptions, Rendered, render};

fn seed_content(file: &str, msgtype: &str) -> String {
    let path = format!("{}/tests/fixtures/seeds/{file}", env!("CARGO_MANIFEST_DIR"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("seed fixture")).expect("json");
    json[msgtype]["content"]
        .as_str()
        .expect("content")
        .to_owned()
}

fn v2_example() -> String {
    seed_content("001_04_markdown_v2.json", "markdown_v2")
}

fn v1_example() -> String {
    seed_content("001_03_markdown.json", "markdown")
}

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

fn rows(r: &Rendered) -> Vec<String> {
    r.text
        .lines
        .iter()
        .map(|l| l.to_string().trim_end().to_owned())
        .collect()
}

/// The row showing `needle`, and its index.
fn row_with(r: &Rendered, needle: &str) -> (usize, String) {
    rows(r)
        .into_iter()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in {:#?}", rows(r)))
}

fn span<'a>(r: &'a Rendered, needle: &str) -> &'a Span<'static> {
    r.text
        .lines
        .iter()
        .flat_map(|l| l.spans.iter())
        .find(|s| s.content.contains(needle))
        .unwrap_or_else(|| panic!("no span with {needle:?}"))
}

/// The span that is exactly `text`.
fn span_eq<'a>(r: &'a Rendered, text: &str) -> &'a Span<'static> {
    r.text
        .lines
        .iter()
        .flat_map(|l| l.spans.iter())
        .find(|s| s.content == text)
        .unwrap_or_else(|| panic!("no span {text:?}"))
}

fn source_line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the source"))
}

#[test]
fn v2_example_in_v2_draws_every_construct() {
    let src = v2_example();
    let r = show(&src, Dialect::MarkdownV2);

    // Headings: the text without `#`, bold.
    for h in ["一、标题", "二级标题", "三级标题", "八、表格"] {
        assert_eq!(row_with(&r, h).1, h);
        assert!(span(&r, h).style.add_modifier.contains(Modifier::BOLD));
    }
    // Fonts.
    assert_eq!(row_with(&r, "斜体").1, "斜体");
    assert!(
        span(&r, "斜体")
            .style
            .add_modifier
            .contains(Modifier::ITALIC)
    );
    assert_eq!(row_with(&r, "加粗").1, "加粗");
    assert!(span(&r, "加粗").style.add_modifier.contains(Modifier::BOLD));

    // Lists: bullets, a deeper level indented further, numbers.
    assert_eq!(row_with(&r, "无序列表 1").1, "• 无序列表 1");
    assert_eq!(row_with(&r, "无序列表 2.1").1, "  ◦ 无序列表 2.1");
    assert_eq!(row_with(&r, "无序列表 2.2").1, "  ◦ 无序列表 2.2");
    assert_eq!(row_with(&r, "有序列表 1").1, "1. 有序列表 1");
    assert_eq!(row_with(&r, "有序列表 2").1, "2. 有序列表 2");

    // Quotes: one bar per level.
    assert_eq!(row_with(&r, "一级引用").1, "│ 一级引用");
    assert_eq!(row_with(&r, "二级引用").1, "│ │ 二级引用");
    assert_eq!(row_with(&r, "三级引用").1, "│ │ │ 三级引用");

    // A link (its `\/` escapes read as `/`) and an image placeholder.
    assert!(
        row_with(&r, "这是一个链接")
            .1
            .starts_with("这是一个链接 (https:work.weixin.qq.com/api/doc)")
    );
    assert!(
        span(&r, "这是一个链接")
            .style
            .add_modifier
            .contains(Modifier::UNDERLINED)
    );
    let (img, row) = row_with(&r, "[image]");
    assert!(row.starts_with("[image]"), "{row}");
    let url_rows = rows(&r)[img..img + 3].concat();
    assert!(
        url_rows.contains("test_pic_msg1.png"),
        "the image URL follows: {url_rows}"
    );
    assert!(!rows(&r).iter().any(|l| l.contains("![")));

    // A rule across the width.
    assert!(rows(&r).contains(&"─".repeat(60)));

    // Inline code and a code block.
    assert_eq!(row_with(&r, "这是行内代码").1, "这是行内代码");
    assert_eq!(span(&r, "这是行内代码").style.fg, Some(Color::Yellow));
    let (code, row) = row_with(&r, "这是独立代码块");
    assert_eq!(row, "│ 这是独立代码块");
    assert!(rows(&r)[code - 1].starts_with("┌"));
    assert!(rows(&r)[code + 1].starts_with("└"));
    assert!(!rows(&r).iter().any(|l| l.contains("```")));

    // The table: left, centred and right-aligned columns, CJK counting 2.
    // Widths: 姓名 4, 文化衫尺寸 10, 收货地址 8.
    let (head, row) = row_with(&r, "姓名");
    assert_eq!(row, "姓名 │ 文化衫尺寸 │ 收货地址");
    assert_eq!(rows(&r)[head + 1], "─────┼────────────┼─────────");
    assert_eq!(rows(&r)[head + 2], "张三 │     S      │     广州");
    assert_eq!(rows(&r)[head + 3], "李四 │     L      │     深圳");

    // Nothing but the old-clients note.
    let kinds: Vec<_> = r.hints.iter().map(|h| h.kind.clone()).collect();
    assert_eq!(kinds, [HintKind::OldClients]);
}

#[test]
fn v2_example_in_markdown_shows_the_v2_constructs_as_typed() {
    let src = v2_example();
    let r = show(&src, Dialect::Markdown);

    // Supported by markdown: headings, bold, link, inline code, a quote.
    assert_eq!(row_with(&r, "一、标题").1, "一、标题");
    assert!(
        span(&r, "一、标题")
            .style
            .add_modifier
            .contains(Modifier::BOLD)
    );
    assert_eq!(row_with(&r, "加粗").1, "加粗");
    assert!(row_with(&r, "这是一个链接").1.starts_with("这是一个链接 ("));
    assert_eq!(row_with(&r, "这是行内代码").1, "这是行内代码");
    assert_eq!(row_with(&r, "一级引用").1, "│ 一级引用");

    // Not supported: as typed.
    assert_eq!(row_with(&r, "斜体").1, "*斜体*");
    assert_eq!(row_with(&r, "无序列表 1").1, "- 无序列表 1");
    assert_eq!(row_with(&r, "无序列表 2.1").1, "  - 无序列表 2.1");
    assert_eq!(row_with(&r, "有序列表 2").1, "2. 有序列表 2");
    assert_eq!(row_with(&r, "二级引用").1, "│ >二级引用");
    assert_eq!(row_with(&r, "三级引用").1, "│ >>三级引用");
    assert_eq!(
        row_with(&r, "![](").1,
        "![](https://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png)"
            .chars()
            .take(60)
            .collect::<String>()
    );
    assert!(rows(&r).contains(&"---".to_owned()));
    let (code, _) = row_with(&r, "这是独立代码块");
    assert_eq!(rows(&r)[code - 1], "```");
    assert_eq!(rows(&r)[code + 1], "```");
    assert!(rows(&r).contains(&"| 姓名 | 文化衫尺寸 | 收货地址 |".to_owned()));
    assert!(rows(&r).contains(&"| :----- | :----: | -------: |".to_owned()));
    assert!(rows(&r).contains(&"| 张三 | S | 广州 |".to_owned()));

    // A hint for each, at its line.
    for (what, needle) in [
        (Construct::Italic, "*斜体*"),
        (Construct::List, "- 无序列表 1"),
        (Construct::NestedQuote, ">>二级引用"),
        (Construct::Image, "![]("),
        (Construct::Rule, "---"),
        (Construct::CodeBlock, "```"),
        (Construct::Table, "| 姓名"),
    ] {
        let line = source_line_of(&src, needle);
        assert!(
            r.hints
                .iter()
                .any(|h| h.kind == HintKind::NotInMarkdown(what) && h.line == line),
            "{what:?} at line {line}: {:#?}",
            r.hints
        );
    }
    assert!(!r.hints.iter().any(|h| h.kind == HintKind::OldClients));
}

#[test]
fn v1_example_in_markdown_is_coloured_and_quoted() {
    let src = v1_example();
    let r = show(&src, Dialect::Markdown);
    assert_eq!(
        rows(&r),
        [
            "实时新增用户反馈132例,请相关同事注意。",
            "│ 类型:用户反馈",
            "│ 普通用户反馈:117例",
            "│ VIP用户反馈:15例",
        ]
    );
    assert_eq!(span(&r, "132例").style.fg, Some(Color::Indexed(202)));
    assert_eq!(span_eq(&r, "用户反馈").style.fg, Some(Color::Gray));
    assert_eq!(span(&r, "117例").style.fg, Some(Color::Gray));
    assert_eq!(span(&r, "实时新增").style.fg, None);
    assert_eq!(span(&r, "普通用户反馈:").style.fg, None);
    assert!(r.hints.is_empty(), "{:?}", r.hints);
    assert_eq!(r.source_lines, [1, 2, 3, 4]);
}

#[test]
fn v1_example_in_v2_shows_the_font_tags_and_says_why() {
    let src = v1_example();
    let r = show(&src, Dialect::MarkdownV2);
    let all = rows(&r).join("\n");
    assert!(all.contains("<font color=\"warning\">"), "{all}");
    assert!(all.contains("</font>"));
    assert!(
        !r.text
            .lines
            .iter()
            .flat_map(|l| &l.spans)
            .any(|s| s.style.fg == Some(Color::Indexed(202)))
    );
    let font_lines: Vec<usize> = r
        .hints
        .iter()
        .filter(|h| h.kind == HintKind::FontColourInV2)
        .map(|h| h.line)
        .collect();
    assert_eq!(font_lines, [1, 2, 3, 4]);
}
