//! Styled lines wrapped to a width before ratatui draws them.
//!
//! Why not `Paragraph::wrap`: in ratatui 0.30 its word wrapper can emit a
//! row one column wider than its area when a wide (CJK) character does not
//! fit the cells left on the row (ratatui issue 2679; the fix, PR 2680, is
//! not released), and that extra column is drawn over the pane's border:
//! the attachment pane's key line `… 空字段上按 Enter：浏览` covered the
//! editor's right edge. It also treats a run of Chinese without spaces as
//! one word, so a sentence jumps whole to the next row. textwrap breaks
//! where the Unicode line-breaking rules allow (UAX #14: between two
//! ideographs, never before `。` or `：`), measures by display width, and
//! cuts a word wider than the row; this module only keeps the spans'
//! styles across the breaks. Every pane counts its rows with the same
//! function it draws with, so a scroll limit is never off by a row.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use textwrap::WordSeparator;
use textwrap::core::{Word, break_words};
use textwrap::wrap_algorithms::wrap_first_fit;

/// `lines` wrapped to rows of at most `width` display columns (at least
/// one). A line that fits is kept as it is; a line's leading indentation
/// stays on its first row; the spaces where a line breaks are dropped.
pub fn lines(lines: &[Line<'_>], width: u16) -> Vec<Line<'static>> {
    visible(lines, width, 0, usize::MAX)
}

/// The rows `skip..skip + height` of `lines` wrapped at `width`: what a
/// pane scrolled by `skip` rows shows. Lines past the last shown row are
/// not wrapped at all, so a long JSON draws only what is on the screen.
pub fn visible(lines: &[Line<'_>], width: u16, skip: usize, height: usize) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    let mut skipped = 0;
    for line in lines {
        if out.len() >= height {
            break;
        }
        if skipped < skip && line.width() <= width {
            skipped += 1;
            continue;
        }
        let mut rows = Vec::new();
        wrap_line(line, width, &mut rows);
        for row in rows {
            if skipped < skip {
                skipped += 1;
            } else if out.len() < height {
                out.push(row);
            }
        }
    }
    out
}

/// Plain text wrapped the same way, as strings (for text set in a column
/// beside others, as F1's help is beside its keys).
pub fn plain(text: &str, width: usize) -> Vec<String> {
    hanging(text, width, "")
}

/// [`plain`] with every row after the first starting with `indent`, which
/// counts in the width (a hint's second row, under its first's text).
pub fn hanging(text: &str, width: usize, indent: &str) -> Vec<String> {
    let options = textwrap::Options::new(width.max(1))
        .subsequent_indent(indent)
        .word_separator(WordSeparator::Custom(find_words))
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    textwrap::wrap(text, options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

/// How many rows [`lines`] makes of `lines` at `width`.
pub fn rows(lines: &[Line<'_>], width: u16) -> usize {
    let width_cols = usize::from(width.max(1));
    lines
        .iter()
        .map(|line| {
            if line.width() <= width_cols {
                1
            } else {
                let mut out = Vec::new();
                wrap_line(line, width_cols, &mut out);
                out.len().max(1)
            }
        })
        .sum()
}

fn wrap_line(line: &Line<'_>, width: usize, out: &mut Vec<Line<'static>>) {
    if line.width() <= width {
        out.push(owned(
            line,
            line.spans.iter().map(|s| (s.content.to_string(), s.style)),
        ));
        return;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    // Where each span's text starts in `text`, and its style.
    let mut starts = Vec::with_capacity(line.spans.len());
    let mut at = 0;
    for span in &line.spans {
        starts.push((at, at + span.content.len(), span.style));
        at += span.content.len();
    }
    let words: Vec<Word<'_>> = break_words(find_words(&text), width);
    // Every word textwrap returns is a slice of `text`: its place there is
    // the distance between the two starts.
    let base = text.as_ptr() as usize;
    let offset = |s: &str| s.as_ptr() as usize - base;
    for row in wrap_first_fit(&words, &[width as f64]) {
        let (Some(first), Some(last)) = (row.first(), row.last()) else {
            continue;
        };
        let (from, to) = (offset(first.word), offset(last.word) + last.word.len());
        let pieces = starts.iter().filter_map(|&(start, end, style)| {
            let (a, b) = (start.max(from), end.min(to));
            (a < b).then(|| (text[a..b].to_owned(), style))
        });
        out.push(owned(line, pieces));
    }
}

/// The words of `text` and the places between them a row may end: at a
/// space, where the Unicode rules allow a break with a wide (CJK)
/// character on either side, after a zero-width space, and before a path
/// that follows Chinese (`本机：/tmp/…`). The rules also allow one after
/// `/` or `-` inside a URL or a path; a row that ends there leaves half an
/// address to copy, so such a run stays whole (and is cut only when it is
/// wider than the row). They forbid one before `/` (UAX #14 LB13), even
/// after a space or a Chinese colon, which would glue a path to the words
/// before it and cut it at the row's end; here a path may start a row.
fn find_words(text: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let wide = |c: Option<char>| {
        c.and_then(unicode_width::UnicodeWidthChar::width)
            .is_some_and(|w| w > 1)
    };
    let base = text.as_ptr() as usize;
    let mut merged: Vec<Word<'_>> = Vec::new();
    let at_spaces = WordSeparator::UnicodeBreakProperties
        .find_words(text)
        .flat_map(split_at_spaces);
    for word in at_spaces {
        if let Some(prev) = merged.last_mut()
            && prev.whitespace.is_empty()
            && !prev.word.is_empty()
            && !prev.word.ends_with('\u{200B}')
            && !wide(prev.word.chars().next_back())
            && !wide(word.word.chars().next())
        {
            // Contiguous in `text`: one slice from the first's start to
            // the second's end.
            let start = prev.word.as_ptr() as usize - base;
            let end = word.word.as_ptr() as usize - base + word.word.len();
            *prev = Word {
                word: &text[start..end],
                whitespace: word.whitespace,
                penalty: word.penalty,
                width: prev.width + word.width,
            };
        } else {
            merged.push(word);
        }
    }
    Box::new(merged.into_iter().flat_map(split_before_paths))
}

/// `word` split where a path (`/` or `~`) follows a wide character other
/// than an opening bracket or quote (`（/tmp` stays together).
fn split_before_paths(word: Word<'_>) -> Vec<Word<'_>> {
    let opens = |c: char| "（“‘《【「『〔".contains(c);
    let cuts: Vec<(usize, usize)> = word
        .word
        .char_indices()
        .zip(word.word.chars().skip(1))
        .filter(|&((_, before), after)| {
            matches!(after, '/' | '~')
                && unicode_width::UnicodeWidthChar::width(before).is_some_and(|w| w > 1)
                && !opens(before)
        })
        .map(|((i, before), _)| (i + before.len_utf8(), i + before.len_utf8()))
        .collect();
    cut_word(word, cuts)
}

/// `word` split where a space is inside it, each piece with the spaces
/// after it as its whitespace (the last keeps the word's own).
fn split_at_spaces(word: Word<'_>) -> Vec<Word<'_>> {
    let text = word.word;
    let mut runs = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find(' ') {
        let space = at + found;
        let after = text[space..]
            .find(|c| c != ' ')
            .map_or(text.len(), |n| space + n);
        if after == text.len() {
            break;
        }
        runs.push((space, after));
        at = after;
    }
    cut_word(word, runs)
}

/// `word` cut at `cuts`, byte ranges inside it in order: each piece ends
/// where a range starts and takes the range as its whitespace; the last
/// piece keeps the word's own. Every piece is a slice of the word, so of
/// the text it came from.
fn cut_word(word: Word<'_>, cuts: Vec<(usize, usize)>) -> Vec<Word<'_>> {
    if cuts.is_empty() {
        return vec![word];
    }
    let text = word.word;
    let width = |piece: &str| unicode_width::UnicodeWidthStr::width(piece);
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for (end, next) in cuts {
        pieces.push(Word {
            word: &text[from..end],
            whitespace: &text[end..next],
            penalty: "",
            width: width(&text[from..end]),
        });
        from = next;
    }
    pieces.push(Word {
        word: &text[from..],
        whitespace: word.whitespace,
        penalty: word.penalty,
        width: width(&text[from..]),
    });
    pieces
}

/// A line of `pieces` with `like`'s own style and alignment.
fn owned(like: &Line<'_>, pieces: impl Iterator<Item = (String, Style)>) -> Line<'static> {
    let mut line = Line::from(
        pieces
            .map(|(text, style)| Span::styled(text, style))
            .collect::<Vec<_>>(),
    )
    .style(like.style);
    if let Some(alignment) = like.alignment {
        line = line.alignment(alignment);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn no_row_is_wider_than_the_width_where_ratatui_made_one() {
        // 46 columns in 45: ratatui 0.30 drew this on one row, over the border.
        let line = Line::from("Enter 检查 · Tab 补全 · 空字段上按 Enter：浏览");
        assert_eq!(line.width(), 46);
        let rows = lines(&[line], 45);
        assert_eq!(
            texts(&rows),
            ["Enter 检查 · Tab 补全 · 空字段上按 Enter：浏", "览"],
            "44 columns, then the ideograph that does not fit"
        );
        for row in &rows {
            assert!(row.width() <= 45, "{row}");
        }
    }

    #[test]
    fn chinese_fills_the_row_instead_of_jumping_whole() {
        let rows = lines(
            &[Line::from(
                "状态未知的可能已送达：按 r 再次发送前请先在群里确认。",
            )],
            20,
        );
        let shown = texts(&rows);
        // 达 would fill the 20 columns, but a row may not start with ：
        // (UAX #14 class NS), so 达 goes down with it.
        assert_eq!(shown[0], "状态未知的可能已送");
        for row in &shown {
            assert!(row.width() <= 20, "{row}");
            assert!(!row.starts_with('：') && !row.starts_with('。'), "{row}");
        }
        assert_eq!(
            shown.concat().replace(' ', ""),
            "状态未知的可能已送达：按r再次发送前请先在群里确认。"
        );
    }

    #[test]
    fn styles_follow_their_text_across_a_break_and_indentation_stays() {
        let red = Style::new().red();
        let line = Line::from(vec![
            Span::raw("  "),
            Span::styled("✗ path ", red),
            Span::raw("too long to fit"),
        ]);
        let rows = lines(&[line], 12);
        assert_eq!(texts(&rows), ["  ✗ path too", "long to fit"]);
        assert_eq!(rows[0].spans[1], Span::styled("✗ path ", red));
        assert_eq!(rows[0].spans[2], Span::raw("too"));
        assert_eq!(rows[1].spans, [Span::raw("long to fit")]);
    }

    #[test]
    fn a_word_wider_than_the_row_is_cut_and_rows_are_counted_alike() {
        let path = "/home/user/.local/share/wecom-composer/sandbox-messages.jsonl";
        let rows = lines(&[Line::from(path)], 20);
        assert!(rows.iter().all(|r| r.width() <= 20), "{:?}", texts(&rows));
        assert_eq!(texts(&rows).concat(), path, "nothing lost");
        assert_eq!(super::rows(&[Line::from(path)], 20), rows.len());
        assert_eq!(super::rows(&[Line::from(""), Line::from("短")], 20), 2);
        assert_eq!(
            lines(&[Line::from("")], 20).len(),
            1,
            "an empty line keeps its row"
        );
        assert_eq!("".width(), 0);
    }

    #[test]
    fn an_address_moves_down_whole_instead_of_breaking_at_a_slash() {
        let line = Line::from("The sandbox keeps it in /home/user/.local/share/x.jsonl");
        assert_eq!(
            texts(&lines(&[line], 40)),
            ["The sandbox keeps it in", "/home/user/.local/share/x.jsonl"]
        );
        let line = Line::from("点击卡片：打开 https://work.weixin.qq.com/?from=openApi");
        assert_eq!(
            texts(&lines(&[line], 30)),
            [
                "点击卡片：打开",
                "https://work.weixin.qq.com/?fr",
                "om=openApi"
            ]
        );
    }

    #[test]
    fn a_window_is_the_same_rows_as_the_whole() {
        let text: Vec<Line> = [
            "短",
            "Enter 检查 · Tab 补全 · 空字段上按 Enter：浏览",
            "",
            "abc def ghi",
        ]
        .into_iter()
        .map(Line::from)
        .collect();
        let all = texts(&lines(&text, 10));
        for skip in 0..all.len() + 1 {
            for height in 0..4 {
                let start = skip.min(all.len());
                let end = (skip + height).min(all.len());
                assert_eq!(
                    texts(&visible(&text, 10, skip, height)),
                    all[start..end],
                    "{skip} {height}"
                );
            }
        }
        assert_eq!(rows(&text, 10), all.len());
    }

    #[test]
    fn plain_text_breaks_by_the_unicode_rules() {
        // No row starts with ） or 。, and none ends with （.
        assert_eq!(
            plain("把消息发给选中的机器人（仍有错误时不发送）。", 12),
            ["把消息发给选", "中的机器人", "（仍有错误时", "不发送）。"]
        );
        assert_eq!(
            plain("Send the message to the robot", 12),
            ["Send the", "message to", "the robot"]
        );
        // A hyphenated address moves down whole, and is cut only where it
        // is wider than the row.
        assert_eq!(
            plain("curl http://h/fake-relay-code-1", 24),
            ["curl", "http://h/fake-relay-code", "-1"]
        );
        assert_eq!(
            plain("保存在本机：/tmp/a.jsonl", 14),
            ["保存在本机：", "/tmp/a.jsonl"]
        );
        assert_eq!(
            plain("配置文件：~/.config/w.toml", 16),
            ["配置文件：", "~/.config/w.toml"]
        );
        // Not after an opening bracket: the path stays inside it.
        assert_eq!(
            plain("已保存（/tmp/abc）", 10),
            ["已保存", "（/tmp/abc", "）"]
        );
    }

    #[test]
    fn a_hanging_indent_counts_in_the_width() {
        let rows = hanging(
            "heading needs a space [Ctrl-F: insert the space after #]",
            20,
            "  ",
        );
        assert_eq!(
            rows,
            [
                "heading needs a",
                "  space [Ctrl-F:",
                "  insert the space",
                "  after #]"
            ]
        );
        assert!(rows.iter().all(|r| r.width() <= 20), "{rows:?}");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the text: no row is wider than the width, and the rows
        /// hold the text in order, less only the spaces at the breaks.
        #[test]
        fn rows_fit_and_lose_nothing_but_break_spaces(
            text in "[a-z /:：。（）部署完成😀-]{0,60}",
            width in 1u16..30,
        ) {
            let rows = lines(&[Line::from(text.clone())], width);
            prop_assert_eq!(rows.len(), super::rows(&[Line::from(text.clone())], width));
            let mut kept = String::new();
            for row in &rows {
                // One wide character alone on a one-column row is the
                // only row allowed past the width.
                let w = row.width();
                prop_assert!(w <= usize::from(width) || row.to_string().chars().count() == 1, "{row}");
                kept.push_str(&row.to_string());
            }
            prop_assert_eq!(kept.replace(' ', ""), text.replace(' ', ""));
        }

        /// Text set as strings (F1, hints, the robot dialog) breaks where the
        /// same text breaks as a styled line, so two panes never disagree.
        #[test]
        fn plain_text_breaks_where_lines_do(
            text in "[a-z /:：。（）部署完成😀-]{0,60}",
            width in 1u16..30,
        ) {
            // Alike but for spaces at a row's end, which a line that fits
            // keeps and plain text drops.
            let as_lines: Vec<String> = lines(&[Line::from(text.clone())], width)
                .iter()
                .map(|row| row.to_string().trim_end().to_owned())
                .collect();
            let as_text: Vec<String> = plain(&text, usize::from(width))
                .iter()
                .map(|row| row.trim_end().to_owned())
                .collect();
            prop_assert_eq!(as_text, as_lines);
        }
    }
}
