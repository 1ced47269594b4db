//! The notice for a terminal too small, and the pop-ups drawn by their own
//! modules (`tui/popup/`) with what they need of the app.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::popup::confirm::ConfirmView;
use crate::tui::popup::robot::RobotDialogView;
use crate::tui::popup::templates::TemplatesView;
use crate::tui::popup::{RobotDialog, TemplatePicker};
use crate::tui::text;

pub(super) fn render_too_small(frame: &mut Frame, area: Rect) {
    let msg = vec![
        Line::styled(
            text::shown(text::TOO_SMALL),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::from(crate::tr!(
            "too_small.size",
            size = format!("{}×{}", area.width, area.height),
            needed = format!("{MIN_WIDTH}×{MIN_HEIGHT}")
        )),
        Line::from(crate::tr!("too_small.enlarge")),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect::new(area.x, area.y + y, area.width, 3.min(area.height));
    frame.render_widget(Paragraph::new(msg).alignment(Alignment::Center), rect);
}

pub(super) fn render_templates(app: &App, frame: &mut Frame, picker: &TemplatePicker) {
    let view = TemplatesView {
        picker,
        theme: &app.theme,
    };
    frame.render_widget(view, frame.area());
}

pub(super) fn render_confirm(app: &App, frame: &mut Frame, title: &str, message: &str) {
    let view = ConfirmView {
        title,
        message,
        context: app.key_context(),
        theme: &app.theme,
    };
    frame.render_widget(view, frame.area());
}

pub(super) fn render_robot_dialog(app: &App, frame: &mut Frame, dialog: &RobotDialog) {
    let base = app.config.base();
    let view = RobotDialogView {
        dialog,
        theme: &app.theme,
        base: &base,
    };
    frame.render_widget(view, frame.area());
}
