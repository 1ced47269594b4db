//! Local validation: every documented rule, checked before anything is sent.
//!
//! The field rules come from the schema tables in `message.rs`; the few rules
//! that span fields (a card's title-or-subtitle, an image's md5) are written
//! out at the end. All problems are returned at once, each with the field
//! path, a severity and a sentence saying how to fix it.

use serde_json::{Map, Value};

use super::limits::{self, count};
use super::media;
use super::message::{Message, MessageKind, Parsed, TemplateCard};

/// Kept here for the front ends that read byte counts from validation; the
/// helper lives in [`limits`], which `media` can use without importing this
/// module back.
pub use super::limits::group_digits;
/// The problem types live in [`super::problem`], which `media` uses without
/// importing this module back; re-exported so `validate::Problem` still names
/// them.
pub use super::problem::{Problem, Rule, Severity, has_errors};
use super::schema::{FieldKind, FieldSpec, Limit};
use crate::untrusted::one_line;

/// Checks a message against every documented rule; errors first, in field order.
pub fn validate(message: &Message) -> Vec<Problem> {
    let kind = message.kind();
    let value = message.to_value();
    let msgtype = kind.msgtype();
    let empty = Map::new();
    let body = value
        .get(msgtype)
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut problems = Vec::new();
    check_object(kind.fields(), body, msgtype, &mut problems);
    check_kind(message, &mut problems);
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    problems
}

/// [`validate`], plus a warning for each field WeCom does not document
/// (which the parser dropped): what `wecom validate`, the composer's JSON
/// check and the sandbox's log all say about them.
pub fn validate_parsed(parsed: &Parsed) -> Vec<Problem> {
    let mut problems = validate(&parsed.message);
    problems.extend(parsed.ignored.iter().map(|path| undocumented(path)));
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    problems
}

/// The warning for one undocumented field.
fn undocumented(path: &str) -> Problem {
    // The names come from the document: shown escaped.
    let shown = one_line(path);
    let field = shown.rsplit('.').next().unwrap_or(&shown);
    Problem::warning(
        shown.as_ref(),
        Rule::Undocumented,
        format!("WeCom does not document `{field}`; it will most likely be ignored."),
        format!("Remove `{shown}`, or check the spelling if you meant a documented field."),
    )
}

