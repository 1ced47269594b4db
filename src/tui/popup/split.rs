//! The split offer: a text or markdown message over its byte limit is
//! refused by WeCom (40058) rather than cut, so instead of only refusing it
//! the composer offers to send it as numbered parts, cut where a reader
//! expects (blank lines, then line breaks; code blocks kept whole or closed
//! and reopened), by the same splitter as `wecom send --split`.
//!
//! The parts are shown before anything is sent; Enter sends them in order
//! through the outbox, Esc goes back to the draft. The pop-up holds the
//! parts, scrolls them and draws itself.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::keymap::{Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::untrusted;
use crate::wecom::split::{SplitError, split_message};
use crate::wecom::validate::group_digits;
use crate::wecom::{Message, MessageKind};

/// Lines a page key scrolls.
const PAGE: u16 = 10;

/// The parts offered, and where the list is scrolled to.
pub struct SplitOffer {
    /// Who they go to ("ops").
    pub targets: String,
    pub kind: MessageKind,
    /// The content's size and its limit, in bytes.
    pub bytes: usize,
    pub limit: usize,
    pub parts: Vec<Message>,
    pub scroll: u16,
    theme: Theme,
}

/// What an action asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SplitOutcome {
    Stay,
    Closed,
    /// Send these parts, in order.
    Send(Vec<Message>),
}

impl SplitOffer {
    /// The offer for `message`, or `None` when it is not a text or markdown
    /// message over its limit (nothing to offer).
    pub fn for_message(
        message: &Message,
        targets: String,
        theme: Theme,
    ) -> Result<Option<SplitOffer>, SplitError> {
        let Some(parts) = split_message(message)? else {
            return Ok(None);
        };
        let (bytes, limit) = match message {
            Message::Text(t) => (t.content.len(), crate::wecom::limits::TEXT_MAX_BYTES),
            Message::Markdown(m) | Message::MarkdownV2(m) => {
                (m.content.len(), crate::wecom::limits::MARKDOWN_MAX_BYTES)
            }
            _ => return Ok(None),
        };
        Ok(Some(SplitOffer {
            targets,
            kind: message.kind(),
            bytes,
            limit,
            parts,
            scroll: 0,
            theme,
        }))
    }

    /// Does what the key map made of a key here.
    pub fn on_action(&mut self, action: Option<Action>) -> SplitOutcome {
        match action {
            Some(Action::Close) => return SplitOutcome::Closed,
            Some(Action::SendParts) => return SplitOutcome::Send(self.parts.clone()),
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll = self.scroll.saturating_add(1).min(self.last()),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(PAGE),
            Some(Action::PageDown) => {
                self.scroll = self.scroll.saturating_add(PAGE).min(self.last())
            }
            _ => {}
        }
        SplitOutcome::Stay
    }

    /// The last line the list can be scrolled to (its length; the box
    /// shows at least its last line).
    fn last(&self) -> u16 {
        let lines: usize = self
            .parts
            .iter()
            .map(|p| 1 + Self::content(p).lines().count())
            .sum();
        u16::try_from(lines.saturating_sub(1)).unwrap_or(u16::MAX)
    }

    fn content(part: &Message) -> &str {
        match part {
            Message::Text(t) => &t.content,
            Message::Markdown(m) | Message::MarkdownV2(m) => &m.content,
            _ => "",
        }
    }

    /// Every part under a rule naming it and its size.
    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let n = self.parts.len();
        let mut lines = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            let content = Self::content(part);
            let mentions = match part {
                Message::Text(t)
                    if t.mentioned_list.is_some() || t.mentioned_mobile_list.is_some() =>
                {
                    crate::tr!("split.mentions_here")
                }
                _ => "".into(),
            };
            lines.push(Line::styled(
                fit(
                    &crate::tr!(
                        "split.part",
                        i = i + 1,
                        n = n,
                        bytes = group_digits(content.len()),
                        mentions = mentions
                    ),
                    width,
                ),
                self.theme.key(),
            ));
            for line in content.lines() {
                lines.push(Line::raw(fit(&untrusted::one_line(line), width)));
            }
        }
        lines
    }
}

impl Widget for &SplitOffer {
    /// A large box over `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.theme;
        let area = popup_area(area, 90, area.height.saturating_sub(4));
        let title = crate::tr!("split.title", n = self.parts.len()).into_owned();
        let inner = super::frame(theme, title, Context::SplitOffer, area, buf);
        let width = inner.width as usize;
        let mut lines = vec![
            Line::from(fit(
                &crate::tr!(
                    "split.over",
                    bytes = group_digits(self.bytes),
                    msgtype = self.kind.msgtype(),
                    limit = group_digits(self.limit)
                ),
                width,
            )),
            Line::from(fit(
                &crate::tr!("split.can_go", targets = self.targets, n = self.parts.len()),
                width,
            )),
            Line::raw(""),
        ];
        let height = usize::from(inner.height).saturating_sub(lines.len());
        lines.extend(
            self.lines(width)
                .into_iter()
                .skip(usize::from(self.scroll))
                .take(height),
        );
        Paragraph::new(lines).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wecom::message::Markdown;

    fn over() -> Message {
        Message::Markdown(Markdown {
            content: "a paragraph of the report\n\n".repeat(200), // 5,400 bytes
            ..Markdown::default()
        })
    }

    #[test]
    fn enter_sends_every_part_in_order_and_esc_sends_nothing() {
        let mut offer = SplitOffer::for_message(&over(), "ops".into(), Theme { color: false })
            .unwrap()
            .expect("5,400 bytes is over markdown's 4,096");
        assert_eq!(offer.parts.len(), 2);
        assert_eq!(offer.bytes, 5400);
        assert_eq!(offer.limit, 4096);
        match offer.on_action(Some(Action::SendParts)) {
            SplitOutcome::Send(parts) => assert_eq!(parts, offer.parts),
            other => panic!("{other:?}"),
        }
        assert_eq!(offer.on_action(Some(Action::Close)), SplitOutcome::Closed);
    }

    #[test]
    fn a_message_within_its_limit_gets_no_offer() {
        let fits = Message::Markdown(Markdown {
            content: "short".into(),
            ..Markdown::default()
        });
        assert!(
            SplitOffer::for_message(&fits, "ops".into(), Theme { color: false })
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn scrolling_stops_at_the_last_line() {
        let mut offer = SplitOffer::for_message(&over(), "ops".into(), Theme { color: false })
            .unwrap()
            .unwrap();
        for _ in 0..1000 {
            offer.on_action(Some(Action::PageDown));
        }
        assert_eq!(offer.scroll, offer.last());
        assert!(offer.scroll > 0);
    }
}
