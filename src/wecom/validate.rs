//! Local validation: every documented rule, checked before anything is sent.
//!
//! The field rules come from the schema tables in `message.rs`; the few rules
//! that span fields (a card's title-or-subtitle, an image's md5) are written
//! out at the end. All problems are returned at once, each with the field
//! path, a severity and a sentence saying how to fix it.

use serde_json::{Map, Value};

use super::limits;
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
use crate::tr;
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
        tr!("check.undocumented", field = field),
        tr!("check.undocumented_fix", path = shown),
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
                .map(|c| {
                    let label = spec.shown_choice_label(c.value).unwrap_or_default();
                    tr!("check.choice", value = c.value, label = label).into_owned()
                })
                .collect();
            parts.join(&tr!("check.list_separator"))
        }
        _ => String::new(),
    }
}

/// "when type is 1 (open URL)", from the sibling `type` field's choices.
fn when_text(fields: &[FieldSpec], types: &[i64]) -> String {
    let type_spec = fields.iter().find(|f| f.key == "type");
    let names: Vec<String> = types
        .iter()
        .map(|t| match type_spec.and_then(|s| s.shown_choice_label(*t)) {
            Some(label) => tr!("check.choice", value = t, label = label).into_owned(),
            None => t.to_string(),
        })
        .collect();
    tr!("check.when_type", types = names.join(&tr!("check.or"))).into_owned()
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
                        tr!(
                            "check.required_when",
                            label = spec.shown_label(),
                            when = when_text(fields, types)
                        ),
                        tr!("check.required_when_fix", key = spec.key),
                    ),
                    None => (
                        tr!("check.required", label = spec.shown_label()),
                        required_fix(spec).into(),
                    ),
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
        FieldKind::Choice(_) => tr!(
            "check.set_choice",
            key = spec.key,
            choices = choices_text(spec)
        )
        .into_owned(),
        FieldKind::Object(_) => tr!("check.add_object", key = spec.key).into_owned(),
        FieldKind::List { min, .. } => tr!(
            &one_or_many("check.add_items", min),
            n = group_digits(min),
            key = spec.key
        )
        .into_owned(),
        _ => tr!("check.fill_in", key = spec.key).into_owned(),
    }
}

fn check_value(spec: &FieldSpec, value: &Value, path: &str, out: &mut Vec<Problem>) {
    match spec.kind {
        FieldKind::Text | FieldKind::MultiLine | FieldKind::Url | FieldKind::MediaId => {
            let Some(s) = value.as_str() else {
                out.push(wrong_type(path, "string"));
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
                tr!("check.not_a_choice", label = spec.shown_label(), n = n),
                tr!("check.not_a_choice_fix", choices = choices_text(spec)),
            )),
            None => out.push(wrong_type(path, "integer")),
        },
        FieldKind::Float { min, max } => match value.as_f64() {
            Some(x) if (min..=max).contains(&x) => {}
            Some(x) => out.push(Problem::error(
                path,
                Rule::OutOfRange,
                tr!(
                    "check.out_of_range",
                    label = spec.shown_label(),
                    x = x,
                    min = min,
                    max = max
                ),
                tr!("check.out_of_range_fix", min = min, max = max),
            )),
            None => out.push(wrong_type(path, "number")),
        },
        FieldKind::StringList => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.as_str().is_none_or(str::is_empty) {
                        out.push(Problem::error(
                            format!("{path}[{i}]"),
                            Rule::WrongType,
                            tr!("check.empty_entry"),
                            tr!("check.empty_entry_fix"),
                        ));
                    }
                }
            }
            None => out.push(wrong_type(path, "string_list")),
        },
        FieldKind::Object(children) => match value.as_object() {
            Some(obj) => check_object(children, obj, path, out),
            None => out.push(wrong_type(path, "object")),
        },
        FieldKind::List { items, min, max } => {
            let Some(array) = value.as_array() else {
                out.push(wrong_type(path, "list"));
                return;
            };
            if array.len() < min {
                out.push(Problem::error(
                    path,
                    Rule::TooFewItems,
                    tr!(
                        &format!(
                            "check.too_few_{}_{}",
                            one_or_many_suffix(array.len()),
                            one_or_many_suffix(min)
                        ),
                        label = spec.shown_label(),
                        n = group_digits(array.len()),
                        min = group_digits(min)
                    ),
                    tr!("check.too_few_fix", n = group_digits(min - array.len())),
                ));
            }
            if array.len() > max {
                out.push(Problem::error(
                    path,
                    Rule::TooManyItems,
                    tr!(
                        "check.too_many_items",
                        label = spec.shown_label(),
                        n = group_digits(array.len()),
                        max = group_digits(max)
                    ),
                    tr!(
                        "check.too_many_items_fix",
                        n = group_digits(array.len() - max)
                    ),
                ));
            }
            for (i, item) in array.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                match item.as_object() {
                    Some(obj) => check_object(items, obj, &item_path, out),
                    None => out.push(wrong_type(&item_path, "object")),
                }
            }
        }
    }
}

