//! markdown_v2 tables: cells collected while parsing, then laid out in
//! columns as wide as their widest cell in display columns (a CJK character
//! or an emoji counts 2), aligned as the delimiter row says (`:---` left,
//! `:---:` centre, `---:` right). A table wider than the pane gets narrower
//! columns whose cells wrap, the widest columns giving up space first.

use pulldown_cmark::Alignment;
use ratatui::style::Style;

use super::wrap::{push_run, runs_width, wrap_runs};

/// Between two columns.
const SEPARATOR: &str = " │ ";
const SEPARATOR_WIDTH: usize = 3;

type Runs = Vec<(Style, String)>;

struct Row {
    line: usize,
    head: bool,
    cells: Vec<Runs>,
}

/// A table being parsed.
pub(crate) struct TableBuilder {
    aligns: Vec<Alignment>,
    rows: Vec<Row>,
}

impl TableBuilder {
    pub(crate) fn new(aligns: Vec<Alignment>) -> TableBuilder {
        TableBuilder {
            aligns,
            rows: Vec::new(),
        }
    }

    /// A header or body row starts on source line `line`.
    pub(crate) fn start_row(&mut self, line: usize, head: bool) {
        self.rows.push(Row {
            line,
            head,
            cells: Vec::new(),
        });
    }

    pub(crate) fn push_cell(&mut self, runs: Runs) {
        if let Some(row) = self.rows.last_mut() {
            row.cells.push(runs);
        }
    }

    /// The table as rows of styled runs, each with its source line, laid out
    /// in `width` columns (0: as wide as it needs). `last_line` is the
    /// table's last source line.
    pub(crate) fn layout(
        self,
        width: usize,
        frame: Style,
        header: Style,
        last_line: usize,
    ) -> Vec<(Runs, usize)> {
        let columns = self
            .rows
            .iter()
            .map(|r| r.cells.len())
            .chain(std::iter::once(self.aligns.len()))
            .max()
            .unwrap_or(0)
            .max(1);
        let mut natural = vec![1usize; columns];
        for row in &self.rows {
            for (w, cell) in natural.iter_mut().zip(&row.cells) {
                *w = (*w).max(runs_width(cell));
            }
        }
        let widths = if width == 0 {
            natural
        } else {
            fit(
                &natural,
                width.saturating_sub(SEPARATOR_WIDTH * (columns - 1)),
            )
        };

        let mut out = Vec::new();
        let mut rows = self.rows.into_iter().peekable();
        while let Some(row) = rows.next() {
            let line = row.line;
            let head = row.head;
            let mut cells = row.cells.into_iter();
            let wrapped: Vec<Vec<Runs>> = widths
                .iter()
                .map(|&w| {
                    let mut cell = cells.next().unwrap_or_default();
                    if head {
                        for (s, _) in &mut cell {
                            *s = s.patch(header);
                        }
                    }
                    wrap_runs(cell, w)
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for r in 0..height {
                let mut runs = Vec::new();
                for (c, (&w, lines)) in widths.iter().zip(&wrapped).enumerate() {
                    if c > 0 {
                        push_run(&mut runs, SEPARATOR, frame);
                    }
                    let content = lines.get(r).cloned().unwrap_or_default();
                    let align = self.aligns.get(c).copied().unwrap_or(Alignment::None);
                    pad(&mut runs, content, w, align);
                }
                out.push((runs, line));
            }
            if head && rows.peek().is_none_or(|next| !next.head) {
                let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                // The delimiter row is the line after the header, unless the
                // parser saw a line break the editor does not (a bare CR):
                // never past the next row or the table's end.
                let rule_line = rows
                    .peek()
                    .map_or(last_line, |next| next.line)
                    .min(line.saturating_add(1))
                    .max(line);
                out.push((vec![(frame, rule.join("─┼─"))], rule_line));
            }
        }
        out
    }
}

/// Appends `content` padded to `width` columns as `align` says.
fn pad(runs: &mut Runs, content: Runs, width: usize, align: Alignment) {
    let free = width.saturating_sub(runs_width(&content));
    let (left, right) = match align {
        Alignment::Right => (free, 0),
        Alignment::Center => (free / 2, free - free / 2),
        Alignment::Left | Alignment::None => (0, free),
    };
    push_run(runs, &" ".repeat(left), Style::default());
    for (s, t) in content {
        push_run(runs, &t, s);
    }
    push_run(runs, &" ".repeat(right), Style::default());
}

/// Column widths summing to at most `budget`: the natural widths if they
/// fit, else every column capped at the largest cap that fits, the space
/// left over going to the capped columns. Never below 1 column each.
fn fit(natural: &[usize], budget: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum();
    if total <= budget {
        return natural.to_vec();
    }
    if budget <= natural.len() {
        return vec![1; natural.len()];
    }
    let used = |cap: usize| natural.iter().map(|&w| w.min(cap)).sum::<usize>();
    let (mut lo, mut hi) = (1usize, natural.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if used(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut widths: Vec<usize> = natural.iter().map(|&w| w.min(lo)).collect();
    let mut left = budget.saturating_sub(widths.iter().sum());
    for (w, &n) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if *w < n {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_widths_when_they_fit() {
        assert_eq!(fit(&[4, 10, 8], 30), vec![4, 10, 8]);
    }

    #[test]
    fn the_widest_columns_shrink_first() {
        let w = fit(&[4, 20, 10], 20);
        assert_eq!(w.iter().sum::<usize>(), 20);
        assert_eq!(w[0], 4, "{w:?}");
        assert!(w[1] <= 9 && w[2] <= 9, "{w:?}");
    }

    #[test]
    fn no_column_goes_below_one() {
        assert_eq!(fit(&[5, 5, 5], 2), vec![1, 1, 1]);
    }
}
