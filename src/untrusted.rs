//! Making text that came from outside safe to print or draw.
//!
//! A server's `errmsg`, a response body, a file name or a field of a relay
//! request can hold terminal control sequences (`ESC ] 0 ; … BEL` retitles the
//! terminal, `ESC [ 2 J` clears it). Printed as they are, they reach the
//! user's terminal and act there. Every such string goes through
//! [`one_line`] (status lines, log fields, error messages) or [`multi_line`]
//! (bodies shown as text) before it is printed or drawn: control characters
//! are shown escaped, as `\u{1b}`, so the user sees that they were there and
//! nothing acts on the terminal.
//!
//! Escaped: the C0 controls (U+0000–U+001F) and DEL, the C1 controls
//! (U+0080–U+009F, which some terminals read as `ESC` + a letter), and the
//! Unicode bidirectional overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069), which reorder what is shown around them.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// `text` on one line: every control character escaped, line breaks and
/// tabs included.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with its line breaks and tabs kept and every other control
/// character escaped. A `\r` not followed by `\n` is escaped: alone it moves
/// the cursor back over what was printed.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let keep = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek().is_some_and(|(_, next)| *next == '\n'),
            c => !is_unsafe(c),
        };
        match (&mut out, keep) {
            (Some(out), true) => out.push(c),
            (None, true) => {}
            (out @ None, false) => {
                let mut s = String::with_capacity(text.len() + 8);
                s.push_str(&text[..at]);
                push_escaped(&mut s, c);
                *out = Some(s);
            }
            (Some(out), false) => push_escaped(out, c),
        }
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// A [`fmt::Display`] of `text` as [`one_line`] shows it, for `format!`
/// and log fields without an allocation when nothing needs escaping.
pub struct OneLine<'a>(pub &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_line(self.0))
    }
}

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_and_clear_sequence_is_shown_not_run() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[31mRED";
        let safe = one_line(hostile);
        assert_eq!(safe, "\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{1b}[31mRED");
        assert!(!safe.chars().any(is_unsafe));
    }

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        let text = "invalid webhook url, hint: [1700000000_1_abc], from ip: 127.0.0.1 企业微信";
        assert!(matches!(one_line(text), Cow::Borrowed(_)));
        assert!(matches!(multi_line("a\nb\tc\r\nd"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_are_escaped_on_one_line_and_kept_in_multi_line() {
        assert_eq!(one_line("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(multi_line("a\nb\tc"), "a\nb\tc");
        // A lone CR would move the cursor back over what came before.
        assert_eq!(multi_line("ok\rFAKE\r\nnext"), "ok\\rFAKE\r\nnext");
    }

    #[test]
    fn c1_controls_and_bidi_overrides_are_escaped() {
        assert_eq!(one_line("a\u{9b}31mb"), "a\\u{9b}31mb");
        assert_eq!(one_line("file\u{202e}gnp.exe"), "file\\u{202e}gnp.exe");
        assert_eq!(OneLine("x\u{7f}").to_string(), "x\\u{7f}");
    }
}
