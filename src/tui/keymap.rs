//! The key map: one list of commands that drives key handling, the footer of
//! key hints and the help screen, so the three never disagree.
//!
//! In an editor, plain keys are text: every command there is a chord
//! (Ctrl-…), a function key, Tab or Esc. Single-letter commands exist only in
//! the lists, where nothing is typed.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the user is, which decides what a key means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Anywhere (unless a pop-up is open).
    Global,
    Robots,
    Types,
    Editor,
    /// The form of a news message or card.
    Form,
    Preview,
    /// The add / edit / rename robot dialog.
    RobotDialog,
}

/// Something the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send,
    SendRaw,
    CancelSend,
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    ExternalEditor,
    NextType,
    TogglePreview,
    AddRobot,
    EditRobot,
    RenameRobot,
    DeleteRobot,
    Up,
    Down,
    Select,
    PageUp,
    PageDown,
    ToggleJson,
    SwitchDialect,
    Templates,
    ConvertImage,
    AddItem,
    RemoveItem,
    MoveItemUp,
    MoveItemDown,
    /// Show or hide the webhook typed in the robot dialog.
    RevealKey,
    /// Put back the draft as it was before a template load or item removal.
    UndoChange,
    /// Select the whole text of the focused editor.
    SelectAll,
    /// Cursor to the start / end of the whole text.
    TextStart,
    TextEnd,
}

/// A key, as written in hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::ALT,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// How the key is shown: `Ctrl-S`, `F5`, `Tab`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Delete => "Del".to_owned(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        let mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        match (self.code, event.code) {
            // Letters arrive upper-case with Shift or Caps Lock; a command
            // chord should not care.
            (KeyCode::Char(a), KeyCode::Char(b)) => a.eq_ignore_ascii_case(&b) && mods == self.mods,
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (a, b) => a == b && mods == self.mods,
        }
    }
}

/// One command: its keys, where it works, and what it is called.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub action: Action,
    pub keys: &'static [Key],
    pub contexts: &'static [Context],
    /// Short label for the footer.
    pub label: &'static str,
    /// One sentence for the help screen.
    pub help: &'static str,
    /// Shown in the footer (otherwise only in help).
    pub in_footer: bool,
}

const LISTS: &[Context] = &[Context::Robots, Context::Types];
const GLOBAL: &[Context] = &[Context::Global];

