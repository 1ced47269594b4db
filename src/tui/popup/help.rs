//! The help screen (F1): every key of the main screen and of each pop-up,
//! written out from the key map, so it says what the keys do where they
//! work; how far it scrolls and what its keys do; and how it is drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::help_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::tui::wrap;

/// What the help needs to know of the app beside the key map. The app
/// answers (see `app.rs`), so this module needs nothing above it.
pub trait HelpSource {
    fn theme(&self) -> &Theme;
    /// The terminal's size, columns and rows.
    fn screen_size(&self) -> (u16, u16);
    /// The lines the page ends with (where the config is, the sandbox).
    fn notes(&self) -> Vec<String>;
}

/// What a key does to the help scrolled by `scroll`, with `last` the
/// furthest it scrolls: the new scroll, or `None` when it closes (Esc, F1,
/// Enter, q, any key that is no scroll).
pub fn on_action(scroll: u16, action: Option<Action>, last: u16) -> Option<u16> {
    let scroll = match action {
        Some(Action::Up) => scroll.saturating_sub(1),
        Some(Action::Down) => scroll.saturating_add(1),
        Some(Action::PageUp) => scroll.saturating_sub(10),
        Some(Action::PageDown) => scroll.saturating_add(10),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => last,
        _ => return None,
    };
    // Scrolling stops at the last line, never into a blank page.
    Some(scroll.min(last))
}

/// Columns of the keys and of where they work; the help text wraps beside.
const KEYS_WIDTH: usize = 19;
const WHERE_WIDTH: usize = 11;

fn lines(app: &impl HelpSource, area: Rect) -> Vec<Line<'static>> {
    let theme = app.theme();
    let mut lines = vec![
        Line::styled(crate::tr!("help.heading"), theme.title(true)),
        Line::default(),
    ];
    let text_width = (area.width as usize)
        .saturating_sub(2 + KEYS_WIDTH + WHERE_WIDTH)
        .max(10);
    for (keys, where_, help) in keymap::help_rows() {
        for (i, piece) in wrap::plain(&help, text_width).into_iter().enumerate() {
            let (k, w) = if i == 0 {
                (keys.as_str(), where_.as_str())
            } else {
                ("", "")
            };
            lines.push(Line::from(vec![
                Span::styled(fit(k, KEYS_WIDTH), theme.key()),
                Span::styled(fit(w, WHERE_WIDTH), theme.dim()),
                Span::raw(piece),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(crate::tr!("help.popups"), theme.title(true)));
    for (title, keys) in keymap::popup_help() {
        lines.push(Line::from(vec![
            Span::styled(format!("{title}: "), theme.dim()),
            Span::raw(keys),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(crate::tr!("help.editing")));
    lines.extend(app.notes().into_iter().map(Line::from));
    lines.push(Line::styled(
        crate::tr!(
            "help.closing",
            close = keymap::key_for(Action::Close, Context::Help),
            up = keymap::key_for(Action::Up, Context::Help),
            down = keymap::key_for(Action::Down, Context::Help),
            top = keymap::key_for(Action::Top, Context::Help),
            bottom = keymap::key_for(Action::Bottom, Context::Help),
        ),
        theme.dim(),
    ));
    lines
}

/// How far the help can scroll on the current screen: until its last line
/// is at the bottom of the box.
pub fn max_scroll(app: &impl HelpSource) -> u16 {
    let (width, height) = app.screen_size();
    let area = help_area(Rect::new(0, 0, width, height));
    let inner_width = area.width.saturating_sub(2);
    let inner_height = area.height.saturating_sub(2);
    let total = wrap::rows(&lines(app, area), inner_width);
    u16::try_from(total)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner_height)
}

/// Draws the help scrolled by `scroll` lines.
pub fn render(app: &impl HelpSource, frame: &mut Frame, scroll: u16) {
    let area = help_area(frame.area());
    let title = crate::tr!(
        "help.title",
        up = keymap::key_for(Action::Up, Context::Help),
        down = keymap::key_for(Action::Down, Context::Help),
        close = keymap::key_for(Action::Close, Context::Help),
    )
    .into_owned();
    let block = app.theme().block(title, true);
    let inner = block.inner(area);
    let shown = wrap::visible(
        &lines(app, area),
        inner.width,
        scroll.into(),
        inner.height.into(),
    );
    let p = Paragraph::new(shown).block(block);
    frame.render_widget(Clear, area);
    frame.render_widget(p, area);
}
