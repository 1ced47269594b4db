//! One draft being composed: the editors of a (robot, message type) pair, and
//! the message, problems and byte count derived from them.

use ratatui_textarea::{TextArea, WrapMode};

use super::attach::AttachState;

/// Which draft: a robot's name and a message type. Each robot keeps one
/// draft per type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DraftKey {
    pub robot: String,
    pub kind: crate::wecom::MessageKind,
}
use super::form::{Form, Path, RowKind};
use crate::store::drafts::Draft;
use crate::wecom::schema::FieldKind;
use crate::wecom::validate::{Problem, Severity, has_errors, validate_parsed};
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
    /// The whole JSON payload: for types without a form yet, and for any
    /// structured type when the user prefers JSON (F9).
    Raw,
    /// The form of a news message or a template card.
    Form,
    /// The file of an image, file or voice message.
    Path,
}

impl FieldId {
    /// The name under which the field is kept in drafts.
    pub fn draft_key(self) -> &'static str {
        match self {
            FieldId::Content => "content",
            FieldId::Mentions => "mentioned_list",
            FieldId::Mobiles => "mentioned_mobile_list",
            FieldId::Raw => "raw_json",
            FieldId::Form => "form_json",
            FieldId::Path => "path",
        }
    }

    /// The file extension that makes an external editor highlight it.
    pub fn extension(self, kind: MessageKind) -> &'static str {
        match (self, kind) {
            (FieldId::Raw | FieldId::Form, _) => "json",
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

/// Whether a type is edited with a form (else text or raw JSON).
pub fn has_form(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::News | MessageKind::TextNotice | MessageKind::NewsNotice
    )
}

/// Whether a type sends a file chosen from disk.
pub fn has_attachment(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::Image | MessageKind::File | MessageKind::Voice
    )
}

/// The file of an image, file or voice message, and what is known of it.
pub struct Attachment {
    pub path: TextArea<'static>,
    pub state: AttachState,
}

impl Attachment {
    pub fn path_text(&self) -> String {
        self.path.lines().join("").trim().to_owned()
    }
}

/// The text editor of the form field under the cursor.
pub struct FormEditor {
    pub path: Path,
    pub area: TextArea<'static>,
}

/// The editors of one draft.
pub struct Composition {
    pub kind: MessageKind,
    pub content: TextArea<'static>,
    pub mentions: TextArea<'static>,
    pub mobiles: TextArea<'static>,
    pub raw: TextArea<'static>,
    /// The form, for news and cards.
    pub form: Option<Form>,
    pub form_editor: Option<FormEditor>,
    /// The chosen file, for image, file and voice.
    pub attachment: Option<Attachment>,
    /// Editing a form or attachment type as raw JSON (F9).
    pub json_mode: bool,
    /// Bumped on every change, so derived data is recomputed only then.
    pub revision: u64,
}

