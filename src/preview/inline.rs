//! WeCom's two extensions to markdown that no markdown parser knows:
//! `<@userid>` mentions and `<font color="info|comment|warning">` tags.
//!
//! pulldown-cmark hands `<@userid>` over as plain text (it is neither a tag
//! nor an autolink) and `<font …>` as inline HTML; these scanners find them
//! in that text. Both are linear: every byte is looked at a bounded number
//! of times, whatever the input.

use super::style::FontColour;

/// A piece of text: plain, or a `<@userid>` mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    /// The user id, and the whole `<@userid>` as typed.
    Mention {
        id: &'a str,
        raw: &'a str,
    },
    /// A `<font …>` tag as typed, and its colour if WeCom knows it.
    FontOpen {
        colour: Option<FontColour>,
        name: &'a str,
        raw: &'a str,
    },
    /// `</font>` as typed.
    FontClose(&'a str),
}

/// The longest user id looked for: a `<@` followed by more than this many
/// characters before `>` is taken as plain text (and the scan stays linear).
const MAX_ID_LEN: usize = 128;

/// Splits `text` into plain runs and `<@userid>` mentions. A user id is one
/// or more characters other than whitespace, `<` and `>`.
pub(crate) fn mentions(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while let Some(found) = text.get(i..).and_then(|rest| rest.find("<@")) {
        let at = i + found;
        let id_from = at + 2;
        let tail = text.get(id_from..).unwrap_or("");
        let id_len = tail
            .char_indices()
            .take(MAX_ID_LEN + 1)
            .find(|&(_, c)| c.is_whitespace() || c == '<' || c == '>')
            .filter(|&(_, c)| c == '>')
            .map(|(n, _)| n);
        match id_len {
            Some(n) if n > 0 => {
                if at > plain_from
                    && let Some(plain) = text.get(plain_from..at)
                {
                    pieces.push(Piece::Text(plain));
                }
                let end = id_from + n + 1;
                pieces.push(Piece::Mention {
                    id: text.get(id_from..id_from + n).unwrap_or(""),
                    raw: text.get(at..end).unwrap_or(""),
                });
                plain_from = end;
                i = end;
            }
            _ => i = at + 1,
        }
    }
    if plain_from < text.len()
        && let Some(plain) = text.get(plain_from..)
    {
        pieces.push(Piece::Text(plain));
    }
    pieces
}

/// Reads one HTML tag (as pulldown-cmark's inline HTML event gives it) as a
/// font tag: `<font color="info">`, `<FONT color='comment'>`,
/// `<font color=warning>`, `</font>`. Anything else is `None`.
pub(crate) fn font_tag(tag: &str) -> Option<Piece<'_>> {
    let inner = tag.trim().strip_prefix('<')?.strip_suffix('>')?;
    let inner = inner.trim();
    if let Some(name) = inner.strip_prefix('/') {
        return name
            .trim()
            .eq_ignore_ascii_case("font")
            .then_some(Piece::FontClose(tag));
    }
    let head = inner.get(..4)?;
    if !head.eq_ignore_ascii_case("font") {
        return None;
    }
    let attrs = inner.get(4..)?;
    if !attrs.is_empty() && !attrs.starts_with(char::is_whitespace) {
        return None;
    }
    let name = colour_attribute(attrs).unwrap_or("");
    Some(Piece::FontOpen {
        colour: FontColour::from_name(name),
        name,
        raw: tag,
    })
}

/// The value of the `color` attribute among `attrs` (quoted or not).
fn colour_attribute(attrs: &str) -> Option<&str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|r| r.find("color")) {
        let at = from + found;
        from = at + 5;
        let before_ok = at == 0
            || lower
                .as_bytes()
                .get(at - 1)
                .is_some_and(|b| b.is_ascii_whitespace());
        let rest = attrs.get(at + 5..)?.trim_start();
        let Some(value) = rest.strip_prefix('=') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let value = value.trim_start();
        return match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let v = value.get(1..)?;
                Some(v.get(..v.find(q)?)?)
            }
            _ => value.split(|c: char| c.is_whitespace() || c == '/').next(),
        };
    }
    None
}

