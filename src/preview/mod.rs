//! The preview: what the group will see, drawn for the terminal.
//!
//! WeCom renders `text`, `markdown` and `markdown_v2` content differently:
//! markdown knows only headings, bold, links, inline code, one level of
//! quote, three font colours and `<@userid>` mentions; markdown_v2 knows
//! nearly all of markdown but no colours and no mentions; whatever a dialect
//! does not know, the client shows as the characters typed. [`render`]
//! reproduces that, ties every drawn row to its source line (so the preview
//! can follow the editor's cursor), and says in [`Hint`]s where the message
//! will not look the way it was probably meant.
//!
//! ```
//! use wecom_composer::preview::{render, Dialect, RenderOptions};
//!
//! let opts = RenderOptions { width: 40, ..RenderOptions::default() };
//! let shown = render("# 标题\n*斜体*", Dialect::Markdown, &opts);
//! assert_eq!(shown.text.lines[1].to_string(), "*斜体*"); // no italics in markdown
//! assert!(!shown.hints.is_empty());
//! ```
//!
//! Pure: no I/O, no global state, and no input makes it panic. Linear in the
//! content's length, so a megabyte renders in bounded time.

mod dialect;
pub mod fixes;
mod gfm;
mod hints;
mod inline;
mod markdown;
mod source;
mod style;
mod table;
mod text;
mod wrap;
mod writer;

use ratatui::text::Text;

pub use dialect::Dialect;
pub use gfm::Gfm;
pub use hints::{Construct, Hint, HintKind, HintSeverity, hint_lines};
pub use style::FontColour;

use hints::Hints;
use source::SourceMap;
use style::Styles;

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Columns to lay out in: the pane's inner width. Lines are wrapped to it
    /// (prefixes such as quote bars repeat on every row) and tables and rules
    /// fit in it. `0`: unknown; nothing is wrapped, tables take their natural
    /// width and rules a fixed one.
    pub width: u16,
    /// Colours, or (for `NO_COLOR`) only bold, italic, underline, dim and
    /// reverse video.
    pub color: bool,
    /// Show a link's URL, dimmed, after its text (the client shows only the
    /// text).
    pub link_urls: bool,
    /// The message's `mentioned_list` (text: shown on a last line; markdown
    /// types: ignored by WeCom, which a hint says).
    pub mentioned_list: &'a [String],
    /// The message's `mentioned_mobile_list`, as `mentioned_list`.
    pub mentioned_mobile_list: &'a [String],
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            width: 0,
            color: true,
            link_urls: true,
            mentioned_list: &[],
            mentioned_mobile_list: &[],
        }
    }
}

/// A rendered preview.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// One `Line` per screen row when `width` was given: draw it in a
    /// `Paragraph` without `wrap` (or with it: the rows already fit).
    pub text: Text<'static>,
    /// For each row of `text`, the 1-based source line it shows;
    /// non-decreasing.
    pub source_lines: Vec<usize>,
    /// Hints in source-line order.
    pub hints: Vec<Hint>,
}

impl Rendered {
    /// The first row showing source line `line` (1-based), or the row of the
    /// next line shown after it (a line that draws nothing, such as a table's
    /// delimiter row in markdown_v2, maps to its neighbour); past the end,
    /// the last row. 0 when nothing is drawn.
    pub fn row_of_source_line(&self, line: usize) -> usize {
        let row = self.source_lines.partition_point(|&l| l < line);
        row.min(self.source_lines.len().saturating_sub(1))
    }

    /// The source line row `row` shows.
    pub fn source_line_of_row(&self, row: usize) -> Option<usize> {
        self.source_lines.get(row).copied()
    }

    /// The scroll offset (`Paragraph::scroll`'s rows) that keeps the rows of
    /// source line `cursor_line` in a pane `height` rows tall: `scroll`
    /// unchanged if they are already in view, else the least movement that
    /// brings them in (their first row wins when they are taller than the
    /// pane).
    pub fn follow(&self, cursor_line: usize, scroll: u16, height: u16) -> u16 {
        if self.source_lines.is_empty() || height == 0 {
            return scroll;
        }
        let first = self.row_of_source_line(cursor_line);
        let shown = self.source_lines.get(first).copied().unwrap_or(cursor_line);
        let last = self
            .source_lines
            .partition_point(|&l| l <= shown)
            .saturating_sub(1)
            .max(first);
        let (top, height) = (usize::from(scroll), usize::from(height));
        let new_top = if first < top {
            first
        } else if last >= top + height {
            (last + 1 - height).min(first)
        } else {
            top
        };
        u16::try_from(new_top).unwrap_or(u16::MAX)
    }
}

/// Renders `source` as the group will see it in `dialect`, with the hints
/// for it. See [`RenderOptions`] for the width, colours and mention lists.
///
/// For the composer: render with the preview pane's inner width, draw
/// `text` with `Paragraph::new(r.text).scroll((scroll, 0))`, and after each
/// edit set `scroll = r.follow(cursor_line + 1, scroll, inner_height)` to
/// keep the cursor's line in view; draw [`hint_lines`] under it.
pub fn render(source: &str, dialect: Dialect, opts: &RenderOptions<'_>) -> Rendered {
    let map = SourceMap::new(source);
    let st = Styles::new(opts.color);
    let mut hints = Hints::default();
    let (rows, source_lines) = match dialect {
        Dialect::Text => text::render(&map, opts, &st),
        Dialect::Markdown | Dialect::MarkdownV2 => {
            let rendered = markdown::render(&map, dialect, opts, &st, &mut hints);
            gfm::scan(source, dialect, &mut hints);
            rendered
        }
    };
    list_hints(dialect, opts, &mut hints);
    Rendered {
        text: Text::from(rows),
        source_lines,
        hints: hints.into_sorted(),
    }
}

/// Hints about the message type rather than a construct: on line 1.
fn list_hints(dialect: Dialect, opts: &RenderOptions<'_>, hints: &mut Hints) {
    let given: Vec<&str> = [
        ("mentioned_list", opts.mentioned_list),
        ("mentioned_mobile_list", opts.mentioned_mobile_list),
    ]
    .into_iter()
    .filter(|(_, list)| list.iter().any(|m| !m.trim().is_empty()))
    .map(|(name, _)| name)
    .collect();
    // The key's ending and the lists named: `_one` for one list, `_two`
    // for both.
    let lists = match given.as_slice() {
        [] => None,
        [one] => Some(("one", *one, "")),
        [a, b, ..] => Some(("two", *a, *b)),
    };
    match dialect {
        Dialect::Text => {}
        Dialect::Markdown => {
            if let Some((n, a, b)) = lists {
                hints.add(
                    1,
                    HintKind::MentionListIgnored,
                    HintSeverity::Warning,
                    crate::tr!(&format!("hint.lists_ignored_markdown_{n}"), a = a, b = b),
                );
            }
        }
        Dialect::MarkdownV2 => {
            hints.add(
                1,
                HintKind::OldClients,
                HintSeverity::Info,
                crate::tr!("hint.old_clients"),
            );
            if let Some((n, a, b)) = lists {
                hints.add(
                    1,
                    HintKind::MentionListIgnored,
                    HintSeverity::Warning,
                    crate::tr!(&format!("hint.lists_ignored_markdown_v2_{n}"), a = a, b = b),
                );
            }
        }
    }
}
