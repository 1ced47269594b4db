//! Colours, or none: with `NO_COLOR` set the app uses only bold, dim and
//! reverse video, so every state still reads.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// A pane's or pop-up's frame: thick and bright when it has the keyboard.
    pub fn block<'a>(
        &self,
        title: impl Into<ratatui::text::Line<'a>>,
        focused: bool,
    ) -> ratatui::widgets::Block<'a> {
        use ratatui::widgets::{Block, BorderType};
        Block::bordered()
            .border_type(if focused {
                BorderType::Thick
            } else {
                BorderType::Plain
            })
            .border_style(self.border(focused))
            .title(title.into().style(self.title(focused)))
    }

    /// Colour unless `NO_COLOR` is set to a non-empty value (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// Whether the terminal shows more than the 16 basic colours, from
    /// `COLORTERM` and `TERM`: a Linux console (`TERM=linux`) or a plain
    /// `xterm`/`vt100` gets the basic colours only.
    pub fn rich_colors(term: Option<&str>, colorterm: Option<&str>) -> bool {
        if colorterm.is_some_and(|c| matches!(c, "truecolor" | "24bit")) {
            return true;
        }
        term.is_some_and(|t| t.contains("256") || t.contains("direct"))
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }
    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        }
    }
    pub fn selected(&self) -> Style {
        if self.color {
            Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn success(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn accent(&self) -> Style {
        self.fg(Color::Magenta)
    }
    /// The byte counter: plain, then warning from 90 %, error past the limit.
    pub fn counter(&self, used: usize, limit: usize) -> Style {
        if used > limit {
            self.error().add_modifier(if self.color {
                Modifier::empty()
            } else {
                Modifier::REVERSED
            })
        } else if used * 10 >= limit * 9 {
            self.warning().add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }
}

/// The 16 basic colours in terminal order, with the RGB a typical terminal
/// shows them in, for finding the nearest one.
const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The nearest of the 16 basic colours to `color`, for terminals that show
/// no more: an xterm-256 index or an RGB colour is mapped, others kept.
pub fn basic_color(color: Color) -> Color {
    let rgb = match color {
        Color::Indexed(n) if n < 16 => return BASIC[usize::from(n)].0,
        Color::Indexed(n) if n >= 232 => {
            let v = 8 + 10 * (n - 232);
            (v, v, v)
        }
        Color::Indexed(n) => {
            let n = n - 16;
            let level = |c: u8| if c == 0 { 0 } else { 55 + 40 * c };
            (level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        Color::Rgb(r, g, b) => (r, g, b),
        other => return other,
    };
    let distance = |(r, g, b): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, rgb.0) + d(g, rgb.1) + d(b, rgb.2)
    };
    BASIC
        .iter()
        .min_by_key(|(_, c)| distance(*c))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// Maps every cell of a drawn buffer to the basic colours.
pub fn to_basic_colors(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        cell.fg = basic_color(cell.fg);
        cell.bg = basic_color(cell.bg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_orange_becomes_a_basic_red() {
        assert_eq!(basic_color(Color::Indexed(202)), Color::LightRed);
        assert_eq!(basic_color(Color::Indexed(1)), Color::Red);
        assert_eq!(basic_color(Color::Rgb(250, 250, 250)), Color::White);
        assert_eq!(basic_color(Color::Cyan), Color::Cyan);
    }

    #[test]
    fn a_linux_console_has_basic_colours_only() {
        assert!(!Theme::rich_colors(Some("linux"), None));
        assert!(!Theme::rich_colors(Some("xterm"), None));
        assert!(Theme::rich_colors(Some("xterm-256color"), None));
        assert!(Theme::rich_colors(Some("linux"), Some("truecolor")));
    }
}