fn join(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn is_absent(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

fn choices_text(spec: &FieldSpec) -> String {
    match spec.kind {
        FieldKind::Choice(choices) => {
            let parts: Vec<String> = choices
                .iter()
                .map(|c| format!("{} ({})", c.value, c.label))
                .collect();
            parts.join(", ")
        }
        _ => String::new(),
    }
}

/// "when type is 1 (open URL)", from the sibling `type` field's choices.
fn when_text(fields: &[FieldSpec], types: &[i64]) -> String {
    let type_spec = fields.iter().find(|f| f.key == "type");
    let names: Vec<String> = types
        .iter()
        .map(|t| match type_spec.and_then(|s| s.choice_label(*t)) {
            Some(label) => format!("{t} ({label})"),
            None => t.to_string(),
        })
        .collect();
    format!("when type is {}", names.join(" or "))
}

fn check_object(
    fields: &'static [FieldSpec],
    obj: &Map<String, Value>,
    path: &str,
    out: &mut Vec<Problem>,
) {
    let sibling_type = obj.get("type").and_then(Value::as_i64).unwrap_or(0);
    for spec in fields {
        if !spec.applies(sibling_type) {
            continue;
        }
        let p = join(path, spec.key);
        let value = obj.get(spec.key);
        if is_absent(value) {
            if spec.required {
                let (message, fix) = match spec.when_type {
                    Some(types) => (
                        format!("{} is required {}.", spec.label, when_text(fields, types)),
                        format!("Fill in {} or change type.", spec.key),
                    ),
                    None => (format!("{} is required.", spec.label), required_fix(spec)),
                };
                out.push(Problem::error(p, Rule::Required, message, fix));
            }
            continue;
        }
        let Some(value) = value else { continue };
        check_value(spec, value, &p, out);
    }
}

fn required_fix(spec: &FieldSpec) -> String {
    match spec.kind {
        FieldKind::Choice(_) => format!("Set {} to one of {}.", spec.key, choices_text(spec)),
        FieldKind::Object(_) => format!("Add the {} object.", spec.key),
        FieldKind::List { min, .. } => format!(
            "Add at least {} to {}.",
            count(min, "item", "items"),
            spec.key
        ),
        _ => format!("Fill in {}.", spec.key),
    }
}

fn check_value(spec: &FieldSpec, value: &Value, path: &str, out: &mut Vec<Problem>) {
    match spec.kind {
        FieldKind::Text | FieldKind::MultiLine | FieldKind::Url | FieldKind::MediaId => {
            let Some(s) = value.as_str() else {
                out.push(wrong_type(path, "a string"));
                return;
            };
            check_limit(spec, s, path, out);
            if spec.kind == FieldKind::Url {
                check_url(s, path, out);
            }
        }
        FieldKind::Choice(choices) => match value.as_i64() {
            Some(n) if choices.iter().any(|c| c.value == n) => {}
            Some(n) => out.push(Problem::error(
                path,
                Rule::NotAChoice,
                format!("{} is {n}, which is not a documented value.", spec.label),
                format!("Use {}.", choices_text(spec)),
            )),
            None => out.push(wrong_type(path, "an integer")),
        },
        FieldKind::Float { min, max } => match value.as_f64() {
            Some(x) if (min..=max).contains(&x) => {}
            Some(x) => out.push(Problem::error(
                path,
                Rule::OutOfRange,
                format!("{} is {x}, outside {min}–{max}.", spec.label),
                format!("Use a value from {min} to {max}, or leave it out for the default {min}."),
            )),
            None => out.push(wrong_type(path, "a number")),
        },
        FieldKind::StringList => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.as_str().is_none_or(str::is_empty) {
                        out.push(Problem::error(
                            format!("{path}[{i}]"),
                            Rule::WrongType,
                            "An entry is empty or not a string.".to_owned(),
                            "Remove it or write the id as text.".to_owned(),
                        ));
                    }
                }
            }
            None => out.push(wrong_type(path, "a list of strings")),
        },
        FieldKind::Object(children) => match value.as_object() {
            Some(obj) => check_object(children, obj, path, out),
            None => out.push(wrong_type(path, "an object")),
        },
        FieldKind::List { items, min, max } => {
            let Some(array) = value.as_array() else {
                out.push(wrong_type(path, "a list"));
                return;
            };
            if array.len() < min {
                out.push(Problem::error(
                    path,
                    Rule::TooFewItems,
                    format!(
                        "{} has {}; {} required.",
                        spec.label,
                        count(array.len(), "item", "items"),
                        at_least(min, "item is", "items are"),
                    ),
                    format!("Add {} more.", min - array.len()),
                ));
            }
            if array.len() > max {
                out.push(Problem::error(
                    path,
                    Rule::TooManyItems,
                    format!(
                        "{} has {} items; WeCom allows at most {max}.",
                        spec.label,
                        array.len()
                    ),
                    format!("Remove {}.", array.len() - max),
                ));
            }
            for (i, item) in array.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                match item.as_object() {
                    Some(obj) => check_object(items, obj, &item_path, out),
                    None => out.push(wrong_type(&item_path, "an object")),
                }
            }
        }
    }
}

/// "at least 1 item is" / "at least 2 items are".
fn at_least(n: usize, one: &str, many: &str) -> String {
    format!("at least {}", count(n, one, many))
}

fn wrong_type(path: &str, expected: &str) -> Problem {
    Problem::error(
        path,
        Rule::WrongType,
        format!("This must be {expected}."),
        format!("Write {expected} here."),
    )
}

