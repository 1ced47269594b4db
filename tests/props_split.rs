//! Properties of `wecom send --split` (the splitter in `wecom::split`), on
//! generated documents: every part within the limit, the parts rejoined are
//! the original, and a code block cut across parts is closed and reopened so
//! every part's fences balance.
//!
//! Runs at proptest's default case count; `PROPTEST_CASES=100000 cargo test
//! --release --test props_split` runs it long.

use proptest::prelude::*;
use wecom_composer::wecom::split::{marker, rejoin, split};

/// Pieces documents are made of: prose, line breaks of every kind, fences of
/// both characters and several lengths (indented, with info strings,
/// closing-looking), multi-byte text and text that looks like a marker.
const PIECES: &[&str] = &[
    "plain words here ",
    "\n",
    "\n\n",
    "## heading\n",
    "```\n",
    "```python\n",
    "~~~~\n",
    "   ```\n",
    "    ```\n",
    "````\n",
    "``` `x`\n",
    "~~~ a`b\n",
    "`inline` code ",
    "企业微信机器人",
    "😀",
    "\r\n",
    "\r",
    "> quote\n",
    "<@userid>",
    "(1/2)",
    "\n(3/4)",
    "\t",
    " ",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::sample::select(PIECES), 1usize..30, any::<bool>()),
        0..400,
    )
    .prop_map(|pieces| {
        pieces
            .into_iter()
            .map(|(p, n, repeat)| if repeat { p.repeat(n) } else { p.to_owned() })
            .collect()
    })
}

/// A document of short lines whose code blocks are all closed: prose,
/// blank lines, and fenced blocks of up to 80 lines.
fn balanced_document() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        "[a-z企业 ]{0,60}\n",
        Just("\n".to_owned()),
        (
            prop::sample::select(&["```", "~~~", "````", "```rust", "  ~~~~ text"][..]),
            prop::collection::vec("[a-z][a-z `~企]{0,40}", 0..80),
        )
            .prop_map(|(open, lines)| {
                let fence = open.trim_start();
                let ch = fence.chars().next().unwrap_or('`');
                let close: String =
                    std::iter::repeat_n(ch, fence.chars().take_while(|&c| c == ch).count())
                        .collect();
                let mut block = format!("{open}\n");
                for line in lines {
                    block.push_str(&line);
                    block.push('\n');
                }
                block.push_str(&close);
                block.push('\n');
                block
            }),
    ];
    prop::collection::vec(block, 0..120).prop_map(|blocks| blocks.concat())
}

/// Any text at all, for the limit and rejoin properties.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        document(),
        balanced_document(),
        any::<String>(),
        "[a`~\n ]{0,3000}"
    ]
}

fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![Just(2048), Just(4096), 40usize..600, 600usize..5000]
}

/// The code block open after `text`, as CommonMark reads fences: an oracle
/// written apart from the splitter's own reader. `(char, run length)`.
fn open_fence_after(text: &str) -> Option<(char, usize)> {
    let mut open: Option<(char, usize)> = None;
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            continue;
        }
        let body = &line[indent..];
        let Some(c) = body.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let run = body.chars().take_while(|&x| x == c).count();
        let rest = &body[run..];
        open = match open {
            None if run >= 3 && !(c == '`' && rest.contains('`')) => Some((c, run)),
            Some((oc, on)) if c == oc && run >= on && rest.trim().is_empty() => None,
            other => other,
        };
    }
    open
}

proptest! {
    #[test]
    fn every_part_fits_and_the_parts_rejoin_to_the_original(
        text in any_text(),
        limit in limit(),
    ) {
        let parts = match split(&text, limit) {
            Ok(parts) => parts,
            // Only a limit too small for a marker and a fence is refused.
            Err(e) => {
                prop_assert!(limit < 200, "{e} at limit {limit}");
                return Ok(());
            }
        };
        for (i, part) in parts.iter().enumerate() {
            prop_assert!(part.len() <= limit, "part {} is {} bytes > {limit}", i + 1, part.len());
        }
        if text.len() <= limit {
            prop_assert_eq!(&parts, &vec![text.clone()]);
        } else {
            let n = parts.len();
            prop_assert!(n >= 2);
            for (i, part) in parts.iter().enumerate() {
                prop_assert!(part.ends_with(&marker(i + 1, n)), "part {} lacks its marker", i + 1);
            }
        }
        prop_assert_eq!(rejoin(&parts).ok(), Some(text));
    }

    /// With lines shorter than a part (so every cut is at a line break) and
    /// balanced fences in the original, every part's fences balance on their
    /// own, and a part that continues a block starts by reopening it.
    #[test]
    fn every_part_of_a_balanced_document_balances_its_fences(
        text in balanced_document(),
        limit in prop_oneof![Just(2048), Just(4096), 300usize..1500],
    ) {
        prop_assert_eq!(open_fence_after(&text), None, "the generator makes balanced documents");
        let parts = split(&text, limit).expect("a limit of at least 300 is enough");
        let n = parts.len();
        for (i, part) in parts.iter().enumerate() {
            let body = if n == 1 {
                part.as_str()
            } else {
                part.strip_suffix(&marker(i + 1, n)).expect("marker")
            };
            prop_assert_eq!(
                open_fence_after(body), None,
                "part {}/{} leaves a code block open:\n{}", i + 1, n, body
            );
        }
    }

    /// Plain text at the text message's 2048-byte limit: parts fit, no
    /// character is cut in two, and they rejoin.
    #[test]
    fn text_messages_split_at_2048_bytes(text in "[a-z企业微信😀 \n]{2049,9000}") {
        let parts = split(&text, 2048).expect("2048 is enough");
        prop_assert!(parts.len() >= 2);
        prop_assert!(parts.iter().all(|p| p.len() <= 2048));
        prop_assert_eq!(rejoin(&parts).ok(), Some(text));
    }
}