/// Every command of the main screen. Pop-ups take keys before this map (Esc
/// closes every pop-up).
pub const BINDINGS: &[Binding] = &[
    Binding {
        action: Action::Send,
        keys: &[ctrl('s'), key(KeyCode::F(5))],
        contexts: GLOBAL,
        label: "send",
        help: "Send the message to the selected robot (refused while an error remains).",
        in_footer: true,
    },
    Binding {
        action: Action::SendRaw,
        keys: &[key(KeyCode::F(8))],
        contexts: GLOBAL,
        label: "send as is",
        help: "Send the raw JSON exactly as written, skipping the local checks (for the JSON editor).",
        in_footer: false,
    },
    Binding {
        action: Action::CancelSend,
        keys: &[key(KeyCode::Esc)],
        contexts: GLOBAL,
        label: "cancel send",
        help: "Cancel the send in flight.",
        in_footer: false,
    },
    Binding {
        action: Action::FocusNext,
        keys: &[key(KeyCode::Tab)],
        contexts: GLOBAL,
        label: "next pane",
        help: "Move to the next pane or field (robots, type, editor fields, preview). The mouse works too.",
        in_footer: true,
    },
    Binding {
        action: Action::FocusPrev,
        keys: &[key(KeyCode::BackTab)],
        contexts: GLOBAL,
        label: "previous pane",
        help: "Move to the previous pane or field.",
        in_footer: false,
    },
    Binding {
        action: Action::ExternalEditor,
        keys: &[ctrl('e'), key(KeyCode::F(4))],
        contexts: GLOBAL,
        label: "$EDITOR",
        help: "Edit the focused text in $VISUAL or $EDITOR; the result replaces it when the editor exits.",
        in_footer: true,
    },
    Binding {
        action: Action::NextType,
        keys: &[ctrl('t')],
        contexts: GLOBAL,
        label: "next type",
        help: "Switch to the next message type, keeping every draft.",
        in_footer: false,
    },
    Binding {
        action: Action::TogglePreview,
        keys: &[key(KeyCode::F(3))],
        contexts: GLOBAL,
        label: "preview/JSON",
        help: "Switch the preview between the content and the exact JSON payload.",
        in_footer: true,
    },
    Binding {
        action: Action::ToggleJson,
        keys: &[key(KeyCode::F(9))],
        contexts: GLOBAL,
        label: "form/JSON",
        help: "Edit news and cards as a form or as raw JSON; what is typed carries over.",
        in_footer: false,
    },
    Binding {
        action: Action::SwitchDialect,
        keys: &[ctrl('d')],
        contexts: GLOBAL,
        label: "md ⇄ md_v2",
        help: "Switch between markdown and markdown_v2 carrying the text along, to compare how each renders it.",
        in_footer: false,
    },
    Binding {
        action: Action::ConvertImage,
        keys: &[ctrl('k')],
        contexts: GLOBAL,
        label: "convert image",
        help: "Convert the chosen picture to PNG or JPEG under 2 MiB when WeCom would refuse it (WebP, GIF, BMP, too large).",
        in_footer: false,
    },
    Binding {
        action: Action::Templates,
        keys: &[ctrl('o')],
        contexts: GLOBAL,
        label: "templates",
        help: "Open a template (shipped examples and your own), or save the current message as one.",
        in_footer: true,
    },
    Binding {
        action: Action::AddItem,
        keys: &[key(KeyCode::F(6))],
        contexts: &[Context::Form],
        label: "add item",
        help: "Add an item to the group under the cursor (article, row, link), up to WeCom's maximum.",
        in_footer: true,
    },
    Binding {
        action: Action::RemoveItem,
        keys: &[key(KeyCode::F(7))],
        contexts: &[Context::Form],
        label: "remove item",
        help: "Remove the item under the cursor.",
        in_footer: true,
    },
    Binding {
        action: Action::MoveItemUp,
        keys: &[alt(KeyCode::Up)],
        contexts: &[Context::Form],
        label: "move up",
        help: "Move the item under the cursor up.",
        in_footer: true,
    },
    Binding {
        action: Action::MoveItemDown,
        keys: &[alt(KeyCode::Down)],
        contexts: &[Context::Form],
        label: "move down",
        help: "Move the item under the cursor down.",
        in_footer: false,
    },
    Binding {
        action: Action::AddRobot,
        keys: &[key(KeyCode::F(2)), key(KeyCode::Char('a'))],
        contexts: &[Context::Global, Context::Robots],
        label: "add robot",
        help: "Add a robot: a name and its webhook URL or bare key.",
        in_footer: true,
    },
    Binding {
        action: Action::EditRobot,
        keys: &[key(KeyCode::Char('e'))],
        contexts: &[Context::Robots],
        label: "edit",
        help: "Change the selected robot's name or webhook.",
        in_footer: true,
    },
    Binding {
        action: Action::RenameRobot,
        keys: &[key(KeyCode::Char('r'))],
        contexts: &[Context::Robots],
        label: "rename",
        help: "Rename the selected robot (its drafts follow).",
        in_footer: true,
    },
    Binding {
        action: Action::DeleteRobot,
        keys: &[key(KeyCode::Char('d')), key(KeyCode::Delete)],
        contexts: &[Context::Robots],
        label: "delete",
        help: "Delete the selected robot, after asking.",
        in_footer: true,
    },
    Binding {
        action: Action::UndoChange,
        keys: &[ctrl('z')],
        contexts: GLOBAL,
        label: "undo load/remove",
        help: "Put the draft back as it was before the last template load or item removal (Ctrl-U undoes typing).",
        in_footer: false,
    },
    Binding {
        action: Action::RevealKey,
        keys: &[key(KeyCode::F(3))],
        contexts: &[Context::RobotDialog],
        label: "show/hide key",
        help: "Show or hide the webhook as typed; it is masked while hidden.",
        in_footer: true,
    },
    Binding {
        action: Action::SelectAll,
        keys: &[ctrl('a')],
        contexts: &[Context::Editor],
        label: "select all",
        help: "Select the whole text; then Del clears it (Ctrl-U brings it back), or typing replaces it.",
        in_footer: false,
    },
    Binding {
        action: Action::TextStart,
        keys: &[Key {
            code: KeyCode::Home,
            mods: KeyModifiers::CONTROL,
        }],
        contexts: &[Context::Editor],
        label: "start of text",
        help: "Move the cursor to the start of the whole text.",
        in_footer: false,
    },
    Binding {
        action: Action::TextEnd,
        keys: &[Key {
            code: KeyCode::End,
            mods: KeyModifiers::CONTROL,
        }],
        contexts: &[Context::Editor],
        label: "end of text",
        help: "Move the cursor to the end of the whole text.",
        in_footer: false,
    },
    Binding {
        action: Action::Up,
        keys: &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        contexts: LISTS,
        label: "up",
        help: "Select the item above.",
        in_footer: false,
    },
    Binding {
        action: Action::Down,
        keys: &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        contexts: LISTS,
        label: "down",
        help: "Select the item below.",
        in_footer: false,
    },
    Binding {
        action: Action::Select,
        keys: &[key(KeyCode::Enter)],
        contexts: LISTS,
        label: "write",
        help: "Go to the editor with the selected robot and type.",
        in_footer: true,
    },
    Binding {
        action: Action::PageUp,
        keys: &[key(KeyCode::PageUp), key(KeyCode::Up)],
        contexts: &[Context::Preview],
        label: "scroll",
        help: "Scroll the preview.",
        in_footer: true,
    },
    Binding {
        action: Action::PageDown,
        keys: &[key(KeyCode::PageDown), key(KeyCode::Down)],
        contexts: &[Context::Preview],
        label: "scroll",
        help: "Scroll the preview.",
        in_footer: false,
    },
    Binding {
        action: Action::Help,
        keys: &[key(KeyCode::F(1)), key(KeyCode::Char('?'))],
        contexts: &[
            Context::Global,
            Context::Robots,
            Context::Types,
            Context::Preview,
        ],
        label: "help",
        help: "Show this help (F1 works everywhere, ? outside the editor).",
        in_footer: true,
    },
    Binding {
        action: Action::Quit,
        keys: &[ctrl('q'), ctrl('c')],
        contexts: GLOBAL,
        label: "quit",
        help: "Quit; drafts are saved and come back next time. (Ctrl-C copies instead while text is selected.)",
        in_footer: true,
    },
];

