//! text messages: no markup at all, except WeCom's `<@userid>` mentions in
//! the content, and the people in `mentioned_list` / `mentioned_mobile_list`
//! on a last line of their own, as the client shows them.

use ratatui::style::Style;
use ratatui::text::Line;

use super::RenderOptions;
use super::inline::{self, Piece};
use super::source::SourceMap;
use super::style::Styles;
use super::writer::{Writer, run};

pub(crate) fn render(
    map: &SourceMap<'_>,
    opts: &RenderOptions<'_>,
    st: &Styles,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut out = Writer::new(opts.width, st.frame);
    let mut last = 1;
    for (i, line) in map.src().split('\n').enumerate() {
        last = i + 1;
        out.ensure_line(last);
        for piece in inline::mentions(line) {
            match piece {
                Piece::Mention { id, .. } => out.push(&format!("@{id}"), st.mention, last),
                Piece::Text(t) => out.push(t, Style::default(), last),
                Piece::FontOpen { raw, .. } | Piece::FontClose(raw) => {
                    out.push(raw, Style::default(), last);
                }
            }
        }
        out.end_line();
    }
    let names = mention_line(opts.mentioned_list, opts.mentioned_mobile_list);
    if !names.is_empty() {
        out.push_row(Vec::new(), last);
        out.push_row(run(names, st.mention), last);
    }
    out.finish()
}

/// `@wangqing @13800001111 @all`: user ids, then phone numbers, each once,
/// and `@all` once however often it is given.
pub(crate) fn mention_line(users: &[String], mobiles: &[String]) -> String {
    let mut unique = std::collections::HashSet::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in users.iter().chain(mobiles) {
        let m = m.trim();
        if !m.is_empty() && unique.insert(m) {
            seen.push(m);
        }
    }
    seen.iter()
        .map(|m| {
            if *m == "@all" {
                "@all".to_owned()
            } else {
                format!("@{m}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