impl Composition {
    /// Gives the empty fields' placeholders in the current language (after
    /// the language key: a field made before it keeps the text typed).
    pub fn relabel(&mut self) {
        let content_hint = match self.kind {
            MessageKind::Text => crate::tr!("placeholder.text"),
            _ => crate::tr!("placeholder.markdown"),
        };
        self.content.set_placeholder_text(content_hint);
        self.mentions
            .set_placeholder_text(crate::tr!("placeholder.mentions"));
        self.mobiles
            .set_placeholder_text(crate::tr!("placeholder.mobiles"));
        self.raw.set_placeholder_text(crate::tr!("placeholder.raw"));
        if let Some(a) = self.attachment.as_mut() {
            a.path.set_placeholder_text(crate::tr!("placeholder.path"));
        }
    }
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
            // Short enough to show whole in the editor at 80 columns.
            MessageKind::Text => crate::tr!("placeholder.text"),
            _ => crate::tr!("placeholder.markdown"),
        };
        let form = has_form(kind).then(|| {
            draft
                .and_then(|d| d.texts.get(FieldId::Form.draft_key()))
                .and_then(|json| serde_json::from_str(json).ok())
                .map(|body| Form::with_body(kind, body))
                .unwrap_or_else(|| Form::new(kind))
        });
        let json_mode = (has_form(kind) || has_attachment(kind))
            && draft.is_some_and(|d| d.texts.get("mode").is_some_and(|m| m == "json"));
        let attachment = has_attachment(kind).then(|| {
            let path = text(FieldId::Path);
            // Short enough to read whole in the field at 120 columns: the
            // keys (Tab completes, Enter browses) are on the line below.
            let mut area = textarea(path, &crate::tr!("placeholder.path"));
            area.set_wrap_mode(WrapMode::None);
            area.set_cursor_line_style(ratatui::style::Style::default());
            area.move_cursor(ratatui_textarea::CursorMove::End);
            Attachment {
                path: area,
                state: if path.trim().is_empty() {
                    AttachState::Empty
                } else {
                    AttachState::Pending
                },
            }
        });
        let mut comp = Composition {
            kind,
            content: textarea(text(FieldId::Content), &content_hint),
            mentions: textarea(text(FieldId::Mentions), &crate::tr!("placeholder.mentions")),
            mobiles: textarea(text(FieldId::Mobiles), &crate::tr!("placeholder.mobiles")),
            raw: textarea(raw_text.trim_end(), &crate::tr!("placeholder.raw")),
            form,
            form_editor: None,
            attachment,
            json_mode,
            revision: 0,
        };
        if let Some(d) = draft {
            for id in [
                FieldId::Content,
                FieldId::Mentions,
                FieldId::Mobiles,
                FieldId::Raw,
            ] {
                if let (Some(&at), Some(area)) =
                    (d.cursors.get(id.draft_key()), comp.editor_mut(id))
                {
                    place_cursor(area, at);
                }
            }
        }
        comp.sync_form_editor();
        comp
    }

    /// The fields this draft is edited with, in Tab order.
    pub fn fields(&self) -> &'static [FieldId] {
        match self.kind {
            MessageKind::Text => &[FieldId::Content, FieldId::Mentions, FieldId::Mobiles],
            MessageKind::Markdown | MessageKind::MarkdownV2 => &[FieldId::Content],
            kind if has_form(kind) && !self.json_mode => &[FieldId::Form],
            kind if has_attachment(kind) && !self.json_mode => &[FieldId::Path],
            _ => &[FieldId::Raw],
        }
    }

    /// Keeps a text editor on the form field under the cursor (and none on
    /// other rows), loaded with that field's text.
    pub fn sync_form_editor(&mut self) {
        let Some(form) = &self.form else { return };
        let row = form.current();
        let text_row = row
            .filter(|r| r.kind == RowKind::Field && !matches!(r.spec.kind, FieldKind::Choice(_)));
        match text_row {
            Some(r) if self.form_editor.as_ref().is_some_and(|e| e.path == r.path) => {}
            Some(r) => {
                let mut area = textarea(&form.text(&r.path), "");
                area.set_wrap_mode(WrapMode::None);
                area.move_cursor(ratatui_textarea::CursorMove::Bottom);
                area.move_cursor(ratatui_textarea::CursorMove::End);
                self.form_editor = Some(FormEditor { path: r.path, area });
            }
            None => self.form_editor = None,
        }
    }

    /// Switches a form type between the form and raw JSON. JSON that is not
    /// a message of this type keeps the JSON editor open, and says why.
    pub fn toggle_json(&mut self) -> Result<(), String> {
        if self.attachment.is_some() {
            // The file stays chosen; the JSON editor holds a message written by hand.
            self.json_mode = !self.json_mode;
            self.revision += 1;
            return Ok(());
        }
        let Some(form) = &self.form else {
            return Err("This type has no form yet: it is edited as JSON.".into());
        };
        if self.json_mode {
            let message =
                Message::from_json_str(&self.text(FieldId::Raw)).map_err(|e| e.to_string())?;
            if message.kind() != self.kind {
                return Err(format!(
                    "the JSON is a {} message, not {}",
                    message.kind().label(),
                    self.kind.label()
                ));
            }
            self.form = Some(Form::from_message(&message));
            self.json_mode = false;
            self.form_editor = None;
            self.sync_form_editor();
        } else {
            let json = match form.message() {
                Ok(m) => m.to_json_pretty(),
                Err(_) => serde_json::to_string_pretty(&form.body).unwrap_or_default(),
            };
            self.replace(FieldId::Raw, &json);
            self.json_mode = true;
        }
        self.revision += 1;
        Ok(())
    }

    /// The text editor of a field: for the form, the one on the field under
    /// the cursor, if any.
    pub fn editor(&self, id: FieldId) -> Option<&TextArea<'static>> {
        match id {
            FieldId::Content => Some(&self.content),
            FieldId::Mentions => Some(&self.mentions),
            FieldId::Mobiles => Some(&self.mobiles),
            FieldId::Raw => Some(&self.raw),
            FieldId::Form => self.form_editor.as_ref().map(|e| &e.area),
            FieldId::Path => self.attachment.as_ref().map(|a| &a.path),
        }
    }

    pub fn editor_mut(&mut self, id: FieldId) -> Option<&mut TextArea<'static>> {
        match id {
            FieldId::Content => Some(&mut self.content),
            FieldId::Mentions => Some(&mut self.mentions),
            FieldId::Mobiles => Some(&mut self.mobiles),
            FieldId::Raw => Some(&mut self.raw),
            FieldId::Form => self.form_editor.as_mut().map(|e| &mut e.area),
            FieldId::Path => self.attachment.as_mut().map(|a| &mut a.path),
        }
    }

    /// The text of a field; for the form, the JSON it makes.
    pub fn text(&self, id: FieldId) -> String {
        match (id, &self.form) {
            (FieldId::Form, Some(form)) => match form.message() {
                Ok(m) => m.to_json_pretty(),
                Err(_) => serde_json::to_string_pretty(&form.body).unwrap_or_default(),
            },
            _ => self
                .editor(id)
                .map(|a| a.lines().join("\n"))
                .unwrap_or_default(),
        }
    }

    /// Replaces a field's text (paste of a whole document, $EDITOR), keeping
    /// undo history so the replacement can be undone. For the form, the text
    /// is JSON: if it is not a message of this type, the JSON editor opens
    /// with it, so nothing is lost.
    pub fn replace(&mut self, id: FieldId, text: &str) {
        if id == FieldId::Form {
            match Message::from_json_str(text) {
                Ok(m) if m.kind() == self.kind => {
                    self.form = Some(Form::from_message(&m));
                    self.form_editor = None;
                    self.sync_form_editor();
                }
                _ => {
                    self.json_mode = true;
                    self.replace(FieldId::Raw, text);
                }
            }
            self.revision += 1;
            return;
        }
        if let Some(area) = self.editor_mut(id) {
            area.select_all();
            area.cut();
            area.insert_str(text);
        }
        if id == FieldId::Path
            && let Some(a) = &mut self.attachment
        {
            a.state = if text.trim().is_empty() {
                AttachState::Empty
            } else {
                AttachState::Pending
            };
        }
        self.revision += 1;
    }

    /// Replaces the draft with a whole message of this type (a template).
    pub fn load(&mut self, message: &Message) {
        match message {
            Message::Text(t) => {
                self.replace(FieldId::Content, &t.content);
                self.replace(
                    FieldId::Mentions,
                    &t.mentioned_list.clone().unwrap_or_default().join(", "),
                );
                self.replace(
                    FieldId::Mobiles,
                    &t.mentioned_mobile_list
                        .clone()
                        .unwrap_or_default()
                        .join(", "),
                );
            }
            Message::Markdown(m) | Message::MarkdownV2(m) => {
                self.replace(FieldId::Content, &m.content)
            }
            m if has_attachment(m.kind()) => {
                self.json_mode = true;
                self.replace(FieldId::Raw, &m.to_json_pretty());
            }
            m if has_form(m.kind()) => {
                self.form = Some(Form::from_message(m));
                self.json_mode = false;
                self.form_editor = None;
                self.sync_form_editor();
                self.revision += 1;
            }
            m => self.replace(FieldId::Raw, &m.to_json_pretty()),
        }
    }

    /// Writes the form editor's text into the form.
    pub fn commit_form_editor(&mut self) {
        if let (Some(form), Some(editor)) = (&mut self.form, &self.form_editor)
            && let Some(row) = form.rows().into_iter().find(|r| r.path == editor.path)
        {
            form.set_text(&editor.path, row.spec, &editor.area.lines().join("\n"));
        }
    }

    /// The draft to keep for this composition. The raw editor is kept only
    /// when it differs from the template, so templates can improve.
    pub fn to_draft(&self) -> Draft {
        let mut draft = Draft::default();
        for &id in self.fields() {
            let text = match (id, &self.form) {
                (FieldId::Form, Some(form)) => {
                    let body = form.pruned_body();
                    if Form::new(self.kind).pruned_body() == body {
                        continue; // untouched
                    }
                    serde_json::to_string(&form.body).unwrap_or_default()
                }
                _ => self.text(id),
            };
            if id == FieldId::Raw && text.trim() == raw_template(self.kind).trim() {
                continue;
            }
            if !text.is_empty() {
                if matches!(
                    id,
                    FieldId::Content | FieldId::Mentions | FieldId::Mobiles | FieldId::Raw
                ) && let Some(area) = self.editor(id)
                {
                    draft
                        .cursors
                        .insert(id.draft_key().to_owned(), cursor_of(area));
                }
                draft.texts.insert(id.draft_key().to_owned(), text);
            }
        }
        if self.json_mode && !draft.is_empty() {
            draft.texts.insert("mode".into(), "json".into());
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
            kind if has_form(kind) && !self.json_mode => match &self.form {
                Some(form) => form.message(),
                None => Err("this type has no form".into()),
            },
            kind if has_attachment(kind) && !self.json_mode => {
                match self.attachment.as_ref().map(|a| &a.state) {
                    Some(AttachState::Image(ready)) => Ok(ready.message.clone()),
                    Some(AttachState::Upload(_)) => {
                        Err("the file is uploaded when you send".into())
                    }
                    Some(state) => Err(state.not_ready().unwrap_or_default()),
                    None => Err("no attachment".into()),
                }
            }
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

/// What an image, file or voice draft shows: the problems of the file, and
/// the JSON that will be sent (a file's media_id comes from the upload).
fn attachment_derived(d: &mut Derived, kind: MessageKind, a: &Attachment) {
    d.problems = a.state.problems().to_vec();
    match &a.state {
        AttachState::Image(ready) => {
            d.problems = validate(&ready.message);
            d.json = Derived::json_for_display(&ready.message);
            d.json_bytes = ready.message.to_json().len();
            d.message = Some(ready.message.clone());
        }
        AttachState::Upload(_) => {
            let msgtype = kind.msgtype();
            d.json = format!(
                "{{\n  \"msgtype\": \"{msgtype}\",\n  \"{msgtype}\": {{\n    \"media_id\": \"(from the upload, when you send)\"\n  }}\n}}"
            );
        }
        state => {
            d.parse_error = state.not_ready();
            d.json = String::new();
        }
    }
}

/// Puts the cursor at `(row, column)`, or as near as the text allows (a
/// draft edited elsewhere may be shorter now). Rows past what a `u16` holds
/// are reached from the bottom, since `CursorMove::Jump` takes `u16`s.
pub fn place_cursor(area: &mut TextArea<'static>, (row, col): (usize, usize)) {
    use ratatui_textarea::CursorMove;
    let last = area.lines().len().saturating_sub(1);
    let row = row.min(last);
    let col = col.min(area.lines().get(row).map_or(0, |l| l.chars().count()));
    match (u16::try_from(row), u16::try_from(col)) {
        (Ok(r), Ok(c)) => area.move_cursor(CursorMove::Jump(r, c)),
        _ => {
            area.move_cursor(CursorMove::Bottom);
            for _ in row..last {
                area.move_cursor(CursorMove::Up);
            }
            area.move_cursor(CursorMove::Head);
            for _ in 0..col {
                area.move_cursor(CursorMove::Forward);
            }
        }
    }
}

/// The cursor of an editor as (row, column in characters).
pub fn cursor_of(area: &TextArea<'static>) -> (usize, usize) {
    let c = area.cursor();
    (c.0, c.1)
}

/// Scrolls an editor back to the top, keeping its cursor: after a resize
/// the next drawing scrolls only as far as the cursor needs, so no first
/// lines stay hidden for nothing.
pub fn rescroll(area: &mut TextArea<'static>) {
    if area.is_selecting() {
        return;
    }
    let at = cursor_of(area);
    area.scroll((i16::MIN, 0));
    place_cursor(area, at);
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
    /// Whether `json` and `json_bytes` were computed: for a large draft they
    /// are made only while the JSON view is open, so typing stays quick.
    pub with_json: bool,
}

/// Content up to this size always gets its JSON computed on each change.
pub const EAGER_JSON_LIMIT: usize = 64 * 1024;

impl Derived {
    /// Derives what is shown; `json_wanted` asks for the JSON even of a
    /// large draft.
    pub fn compute(robot: &str, comp: &Composition, json_wanted: bool) -> Derived {
        let mut d = Derived {
            source: Some((robot.to_owned(), comp.kind, comp.revision)),
            with_json: true,
            ..Derived::default()
        };
        if let (Some(a), false) = (&comp.attachment, comp.json_mode) {
            attachment_derived(&mut d, comp.kind, a);
            return d;
        }
        let message = comp.message();
        // The byte count comes from the message built anyway, rather than
        // joining the editor's lines a second time.
        if let (Some(limit), Some(content)) = (
            comp.kind.content_limit(),
            message.as_ref().ok().and_then(Message::content),
        ) {
            d.bytes = Some((content.len(), limit));
        }
        let small = d.bytes.is_none_or(|(used, _)| used <= EAGER_JSON_LIMIT);
        match message {
            Ok(m) => {
                d.problems = match comp.json_mode {
                    // Raw JSON may hold fields WeCom does not document
                    // (`chatid`, …): accepted, and warned about.
                    true => Message::parse_json_str(&comp.text(FieldId::Raw))
                        .map(|parsed| validate_parsed(&parsed))
                        .unwrap_or_else(|_| validate(&m)),
                    false => validate(&m),
                };
                if let (Some(form), false) = (&comp.form, comp.json_mode) {
                    let mut bad = form.unparsed_numbers();
                    bad.append(&mut d.problems);
                    d.problems = bad;
                }
                if small || json_wanted {
                    d.json = Derived::json_for_display(&m);
                    d.json_bytes = m.to_json().len();
                } else {
                    d.with_json = false;
                }
                d.message = Some(m);
            }
            Err(e) => {
                d.json = comp.text(comp.fields()[0]);
                d.json_bytes = d.json.len();
                d.parse_error = Some(e);
            }
        }
        d
    }

    /// The JSON to show for a message: a picture's base64 is cut, so a 2 MiB
    /// image does not flood the preview.
    fn json_for_display(message: &Message) -> String {
        let mut value = message.to_value();
        if let Some(b64) = value.pointer_mut("/image/base64")
            && let Some(s) = b64.as_str()
            && s.len() > 64
        {
            *b64 = serde_json::Value::from(format!(
                "{}… ({} characters)",
                &s[..48],
                crate::wecom::validate::group_digits(s.len())
            ));
        }
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// Whether sending is refused, and why.
    pub fn blocking_reason(&self) -> Option<String> {
        if let Some(e) = &self.parse_error {
            return Some(crate::tr!("blocking.not_a_message", error = e).into_owned());
        }
        if has_errors(&self.problems) {
            let n = self
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            let first = self.problems.iter().find(|p| p.is_error())?;
            let key = if n == 1 {
                "blocking.errors_one"
            } else {
                "blocking.errors_many"
            };
            return Some(
                crate::tr!(key, n = n, path = first.path, message = first.message).into_owned(),
            );
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
        let mut c = Composition::new(MessageKind::Image, None);
        assert!(c.message().is_err(), "no picture chosen yet");
        c.toggle_json().expect("to JSON");
        assert!(
            c.message().is_ok(),
            "the template parses as an image message"
        );
        c.replace(FieldId::Raw, r#"{"msgtype":"text","text":{"content":"x"}}"#);
        let err = c.message().unwrap_err();
        assert!(err.contains("selected type is image"), "{err}");
    }

    #[test]
    fn untouched_templates_are_not_drafts() {
        let c = Composition::new(MessageKind::TextNotice, None);
        assert!(!c.has_text());
        let c = Composition::new(MessageKind::File, None);
        assert!(!c.has_text());
        let mut c = Composition::new(MessageKind::Markdown, None);
        c.content.insert_str("# hi");
        assert_eq!(
            c.to_draft().texts.get("content").map(String::as_str),
            Some("# hi")
        );
    }
}
