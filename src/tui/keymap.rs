//! The key map: one list of commands that drives key handling, the footer of
//! key hints and the help screen, so the three never disagree.
//!
//! In an editor, plain keys are text: every command there is a chord
//! (Ctrl-…), a function key, Tab or Esc. Single-letter commands exist only in
//! the lists, where nothing is typed.

use std::borrow::Cow;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the user is, which decides what a key means. Every screen and
/// pop-up has one; `App::key_context` says which applies now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The main screen, whatever pane has the keyboard (pop-ups excluded).
    Global,
    Robots,
    Types,
    /// A text editor: content, mentions, raw JSON.
    Editor,
    /// The form of a news message or card, on a row that takes no Enter of
    /// its own (a multi-line field, an item's header).
    Form,
    /// A one-line field of the form: Enter goes to the next row.
    FormField,
    /// A choice in the form: Enter, Space and ←/→ change it.
    FormChoice,
    /// A group's row in the form (articles, rows, links): Enter adds one.
    FormList,
    /// The path of a picture, file or voice clip.
    PathField,
    Preview,
    /// The add / edit / rename robot dialog.
    RobotDialog,
    /// The help screen (F1).
    Help,
    /// The template list.
    Templates,
    /// The name typed when saving the current message as a template.
    TemplateName,
    /// The file browser of the path field.
    FileBrowser,
    /// Deleting a robot or a template, asked first.
    ConfirmDelete,
    /// Quitting although the drafts could not be saved, asked first.
    ConfirmQuit,
    /// The results of a broadcast: one line per robot.
    Results,
    /// Quitting while messages this composer queued are still in the
    /// outbox: wait for them or leave them.
    QuitOutbox,
    /// The history of sends (F10); letters type its filter.
    History,
    /// The outbox, the other tab of the history screen.
    Outbox,
    /// The time typed for send later (Ctrl-L); letters are text.
    SendLater,
    /// The parts a message over its limit would be sent as.
    SplitOffer,
    /// The relay codes of the robot in the edit dialog (Tab reaches them).
    RobotCodes,
}

impl Context {
    /// Where a key not bound here is looked up next: the form's rows share
    /// the form's keys, the main screen's panes share the global ones, and a
    /// pop-up's keys are its own.
    fn parent(self) -> Option<Context> {
        match self {
            Context::FormField | Context::FormChoice | Context::FormList => Some(Context::Form),
            Context::Robots
            | Context::Types
            | Context::Editor
            | Context::Form
            | Context::PathField
            | Context::Preview => Some(Context::Global),
            _ => None,
        }
    }

