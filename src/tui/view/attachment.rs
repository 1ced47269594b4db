//! Image, file and voice: the chosen file, what is known of it, and the
//! upload progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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
    let label = Rect::new(inner.x, inner.y, 6.min(inner.width), 1);
    frame.render_widget(
        Paragraph::new(Span::styled("File ", app.theme.title(focused))),
        label,
    );
    let field = Rect::new(inner.x + 6, inner.y, inner.width.saturating_sub(6), 1);
    frame.render_widget(&a.path, field);
    let mut lines = vec![
        // Wrapped with the rest below, never cut.
        Line::styled(
            format!(
                "{} · {} on empty: browse",
                keymap::hint_line(Context::PathField, false, |a| matches!(
                    a,
                    Action::CheckPath | Action::CompletePath
                )),
                keymap::key_for(Action::CheckPath, Context::PathField),
            ),
            app.theme.dim(),
        ),
        Line::default(),
    ];
    let limits = match app.kind {
        MessageKind::Image => {
            "JPG or PNG, at most 2 MiB before base64; others are converted on request."
        }
        MessageKind::Voice => {
            "AMR, more than 5 bytes, at most 2 MiB and 60 s; uploaded when you send."
        }
        _ => "More than 5 bytes, at most 20 MiB; uploaded when you send, reused for 3 days.",
    };
    match &a.state {
        AttachState::Empty | AttachState::Edited => {
            lines.push(Line::styled(limits, app.theme.dim()))
        }
        AttachState::Pending | AttachState::Working(_) => {
            let text = match &a.state {
                AttachState::Working(w) => w.clone(),
                _ => "checking…".into(),
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
                Span::raw(" converts it to PNG (or JPEG if smaller), scaled down to fit 2 MiB."),
            ]));
        }
        AttachState::Upload(facts) => {
            let mut text = format!("{} bytes", group_digits(facts.size as usize));
            if let Some(secs) = facts.voice_seconds {
                text.push_str(&format!(", {secs:.1} s"));
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
            format!(
                "{} cancels the upload.",
                keymap::key_for(Action::CancelSend, Context::PathField)
            ),
            app.theme.dim(),
        ));
    }
    let rest = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
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
    let bar_width = width.saturating_sub(text.chars().count()).clamp(4, 40);
    let filled = bar_width * pct / 100;
    Line::from(vec![
        Span::styled("█".repeat(filled), app.theme.accent()),
        Span::styled("░".repeat(bar_width - filled), app.theme.dim()),
        Span::raw(text),
    ])
}
