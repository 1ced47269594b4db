//! The form of news and cards: its rows, the field under the cursor, the
//! problems under the fields they concern.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::block;
use crate::tui::app::App;
use crate::tui::form::{Form, Row, RowKind, counter};
use crate::tui::keymap::{self, Action, Context};
use crate::tui::layout::{FormLine, form_label, form_lines};
use crate::tui::width::{fit, truncate};
use crate::wecom::schema::FieldKind;
use unicode_width::UnicodeWidthStr;

/// Where a row's value starts: after the form's label column, or further
/// on a row whose label would be cut there (`Attachment media id` nested in
/// a card), so every label reads whole; never past half the form.
fn label_column(row: &Row, width: usize) -> usize {
    let column = form_label(width);
    let label = 2 * row.depth + row.spec.shown_label().width() + usize::from(row.required) + 1;
    column.max(label.min(width / 2))
}

pub(super) fn render_form(app: &App, frame: &mut Frame, area: Rect, focused: bool) {
    let title =
        crate::tr!("title.form", kind = app.kind.shown(), to = app.robot_name()).into_owned();
    let b = block(app, title, focused).title_bottom(
        Line::from(format!(
            " {} JSON ",
            keymap::key_for(Action::ToggleJson, Context::Form)
        ))
        .right_aligned()
        .style(app.theme.dim()),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(comp) = app.composition() else {
        return;
    };
    let Some(form) = &comp.form else { return };
    let rows = form.rows();
    let height = inner.height.saturating_sub(1) as usize;
    let (lines, offset) = form_lines(form, &app.derived.problems, height);
    let width = inner.width as usize;
    for (n, line) in lines.iter().skip(offset).take(height).enumerate() {
        let y = inner.y + n as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        match *line {
            FormLine::Problem(i, p) => {
                let problem = &app.derived.problems[p];
                let style = if problem.is_error() {
                    app.theme.error()
                } else {
                    app.theme.warning()
                };
                let indent = "  ".repeat(rows[i].depth + 1);
                let mark = if problem.is_error() { "✗" } else { "!" };
                let text = fit(
                    &format!("{indent}{mark} {} {}", problem.message, problem.fix),
                    width,
                );
                frame.render_widget(Paragraph::new(Line::styled(text, style)), rect);
            }
            FormLine::Row(i) => {
                let row = &rows[i];
                let is_cursor = focused && i == form.cursor;
                render_form_row(app, frame, form, row, rect, is_cursor);
                if is_cursor && let Some(editor) = &comp.form_editor {
                    // Leave room for the counter at the end of the row.
                    let text = form.text(&row.path);
                    let reserve = counter(row.spec, &text).map_or(0, |(c, _)| {
                        unicode_width::UnicodeWidthStr::width(c.as_str()) + 1
                    });
                    let label = label_column(row, width);
                    let value = Rect::new(
                        inner.x + label as u16,
                        y,
                        inner.width.saturating_sub((label + reserve) as u16),
                        1,
                    );
                    frame.render_widget(&editor.area, value);
                }
            }
        }
    }
    // What the focused field is for, from the official page.
    if let Some(row) = rows.get(form.cursor) {
        let help = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(1),
            inner.width,
            1,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(fit(row.spec.help, width), app.theme.dim())),
            help,
        );
    }
}

pub(super) fn render_form_row(
    app: &App,
    frame: &mut Frame,
    form: &Form,
    row: &crate::tui::form::Row,
    rect: Rect,
    is_cursor: bool,
) {
    let width = rect.width as usize;
    let indent = "  ".repeat(row.depth);
    let label_style = if is_cursor {
        app.theme.selected()
    } else if !row.applies {
        app.theme.dim()
    } else {
        Style::default()
    };
    let star = if row.required { "*" } else { "" };
    let mut spans = Vec::new();
    match &row.kind {
        RowKind::Section => {
            spans.push(Span::styled(
                fit(
                    &format!("{indent}▾ {}{star}", row.spec.shown_label()),
                    width,
                ),
                label_style.add_modifier(Modifier::BOLD),
            ));
        }
        RowKind::List { count, max, .. } => {
            spans.push(Span::styled(
                format!("{indent}+ {}{star} ", row.spec.shown_label()),
                label_style.add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(format!("{count}/{max}"), app.theme.dim()));
            if is_cursor {
                spans.push(Span::styled(
                    format!(
                        "  {}/{} add",
                        keymap::key_for(Action::AddItem, Context::FormList),
                        keymap::key_for(Action::AddItem, Context::Form)
                    ),
                    app.theme.key(),
                ));
            }
        }
        RowKind::Item { index, .. } => {
            let summary = ["title", "keyname"]
                .iter()
                .map(|k| {
                    let mut p = row.path.clone();
                    p.push(crate::tui::form::Seg::Key(k));
                    form.text(&p)
                })
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("{indent}#{} ", index + 1),
                label_style.add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(truncate(&summary, 24), app.theme.dim()));
            if is_cursor {
                spans.push(Span::styled(
                    format!(
                        "  {} remove · {}/{} move",
                        keymap::key_for(Action::RemoveItem, Context::Form),
                        keymap::key_for(Action::MoveItemUp, Context::Form),
                        keymap::key_for(Action::MoveItemDown, Context::Form),
                    ),
                    app.theme.key(),
                ));
            }
        }
        RowKind::Field => {
            let label_width = label_column(row, width);
            let label = fit(
                &format!("{indent}{}{star}", row.spec.shown_label()),
                label_width - 1,
            );
            spans.push(Span::styled(label, label_style));
            spans.push(Span::raw(" "));
            let text = form.text(&row.path);
            let count = counter(row.spec, &text);
            let value_width = width.saturating_sub(label_width + 12);
            match row.spec.kind {
                FieldKind::Choice(_) => {
                    let value = form.get(&row.path).and_then(serde_json::Value::as_i64);
                    let shown = match value {
                        Some(v) => format!(
                            "{v} {}",
                            row.spec.shown_choice_label(v).unwrap_or("?".into())
                        ),
                        None => crate::tr!("form.not_set").into_owned(),
                    };
                    let style = if is_cursor {
                        app.theme.key()
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(format!("‹ {shown} ›"), style));
                }
                _ if is_cursor => {}
                _ if text.is_empty() && row.required => {
                    spans.push(Span::styled(crate::tr!("form.required"), app.theme.dim()))
                }
                _ => spans.push(Span::raw(fit(&text.replace('\n', "⏎"), value_width))),
            }
            if !row.applies {
                spans.push(Span::styled(crate::tr!("form.unused"), app.theme.dim()));
            } else if let Some((c, over)) = count {
                let used: usize = spans
                    .iter()
                    .map(|s| unicode_width::UnicodeWidthStr::width(s.content.as_ref()))
                    .sum();
                let pad = width
                    .saturating_sub(used + unicode_width::UnicodeWidthStr::width(c.as_str()) + 1);
                spans.push(Span::raw(" ".repeat(pad)));
                spans.push(Span::styled(
                    c,
                    if over {
                        app.theme.warning()
                    } else {
                        app.theme.dim()
                    },
                ));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), rect);
}
