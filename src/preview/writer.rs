//! The output side of the renderer: rows of styled text, each tied to the
//! source line it came from, with the prefixes of the containers it sits in
//! (quote bars, list markers and indentation, code block frames).
//!
//! Renderers push text; the writer turns logical lines into wrapped rows and
//! decides where a blank row separates two blocks (where the source had one).

use ratatui::style::Style;
use ratatui::text::Line;

use super::wrap::{push_clean, push_run, runs_width, to_spans, wrap_runs};

/// Containers nested deeper than this are drawn as the outermost and
/// innermost few with an ellipsis between, so 10,000 nested quotes cost no
/// more per row than 16.
const MAX_SHOWN_CONTAINERS: usize = 16;

/// How a container's prefix is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    /// A quote: its bar is left off a lazily continued line (one with fewer
    /// `>` than quote levels), as the client shows it.
    Quote,
    /// A list item, a code block frame or a literal indentation.
    Other,
}

struct Container {
    kind: ContainerKind,
    /// On the container's first row (a list item's marker).
    first: Vec<(Style, String)>,
    /// On every other row (indentation as wide as the marker).
    rest: Vec<(Style, String)>,
    /// `lines_done` when pushed: the first form is used until a line ends.
    pushed_at: usize,
}

struct OpenLine {
    source: usize,
    runs: Vec<(Style, String)>,
    /// Quote bars to draw (outermost first); fewer than the quote depth on a
    /// lazy continuation line.
    quotes_visible: usize,
}

pub(crate) struct Writer {
    /// Columns available; 0 = do not wrap.
    width: usize,
    frame: Style,
    rows: Vec<Line<'static>>,
    sources: Vec<usize>,
    containers: Vec<Container>,
    lines_done: usize,
    line: Option<OpenLine>,
    next_quotes_visible: Option<usize>,
    /// While a table cell is being collected, text goes here.
    capture: Option<Vec<(Style, String)>>,
    /// Last source line of the previous leaf block.
    last_block_end: Option<usize>,
}

impl Writer {
    pub(crate) fn new(width: u16, frame: Style) -> Writer {
        Writer {
            width: usize::from(width),
            frame,
            rows: Vec::new(),
            sources: Vec::new(),
            containers: Vec::new(),
            lines_done: 0,
            line: None,
            next_quotes_visible: None,
            capture: None,
            last_block_end: None,
        }
    }