    /// What the help screen calls the place.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "anywhere",
            Context::Robots => "robots",
            Context::Types => "types",
            Context::Editor => "editor",
            Context::Form => "form",
            Context::FormField => "form field",
            Context::FormChoice => "choice",
            Context::FormList => "group row",
            Context::PathField => "file path",
            Context::Preview => "preview",
            Context::RobotDialog => "Robot dialog",
            Context::Help => "Help",
            Context::Templates => "Templates",
            Context::TemplateName => "Template name",
            Context::FileBrowser => "File browser",
            Context::ConfirmDelete => "Delete?",
            Context::ConfirmQuit => "Quit?",
            Context::Results => "Results",
            Context::QuitOutbox => "Quit with the outbox?",
            Context::History => "History",
            Context::Outbox => "Outbox",
            Context::SendLater => "Send later",
            Context::SplitOffer => "Split",
            Context::RobotCodes => "Relay codes",
        }
    }

    /// What the help screen calls the place, in the current language.
    pub fn shown_title(self) -> Cow<'static, str> {
        crate::i18n::text_or(&format!("keymap.context.{self:?}"), self.title())
    }

    /// The main screen's contexts, in the order the help screen lists them.
    pub const MAIN: &'static [Context] = &[
        Context::Global,
        Context::Robots,
        Context::Types,
        Context::Editor,
        Context::Form,
        Context::FormField,
        Context::FormChoice,
        Context::FormList,
        Context::PathField,
        Context::Preview,
    ];

    /// The pop-ups' contexts, each summed up on one line of the help screen.
    pub const POPUPS: &'static [Context] = &[
        Context::RobotDialog,
        Context::RobotCodes,
        Context::Templates,
        Context::TemplateName,
        Context::FileBrowser,
        Context::ConfirmDelete,
        Context::ConfirmQuit,
        Context::History,
        Context::Outbox,
        Context::SendLater,
        Context::SplitOffer,
        Context::Results,
        Context::QuitOutbox,
        Context::Help,
    ];
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
    /// To the first / last line (help).
    Top,
    Bottom,
    ToggleJson,
    SwitchDialect,
    Templates,
    ConvertImage,
    AddItem,
    RemoveItem,
    MoveItemUp,
    MoveItemDown,
    /// The next / previous value of a choice in the form.
    NextChoice,
    PrevChoice,
    /// Check the typed path (or browse from an empty one).
    CheckPath,
    /// Complete the typed path, as a shell does.
    CompletePath,
    /// Show or hide the webhook typed in the robot dialog.
    RevealKey,
    /// Move between the robot dialog's fields.
    SwitchField,
    /// Save what a pop-up holds (the robot dialog, a template's name).
    Submit,
    /// Save the current message as a template.
    SaveTemplate,
    DeleteTemplate,
    /// The file browser's parent directory.
    Parent,
    /// Close a pop-up, or answer no.
    Close,
    /// Answer yes to a question.
    Confirm,
    /// Copy the selected text (and quit when nothing is selected).
    Copy,
    /// Scroll the Checks pane.
    ChecksUp,
    ChecksDown,
    /// Put back the draft as it was before a template load or item removal.
    UndoChange,
    /// Apply the quick fix of the hint on the cursor's line (or the first).
    QuickFix,
    /// Open the History and Outbox screen.
    History,
    /// The screen's other tab (History / Outbox).
    NextTab,
    /// Open the selected entry in the composer as the draft.
    Reopen,
    /// Send the selected entry again, to the robot it went to.
    Resend,
    /// Copy the selected entry's exact payload (OSC 52).
    CopyPayload,
    /// Outbox: cancel the selected item.
    CancelItem,
    /// Outbox: try the selected item now.
    RetryItem,
    /// Select the whole text of the focused editor.
    SelectAll,
    /// Cursor to the start / end of the whole text.
    TextStart,
    TextEnd,
    /// Queue the message for a time to come.
    SendLater,
    /// Send the parts a message over its limit was split into.
    SendParts,
    /// Robot dialog: make a relay code for `wecom serve`, shown once.
    NewRelayCode,
    /// Robot dialog: copy the new code's curl line (OSC 52).
    CopyCurl,
    /// Robot dialog: revoke the selected relay code, after asking.
    RevokeCode,
    /// Copy out with OSC 52: the exact JSON payload from the preview, the
    /// selection or the field from an editor.
    CopyOut,
    /// Mark or unmark the robot for a broadcast (on a group: its members).
    Mark,
    /// Unmark every robot.
    ClearMarks,
    /// Quit now, leaving the unfinished messages in the outbox.
    LeaveOutbox,
    /// Open the results view of the latest broadcast again.
    ShowResults,
    /// Switch the app between English and Chinese, and remember it.
    SwitchLanguage,
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
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
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

    /// The key event this key is, as the terminal would send it.
    pub fn event(&self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
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

/// Whether a command shows in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    /// Only on the help screen.
    No,
    /// In the footer while there is room.
    Yes,
    /// Always in the footer, first (send).
    First,
    /// Always in the footer, last (help, quit).
    Last,
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
    pub footer: Footer,
}

impl Binding {
    /// The locale files' key of this binding's words: its first context and
    /// its action name it (`keymap.Global.Send`), so the table keeps its
    /// English beside the keys and needs no key column of its own.
    pub fn text_key(&self) -> String {
        let place = self.contexts.first().copied().unwrap_or(Context::Global);
        format!("keymap.{place:?}.{:?}", self.action)
    }

    /// The footer label in the current language.
    pub fn shown_label(&self) -> Cow<'static, str> {
        crate::i18n::text_or(&format!("{}.label", self.text_key()), self.label)
    }

    /// The help sentence in the current language.
    pub fn shown_help(&self) -> Cow<'static, str> {
        crate::i18n::text_or(&format!("{}.help", self.text_key()), self.help)
    }
}

const LISTS: &[Context] = &[Context::Robots, Context::Types];
const GLOBAL: &[Context] = &[Context::Global];
/// Where text is edited: Ctrl-C copies there.
const TEXT: &[Context] = &[
    Context::Editor,
    Context::Form,
    Context::FormField,
    Context::PathField,
];
/// Where Ctrl-Q quits: everywhere but the questions.
const QUIT: &[Context] = &[
    Context::Global,
    Context::Results,
    Context::History,
    Context::Outbox,
    Context::RobotDialog,
    Context::RobotCodes,
    Context::Help,
    Context::Templates,
    Context::TemplateName,
    Context::FileBrowser,
    Context::SendLater,
    Context::SplitOffer,
];
const SCROLLED: &[Context] = &[Context::Help, Context::FileBrowser];
/// The History and Outbox screen's two tabs.
const MEMORY: &[Context] = &[Context::History, Context::Outbox];
const POPUP_LISTS: &[Context] = &[Context::Help, Context::Templates, Context::FileBrowser];
/// Where nothing is typed: Ctrl-Y copies the JSON payload there, as it
/// copies an entry's payload in History (in an editor Ctrl-Y pastes).
const COPY_JSON: &[Context] = &[Context::Preview, Context::Robots, Context::Types];
/// Every editor of the main screen: Alt-C copies out from there.
const COPY_TEXT: &[Context] = &[
    Context::Editor,
    Context::Form,
    Context::FormField,
    Context::FormChoice,
    Context::FormList,
    Context::PathField,
];

const fn bind(
    action: Action,
    keys: &'static [Key],
    contexts: &'static [Context],
    label: &'static str,
    help: &'static str,
    footer: Footer,
) -> Binding {
    Binding {
        action,
        keys,
        contexts,
        label,
        help,
        footer,
    }
}

