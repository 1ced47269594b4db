//! Quick fixes: for a hint with a mechanical fix, the edit that makes it.
//!
//! Why here, beside the hints: a fix is only right if it matches what the
//! hint saw, and both read the same source lines. The composer applies a
//! [`Fix`] as one undoable edit; nothing here knows of drafts or forms.

use super::dialect::Dialect;
use super::gfm::{self, Gfm};
use super::hints::{Construct, Hint, HintKind};

/// One edit of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Change the message type; the content stays as it is.
    Switch(Dialect),
    /// Change to `text`: the `<@userid>` mentions leave the content and
    /// become its `mentioned_list`.
    ToTextWithMentions {
        content: String,
        mentioned_list: Vec<String>,
    },
    /// New content, same type.
    Content(String),
    /// New content with the mentions written in as `<@userid>`, and the
    /// `mentioned_list` the client ignores for markdown emptied.
    MentionsIntoContent {
        content: String,
        mentioned_list: Vec<String>,
    },
}

/// A fix and the few words that say what it does ("switch to
/// markdown_v2"), in the current language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFix {
    pub label: String,
    pub fix: Fix,
}

/// A quick fix's label: `fix.<name>` in the current language.
fn label(name: &str) -> String {
    let key = format!("fix.{name}");
    crate::tr!(&key).into_owned()
}

/// The fixes for `hint` on `source` in `dialect`, best first; empty when
/// there is no mechanical fix (an unknown colour, an old client).
pub fn quick_fixes(
    hint: &Hint,
    source: &str,
    dialect: Dialect,
    mentioned_list: &[String],
) -> Vec<QuickFix> {
    let switch = |name: &str, to| QuickFix {
        label: label(name),
        fix: Fix::Switch(to),
    };
    match &hint.kind {
        HintKind::NotInMarkdown(what) if dialect == Dialect::Markdown => {
            let mut out = vec![switch("to_markdown_v2", Dialect::MarkdownV2)];
            if *what == Construct::Table
                && let Some(content) = table_to_lines(source, hint.line)
            {
                out.push(QuickFix {
                    label: label("table_to_lines"),
                    fix: Fix::Content(content),
                });
            }
            out
        }
        HintKind::MentionInV2 => {
            let (content, ids) = mentions_out_of(source);
            vec![
                switch("to_markdown", Dialect::Markdown),
                QuickFix {
                    label: label("to_text_with_mentions"),
                    fix: Fix::ToTextWithMentions {
                        content,
                        mentioned_list: ids,
                    },
                },
            ]
        }
        HintKind::FontColourInV2 => vec![switch("to_markdown", Dialect::Markdown)],
        HintKind::HeadingNeedsSpace => heading_space(source, hint.line)
            .map(|content| QuickFix {
                label: label("heading_space"),
                fix: Fix::Content(content),
            })
            .into_iter()
            .collect(),
        HintKind::MentionListIgnored if dialect == Dialect::Markdown => {
            mentions_into(source, mentioned_list)
                .map(|(content, left)| QuickFix {
                    label: label("mentions_into_content"),
                    fix: Fix::MentionsIntoContent {
                        content,
                        mentioned_list: left,
                    },
                })
                .into_iter()
                .collect()
        }
        HintKind::NotInWeCom(Gfm::Strikethrough) => {
            edit_line(source, hint.line, |l| Some(l.replace("~~", "")))
                .map(|content| QuickFix {
                    label: label("remove_tildes"),
                    fix: Fix::Content(content),
                })
                .into_iter()
                .collect()
        }
        HintKind::NotInWeCom(Gfm::TaskList) => edit_line(source, hint.line, |l| {
            let at = gfm::task_box(l)?;
            let mark = if l[at..].starts_with("[ ]") {
                "☐"
            } else {
                "☑"
            };
            Some(format!("{}{mark}{}", &l[..at], &l[at + 3..]))
        })
        .map(|content| QuickFix {
            label: label("task_boxes"),
            fix: Fix::Content(content),
        })
        .into_iter()
        .collect(),
        _ => Vec::new(),
    }
}

/// `source` with line `line` (1-based) replaced by `edit` of it; line
/// breaks (`\n` or `\r\n`) kept as they were.
fn edit_line(
    source: &str,
    line: usize,
    edit: impl FnOnce(&str) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(source.len() + 8);
    let mut edit = Some(edit);
    let mut found = false;
    for (index, piece) in source.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let body = piece.trim_end_matches(['\n', '\r']);
            let ending = &piece[body.len()..];
            let changed = edit.take().and_then(|f| f(body))?;
            if changed == body {
                return None;
            }
            out.push_str(&changed);
            out.push_str(ending);
            found = true;
        } else {
            out.push_str(piece);
        }
    }
    found.then_some(out)
}

/// `#标题` → `# 标题` on `line`.
pub fn heading_space(source: &str, line: usize) -> Option<String> {
    edit_line(source, line, |l| {
        let indent = l.len() - l.trim_start().len();
        let hashes = l[indent..].bytes().take_while(|&b| b == b'#').count();
        let rest = &l[indent + hashes..];
        ((1..=6).contains(&hashes) && !rest.is_empty() && !rest.starts_with(char::is_whitespace))
            .then(|| format!("{}{} {rest}", &l[..indent], &l[indent..indent + hashes]))
    })
}

