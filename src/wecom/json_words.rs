//! The JSON reader's own words in the current language.
//!
//! serde and serde_json explain a message they cannot read in fixed English
//! sentences (`invalid type: integer `5`, expected a string`, `missing field
//! `content``, `expected `,` or `}` at line 1 column 9`): serde's
//! `de::Error` defaults and serde_json's error codes, which neither crate
//! translates. [`translate`] rewrites the sentences they make into the
//! current language and leaves what they quote (field names, values, the
//! types a message expects) as it is. In English, and for a sentence it
//! does not know, the text is returned unchanged: nothing is lost, at worst
//! it stays English.

use std::borrow::Cow;

use crate::i18n::{self, Lang};

/// `message` (a serde or serde_json error's text) in the current language.
pub fn translate(message: &str) -> Cow<'_, str> {
    if i18n::current() == Lang::En {
        return Cow::Borrowed(message);
    }
    let (sentence, place) = split_place(message);
    let Some(sentence) = sentence_words(sentence) else {
        return Cow::Borrowed(message);
    };
    match place {
        Some((line, column)) => Cow::Owned(
            crate::tr!("json.at", what = sentence, line = line, column = column).into_owned(),
        ),
        None => Cow::Owned(sentence),
    }
}

/// serde_json's " at line L column C" taken off the end.
fn split_place(message: &str) -> (&str, Option<(&str, &str)>) {
    if let Some((sentence, place)) = message.rsplit_once(" at line ")
        && let Some((line, column)) = place.split_once(" column ")
        && !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && !column.is_empty()
        && column.bytes().all(|b| b.is_ascii_digit())
    {
        return (sentence, Some((line, column)));
    }
    (message, None)
}

/// The sentence in the current language, if it is one serde makes.
fn sentence_words(s: &str) -> Option<String> {
    let t = |key: &str| crate::tr!(key).into_owned();
    if let Some(rest) = s.strip_prefix("missing field ") {
        return Some(crate::tr!("json.missing_field", field = rest).into_owned());
    }
    if let Some(rest) = s.strip_prefix("duplicate field ") {
        return Some(crate::tr!("json.duplicate_field", field = rest).into_owned());
    }
    for (prefix, key) in [
        ("unknown field ", "json.unknown_field"),
        ("unknown variant ", "json.unknown_variant"),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (name, choices) = rest.split_once(", ")?;
            return Some(
                crate::tr!(key, name = name, choices = choices_words(choices)).into_owned(),
            );
        }
    }
    for (prefix, key) in [
        ("invalid type: ", "json.invalid_type"),
        ("invalid value: ", "json.invalid_value"),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (found, expected) = rest.rsplit_once(", expected ")?;
            return Some(
                crate::tr!(
                    key,
                    found = found_words(found),
                    expected = expected_words(expected)
                )
                .into_owned(),
            );
        }
    }
    if let Some(rest) = s.strip_prefix("invalid length ") {
        let (length, expected) = rest.split_once(", expected ")?;
        return Some(
            crate::tr!(
                "json.invalid_length",
                length = length,
                expected = expected_words(expected)
            )
            .into_owned(),
        );
    }
    if let Some(what) = s.strip_prefix("EOF while parsing ") {
        let what = match what {
            "a value" => t("json.a_value"),
            "an object" => t("json.an_object"),
            "a list" => t("json.a_list"),
            "a string" => t("json.a_string"),
            _ => return None,
        };
        return Some(crate::tr!("json.eof", what = what).into_owned());
    }
    if let Some(expected) = s.strip_prefix("expected ")
        && expected.starts_with('`')
    {
        return Some(crate::tr!("json.expected_here", expected = or_words(expected)).into_owned());
    }
    let key = match s {
        "expected value" => "json.expected_value",
        "expected ident" => "json.expected_ident",
        "trailing characters" => "json.trailing_characters",
        "trailing comma" => "json.trailing_comma",
        "key must be a string" => "json.key_must_be_a_string",
        "invalid escape" => "json.invalid_escape",
        "invalid number" => "json.invalid_number",
        "number out of range" => "json.number_out_of_range",
        "invalid unicode code point" => "json.invalid_unicode",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "json.control_character"
        }
        "recursion limit exceeded" => "json.recursion_limit",
        "lone leading surrogate in hex escape" | "unexpected end of hex escape" => {
            "json.invalid_escape"
        }
        _ => return None,
    };
    Some(t(key))
}

/// serde's "expected one of `a`, `b`", "expected `a` or `b`", "there are no
/// fields".
fn choices_words(choices: &str) -> String {
    if let Some(list) = choices.strip_prefix("expected one of ") {
        return crate::tr!("json.one_of", list = list_words(list)).into_owned();
    }
    if let Some(list) = choices.strip_prefix("expected ") {
        return crate::tr!("json.one_of", list = or_words(list)).into_owned();
    }
    match choices {
        "there are no fields" => crate::tr!("json.no_fields").into_owned(),
        "there are no variants" => crate::tr!("json.no_variants").into_owned(),
        other => other.to_owned(),
    }
}

/// "`a`, `b`" with the current language's list separator.
fn list_words(list: &str) -> String {
    list.split(", ")
        .collect::<Vec<_>>()
        .join(&crate::tr!("json.list_separator"))
}

