//! The message model: every message type of the group-robot webhook, as the
//! official page (seed 001) documents it.
//!
//! Each object is declared once with [`wecom_object!`]; its field table carries
//! the rules that [`crate::wecom::validate`] checks. A [`Message`] serialises to
//! exactly the documented JSON: `{"msgtype": T, T: {...}}`, optional fields
//! omitted when absent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json_words;
use super::limits;
use super::schema::{
    Choice, Described, FieldKind, FieldSpec, choice, float, list, media_id, multiline, object,
    string_list, text, url, wecom_object,
};

// ---------------------------------------------------------------- choices

/// `type` of quote_area, jump_list and image_text_area: "0 或不填代表没有点击事件".
pub const CLICK_NONE_URL_APP: &[Choice] = &[
    Choice {
        value: 0,
        label: "no action",
    },
    Choice {
        value: 1,
        label: "open URL",
    },
    Choice {
        value: 2,
        label: "open mini-program",
    },
];
/// `card_action.type`: "取值范围为 [1,2]".
pub const CLICK_URL_APP: &[Choice] = &[
    Choice {
        value: 1,
        label: "open URL",
    },
    Choice {
        value: 2,
        label: "open mini-program",
    },
];
/// `horizontal_content_list.type`: absent means plain text.
pub const HORIZONTAL_TYPES: &[Choice] = &[
    Choice {
        value: 1,
        label: "link (URL)",
    },
    Choice {
        value: 2,
        label: "file attachment",
    },
    Choice {
        value: 3,
        label: "member profile",
    },
];
/// `source.desc_color`.
pub const DESC_COLORS: &[Choice] = &[
    Choice {
        value: 0,
        label: "grey",
    },
    Choice {
        value: 1,
        label: "black",
    },
    Choice {
        value: 2,
        label: "red",
    },
    Choice {
        value: 3,
        label: "green",
    },
];

// ---------------------------------------------------------------- free text

wecom_object! {
    /// `text`: plain text with optional mentions.
    pub struct Text {
        content: String = multiline("Content").required().max_bytes(limits::TEXT_MAX_BYTES)
            .help("文本内容, 最长不超过 2048 个字节, 必须是 utf8 编码"),
        mentioned_list: Option<Vec<String>> = string_list("Mention user ids")
            .help("userid 列表, @all 提醒所有人"),
        mentioned_mobile_list: Option<Vec<String>> = string_list("Mention phone numbers")
            .help("手机号列表, @all 提醒所有人"),
    }
}

wecom_object! {
    /// `markdown` and `markdown_v2`: the same body, different dialects.
    pub struct Markdown {
        content: String = multiline("Content").required().max_bytes(limits::MARKDOWN_MAX_BYTES)
            .help("markdown 内容, 最长不超过 4096 个字节, 必须是 utf8 编码"),
        /// Not part of the markdown body: WeCom ignores it (reported). Accepted
        /// so that validation can say so instead of failing to parse.
        mentioned_list: Option<Vec<String>> = string_list("Mention user ids (ignored)")
            .help("ignored for markdown: write <@userid> in the content"),
        /// See `mentioned_list`.
        mentioned_mobile_list: Option<Vec<String>> = string_list("Mention phones (ignored)")
            .help("ignored for markdown: write <@userid> in the content"),
    }
}

// ---------------------------------------------------------------- image, media

wecom_object! {
    /// `image`: the picture itself, base64-encoded, with the md5 of its raw bytes.
    pub struct Image {
        base64: String = multiline("Base64").required()
            .help("图片内容的 base64 编码; 图片最大不能超过 2M, 支持 JPG、PNG 格式"),
        md5: String = text("MD5").required()
            .help("图片内容 (base64 编码前) 的 md5 值"),
    }
}

wecom_object! {
    /// `file` and `voice`: a `media_id` from an upload by the same robot.
    pub struct Media {
        media_id: String = media_id("Media id").required()
            .help("通过文件上传接口获取, 三天内有效, 仅上传它的机器人可用"),
    }
}

// ---------------------------------------------------------------- news

