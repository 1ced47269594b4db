//! Which message type renders what: the "Markdown dialects" table of
//! `shared/API-FACTS.md` (from the official robot page), in one place. What
//! a dialect does not support, the client shows as the characters typed.

use crate::wecom::MessageKind;

/// How the client renders a message's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `text`: no markup; `<@userid>` mentions and the mention lists.
    Text,
    /// `markdown`: the small original subset, with font colours and
    /// `<@userid>` mentions.
    Markdown,
    /// `markdown_v2`: near-complete markdown, no colours, no mentions.
    MarkdownV2,
}

/// One row of the dialect table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feature {
    Italic,
    NestedQuotes,
    FontColour,
    Mentions,
    Lists,
    Images,
    Rules,
    CodeBlocks,
    Tables,
}

impl Dialect {
    /// The dialect of a message type that has content to preview.
    pub fn of(kind: MessageKind) -> Option<Dialect> {
        match kind {
            MessageKind::Text => Some(Dialect::Text),
            MessageKind::Markdown => Some(Dialect::Markdown),
            MessageKind::MarkdownV2 => Some(Dialect::MarkdownV2),
            _ => None,
        }
    }

    /// The `msgtype` name, for messages shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Text => "text",
            Dialect::Markdown => "markdown",
            Dialect::MarkdownV2 => "markdown_v2",
        }
    }

    /// Headings, bold, links, single-line inline code and one level of
    /// quote are in both markdown dialects; the rest is split as below.
    pub(crate) fn supports(self, feature: Feature) -> bool {
        match self {
            // "text/markdown 类型消息支持在 content 中使用 @userid 扩展语法".
            Dialect::Text => feature == Feature::Mentions,
            Dialect::Markdown => matches!(feature, Feature::FontColour | Feature::Mentions),
            Dialect::MarkdownV2 => !matches!(feature, Feature::FontColour | Feature::Mentions),
        }
    }
}
