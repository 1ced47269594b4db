//! Splitting content that is over its byte limit into numbered parts that
//! each fit, for `wecom send --split`.
//!
//! WeCom refuses a markdown message over 4096 bytes (40058) rather than
//! cutting it, so a long report has to go out as several messages. A reader
//! should see whole paragraphs, so parts are cut, in order of preference, at
//! a blank line, at a line break, and only as a last resort between two
//! characters (never inside a UTF-8 character). A fenced code block is kept
//! whole unless it alone is too large for a part; then it is cut at line
//! breaks and each piece is closed and reopened with the same fence, so every
//! part renders as code.
//!
//! Every part ends with a marker line `(k/n)`. [`rejoin`] removes the markers
//! and the added fences again: the parts rejoined are exactly the original,
//! which `tests/props_split.rs` checks on many generated documents. Both
//! are linear in the text: each line is read once.

use std::rc::Rc;

/// Why a text could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// The limit leaves no room for content once the marker and fences are
    /// counted.
    #[error("a limit of {0} bytes is too small to split into numbered parts")]
    LimitTooSmall(usize),
}

/// Why a list of parts is not what [`split`] makes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejoinError {
    #[error("part {0} does not end with its marker ({0}/{1})")]
    MissingMarker(usize, usize),
    #[error("part {0} should reopen the code block it continues, and does not")]
    MissingReopen(usize),
}

/// The smallest content budget per part that is accepted; below it the
/// marker and fences would crowd out the text.
const MIN_BUDGET: usize = 16;

/// Splits `text` into parts of at most `limit` bytes each. A text that fits
/// is returned whole, without a marker; otherwise every part ends with
/// `\n(k/n)`.
pub fn split(text: &str, limit: usize) -> Result<Vec<String>, SplitError> {
    if text.len() <= limit {
        return Ok(vec![text.to_owned()]);
    }
    let doc = Doc::new(text);
    // The marker's width depends on the number of parts; start with one digit
    // and widen until the count fits the width assumed.
    let mut digits = 1;
    loop {
        let chunks = doc.chunks(limit, marker_len(digits))?;
        let needed = chunks.len().to_string().len();
        if needed <= digits {
            let n = chunks.len();
            return Ok(chunks
                .iter()
                .enumerate()
                .map(|(i, c)| c.render(text, i + 1, n))
                .collect());
        }
        digits = needed;
    }
}

/// The inverse of [`split`]: the original text from its parts, markers and
/// added fences removed.
pub fn rejoin(parts: &[String]) -> Result<String, RejoinError> {
    if parts.len() == 1 {
        return Ok(parts[0].clone());
    }
    let n = parts.len();
    let mut out = String::new();
    // The fence state at the end of `out`, kept up to date as parts are
    // appended, so each byte is scanned once.
    let mut fences = FenceTracker::default();
    for (i, part) in parts.iter().enumerate() {
        let k = i + 1;
        let mut body = part
            .strip_suffix(&marker(k, n))
            .ok_or(RejoinError::MissingMarker(k, n))?;
        if let Some(open) = fences.state(&out) {
            body = body
                .strip_prefix(&open.reopen())
                .ok_or(RejoinError::MissingReopen(k))?;
        }
        let before = out.len();
        out.push_str(body);
        let mut after = fences.clone();
        after.advance(&out, before);
        if k < n
            && after.state(&out).is_none()
            && let Some(cut) = body.rfind('\n')
        {
            // A part cut inside a code block ends with the fence that [`split`]
            // added to close it: without that line, the block is still open.
            let inner_end = before + cut;
            let mut inner = fences.clone();
            inner.advance(&out[..inner_end], before);
            if let Some(open) = inner.state(&out[..inner_end])
                && body[cut..] == open.close()
            {
                out.truncate(inner_end);
                after = inner;
            }
        }
        fences = after;
    }
    Ok(out)
}

/// `\n(k/n)`: the line that numbers a part.
pub fn marker(k: usize, n: usize) -> String {
    format!("\n({k}/{n})")
}

fn marker_len(digits: usize) -> usize {
    "\n(/)".len() + 2 * digits
}

/// An open fenced code block: its opening line and fence characters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fence {
    /// Shared, not copied, by every line of the block.
    open_line: Rc<str>,
    ch: u8,
    count: usize,
}