use Footer::{First, Last, No, Yes};

/// Every command of every screen and pop-up, in the order the footer and
/// help show them. Within one context the first binding of a key wins.
pub const BINDINGS: &[Binding] = &[
    bind(
        Action::Send,
        &[ctrl('s'), key(KeyCode::F(5))],
        GLOBAL,
        "send",
        "Send the message to the selected robot (refused while an error remains).",
        First,
    ),
    bind(
        Action::Submit,
        &[key(KeyCode::Enter)],
        &[Context::SendLater],
        "queue",
        "Put the message in the outbox for the time typed.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::SendLater],
        "cancel",
        "Close without queueing anything.",
        Yes,
    ),
    bind(
        Action::SendParts,
        &[key(KeyCode::Enter), ctrl('s')],
        &[Context::SplitOffer],
        "send the parts",
        "Send the numbered parts, in order, through the outbox.",
        Yes,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        &[Context::SplitOffer],
        "scroll",
        "Scroll the parts.",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        &[Context::SplitOffer],
        "scroll",
        "Scroll the parts.",
        No,
    ),
    bind(
        Action::PageUp,
        &[key(KeyCode::PageUp)],
        &[Context::SplitOffer],
        "page",
        "Scroll the parts a page.",
        No,
    ),
    bind(
        Action::PageDown,
        &[key(KeyCode::PageDown), key(KeyCode::Char(' '))],
        &[Context::SplitOffer],
        "page",
        "Scroll the parts a page.",
        No,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::SplitOffer],
        "back",
        "Back to the draft; nothing is sent.",
        Yes,
    ),
    bind(
        Action::SendRaw,
        &[key(KeyCode::F(8))],
        GLOBAL,
        "send as is",
        "Send the raw JSON as written, skipping the local checks (for the JSON editor).",
        No,
    ),
    bind(
        Action::CancelSend,
        &[key(KeyCode::Esc)],
        GLOBAL,
        "cancel send",
        "Cancel the send in flight (in an editor, Esc also ends a selection).",
        No,
    ),
    bind(
        Action::CheckPath,
        &[key(KeyCode::Enter)],
        &[Context::PathField],
        "check",
        "Check the file; on an empty path or a directory, open the file browser.",
        Yes,
    ),
    bind(
        Action::CompletePath,
        &[key(KeyCode::Tab)],
        &[Context::PathField],
        "complete",
        "Complete the typed path as a shell does; once complete, Tab moves on.",
        Yes,
    ),
    bind(
        Action::FocusNext,
        &[key(KeyCode::Tab)],
        GLOBAL,
        "next pane",
        "Next pane or field (robots, type, editor fields, preview); the mouse works too.",
        Yes,
    ),
    bind(
        Action::FocusPrev,
        &[key(KeyCode::BackTab)],
        GLOBAL,
        "previous pane",
        "Move to the previous pane or field.",
        No,
    ),
    bind(
        Action::ExternalEditor,
        &[ctrl('e'), key(KeyCode::F(4))],
        GLOBAL,
        "$EDITOR",
        "Edit the focused text in $VISUAL or $EDITOR; what it saves replaces the text.",
        Yes,
    ),
    bind(
        Action::NextType,
        &[ctrl('t')],
        GLOBAL,
        "next type",
        "Switch to the next message type, keeping every draft.",
        No,
    ),
    bind(
        Action::TogglePreview,
        &[key(KeyCode::F(3))],
        GLOBAL,
        "preview/JSON",
        "Switch the preview between the content and the exact JSON payload.",
        Yes,
    ),
    bind(
        Action::SendLater,
        &[ctrl('l')],
        GLOBAL,
        "send later",
        "Send the message at a time to come (18:00, +30m, tomorrow 09:00): it waits in the outbox.",
        Yes,
    ),
    bind(
        Action::ToggleJson,
        &[key(KeyCode::F(9))],
        GLOBAL,
        "form/JSON",
        "Edit news, cards and files as a form or as raw JSON; what is typed carries over.",
        No,
    ),
    bind(
        Action::SwitchDialect,
        &[ctrl('d')],
        GLOBAL,
        "md ⇄ md_v2",
        "markdown ⇄ markdown_v2 with the same text, to compare how each renders it.",
        No,
    ),
    bind(
        Action::ConvertImage,
        &[ctrl('k')],
        GLOBAL,
        "convert image",
        "Convert a picture WeCom would refuse (WebP, GIF, BMP, > 2 MiB) to PNG or JPEG.",
        No,
    ),
    bind(
        Action::Templates,
        &[ctrl('o')],
        GLOBAL,
        "templates",
        "Open a template (shipped examples and yours), or save the current message as one.",
        Yes,
    ),
    bind(
        Action::AddItem,
        &[key(KeyCode::F(6))],
        &[Context::Form],
        "add item",
        "Add an item to the group under the cursor (article, row, link), up to the maximum.",
        Yes,
    ),
    bind(
        Action::AddItem,
        &[key(KeyCode::Enter)],
        &[Context::FormList],
        "add item",
        "On a group's row, add an item to it.",
        Yes,
    ),
    bind(
        Action::RemoveItem,
        &[key(KeyCode::F(7))],
        &[Context::Form],
        "remove item",
        "Remove the item under the cursor.",
        Yes,
    ),
    bind(
        Action::MoveItemUp,
        &[alt(KeyCode::Up)],
        &[Context::Form],
        "move up",
        "Move the item under the cursor up.",
        Yes,
    ),
    bind(
        Action::MoveItemDown,
        &[alt(KeyCode::Down)],
        &[Context::Form],
        "move down",
        "Move the item under the cursor down.",
        No,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up)],
        &[Context::Form],
        "previous row",
        "Move to the row above (in a multi-line field, to the line above first).",
        No,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down)],
        &[Context::Form],
        "next row",
        "Move to the row below (in a multi-line field, to the line below first).",
        No,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Enter)],
        &[Context::FormField],
        "next field",
        "In a one-line field, go to the next row.",
        No,
    ),
    bind(
        Action::NextChoice,
        &[
            key(KeyCode::Enter),
            key(KeyCode::Char(' ')),
            key(KeyCode::Right),
        ],
        &[Context::FormChoice],
        "next choice",
        "Change the choice to the next value.",
        Yes,
    ),
    bind(
        Action::PrevChoice,
        &[key(KeyCode::Left)],
        &[Context::FormChoice],
        "previous choice",
        "Change the choice to the previous value.",
        No,
    ),
    bind(
        Action::AddRobot,
        &[key(KeyCode::F(2))],
        GLOBAL,
        "add robot",
        "Add a robot: a name and its webhook URL or bare key.",
        Yes,
    ),
    bind(
        Action::AddRobot,
        &[key(KeyCode::Char('a'))],
        &[Context::Robots],
        "add robot",
        "Add a robot (F2 does it anywhere).",
        Yes,
    ),
    bind(
        Action::EditRobot,
        &[key(KeyCode::Char('e'))],
        &[Context::Robots],
        "edit",
        "Change the selected robot's name or webhook.",
        Yes,
    ),
    bind(
        Action::RenameRobot,
        &[key(KeyCode::Char('r'))],
        &[Context::Robots],
        "rename",
        "Rename the selected robot (its drafts follow).",
        Yes,
    ),
    bind(
        Action::DeleteRobot,
        &[key(KeyCode::Char('d')), key(KeyCode::Delete)],
        &[Context::Robots],
        "delete",
        "Delete the selected robot, after asking.",
        Yes,
    ),
    bind(
        Action::ChecksUp,
        &[alt(KeyCode::PageUp)],
        GLOBAL,
        "scroll checks",
        "Scroll the Checks pane up, when it holds more than fits (the wheel works too).",
        No,
    ),
    bind(
        Action::ChecksDown,
        &[alt(KeyCode::PageDown)],
        GLOBAL,
        "scroll checks down",
        "Scroll the Checks pane down.",
        No,
    ),
    bind(
        Action::UndoChange,
        &[ctrl('z')],
        GLOBAL,
        "undo load/remove",
        "Undo the last template load or item removal (Ctrl-U undoes typing).",
        No,
    ),
    bind(
        Action::Copy,
        &[ctrl('c')],
        TEXT,
        "copy",
        "Copy the selected text; with nothing selected, Ctrl-C quits.",
        No,
    ),
    bind(
        Action::SelectAll,
        &[ctrl('a')],
        &[Context::Editor],
        "select all",
        "Select all: Del then clears the text (Ctrl-U brings it back), typing replaces it.",
        No,
    ),
    bind(
        Action::TextStart,
        &[Key {
            code: KeyCode::Home,
            mods: KeyModifiers::CONTROL,
        }],
        &[Context::Editor],
        "start of text",
        "Move the cursor to the start of the whole text.",
        No,
    ),
    bind(
        Action::TextEnd,
        &[Key {
            code: KeyCode::End,
            mods: KeyModifiers::CONTROL,
        }],
        &[Context::Editor],
        "end of text",
        "Move the cursor to the end of the whole text.",
        No,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        LISTS,
        "up",
        "Select the item above.",
        No,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        LISTS,
        "down",
        "Select the item below.",
        No,
    ),
    bind(
        Action::Select,
        &[key(KeyCode::Enter)],
        LISTS,
        "write",
        "Go to the editor with the selected robot and type.",
        Yes,
    ),
    bind(
        Action::PageUp,
        &[key(KeyCode::PageUp), key(KeyCode::Up)],
        &[Context::Preview],
        "scroll",
        "Scroll the preview up.",
        Yes,
    ),
    bind(
        Action::PageDown,
        &[key(KeyCode::PageDown), key(KeyCode::Down)],
        &[Context::Preview],
        "scroll down",
        "Scroll the preview down.",
        No,
    ),
    bind(
        Action::Help,
        &[key(KeyCode::F(1))],
        GLOBAL,
        "help",
        "Show this help (F1 works everywhere on the main screen).",
        Last,
    ),
    bind(
        Action::Help,
        &[key(KeyCode::Char('?'))],
        &[Context::Robots, Context::Types, Context::Preview],
        "help",
        "Show this help (? works where nothing is typed).",
        Last,
    ),
    bind(
        Action::Quit,
        &[ctrl('q'), ctrl('c')],
        QUIT,
        "quit",
        "Quit, saving the drafts for next time (Ctrl-C copies while text is selected).",
        Last,
    ),
    // The pop-ups: Esc closes every one.
    bind(
        Action::Submit,
        &[key(KeyCode::Enter)],
        &[Context::RobotDialog, Context::TemplateName],
        "save",
        "Save what was typed.",
        Yes,
    ),
    bind(
        Action::SwitchField,
        &[
            key(KeyCode::Tab),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
            key(KeyCode::Down),
        ],
        &[Context::RobotDialog],
        "switch field",
        "Move between the name and the webhook.",
        Yes,
    ),
    bind(
        Action::RevealKey,
        &[key(KeyCode::F(3))],
        &[Context::RobotDialog],
        "show/hide key",
        "Show or hide the webhook as typed; it is masked while hidden.",
        Yes,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        POPUP_LISTS,
        "up",
        "The line above.",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        POPUP_LISTS,
        "down",
        "The line below.",
        Yes,
    ),
    bind(
        Action::PageUp,
        &[key(KeyCode::PageUp)],
        SCROLLED,
        "page up",
        "A page up.",
        No,
    ),
    bind(
        Action::PageDown,
        &[key(KeyCode::PageDown), key(KeyCode::Char(' '))],
        SCROLLED,
        "page down",
        "A page down.",
        No,
    ),
    bind(
        Action::Top,
        &[key(KeyCode::Home)],
        &[Context::Help],
        "top",
        "To the first line.",
        No,
    ),
    bind(
        Action::Bottom,
        &[key(KeyCode::End)],
        &[Context::Help],
        "bottom",
        "To the last line.",
        No,
    ),
    bind(
        Action::Select,
        &[key(KeyCode::Enter)],
        &[Context::Templates],
        "load",
        "Load the selected template into its type's draft (Ctrl-Z puts the draft back).",
        Yes,
    ),
    bind(
        Action::SaveTemplate,
        &[key(KeyCode::Char('s')), key(KeyCode::Char('n'))],
        &[Context::Templates],
        "save current",
        "Save the current message as a template.",
        Yes,
    ),
    bind(
        Action::DeleteTemplate,
        &[key(KeyCode::Char('d')), key(KeyCode::Delete)],
        &[Context::Templates],
        "delete",
        "Delete the selected template of yours, after asking.",
        Yes,
    ),
    bind(
        Action::Select,
        &[key(KeyCode::Enter), key(KeyCode::Right)],
        &[Context::FileBrowser],
        "open/choose",
        "Open the directory, or choose the file.",
        Yes,
    ),
    bind(
        Action::Parent,
        &[key(KeyCode::Backspace), key(KeyCode::Left)],
        &[Context::FileBrowser],
        "parent",
        "Go to the parent directory.",
        Yes,
    ),
    bind(
        Action::Confirm,
        &[key(KeyCode::Char('y')), key(KeyCode::Enter)],
        &[Context::ConfirmDelete],
        "delete",
        "Delete it.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Char('n')), key(KeyCode::Esc)],
        &[Context::ConfirmDelete],
        "keep",
        "Keep it.",
        Yes,
    ),
    bind(
        Action::Confirm,
        &[key(KeyCode::Char('y'))],
        &[Context::ConfirmQuit],
        "quit anyway",
        "Quit, losing the unsaved drafts.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Char('n')), key(KeyCode::Esc)],
        &[Context::ConfirmQuit],
        "stay",
        "Stay, and keep the drafts.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::RobotDialog],
        "cancel",
        "Close without saving.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::TemplateName],
        "back",
        "Back to the list without saving.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::Help, Context::Templates, Context::FileBrowser],
        "close",
        "Close (in help, any other key closes too).",
        Yes,
    ),
    bind(
        Action::QuickFix,
        &[ctrl('f')],
        GLOBAL,
        "quick fix",
        "Apply the fix a hint offers (shown after it in brackets): the hint on the cursor's line, else the first; Ctrl-Z undoes it.",
        Yes,
    ),
    bind(
        Action::History,
        &[key(KeyCode::F(10))],
        GLOBAL,
        "history",
        "Open the history of sends and the outbox (Tab switches between them).",
        Yes,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up)],
        &[Context::History],
        "up",
        "The entry above (letters type the filter).",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down)],
        &[Context::History],
        "down",
        "The entry below.",
        Yes,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        &[Context::Outbox],
        "up",
        "The item above.",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        &[Context::Outbox],
        "down",
        "The item below.",
        Yes,
    ),
    bind(
        Action::PageUp,
        &[key(KeyCode::PageUp)],
        MEMORY,
        "page up",
        "A page up.",
        No,
    ),
    bind(
        Action::PageDown,
        &[key(KeyCode::PageDown)],
        MEMORY,
        "page down",
        "A page down.",
        No,
    ),
    bind(
        Action::Top,
        &[key(KeyCode::Home)],
        MEMORY,
        "newest",
        "To the first (newest) entry.",
        No,
    ),
    bind(
        Action::Bottom,
        &[key(KeyCode::End)],
        MEMORY,
        "oldest",
        "To the last (oldest) entry.",
        No,
    ),
    bind(
        Action::Select,
        &[key(KeyCode::Enter)],
        MEMORY,
        "details",
        "Show the exact payload and outcome (Enter again: back to the list).",
        Yes,
    ),
    bind(
        Action::NextTab,
        &[key(KeyCode::Tab)],
        MEMORY,
        "history/outbox",
        "Switch between the history and the outbox.",
        Yes,
    ),
    bind(
        Action::Reopen,
        &[ctrl('o')],
        &[Context::History],
        "open as draft",
        "Open the entry in the composer as the draft for its robot and type (Ctrl-Z there puts the old draft back).",
        Yes,
    ),
    bind(
        Action::Reopen,
        &[ctrl('o'), key(KeyCode::Char('e'))],
        &[Context::Outbox],
        "edit",
        "Open the item in the composer to edit it; it stays queued until the edit is sent, which then goes in its place (at its due time, if it had one).",
        Yes,
    ),
    bind(
        Action::Resend,
        &[ctrl('r')],
        &[Context::History],
        "resend",
        "Send the entry again, through the outbox, to the robot it went to, or to the marked robots when some are marked.",
        Yes,
    ),
    bind(
        Action::CopyPayload,
        &[ctrl('y')],
        MEMORY,
        "copy payload",
        "Copy the exact JSON payload to the clipboard (OSC 52: works over SSH and in tmux with set-clipboard on).",
        Yes,
    ),
    bind(
        Action::Mark,
        &[key(KeyCode::Char(' '))],
        &[Context::Robots],
        "mark",
        "Mark or unmark the robot for a broadcast (on a group: mark its members); send then goes to every marked robot.",
        Yes,
    ),
    bind(
        Action::ClearMarks,
        &[key(KeyCode::Esc)],
        &[Context::Robots],
        "clear marks",
        "Unmark every robot (with none marked, Esc cancels the send in flight).",
        Yes,
    ),
    bind(
        Action::CopyOut,
        &[ctrl('y'), alt(KeyCode::Char('c'))],
        COPY_JSON,
        "copy JSON",
        "Copy the exact JSON payload, as it would be POSTed (never the webhook key), to the clipboard (OSC 52: works over SSH and in tmux with set-clipboard on).",
        Yes,
    ),
    bind(
        Action::CopyOut,
        &[alt(KeyCode::Char('c'))],
        COPY_TEXT,
        "copy out",
        "Copy to the clipboard (OSC 52): the selection, else the whole field; the JSON payload while the preview shows it.",
        No,
    ),
    bind(
        Action::CancelItem,
        &[key(KeyCode::Delete), key(KeyCode::Char('d'))],
        &[Context::Outbox],
        "cancel item",
        "Cancel the selected item: it is not sent, and the history says so.",
        Yes,
    ),
    bind(
        Action::RetryItem,
        &[key(KeyCode::Char('r'))],
        &[Context::Outbox],
        "retry now",
        "Try the selected item now (an unknown one only when you are sure it did not arrive).",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        MEMORY,
        "back",
        "Close the details, clear the filter, or go back to the composer.",
        Yes,
    ),
    // The relay codes in the edit dialog: no text is typed there.
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        &[Context::RobotCodes],
        "up",
        "The code above.",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        &[Context::RobotCodes],
        "down",
        "The code below.",
        Yes,
    ),
    bind(
        Action::NewRelayCode,
        &[key(KeyCode::Char('n'))],
        &[Context::RobotCodes],
        "new code",
        "Make a relay code for `wecom serve`: shown once, with a curl line; only its hash is saved.",
        Yes,
    ),
    bind(
        Action::CopyCurl,
        &[key(KeyCode::Char('c'))],
        &[Context::RobotCodes],
        "copy curl",
        "Copy the new code's curl line (OSC 52); the code is not shown again.",
        Yes,
    ),
    bind(
        Action::RevokeCode,
        &[key(KeyCode::Char('d')), key(KeyCode::Delete)],
        &[Context::RobotCodes],
        "revoke",
        "Revoke the selected code, after asking: posts with it are refused from then on.",
        Yes,
    ),
    bind(
        Action::SwitchField,
        &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        &[Context::RobotCodes],
        "switch field",
        "Back to the name and the webhook.",
        Yes,
    ),
    bind(
        Action::Submit,
        &[key(KeyCode::Enter)],
        &[Context::RobotCodes],
        "save",
        "Save the name and the webhook (codes are saved as they are made).",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::RobotCodes],
        "close",
        "Close; codes made or revoked stay so.",
        Yes,
    ),
    bind(
        Action::ShowResults,
        &[key(KeyCode::F(11))],
        GLOBAL,
        "results",
        "Show the results of the latest broadcast again (one line per robot).",
        No,
    ),
    bind(
        Action::Up,
        &[key(KeyCode::Up), key(KeyCode::Char('k'))],
        &[Context::Results],
        "up",
        "The robot above (in the detail: scroll).",
        Yes,
    ),
    bind(
        Action::Down,
        &[key(KeyCode::Down), key(KeyCode::Char('j'))],
        &[Context::Results],
        "down",
        "The robot below.",
        Yes,
    ),
    bind(
        Action::PageUp,
        &[key(KeyCode::PageUp)],
        &[Context::Results],
        "page up",
        "A page up (in the detail: scroll).",
        No,
    ),
    bind(
        Action::PageDown,
        &[key(KeyCode::PageDown)],
        &[Context::Results],
        "page down",
        "A page down (in the detail: scroll).",
        No,
    ),
    bind(
        Action::Select,
        &[key(KeyCode::Enter)],
        &[Context::Results],
        "detail",
        "Show the robot's outcome in full and the payload (Enter again: back).",
        Yes,
    ),
    bind(
        Action::RetryItem,
        &[key(KeyCode::Char('r'))],
        &[Context::Results],
        "retry failed",
        "Send again to every robot that did not get it: refused, failed, cancelled, and unknown (which may have been delivered: check first).",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Esc)],
        &[Context::Results],
        "close",
        "Close the view (or the detail); the sending goes on and the status line counts.",
        Yes,
    ),
    bind(
        Action::Confirm,
        &[key(KeyCode::Char('w')), key(KeyCode::Enter)],
        &[Context::QuitOutbox],
        "wait, then quit",
        "Quit once they are sent, counting down on the status line (Esc stops waiting).",
        Yes,
    ),
    bind(
        Action::LeaveOutbox,
        &[key(KeyCode::Char('l'))],
        &[Context::QuitOutbox],
        "leave them",
        "Quit now: they stay in the outbox; the composer's next start (or `wecom outbox flush`) sends them.",
        Yes,
    ),
    bind(
        Action::Close,
        &[key(KeyCode::Char('n')), key(KeyCode::Esc)],
        &[Context::QuitOutbox],
        "stay",
        "Stay in the composer.",
        Yes,
    ),
    bind(
        Action::SwitchLanguage,
        &[key(KeyCode::F(12))],
        &[Context::Global, Context::Help],
        "中文/English",
        "Switch the language between English and Chinese (中文); config.toml remembers it.",
        No,
    ),
];

