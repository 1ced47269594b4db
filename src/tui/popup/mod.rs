//! The pop-ups: which one is open, and which keys it takes. Esc closes
//! every one. A pop-up's module holds its state, what its actions do and
//! its widget (`impl Widget for &X`), as the file browser does.

pub mod browser;
pub mod confirm;
pub mod help;
pub mod later;
pub mod results;
pub mod robot;
pub mod split;
pub mod templates;

pub use browser::{BrowserOutcome, FileBrowser};
pub use later::{LaterOutcome, SendLater};
pub use robot::RobotDialog;
pub use split::{SplitOffer, SplitOutcome};
pub use templates::TemplatePicker;

use super::keymap::Context;

/// The open pop-up. (One at a time: its size does not matter.)
#[allow(clippy::large_enum_variant)]
pub enum Popup {
    Robot(RobotDialog),
    ConfirmDelete {
        name: String,
    },
    /// Deleting one of the user's own templates, asked first.
    ConfirmDeleteTemplate {
        name: String,
    },
    ConfirmQuit {
        reason: String,
    },
    Help {
        scroll: u16,
    },
    Templates(TemplatePicker),
    Browser(FileBrowser),
    /// The History and Outbox screen (F10).
    Memory(Box<super::memory::MemoryScreen>),
    /// When to send the message (Ctrl-L).
    Later(SendLater),
    /// The parts a message over its limit can go as.
    Split(SplitOffer),
    /// The results of the latest broadcast (its rows are on the app).
    Results(results::ResultsView),
    /// Quitting while messages this composer queued are still in the
    /// outbox: wait for them, or leave them there.
    QuitWithOutbox {
        left: usize,
    },
}

impl Popup {
    /// Which keys the pop-up takes (see the key map).
    pub fn context(&self) -> Context {
        match self {
            Popup::Robot(dialog) => dialog.context(),
            Popup::ConfirmDelete { .. } | Popup::ConfirmDeleteTemplate { .. } => {
                Context::ConfirmDelete
            }
            Popup::ConfirmQuit { .. } => Context::ConfirmQuit,
            Popup::Help { .. } => Context::Help,
            Popup::Templates(p) if p.naming.is_some() => Context::TemplateName,
            Popup::Templates(_) => Context::Templates,
            Popup::Browser(_) => Context::FileBrowser,
            Popup::Results(_) => Context::Results,
            Popup::QuitWithOutbox { .. } => Context::QuitOutbox,
            Popup::Memory(m) => match m.tab() {
                super::memory::Tab::History => Context::History,
                super::memory::Tab::Outbox => Context::Outbox,
            },
            Popup::Later(_) => Context::SendLater,
            Popup::Split(_) => Context::SplitOffer,
        }
    }
}

/// Draws a pop-up's box over `area`: cleared, titled, framed as focused,
/// with the pop-up's own keys in its bottom border (from the key map).
/// Returns the inside, for the pop-up's lines.
pub fn frame(
    theme: &super::theme::Theme,
    title: String,
    context: Context,
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
) -> ratatui::layout::Rect {
    use ratatui::widgets::Widget;
    let outer = theme.block(title, true).title_bottom(
        ratatui::text::Line::from(format!(
            " {} ",
            super::keymap::hint_line(context, false, |_| true)
        ))
        .style(theme.key()),
    );
    let inner = outer.inner(area);
    clear(area, buf);
    outer.render(area, buf);
    inner
}

/// Clears a pop-up's box, and the character just left of it when that is a
/// wide one (CJK) whose right half the box's border covers: else half a
/// character would stay on the screen, and the border be hidden behind it.
pub fn clear(area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
    use ratatui::widgets::{Clear, Widget};
    use unicode_width::UnicodeWidthStr;
    Clear.render(area, buf);
    if area.x > buf.area.x {
        for y in area.top()..area.bottom() {
            if let Some(cell) = buf.cell_mut((area.x - 1, y))
                && cell.symbol().width() > 1
            {
                cell.set_symbol(" ");
            }
        }
    }
}