wecom_object! {
    /// One article of a `news` message.
    pub struct Article {
        title: String = text("Title").required().truncated_after_bytes(limits::NEWS_TITLE_BYTES)
            .help("标题, 不超过 128 个字节, 超过会自动截断"),
        description: Option<String> = multiline("Description")
            .truncated_after_bytes(limits::NEWS_DESCRIPTION_BYTES)
            .help("描述, 不超过 512 个字节, 超过会自动截断"),
        url: String = url("URL").required().help("点击后跳转的链接"),
        picurl: Option<String> = url("Picture URL")
            .help("图片链接, 支持 JPG、PNG, 较好的效果为大图 1068*455, 小图 150*150"),
    }
}

wecom_object! {
    /// `news`: 1 to 8 articles.
    pub struct News {
        articles: Vec<Article> = list::<Article>("Articles", 1, limits::NEWS_MAX_ARTICLES)
            .required().help("图文消息, 一个图文消息支持 1 到 8 条图文"),
    }
}

// ---------------------------------------------------------------- card parts

wecom_object! {
    /// `source`: the card's source line.
    pub struct Source {
        icon_url: Option<String> = url("Icon URL").help("来源图片的 url"),
        desc: Option<String> = text("Description").recommend_chars(13)
            .help("来源图片的描述, 建议不超过 13 个字"),
        desc_color: Option<i64> = choice("Colour", DESC_COLORS)
            .help("来源文字的颜色: 0 (默认) 灰色, 1 黑色, 2 红色, 3 绿色"),
    }
}

wecom_object! {
    /// `main_title`: the card's title and its subtitle.
    pub struct MainTitle {
        title: Option<String> = text("Title").label_key("main_title_title").recommend_chars(26)
            .help("一级标题, 建议不超过 26 个字"),
        desc: Option<String> = text("Description").label_key("main_title_desc").recommend_chars(30)
            .help("标题辅助信息, 建议不超过 30 个字"),
    }
}

wecom_object! {
    /// `emphasis_content`: a large key figure (text_notice only).
    pub struct EmphasisContent {
        title: Option<String> = text("Figure").recommend_chars(10)
            .help("关键数据样式的数据内容, 建议不超过 10 个字"),
        desc: Option<String> = text("Meaning").recommend_chars(15)
            .help("关键数据样式的数据描述内容, 建议不超过 15 个字"),
    }
}

wecom_object! {
    /// `quote_area`: a quoted block, optionally clickable.
    pub struct QuoteArea {
        r#type: Option<i64> = choice("On click", CLICK_NONE_URL_APP)
            .help("引用区域点击事件, 0 或不填代表没有点击事件, 1 跳转 url, 2 跳转小程序"),
        url: Option<String> = url("URL").when_type(&[1]).required()
            .help("点击跳转的 url, type 是 1 时必填"),
        appid: Option<String> = text("Mini-program appid").when_type(&[2]).required()
            .help("点击跳转的小程序的 appid, type 是 2 时必填"),
        pagepath: Option<String> = text("Mini-program page").when_type(&[2])
            .help("点击跳转的小程序的 pagepath, type 是 2 时选填"),
        title: Option<String> = text("Title").help("引用文献样式的标题"),
        quote_text: Option<String> = multiline("Quote text").help("引用文献样式的引用文案"),
    }
}

wecom_object! {
    /// One entry of `horizontal_content_list`: a key and a value, which may be a
    /// link, a file or a member.
    pub struct HorizontalContent {
        keyname: String = text("Key").required().recommend_chars(5)
            .help("二级标题, 建议不超过 5 个字"),
        value: Option<String> = text("Value").recommend_chars(26)
            .help("二级文本, type 是 2 时代表文件名称 (要包含文件类型), 建议不超过 26 个字"),
        r#type: Option<i64> = choice("Kind", HORIZONTAL_TYPES)
            .help("1 是 url, 2 是文件附件, 3 代表点击跳转成员详情; 不填为纯文本"),
        url: Option<String> = url("URL").when_type(&[1]).required()
            .help("链接跳转的 url, type 是 1 时必填"),
        media_id: Option<String> = media_id("Attachment media id").when_type(&[2]).required()
            .help("附件的 media_id, type 是 2 时必填"),
        userid: Option<String> = text("Member userid").when_type(&[3]).required()
            .help("成员详情的 userid, type 是 3 时必填"),
    }
}

