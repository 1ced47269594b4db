//! The one description of every message kind.
//!
//! Each JSON object of the webhook API is declared once, with [`wecom_object!`]:
//! the macro emits the serde struct (so the JSON shape lives there) *and* a
//! static table of [`FieldSpec`]s (so the rules live there). Validation, the
//! sandbox, the forms and the previews all read that table; adding a field is
//! one line in `message.rs`.

/// How a field is edited and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    /// A single line of text.
    Text,
    /// Text that may span lines (content, quote text, descriptions).
    MultiLine,
    /// A link the client opens; checked for a scheme-less or empty value only.
    Url,
    /// A `media_id` returned by an upload.
    MediaId,
    /// An integer restricted to the listed values.
    Choice(&'static [Choice]),
    /// A decimal number within an inclusive range.
    Float { min: f64, max: f64 },
    /// A list of short strings (user ids, phone numbers).
    StringList,
    /// A nested object.
    Object(&'static [FieldSpec]),
    /// A repeatable group of objects, with the documented bounds.
    List {
        items: &'static [FieldSpec],
        min: usize,
        max: usize,
    },
}

/// One allowed value of a [`FieldKind::Choice`], with what it means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    pub value: i64,
    pub label: &'static str,
}

/// A length rule for a string field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// The server rejects more than this many UTF-8 bytes (errcode 40058).
    MaxBytes(usize),
    /// The server silently cuts the text after this many UTF-8 bytes.
    TruncatedAfterBytes(usize),
    /// The documents recommend at most this many characters ("建议不超过 N 个字").
    RecommendedChars(usize),
}

/// Everything known about one JSON field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    /// The JSON key.
    pub key: &'static str,
    /// A short English label for forms and error messages.
    pub label: &'static str,
    /// The label's locale key (`field.<key>`) when the English label alone
    /// does not say which field it is: `main_title.title` and
    /// `vertical_content_list.title` are both "Title" in English, but the
    /// seeds call them 一级标题 and 卡片二级标题. `None`: the key is made
    /// from the English label ([`text_key`]).
    pub label_key: Option<&'static str>,
    /// What the field is for, from the official documents.
    pub help: &'static str,
    pub kind: FieldKind,
    /// Required (when it applies).
    pub required: bool,
    /// The field only applies when the sibling `type` field has one of these
    /// values (absent `type` counts as 0). `None`: it always applies.
    pub when_type: Option<&'static [i64]>,
    pub limit: Option<Limit>,
}

impl FieldSpec {
    /// A field of the given kind; the key is filled in by [`wecom_object!`].
    pub const fn new(kind: FieldKind, label: &'static str) -> Self {
        FieldSpec {
            key: "",
            label,
            label_key: None,
            help: "",
            kind,
            required: false,
            when_type: None,
            limit: None,
        }
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Names the field in the locale files by `field.<key>` instead of by
    /// its English label; see [`FieldSpec::label_key`].
    pub const fn label_key(mut self, key: &'static str) -> Self {
        self.label_key = Some(key);
        self
    }
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
    /// Applies (and, with [`FieldSpec::required`], is required) only when the
    /// sibling `type` is one of `types`.
    pub const fn when_type(mut self, types: &'static [i64]) -> Self {
        self.when_type = Some(types);
        self
    }
    pub const fn max_bytes(mut self, n: usize) -> Self {
        self.limit = Some(Limit::MaxBytes(n));
        self
    }
    pub const fn truncated_after_bytes(mut self, n: usize) -> Self {
        self.limit = Some(Limit::TruncatedAfterBytes(n));
        self
    }
    pub const fn recommend_chars(mut self, n: usize) -> Self {
        self.limit = Some(Limit::RecommendedChars(n));
        self
    }
    /// Sets the JSON key from the struct field's name (`r#type` becomes `type`).
    #[doc(hidden)]
    pub const fn with_key(mut self, ident: &'static str) -> Self {
        self.key = strip_raw_prefix(ident);
        self
    }
    /// Whether the field applies given the sibling `type` value.
    pub fn applies(&self, sibling_type: i64) -> bool {
        self.when_type
            .is_none_or(|types| types.contains(&sibling_type))
    }
    /// The label in the current language: `field.<label as a key>` in the
    /// locale files, so one English name has one translation wherever it
    /// is used (the help is the official documents' Chinese in both),
    /// unless the field has its own [`FieldSpec::label_key`]. The form,
    /// the checks and the status line all name a field through this.
    pub fn shown_label(&self) -> std::borrow::Cow<'static, str> {
        let key = match self.label_key {
            Some(key) => format!("field.{key}"),
            None => format!("field.{}", text_key(self.label)),
        };
        crate::i18n::text_or(&key, self.label)
    }

