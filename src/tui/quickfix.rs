//! Quick fixes in the composer: which lint hint's fix one key applies, and
//! how the hint says so. The fixes themselves (the exact edits) are the
//! renderer's ([`crate::preview::fixes`]), beside the hints they answer.

use crate::preview::fixes::{QuickFix, quick_fixes};
use crate::preview::{Dialect, Hint};
use crate::tui::app::App;
use crate::tui::compose::FieldId;
use crate::wecom::Message;

/// The fix the quick-fix key applies now: the first fix of the first
/// fixable hint on the cursor's line, else of the first fixable hint.
pub fn chosen(app: &App) -> Option<(Hint, QuickFix)> {
    let all = fixable(app);
    let line = app.composition().map(|c| c.content.cursor().0 + 1);
    all.iter()
        .find(|(h, _)| Some(h.line) == line)
        .or_else(|| all.first())
        .cloned()
}

/// The first fix of every hint that has one.
pub fn fixable(app: &App) -> Vec<(Hint, QuickFix)> {
    let Some(dialect) = Dialect::of(app.kind) else {
        return Vec::new();
    };
    let Some((key, rendered)) = &app.preview_state.shown else {
        return Vec::new();
    };
    if key.kind != app.kind {
        return Vec::new();
    }
    let Some(comp) = app.composition() else {
        return Vec::new();
    };
    let source = comp.text(FieldId::Content);
    let mentioned = mentioned_list(app);
    rendered
        .hints
        .iter()
        .filter_map(|h| {
            quick_fixes(h, &source, dialect, &mentioned)
                .into_iter()
                .next()
                .map(|f| (h.clone(), f))
        })
        .collect()
}

/// The label a hint's line ends with when the key would fix it.
pub fn label(app: &App, hint: &Hint, key: &str) -> Option<String> {
    let (chosen, fix) = chosen(app)?;
    (chosen == *hint).then(|| format!(" [{key}: {}]", fix.label))
}

/// The draft's `mentioned_list`, as the message has it.
pub fn mentioned_list(app: &App) -> Vec<String> {
    match &app.derived.message {
        Some(Message::Text(t)) => t.mentioned_list.clone().unwrap_or_default(),
        Some(Message::Markdown(m)) => m.mentioned_list.clone().unwrap_or_default(),
        _ => Vec::new(),
    }
}