fn check_limit(spec: &FieldSpec, s: &str, path: &str, out: &mut Vec<Problem>) {
    match spec.limit {
        Some(Limit::MaxBytes(max)) if s.len() > max => out.push(Problem::error(
            path,
            Rule::TooManyBytes,
            format!(
                "{} is {} bytes (UTF-8); WeCom accepts at most {}.",
                spec.label,
                group_digits(s.len()),
                group_digits(max)
            ),
            format!(
                "Shorten it by {} (a Chinese character takes 3).",
                count(s.len() - max, "byte", "bytes")
            ),
        )),
        Some(Limit::TruncatedAfterBytes(max)) if s.len() > max => out.push(Problem::warning(
            path,
            Rule::Truncated,
            format!(
                "{} is {} bytes; WeCom keeps the first {} and cuts the rest.",
                spec.label,
                group_digits(s.len()),
                group_digits(max)
            ),
            format!(
                "Shorten it by {} to show it whole.",
                count(s.len() - max, "byte", "bytes")
            ),
        )),
        Some(Limit::RecommendedChars(max)) => {
            let n = s.chars().count();
            if n > max {
                out.push(Problem::warning(
                    path,
                    Rule::LongerThanRecommended,
                    format!(
                        "{} is {n} characters; the documents recommend at most {max} (建议不超过 {max} 个字).",
                        spec.label
                    ),
                    "Shorten it, or the client may cut it off.".to_owned(),
                ));
            }
        }
        _ => {}
    }
}

fn check_url(s: &str, path: &str, out: &mut Vec<Problem>) {
    let t = s.trim();
    if t.chars().any(char::is_whitespace) {
        out.push(Problem::warning(
            path,
            Rule::SuspiciousUrl,
            "This link contains spaces.".to_owned(),
            "Remove the spaces or encode them as %20.".to_owned(),
        ));
    } else if !(t.starts_with("https://") || t.starts_with("http://")) {
        out.push(Problem::warning(
            path,
            Rule::SuspiciousUrl,
            format!(
                "This link has no http:// or https:// (\"{}\").",
                truncate_chars(t, 40)
            ),
            "Write the full address, e.g. https://example.com/page.".to_owned(),
        ));
    }
}

fn truncate_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

// ---------------------------------------------------------------- rules across fields

fn check_kind(message: &Message, out: &mut Vec<Problem>) {
    match message {
        Message::Text(t) => {
            check_mentions(
                t.mentioned_list.as_deref(),
                "text.mentioned_list",
                false,
                out,
            );
            check_mentions(
                t.mentioned_mobile_list.as_deref(),
                "text.mentioned_mobile_list",
                true,
                out,
            );
            if !t.content.is_empty() && t.content.trim().is_empty() {
                out.push(Problem::warning(
                    "text.content",
                    Rule::Required,
                    "Content is only spaces and line breaks.".to_owned(),
                    "Write the message text.".to_owned(),
                ));
            }
        }
        Message::Markdown(m) | Message::MarkdownV2(m) => {
            let msgtype = message.kind().msgtype();
            for (key, list) in [
                ("mentioned_list", &m.mentioned_list),
                ("mentioned_mobile_list", &m.mentioned_mobile_list),
            ] {
                if list.is_some() {
                    let fix = if message.kind() == MessageKind::Markdown {
                        "Remove it and write <@userid> in the content instead."
                    } else {
                        "Remove it: markdown_v2 cannot mention anyone; use text or markdown to mention."
                    };
                    out.push(Problem::warning(
                        format!("{msgtype}.{key}"),
                        Rule::Ignored,
                        format!("{key} is ignored for {msgtype} messages."),
                        fix.to_owned(),
                    ));
                }
            }
        }
        Message::Image(img) => out.extend(media::check_image_fields(&img.base64, &img.md5)),
        Message::TemplateCard(TemplateCard::TextNotice(card)) => {
            let has_title = card
                .main_title
                .as_ref()
                .and_then(|m| m.title.as_deref())
                .is_some_and(|t| !t.is_empty());
            let has_sub = card
                .sub_title_text
                .as_deref()
                .is_some_and(|t| !t.is_empty());
            if !has_title && !has_sub {
                out.push(Problem::error(
                    "template_card.main_title.title",
                    Rule::Required,
                    "A text_notice card needs main_title.title or sub_title_text.".to_owned(),
                    "Fill in the main title, the body text, or both.".to_owned(),
                ));
            } else if card.main_title.is_none() {
                // Seed 004's field table and its own text (and seed 001)
                // disagree; clients send such cards, so warn, not refuse.
                out.push(Problem::warning(
                    "template_card.main_title",
                    Rule::Advice,
                    "The card has no main_title. The field table of the documents marks it required \
                     (main_title | Object | 是 | 模版卡片的主要内容,包括一级标题和标题辅助信息), while their text asks only that \
                     一级标题 main_title.title 和二级普通文本 sub_title_text 必须有一项填写."
                        .to_owned(),
                    "Add a main_title with a title to be safe, or keep only sub_title_text if WeCom takes it from you."
                        .to_owned(),
                ));
            }
            if card.emphasis_content.is_some() && card.quote_area.is_some() {
                out.push(Problem::warning(
                    "template_card.quote_area",
                    Rule::Advice,
                    "The documents advise against a quote area beside a key figure (建议不与关键数据共用).".to_owned(),
                    "Keep either quote_area or emphasis_content.".to_owned(),
                ));
            }
            check_attachment_names(card.horizontal_content_list.as_deref(), out);
        }
        Message::TemplateCard(TemplateCard::NewsNotice(card)) => {
            if let Some(main) = &card.main_title
                && main.title.as_deref().is_none_or(str::is_empty)
            {
                out.push(Problem::error(
                    "template_card.main_title.title",
                    Rule::Required,
                    "A news_notice card needs main_title.title.".to_owned(),
                    "Fill in the main title.".to_owned(),
                ));
            }
            check_aspect_ratio_ends(card.card_image.as_ref(), out);
            check_attachment_names(card.horizontal_content_list.as_deref(), out);
        }
        Message::News(_) | Message::File(_) | Message::Voice(_) => {}
    }
}

