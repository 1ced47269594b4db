//! The file browser of the path field (Enter on an empty path or a
//! directory): its state, what each of its actions does, and how it is
//! drawn, in one place as in ratatui's input-form example.

use std::path::PathBuf;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::attach::DirEntry;
use crate::tui::keymap::{Action, Context};
use crate::tui::layout::popup_area;
use crate::tui::theme::Theme;
use crate::tui::width::fit;
use crate::wecom::validate::group_digits;

/// Entries a page key moves over.
const PAGE: usize = 10;

/// A simple file browser for choosing an attachment.
pub struct FileBrowser {
    pub dir: PathBuf,
    /// `None` until listed.
    pub entries: Option<Result<Vec<DirEntry>, String>>,
    pub selected: usize,
    theme: Theme,
}

/// What an action in the browser asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserOutcome {
    /// Still browsing.
    Stay,
    /// Closed without a choice.
    Closed,
    /// Still browsing; this directory is to be listed.
    List(PathBuf),
    /// This file was chosen: the browser is closed.
    Chosen(PathBuf),
}

impl FileBrowser {
    /// A browser at `dir`, waiting for its listing.
    pub fn open(dir: PathBuf, theme: Theme) -> FileBrowser {
        FileBrowser {
            dir,
            entries: None,
            selected: 0,
            theme,
        }
    }

    /// The listing of `dir` arrived; one of a directory left since is
    /// dropped.
    pub fn listed(&mut self, dir: &std::path::Path, entries: Result<Vec<DirEntry>, String>) {
        if self.dir == dir {
            self.entries = Some(entries);
            self.selected = 0;
        }
    }

    fn shown(&self) -> &[DirEntry] {
        match &self.entries {
            Some(Ok(e)) => e,
            _ => &[],
        }
    }

    /// Does what the key map made of a key here.
    pub fn on_action(&mut self, action: Option<Action>) -> BrowserOutcome {
        let last = self.shown().len().saturating_sub(1);
        match action {
            Some(Action::Close) => return BrowserOutcome::Closed,
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected = self.selected.saturating_sub(PAGE),
            Some(Action::PageDown) => self.selected = (self.selected + PAGE).min(last),
            Some(Action::Parent) => {
                if let Some(parent) = self.dir.parent() {
                    return self.enter(parent.to_path_buf());
                }
            }
            Some(Action::Select) => {
                if let Some(entry) = self.shown().get(self.selected) {
                    let path = self.dir.join(&entry.name);
                    return if entry.is_dir {
                        self.enter(path)
                    } else {
                        BrowserOutcome::Chosen(path)
                    };
                }
            }
            _ => {}
        }
        BrowserOutcome::Stay
    }

    fn enter(&mut self, dir: PathBuf) -> BrowserOutcome {
        self.dir = dir.clone();
        self.entries = None;
        BrowserOutcome::List(dir)
    }
}

impl Widget for &FileBrowser {
    /// Draws the browser in a box in the middle of `area` (the screen).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.theme;
        let area = popup_area(area, 80, area.height.saturating_sub(4));
        let title = format!(
            " {} ",
            crate::untrusted::one_line(&self.dir.display().to_string())
        );
        let inner = super::frame(theme, title, Context::FileBrowser, area, buf);
        let width = inner.width as usize;
        let height = inner.height as usize;
        let lines: Vec<Line> = match &self.entries {
            None => vec![Line::styled(crate::tr!("browser.reading"), theme.dim())],
            Some(Err(e)) => vec![Line::styled(e.clone(), theme.error())],
            Some(Ok(entries)) if entries.is_empty() => {
                vec![Line::styled(crate::tr!("browser.empty"), theme.dim())]
            }
            Some(Ok(entries)) => {
                let offset = (self.selected + 1).saturating_sub(height);
                entries
                    .iter()
                    .enumerate()
                    .skip(offset)
                    .take(height)
                    .map(|(i, e)| {
                        let marker = if i == self.selected { "› " } else { "  " };
                        let size = if e.is_dir {
                            crate::tr!("browser.dir").into_owned()
                        } else {
                            group_digits(e.size as usize)
                        };
                        // A file's name is shown safe, never translated.
                        let safe = crate::untrusted::one_line(&e.name);
                        let name = if e.is_dir {
                            format!("{safe}/")
                        } else {
                            safe.into_owned()
                        };
                        let room = width.saturating_sub(
                            unicode_width::UnicodeWidthStr::width(size.as_str()) + 3,
                        );
                        let text = format!("{marker}{} {size}", fit(&name, room));
                        let style = if i == self.selected {
                            theme.selected()
                        } else {
                            Style::default()
                        };
                        Line::styled(text, style)
                    })
                    .collect()
            }
        };
        Paragraph::new(lines).render(inner, buf);
    }
}
