//! Text measured in terminal columns: CJK characters and most emoji take
//! two, so lengths in `char`s or bytes would misalign every column.

use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to `width` display columns (CJK counts two), ending in `…`
/// when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `width` display columns.
pub fn fit(s: &str, width: usize) -> String {
    let mut t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    t.extend(std::iter::repeat_n(' ', pad));
    t
}

/// Cuts a line of spans to `width` columns, ending in `…` when cut.
pub fn cut_line(line: &mut Line<'static>, width: usize) {
    if line.width() <= width {
        return;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans.drain(..) {
        let mut kept = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            used += w;
            kept.push(c);
        }
        let full = kept.len() == span.content.len();
        spans.push(Span::styled(kept, span.style));
        if !full {
            spans.push(Span::raw("…"));
            break;
        }
    }
    line.spans = spans;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_two_columns() {
        assert_eq!(truncate("部署完成了", 7), "部署完…");
        assert_eq!(fit("部署", 6), "部署  ");
        assert_eq!(fit("abc", 2), "a…");
    }
}
