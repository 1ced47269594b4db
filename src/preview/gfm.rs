//! GitHub-flavoured markdown that neither WeCom dialect has: people paste
//! READMEs and issue text into the composer, and the client shows these
//! as the characters typed (seed 001 lists the subsets; nothing else is
//! rendered). Found by a scan of the source lines outside code, since the
//! renderer parses without these extensions on purpose (so the preview
//! shows them as typed, as the client does).

use super::dialect::Dialect;
use super::hints::{HintKind, HintSeverity, Hints};

/// A GitHub extension the WeCom dialects do not render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gfm {
    /// `~~struck~~`.
    Strikethrough,
    /// `- [ ] to do`, `- [x] done`.
    TaskList,
    /// `[^1]` references and `[^1]: …` definitions.
    Footnote,
    /// HTML tags other than WeCom's `<font>` and `<@userid>`.
    Html,
}

impl Gfm {
    fn message(self, dialect: Dialect) -> std::borrow::Cow<'static, str> {
        let key = match (self, dialect) {
            (Gfm::Strikethrough, _) => "hint.gfm.strikethrough",
            (Gfm::TaskList, Dialect::MarkdownV2) => "hint.gfm.task_boxes",
            (Gfm::TaskList, _) => "hint.gfm.task_lists",
            (Gfm::Footnote, _) => "hint.gfm.footnotes",
            (Gfm::Html, _) => "hint.gfm.html",
        };
        crate::tr!(key)
    }
}

/// Adds a hint for each GitHub extension found outside code.
pub(crate) fn scan(source: &str, dialect: Dialect, hints: &mut Hints) {
    let mut fence: Option<&str> = None;
    for (index, line) in source.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let text = without_code_spans(trimmed);
        for found in find(&text) {
            hints.add(
                number,
                HintKind::NotInWeCom(found),
                HintSeverity::Warning,
                found.message(dialect),
            );
        }
    }
}

/// The extensions on one line (code spans already removed).
pub(crate) fn find(line: &str) -> Vec<Gfm> {
    let mut out = Vec::new();
    if let Some(start) = line.find("~~")
        && line[start + 2..].contains("~~")
    {
        out.push(Gfm::Strikethrough);
    }
    if task_box(line).is_some() {
        out.push(Gfm::TaskList);
    }
    if line.contains("[^") && line[line.find("[^").unwrap_or(0)..].contains(']') {
        out.push(Gfm::Footnote);
    }
    if has_other_html(line) {
        out.push(Gfm::Html);
    }
    out
}

/// Where a task box `[ ]` / `[x]` sits on a list line: its byte offset.
pub(crate) fn task_box(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let after_marker = if let Some(r) = rest
        .strip_prefix("- ")
        .or_else(|| rest.strip_prefix("* "))
        .or_else(|| rest.strip_prefix("+ "))
    {
        r
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest[digits..]
            .strip_prefix(". ")
            .or_else(|| rest[digits..].strip_prefix(") "))?
    };
    let offset = line.len() - after_marker.len();
    ["[ ] ", "[x] ", "[X] "]
        .iter()
        .any(|b| after_marker.starts_with(b))
        .then_some(offset)
}

fn has_other_html(line: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closes = tag.contains('>');
        let wecom = name.eq_ignore_ascii_case("font") || tag.starts_with('@');
        if closes
            && !wecom
            && !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            return true;
        }
        rest = &rest[at + 1..];
    }
    false
}

/// The line with its `` `code` `` spans blanked (what is in them is shown
/// as code, extensions and all).
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut inside = false;
    for c in line.chars() {
        if c == '`' {
            inside = !inside;
            out.push(' ');
        } else if inside {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_extension_is_found_and_code_is_left_alone() {
        assert_eq!(find("a ~~b~~ c"), vec![Gfm::Strikethrough]);
        assert_eq!(find("- [ ] ship it"), vec![Gfm::TaskList]);
        assert_eq!(find("1. [x] done"), vec![Gfm::TaskList]);
        assert_eq!(find("see [^1]"), vec![Gfm::Footnote]);
        assert_eq!(find("a <br> b"), vec![Gfm::Html]);
        assert!(find("<font color=\"info\">ok</font> <@zhangsan>").is_empty());
        assert!(find("a ~ b ~ c, 1 < 2 > 0, [link](x)").is_empty());
        let mut hints = Hints::default();
        scan("```\n~~x~~\n```\n`~~y~~`", Dialect::MarkdownV2, &mut hints);
        assert!(hints.into_sorted().is_empty());
    }
}