    /// Text at `source_line` (the line the text starts on); a `\n` in it
    /// ends the line and the next piece is on the following source line.
    pub(crate) fn push(&mut self, text: &str, style: Style, source_line: usize) {
        if let Some(cells) = self.capture.as_mut() {
            let mut clean = String::with_capacity(text.len());
            push_clean(&mut clean, &text.replace('\n', " "));
            push_run(cells, &clean, style);
            return;
        }
        let mut line_no = source_line;
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.ensure_line(line_no);
                self.end_line();
                line_no = line_no.saturating_add(1);
            }
            if !piece.is_empty() {
                self.ensure_line(line_no);
                if let Some(line) = self.line.as_mut() {
                    let mut clean = String::with_capacity(piece.len());
                    push_clean(&mut clean, piece);
                    push_run(&mut line.runs, &clean, style);
                }
            }
        }
    }

    /// Ready-made styled runs (table rows, frames, lines as typed) as one
    /// line of their own; cleaned for the terminal like any other text.
    pub(crate) fn push_row(&mut self, runs: Vec<(Style, String)>, source_line: usize) {
        self.end_line();
        self.ensure_line(source_line);
        if let Some(line) = self.line.as_mut() {
            for (style, text) in runs {
                let mut clean = String::with_capacity(text.len());
                push_clean(&mut clean, &text);
                push_run(&mut line.runs, &clean, style);
            }
        }
        self.end_line();
    }

    /// Starts the open line if none is, at `source_line`.
    pub(crate) fn ensure_line(&mut self, source_line: usize) {
        if self.line.is_none() {
            let quotes_visible = self.next_quotes_visible.take().unwrap_or(usize::MAX);
            self.line = Some(OpenLine {
                source: source_line,
                runs: Vec::new(),
                quotes_visible,
            });
        }
    }

    /// True when nothing has been written on the current line yet.
    pub(crate) fn line_is_empty(&self) -> bool {
        self.line.as_ref().is_none_or(|l| l.runs.is_empty())
    }

    /// The next line is a lazy continuation showing only `n` quote bars.
    pub(crate) fn set_next_quotes_visible(&mut self, n: usize) {
        self.next_quotes_visible = Some(n);
    }

    /// Ends the open line, if any: it becomes one or more rows.
    pub(crate) fn end_line(&mut self) {
        let Some(line) = self.line.take() else {
            return;
        };
        self.emit(line, false);
        self.lines_done += 1;
    }

    /// A block starts at `source_line`: ends the open line, and keeps one
    /// blank row if the source had blank lines since the previous block.
    pub(crate) fn start_block(&mut self, source_line: usize) {
        self.end_line();
        if let Some(end) = self.last_block_end
            && source_line > end.saturating_add(1)
            && !self.rows.is_empty()
        {
            let blank = OpenLine {
                source: end.saturating_add(1),
                runs: Vec::new(),
                quotes_visible: usize::MAX,
            };
            self.emit(blank, true);
            self.last_block_end = Some(source_line - 1);
        }
    }

    /// A leaf block ended on `last_line`.
    pub(crate) fn end_block(&mut self, last_line: usize) {
        self.end_line();
        self.last_block_end = Some(last_line);
    }

    pub(crate) fn push_container(
        &mut self,
        kind: ContainerKind,
        first: Vec<(Style, String)>,
        rest: Vec<(Style, String)>,
    ) {
        self.containers.push(Container {
            kind,
            first,
            rest,
            pushed_at: self.lines_done,
        });
    }

    /// True when the innermost container has not drawn its first row yet
    /// (an empty list item, whose marker must still show).
    pub(crate) fn innermost_unused(&self) -> bool {
        self.containers
            .last()
            .is_some_and(|c| c.pushed_at == self.lines_done)
    }

    /// Ends the open line and removes the innermost container.
    pub(crate) fn pop_container(&mut self) {
        self.end_line();
        self.containers.pop();
    }

    /// Columns left for content inside the current containers (0: unknown,
    /// no wrapping), never less than 1 when wrapping.
    pub(crate) fn content_width(&self) -> usize {
        if self.width == 0 {
            return 0;
        }
        let prefix: usize = self.shown_containers().map(|c| runs_width(&c.rest)).sum();
        if prefix + 2 <= self.width {
            self.width - prefix
        } else {
            self.width
        }
    }

    pub(crate) fn begin_capture(&mut self) {
        self.capture = Some(Vec::new());
    }

    pub(crate) fn end_capture(&mut self) -> Vec<(Style, String)> {
        self.capture.take().unwrap_or_default()
    }

    pub(crate) fn finish(mut self) -> (Vec<Line<'static>>, Vec<usize>) {
        self.end_line();
        (self.rows, self.sources)
    }

    /// The containers drawn on a row: all of them, or the outermost and
    /// innermost halves of `MAX_SHOWN_CONTAINERS` when nested deeper.
    fn shown_containers(&self) -> impl Iterator<Item = &Container> {
        let n = self.containers.len();
        let half = MAX_SHOWN_CONTAINERS / 2;
        let (head, tail) = if n > MAX_SHOWN_CONTAINERS {
            (half, n - half)
        } else {
            (n, n)
        };
        self.containers
            .iter()
            .take(head)
            .chain(self.containers.iter().skip(tail))
    }

    /// The prefix runs for a row of `line`: `first_row` picks list markers
    /// over indentation for containers that have not drawn a row yet.
    fn prefix(&self, quotes_visible: usize, first_row: bool) -> Vec<(Style, String)> {
        let mut runs = Vec::new();
        let mut quotes = 0usize;
        let half = MAX_SHOWN_CONTAINERS / 2;
        for (i, c) in self.shown_containers().enumerate() {
            if self.containers.len() > MAX_SHOWN_CONTAINERS && i == half {
                push_run(&mut runs, "⋯ ", self.frame);
            }
            if c.kind == ContainerKind::Quote {
                quotes += 1;
                if quotes > quotes_visible {
                    continue;
                }
            }
            let form = if first_row && c.pushed_at == self.lines_done {
                &c.first
            } else {
                &c.rest
            };
            for (style, text) in form {
                push_run(&mut runs, text, *style);
            }
        }
        runs
    }

    /// Turns a logical line into rows: prefix, then the content wrapped to
    /// what the prefix leaves. A blank separator row uses the indentation
    /// form of every container and never consumes a list marker.
    fn emit(&mut self, line: OpenLine, blank: bool) {
        let source = line
            .source
            .max(self.sources.last().copied().unwrap_or(1))
            .max(1);
        let first_prefix = self.prefix(line.quotes_visible, !blank);
        let rest_prefix = self.prefix(line.quotes_visible, false);
        let prefix_width = runs_width(&first_prefix).max(runs_width(&rest_prefix));
        // A prefix that leaves no room for a wide character is dropped
        // rather than pushing the content off the pane.
        let (avail, keep_prefix) = if self.width == 0 {
            (0, true)
        } else if prefix_width + 2 <= self.width {
            (self.width - prefix_width, true)
        } else {
            (self.width, false)
        };
        for (i, row) in wrap_runs(line.runs, avail).into_iter().enumerate() {
            let mut runs = if !keep_prefix {
                Vec::new()
            } else if i == 0 {
                first_prefix.clone()
            } else {
                rest_prefix.clone()
            };
            if blank {
                // No trailing indentation on an empty row.
                while runs.last().is_some_and(|(_, t)| t.trim().is_empty()) {
                    runs.pop();
                }
                if let Some((_, t)) = runs.last_mut() {
                    let trimmed = t.trim_end().len();
                    t.truncate(trimmed);
                }
            }
            runs.extend(row);
            self.rows.push(Line::from(to_spans(runs)));
            self.sources.push(source);
        }
        if !blank {
            // Text outside any paragraph (a tight list item's) ends a block
            // too, as far as blank-row separation goes.
            self.last_block_end = Some(self.last_block_end.map_or(source, |e| e.max(source)));
        }
    }
}

/// Spaces as wide as `runs`, for the rows after a list marker.
pub(crate) fn indent_like(runs: &[(Style, String)]) -> Vec<(Style, String)> {
    vec![(Style::default(), " ".repeat(runs_width(runs)))]
}

/// A single plain span, for callers that build one-run prefixes.
pub(crate) fn run(text: impl Into<String>, style: Style) -> Vec<(Style, String)> {
    vec![(style, text.into())]
}
