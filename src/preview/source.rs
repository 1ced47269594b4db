//! Where things are in the source: byte offsets to 1-based line numbers, and
//! the container markers (`>`, list indentation) at the start of a line.
//!
//! Every rendered row and every hint points back at a source line, so the app
//! can scroll the preview to the editor's cursor and show hints next to the
//! line that caused them.

/// Line starts of one document, computed once (linear) so that each lookup is
/// a binary search instead of a scan from the top.
pub(crate) struct SourceMap<'s> {
    src: &'s str,
    /// Byte offset of the first byte of every line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl<'s> SourceMap<'s> {
    pub(crate) fn new(src: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceMap { src, starts }
    }

    pub(crate) fn src(&self) -> &'s str {
        self.src
    }

    /// The 1-based line holding byte `offset` (offsets past the end belong to
    /// the last line).
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The 1-based line of the last byte of `range` that is not blank: where
    /// a block really ends, since pulldown-cmark's ranges include the
    /// trailing newline, and a container's its trailing blank lines (`>`
    /// alone is a blank line inside a quote).
    pub(crate) fn last_line_of(&self, range: &std::ops::Range<usize>) -> usize {
        let slice = self.src.get(range.clone()).unwrap_or("");
        let trimmed = slice.trim_end_matches(|c: char| c.is_whitespace() || c == '>');
        if trimmed.is_empty() {
            self.line_of(range.start)
        } else {
            self.line_of(range.start + trimmed.len() - 1)
        }
    }

    /// The text of a 1-based line, without its line break.
    pub(crate) fn line_text(&self, line: usize) -> &'s str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.src.len(), |&next| next.saturating_sub(1));
        self.src
            .get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// The source text of `range`, or nothing when the range is not on
    /// character boundaries (never expected from the parser; no panic either
    /// way).
    pub(crate) fn slice(&self, range: std::ops::Range<usize>) -> &'s str {
        self.src.get(range).unwrap_or("")
    }
}

/// How many `>` quote markers open a line: `>>二级引用` has 2, `> > x` has 2,
/// `  > x` has 1, `text` has 0. Only spaces, tabs and `>` are looked at, so a
/// lazily continued line (no marker) counts 0.
pub(crate) fn quote_markers(line: &str) -> usize {
    line.chars()
        .take_while(|&c| c == '>' || c == ' ' || c == '\t')
        .filter(|&c| c == '>')
        .count()
}

/// One container a source line sits in, outermost first, as far as its
/// markers on continuation lines are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// `>` plus an optional space, after up to 3 spaces.
    Quote,
    /// A list item's content indentation, in columns.
    Indent(usize),
}

/// `line` without the markers its containers put there, so a construct shown
/// literally inside a quote or list does not show them twice (the preview
/// draws the containers itself).
pub(crate) fn strip_markers<'a>(mut line: &'a str, markers: &[Marker]) -> &'a str {
    for m in markers {
        match m {
            Marker::Quote => {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                if spaces <= 3
                    && let Some(rest) = line.get(spaces..).and_then(|r| r.strip_prefix('>'))
                {
                    line = rest.strip_prefix(' ').unwrap_or(rest);
                }
            }
            Marker::Indent(n) => {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                line = line.get(spaces.min(*n)..).unwrap_or(line);
            }
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_offsets_past_the_end_are_on_the_last_line() {
        let m = SourceMap::new("ab\ncd\n\nef");
        assert_eq!(m.line_of(0), 1);
        assert_eq!(m.line_of(2), 1, "the newline belongs to its line");
        assert_eq!(m.line_of(3), 2);
        assert_eq!(m.line_of(6), 3);
        assert_eq!(m.line_of(7), 4);
        assert_eq!(m.line_of(999), 4);
        assert_eq!(m.line_text(2), "cd");
        assert_eq!(m.line_text(3), "");
        assert_eq!(m.line_text(4), "ef");
        assert_eq!(m.line_text(0), "");
        assert_eq!(m.line_text(5), "");
    }

    #[test]
    fn a_block_ends_on_its_last_non_blank_line() {
        let m = SourceMap::new("para\n\n\nnext");
        assert_eq!(m.last_line_of(&(0..7)), 1);
        let m = SourceMap::new("> a\n>\n> \n");
        assert_eq!(m.last_line_of(&(0..10)), 1);
    }

    #[test]
    fn quote_markers_count_only_leading_ones() {
        assert_eq!(quote_markers(">>二级引用"), 2);
        assert_eq!(quote_markers("> > x > y"), 2);
        assert_eq!(quote_markers("lazy"), 0);
    }

    #[test]
    fn container_markers_are_stripped_once_each() {
        let m = [Marker::Quote, Marker::Indent(2)];
        assert_eq!(strip_markers(">   - x", &m), "- x");
        assert_eq!(strip_markers("> | a |", &[Marker::Quote]), "| a |");
        assert_eq!(strip_markers("| a |", &[Marker::Quote]), "| a |");
    }
}
