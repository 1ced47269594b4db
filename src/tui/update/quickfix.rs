//! The quick-fix key: the chosen hint's fix applied to the draft as one
//! edit that Ctrl-Z puts back.

use super::{App, Focus, Status, select_kind};
use crate::preview::Dialect;
use crate::preview::fixes::Fix;
use crate::tui::compose::FieldId;
use crate::tui::quickfix;
use crate::tui::text;
use crate::wecom::{Message, MessageKind};

pub(super) fn apply(app: &mut App) {
    let Some((hint, fix)) = quickfix::chosen(app) else {
        // Content over its limit: the fix is to send it as parts.
        if !super::later::offer_split(app) {
            app.status = Status::info(text::shown(text::NO_QUICK_FIX));
        }
        return;
    };
    let Some(comp) = app.composition() else {
        return;
    };
    let content = comp.text(FieldId::Content);
    let mentioned = quickfix::mentioned_list(app);
    let (kind, content, mentioned) = match fix.fix {
        Fix::Switch(dialect) => (kind_of(dialect), content, mentioned),
        Fix::ToTextWithMentions {
            content,
            mentioned_list,
        } => (MessageKind::Text, content, mentioned_list),
        Fix::Content(content) => (app.kind, content, mentioned),
        Fix::MentionsIntoContent {
            content,
            mentioned_list,
        } => (app.kind, content, mentioned_list),
    };
    let mut body = serde_json::json!({ "content": content });
    if !mentioned.is_empty() {
        body["mentioned_list"] = serde_json::json!(mentioned);
    }
    let json = serde_json::json!({ "msgtype": kind.msgtype(), kind.msgtype(): body });
    let message = match Message::from_json_str(&json.to_string()) {
        Ok(m) => m,
        Err(e) => {
            app.status = Status::error(crate::tr!("fix.failed", error = e).into_owned());
            return;
        }
    };
    let from = app.kind;
    select_kind(app, kind);
    app.remember_for_undo();
    if let Some(comp) = app.composition_mut() {
        comp.load(&message);
    }
    app.drafts_dirty = true;
    app.focus = Focus::Editor(FieldId::Content);
    let moved = if kind == from {
        String::new()
    } else {
        crate::tr!("fix.draft_kept", kind = from.shown()).into_owned()
    };
    app.status = Status::info(
        crate::tr!(
            "fix.fixed",
            line = hint.line,
            fix = fix.label,
            moved = moved,
            undo = text::shown(text::CTRL_Z_UNDOES)
        )
        .into_owned(),
    );
}

fn kind_of(dialect: Dialect) -> MessageKind {
    match dialect {
        Dialect::Text => MessageKind::Text,
        Dialect::Markdown => MessageKind::Markdown,
        Dialect::MarkdownV2 => MessageKind::MarkdownV2,
    }
}
