//! What a check finds: a [`Problem`] with its field path, the [`Rule`] it
//! breaks and its [`Severity`]. Kept apart from `validate` so that the
//! modules `validate` calls (`media`) can report problems without importing
//! it back.

use std::fmt;

/// Errors block sending (the server would refuse); warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// Which rule a problem breaks; the sandbox maps these to WeCom's errcodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A required field is missing or empty.
    Required,
    /// More UTF-8 bytes than the server accepts.
    TooManyBytes,
    /// More bytes than the server keeps: the rest is cut off.
    Truncated,
    /// Longer than the documents recommend ("建议不超过 N 个字").
    LongerThanRecommended,
    /// A number that is not one of the documented values.
    NotAChoice,
    /// A number outside the documented range.
    OutOfRange,
    /// A value of the wrong JSON type.
    WrongType,
    /// Fewer list items than required.
    TooFewItems,
    /// More list items than allowed.
    TooManyItems,
    /// A link that does not look like one.
    SuspiciousUrl,
    /// A value the server ignores.
    Ignored,
    /// A field the documents do not describe (WeCom most likely ignores it).
    Undocumented,
    /// Documented advice about combining fields.
    Advice,
    /// A mention that is neither a user id, a phone number nor `@all`.
    BadMention,
    /// `image.base64` does not decode.
    InvalidBase64,
    /// The image is over 2 MiB before base64.
    ImageTooLarge,
    /// The image is not a JPG or PNG.
    ImageFormat,
    /// `image.md5` is not 32 hexadecimal digits.
    Md5Format,
    /// `image.md5` is not the md5 of the image.
    Md5Mismatch,
    /// An upload outside the documented size bounds.
    UploadSize,
    /// An upload in a format the endpoint does not take.
    UploadFormat,
    /// A voice clip longer than 60 s.
    VoiceTooLong,
}

/// One thing wrong (or worth knowing) about a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where: `template_card.jump_list[1].url`.
    pub path: String,
    pub severity: Severity,
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Problem {
    pub fn error(
        path: impl Into<String>,
        rule: Rule,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.into(),
            severity: Severity::Error,
            rule,
            message: message.into(),
            fix: fix.into(),
        }
    }
    pub fn warning(
        path: impl Into<String>,
        rule: Rule,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, rule, message, fix)
        }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = crate::i18n::join_sentences(&self.message, &self.fix);
        let line = match self.severity {
            Severity::Error => crate::tr!("problem.error_line", path = self.path, text = text),
            Severity::Warning => crate::tr!("problem.warning_line", path = self.path, text = text),
        };
        f.write_str(line.trim_end())
    }
}

/// Whether any problem blocks sending.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}
