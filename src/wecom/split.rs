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
//! which the tests check on many generated documents.

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
    for (i, part) in parts.iter().enumerate() {
        let k = i + 1;
        let mut body = part
            .strip_suffix(&marker(k, n))
            .ok_or(RejoinError::MissingMarker(k, n))?;
        if let Some(open) = state_after(&out) {
            body = body
                .strip_prefix(&open.reopen())
                .ok_or(RejoinError::MissingReopen(k))?;
        }
        if k < n
            && state_after(&format!("{out}{body}")).is_none()
            && let Some(cut) = body.rfind('\n')
        {
            // A part cut inside a code block ends with the fence that [`split`]
            // added to close it: without that line, the block is still open.
            let (inner, tail) = body.split_at(cut);
            if let Some(open) = state_after(&format!("{out}{inner}"))
                && tail == open.close()
            {
                body = inner;
            }
        }
        out.push_str(body);
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
    open_line: String,
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
        format!("\n{}", String::from_utf8_lossy(&vec![self.ch; self.count]))
    }
}

/// The line without up to three leading spaces, as CommonMark allows before
/// a fence.
fn unindent(line: &str) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    if spaces <= 3 { &line[spaces..] } else { line }
}

fn run_of(s: &str, ch: u8) -> usize {
    s.bytes().take_while(|&b| b == ch).count()
}

fn opening(line: &str) -> Option<Fence> {
    let body = unindent(line);
    let ch = *body.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let count = run_of(body, ch);
    if count < 3 || (ch == b'`' && body[count..].contains('`')) {
        return None;
    }
    Some(Fence {
        open_line: line.to_owned(),
        ch,
        count,
    })
}

fn closes(line: &str, fence: &Fence) -> bool {
    let body = unindent(line);
    let count = run_of(body, fence.ch);
    count >= fence.count && body[count..].trim().is_empty()
}

fn step(state: Option<Fence>, line: &str) -> Option<Fence> {
    match state {
        None => opening(line),
        Some(f) if closes(line, &f) => None,
        Some(f) => Some(f),
    }
}

/// The code block open at the end of `text`, if any. A last line without a
/// line break counts as a line, for [`split`] and [`rejoin`] alike.
fn state_after(text: &str) -> Option<Fence> {
    text.split('\n').fold(None, step)
}

/// A line of the document: where it starts, and the block open before it.
struct Line {
    start: usize,
    open_before: Option<Fence>,
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
        for line in text.split('\n') {
            lines.push(Line {
                start,
                open_before: state.clone(),
            });
            state = step(state, line);
            if let Some(f) = &state {
                widest = widest.max(f.count);
            }
            start += line.len() + 1;
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

    /// Where the block open before line `i` ends (the start of the line after
    /// its closing fence, or the end of the text).
    fn block_end(&self, i: usize) -> usize {
        self.lines[i..]
            .iter()
            .skip(1)
            .find(|l| l.open_before.is_none())
            .map_or(self.text.len(), |l| l.start)
    }

    /// Where the block open before line `i` starts.
    fn block_start(&self, i: usize) -> usize {
        self.lines[..=i]
            .iter()
            .rposition(|l| l.open_before.is_none())
            .map_or(0, |j| self.lines[j].start)
    }

    fn chunks(&self, limit: usize, marker: usize) -> Result<Vec<Chunk>, SplitError> {
        let mut chunks = Vec::new();
        let mut pos = 0;
        let mut reopen: Option<Fence> = None;
        let total = self.text.len();
        loop {
            let prefix = reopen.as_ref().map_or(0, |f| f.reopen().len());
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
            let close = state_after(&self.text[..cut]);
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
            let block = self.block_end(i) - self.block_start(i);
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

    /// Documents made of random pieces: paragraphs, long lines, multi-byte
    /// text, fences of both kinds, nested-looking fences, CRLF, unclosed
    /// blocks. Every split must fit and rejoin exactly.
    #[test]
    fn generated_documents_always_fit_and_rejoin() {
        let pieces = [
            "plain words here ",
            "\n",
            "\n\n",
            "## heading\n",
            "```\n",
            "```python\n",
            "~~~~\n",
            "   ```\n",
            "````\n",
            "`inline` code ",
            "企业微信机器人",
            "😀",
            "\r\n",
            "> quote\n",
            "<@userid>",
            "(1/2)",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..400 {
            let len = 20 + (next() % 600) as usize;
            let mut text = String::new();
            for _ in 0..len {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                if next() % 10 == 0 {
                    text.push_str(&piece.repeat(1 + (next() % 40) as usize));
                } else {
                    text.push_str(piece);
                }
            }
            let limit = [64, 100, 257, 1000, 4096][round % 5];
            check(&text, limit);
        }
    }
}