wecom_object! {
    /// One entry of `jump_list`: a link at the bottom of the card.
    pub struct Jump {
        r#type: Option<i64> = choice("Kind", CLICK_NONE_URL_APP)
            .help("0 或不填代表不是链接, 1 跳转 url, 2 跳转小程序"),
        url: Option<String> = url("URL").when_type(&[1]).required()
            .help("跳转链接的 url, type 是 1 时必填"),
        appid: Option<String> = text("Mini-program appid").when_type(&[2]).required()
            .help("跳转链接的小程序的 appid, type 是 2 时必填"),
        pagepath: Option<String> = text("Mini-program page").when_type(&[2])
            .help("跳转链接的小程序的 pagepath, type 是 2 时选填"),
        title: String = text("Text").label_key("jump_title").required().recommend_chars(13)
            .help("跳转链接样式的文案内容, 建议不超过 13 个字"),
    }
}

wecom_object! {
    /// `card_action`: what a click on the whole card opens (required).
    pub struct CardAction {
        r#type: Option<i64> = choice("On click", CLICK_URL_APP).label_key("card_action_type").required()
            .help("卡片跳转类型, 1 跳转 url, 2 打开小程序"),
        url: Option<String> = url("URL").when_type(&[1]).required()
            .help("跳转事件的 url, type 是 1 时必填"),
        appid: Option<String> = text("Mini-program appid").when_type(&[2]).required()
            .help("跳转事件的小程序的 appid, type 是 2 时必填"),
        pagepath: Option<String> = text("Mini-program page").when_type(&[2])
            .help("跳转事件的小程序的 pagepath, type 是 2 时选填"),
    }
}

wecom_object! {
    /// `card_image`: the big picture of a news_notice card.
    pub struct CardImage {
        url: String = url("Image URL").required().help("图片的 url"),
        aspect_ratio: Option<f64> = float("Aspect ratio", limits::ASPECT_RATIO_MIN, limits::ASPECT_RATIO_MAX)
            .help("图片的宽高比, 在 1.3 与 2.25 之间, 不填默认 1.3"),
    }
}

wecom_object! {
    /// `image_text_area`: a picture on the left, text on the right.
    pub struct ImageTextArea {
        r#type: Option<i64> = choice("On click", CLICK_NONE_URL_APP)
            .help("0 或不填代表没有点击事件, 1 跳转 url, 2 跳转小程序"),
        url: Option<String> = url("URL").when_type(&[1]).required()
            .help("点击跳转的 url, type 是 1 时必填"),
        appid: Option<String> = text("Mini-program appid").when_type(&[2]).required()
            .help("点击跳转的小程序的 appid, type 是 2 时必填"),
        pagepath: Option<String> = text("Mini-program page").when_type(&[2])
            .help("点击跳转的小程序的 pagepath, type 是 2 时选填"),
        title: Option<String> = text("Title").help("左图右文样式的标题"),
        desc: Option<String> = text("Description").help("左图右文样式的描述"),
        image_url: String = url("Image URL").required().help("左图右文样式的图片 url"),
    }
}

wecom_object! {
    /// One entry of `vertical_content_list` (news_notice).
    pub struct VerticalContent {
        title: String = text("Title").label_key("vertical_title").required().recommend_chars(26)
            .help("卡片二级标题, 建议不超过 26 个字"),
        desc: Option<String> = multiline("Text").label_key("vertical_desc").recommend_chars(112)
            .help("二级普通文本, 建议不超过 112 个字"),
    }
}

// ---------------------------------------------------------------- cards

