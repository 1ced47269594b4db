//! The Checks pane under the editor: what would stop or weaken the send,
//! and a failed send's explanation. It scrolls (Alt-PgUp/PgDn, the wheel)
//! when it holds more than fits, so every line can be read.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::app::{App, Tone};
use super::keymap::{self, Action, Context};
use super::layout::layout;
use super::text;
use super::wrap;
use crate::wecom::MessageKind;
use crate::wecom::validate::Severity;

/// The Checks pane's title and lines: the draft's problems, and a send's
/// explanation first when it failed (last when it is a mere note).
fn content(app: &App) -> (Line<'static>, Vec<Line<'static>>) {
    let d = &app.derived;
    let errors = d
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
        + usize::from(d.parse_error.is_some());
    let warnings = d.problems.len() + usize::from(d.parse_error.is_some()) - errors;
    let empty = d.bytes.is_some_and(|(used, _)| used == 0);
    let title = if empty {
        Line::from(vec![
            Span::raw(crate::tr!("title.checks")),
            Span::styled(
                format!("{} ", text::shown(text::EMPTY_DRAFT)),
                app.theme.dim(),
            ),
        ])
    } else if errors + warnings == 0 {
        Line::from(vec![
            Span::raw(crate::tr!("title.checks")),
            Span::styled(crate::tr!("checks.ready"), app.theme.success()),
        ])
    } else {
        let mut spans = vec![Span::raw(crate::tr!("title.checks"))];
        if errors > 0 {
            spans.push(Span::styled(
                one_or_many("checks.errors", errors),
                app.theme.error(),
            ));
        }
        if warnings > 0 {
            spans.push(Span::styled(
                one_or_many("checks.warnings", warnings),
                app.theme.warning(),
            ));
        }
        Line::from(spans)
    };
    let mut lines: Vec<Line> = Vec::new();
    // A failed send's explanation comes first; a mere note comes last, after
    // the problems of the draft.
    let detail = app.status.detail.as_ref().map(|detail| {
        let style = match app.status.tone {
            Tone::Error => app.theme.error(),
            Tone::Warning => app.theme.warning(),
            _ => app.theme.dim(),
        };
        Line::styled(detail.clone(), style)
    });
    let urgent = matches!(app.status.tone, Tone::Error | Tone::Warning);
    if urgent && let Some(line) = detail.clone() {
        lines.push(line);
    }
    if let Some(e) = &d.parse_error {
        lines.push(Line::from(vec![
            Span::styled("✗ ", app.theme.error()),
            Span::raw(e.clone()),
        ]));
    }
    for p in d.problems.iter().filter(|_| !empty) {
        let (mark, style) = match p.severity {
            Severity::Error => ("✗ ", app.theme.error()),
            Severity::Warning => ("! ", app.theme.warning()),
        };
        let mut spans = vec![
            Span::styled(mark, style),
            Span::styled(format!("{} ", p.path), style),
            Span::raw(crate::i18n::join_sentences(&p.message, &p.fix)),
        ];
        // Too long a text or markdown: sending offers it as numbered parts
        // (to one robot: a broadcast is not split).
        if p.rule == crate::wecom::Rule::TooManyBytes
            && app.marked.is_empty()
            && p.path.ends_with("content")
            && matches!(
                app.kind,
                MessageKind::Text | MessageKind::Markdown | MessageKind::MarkdownV2
            )
        {
            spans.push(Span::styled(
                format!(
                    " [{}: {}]",
                    keymap::key_for(Action::Send, Context::Global),
                    crate::tr!("checks.send_as_parts")
                ),
                app.theme.key(),
            ));
        }
        lines.push(Line::from(spans));
    }
    if !urgent && let Some(line) = detail {
        lines.push(line);
    }
    (title, lines)
}

/// How far the Checks pane scrolls on the current screen: until its last
/// line shows, never into a blank pane.
pub fn max_scroll(app: &App) -> u16 {
    let area = layout(
        Rect::new(0, 0, app.size.0, app.size.1),
        app.kind,
        app.fields(),
    )
    .problems;
    let inner = Block::bordered().inner(area);
    let (_, lines) = content(app);
    u16::try_from(wrap::rows(&lines, inner.width))
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
}

/// Draws the pane, scrolled as the user left it; when it holds more than
/// fits, its frame says so and which keys scroll it.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (title, lines) = content(app);
    let inner = Block::bordered().inner(area);
    // Wrapped once: the rows counted are the rows drawn.
    let rows = wrap::lines(&lines, inner.width);
    let total = rows.len();
    let last = u16::try_from(total)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height);
    let scroll = app.checks_scroll.min(last);
    let mut block = app.theme.block(title, false);
    if last > 0 {
        let shown = (usize::from(scroll) + usize::from(inner.height)).min(total);
        block = block.title_bottom(
            Line::from(format!(
                " {}/{} {} · {shown}/{total} ",
                keymap::key_for(Action::ChecksUp, Context::Global),
                keymap::key_for(Action::ChecksDown, Context::Global),
                crate::tr!("checks.scroll"),
            ))
            .right_aligned()
            .style(app.theme.dim()),
        );
    }
    let shown: Vec<Line> = rows
        .into_iter()
        .skip(scroll.into())
        .take(inner.height.into())
        .collect();
    let p = Paragraph::new(shown).block(block);
    frame.render_widget(p, area);
}

/// `3 errors`, `1 warning`: English counts with a plural, Chinese
/// without (its two keys say the same).
fn one_or_many(key: &str, n: usize) -> String {
    let which = if n == 1 { "one" } else { "many" };
    let key = format!("{key}_{which}");
    crate::tr!(&key, n = n).into_owned()
}