impl Fence {
    /// What starts a part that continues this block.
    fn reopen(&self) -> String {
        format!("{}\n", self.open_line)
    }
    /// What ends a part cut inside this block.
    fn close(&self) -> String {
        let mut out = String::with_capacity(1 + self.count);
        out.push('\n');
        out.extend(std::iter::repeat_n(char::from(self.ch), self.count));
        out
    }
}

/// What the start of a line says about fences, read a piece at a time.
///
/// CommonMark's rules: up to three spaces, then a run of at least three
/// backticks or tildes opens a block (a backtick run only when no backtick
/// follows on the line); a run of the open block's character, at least as
/// long, followed by nothing but white space, closes it. Reading a line in
/// pieces gives the same answer as reading it whole, so a text that grows
/// (a part appended in [`rejoin`], a cut in the middle of a line) is never
/// scanned twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineHead {
    /// Only spaces so far (this many, at most three).
    Indent(u8),
    /// The indent, then a run of `count` fence characters `ch`.
    Run { ch: u8, count: usize },
    /// A run, then more: whether a backtick, and whether anything but white
    /// space, came after it.
    Rest {
        ch: u8,
        count: usize,
        backtick: bool,
        text: bool,
    },
    /// Neither opens nor closes a block, whatever follows.
    Plain,
}

impl Default for LineHead {
    fn default() -> Self {
        LineHead::Indent(0)
    }
}

impl LineHead {
    /// Reads the next piece of the line (no `\n` in it).
    fn feed(&mut self, piece: &str) {
        for c in piece.chars() {
            if self.settled() {
                return;
            }
            *self = match (*self, c) {
                (LineHead::Indent(n), ' ') if n < 3 => LineHead::Indent(n + 1),
                (LineHead::Indent(_), '`' | '~') => LineHead::Run {
                    ch: c as u8,
                    count: 1,
                },
                (LineHead::Run { ch, count }, c) if u32::from(ch) == u32::from(c) => {
                    LineHead::Run {
                        ch,
                        count: count + 1,
                    }
                }
                (LineHead::Run { ch, count }, c) if count >= 3 => LineHead::Rest {
                    ch,
                    count,
                    backtick: c == '`',
                    text: !c.is_whitespace(),
                },
                (
                    LineHead::Rest {
                        ch,
                        count,
                        backtick,
                        text,
                    },
                    c,
                ) => LineHead::Rest {
                    ch,
                    count,
                    backtick: backtick || c == '`',
                    text: text || !c.is_whitespace(),
                },
                // Four spaces, another first character, or a run too short
                // to open a block (and so too short to close one).
                _ => LineHead::Plain,
            };
        }
    }

    /// Whether nothing more on the line can change the answer.
    fn settled(&self) -> bool {
        match *self {
            LineHead::Plain => true,
            // Text after a tilde run: it opens, and can no longer close.
            LineHead::Rest { ch: b'~', text, .. } => text,
            // A backtick after a backtick run: neither opens nor closes.
            LineHead::Rest { backtick, .. } => backtick,
            _ => false,
        }
    }

    /// The fence character and run length, if any, as (ch, count).
    fn run(&self) -> Option<(u8, usize)> {
        match *self {
            LineHead::Run { ch, count, .. } | LineHead::Rest { ch, count, .. } if count >= 3 => {
                Some((ch, count))
            }
            _ => None,
        }
    }

    /// The state after this line (`line` is its text, for a block it opens).
    fn step(&self, before: Option<Fence>, line: &str) -> Option<Fence> {
        match before {
            None => {
                let (ch, count) = self.run()?;
                let backtick_after = matches!(self, LineHead::Rest { backtick: true, .. });
                (ch == b'~' || !backtick_after).then(|| Fence {
                    open_line: Rc::from(line),
                    ch,
                    count,
                })
            }
            Some(f) => {
                let closes = self.run().is_some_and(|(ch, count)| {
                    ch == f.ch
                        && count >= f.count
                        && !matches!(self, LineHead::Rest { text: true, .. })
                });
                if closes { None } else { Some(f) }
            }
        }
    }
}

