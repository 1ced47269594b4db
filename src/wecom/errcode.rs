//! WeCom errcode explanations in plain words.
//!
//! The server's `errmsg` is terse English with a hint id, an IP address and a
//! help link appended. People need to know what went wrong and what to do
//! about it, so every errcode the webhook is known to return is explained here
//! (see `API-FACTS.md`), and the raw `errmsg` is shown after the explanation.

/// What one errcode means and what the user should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// The errcode as WeCom returns it.
    pub code: i64,
    /// What went wrong, in one plain sentence.
    pub meaning: &'static str,
    /// What to do about it, in one plain sentence.
    pub action: &'static str,
}

/// Every errcode the webhook is known to return. Codes marked in
/// `API-FACTS.md` as coming from other WeCom APIs are included because the
/// upload endpoint shares their media checks.
static TABLE: &[Explanation] = &[
    Explanation {
        code: 0,
        meaning: "The request succeeded.",
        action: "Nothing to do.",
    },
    Explanation {
        code: -1,
        meaning: "WeCom's servers are busy.",
        action: "Wait a few seconds and try again.",
    },
    Explanation {
        code: 93000,
        meaning: "The webhook key is wrong, empty or revoked (or a whole URL was pasted where only the key belongs).",
        action: "Check the robot's key: copy the webhook URL again from the robot's page in the group settings.",
    },
    Explanation {
        code: 45009,
        meaning: "This robot sent more than 20 messages in the last minute.",
        action: "Wait up to a minute and try again.",
    },
    Explanation {
        code: 40058,
        meaning: "A request parameter is invalid, for example content longer than its byte limit.",
        action: "Fix the field named in the server's message.",
    },
    Explanation {
        code: 40008,
        meaning: "The message type is invalid.",
        action: "Check msgtype: text, markdown, markdown_v2, image, news, file, voice or template_card.",
    },
    Explanation {
        code: 44004,
        meaning: "The message content is empty.",
        action: "Write some content.",
    },
    Explanation {
        code: 301019,
        meaning: "The image's md5 does not match the image.",
        action: "Recompute the md5 of the raw picture bytes (before base64).",
    },
    Explanation {
        code: 40009,
        meaning: "The image size is invalid.",
        action: "Use a JPG or PNG picture of at most 2 MiB.",
    },
    Explanation {
        code: 40005,
        meaning: "The file type is not accepted.",
        action: "Voice clips must be AMR; send other files as type file.",
    },
    Explanation {
        code: 40004,
        meaning: "The media type is invalid.",
        action: "Upload with type file or voice.",
    },
    Explanation {
        code: 40006,
        meaning: "The file size is invalid.",
        action: "Uploads must be larger than 5 bytes; files at most 20 MiB, voice at most 2 MiB.",
    },
    Explanation {
        code: 40007,
        meaning: "The media_id is invalid: it expired (media_ids last 3 days), was uploaded by another robot, or is of the wrong type.",
        action: "Upload the file again with this robot and the matching type, then send the new media_id.",
    },
    Explanation {
        code: 41005,
        meaning: "The upload carried no media data.",
        action: "Send the file as a multipart part named \"media\" with a filename.",
    },
    Explanation {
        code: 44001,
        meaning: "The uploaded media is empty.",
        action: "Choose a file with content (larger than 5 bytes).",
    },
];

/// The explanation of `code`, when it is a known one.
pub fn explain(code: i64) -> Option<&'static Explanation> {
    TABLE.iter().find(|e| e.code == code)
}

impl Explanation {
    /// [`Explanation::meaning`] in the current language
    /// (`errcode.<code>.meaning` in the locale files).
    pub fn shown_meaning(&self) -> std::borrow::Cow<'static, str> {
        crate::i18n::text_or(&format!("errcode.{}.meaning", self.code), self.meaning)
    }

    /// [`Explanation::action`] in the current language.
    pub fn shown_action(&self) -> std::borrow::Cow<'static, str> {
        crate::i18n::text_or(&format!("errcode.{}.action", self.code), self.action)
    }
}

/// Every known errcode, for the test that each has both languages.
pub fn known() -> &'static [Explanation] {
    TABLE
}

/// `code` in plain words, in the current language: its meaning and what to
/// do, or for an unknown code a sentence pointing at WeCom's errcode lookup
/// page.
pub fn describe(code: i64) -> String {
    match explain(code) {
        Some(e) => crate::tr!(
            "errcode.explained",
            meaning = e.shown_meaning(),
            action = e.shown_action()
        )
        .into_owned(),
        None => crate::tr!("errcode.unknown", code = code).into_owned(),
    }
}

/// Whether trying the same request again later can succeed: the rate limit
/// (45009) and a busy server (-1). Every other refusal needs a change first.
pub fn is_retryable(code: i64) -> bool {
    matches!(code, 45009 | -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each explanation says what API-FACTS.md says of its code (its
    /// "meaning" and "what the user should do" columns), in words written out
    /// here rather than copied from the table.
    #[test]
    fn documented_codes_are_explained() {
        let facts: &[(i64, &[&str])] = &[
            (0, &["succeeded"]),
            (-1, &["busy", "try again"]),
            (93000, &["key", "wrong, empty or revoked", "whole URL"]),
            (45009, &["20 messages", "minute", "wait"]),
            (40058, &["parameter", "byte limit", "field named"]),
            (40008, &["message type", "msgtype"]),
            (44004, &["content is empty", "write some content"]),
            (301019, &["md5", "recompute", "raw", "before base64"]),
            (40009, &["image size"]),
            (40005, &["file type"]),
            (41005, &["no media"]),
            (44001, &["media is empty"]),
            (
                40007,
                &["media_id", "3 days", "another robot", "upload", "again"],
            ),
        ];
        for (code, words) in facts {
            let e = explain(*code).unwrap_or_else(|| panic!("{code} missing"));
            let text = format!("{} {}", e.meaning, e.action).to_lowercase();
            for word in *words {
                assert!(
                    text.contains(&word.to_lowercase()),
                    "{code}: {text:?} does not say {word:?}"
                );
            }
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<i64> = TABLE.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }

    #[test]
    fn describe_gives_meaning_then_action() {
        let d = describe(93000);
        assert!(d.starts_with("The webhook key is wrong"), "{d}");
        assert!(d.contains("Check the robot's key"), "{d}");
        assert!(describe(45009).contains("20 messages"));
    }

    #[test]
    fn unknown_codes_point_to_the_lookup_page() {
        let d = describe(123456);
        assert!(
            d.contains("https://open.work.weixin.qq.com/devtool/query?e=123456"),
            "{d}"
        );
        assert!(explain(123456).is_none());
    }

    #[test]
    fn only_rate_limit_and_busy_are_retryable() {
        assert!(is_retryable(45009));
        assert!(is_retryable(-1));
        assert!(!is_retryable(93000));
        assert!(!is_retryable(0));
        assert!(!is_retryable(40058));
    }
}