/// What the key means where the user is: the context's own bindings first,
/// then those of the places it shares keys with. A plain character never
/// reaches a global binding: in an editor it is text.
pub fn resolve(event: &KeyEvent, context: Context) -> Option<Action> {
    let mut ctx = Some(context);
    while let Some(c) = ctx {
        if let Some(b) = BINDINGS
            .iter()
            .filter(|b| b.contexts.contains(&c))
            .find(|b| b.keys.iter().any(|k| k.matches(event) && usable(k, c)))
        {
            return Some(b.action);
        }
        ctx = c.parent();
    }
    None
}

/// A plain key of a global binding works only in the contexts the binding
/// names, never as a global fallback where it might be typed as text.
fn usable(k: &Key, ctx: Context) -> bool {
    !(ctx == Context::Global && is_plain_char(k))
}

fn is_plain_char(k: &Key) -> bool {
    matches!(k.code, KeyCode::Char(_)) && !k.mods.contains(KeyModifiers::CONTROL)
}

/// A key hint as the footer shows it, in the manner of gitui's
/// `CommandInfo`: greyed when its action is unavailable now (send while a
/// check fails), pinned ones always shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub action: Action,
    /// The first key, as written: `Ctrl-S`.
    pub key: String,
    /// What it does, in the current language.
    pub label: String,
    pub pinned: bool,
    /// Whether the action can be done now.
    pub available: bool,
}

