//! The results of a broadcast: one line per robot, filled in as the
//! outcomes arrive from the runner ([`crate::tui::msg::Msg::BroadcastRow`]).
//! Its state, what its keys do and its widget live here, as the file
//! browser's do.
//!
//! The outcomes themselves are kept in [`Broadcast`] on the app, not in the
//! pop-up: Esc closes the view while the sending goes on in the background,
//! and the status line keeps counting from the same rows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::msg::Outgoing;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::untrusted::one_line;
use crate::wecom::{MessageKind, Webhook, errcode};

pub use crate::tui::msg::RowState;

impl RowState {
    /// Whether this robot's part is over (for this run of the composer).
    pub fn ended(&self) -> bool {
        !matches!(
            self,
            RowState::Queued
                | RowState::Waiting { .. }
                | RowState::Sending { .. }
                | RowState::Retrying { .. }
        )
    }

    /// Whether `r` sends it again: everything that ended without being
    /// delivered. An unknown one is included because the key is the user's
    /// explicit say; the view warns that it may arrive twice.
    pub fn retried_by_user(&self) -> bool {
        self.ended() && !matches!(self, RowState::Sent { .. })
    }
}

/// One robot of a broadcast.
#[derive(Debug, Clone)]
pub struct Row {
    pub robot: String,
    pub webhook: Webhook,
    /// Its outbox item, once queued.
    pub outbox_id: Option<i64>,
    pub state: RowState,
}

/// The latest broadcast of this composer.
#[derive(Debug, Clone)]
pub struct Broadcast {
    /// The send id its messages carry; older ones are dropped.
    pub id: u64,
    pub kind: MessageKind,
    /// What was sent, for retries.
    pub outgoing: Outgoing,
    /// The JSON body as composed, for the detail view.
    pub payload: String,
    /// The outbox batch (one broadcast id in the history).
    pub batch: Option<String>,
    pub rows: Vec<Row>,
}

impl Broadcast {
    pub fn in_flight(&self) -> bool {
        self.rows.iter().any(|r| !r.state.ended())
    }

    /// How many rows are in each kind of state, for the status line:
    /// "2 sent, 1 waiting, 1 refused".
    pub fn summary(&self) -> String {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for row in &self.rows {
            let word = match row.state {
                RowState::Queued => "results.count.queued",
                RowState::Waiting { .. } => "results.count.waiting",
                RowState::Sending { .. } => "results.count.sending",
                RowState::Retrying { .. } => "results.count.retrying",
                RowState::Sent { .. } => "results.count.sent",
                RowState::Refused { .. } => "results.count.refused",
                RowState::Failed { .. } => "results.count.failed",
                RowState::Unknown { .. } => "results.count.unknown",
                RowState::Cancelled => "results.count.cancelled",
            };
            match counts.iter_mut().find(|(w, _)| *w == word) {
                Some((_, n)) => *n += 1,
                None => counts.push((word, 1)),
            }
        }
        counts
            .iter()
            .map(|(w, n)| crate::tr!(*w, n = n).into_owned())
            .collect::<Vec<_>>()
            .join(&crate::tr!("results.count.separator"))
    }

    pub fn sent(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.state, RowState::Sent { .. }))
            .count()
    }
}

/// The pop-up: which line is selected, and whether one robot's detail is
/// open (with its scroll).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultsView {
    pub selected: usize,
    pub detail: Option<u16>,
}

/// What a key in the view asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultsOutcome {
    Stay,
    Closed,
    /// Send again to these rows (their indexes; none: nothing to retry).
    Retry(Vec<usize>),
}

impl ResultsView {
    /// Applies `action` to the view of `broadcast`.
    pub fn on_action(&mut self, broadcast: &Broadcast, action: Option<Action>) -> ResultsOutcome {
        let last = broadcast.rows.len().saturating_sub(1);
        match (action, self.detail) {
            (Some(Action::Close), Some(_)) | (Some(Action::Select), Some(_)) => self.detail = None,
            (Some(Action::Close), None) => return ResultsOutcome::Closed,
            (Some(Action::Up), Some(s)) => self.detail = Some(s.saturating_sub(1)),
            (Some(Action::Down), Some(s)) => self.detail = Some(s.saturating_add(1)),
            (Some(Action::PageUp), Some(s)) => self.detail = Some(s.saturating_sub(10)),
            (Some(Action::PageDown), Some(s)) => self.detail = Some(s.saturating_add(10)),
            (Some(Action::Up), None) => self.selected = self.selected.saturating_sub(1),
            (Some(Action::Down), None) => self.selected = (self.selected + 1).min(last),
            (Some(Action::PageUp), None) => self.selected = self.selected.saturating_sub(10),
            (Some(Action::PageDown), None) => self.selected = (self.selected + 10).min(last),
            (Some(Action::Select), None) if !broadcast.rows.is_empty() => self.detail = Some(0),
            (Some(Action::RetryItem), _) => {
                let rows: Vec<usize> = broadcast
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.state.retried_by_user())
                    .map(|(i, _)| i)
                    .collect();
                return ResultsOutcome::Retry(rows);
            }
            _ => {}
        }
        ResultsOutcome::Stay
    }
}