/// The fence state at the end of a text that grows: the state before its
/// last line, and what that line (perhaps unfinished) says so far.
#[derive(Debug, Clone, Default)]
struct FenceTracker {
    before_line: Option<Fence>,
    line_start: usize,
    head: LineHead,
}

impl FenceTracker {
    /// Takes in `text[from..]`, where `text` is the whole text so far and
    /// `text[..from]` was taken in before.
    fn advance(&mut self, text: &str, from: usize) {
        let mut at = from;
        while let Some(nl) = text[at..].find('\n') {
            let end = at + nl;
            self.head.feed(&text[at..end]);
            self.before_line = self
                .head
                .step(self.before_line.take(), &text[self.line_start..end]);
            self.line_start = end + 1;
            self.head = LineHead::default();
            at = end + 1;
        }
        self.head.feed(&text[at..]);
    }

    /// The code block open at the end of `text` (the text taken in). A last
    /// line without a line break counts as a line, for [`split`] and
    /// [`rejoin`] alike.
    fn state(&self, text: &str) -> Option<Fence> {
        self.head
            .step(self.before_line.clone(), &text[self.line_start..])
    }
}

/// A line of the document: where it starts, the block open before it, and
/// where the block it belongs to starts and ends.
struct Line {
    start: usize,
    open_before: Option<Fence>,
    /// The start of the first line of the run of block lines this line is in
    /// (itself when no block is open before it).
    block_start: usize,
    /// The start of the line after the block's closing fence, or the end of
    /// the text.
    block_end: usize,
}

/// The document with its lines scanned once.
struct Doc<'a> {
    text: &'a str,
    lines: Vec<Line>,
    /// Room kept in every part for a closing fence.
    close_reserve: usize,
}

/// A piece of the original, with what is added around it.
struct Chunk {
    start: usize,
    end: usize,
    reopen: Option<Fence>,
    close: Option<Fence>,
}

impl Chunk {
    fn render(&self, text: &str, k: usize, n: usize) -> String {
        let mut out = String::new();
        if let Some(f) = &self.reopen {
            out.push_str(&f.reopen());
        }
        out.push_str(&text[self.start..self.end]);
        if let Some(f) = &self.close {
            out.push_str(&f.close());
        }
        out.push_str(&marker(k, n));
        out
    }
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Doc<'a> {
        let mut lines = Vec::new();
        let mut state = None;
        let mut start = 0;
        let mut widest = 3;
        let mut block_start = 0;
        for line in text.split('\n') {
            if state.is_none() {
                block_start = start;
            }
            lines.push(Line {
                start,
                open_before: state.clone(),
                block_start,
                block_end: text.len(),
            });
            let mut head = LineHead::default();
            head.feed(line);
            state = head.step(state, line);
            if let Some(f) = &state {
                widest = widest.max(f.count);
            }
            start += line.len() + 1;
        }
        // Backwards: each line's block ends where the next line with no
        // block open before it starts.
        let mut end = text.len();
        for line in lines.iter_mut().rev() {
            line.block_end = end;
            if line.open_before.is_none() {
                end = line.start;
            }
        }
        Doc {
            text,
            lines,
            close_reserve: 1 + widest,
        }
    }

    /// The index of the line holding byte `at`.
    fn line_at(&self, at: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= at)
            .saturating_sub(1)
    }

    /// The code block open at byte `at` (as if the text ended there). `head`
    /// caches what the current line said up to the previous cut, so a long
    /// line cut many times is read once.
    fn state_at(&self, at: usize, head: &mut (usize, usize, LineHead)) -> Option<Fence> {
        let i = self.line_at(at);
        let line = &self.lines[i];
        if head.0 != i || head.1 < line.start || head.1 > at {
            *head = (i, line.start, LineHead::default());
        }
        head.2.feed(&self.text[head.1..at]);
        head.1 = at;
        head.2
            .step(line.open_before.clone(), &self.text[line.start..at])
    }

    fn chunks(&self, limit: usize, marker: usize) -> Result<Vec<Chunk>, SplitError> {
        let mut chunks = Vec::new();
        let mut pos = 0;
        let mut reopen: Option<Fence> = None;
        let mut head = (usize::MAX, 0, LineHead::default());
        let total = self.text.len();
        loop {
            let prefix = reopen.as_ref().map_or(0, |f| f.open_line.len() + 1);
            let fixed = marker + prefix;
            if total - pos + fixed <= limit {
                chunks.push(Chunk {
                    start: pos,
                    end: total,
                    reopen,
                    close: None,
                });
                return Ok(chunks);
            }
            let budget = limit.saturating_sub(fixed + self.close_reserve);
            if budget < MIN_BUDGET {
                return Err(SplitError::LimitTooSmall(limit));
            }
            let cut = self.cut(pos, budget);
            let close = self.state_at(cut, &mut head);
            chunks.push(Chunk {
                start: pos,
                end: cut,
                reopen,
                close: close.clone(),
            });
            reopen = close;
            pos = cut;
        }
    }

    /// The end of the part that starts at `pos` and may hold `budget` bytes.
    fn cut(&self, pos: usize, budget: usize) -> usize {
        let window_end = pos + budget;
        let first = self.line_at(pos) + 1;
        let mut paragraph = None;
        let mut clean = None;
        let mut inside = None;
        for (i, line) in self.lines.iter().enumerate().skip(first) {
            if line.start > window_end || line.start >= self.text.len() {
                break;
            }
            if line.open_before.is_some() {
                inside = Some(i);
            } else {
                clean = Some(line.start);
                if self.text[..line.start].ends_with("\n\n") {
                    paragraph = Some(line.start);
                }
            }
        }
        let half = pos + budget / 2;
        // A code block that cannot fit in a part on its own is cut anyway, so
        // a tiny part before it would only waste a message.
        let forced = inside.filter(|&i| {
            let block = self.lines[i].block_end - self.lines[i].block_start;
            block > budget && clean.is_none_or(|c| c < half)
        });
        if let Some(i) = forced {
            return self.lines[i].start;
        }
        match (paragraph, clean) {
            (Some(p), _) if p >= half => p,
            (_, Some(c)) => c,
            _ => match inside {
                Some(i) => self.lines[i].start,
                None => floor_char_boundary(self.text, window_end),
            },
        }
    }
}

