//! One draft being composed: the editors of a (robot, message type) pair, and
//! the message, problems and byte count derived from them.

use ratatui_textarea::{TextArea, WrapMode};

use crate::store::drafts::Draft;
use crate::wecom::validate::{Problem, Severity, has_errors};
use crate::wecom::{Message, MessageKind, validate};

/// An editor field of the composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    /// The message text (text, markdown, markdown_v2).
    Content,
    /// `mentioned_list` of a text message.
    Mentions,
    /// `mentioned_mobile_list` of a text message.
    Mobiles,
    /// The whole JSON payload, for types whose forms come later.
    Raw,
}

impl FieldId {
    /// The name under which the field is kept in drafts.
    pub fn draft_key(self) -> &'static str {
        match self {
            FieldId::Content => "content",
            FieldId::Mentions => "mentioned_list",
            FieldId::Mobiles => "mentioned_mobile_list",
            FieldId::Raw => "raw_json",
        }
    }

    /// The fields a message type is edited with, in Tab order.
    pub fn for_kind(kind: MessageKind) -> &'static [FieldId] {
        match kind {
            MessageKind::Text => &[FieldId::Content, FieldId::Mentions, FieldId::Mobiles],
            MessageKind::Markdown | MessageKind::MarkdownV2 => &[FieldId::Content],
            _ => &[FieldId::Raw],
        }
    }

    /// The file extension that makes an external editor highlight it.
    pub fn extension(self, kind: MessageKind) -> &'static str {
        match (self, kind) {
            (FieldId::Raw, _) => "json",
            (FieldId::Content, MessageKind::Markdown | MessageKind::MarkdownV2) => "md",
            _ => "txt",
        }
    }
}

/// The starting JSON of the raw editor for each structured type: the seed
/// examples (valid as they stand) or an empty skeleton.
pub fn raw_template(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Image => include_str!("../../assets/templates/image.json"),
        MessageKind::News => include_str!("../../assets/templates/news.json"),
        MessageKind::File => include_str!("../../assets/templates/file.json"),
        MessageKind::Voice => include_str!("../../assets/templates/voice.json"),
        MessageKind::TextNotice => include_str!("../../assets/templates/text_notice.json"),
        MessageKind::NewsNotice => include_str!("../../assets/templates/news_notice.json"),
        MessageKind::Text | MessageKind::Markdown | MessageKind::MarkdownV2 => "",
    }
}

/// The editors of one draft.
pub struct Composition {
    pub kind: MessageKind,
    pub content: TextArea<'static>,
    pub mentions: TextArea<'static>,
    pub mobiles: TextArea<'static>,
    pub raw: TextArea<'static>,
    /// Bumped on every change, so derived data is recomputed only then.
    pub revision: u64,
}

fn textarea(text: &str, placeholder: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n').map(str::to_owned).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_placeholder_text(placeholder.to_owned());
    t.set_max_histories(200);
    t
}

impl Composition {
    /// Opens a draft (or a fresh one) of `kind`.
    pub fn new(kind: MessageKind, draft: Option<&Draft>) -> Composition {
        let text = |field: FieldId| {
            draft
                .and_then(|d| d.texts.get(field.draft_key()))
                .map(String::as_str)
                .unwrap_or("")
        };
        let raw_text = match draft.and_then(|d| d.texts.get(FieldId::Raw.draft_key())) {
            Some(t) => t.as_str(),
            None => raw_template(kind),
        };
        let content_hint = match kind {
            MessageKind::Text => "Type the message. Enter is a new line; Ctrl-S sends.",
            _ => "Type markdown. **bold**, [link](https://…), > quote. Ctrl-S sends.",
        };
        Composition {
            kind,
            content: textarea(text(FieldId::Content), content_hint),
            mentions: textarea(
                text(FieldId::Mentions),
                "userids, comma-separated; @all for everyone",
            ),
            mobiles: textarea(
                text(FieldId::Mobiles),
                "phone numbers, comma-separated; @all",
            ),
            raw: textarea(raw_text.trim_end(), "the JSON payload"),
            revision: 0,
        }
    }

