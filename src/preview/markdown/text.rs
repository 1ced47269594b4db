//! Inline text: merged text events, WeCom's `<@userid>` and `<font>`
//! extensions (drawn or shown as typed, with hints), source shown as typed,
//! and markdown_v2 image placeholders.

use std::ops::Range;

use pulldown_cmark::Event;
use ratatui::style::Style;

use super::Renderer;
use super::blocks::Code;
use crate::preview::dialect::Feature;
use crate::preview::hints::{HintKind, HintSeverity};
use crate::preview::inline::{self, Piece};
use crate::preview::source::strip_markers;

/// A markdown_v2 image whose alt text is being collected.
pub(super) struct Image {
    pub(super) alt: String,
    pub(super) url: String,
    pub(super) line: usize,
    /// Open tags inside the image, itself included.
    pub(super) depth: usize,
}

impl Renderer<'_, '_> {
    /// A text event: code block content goes straight out; other text waits
    /// for its neighbours (see `pending`).
    pub(super) fn text(&mut self, text: &str, range: Range<usize>) {
        let line = self.map.line_of(range.start);
        if let Some(code) = &self.code {
            let style = match code {
                Code::Framed => self.st.code_block,
                _ => Style::default(),
            };
            self.out.push(text, style, line);
            return;
        }
        if self.pending.is_empty() {
            self.pending_line = line;
            self.pending_offset = range.start;
        }
        self.pending.push_str(text);
    }

    /// Writes the merged text events, with mentions found.
    pub(super) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        let line = self.pending_line;
        if self.heading.is_none() && self.table.is_none() && self.out.line_is_empty() {
            self.check_heading_space(&text, line);
        }
        for piece in inline::mentions(&text) {
            self.piece(piece, line);
        }
    }

    /// `#标题` at the start of a line: the author wanted a heading.
    pub(super) fn check_heading_space(&mut self, text: &str, line: usize) {
        let bytes = self.map.src().as_bytes();
        let escaped = self
            .pending_offset
            .checked_sub(1)
            .is_some_and(|before| bytes.get(before) == Some(&b'\\'));
        let typed_hash = !escaped && bytes.get(self.pending_offset) == Some(&b'#');
        let hashes = text.bytes().take_while(|&b| b == b'#').count();
        let next = text.get(hashes..).and_then(|rest| rest.chars().next());
        if typed_hash
            && (1..=6).contains(&hashes)
            && next.is_some_and(|c| !c.is_whitespace() && c != '#')
        {
            self.hints.add(
                line,
                HintKind::HeadingNeedsSpace,
                HintSeverity::Warning,
                crate::tr!(
                    "hint.heading_needs_space",
                    start = text.chars().take(16).collect::<String>()
                ),
            );
        }
    }

    /// One line of an HTML block. In markdown a line holding nothing but
    /// font tags (`<font color="info">` alone, its text on the next lines)
    /// only changes the colour: it draws no row of its own.
    pub(super) fn html_line(&mut self, html: &str, line: usize) {
        let pieces = inline::html_pieces(html);
        let tags_only = self.supports(Feature::FontColour)
            && pieces.iter().all(|p| match p {
                Piece::Text(t) => t.trim().is_empty(),
                Piece::FontOpen { colour, .. } => colour.is_some(),
                Piece::FontClose(_) => true,
                Piece::Mention { .. } => false,
            });
        for piece in pieces {
            if tags_only && matches!(piece, Piece::Text(_)) {
                continue;
            }
            self.piece(piece, line);
        }
    }

    /// One piece of WeCom's extensions: drawn where the dialect has it,
    /// written as typed (with a hint) where it does not.
    pub(super) fn piece(&mut self, piece: Piece<'_>, line: usize) {
        let style = self.style();
        match piece {
            Piece::Text(t) => self.out.push(t, style, line),
            Piece::Mention { id, raw } => {
                if self.supports(Feature::Mentions) {
                    self.out
                        .push(&format!("@{id}"), style.patch(self.st.mention), line);
                } else {
                    self.hints.add(
                        line,
                        HintKind::MentionInV2,
                        HintSeverity::Warning,
                        crate::tr!("hint.mention_in_v2", raw = raw),
                    );
                    self.out.push(raw, style, line);
                }
            }
            Piece::FontOpen { colour, name, raw } => {
                if !self.supports(Feature::FontColour) {
                    self.hints.add(
                        line,
                        HintKind::FontColourInV2,
                        HintSeverity::Warning,
                        crate::tr!("hint.font_colour_in_v2"),
                    );
                    self.out.push(raw, style, line);
                } else if colour.is_some() {
                    self.fonts.push(colour);
                } else {
                    self.hints.add(
                        line,
                        HintKind::UnknownFontColour,
                        HintSeverity::Warning,
                        crate::tr!("hint.unknown_font_colour", name = name),
                    );
                    self.fonts.push(None);
                    self.out.push(raw, style, line);
                }
            }
            Piece::FontClose(raw) => {
                let hidden = self.supports(Feature::FontColour)
                    && matches!(self.fonts.last(), Some(Some(_)));
                if self.supports(Feature::FontColour) {
                    self.fonts.pop();
                }
                if !hidden {
                    self.out.push(raw, style, line);
                }
            }
        }
    }

    /// The source of `range` as typed, in the current style; continuation
    /// lines lose the container markers the preview draws itself.
    pub(super) fn push_literal(&mut self, range: Range<usize>) {
        let style = self.style();
        let mut line = self.map.line_of(range.start);
        for (i, piece) in self.map.slice(range).split('\n').enumerate() {
            let piece = if i == 0 {
                piece
            } else {
                self.out.push("\n", style, line);
                line = line.saturating_add(1);
                self.lazy_quotes(line);
                strip_markers(piece, &self.markers)
            };
            self.out.push(piece, style, line);
        }
    }

    /// Events inside a markdown_v2 image: only its alt text is kept.
    pub(super) fn image_event(&mut self, event: Event<'_>) {
        let Some(image) = self.image.as_mut() else {
            return;
        };
        match event {
            Event::Start(_) => image.depth += 1,
            Event::End(_) => {
                image.depth = image.depth.saturating_sub(1);
                if image.depth == 0
                    && let Some(image) = self.image.take()
                {
                    self.finish_image(image);
                }
            }
            Event::Text(t) | Event::Code(t) => image.alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
            _ => {}
        }
    }

    /// `[image: alt] url`: the client shows the picture; the terminal says
    /// which.
    pub(super) fn finish_image(&mut self, image: Image) {
        let style = self.style().patch(self.st.image);
        let label = if image.alt.trim().is_empty() {
            "[image]".to_owned()
        } else {
            format!("[image: {}]", image.alt.trim())
        };
        self.out.push(&label, style, image.line);
        if !image.url.is_empty() {
            self.out
                .push(&format!(" {}", image.url), self.st.dim, image.line);
        }
    }
}