/// The bindings of `context` and the places it shares keys with, each
/// action once, in the table's order within each place, and the keys that
/// work there (a global binding's plain keys do not).
fn reachable(context: Context) -> Vec<(&'static Binding, Vec<&'static Key>)> {
    let mut out: Vec<(&'static Binding, Vec<&'static Key>)> = Vec::new();
    let mut ctx = Some(context);
    while let Some(c) = ctx {
        for b in BINDINGS.iter().filter(|b| b.contexts.contains(&c)) {
            if out.iter().any(|(o, _)| o.action == b.action) {
                continue;
            }
            let keys: Vec<&Key> = b
                .keys
                .iter()
                .filter(|k| usable(k, c) && resolve(&k.event(), context) == Some(b.action))
                .collect();
            if !keys.is_empty() {
                out.push((b, keys));
            }
        }
        ctx = c.parent();
    }
    out
}

/// The footer's hints for a context: its own, then those it shares.
/// `available` says whether an action can be done now.
pub fn footer(context: Context, available: impl Fn(Action) -> bool) -> Vec<Hint> {
    let mut hints: Vec<(Footer, Hint)> = reachable(context)
        .into_iter()
        .filter(|(b, _)| b.footer != Footer::No)
        .map(|(b, keys)| {
            let hint = Hint {
                action: b.action,
                key: keys.first().map(|k| k.label()).unwrap_or_default(),
                label: b.shown_label().into_owned(),
                pinned: matches!(b.footer, Footer::First | Footer::Last),
                available: available(b.action),
            };
            (b.footer, hint)
        })
        .collect();
    // Send leads, help and quit close the line; the rest keep the table's
    // order, the context's own first.
    hints.sort_by_key(|(f, _)| match f {
        Footer::First => 0,
        Footer::Last => 2,
        _ => 1,
    });
    hints.into_iter().map(|(_, h)| h).collect()
}

