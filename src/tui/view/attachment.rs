//! Image, file and voice: the chosen file, what is known of it, and the
//! upload progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, field_title};
use crate::tui::app::App;
use crate::tui::attach::AttachState;
use crate::tui::compose::FieldId;
use crate::tui::keymap::{self, Action, Context};
use crate::wecom::MessageKind;
use crate::wecom::validate::group_digits;

pub(super) fn render_attachment(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    let json = format!(
        " {} JSON ",
        keymap::key_for(Action::ToggleJson, Context::PathField)
    );
    let b = block(app, field_title(app, FieldId::Path), focused)
        .title_bottom(Line::from(json).right_aligned().style(app.theme.dim()));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(a) = app.composition().and_then(|c| c.attachment.as_ref()) else {
        return;
    };
    let width = inner.width as usize;
    // The label's column is as wide as its words (文件 is 4 columns).
    let file = crate::tr!("attach.file");
    let label_width = (unicode_width::UnicodeWidthStr::width(file.as_ref()) as u16 + 2)
        .max(6)
        .min(inner.width);
    let label = Rect::new(inner.x, inner.y, label_width, 1);
    frame.render_widget(
        Paragraph::new(Span::styled(format!("{file} "), app.theme.title(focused))),
        label,
    );
    let field = Rect::new(
        inner.x + label_width,
        inner.y,
        inner.width.saturating_sub(label_width),
        1,
    );
    frame.render_widget(&a.path, field);
    let mut lines = vec![
        // Wrapped with the rest below, never cut.
        Line::styled(
            crate::tr!(
                "attach.keys",
                hints = keymap::hint_line(Context::PathField, false, |a| matches!(
                    a,
                    Action::CheckPath | Action::CompletePath
                )),
                key = keymap::key_for(Action::CheckPath, Context::PathField),
            )
            .into_owned(),
            app.theme.dim(),
        ),
        Line::default(),
    ];
    let limits = match app.kind {
        MessageKind::Image => crate::tr!("attach.limits_image"),
        MessageKind::Voice => crate::tr!("attach.limits_voice"),
        _ => crate::tr!("attach.limits_file"),
    };
    match &a.state {
        AttachState::Empty | AttachState::Edited => {
            lines.push(Line::styled(limits.clone(), app.theme.dim()))
        }
        AttachState::Pending | AttachState::Working(_) => {
            let text = match &a.state {
                AttachState::Working(w) => w.clone(),
                _ => crate::tr!("attach.checking_short").into_owned(),
            };
            lines.push(Line::styled(text, app.theme.accent()));
        }
        AttachState::Image(ready) => {
            lines.push(Line::styled(
                format!("✓ {}", ready.description),
                app.theme.success(),
            ));
            lines.push(Line::styled(format!("md5 {}", ready.md5), app.theme.dim()));
        }
        AttachState::ImageOffer(offer) => {
            lines.push(Line::from(offer.description.clone()));
            for p in &offer.problems {
                lines.push(Line::styled(
                    format!("✗ {} {}", p.message, p.fix),
                    app.theme.error(),
                ));
            }
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::styled(
                    keymap::key_for(Action::ConvertImage, Context::PathField),
                    app.theme.key(),
                ),
                Span::raw(crate::tr!("attach.converts")),
            ]));
        }
        AttachState::Upload(facts) => {
            let mut text =
                crate::tr!("attach.bytes", bytes = group_digits(facts.size as usize)).into_owned();
            if let Some(secs) = facts.voice_seconds {
                text.push_str(&crate::tr!("attach.seconds", s = format!("{secs:.1}")));
            }
            let ok = facts.problems.is_empty();
            lines.push(Line::styled(
                format!("{} {text}", if ok { "✓" } else { "✗" }),
                if ok {
                    app.theme.success()
                } else {
                    app.theme.error()
                },
            ));
            lines.push(Line::styled(limits, app.theme.dim()));
        }
        AttachState::Failed(e) => lines.push(Line::styled(format!("✗ {e}"), app.theme.error())),
    }
    if let Some(p) = app.upload {
        lines.push(Line::default());
        lines.push(progress_line(
            app,
            p.sent_bytes,
            p.total_bytes,
            p.bytes_per_second,
            width,
        ));
        lines.push(Line::styled(
            crate::tr!(
                "attach.cancel_upload",
                key = keymap::key_for(Action::CancelSend, Context::PathField)
            )
            .into_owned(),
            app.theme.dim(),
        ));
    }
    let rest = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    frame.render_widget(
        Paragraph::new(crate::tui::wrap::lines(&lines, rest.width)),
        rest,
    );
}

/// `███████░░░░ 62% 12.4 / 20.0 MiB · 8.1 MiB/s`
pub(super) fn progress_line(
    app: &App,
    sent: u64,
    total: u64,
    rate: f64,
    width: usize,
) -> Line<'static> {
    const MIB: f64 = 1024.0 * 1024.0;
    let pct = sent
        .saturating_mul(100)
        .checked_div(total)
        .map_or(100, |p| p.min(100)) as usize;
    let text = format!(
        " {pct:>3}% {:.1} / {:.1} MiB · {:.1} MiB/s",
        sent as f64 / MIB,
        total as f64 / MIB,
        rate / MIB
    );
    let bar_width = width
        .saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()))
        .clamp(4, 40);
    let filled = bar_width * pct / 100;
    Line::from(vec![
        Span::styled("█".repeat(filled), app.theme.accent()),
        Span::styled("░".repeat(bar_width - filled), app.theme.dim()),
        Span::raw(text),
    ])
}