/// The largest char boundary at or below `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A text, markdown or markdown_v2 message whose content is over its byte
/// limit, as the numbered messages [`split`] makes of it: `None` when the
/// message is of another kind or already fits. Mentions of a text message
/// go on the last part only, so the group is notified once, when the whole
/// message is there. The composer's split offer and `wecom send --split`
/// send what this returns.
pub fn split_message(
    message: &crate::wecom::Message,
) -> Result<Option<Vec<crate::wecom::Message>>, SplitError> {
    use crate::wecom::Message;
    use crate::wecom::limits::{MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES};
    let (content, limit) = match message {
        Message::Text(t) => (&t.content, TEXT_MAX_BYTES),
        Message::Markdown(m) | Message::MarkdownV2(m) => (&m.content, MARKDOWN_MAX_BYTES),
        _ => return Ok(None),
    };
    if content.len() <= limit {
        return Ok(None);
    }
    let parts = split(content, limit)?;
    let n = parts.len();
    Ok(Some(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, content)| {
                let last = i + 1 == n;
                match message {
                    Message::Text(t) => Message::Text(crate::wecom::message::Text {
                        content,
                        mentioned_list: t.mentioned_list.clone().filter(|_| last),
                        mentioned_mobile_list: t.mentioned_mobile_list.clone().filter(|_| last),
                    }),
                    Message::Markdown(m) => Message::Markdown(crate::wecom::message::Markdown {
                        content,
                        ..m.clone()
                    }),
                    Message::MarkdownV2(m) => {
                        Message::MarkdownV2(crate::wecom::message::Markdown {
                            content,
                            ..m.clone()
                        })
                    }
                    other => other.clone(),
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(text: &str, limit: usize) -> Vec<String> {
        let parts = split(text, limit).unwrap();
        for (i, p) in parts.iter().enumerate() {
            assert!(
                p.len() <= limit,
                "part {} is {} bytes > {limit}",
                i + 1,
                p.len()
            );
        }
        assert_eq!(rejoin(&parts).unwrap(), text, "parts: {parts:#?}");
        parts
    }

    #[test]
    fn a_text_that_fits_is_one_part_without_a_marker() {
        assert_eq!(check("hello", 4096), vec!["hello".to_owned()]);
        let exact = "x".repeat(4096);
        assert_eq!(check(&exact, 4096), vec![exact.clone()]);
    }

    #[test]
    fn paragraphs_are_kept_whole_and_numbered() {
        let para = |c: char| format!("{}\n", c.to_string().repeat(60));
        let text = format!("{}\n{}\n{}", para('a'), para('b'), para('c'));
        let parts = check(&text, 100);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], format!("{}\n\n(1/3)", para('a')));
        assert!(parts[1].starts_with("bbbb"));
        assert!(parts[2].ends_with("\n(3/3)"));
    }

    #[test]
    fn never_inside_a_utf8_character() {
        let text = "企业微信".repeat(2000); // 24,000 bytes, no line breaks
        let parts = check(&text, 4096);
        assert!(parts.len() >= 6);
        for p in &parts {
            // Each part is valid UTF-8 by construction; each body is whole
            // three-byte characters.
            let body = p.rsplit_once('\n').unwrap().0;
            assert_eq!(body.len() % 3, 0);
        }
    }

    #[test]
    fn a_code_block_that_fits_is_moved_whole_to_the_next_part() {
        let intro = "intro line\n".repeat(20); // 220 bytes
        let code = format!("```\n{}```\n", "let x = 1;\n".repeat(10)); // 118 bytes
        let text = format!("{intro}{code}after\n");
        let parts = check(&text, 300);
        let holding: Vec<&String> = parts.iter().filter(|p| p.contains("let x")).collect();
        assert_eq!(holding.len(), 1, "{parts:#?}");
        assert!(holding[0].starts_with("```\n"));
    }

    #[test]
    fn a_block_too_large_alone_is_closed_and_reopened() {
        let code = format!("```rust\n{}```\n", "println!(\"x\");\n".repeat(40));
        let text = format!("# Log\n\n{code}done");
        let parts = check(&text, 200);
        assert!(parts.len() > 3);
        for p in &parts[1..parts.len() - 1] {
            assert!(p.starts_with("```rust\n"), "{p}");
            let body = p.rsplit_once('\n').unwrap().0;
            assert!(body.ends_with("\n```"), "{p}");
        }
    }

    #[test]
    fn a_tiny_limit_is_refused() {
        assert_eq!(
            split(&"x".repeat(100), 20),
            Err(SplitError::LimitTooSmall(20))
        );
    }

    #[test]
    fn many_parts_widen_the_marker() {
        let text = "line of text\n".repeat(2000);
        let parts = check(&text, 100);
        assert!(parts.len() >= 100);
        assert!(parts[0].ends_with(&format!("\n(1/{})", parts.len())));
    }

    #[test]
    fn a_long_text_message_splits_with_mentions_on_the_last_part_only() {
        use crate::wecom::Message;
        use crate::wecom::message::Text;
        // 2048 bytes is text's limit (API-FACTS: 文本内容, 最长不超过 2048 个字节).
        let content = "line of text\n".repeat(400); // 5200 bytes
        let message = Message::Text(Text {
            content: content.clone(),
            mentioned_list: Some(vec!["@all".to_owned()]),
            mentioned_mobile_list: None,
        });
        let parts = split_message(&message).unwrap().expect("over the limit");
        assert_eq!(parts.len(), 3);
        let mut texts = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let Message::Text(t) = part else {
                panic!("{part:?}")
            };
            assert!(t.content.len() <= 2048, "part {i}: {}", t.content.len());
            assert_eq!(t.mentioned_list.is_some(), i == 2, "part {i}");
            texts.push(t.content.clone());
        }
        assert_eq!(rejoin(&texts).unwrap(), content);
    }

    #[test]
    fn a_message_that_fits_or_has_no_content_is_not_split() {
        use crate::wecom::Message;
        use crate::wecom::message::Markdown;
        let fits = Message::Markdown(Markdown {
            content: "x".repeat(4096),
            ..Markdown::default()
        });
        assert_eq!(split_message(&fits).unwrap(), None);
        let over = Message::MarkdownV2(Markdown {
            content: "x".repeat(4097),
            ..Markdown::default()
        });
        let parts = split_message(&over).unwrap().unwrap();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| matches!(p, Message::MarkdownV2(_))));
    }
}