    pub fn field(&self, id: FieldId) -> &TextArea<'static> {
        match id {
            FieldId::Content => &self.content,
            FieldId::Mentions => &self.mentions,
            FieldId::Mobiles => &self.mobiles,
            FieldId::Raw => &self.raw,
        }
    }

    pub fn field_mut(&mut self, id: FieldId) -> &mut TextArea<'static> {
        match id {
            FieldId::Content => &mut self.content,
            FieldId::Mentions => &mut self.mentions,
            FieldId::Mobiles => &mut self.mobiles,
            FieldId::Raw => &mut self.raw,
        }
    }

    /// The text of a field.
    pub fn text(&self, id: FieldId) -> String {
        self.field(id).lines().join("\n")
    }

    /// Replaces a field's text (paste of a whole document, $EDITOR), keeping
    /// undo history so the replacement can be undone.
    pub fn replace(&mut self, id: FieldId, text: &str) {
        let area = self.field_mut(id);
        area.select_all();
        area.cut();
        area.insert_str(text);
        self.revision += 1;
    }

    /// The draft to keep for this composition. The raw editor is kept only
    /// when it differs from the template, so templates can improve.
    pub fn to_draft(&self) -> Draft {
        let mut draft = Draft::default();
        for &id in FieldId::for_kind(self.kind) {
            let text = self.text(id);
            if id == FieldId::Raw && text.trim() == raw_template(self.kind).trim() {
                continue;
            }
            if !text.is_empty() {
                draft.texts.insert(id.draft_key().to_owned(), text);
            }
        }
        draft
    }

    /// Whether anything was typed that would be lost without the draft.
    pub fn has_text(&self) -> bool {
        !self.to_draft().is_empty()
    }

    /// Builds the message from the editors.
    pub fn message(&self) -> Result<Message, String> {
        match self.kind {
            MessageKind::Text => {
                let mut m = crate::wecom::message::Text {
                    content: self.text(FieldId::Content),
                    ..Default::default()
                };
                m.mentioned_list = split_list(&self.text(FieldId::Mentions));
                m.mentioned_mobile_list = split_list(&self.text(FieldId::Mobiles));
                Ok(Message::Text(m))
            }
            MessageKind::Markdown => Ok(Message::markdown(self.text(FieldId::Content))),
            MessageKind::MarkdownV2 => Ok(Message::markdown_v2(self.text(FieldId::Content))),
            kind => {
                let message =
                    Message::from_json_str(&self.text(FieldId::Raw)).map_err(|e| e.to_string())?;
                if message.kind() == kind {
                    Ok(message)
                } else {
                    Err(format!(
                        "this JSON is a {} message but the selected type is {}: change msgtype or pick that type",
                        message.kind().label(),
                        kind.label()
                    ))
                }
            }
        }
    }
}

/// Splits a mention list typed as `a, b` or one per line; empty → absent.
pub fn split_list(text: &str) -> Option<Vec<String>> {
    let items: Vec<String> = text
        .split([',', '，', '\n', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!items.is_empty()).then_some(items)
}

/// What the composer shows about the current draft, recomputed only when the
/// draft changed.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Which draft and revision this was computed from.
    pub source: Option<(String, MessageKind, u64)>,
    /// The message, or why the editors do not make one.
    pub message: Option<Message>,
    pub parse_error: Option<String>,
    pub problems: Vec<Problem>,
    /// UTF-8 bytes of the main content and its limit, for text and markdown.
    pub bytes: Option<(usize, usize)>,
    /// The exact JSON payload, pretty-printed.
    pub json: String,
    /// Compact payload size in bytes.
    pub json_bytes: usize,
}

impl Derived {
    pub fn compute(robot: &str, comp: &Composition) -> Derived {
        let mut d = Derived {
            source: Some((robot.to_owned(), comp.kind, comp.revision)),
            ..Derived::default()
        };
        if let Some(limit) = comp.kind.content_limit() {
            d.bytes = Some((comp.text(FieldId::Content).len(), limit));
        }
        match comp.message() {
            Ok(m) => {
                d.problems = validate(&m);
                d.json = m.to_json_pretty();
                d.json_bytes = m.to_json().len();
                d.message = Some(m);
            }
            Err(e) => {
                d.json = comp.text(FieldId::Raw);
                d.json_bytes = d.json.len();
                d.parse_error = Some(e);
            }
        }
        d
    }

    /// Whether sending is refused, and why.
    pub fn blocking_reason(&self) -> Option<String> {
        if let Some(e) = &self.parse_error {
            return Some(format!("the JSON is not a message: {e}"));
        }
        if has_errors(&self.problems) {
            let n = self
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            let first = self.problems.iter().find(|p| p.is_error())?;
            return Some(format!(
                "{n} error{} to fix first — {}: {}",
                if n == 1 { "" } else { "s" },
                first.path,
                first.message
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_lists_split_on_commas_spaces_and_lines() {
        assert_eq!(split_list(""), None);
        assert_eq!(split_list(" , "), None);
        assert_eq!(
            split_list("wangqing, @all\nlisi，zhangsan"),
            Some(vec![
                "wangqing".into(),
                "@all".into(),
                "lisi".into(),
                "zhangsan".into()
            ])
        );
    }

    #[test]
    fn text_message_carries_the_mentions() {
        let mut c = Composition::new(MessageKind::Text, None);
        c.content.insert_str("部署完成");
        c.mentions.insert_str("wangqing,@all");
        let json = c.message().expect("message").to_json();
        assert_eq!(
            json,
            r#"{"msgtype":"text","text":{"content":"部署完成","mentioned_list":["wangqing","@all"]}}"#
        );
    }

    #[test]
    fn raw_json_must_match_the_selected_type() {
        let mut c = Composition::new(MessageKind::News, None);
        assert!(c.message().is_ok(), "the template is a valid news message");
        c.replace(FieldId::Raw, r#"{"msgtype":"text","text":{"content":"x"}}"#);
        let err = c.message().unwrap_err();
        assert!(err.contains("selected type is news"), "{err}");
    }

    #[test]
    fn untouched_templates_are_not_drafts() {
        let c = Composition::new(MessageKind::TextNotice, None);
        assert!(!c.has_text());
        let mut c = Composition::new(MessageKind::Markdown, None);
        c.content.insert_str("# hi");
        assert_eq!(
            c.to_draft().texts.get("content").map(String::as_str),
            Some("# hi")
        );
    }
}