wecom_object! {
    /// `template_card` with `card_type` `text_notice`.
    pub struct TextNoticeCard {
        source: Option<Source> = object::<Source>("Source").help("卡片来源样式信息"),
        main_title: Option<MainTitle> = object::<MainTitle>("Main title")
            .help("一级标题和标题辅助信息; title 与 sub_title_text 必须有一项填写"),
        emphasis_content: Option<EmphasisContent> = object::<EmphasisContent>("Key figure")
            .help("关键数据样式"),
        quote_area: Option<QuoteArea> = object::<QuoteArea>("Quote").label_key("quote_area").help("引用文献样式, 建议不与关键数据共用"),
        sub_title_text: Option<String> = multiline("Body text").recommend_chars(112)
            .help("二级普通文本, 建议不超过 112 个字"),
        horizontal_content_list: Option<Vec<HorizontalContent>> =
            list::<HorizontalContent>("Key/value rows", 0, limits::HORIZONTAL_MAX)
            .help("二级标题 + 文本列表, 列表长度不超过 6"),
        jump_list: Option<Vec<Jump>> = list::<Jump>("Links", 0, limits::JUMP_MAX)
            .help("跳转指引样式的列表, 列表长度不超过 3"),
        card_action: Option<CardAction> = object::<CardAction>("Card click").required()
            .help("整体卡片的点击跳转事件, 必填"),
    }
}

wecom_object! {
    /// `template_card` with `card_type` `news_notice`.
    pub struct NewsNoticeCard {
        source: Option<Source> = object::<Source>("Source").help("卡片来源样式信息"),
        main_title: Option<MainTitle> = object::<MainTitle>("Main title").required()
            .help("一级标题 (必填) 和标题辅助信息"),
        card_image: Option<CardImage> = object::<CardImage>("Card image").required()
            .help("图片样式"),
        image_text_area: Option<ImageTextArea> = object::<ImageTextArea>("Image and text")
            .help("左图右文样式"),
        quote_area: Option<QuoteArea> = object::<QuoteArea>("Quote").label_key("quote_area").help("引用文献样式"),
        vertical_content_list: Option<Vec<VerticalContent>> =
            list::<VerticalContent>("Vertical rows", 0, limits::VERTICAL_MAX)
            .help("卡片二级垂直内容, 列表长度不超过 4"),
        horizontal_content_list: Option<Vec<HorizontalContent>> =
            list::<HorizontalContent>("Key/value rows", 0, limits::HORIZONTAL_MAX)
            .help("二级标题 + 文本列表, 列表长度不超过 6"),
        jump_list: Option<Vec<Jump>> = list::<Jump>("Links", 0, limits::JUMP_MAX)
            .help("跳转指引样式的列表, 列表长度不超过 3"),
        card_action: Option<CardAction> = object::<CardAction>("Card click").required()
            .help("整体卡片的点击跳转事件, 必填"),
    }
}

/// `template_card`: one of the two documented card types, tagged by `card_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "card_type", rename_all = "snake_case")]
pub enum TemplateCard {
    TextNotice(TextNoticeCard),
    NewsNotice(NewsNoticeCard),
}

// ---------------------------------------------------------------- message

/// The nine kinds of message a user can compose (the two cards count apart,
/// since their forms and rules differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Markdown,
    MarkdownV2,
    Image,
    News,
    File,
    Voice,
    TextNotice,
    NewsNotice,
}

impl MessageKind {
    /// Every kind, in the order the composer lists them.
    pub const ALL: [MessageKind; 9] = [
        MessageKind::Text,
        MessageKind::Markdown,
        MessageKind::MarkdownV2,
        MessageKind::Image,
        MessageKind::News,
        MessageKind::File,
        MessageKind::Voice,
        MessageKind::TextNotice,
        MessageKind::NewsNotice,
    ];