/// Mentions: user ids have no spaces; phone numbers are digits (a leading `+`
/// allowed); `@all` is allowed in both lists.
fn check_mentions(list: Option<&[String]>, path: &str, phones: bool, out: &mut Vec<Problem>) {
    for (i, item) in list.unwrap_or_default().iter().enumerate() {
        let item = item.as_str();
        if item == "@all" || item.is_empty() {
            continue;
        }
        let ok = if phones {
            let digits = item.strip_prefix('+').unwrap_or(item);
            (5..=20).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
        } else {
            !item.chars().any(char::is_whitespace) && item != "all" && !item.starts_with('@')
        };
        if !ok {
            let (message, fix) = if phones {
                (
                    format!("\"{item}\" is not a phone number."),
                    "Write the member's mobile number in digits, or @all.",
                )
            } else {
                (
                    format!("\"{item}\" does not look like a userid."),
                    "Write the member's userid without spaces or a leading @, or @all for everyone.",
                )
            };
            out.push(Problem::warning(
                format!("{path}[{i}]"),
                Rule::BadMention,
                message,
                fix.to_owned(),
            ));
        }
    }
}

/// `horizontal_content_list[].value` of a file entry is the file name shown.
fn check_attachment_names(
    list: Option<&[super::message::HorizontalContent]>,
    out: &mut Vec<Problem>,
) {
    for (i, item) in list.unwrap_or_default().iter().enumerate() {
        if item.r#type == Some(2)
            && let Some(value) = &item.value
            && !value.contains('.')
        {
            out.push(Problem::warning(
                format!("template_card.horizontal_content_list[{i}].value"),
                Rule::Advice,
                "For a file entry, value is the file name shown, and should include its type."
                    .to_owned(),
                "Add the extension, e.g. report.pdf.".to_owned(),
            ));
        }
    }
}

/// `card_image.aspect_ratio` at exactly 1.3 or 2.25. The page says the ratio
/// must be greater than 1.3 and less than 2.25, yet makes 1.3 the default
/// and uses 2.25 in its own example: both ends are accepted (outside them is
/// an error, from the schema), with the page's words quoted so the user can
/// decide.
fn check_aspect_ratio_ends(image: Option<&super::message::CardImage>, out: &mut Vec<Problem>) {
    let Some(ratio) = image.and_then(|i| i.aspect_ratio) else {
        return;
    };
    let (end, inside) = if ratio == limits::ASPECT_RATIO_MIN {
        ("the page's default", "1.31")
    } else if ratio == limits::ASPECT_RATIO_MAX {
        ("the value in the page's own example", "2.24")
    } else {
        return;
    };
    out.push(Problem::warning(
        "template_card.card_image.aspect_ratio",
        Rule::OutOfRange,
        format!(
            "Aspect ratio is exactly {ratio}: {end}, yet the page says \"{}\" (less than 2.25, greater than 1.3).",
            limits::ASPECT_RATIO_PAGE
        ),
        format!("WeCom is expected to take it; to keep strictly to the page's words, use {inside}."),
    ));
}
