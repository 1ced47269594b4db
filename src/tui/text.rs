//! User-facing sentences of the composer, in one place.

pub const READY: &str = "Ready. Ctrl-S sends; F1 shows every key.";
pub const FIRST_RUN: &str = "No robot yet: using the built-in sandbox. F2 adds a robot.";
pub const EMPTY_DRAFT: &str = "nothing to send yet";
pub const SANDBOX_RECORDS: &str = "The sandbox keeps what it receives on this machine, in";
pub const SANDBOX_DOWN: &str = "the built-in sandbox is not running";
pub const CONFIG_UNREADABLE: &str =
    "The config file could not be read: starting with no robots, and the file will not be changed.";
pub const SEND_IN_FLIGHT: &str =
    "A send is already in flight: wait for it, or press Esc to cancel it.";
pub const CANCELLED: &str =
    "Send cancelled. If the request had already reached WeCom, the message may still appear.";
pub const RAW_ONLY: &str = "F8 sends the JSON editor as is; for news and cards, F9 opens it first. Text and markdown are sent with Ctrl-S.";
pub const TOO_SMALL: &str = "Terminal too small";
pub const CONFIRM_QUIT_KEYS: &str = "y: quit anyway · n / Esc: stay";
pub const CONFIRM_DELETE_KEYS: &str = "y / Enter: delete · n / Esc: keep";
pub const SANDBOX_IS_BUILT_IN: &str =
    "The sandbox robot is built in: it cannot be edited, renamed or deleted.";
pub const NO_EDITOR_FOCUS: &str = "Move to an editor field first (Tab), then press Ctrl-E.";

/// What each structured type will need, shown above its JSON editor (F9
/// from a form or a file field). The keys are the key map's, so the words
/// never disagree with F1.
pub fn raw_hint(kind: crate::wecom::MessageKind) -> String {
    use crate::tui::keymap::{Action, Context, key_for};
    use crate::wecom::MessageKind::*;
    let back = key_for(Action::ToggleJson, Context::Global);
    let hint = match kind {
        Image => crate::tr!("raw_hint.image", back = back),
        News => crate::tr!("raw_hint.news"),
        File => crate::tr!("raw_hint.file", back = back),
        Voice => crate::tr!("raw_hint.voice", back = back),
        TextNotice => crate::tr!("raw_hint.text_notice"),
        NewsNotice => crate::tr!("raw_hint.news_notice"),
        Text | Markdown | MarkdownV2 => return String::new(),
    };
    hint.into_owned()
}

pub const EDITOR_UPDATED: &str = "Text updated from the external editor (Ctrl-U undoes).";
pub const EDITOR_UNCHANGED: &str = "The external editor closed with the text unchanged.";
pub const ROBOTS_RELOADED: &str =
    "config.toml was changed by another program: the robot list is read again.";
pub const DUMB_TERMINAL: &str = "the composer needs a terminal that can move the cursor, and TERM=dumb cannot. Run it in a terminal emulator (TERM=xterm-256color or similar), or use the command line: `wecom send`, `wecom --help`.";
pub const CTRL_Z_UNDOES: &str = "Ctrl-Z puts the draft back.";
pub const NOTHING_TO_UNDO: &str =
    "Nothing to put back: Ctrl-Z undoes a template load or an item removal (Ctrl-U undoes typing).";
pub const UNDONE: &str = "The draft is back as it was before.";

/// F10 when the store could not be opened.
pub const NO_HISTORY: &str = "The history is not available: the store (wecom.db in the data directory) could not be opened; see wecom.log.";

/// The quick-fix key where no hint has a fix.
pub const NO_QUICK_FIX: &str = "No hint of this draft has a quick fix.";

/// The sentences above by name: each is `text.NAME` in the locale files,
/// and en.yml's is the constant itself (tests/i18n_keys.rs).
pub const NAMED: &[(&str, &str)] = &[
    ("READY", READY),
    ("FIRST_RUN", FIRST_RUN),
    ("EMPTY_DRAFT", EMPTY_DRAFT),
    ("SANDBOX_RECORDS", SANDBOX_RECORDS),
    ("SANDBOX_DOWN", SANDBOX_DOWN),
    ("CONFIG_UNREADABLE", CONFIG_UNREADABLE),
    ("SEND_IN_FLIGHT", SEND_IN_FLIGHT),
    ("CANCELLED", CANCELLED),
    ("RAW_ONLY", RAW_ONLY),
    ("TOO_SMALL", TOO_SMALL),
    ("CONFIRM_QUIT_KEYS", CONFIRM_QUIT_KEYS),
    ("CONFIRM_DELETE_KEYS", CONFIRM_DELETE_KEYS),
    ("SANDBOX_IS_BUILT_IN", SANDBOX_IS_BUILT_IN),
    ("NO_EDITOR_FOCUS", NO_EDITOR_FOCUS),
    ("EDITOR_UPDATED", EDITOR_UPDATED),
    ("EDITOR_UNCHANGED", EDITOR_UNCHANGED),
    ("ROBOTS_RELOADED", ROBOTS_RELOADED),
    ("DUMB_TERMINAL", DUMB_TERMINAL),
    ("CTRL_Z_UNDOES", CTRL_Z_UNDOES),
    ("NOTHING_TO_UNDO", NOTHING_TO_UNDO),
    ("UNDONE", UNDONE),
    ("NO_HISTORY", NO_HISTORY),
    ("NO_QUICK_FIX", NO_QUICK_FIX),
];

/// `sentence`, one of the constants above, in the current language. The
/// constants stay English so tests and the code read them by name.
pub fn shown(sentence: &'static str) -> std::borrow::Cow<'static, str> {
    match NAMED.iter().find(|(_, s)| *s == sentence) {
        Some((name, _)) => crate::i18n::text_or(&format!("text.{name}"), sentence),
        None => std::borrow::Cow::Borrowed(sentence),
    }
}