    /// The `msgtype` value on the wire.
    pub fn msgtype(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Markdown => "markdown",
            MessageKind::MarkdownV2 => "markdown_v2",
            MessageKind::Image => "image",
            MessageKind::News => "news",
            MessageKind::File => "file",
            MessageKind::Voice => "voice",
            MessageKind::TextNotice | MessageKind::NewsNotice => "template_card",
        }
    }

    /// The `card_type` for the two cards.
    pub fn card_type(self) -> Option<&'static str> {
        match self {
            MessageKind::TextNotice => Some("text_notice"),
            MessageKind::NewsNotice => Some("news_notice"),
            _ => None,
        }
    }

    /// How the composer names the kind to the user, in the current
    /// language (the names WeCom's documents use).
    pub fn shown(self) -> std::borrow::Cow<'static, str> {
        crate::i18n::text_or(&format!("kind.{self:?}"), self.label())
    }

    /// How the composer names the kind.
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Markdown => "markdown",
            MessageKind::MarkdownV2 => "markdown_v2",
            MessageKind::Image => "image",
            MessageKind::News => "news",
            MessageKind::File => "file",
            MessageKind::Voice => "voice",
            MessageKind::TextNotice => "card: text_notice",
            MessageKind::NewsNotice => "card: news_notice",
        }
    }

    /// The fields of the body object (for cards: of `template_card`, less
    /// `card_type`).
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            MessageKind::Text => Text::FIELDS,
            MessageKind::Markdown | MessageKind::MarkdownV2 => Markdown::FIELDS,
            MessageKind::Image => Image::FIELDS,
            MessageKind::News => News::FIELDS,
            MessageKind::File | MessageKind::Voice => Media::FIELDS,
            MessageKind::TextNotice => TextNoticeCard::FIELDS,
            MessageKind::NewsNotice => NewsNoticeCard::FIELDS,
        }
    }

    /// The byte limit of the main content, for the kinds that have one.
    pub fn content_limit(self) -> Option<usize> {
        match self {
            MessageKind::Text => Some(limits::TEXT_MAX_BYTES),
            MessageKind::Markdown | MessageKind::MarkdownV2 => Some(limits::MARKDOWN_MAX_BYTES),
            _ => None,
        }
    }

    /// Finds a kind by its `msgtype` (and `card_type` for template cards).
    pub fn from_wire(msgtype: &str, card_type: Option<&str>) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| {
            k.msgtype() == msgtype && (k.card_type().is_none() || k.card_type() == card_type)
        })
    }
}

/// A message ready to send: one of the documented types. Cards are larger
/// than the rest; messages are not kept in bulk, so they are not boxed (which
/// would make every match on a card clumsier).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Text(Text),
    Markdown(Markdown),
    MarkdownV2(Markdown),
    Image(Image),
    News(News),
    File(Media),
    Voice(Media),
    TemplateCard(TemplateCard),
}

/// Why a JSON document is not a message. Said in the user's language; the
/// sandbox and the relay, whose answers the seeds define, read it in
/// English (`i18n::in_language`).
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    Json(String),
    NotAnObject,
    MissingMsgtype,
    UnknownMsgtype(String),
    MissingBody(String),
    Field { path: String, message: String },
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = known_msgtypes();
        let text = match self {
            ParseError::Json(e) => crate::tr!("parse.json", error = json_words::translate(e)),
            ParseError::NotAnObject => crate::tr!("parse.not_an_object"),
            ParseError::MissingMsgtype => crate::tr!("parse.missing_msgtype", known = known),
            ParseError::UnknownMsgtype(t) => {
                crate::tr!("parse.unknown_msgtype", msgtype = t, known = known)
            }
            ParseError::MissingBody(t) => crate::tr!("parse.missing_body", msgtype = t),
            ParseError::Field { path, message } => crate::tr!(
                "parse.field",
                path = path,
                message = json_words::translate(message)
            ),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for ParseError {}

fn known_msgtypes() -> &'static str {
    "text, markdown, markdown_v2, image, news, file, voice, template_card"
}

