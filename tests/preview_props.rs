//! No input makes the preview panic or run away, in any dialect and at any
//! width: random text (random bytes read as lossy UTF-8, and markdown-ish
//! soup), pathological nesting, unbalanced WeCom tags and very long lines.
//! Also checks the invariants the composer relies on: one source line per
//! row, non-decreasing, within the source; rows no wider than the width.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use unicode_width::UnicodeWidthStr;
use wecom_composer::preview::{Dialect, RenderOptions, render};

const DIALECTS: [Dialect; 3] = [Dialect::Text, Dialect::Markdown, Dialect::MarkdownV2];

/// Renders in every dialect and checks the invariants.
fn check(src: &str, width: u16) {
    let lines_in_source = src.split('\n').count();
    let users = ["wangqing".to_owned(), "@all".to_owned()];
    for dialect in DIALECTS {
        for color in [true, false] {
            let r = render(
                src,
                dialect,
                &RenderOptions {
                    width,
                    color,
                    link_urls: true,
                    mentioned_list: &users,
                    mentioned_mobile_list: &[],
                },
            );
            assert_eq!(r.text.lines.len(), r.source_lines.len(), "{dialect:?}");
            assert!(
                r.source_lines.windows(2).all(|w| w[0] <= w[1]),
                "{dialect:?}: source lines go back"
            );
            assert!(
                r.source_lines
                    .iter()
                    .all(|&l| l >= 1 && l <= lines_in_source),
                "{dialect:?}: a row points outside the source"
            );
            assert!(
                r.hints
                    .iter()
                    .all(|h| h.line >= 1 && h.line <= lines_in_source)
            );
            // Rows fit the width, but for a wide character alone in a row
            // narrower than it.
            if width >= 2 {
                for line in &r.text.lines {
                    let w = line.to_string().width();
                    assert!(
                        w <= usize::from(width),
                        "{dialect:?} width {width}: row {line} is {w} wide"
                    );
                }
            }
            // Nothing that could drive the terminal: no escape, no tab.
            for span in r.text.lines.iter().flat_map(|l| &l.spans) {
                assert!(
                    !span.content.chars().any(char::is_control),
                    "{dialect:?}: control character in {span:?}"
                );
            }
            let _ = r.follow(lines_in_source / 2 + 1, 3, 10);
            let _ = r.row_of_source_line(lines_in_source + 5);
        }
    }
}

/// Markdown-ish soup: the characters and tags every construct is made of.
fn soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "#",
        "# ",
        "##",
        "**",
        "*",
        "_",
        "`",
        "```",
        "~~~",
        "> ",
        ">>",
        ">",
        "- ",
        "* ",
        "1. ",
        "2) ",
        "  ",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "|",
        "| --- |",
        ":---:",
        "---",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "http://x.y",
        "<",
        ">",
        "<@",
        "<@wangqing>",
        "<font color=\"info\">",
        "<font color=\"warning\">",
        "<font color=red>",
        "</font>",
        "<div>",
        "<!--",
        "-->",
        "\\",
        "&amp;",
        "&#x",
        "广州",
        "今日",
        "🚀",
        "👨‍👩‍👧",
        "e\u{301}",
        "\u{200b}",
        "\u{1b}[2J",
        "a",
        "word ",
        "x",
    ]);
    prop::collection::vec(atoms, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), width in 0u16..=200) {
        check(&String::from_utf8_lossy(&bytes), width);
    }

    #[test]
    fn markdown_soup_never_panics(src in soup(), width in 0u16..=200) {
        check(&src, width);
    }

    #[test]
    fn any_unicode_never_panics(src in "\\PC{0,300}", width in 0u16..=40) {
        check(&src, width);
    }
}

#[test]
fn pathological_inputs_render_quickly() {
    let long_line = "很长的一行 long line ".repeat(8_000);
    let cases: Vec<(&str, String)> = vec![
        ("10,000 >", ">".repeat(10_000)),
        (
            "10,000 > then text",
            format!("{} 深\n> 浅", ">".repeat(10_000)),
        ),
        ("10,000 [", "[".repeat(10_000)),
        ("10,000 ![", "![".repeat(10_000)),
        ("10,000 *", "*".repeat(10_000)),
        ("10,000 * x", "*x ".repeat(10_000)),
        ("10,000 `", "`".repeat(10_000)),
        ("10,000 <", "<".repeat(10_000)),
        ("10,000 <@", "<@".repeat(10_000)),
        (
            "nested lists",
            (0..2_000)
                .map(|i| format!("{}- {i}\n", "  ".repeat(i)))
                .collect(),
        ),
        ("unclosed fonts", "<font color=\"info\">绿 ".repeat(5_000)),
        (
            "unclosed font block",
            "<font color=\"info\">\n绿色\n".repeat(2_000),
        ),
        ("100k-character line", "字".repeat(100_000)),
        ("100k-character word", "a".repeat(100_000)),
        ("long line", long_line),
        (
            "wide table",
            format!(
                "|{}\n|{}\n|{}",
                " 列 |".repeat(500),
                "---|".repeat(500),
                " 值 |".repeat(500)
            ),
        ),
        (
            "long table",
            format!("| a | b |\n|---|:-:|\n{}", "| 张三 | 1 |\n".repeat(5_000)),
        ),
        ("code fence soup", "```\n~~~\n````\n".repeat(3_000)),
    ];
    for (name, src) in &cases {
        for width in [0u16, 1, 2, 7, 80] {
            let started = Instant::now();
            for dialect in DIALECTS {
                let r = render(
                    src,
                    dialect,
                    &RenderOptions {
                        width,
                        ..RenderOptions::default()
                    },
                );
                assert_eq!(r.text.lines.len(), r.source_lines.len());
            }
            let took = started.elapsed();
            // Generous for a debug build on a busy 2-core machine; quadratic
            // behaviour on these inputs takes minutes.
            assert!(
                took < Duration::from_secs(20),
                "{name} at width {width}: {took:?}"
            );
        }
    }
}

#[test]
fn the_invariants_hold_on_the_pathological_inputs_too() {
    for src in [
        format!("{} 深\n> 浅\n浅", ">".repeat(300)),
        "<font color=\"info\">没有结束\n\n<font color=\"warning\">".to_owned(),
        "- a\n\n\n- b\n  > c\n  d\n-".to_owned(),
        "|a|\n|-|\n|b|c|d|\n|".to_owned(),
        "```\n".to_owned(),
        "\r\n\r\n# 标题\r\n> 引\r\n".to_owned(),
        "```http://x.y\u{1b}[2J\n\u{1b}]0;title\u{7}\n|\u{1b}|\n|-|\n---\u{1b}".to_owned(),
    ] {
        for width in [0u16, 1, 2, 3, 10, 200] {
            check(&src, width);
        }
    }
}