/// The view drawn over the screen.
pub struct ResultsWidget<'a> {
    pub view: &'a ResultsView,
    pub broadcast: &'a Broadcast,
    pub theme: &'a Theme,
    /// Now (Unix ms), for the countdowns.
    pub now_ms: u64,
}

/// Seconds from `now` until `at`, rounded up.
fn secs_until(at_ms: u64, now_ms: u64) -> u64 {
    at_ms.saturating_sub(now_ms).div_ceil(1000)
}

/// The line of one row's state (without the robot's name): its mark, its
/// words and its style.
fn state_text(state: &RowState, now_ms: u64, theme: &Theme) -> (String, Style) {
    match state {
        RowState::Queued => (crate::tr!("results.queued").into_owned(), theme.dim()),
        RowState::Waiting { until_ms } => (
            crate::tr!("results.waiting", s = secs_until(*until_ms, now_ms)).into_owned(),
            theme.warning(),
        ),
        RowState::Sending { attempt: 1 } => {
            (crate::tr!("results.sending").into_owned(), theme.accent())
        }
        RowState::Sending { attempt } => (
            crate::tr!("results.sending_attempt", n = attempt).into_owned(),
            theme.accent(),
        ),
        RowState::Retrying {
            attempt,
            at_ms,
            reason,
        } => (
            crate::tr!(
                "results.retrying",
                reason = one_line(reason),
                n = attempt,
                s = secs_until(*at_ms, now_ms)
            )
            .into_owned(),
            theme.warning(),
        ),
        RowState::Sent {
            elapsed_ms,
            waited_ms,
        } => {
            let waited = if *waited_ms >= 1000 {
                crate::tr!("results.waited", s = waited_ms.div_ceil(1000)).into_owned()
            } else {
                String::new()
            };
            (
                crate::tr!("results.sent", ms = elapsed_ms, waited = waited).into_owned(),
                theme.success(),
            )
        }
        RowState::Refused {
            errcode: Some(code),
            ..
        } => {
            let meaning = errcode::explain(*code)
                .map_or_else(|| crate::tr!("results.see_detail"), |e| e.shown_meaning());
            (
                crate::tr!("results.refused_code", code = code, meaning = meaning).into_owned(),
                theme.error(),
            )
        }
        RowState::Refused { errcode: None, .. } => {
            (crate::tr!("results.refused").into_owned(), theme.error())
        }
        RowState::Failed { .. } => (crate::tr!("results.failed").into_owned(), theme.error()),
        RowState::Unknown { .. } => (crate::tr!("results.unknown").into_owned(), theme.warning()),
        RowState::Cancelled => (crate::tr!("results.cancelled").into_owned(), theme.dim()),
    }
}