impl Message {
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Text(_) => MessageKind::Text,
            Message::Markdown(_) => MessageKind::Markdown,
            Message::MarkdownV2(_) => MessageKind::MarkdownV2,
            Message::Image(_) => MessageKind::Image,
            Message::News(_) => MessageKind::News,
            Message::File(_) => MessageKind::File,
            Message::Voice(_) => MessageKind::Voice,
            Message::TemplateCard(TemplateCard::TextNotice(_)) => MessageKind::TextNotice,
            Message::TemplateCard(TemplateCard::NewsNotice(_)) => MessageKind::NewsNotice,
        }
    }

    /// The content of a text, markdown or markdown_v2 message.
    pub fn content(&self) -> Option<&str> {
        match self {
            Message::Text(t) => Some(&t.content),
            Message::Markdown(m) | Message::MarkdownV2(m) => Some(&m.content),
            _ => None,
        }
    }

    /// A `text` message with just content.
    pub fn text(content: impl Into<String>) -> Message {
        Message::Text(Text {
            content: content.into(),
            ..Text::default()
        })
    }

    /// A `markdown` message.
    pub fn markdown(content: impl Into<String>) -> Message {
        Message::Markdown(Markdown {
            content: content.into(),
            ..Markdown::default()
        })
    }

    /// A `markdown_v2` message.
    pub fn markdown_v2(content: impl Into<String>) -> Message {
        Message::MarkdownV2(Markdown {
            content: content.into(),
            ..Markdown::default()
        })
    }

    /// The JSON document to POST, as a value (keys in documented order).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The JSON body to POST.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The body pretty-printed, for previews.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses a JSON document, naming the field path of any mistake. Fields
    /// WeCom does not document are dropped (see [`Message::parse`]).
    pub fn from_json_str(json: &str) -> Result<Message, ParseError> {
        Message::parse_json_str(json).map(|parsed| parsed.message)
    }

    /// Interprets a JSON value as a message, dropping fields WeCom does not
    /// document (see [`Message::parse`]).
    pub fn from_value(value: Value) -> Result<Message, ParseError> {
        Message::parse(value).map(|parsed| parsed.message)
    }

    /// [`Message::parse`] of a JSON document.
    pub fn parse_json_str(json: &str) -> Result<Parsed, ParseError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| ParseError::Json(e.to_string()))?;
        Message::parse(value)
    }

    /// Interprets a JSON value as a message, and lists the fields WeCom does
    /// not document. Those are accepted, not refused: the documents do not
    /// say WeCom refuses them, and clients in the wild send some (`chatid`,
    /// `visible_to_user`, `safe`, a second body beside the right one,
    /// `task_id` in a card). Validation turns the list into warnings
    /// ([`crate::wecom::validate::validate_parsed`]).
    pub fn parse(value: Value) -> Result<Parsed, ParseError> {
        let Value::Object(mut map) = value else {
            return Err(ParseError::NotAnObject);
        };
        let msgtype = match map.remove("msgtype") {
            Some(Value::String(s)) => s,
            Some(_) | None => return Err(ParseError::MissingMsgtype),
        };
        let card_type = map
            .get(&msgtype)
            .and_then(|b| b.get("card_type"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if msgtype != "template_card"
            && MessageKind::from_wire(&msgtype, card_type.as_deref()).is_none()
        {
            return Err(ParseError::UnknownMsgtype(msgtype));
        }
        let mut body = map
            .remove(&msgtype)
            .ok_or_else(|| ParseError::MissingBody(msgtype.clone()))?;
        // What is left beside msgtype and the body is not WeCom's.
        let mut ignored: Vec<String> = map.keys().cloned().collect();
        if let Some(kind) = MessageKind::from_wire(&msgtype, card_type.as_deref())
            && let Value::Object(fields) = &mut body
        {
            // card_type is read apart from the card's fields.
            let card_type = fields.remove("card_type");
            drop_undocumented(kind.fields(), fields, &msgtype, &mut ignored);
            if let Some(card_type) = card_type {
                fields.insert("card_type".to_owned(), card_type);
            }
        }
        let message = match msgtype.as_str() {
            "text" => Message::Text(body_from(&msgtype, body)?),
            "markdown" => Message::Markdown(body_from(&msgtype, body)?),
            "markdown_v2" => Message::MarkdownV2(body_from(&msgtype, body)?),
            "image" => Message::Image(body_from(&msgtype, body)?),
            "news" => Message::News(body_from(&msgtype, body)?),
            "file" => Message::File(body_from(&msgtype, body)?),
            "voice" => Message::Voice(body_from(&msgtype, body)?),
            _ => Message::TemplateCard(card_from(body)?),
        };
        Ok(Parsed { message, ignored })
    }
}

/// A message read from JSON, with the fields in it that WeCom does not
/// document (and that were therefore left out of `message`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub message: Message,
    /// Paths of the undocumented fields, in document order: `chatid`,
    /// `text.foo`, `template_card.task_id`, `news.articles[0].extra`.
    pub ignored: Vec<String>,
}