/// "`a` or `b`" with the current language's "or".
fn or_words(list: &str) -> String {
    match list.split_once(" or ") {
        Some((a, b)) => crate::tr!("json.or", a = a, b = b).into_owned(),
        None => list.to_owned(),
    }
}

/// serde's `Unexpected` ("integer `5`", "string \"x\"", "null", "map").
fn found_words(found: &str) -> String {
    for (prefix, key) in [
        ("integer ", "json.integer"),
        ("floating point ", "json.float"),
        ("string ", "json.string"),
        ("boolean ", "json.boolean"),
        ("character ", "json.character"),
    ] {
        if let Some(value) = found.strip_prefix(prefix) {
            return crate::tr!("json.found_value", kind = crate::tr!(key), value = value)
                .into_owned();
        }
    }
    let key = match found {
        "null" | "unit value" | "Option value" => "json.null",
        "sequence" => "json.sequence",
        "map" => "json.map",
        _ => return found.to_owned(),
    };
    crate::tr!(key).into_owned()
}

/// What a field takes, as the types' visitors say it ("a string", "u32",
/// "struct Text"); a phrase of our own deserializers is left as it is.
fn expected_words(expected: &str) -> String {
    let key = match expected {
        "a string" | "a borrowed string" | "a character" => "json.string",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => "json.integer",
        "f32" | "f64" => "json.number",
        "a boolean" => "json.boolean",
        "a sequence" => "json.sequence",
        "a map" => "json.map",
        e if e.starts_with("struct ") => "json.map",
        _ => return expected.to_owned(),
    };
    crate::tr!(key).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The text serde_json gives for `json` read as `T`: the real
    /// sentences, not copies of them.
    fn serde_says<T: serde::de::DeserializeOwned>(json: &str) -> String {
        serde_json::from_str::<T>(json).err().unwrap().to_string()
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Text {
        content: String,
        mentioned: Option<Vec<String>>,
        mentioned_mobile: Option<Vec<String>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        #[serde(rename = "text_notice")]
        TextNotice,
        #[serde(rename = "news_notice")]
        NewsNotice,
    }

    fn zh(message: &str) -> String {
        i18n::in_language(Lang::ZhCn, || translate(message).into_owned())
    }

    #[test]
    fn english_is_left_as_serde_wrote_it() {
        let said = serde_says::<Text>(r#"{"content": 5}"#);
        let kept = i18n::in_language(Lang::En, || translate(&said).into_owned());
        assert_eq!(kept, said);
    }

    #[test]
    fn a_wrong_type_reads_in_chinese_with_the_value_and_the_place() {
        let said = serde_says::<Text>(r#"{"content": 5}"#);
        assert_eq!(
            said,
            "invalid type: integer `5`, expected a string at line 1 column 13"
        );
        assert_eq!(
            zh(&said),
            "类型不对：这里是整数 `5`，应为字符串（第 1 行第 13 列）"
        );
    }

    #[test]
    fn missing_unknown_and_duplicate_fields_read_in_chinese() {
        let missing = zh(&serde_says::<Text>("{}"));
        assert_eq!(missing, "缺少字段 `content`（第 1 行第 2 列）");
        let unknown = zh(&serde_says::<Text>(r#"{"content": "x", "contnet": 1}"#));
        assert_eq!(
            unknown,
            "未知字段 `contnet`，应为以下之一：`content`、`mentioned`、`mentioned_mobile`（第 1 行第 26 列）"
        );
        let twice = zh(&serde_says::<Text>(r#"{"content": "x", "content": "y"}"#));
        assert_eq!(twice, "字段 `content` 重复（第 1 行第 26 列）");
    }

    #[test]
    fn an_unknown_variant_lists_the_choices_with_chinese_conjunctions() {
        let said = serde_says::<Kind>(r#""text""#);
        assert_eq!(
            said,
            "unknown variant `text`, expected `text_notice` or `news_notice` at line 1 column 6"
        );
        assert_eq!(
            zh(&said),
            "未知取值 `text`，应为以下之一：`text_notice` 或 `news_notice`（第 1 行第 6 列）"
        );
    }

    #[test]
    fn syntax_errors_read_in_chinese() {
        let cases = [
            (
                r#"{"a": 1"#,
                "JSON 在对象中提前结束，像是被截断了（第 1 行第 7 列）",
            ),
            (
                r#"{"a": 1 "b": 2}"#,
                "这里应为 `,` 或 `}`（第 1 行第 9 列）",
            ),
            (
                r#"{"a": 1} x"#,
                "JSON 结束之后还有多余的字符（第 1 行第 10 列）",
            ),
            (
                "{\"a\": \"x\ny\"}",
                "字符串中不能有控制字符（\\u0000-\\u001F），换行请写成 \\n（第 2 行第 0 列）",
            ),
            (
                r#"{"a": tru}"#,
                "这里应为 true、false 或 null（第 1 行第 10 列）",
            ),
        ];
        for (json, chinese) in cases {
            let said = serde_says::<serde_json::Value>(json);
            assert_eq!(zh(&said), chinese, "{json}: serde said {said}");
        }
    }

    #[test]
    fn a_sentence_serde_does_not_make_is_left_alone() {
        assert_eq!(zh("must be a URL"), "must be a URL");
        assert_eq!(zh("invalid type: what"), "invalid type: what");
    }
}