/// The detail of one row: the outcome in full, then the payload.
fn detail_lines(
    broadcast: &Broadcast,
    row: &Row,
    now_ms: u64,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let (state, style) = state_text(&row.state, now_ms, theme);
    // The field names line up by display width, in either language.
    let names = [
        crate::tr!("results.field.robot"),
        crate::tr!("results.field.sends_to"),
        crate::tr!("results.field.outbox"),
        crate::tr!("results.field.outcome"),
    ];
    let column = names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_ref()))
        .max()
        .unwrap_or(0)
        + 1;
    let name = |i: usize| Span::styled(fit(&names[i], column), theme.dim());
    let mut lines = vec![
        Line::from(vec![name(0), Span::raw(one_line(&row.robot).into_owned())]),
        Line::from(vec![
            name(1),
            Span::raw(format!("{} {}", row.webhook.host(), row.webhook.key())),
        ]),
        Line::from(vec![
            name(2),
            Span::raw(row.outbox_id.map_or("–".to_owned(), |id| id.to_string())),
        ]),
        Line::from(vec![name(3), Span::styled(state, style)]),
    ];
    let explained = match &row.state {
        RowState::Refused {
            errcode: Some(code),
            detail,
        } => vec![one_line(detail).into_owned(), errcode::describe(*code)],
        RowState::Refused { detail, .. } | RowState::Failed { detail } => {
            vec![one_line(detail).into_owned()]
        }
        RowState::Unknown { detail } => vec![
            one_line(detail).into_owned(),
            crate::tr!("results.unknown_detail").into_owned(),
        ],
        _ => Vec::new(),
    };
    lines.extend(explained.into_iter().map(Line::raw));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        crate::tr!("results.payload", kind = broadcast.kind.shown()),
        theme.dim(),
    ));
    let pretty = serde_json::from_str::<serde_json::Value>(&broadcast.payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| broadcast.payload.clone());
    // The payload is the user's own text, but drawn escaped all the same.
    lines.extend(pretty.lines().map(|l| Line::raw(one_line(l).into_owned())));
    lines
}

impl Widget for ResultsWidget<'_> {
    /// Draws the view in a box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let b = self.broadcast;
        let height = (b.rows.len() as u16 + 6).max(12);
        let area = popup_area(area, 84, height.min(area.height.saturating_sub(4)));
        let title = crate::tr!(
            "results.title",
            kind = b.kind.shown(),
            n = b.rows.len(),
            summary = b.summary()
        )
        .into_owned();
        let outer = theme.block(title, true).title_bottom(
            Line::from(format!(
                " {} ",
                keymap::hint_line(Context::Results, false, |_| true)
            ))
            .style(theme.key()),
        );
        let inner = outer.inner(area);
        super::clear(area, buf);
        outer.render(area, buf);
        if let Some(scroll) = self.view.detail
            && let Some(row) = b.rows.get(self.view.selected)
        {
            let lines = detail_lines(b, row, self.now_ms, theme);
            // Scrolled no further than the last row shows, counted as
            // the rows are drawn (a long Chinese explanation wraps more,
            // and the payload below it must still be reachable).
            let rows = crate::tui::wrap::lines(&lines, inner.width);
            let last = u16::try_from(rows.len())
                .unwrap_or(u16::MAX)
                .saturating_sub(inner.height);
            let shown: Vec<Line> = rows
                .into_iter()
                .skip(scroll.min(last).into())
                .take(inner.height.into())
                .collect();
            Paragraph::new(shown).render(inner, buf);
            return;
        }
        let width = inner.width as usize;
        let name_width = b
            .rows
            .iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r.robot.as_str()))
            .max()
            .unwrap_or(0)
            .clamp(4, 20);
        let rows_height = inner.height.saturating_sub(2) as usize;
        let offset = (self.view.selected + 1).saturating_sub(rows_height);
        let mut lines: Vec<Line> = b
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows_height)
            .map(|(i, row)| {
                let (state, style) = state_text(&row.state, self.now_ms, theme);
                let marker = if i == self.view.selected {
                    "› "
                } else {
                    "  "
                };
                let name = fit(&one_line(&row.robot), name_width);
                let rest = fit(&state, width.saturating_sub(name_width + 4));
                let name_style = if i == self.view.selected {
                    theme.selected()
                } else {
                    Style::default()
                };
                Line::from(vec![
                    Span::styled(format!("{marker}{name}  "), name_style),
                    Span::styled(rest, style),
                ])
            })
            .collect();
        lines.push(Line::raw(""));
        let note = if b
            .rows
            .iter()
            .any(|r| matches!(r.state, RowState::Unknown { .. }))
        {
            crate::tr!("results.note_unknown")
        } else if b.in_flight() {
            crate::tr!("results.note_in_flight")
        } else {
            crate::tr!("results.note_over")
        };
        lines.push(Line::styled(fit(&note, width), theme.dim()));
        Paragraph::new(lines).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ended_undelivered_rows_are_retried_by_the_user() {
        assert!(!RowState::Waiting { until_ms: 1 }.retried_by_user());
        assert!(
            !RowState::Sent {
                elapsed_ms: 1,
                waited_ms: 0
            }
            .retried_by_user()
        );
        assert!(
            RowState::Unknown {
                detail: String::new()
            }
            .retried_by_user()
        );
        assert!(
            RowState::Refused {
                errcode: Some(93000),
                detail: String::new()
            }
            .retried_by_user()
        );
    }
}
