//! Send later (Ctrl-L): the time the current message is due, typed in the
//! forms `wecom send --at` and `--in` read (`18:00`, `+30m`, `tomorrow
//! 09:00`, `2026-12-24 09:00`), read back as it is typed so the user sees
//! what was understood before anything is queued.
//!
//! The message is checked now and goes into the outbox with its due time;
//! whichever `wecom` process holds the store then (this composer, `wecom
//! outbox run`, `wecom serve`) delivers it. The pop-up holds its text and
//! what it makes of it, handles its actions and draws itself.

use chrono::{DateTime, Local};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::delivery::due::local_time;
use crate::delivery::when::{self, Due};
use crate::tui::keymap::{Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;

/// The longest time text kept: longer input is ignored, not cut silently.
const MAX_INPUT: usize = 64;

/// The forms shown under the field.
pub const EXAMPLES: &str = "18:00 · +30m · +1h30m · tomorrow 09:00 · 2026-12-24 09:00";

/// The send-later question.
pub struct SendLater {
    /// Who it goes to ("ops", or "ops, qa and bj").
    pub targets: String,
    /// What goes ("markdown").
    pub what: String,
    pub input: String,
    /// What `input` means as of the last keystroke.
    pub reading: Option<Result<Due, String>>,
    /// The clock the reading was made by (so the countdown matches it).
    pub now_ms: i64,
    theme: Theme,
}

/// What an action asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaterOutcome {
    Stay,
    Closed,
    /// Queue the message for this time.
    Queue(Due),
}

impl SendLater {
    pub fn open(targets: String, what: String, theme: Theme) -> SendLater {
        SendLater {
            targets,
            what,
            input: String::new(),
            reading: None,
            now_ms: Local::now().timestamp_millis(),
            theme,
        }
    }

    /// Does what the key map made of a key; `typed` is a character that is
    /// no command (text for the field). `now` is the clock to read times by.
    pub fn on_action(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        backspace: bool,
        now: DateTime<Local>,
    ) -> LaterOutcome {
        match action {
            Some(Action::Close) => return LaterOutcome::Closed,
            Some(Action::Submit) => {
                self.read(now);
                return match &self.reading {
                    Some(Ok(due)) if due.at_ms > now.timestamp_millis() => {
                        LaterOutcome::Queue(due.clone())
                    }
                    Some(Ok(_)) => {
                        self.reading = Some(Err(crate::tr!("later.passed").into_owned()));
                        LaterOutcome::Stay
                    }
                    Some(Err(_)) => LaterOutcome::Stay,
                    None => {
                        self.reading =
                            Some(Err(
                                crate::tr!("later.type_when", examples = EXAMPLES).into_owned()
                            ));
                        LaterOutcome::Stay
                    }
                };
            }
            _ => {}
        }
        if backspace {
            self.input.pop();
        } else if let Some(c) = typed.filter(|c| !c.is_control()) {
            if self.input.chars().count() >= MAX_INPUT {
                return LaterOutcome::Stay;
            }
            self.input.push(c);
        } else {
            return LaterOutcome::Stay;
        }
        self.read(now);
        LaterOutcome::Stay
    }

    /// Text pasted into the field: its first line.
    pub fn paste(&mut self, text: &str, now: DateTime<Local>) {
        let line = text.lines().next().unwrap_or_default();
        for c in line.chars().filter(|c| !c.is_control()) {
            if self.input.chars().count() >= MAX_INPUT {
                break;
            }
            self.input.push(c);
        }
        self.read(now);
    }

    fn read(&mut self, now: DateTime<Local>) {
        self.now_ms = now.timestamp_millis();
        self.reading = if self.input.trim().is_empty() {
            None
        } else {
            Some(when::due_at(&self.input, now))
        };
    }
}

/// "today 18:00 (in 3 h 12 min)" or, rolled over, "tomorrow …".
pub fn reading_line(due: &Due, now_ms: i64) -> String {
    let rolled = if due.rolled_over {
        crate::tr!("later.rolled_over")
    } else {
        "".into()
    };
    crate::tr!(
        "later.reading",
        at = local_time(due.at_ms),
        countdown = when::countdown(now_ms, due.at_ms),
        rolled = rolled
    )
    .into_owned()
}

impl Widget for &SendLater {
    /// A box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.theme;
        let area = popup_area(area, 70, 11);
        let inner = super::frame(
            theme,
            crate::tr!("later.title").into_owned(),
            Context::SendLater,
            area,
            buf,
        );
        let width = inner.width as usize;
        let mut lines = vec![
            Line::from(fit(
                &crate::tr!("later.send_to", what = self.what, targets = self.targets),
                width,
            )),
            Line::from(vec![
                Span::styled("› ", theme.key()),
                Span::raw(self.input.clone()),
                Span::styled("█", theme.dim()),
            ]),
        ];
        lines.push(match &self.reading {
            None => Line::styled(
                crate::tr!("later.examples", examples = EXAMPLES),
                theme.dim(),
            ),
            Some(Ok(due)) => Line::from(format!("→ {}", reading_line(due, self.now_ms))),
            Some(Err(e)) => Line::styled(e.clone(), theme.error()),
        });
        lines.push(Line::raw(""));
        lines.push(Line::styled(crate::tr!("later.note"), theme.dim()));
        Paragraph::new(crate::tui::wrap::lines(&lines, inner.width)).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(2026, 12, 2, h, m, 0).unwrap()
    }

    fn typed(later: &mut SendLater, text: &str, now: DateTime<Local>) {
        for c in text.chars() {
            later.on_action(None, Some(c), false, now);
        }
    }

    #[test]
    fn a_delay_is_read_as_it_is_typed_and_queued_on_enter() {
        let mut later = SendLater::open("ops".into(), "markdown".into(), Theme { color: false });
        let now = at(10, 0);
        typed(&mut later, "+30m", now);
        let due = later.reading.clone().unwrap().unwrap();
        assert_eq!(due.at_ms, now.timestamp_millis() + 30 * 60 * 1000);
        assert_eq!(
            later.on_action(Some(Action::Submit), None, false, now),
            LaterOutcome::Queue(due)
        );
    }

    #[test]
    fn a_time_of_day_gone_by_means_tomorrow_and_says_so() {
        let mut later = SendLater::open("ops".into(), "text".into(), Theme { color: false });
        let now = at(19, 0);
        typed(&mut later, "18:00", now);
        let due = later.reading.clone().unwrap().unwrap();
        assert!(due.rolled_over);
        assert_eq!(due.at_ms, at(18, 0).timestamp_millis() + 86_400_000);
        assert!(reading_line(&due, now.timestamp_millis()).contains("tomorrow"));
    }

    #[test]
    fn nonsense_is_refused_with_the_forms_and_nothing_is_queued() {
        let mut later = SendLater::open("ops".into(), "text".into(), Theme { color: false });
        let now = at(10, 0);
        typed(&mut later, "soonish", now);
        assert!(matches!(later.reading, Some(Err(_))));
        assert_eq!(
            later.on_action(Some(Action::Submit), None, false, now),
            LaterOutcome::Stay
        );
        // Backspace all of it: nothing typed, Enter asks for a time.
        for _ in 0..7 {
            later.on_action(None, None, true, now);
        }
        assert!(later.input.is_empty());
        assert_eq!(
            later.on_action(Some(Action::Submit), None, false, now),
            LaterOutcome::Stay
        );
        assert!(matches!(&later.reading, Some(Err(e)) if e.contains("+30m")));
        assert_eq!(
            later.on_action(Some(Action::Close), None, false, now),
            LaterOutcome::Closed
        );
    }
}