/// `one` for 1, else `many`: the two keys of a sentence whose English
/// changes with the number (Chinese says both alike).
fn one_or_many_suffix(n: usize) -> &'static str {
    if n == 1 { "one" } else { "many" }
}

/// `key_one` or `key_many`, by `n`.
fn one_or_many(key: &str, n: usize) -> String {
    format!("{key}_{}", one_or_many_suffix(n))
}

/// A value of the wrong JSON type; `expected` names `check.type.<expected>`.
fn wrong_type(path: &str, expected: &str) -> Problem {
    let key = format!("check.type.{expected}");
    let expected = tr!(&key);
    Problem::error(
        path,
        Rule::WrongType,
        tr!("check.wrong_type", expected = expected),
        tr!("check.wrong_type_fix", expected = expected),
    )
}

fn check_limit(spec: &FieldSpec, s: &str, path: &str, out: &mut Vec<Problem>) {
    match spec.limit {
        Some(Limit::MaxBytes(max)) if s.len() > max => out.push(Problem::error(
            path,
            Rule::TooManyBytes,
            tr!(
                "check.too_many_bytes",
                label = spec.shown_label(),
                n = group_digits(s.len()),
                max = group_digits(max)
            ),
            tr!(
                &one_or_many("check.too_many_bytes_fix", s.len() - max),
                n = group_digits(s.len() - max)
            ),
        )),
        Some(Limit::TruncatedAfterBytes(max)) if s.len() > max => out.push(Problem::warning(
            path,
            Rule::Truncated,
            tr!(
                "check.truncated",
                label = spec.shown_label(),
                n = group_digits(s.len()),
                max = group_digits(max)
            ),
            tr!(
                &one_or_many("check.truncated_fix", s.len() - max),
                n = group_digits(s.len() - max)
            ),
        )),
        Some(Limit::RecommendedChars(max)) => {
            let n = s.chars().count();
            if n > max {
                out.push(Problem::warning(
                    path,
                    Rule::LongerThanRecommended,
                    tr!(
                        "check.longer_than_recommended",
                        label = spec.shown_label(),
                        n = n,
                        max = max
                    ),
                    tr!("check.longer_than_recommended_fix"),
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
            tr!("check.url_spaces"),
            tr!("check.url_spaces_fix"),
        ));
    } else if !(t.starts_with("https://") || t.starts_with("http://")) {
        out.push(Problem::warning(
            path,
            Rule::SuspiciousUrl,
            tr!("check.url_scheme", link = truncate_chars(t, 40)),
            tr!("check.url_scheme_fix"),
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
                    tr!("check.only_spaces"),
                    tr!("check.only_spaces_fix"),
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
                        tr!("check.mentions_ignored_fix_markdown")
                    } else {
                        tr!("check.mentions_ignored_fix_markdown_v2")
                    };
                    out.push(Problem::warning(
                        format!("{msgtype}.{key}"),
                        Rule::Ignored,
                        tr!("check.mentions_ignored", key = key, msgtype = msgtype),
                        fix,
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
                    tr!("check.text_notice_title"),
                    tr!("check.text_notice_title_fix"),
                ));
            } else if card.main_title.is_none() {
                // Seed 004's field table and its own text (and seed 001)
                // disagree; clients send such cards, so warn, not refuse.
                out.push(Problem::warning(
                    "template_card.main_title",
                    Rule::Advice,
                    tr!("check.no_main_title"),
                    tr!("check.no_main_title_fix"),
                ));
            }
            if card.emphasis_content.is_some() && card.quote_area.is_some() {
                out.push(Problem::warning(
                    "template_card.quote_area",
                    Rule::Advice,
                    tr!("check.quote_beside_figure"),
                    tr!("check.quote_beside_figure_fix"),
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
                    tr!("check.news_notice_title"),
                    tr!("check.news_notice_title_fix"),
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
                    tr!("check.not_a_phone", item = item),
                    tr!("check.not_a_phone_fix"),
                )
            } else {
                (
                    tr!("check.not_a_userid", item = item),
                    tr!("check.not_a_userid_fix"),
                )
            };
            out.push(Problem::warning(
                format!("{path}[{i}]"),
                Rule::BadMention,
                message,
                fix,
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
                tr!("check.file_entry_name"),
                tr!("check.file_entry_name_fix"),
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
    let (key, inside) = if ratio == limits::ASPECT_RATIO_MIN {
        ("check.ratio_is_default", "1.31")
    } else if ratio == limits::ASPECT_RATIO_MAX {
        ("check.ratio_is_example", "2.24")
    } else {
        return;
    };
    out.push(Problem::warning(
        "template_card.card_image.aspect_ratio",
        Rule::OutOfRange,
        tr!(key, ratio = ratio, page = limits::ASPECT_RATIO_PAGE),
        tr!("check.ratio_fix", inside = inside),
    ));
}