/// The table around `line` as lines markdown shows: the header in bold,
/// each row's cells joined by ` · `, the delimiter row gone.
pub fn table_to_lines(source: &str, line: usize) -> Option<String> {
    let pieces: Vec<&str> = source.split_inclusive('\n').collect();
    let is_row = |l: &str| l.trim().starts_with('|') || l.matches('|').count() >= 2;
    let at = line.checked_sub(1)?;
    if !pieces.get(at).is_some_and(|l| is_row(l)) {
        return None;
    }
    let mut start = at;
    while start > 0 && is_row(pieces[start - 1]) {
        start -= 1;
    }
    let mut end = at + 1;
    while end < pieces.len() && is_row(pieces[end]) {
        end += 1;
    }
    let cells = |l: &str| -> Vec<String> {
        let t = l.trim().trim_start_matches('|').trim_end_matches('|');
        t.split('|').map(|c| c.trim().to_owned()).collect()
    };
    let is_delimiter = |l: &str| {
        cells(l)
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
    };
    let ending = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out: String = pieces[..start].concat();
    for (i, row) in pieces[start..end].iter().enumerate() {
        if is_delimiter(row) {
            continue;
        }
        let joined = cells(row)
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        if i == 0 && !joined.is_empty() {
            out.push_str(&format!("**{joined}**"));
        } else {
            out.push_str(&joined);
        }
        let last = start + i + 1 == pieces.len();
        if !last || row.ends_with('\n') {
            out.push_str(ending);
        }
    }
    out.push_str(&pieces[end..].concat());
    Some(out)
}

/// The content without its `<@userid>` mentions, and the ids in order of
/// first appearance.
pub fn mentions_out_of(source: &str) -> (String, Vec<String>) {
    let mut ids: Vec<String> = Vec::new();
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("<@") {
        let after = &rest[at + 2..];
        match after.find('>') {
            Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                out.push_str(&rest[..at]);
                let id = after[..end].to_owned();
                if !ids.contains(&id) {
                    ids.push(id);
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // Mentions removed from a line leave doubled spaces; the line's own
    // indentation is kept (ids hold no whitespace, so lines match 1:1).
    let tidy: Vec<String> = out
        .split('\n')
        .zip(source.split('\n'))
        .map(|(l, original)| {
            let cr = l.ends_with('\r');
            let body = l.trim_end_matches('\r');
            let indent = &original[..original.len() - original.trim_start_matches(' ').len()];
            let words = body
                .split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>();
            format!("{indent}{}{}", words.join(" "), if cr { "\r" } else { "" })
        })
        .collect();
    (tidy.join("\n"), ids)
}

/// The content with `<@id>` for each user id of `mentioned_list` on a last
/// line, and what stays in the list (`@all`, which markdown content cannot
/// write); `None` when there is no user id to move.
pub fn mentions_into(source: &str, mentioned_list: &[String]) -> Option<(String, Vec<String>)> {
    let (ids, left): (Vec<&String>, Vec<&String>) = mentioned_list
        .iter()
        .filter(|m| !m.trim().is_empty())
        .partition(|m| m.as_str() != "@all");
    if ids.is_empty() {
        return None;
    }
    let line = ids
        .iter()
        .map(|id| format!("<@{}>", id.trim()))
        .collect::<Vec<_>>()
        .join(" ");
    let ending = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut content = source.trim_end_matches(['\n', '\r']).to_owned();
    if !content.is_empty() {
        content.push_str(ending);
    }
    content.push_str(&line);
    Some((content, left.into_iter().cloned().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_gets_its_space_and_only_on_its_line() {
        assert_eq!(
            heading_space("intro\n##标题\nrest", 2).as_deref(),
            Some("intro\n## 标题\nrest")
        );
        assert_eq!(heading_space("## ok", 1), None);
        assert_eq!(
            heading_space("a\r\n#b\r\n", 2).as_deref(),
            Some("a\r\n# b\r\n")
        );
    }

    #[test]
    fn a_table_becomes_bold_header_and_dotted_rows() {
        let src = "名单:\n| 姓名 | 尺寸 |\n| :-- | --: |\n| 张三 | S |\n| 李四 | L |\n谢谢";
        assert_eq!(
            table_to_lines(src, 3).as_deref(),
            Some("名单:\n**姓名 · 尺寸**\n张三 · S\n李四 · L\n谢谢")
        );
        assert_eq!(table_to_lines("no table here", 1), None);
    }

    #[test]
    fn mentions_move_out_of_the_content_and_back_in() {
        let (content, ids) = mentions_out_of("hi <@zhangsan> and <@lisi>, <@zhangsan>\nbye");
        assert_eq!(content, "hi and ,\nbye");
        assert_eq!(ids, vec!["zhangsan", "lisi"]);
        let list = vec!["wangwu".to_owned(), "@all".to_owned()];
        assert_eq!(
            mentions_into("deploy done\n", &list),
            Some(("deploy done\n<@wangwu>".to_owned(), vec!["@all".to_owned()]))
        );
        assert_eq!(mentions_into("x", &["@all".to_owned()]), None);
    }
}