/// Removes from `obj` (at `path`) every key its field table does not list,
/// noting each path in `ignored`, and goes down into nested objects and
/// lists. A value of the wrong JSON type is left for the parser to name.
fn drop_undocumented(
    fields: &'static [FieldSpec],
    obj: &mut serde_json::Map<String, Value>,
    path: &str,
    ignored: &mut Vec<String>,
) {
    obj.retain(|key, value| {
        let here = format!("{path}.{key}");
        let Some(spec) = fields.iter().find(|f| f.key == key) else {
            ignored.push(here);
            return false;
        };
        match (spec.kind, value) {
            (FieldKind::Object(children), Value::Object(child)) => {
                drop_undocumented(children, child, &here, ignored);
            }
            (FieldKind::List { items, .. }, Value::Array(list)) => {
                for (i, item) in list.iter_mut().enumerate() {
                    if let Value::Object(child) = item {
                        drop_undocumented(items, child, &format!("{here}[{i}]"), ignored);
                    }
                }
            }
            _ => {}
        }
        true
    });
}

fn body_from<T: serde::de::DeserializeOwned>(msgtype: &str, body: Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            msgtype.to_owned()
        } else {
            format!("{msgtype}.{inner}")
        };
        ParseError::Field {
            path,
            message: e.into_inner().to_string(),
        }
    })
}

fn card_from(body: Value) -> Result<TemplateCard, ParseError> {
    let mut body = match body {
        Value::Object(map) => map,
        _ => {
            return Err(ParseError::Field {
                path: "template_card".into(),
                message: crate::tr!("parse.must_be_object").into_owned(),
            });
        }
    };
    let card_type = body.remove("card_type");
    let rest = Value::Object(body);
    match card_type.as_ref().and_then(Value::as_str) {
        Some("text_notice") => Ok(TemplateCard::TextNotice(body_from("template_card", rest)?)),
        Some("news_notice") => Ok(TemplateCard::NewsNotice(body_from("template_card", rest)?)),
        Some(other) => Err(ParseError::Field {
            path: "template_card.card_type".into(),
            message: crate::tr!("parse.unknown_card_type", card_type = other).into_owned(),
        }),
        None => Err(ParseError::Field {
            path: "template_card.card_type".into(),
            message: crate::tr!("parse.missing_card_type").into_owned(),
        }),
    }
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let msgtype = self.kind().msgtype();
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("msgtype", msgtype)?;
        match self {
            Message::Text(b) => map.serialize_entry(msgtype, b)?,
            Message::Markdown(b) | Message::MarkdownV2(b) => map.serialize_entry(msgtype, b)?,
            Message::Image(b) => map.serialize_entry(msgtype, b)?,
            Message::News(b) => map.serialize_entry(msgtype, b)?,
            Message::File(b) | Message::Voice(b) => map.serialize_entry(msgtype, b)?,
            Message::TemplateCard(b) => map.serialize_entry(msgtype, b)?,
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Message::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// Seed 000's title convention, shared by the notify relay and `wecom send
/// --title`: one description of "a titled markdown message".
impl Message {
    /// The content with the title, when given and not blank, as a bold first
    /// line (seed 000: "作为消息的第一行显示, 并会加粗处理").
    pub fn titled_content(title: Option<&str>, content: &str) -> String {
        match title.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => format!("**{t}**\n{content}"),
            None => content.to_owned(),
        }
    }

    /// A markdown message with the title as a bold first line.
    pub fn titled_markdown(title: Option<&str>, content: &str) -> Message {
        Message::markdown(Message::titled_content(title, content))
    }
}

#[cfg(test)]
mod titled_tests {
    use super::*;

    #[test]
    fn the_title_is_a_bold_first_line() {
        assert_eq!(
            Message::titled_content(Some("服务器告警"), "CPU 95%"),
            "**服务器告警**\nCPU 95%"
        );
        assert_eq!(Message::titled_content(None, "CPU 95%"), "CPU 95%");
        assert_eq!(Message::titled_content(Some("  "), "CPU 95%"), "CPU 95%");
        assert_eq!(
            Message::titled_markdown(Some("t"), "c"),
            Message::markdown("**t**\nc")
        );
    }
}
