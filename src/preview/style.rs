//! The preview's styles, with colour or without: with `NO_COLOR` every
//! construct still reads, through bold, italic, underline, dim and reverse
//! video instead of colours (the same switch as `tui::theme::Theme`).

use ratatui::style::{Color, Modifier, Style};

/// One of the three colours markdown's `<font color="…">` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontColour {
    /// `info`: green.
    Info,
    /// `comment`: grey.
    Comment,
    /// `warning`: orange-red.
    Warning,
}

impl FontColour {
    /// The colour named by a `color` attribute value, if WeCom knows it.
    pub fn from_name(name: &str) -> Option<FontColour> {
        match name.trim().to_ascii_lowercase().as_str() {
            "info" => Some(FontColour::Info),
            "comment" => Some(FontColour::Comment),
            "warning" => Some(FontColour::Warning),
            _ => None,
        }
    }
}

/// Every style the renderer uses, decided once per render.
#[derive(Debug, Clone)]
pub(crate) struct Styles {
    pub heading: [Style; 6],
    pub bold: Style,
    pub italic: Style,
    pub link: Style,
    /// A link's URL after its text, an image's URL, a code block's language.
    pub dim: Style,
    pub code: Style,
    pub code_block: Style,
    /// Quote bars, code block frames, table borders, rules.
    pub frame: Style,
    pub mention: Style,
    pub image: Style,
    pub table_header: Style,
    pub info: Style,
    pub comment: Style,
    pub warning: Style,
    pub hint_info: Style,
    pub hint_warning: Style,
}

impl Styles {
    pub(crate) fn new(color: bool) -> Styles {
        let m = |m: Modifier| Style::default().add_modifier(m);
        let fg = |c: Color| Style::default().fg(c);
        if color {
            Styles {
                heading: [
                    fg(Color::Cyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                    fg(Color::Cyan).add_modifier(Modifier::BOLD),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                ],
                bold: m(Modifier::BOLD),
                italic: m(Modifier::ITALIC),
                link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
                dim: fg(Color::DarkGray),
                code: fg(Color::Yellow),
                code_block: fg(Color::Yellow),
                frame: fg(Color::DarkGray),
                mention: fg(Color::Blue).add_modifier(Modifier::BOLD),
                image: fg(Color::Magenta),
                table_header: m(Modifier::BOLD),
                info: fg(Color::Green),
                comment: fg(Color::Gray),
                // xterm-256 "OrangeRed1" (#ff5f00), the client's orange-red.
                warning: fg(Color::Indexed(202)),
                hint_info: fg(Color::Cyan),
                hint_warning: fg(Color::Yellow),
            }
        } else {
            Styles {
                heading: [
                    m(Modifier::BOLD | Modifier::UNDERLINED),
                    m(Modifier::BOLD | Modifier::UNDERLINED),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                    m(Modifier::BOLD),
                ],
                bold: m(Modifier::BOLD),
                italic: m(Modifier::ITALIC),
                link: m(Modifier::UNDERLINED),
                dim: m(Modifier::DIM),
                code: m(Modifier::REVERSED),
                code_block: Style::default(),
                frame: m(Modifier::DIM),
                mention: m(Modifier::BOLD | Modifier::UNDERLINED),
                image: m(Modifier::BOLD),
                table_header: m(Modifier::BOLD),
                // markdown (the only dialect with font colours) has no italic,
                // so italic marks coloured text and bold / dim tell them apart.
                info: m(Modifier::ITALIC),
                comment: m(Modifier::ITALIC | Modifier::DIM),
                warning: m(Modifier::ITALIC | Modifier::BOLD),
                hint_info: Style::default(),
                hint_warning: m(Modifier::BOLD),
            }
        }
    }

    pub(crate) fn heading(&self, level: usize) -> Style {
        self.heading
            .get(level.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn font(&self, colour: FontColour) -> Style {
        match colour {
            FontColour::Info => self.info,
            FontColour::Comment => self.comment,
            FontColour::Warning => self.warning,
        }
    }
}