/// Splits raw HTML text (a markdown HTML block line) into plain runs, font
/// tags and mentions, in order.
pub(crate) fn html_pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    // The next `>` at or after the current `<`, remembered so that a run of
    // `<` without `>` is not searched again for each of them.
    let mut next_gt: Option<usize> = None;
    while let Some(found) = text.get(i..).and_then(|rest| rest.find('<')) {
        let at = i + found;
        if next_gt.is_none_or(|g| g < at) {
            next_gt = text
                .get(at..)
                .and_then(|rest| rest.find('>'))
                .map(|n| at + n);
        }
        let Some(gt) = next_gt else {
            break;
        };
        let end = gt + 1;
        match text.get(at..end).and_then(font_tag) {
            Some(piece) => {
                if at > plain_from {
                    out.extend(text.get(plain_from..at).map(mentions).unwrap_or_default());
                }
                out.push(piece);
                plain_from = end;
                i = end;
            }
            None => i = at + 1,
        }
    }
    if plain_from < text.len() {
        out.extend(text.get(plain_from..).map(mentions).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_between_plain_text() {
        assert_eq!(
            mentions("请 <@wangqing> 和 <@li.si> 看"),
            vec![
                Piece::Text("请 "),
                Piece::Mention {
                    id: "wangqing",
                    raw: "<@wangqing>"
                },
                Piece::Text(" 和 "),
                Piece::Mention {
                    id: "li.si",
                    raw: "<@li.si>"
                },
                Piece::Text(" 看"),
            ]
        );
    }

    #[test]
    fn broken_mentions_stay_text() {
        for s in ["<@>", "<@a b>", "<@abc", "a <@<@x", "<@<@>>"] {
            let pieces = mentions(s);
            assert!(
                pieces.iter().all(|p| matches!(p, Piece::Text(_))),
                "{s:?} gave {pieces:?}"
            );
        }
        assert_eq!(
            mentions("<@<@x>"),
            vec![
                Piece::Text("<@"),
                Piece::Mention {
                    id: "x",
                    raw: "<@x>"
                }
            ]
        );
    }

    #[test]
    fn font_tags_in_every_spelling() {
        for (tag, colour) in [
            ("<font color=\"info\">", Some(FontColour::Info)),
            ("<FONT color='comment'>", Some(FontColour::Comment)),
            ("<font color=warning>", Some(FontColour::Warning)),
            ("<font  color = \"warning\" >", Some(FontColour::Warning)),
            ("<font color=\"red\">", None),
            ("<font>", None),
        ] {
            match font_tag(tag) {
                Some(Piece::FontOpen { colour: c, .. }) => assert_eq!(c, colour, "{tag}"),
                other => panic!("{tag}: {other:?}"),
            }
        }
        assert_eq!(font_tag("</font>"), Some(Piece::FontClose("</font>")));
        assert_eq!(font_tag("<fontx color=\"info\">"), None);
        assert_eq!(font_tag("<b>"), None);
        assert_eq!(font_tag("<span color=\"info\">"), None);
    }

    #[test]
    fn html_lines_yield_tags_and_mentions() {
        let pieces = html_pieces("<font color=\"info\">绿</font> <@a> <div>");
        assert!(matches!(
            pieces[0],
            Piece::FontOpen {
                colour: Some(FontColour::Info),
                ..
            }
        ));
        assert_eq!(pieces[1], Piece::Text("绿"));
        assert_eq!(pieces[2], Piece::FontClose("</font>"));
        assert_eq!(pieces[3], Piece::Text(" "));
        assert!(matches!(pieces[4], Piece::Mention { id: "a", .. }));
        assert_eq!(pieces[5], Piece::Text(" <div>"));
    }
}
