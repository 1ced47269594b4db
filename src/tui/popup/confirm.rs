//! The questions asked before something that cannot be undone (deleting a
//! robot or a template, quitting with unsaved text): how an answer is read
//! and how a question is drawn. Which question is open, and what it is
//! about, are the `Popup::Confirm…` variants.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;

/// The user's answer to a question, so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// Any other key: the question stays.
    Undecided,
}

/// What the key map made of a key, as an answer.
pub fn answer(action: Option<Action>) -> Answer {
    match action {
        Some(Action::Confirm) => Answer::Yes,
        Some(Action::Close) => Answer::No,
        _ => Answer::Undecided,
    }
}

/// A question as drawn: its title, the sentence, and its keys (every key
/// written out, since a wrong guess cannot be undone).
pub struct ConfirmView<'a> {
    pub title: &'a str,
    pub message: &'a str,
    /// The question's context in the key map (delete or quit).
    pub context: Context,
    pub theme: &'a Theme,
}

impl Widget for ConfirmView<'_> {
    /// Draws the question in a box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let keys = keymap::hint_line(self.context, true, |_| true);
        let area = popup_area(area, 60, 7);
        let lines = vec![
            Line::from(self.message.to_owned()),
            Line::default(),
            Line::styled(keys, self.theme.key()),
        ];
        let block = self.theme.block(format!(" {} ", self.title), true);
        let width = block.inner(area).width;
        let p = Paragraph::new(crate::tui::wrap::lines(&lines, width)).block(block);
        super::clear(area, buf);
        p.render(area, buf);
    }
}
