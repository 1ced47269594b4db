//! Copying out of the composer with OSC 52 (`Effect::Copy`): the exact JSON
//! payload, or what is being edited. The terminal puts the text on the
//! clipboard, so it works over SSH and in tmux with `set-clipboard on`;
//! pasting back in is the terminal's bracketed paste, unchanged.

use crate::tui::app::{App, Focus, PreviewMode, Status};
use crate::tui::compose::FieldId;
use crate::tui::msg::Effect;

/// What was copied, for the status line, and the text.
struct Copied {
    what: &'static str,
    text: String,
}

/// Alt-C / Ctrl-Y: the JSON payload while the preview shows it or has the
/// keyboard (or a list has it); in an editor, the selection, else the
/// whole field.
pub(super) fn copy_out(app: &mut App, fx: &mut Vec<Effect>) {
    let wants_json = app.preview == PreviewMode::Json || !matches!(app.focus, Focus::Editor(_));
    let copied = match app.focus {
        Focus::Editor(id) if !wants_json => editor_text(app, id),
        _ => payload(app),
    };
    match copied {
        Ok(Copied { what, text }) if !text.is_empty() => {
            app.status = copied_status(what, &text);
            fx.push(Effect::Copy(text));
        }
        Ok(Copied { what, .. }) => {
            app.status =
                Status::info(crate::tr!("copy.empty", what = crate::tr!(what)).into_owned());
        }
        Err(why) => app.status = Status::error(crate::tr!("copy.nothing", why = why).into_owned()),
    }
}

/// The payload exactly as a send would POST it: the message's compact JSON
/// (the picture's whole base64 included, which the JSON view cuts short).
/// The webhook key is in the send URL, never in the payload.
/// The status line after a copy: what was copied (a locale key) and its size.
pub(super) fn copied_status(what: &str, text: &str) -> Status {
    Status::info(
        crate::tr!(
            "copy.copied",
            what = crate::tr!(what),
            bytes = crate::wecom::validate::group_digits(text.len())
        )
        .into_owned(),
    )
}

fn payload(app: &App) -> Result<Copied, String> {
    match &app.derived.message {
        Some(m) => Ok(Copied {
            what: "copy.what.payload",
            text: m.to_json(),
        }),
        None => Err(app
            .derived
            .blocking_reason()
            .or_else(|| app.derived.parse_error.clone())
            .unwrap_or_else(|| match app.kind.msgtype() {
                "file" | "voice" => crate::tr!("copy.media_id_later").into_owned(),
                _ => crate::tr!("copy.no_payload").into_owned(),
            })),
    }
}

/// The selection of the editor `id`, or its whole text.
fn editor_text(app: &mut App, id: FieldId) -> Result<Copied, String> {
    let Some(area) = app.composition_mut().and_then(|c| c.editor_mut(id)) else {
        // A form row with no text of its own (a group, a choice): the
        // form's payload is what there is to copy.
        return payload(app);
    };
    if area.is_selecting() {
        area.copy();
        return Ok(Copied {
            what: "copy.what.selection",
            text: area.yank_text(),
        });
    }
    let what = match id {
        FieldId::Content => "copy.what.content",
        FieldId::Mentions => "copy.what.mentions",
        FieldId::Mobiles => "copy.what.mobiles",
        FieldId::Raw => "copy.what.raw",
        FieldId::Form => "copy.what.field",
        FieldId::Path => "copy.what.path",
    };
    Ok(Copied {
        what,
        text: area.lines().join("\n"),
    })
}