    /// [`FieldSpec::choice_label`] in the current language.
    pub fn shown_choice_label(&self, value: i64) -> Option<std::borrow::Cow<'static, str>> {
        self.choice_label(value)
            .map(|label| crate::i18n::text_or(&format!("choice.{}", text_key(label)), label))
    }

    /// The label of a choice value, if the field is a choice.
    pub fn choice_label(&self, value: i64) -> Option<&'static str> {
        match self.kind {
            FieldKind::Choice(choices) => {
                choices.iter().find(|c| c.value == value).map(|c| c.label)
            }
            _ => None,
        }
    }
}

/// Shorthands for declaring fields.
/// An English label as a locale key: `Mention user ids (ignored)` is
/// `mention_user_ids_ignored`.
pub fn text_key(label: &str) -> String {
    let mut key = String::new();
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push('_');
        }
        key.push_str(&word.to_ascii_lowercase());
    }
    key
}

pub const fn text(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::Text, label)
}
pub const fn multiline(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::MultiLine, label)
}
pub const fn url(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::Url, label)
}
pub const fn media_id(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::MediaId, label)
}
pub const fn choice(label: &'static str, choices: &'static [Choice]) -> FieldSpec {
    FieldSpec::new(FieldKind::Choice(choices), label)
}
pub const fn float(label: &'static str, min: f64, max: f64) -> FieldSpec {
    FieldSpec::new(FieldKind::Float { min, max }, label)
}
pub const fn string_list(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::StringList, label)
}
pub const fn object<T: Described>(label: &'static str) -> FieldSpec {
    FieldSpec::new(FieldKind::Object(T::FIELDS), label)
}
pub const fn list<T: Described>(label: &'static str, min: usize, max: usize) -> FieldSpec {
    FieldSpec::new(
        FieldKind::List {
            items: T::FIELDS,
            min,
            max,
        },
        label,
    )
}

const fn strip_raw_prefix(ident: &'static str) -> &'static str {
    let bytes = ident.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'r' && bytes[1] == b'#' {
        let (_, rest) = bytes.split_at(2);
        match core::str::from_utf8(rest) {
            Ok(s) => s,
            Err(_) => ident,
        }
    } else {
        ident
    }
}

/// A JSON object of the API whose fields are described.
pub trait Described {
    const FIELDS: &'static [FieldSpec];
}

/// Whether a field is left out of the JSON: absent optional values are
/// omitted, never sent as `null`.
pub trait Omit {
    fn omit(&self) -> bool;
}
impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}
impl Omit for String {
    fn omit(&self) -> bool {
        false
    }
}
impl<T> Omit for Vec<T> {
    fn omit(&self) -> bool {
        false
    }
}

/// Declares a JSON object of the API: the serde struct and its [`Described`]
/// field table, from one listing. Every field is `#[serde(default)]` so that a
/// missing required field reaches validation (which names it and says how to
/// fix it) instead of failing as a parse error.
macro_rules! wecom_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $spec:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "crate::wecom::schema::Omit::omit")]
                pub $field: $ty,
            )*
        }
        impl crate::wecom::schema::Described for $name {
            const FIELDS: &'static [crate::wecom::schema::FieldSpec] =
                &[ $( $spec.with_key(stringify!($field)) ),* ];
        }
    };
}
pub(crate) use wecom_object;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_identifiers_lose_their_prefix() {
        assert_eq!(strip_raw_prefix("r#type"), "type");
        assert_eq!(strip_raw_prefix("title"), "title");
        assert_eq!(strip_raw_prefix("r"), "r");
    }

    #[test]
    fn when_type_limits_where_a_field_applies() {
        let f = text("URL").when_type(&[1]);
        assert!(f.applies(1));
        assert!(!f.applies(2));
        assert!(!f.applies(0));
        assert!(text("title").applies(0));
    }
}
