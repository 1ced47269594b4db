//! Block constructs that look different per dialect: list items, code
//! blocks, rules, and markdown's tables shown as typed.

use std::ops::Range;

use pulldown_cmark::CodeBlockKind;
use ratatui::style::Style;

use super::Renderer;
use crate::preview::dialect::Feature;
use crate::preview::hints::Construct;
use crate::preview::source::{Marker, strip_markers};
use crate::preview::writer::{ContainerKind, indent_like, run};

/// Rule and code-frame width when the pane width is not known (width 0).
const UNKNOWN_WIDTH: usize = 40;

/// How the current code block is drawn.
pub(super) enum Code {
    /// markdown_v2: in a frame, in the code style.
    Framed,
    /// markdown, fenced: the fences as typed; `(fence char, fence length)`
    /// to recognise the closing fence.
    LiteralFenced(char, usize),
    /// markdown, indented: the four spaces as typed.
    LiteralIndented,
}

impl Renderer<'_, '_> {
    /// A list item: markdown_v2 draws a bullet (by depth) or the next
    /// number; markdown shows the marker as typed. Either way the item's
    /// other rows are indented as wide as the marker.
    pub(super) fn start_item(&mut self, range: Range<usize>) {
        let line = self.map.line_of(range.start);
        let marker = if self.supports(Feature::Lists) {
            let depth = self.lists.len();
            match self.lists.last_mut() {
                Some(Some(n)) => {
                    let m = format!("{n}. ");
                    *n = n.saturating_add(1);
                    m
                }
                _ => match depth {
                    0 | 1 => "• ".to_owned(),
                    2 => "◦ ".to_owned(),
                    _ => "▪ ".to_owned(),
                },
            }
        } else {
            format!("{} ", literal_marker(self.map.slice(range)))
        };
        self.out.start_block(line);
        let first = run(marker, Style::default());
        let rest = indent_like(&first);
        let width = rest.first().map_or(0, |(_, t)| t.len());
        self.out.push_container(ContainerKind::Other, first, rest);
        self.markers.push(Marker::Indent(width));
        self.items.push(line);
    }

    /// A code block: framed in markdown_v2; in markdown the fences (or the
    /// four-space indentation) as typed, with a hint.
    pub(super) fn start_code(&mut self, kind: CodeBlockKind<'_>, range: Range<usize>) {
        let line = self.map.line_of(range.start);
        self.out.start_block(line);
        if self.supports(Feature::CodeBlocks) {
            let lang = match &kind {
                CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
                CodeBlockKind::Indented => "",
            };
            let width = self.frame_width();
            let mut top = vec![(self.st.frame, "┌─".to_owned())];
            let mut used = 2;
            if !lang.is_empty() {
                let label = format!(" {lang} ");
                used += unicode_width::UnicodeWidthStr::width(label.as_str());
                top.push((self.st.dim, label));
            }
            top.push((self.st.frame, "─".repeat(width.saturating_sub(used))));
            self.out.push_row(top, line);
            let bar = run("│ ", self.st.frame);
            self.out
                .push_container(ContainerKind::Other, bar.clone(), bar);
            self.code = Some(Code::Framed);
        } else {
            self.hints.not_in_markdown(line, Construct::CodeBlock);
            match kind {
                CodeBlockKind::Fenced(_) => {
                    let opening = self.map.slice(range).lines().next().unwrap_or("").trim();
                    let fence = opening.chars().next().unwrap_or('`');
                    let len = opening.chars().take_while(|&c| c == fence).count();
                    self.out.push_row(run(opening, Style::default()), line);
                    self.code = Some(Code::LiteralFenced(fence, len));
                }
                CodeBlockKind::Indented => {
                    let indent = run("    ", Style::default());
                    self.out
                        .push_container(ContainerKind::Other, indent.clone(), indent);
                    self.code = Some(Code::LiteralIndented);
                }
            }
        }
    }

    /// Closes the frame, or shows the closing fence as typed when there is
    /// one (an unclosed fence runs to the end of its container).
    pub(super) fn end_code(&mut self, range: Range<usize>) {
        let first = self.map.line_of(range.start);
        let last = self.map.last_line_of(&range);
        self.out.end_line();
        match self.code.take() {
            Some(Code::Framed) => {
                self.out.pop_container();
                let bottom = format!("└{}", "─".repeat(self.frame_width().saturating_sub(1)));
                self.out.push_row(run(bottom, self.st.frame), last);
            }
            Some(Code::LiteralFenced(fence, len)) => {
                let closing = strip_markers(self.map.line_text(last), &self.markers).trim();
                let is_fence =
                    closing.chars().count() >= len && closing.chars().all(|c| c == fence);
                if last > first && is_fence {
                    self.out.push_row(run(closing, Style::default()), last);
                }
            }
            Some(Code::LiteralIndented) => self.out.pop_container(),
            None => {}
        }
        self.out.end_block(last);
    }

    /// Width of rules and code frames: the room inside the containers.
    pub(super) fn frame_width(&self) -> usize {
        match self.out.content_width() {
            0 => UNKNOWN_WIDTH,
            w => w,
        }
    }

    /// `---`: a line across the width in markdown_v2, as typed in markdown.
    pub(super) fn rule(&mut self, range: Range<usize>) {
        let line = self.map.line_of(range.start);
        self.out.start_block(line);
        if self.supports(Feature::Rules) {
            let rule = "─".repeat(self.frame_width());
            self.out.push_row(run(rule, self.st.frame), line);
        } else {
            self.hints.not_in_markdown(line, Construct::Rule);
            let typed = self.map.slice(range).trim();
            self.out.push_row(run(typed, Style::default()), line);
        }
        self.out.end_block(line);
    }

    /// Source lines of `range` as typed, each a row (markdown tables).
    pub(super) fn literal_lines(&mut self, range: Range<usize>) {
        let first = self.map.line_of(range.start);
        let last = self.map.last_line_of(&range);
        for l in first..=last {
            let text = if l == first {
                self.map.slice(range.clone()).lines().next().unwrap_or("")
            } else {
                strip_markers(self.map.line_text(l), &self.markers)
            };
            self.out.push_row(run(text.trim_end(), Style::default()), l);
        }
    }
}

/// A list item's marker as typed: `-`, `*`, `+`, or a number and `.` / `)`.
fn literal_marker(item: &str) -> &str {
    let bytes = item.as_bytes();
    match bytes.first() {
        Some(b'-' | b'*' | b'+') => item.get(..1).unwrap_or("-"),
        _ => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && matches!(bytes.get(digits), Some(b'.' | b')')) {
                item.get(..=digits).unwrap_or("-")
            } else {
                "-"
            }
        }
    }
}
