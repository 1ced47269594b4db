//! Lint hints: what the group will not see the way the author probably
//! meant it. Found during the same parse that draws the preview, so a hint
//! and what the preview shows never disagree.

use std::collections::HashSet;

use ratatui::text::{Line, Span};

use super::style::Styles;

/// How much a hint matters. None of them stops a send: the server accepts
/// the message, the client just shows it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HintSeverity {
    Info,
    Warning,
}

/// A construct markdown (v1) does not render: the client shows its source
/// characters as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Construct {
    Table,
    List,
    Italic,
    Image,
    CodeBlock,
    Rule,
    NestedQuote,
}

impl Construct {
    /// Its hint's key: `hint.not_in_markdown.<name>`.
    fn name(self) -> &'static str {
        match self {
            Construct::Table => "table",
            Construct::List => "list",
            Construct::Italic => "italic",
            Construct::Image => "image",
            Construct::CodeBlock => "code_block",
            Construct::Rule => "rule",
            Construct::NestedQuote => "nested_quote",
        }
    }
}

/// What a hint is about, for callers that filter or group hints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HintKind {
    /// markdown_v2 is plain text on old clients (always given, line 1).
    OldClients,
    /// A construct markdown (v1) shows as typed.
    NotInMarkdown(Construct),
    /// `<font color>` in markdown_v2.
    FontColourInV2,
    /// `<@userid>` in markdown_v2.
    MentionInV2,
    /// A colour other than info / comment / warning.
    UnknownFontColour,
    /// `#标题`: a heading needs a space after the `#`s.
    HeadingNeedsSpace,
    /// `mentioned_list` / `mentioned_mobile_list` given for a markdown type.
    MentionListIgnored,
    /// Inline code across a line break.
    MultiLineInlineCode,
    /// A GitHub extension neither dialect renders (strikethrough, task
    /// lists, footnotes, HTML).
    NotInWeCom(super::gfm::Gfm),
}

/// One hint, pointing at the source line it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// 1-based line in the content.
    pub line: usize,
    pub message: String,
    pub severity: HintSeverity,
    pub kind: HintKind,
}

/// Collects hints, one per kind and line (a line with three italics gets
/// one hint, not three).
#[derive(Default)]
pub(crate) struct Hints {
    hints: Vec<Hint>,
    seen: HashSet<(usize, HintKind)>,
}

impl Hints {
    pub(crate) fn add(
        &mut self,
        line: usize,
        kind: HintKind,
        severity: HintSeverity,
        message: impl Into<String>,
    ) {
        let line = line.max(1);
        if self.seen.insert((line, kind.clone())) {
            self.hints.push(Hint {
                line,
                message: message.into(),
                severity,
                kind,
            });
        }
    }

    /// A construct markdown (v1) shows as typed.
    pub(crate) fn not_in_markdown(&mut self, line: usize, what: Construct) {
        let key = format!("hint.not_in_markdown.{}", what.name());
        self.add(
            line,
            HintKind::NotInMarkdown(what),
            HintSeverity::Warning,
            crate::tr!(&key),
        );
    }

    /// The hints in source order (stable: same line keeps finding order).
    pub(crate) fn into_sorted(mut self) -> Vec<Hint> {
        self.hints.sort_by_key(|h| h.line);
        self.hints
    }
}

/// Hints as lines to draw under the preview: `⚠ line 3: tables are …`.
pub fn hint_lines(hints: &[Hint], color: bool) -> Vec<Line<'static>> {
    let st = Styles::new(color);
    hints
        .iter()
        .map(|h| {
            let (icon, style) = match h.severity {
                HintSeverity::Warning => ("⚠", st.hint_warning),
                HintSeverity::Info => ("ℹ", st.hint_info),
            };
            Line::from(vec![
                Span::styled(
                    crate::tr!("hint.line", icon = icon, n = h.line).into_owned(),
                    style,
                ),
                Span::raw(h.message.clone()),
            ])
        })
        .collect()
}