/// What the key means where the user is: bindings of the current context
/// first, then global ones. Plain characters never reach global bindings from
/// the editor.
pub fn resolve(event: &KeyEvent, context: Context) -> Option<Action> {
    let find = |ctx: Context| {
        BINDINGS
            .iter()
            .filter(|b| b.contexts.contains(&ctx))
            .find(|b| {
                b.keys.iter().any(|k| {
                    // A plain key of a global binding works only in the
                    // contexts the binding names (the lists), never as a
                    // global fallback where it might be typed as text.
                    k.matches(event) && !(ctx == Context::Global && is_plain_char(k))
                })
            })
            .map(|b| b.action)
    };
    if context != Context::Global
        && let Some(action) = find(context)
    {
        return Some(action);
    }
    find(Context::Global)
}

fn is_plain_char(k: &Key) -> bool {
    matches!(k.code, KeyCode::Char(_)) && !k.mods.contains(KeyModifiers::CONTROL)
}

/// The bindings to show in the footer for a context: its own, then global.
pub fn footer(context: Context) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for ctx in [context, Context::Global] {
        for b in BINDINGS
            .iter()
            .filter(|b| b.in_footer && b.contexts.contains(&ctx))
        {
            if seen.contains(&b.action) {
                continue;
            }
            let keys: Vec<&Key> = b
                .keys
                .iter()
                .filter(|k| !(ctx == Context::Global && is_plain_char(k)))
                .collect();
            let Some(first) = keys.first() else { continue };
            seen.push(b.action);
            out.push((first.label(), b.label));
        }
    }
    out
}

/// Every binding with its keys written out, for the help screen.
pub fn help_rows() -> Vec<(String, &'static str, &'static str)> {
    BINDINGS
        .iter()
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(Key::label).collect();
            let where_ = if b.contexts.contains(&Context::Global) {
                "anywhere"
            } else if b.contexts.contains(&Context::Robots) && b.contexts.contains(&Context::Types)
            {
                "lists"
            } else if b.contexts.contains(&Context::Robots) {
                "robots"
            } else if b.contexts.contains(&Context::Preview) {
                "preview"
            } else if b.contexts.contains(&Context::Form) {
                "form"
            } else if b.contexts.contains(&Context::RobotDialog) {
                "dialog"
            } else {
                "editor"
            };
            (keys.join(" / "), where_, b.help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn plain_letters_are_text_in_the_editor_but_commands_in_lists() {
        let a = ev(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(resolve(&a, Context::Editor), None);
        assert_eq!(resolve(&a, Context::Robots), Some(Action::AddRobot));
        let q = ev(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(resolve(&q, Context::Editor), None);
        assert_eq!(resolve(&q, Context::Types), Some(Action::Help));
        assert_eq!(
            resolve(&a, Context::Preview),
            None,
            "only the robot list takes plain a"
        );
    }

    #[test]
    fn chords_work_everywhere() {
        let s = ev(KeyCode::Char('s'), KeyModifiers::CONTROL);
        for ctx in [
            Context::Editor,
            Context::Robots,
            Context::Types,
            Context::Preview,
        ] {
            assert_eq!(resolve(&s, ctx), Some(Action::Send), "{ctx:?}");
        }
        assert_eq!(
            resolve(&ev(KeyCode::F(1), KeyModifiers::NONE), Context::Editor),
            Some(Action::Help)
        );
    }

    #[test]
    fn footer_and_help_come_from_the_same_list() {
        let foot = footer(Context::Editor);
        assert!(foot.iter().any(|(k, l)| k == "Ctrl-S" && *l == "send"));
        assert!(
            !foot.iter().any(|(k, _)| k == "a"),
            "plain keys are not hints in the editor"
        );
        let help = help_rows();
        assert_eq!(help.len(), BINDINGS.len());
        assert!(help.iter().any(|(k, _, _)| k == "Ctrl-S / F5"));
    }
}
