//! Cleaning text for the terminal and wrapping styled text to a width.
//!
//! The preview wraps its own lines (instead of leaving it to
//! `Paragraph::wrap`) for two reasons: a quote bar or a list indentation is
//! repeated on every wrapped row, and one rendered row is one screen row, so
//! "scroll to the cursor's line" is exact.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

/// Appends `text` to `out` in a form a terminal can draw: a tab becomes four
/// spaces, a carriage return disappears (CRLF content), and any other control
/// character (an escape sequence could repaint the user's screen) becomes
/// U+FFFD, visible but harmless. Line breaks are the caller's business.
pub(crate) fn push_clean(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\t' => out.push_str("    "),
            '\r' => {}
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Display width of a char: CJK and most emoji take 2 columns, combining
/// marks 0.
pub(crate) fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Width of `c` as drawn when `next` follows it: an emoji presentation
/// selector (U+FE0F) can widen the character before it to 2 columns, as the
/// terminal (and ratatui, by grapheme) will draw it; the selector itself
/// then adds nothing.
fn width_before(c: char, next: Option<&char>) -> usize {
    const VS16: char = '\u{FE0F}';
    if c == VS16 {
        0
    } else if next == Some(&VS16) {
        let pair: String = [c, VS16].iter().collect();
        unicode_width::UnicodeWidthStr::width(pair.as_str()).max(char_width(c))
    } else {
        char_width(c)
    }
}

/// Display width of styled runs.
pub(crate) fn runs_width(runs: &[(Style, String)]) -> usize {
    runs.iter()
        .map(|(_, t)| unicode_width::UnicodeWidthStr::width(t.as_str()))
        .sum()
}

/// Styled runs into ratatui spans, merging neighbours of the same style.
pub(crate) fn to_spans(runs: Vec<(Style, String)>) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::with_capacity(runs.len());
    for (style, text) in runs {
        if text.is_empty() {
            continue;
        }
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&text),
            _ => spans.push(Span::styled(text, style)),
        }
    }
    spans
}

/// Appends a styled run, extending the last one when the style is the same.
pub(crate) fn push_run(runs: &mut Vec<(Style, String)>, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    match runs.last_mut() {
        Some((s, t)) if *s == style => t.push_str(text),
        _ => runs.push((style, text.to_owned())),
    }
}

/// One row being filled.
#[derive(Default)]
struct Row {
    runs: Vec<(Style, String)>,
    width: usize,
    /// The last place the row may be broken without cutting a word: after a
    /// space, or next to a wide (CJK) character. `(runs before, bytes into
    /// the last of them, width before)`.
    brk: Option<(usize, usize, usize)>,
}

impl Row {
    fn push(&mut self, c: char, style: Style, w: usize) {
        match self.runs.last_mut() {
            Some((s, t)) if *s == style => t.push(c),
            _ => self.runs.push((style, c.to_string())),
        }
        self.width += w;
    }

    fn mark_break(&mut self) {
        let bytes = self.runs.last().map_or(0, |(_, t)| t.len());
        self.brk = Some((self.runs.len(), bytes, self.width));
    }

    /// Cuts the row at its break point and returns what follows it, if that
    /// leaves something on both sides.
    fn split_at_break(&mut self) -> Option<Row> {
        let (n, bytes, w) = self.brk?;
        if w == 0 || w >= self.width {
            return None;
        }
        let mut tail_runs = Vec::new();
        if let Some((style, text)) = n.checked_sub(1).and_then(|i| self.runs.get_mut(i))
            && bytes < text.len()
            && text.is_char_boundary(bytes)
        {
            tail_runs.push((*style, text.split_off(bytes)));
        }
        if n <= self.runs.len() {
            tail_runs.extend(self.runs.drain(n..));
        }
        let tail = Row {
            runs: tail_runs,
            width: self.width - w,
            brk: None,
        };
        self.width = w;
        self.brk = None;
        Some(tail)
    }
}

/// Breaks styled runs into rows of at most `width` columns (`0`: one row,
/// no wrapping). Breaks after spaces and around CJK characters when it can,
/// inside a word when it must; the space a row breaks at is dropped. A
/// character wider than the whole width still gets a row of its own, so this
/// always ends. Linear: every character is moved at most once.
pub(crate) fn wrap_runs(runs: Vec<(Style, String)>, width: usize) -> Vec<Vec<(Style, String)>> {
    if width == 0 || runs_width(&runs) <= width {
        return vec![runs];
    }
    let mut rows = Vec::new();
    let mut row = Row::default();
    for (style, text) in &runs {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let w = width_before(c, chars.peek());
            if w > 0 && row.width + w > width && row.width > 0 {
                if c == ' ' {
                    rows.push(std::mem::take(&mut row).runs);
                    continue;
                }
                let tail_fits = row
                    .brk
                    .is_some_and(|(_, _, bw)| bw > 0 && row.width - bw + w <= width);
                let tail = if tail_fits {
                    row.split_at_break()
                } else {
                    None
                };
                rows.push(std::mem::replace(&mut row, tail.unwrap_or_default()).runs);
            }
            if w == 2 {
                row.mark_break();
            }
            row.push(c, *style, w);
            if c == ' ' || w == 2 {
                row.mark_break();
            }
        }
    }
    rows.push(row.runs);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(rows: Vec<Vec<(Style, String)>>) -> Vec<String> {
        rows.into_iter()
            .map(|r| r.into_iter().map(|(_, t)| t).collect())
            .collect()
    }

    fn one(s: &str) -> Vec<(Style, String)> {
        vec![(Style::default(), s.to_owned())]
    }

    #[test]
    fn words_move_to_the_next_row_whole() {
        assert_eq!(
            plain(wrap_runs(one("hello big world"), 10)),
            ["hello big ", "world"]
        );
    }

    #[test]
    fn the_space_at_the_break_is_dropped() {
        assert_eq!(plain(wrap_runs(one("abcde fgh"), 5)), ["abcde", "fgh"]);
    }

    #[test]
    fn a_word_longer_than_the_width_is_cut() {
        assert_eq!(plain(wrap_runs(one("abcdefgh"), 3)), ["abc", "def", "gh"]);
    }

    #[test]
    fn cjk_counts_two_columns_and_breaks_anywhere() {
        // 5 CJK characters = 10 columns; 7 columns hold 3 of them.
        assert_eq!(plain(wrap_runs(one("广州今日天"), 7)), ["广州今", "日天"]);
        assert_eq!(plain(wrap_runs(one("ab 广州"), 5)), ["ab 广", "州"]);
    }

    #[test]
    fn a_wide_char_in_a_one_column_row_still_gets_a_row() {
        assert_eq!(plain(wrap_runs(one("广州"), 1)), ["广", "州"]);
    }

    #[test]
    fn styles_survive_a_break_inside_a_run() {
        let bold = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let rows = wrap_runs(
            vec![
                (Style::default(), "aa ".to_owned()),
                (bold, "bbbb".to_owned()),
            ],
            5,
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], vec![(bold, "bbbb".to_owned())]);
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let mut s = String::new();
        push_clean(&mut s, "a\tb\r\x1b[2Jc");
        assert_eq!(s, "a    b\u{FFFD}[2Jc");
    }
}