/// The first key for `action` where the user is, as written (`F9`), for the
/// hints inside panes; empty when nothing there does it.
pub fn key_for(action: Action, context: Context) -> String {
    reachable(context)
        .into_iter()
        .find(|(b, _)| b.action == action)
        .and_then(|(_, keys)| keys.first().map(|k| k.label()))
        .unwrap_or_default()
}

/// A pop-up's own commands on one line for its box: `Enter save · Esc
/// cancel`, or with every key written out (`y / Enter delete · n / Esc
/// keep`). Moving the cursor and quitting are left to the footer, and so is
/// what cannot be done now.
pub fn hint_line(context: Context, all_keys: bool, available: impl Fn(Action) -> bool) -> String {
    reachable(context)
        .into_iter()
        .filter(|(b, _)| !is_navigation(b.action) && available(b.action))
        .map(|(b, keys)| {
            let shown = if all_keys { keys.len() } else { 1 };
            let keys: Vec<String> = keys.iter().take(shown).map(|k| k.label()).collect();
            format!("{} {}", keys.join(" / "), b.shown_label())
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn is_navigation(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Quit
    )
}

/// The help screen's rows for the main screen: keys, where they work, and
/// what they do; one row per binding, keys that work there only (`a` adds a
/// robot in the robot list, not in the editor).
pub fn help_rows() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for ctx in Context::MAIN {
        for b in BINDINGS.iter().filter(|b| b.contexts.first() == Some(ctx)) {
            let keys: Vec<String> = b
                .keys
                .iter()
                .filter(|k| usable(k, *ctx))
                .map(Key::label)
                .collect();
            let lists =
                b.contexts.contains(&Context::Robots) && b.contexts.contains(&Context::Types);
            let where_ = if lists {
                crate::i18n::text_or("keymap.context.lists", "lists").into_owned()
            } else {
                ctx.shown_title().into_owned()
            };
            rows.push((keys.join(" / "), where_, b.shown_help().into_owned()));
        }
    }
    rows
}

/// The help screen's lines for the pop-ups: each one's keys on a line,
/// every key written out.
pub fn popup_help() -> Vec<(String, String)> {
    Context::POPUPS
        .iter()
        .map(|c| {
            let line = reachable(*c)
                .into_iter()
                .map(|(b, keys)| {
                    let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
                    format!("{} {}", keys.join(" / "), b.shown_label())
                })
                .collect::<Vec<_>>()
                .join(" · ");
            (c.shown_title().into_owned(), line)
        })
        .collect()
}

/// The main-screen contexts a binding is listed under in help, for tests
/// that check every listed key does what it says.
pub fn listed(context: Context) -> Vec<(Action, Vec<Key>)> {
    reachable(context)
        .into_iter()
        .map(|(b, keys)| (b.action, keys.into_iter().copied().collect()))
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
        let foot = footer(Context::Editor, |_| true);
        assert!(
            foot.iter()
                .any(|h| h.key == "Ctrl-S" && h.label == "send" && h.pinned)
        );
        assert!(
            !foot.iter().any(|h| h.key == "a"),
            "plain keys are not hints in the editor"
        );
        let help = help_rows();
        assert!(help.iter().any(|(k, _, _)| k == "Ctrl-S / F5"));
    }

    #[test]
    fn help_never_says_a_plain_key_works_anywhere() {
        for (keys, where_, _) in help_rows() {
            if where_ == "anywhere" {
                for k in keys.split(" / ") {
                    assert!(
                        k.chars().count() > 1
                            || !k.chars().all(|c| c.is_alphanumeric() || c == '?'),
                        "{keys} is said to work anywhere, but a plain key is text in the editor"
                    );
                }
            }
        }
        assert!(
            help_rows()
                .iter()
                .any(|(k, w, _)| k == "a" && *w == "robots")
        );
        assert!(
            help_rows()
                .iter()
                .any(|(k, w, _)| k == "F2" && *w == "anywhere")
        );
    }

    #[test]
    fn a_pop_up_takes_only_its_own_keys() {
        let s = ev(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(resolve(&s, Context::Templates), None);
        let q = ev(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(resolve(&q, Context::RobotDialog), Some(Action::Quit));
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(resolve(&j, Context::Templates), Some(Action::Down));
        assert_eq!(
            resolve(&j, Context::TemplateName),
            None,
            "typed into the name"
        );
    }
}
