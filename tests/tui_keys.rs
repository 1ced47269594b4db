//! Every key the help screen (F1) lists does what it says where it says,
//! driven through the harness as a person would press it: for each context
//! of the key map, each listed key resolves there to its action, and doing
//! it changes what the user sees or asks the runtime for something.
//! Then the keys that were wrong before (issue 11): j/k in every list, plain
//! letters typed in the editor, Ctrl-Q in the robot dialog, `r` in the
//! robot footer, help's scroll limit.

mod common;

use common::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use wecom_composer::store::templates::builtin;
use wecom_composer::tui::app::{App, Focus};
use wecom_composer::tui::attach::DirEntry;
use wecom_composer::tui::compose::FieldId;
use wecom_composer::tui::keymap::{self, Action, Context};
use wecom_composer::tui::msg::FreshCode;
use wecom_composer::tui::msg::{Effect, Msg};
use wecom_composer::tui::popup::Popup;
use wecom_composer::wecom::MessageKind;

/// Thirty markdown sends to ops-alerts, for the History screen.
struct FewSends;

fn sent(id: i64) -> wecom_composer::store::history::HistoryEntry {
    wecom_composer::store::history::HistoryEntry {
        id,
        time_ms: 1_764_579_600_000 + id * 1000,
        robot_name: "ops-alerts".to_owned(),
        robot: "fp".to_owned(),
        msgtype: "markdown".to_owned(),
        payload: format!(r#"{{"msgtype":"markdown","markdown":{{"content":"send {id}"}}}}"#),
        status: wecom_composer::store::history::HistoryStatus::Sent,
        errcode: Some(0),
        errmsg: Some("ok".to_owned()),
        explanation: None,
        error: None,
        elapsed_ms: 5,
        waited_ms: 0,
        attempts: 1,
        batch: None,
        part: None,
        label: None,
    }
}

impl wecom_composer::tui::memory::Pages for FewSends {
    fn count(&self, filter: &str) -> Result<usize, String> {
        Ok(if filter.is_empty() { 30 } else { 0 })
    }
    fn page(
        &self,
        filter: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<wecom_composer::store::history::HistoryRow>, String> {
        let n = self.count(filter)?;
        Ok((offset..n.min(offset + limit))
            .map(|i| {
                let e = sent(30 - i as i64);
                wecom_composer::store::history::HistoryRow {
                    id: e.id,
                    time_ms: e.time_ms,
                    robot_name: e.robot_name,
                    msgtype: e.msgtype,
                    status: e.status,
                    errcode: e.errcode,
                    batch: None,
                    part: None,
                    first_line: format!("send {}", e.id),
                }
            })
            .collect())
    }
    fn entry(
        &self,
        id: i64,
    ) -> Result<Option<wecom_composer::store::history::HistoryEntry>, String> {
        Ok(Some(sent(id)))
    }
}

fn outbox_item(id: i64) -> wecom_composer::store::outbox::OutboxItem {
    let e = sent(id);
    common::outbox_item(id, &e.robot_name, &e.payload, None)
}

/// A composer with the keyboard in `context`, reached by keys.
fn reach(context: Context) -> Harness {
    let mut h = Harness::new(config_with_robots());
    match context {
        Context::Global => {
            // Where no key is text, so every global key is a command.
            h.tab_to(Focus::Robots);
        }
        Context::Editor => {
            // Some text with the cursor inside it, so cursor keys move it.
            h.send_text("ab\ncd").send_key(KeyCode::Up);
        }
        Context::Robots => {
            h.tab_to(Focus::Robots);
        }
        Context::Types => {
            h.tab_to(Focus::Types);
        }
        Context::Preview => {
            // Long enough to scroll, and scrolled half-way (the preview
            // follows the cursor, at the end of the pasted text).
            let long: String = (1..=80).map(|i| format!("- line {i}\n")).collect();
            h.send(Msg::Paste(long)).tab_to(Focus::Preview);
            h.send_key(KeyCode::PageUp).send_key(KeyCode::PageUp);
        }
        Context::Form | Context::FormField => {
            h.choose_kind(MessageKind::News);
            h.press_until(KeyCode::Down, 30, |app| app.key_context() == context);
        }
        // A group below the first row, so ↑ has somewhere to go.
        Context::FormList | Context::FormChoice => {
            h.choose_kind(MessageKind::TextNotice);
            h.press_until(KeyCode::Down, 60, |app| app.key_context() == context);
        }
        Context::PathField => {
            h.choose_kind(MessageKind::File);
        }
        Context::Help => {
            h.send_key(KeyCode::F(1)).send_key(KeyCode::Down);
        }
        Context::Templates => {
            h.send_ctrl('o')
                .send(Msg::TemplatesListed(builtin(), vec![]))
                .send_key(KeyCode::Down);
        }
        Context::TemplateName => {
            h.send_text("worth keeping")
                .send_ctrl('o')
                .send(Msg::TemplatesListed(builtin(), vec![]))
                .send_key(KeyCode::Char('s'));
        }
        Context::FileBrowser => {
            h.choose_kind(MessageKind::File).send_key(KeyCode::Enter);
            let dir = match &h.app.popup {
                Some(Popup::Browser(b)) => b.dir.clone(),
                _ => panic!("Enter on an empty path opens the browser"),
            };
            let entries = (0..5)
                .map(|i| DirEntry {
                    name: format!("file-{i}.txt"),
                    is_dir: false,
                    size: 10,
                })
                .collect();
            h.send(Msg::DirListed {
                dir,
                entries: Ok(entries),
            })
            .send_key(KeyCode::Down);
        }
        Context::RobotDialog => {
            h.send_key(KeyCode::F(2))
                .send_text("new-robot")
                .send_key(KeyCode::Tab)
                .send_text("abc");
        }
        Context::ConfirmDelete => {
            h.tab_to(Focus::Robots).send_key(KeyCode::Char('d'));
        }
        Context::RobotCodes => {
            // Editing a saved robot, three codes made (drawn as the runtime
            // would, with fake codes), the middle one selected.
            h.tab_to(Focus::Robots)
                .send_key(KeyCode::Char('e'))
                .send_key(KeyCode::Tab);
            for i in 0..3 {
                h.send_key(KeyCode::Char('n')).send(Msg::RelayCodeDrawn {
                    robot: "ops-alerts".to_owned(),
                    code: FreshCode(format!("fake-relay-code-for-tests-{i}")),
                });
            }
            h.send_key(KeyCode::Up);
        }
        Context::ConfirmQuit => {
            h.send_text("unsent")
                .send_ctrl('q')
                .send(Msg::DraftsSaved(Err("disk full".into())));
        }
        Context::History | Context::Outbox => {
            h.app.services.history = Some(std::sync::Arc::new(FewSends));
            // In the middle of the list, so every move moves.
            h.send_key(KeyCode::F(10))
                .send_key(KeyCode::Down)
                .send_key(KeyCode::Down);
            if context == Context::Outbox {
                let items = (1..=3).map(outbox_item).collect();
                h.send(Msg::OutboxChanged {
                    items,
                    said: String::new(),
                })
                .send_key(KeyCode::Tab)
                .send_key(KeyCode::Down);
            }
        }
        Context::SendLater => {
            h.send_text("stand-up at ten").send_ctrl('l');
        }
        Context::SplitOffer => {
            // Over markdown's 4,096 bytes; the parts scrolled one line, so
            // scrolling either way moves.
            let report: String = (1..=200)
                .map(|i| format!("paragraph {i} of the report\n\n"))
                .collect();
            h.send(Msg::Paste(report))
                .send_ctrl('s')
                .send_key(KeyCode::Down);
        }
        Context::Results | Context::QuitOutbox => {
            // Three robots marked, a broadcast sent, the middle row selected.
            h.send_text("deploy done").tab_to(Focus::Robots);
            for _ in 0..3 {
                h.send_key(KeyCode::Char(' ')).send_key(KeyCode::Down);
            }
            h.send_ctrl('s');
            let Some(id) = h.app.broadcast.as_ref().map(|b| b.id) else {
                panic!("Ctrl-S with robots marked starts a broadcast");
            };
            h.send(Msg::BroadcastQueued {
                id,
                batch: None,
                items: vec![(0, 1), (1, 2), (2, 3)],
            })
            .send_key(KeyCode::Down);
            if context == Context::QuitOutbox {
                h.send_key(KeyCode::Esc).send_ctrl('q');
            }
        }
    }
    // The global keys are tried where every one of them is a command.
    let expected = if context == Context::Global {
        Context::Robots
    } else {
        context
    };
    assert_eq!(h.context(), expected, "reached by keys");
    h.take_effects();
    h
}

#[test]
fn every_listed_key_does_something_where_it_is_listed() {
    let mut checked = 0;
    for context in Context::MAIN.iter().chain(Context::POPUPS) {
        for (action, keys) in keymap::listed(*context) {
            for k in keys {
                let mut h = reach(*context);
                if !h.app.available(action) {
                    continue; // greyed in the footer: nothing to do now
                }
                assert_eq!(
                    keymap::resolve(&k.event(), h.context()),
                    Some(action),
                    "{} in {context:?}",
                    k.label()
                );
                let before = h.buffer();
                let status = h.app.status.text.clone();
                h.send_chord(k.code, k.mods);
                let changed = h.buffer() != before || h.app.status.text != status;
                assert!(
                    changed || !h.effects.is_empty(),
                    "{} ({action:?}) in {context:?} did nothing",
                    k.label()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} keys checked");
}

#[test]
fn j_and_k_move_in_every_list() {
    // Robots and types.
    let mut h = reach(Context::Robots);
    let first = h.app.robot_index;
    h.send_key(KeyCode::Char('j'))
        .assert_app("j selects the next robot", |a| a.robot_index == first + 1)
        .send_key(KeyCode::Char('k'))
        .assert_app("k selects the previous robot", |a| a.robot_index == first);
    let mut h = reach(Context::Types);
    let kind = h.app.kind;
    h.send_key(KeyCode::Char('j'))
        .assert_app("j selects the next type", |a| a.kind != kind)
        .send_key(KeyCode::Char('k'))
        .assert_app("k selects the previous type", |a| a.kind == kind);
    // Templates.
    let selected = |a: &App| match &a.popup {
        Some(Popup::Templates(p)) => p.selected,
        _ => usize::MAX,
    };
    let mut h = reach(Context::Templates);
    h.send_key(KeyCode::Char('j'))
        .assert_app("j in templates", |a| selected(a) == 2)
        .send_key(KeyCode::Char('k'))
        .assert_app("k in templates", |a| selected(a) == 1);
    // The file browser.
    let selected = |a: &App| match &a.popup {
        Some(Popup::Browser(b)) => b.selected,
        _ => usize::MAX,
    };
    let mut h = reach(Context::FileBrowser);
    h.send_key(KeyCode::Char('j'))
        .assert_app("j in the browser", |a| selected(a) == 2)
        .send_key(KeyCode::Char('k'))
        .assert_app("k in the browser", |a| selected(a) == 1);
    // Help.
    let scroll = |a: &App| match &a.popup {
        Some(Popup::Help { scroll }) => *scroll,
        _ => u16::MAX,
    };
    let mut h = reach(Context::Help);
    h.send_key(KeyCode::Char('j'))
        .assert_app("j scrolls help", |a| scroll(a) == 2)
        .send_key(KeyCode::Char('k'))
        .assert_app("k scrolls help back", |a| scroll(a) == 1);
    // The robot dialog's relay codes (three, the middle one selected).
    let selected = |a: &App| match &a.popup {
        Some(Popup::Robot(d)) => d.codes.selected,
        _ => usize::MAX,
    };
    let mut h = reach(Context::RobotCodes);
    h.send_key(KeyCode::Char('j'))
        .assert_app("j in the relay codes", |a| selected(a) == 2)
        .send_key(KeyCode::Char('k'))
        .assert_app("k in the relay codes", |a| selected(a) == 1);
}

#[test]
fn plain_letters_are_typed_in_every_text_field() {
    let content = |a: &App| {
        a.composition()
            .map(|c| c.text(FieldId::Content))
            .unwrap_or_default()
    };
    let mut h = Harness::new(config_with_robots());
    h.send_text("a?jkerdsnyq")
        .assert_app("a and the list letters are text in the editor", |a| {
            content(a) == "a?jkerdsnyq" && a.popup.is_none()
        });
    // The template name and the robot dialog take letters as text too.
    let mut h = reach(Context::TemplateName);
    h.send_text("jkds");
    match &h.app.popup {
        Some(Popup::Templates(p)) => assert_eq!(p.name(), "jkds"),
        _ => panic!("still naming"),
    }
    let mut h = reach(Context::RobotDialog);
    h.send_text("jk");
    match &h.app.popup {
        Some(Popup::Robot(d)) => {
            assert_eq!(d.name_text(), "new-robot");
            assert_eq!(d.webhook.lines().join(""), "abcjk");
        }
        _ => panic!("still in the dialog"),
    }
}

#[test]
fn help_says_which_keys_work_where() {
    let mut h = Harness::new(config_with_robots());
    h.width = 120;
    h.height = 80;
    h.send_key(KeyCode::F(1));
    let shown = h.screen();
    assert!(
        !shown.contains("F2 / a"),
        "a is text in the editor:\n{shown}"
    );
    let row = |keys: &str| {
        shown
            .lines()
            .find(|l| l.contains(&format!("┃{keys} ")))
            .unwrap_or_else(|| panic!("no row for {keys}:\n{shown}"))
            .to_owned()
    };
    assert!(row("F2").contains("anywhere"));
    assert!(row("a").contains("robots"));
    assert!(
        shown.contains("Templates:"),
        "the pop-ups' keys are listed too"
    );
    assert!(
        shown.contains("Relay codes:") && shown.contains("n new code"),
        "the robot dialog's codes are listed:\n{shown}"
    );
}

#[test]
fn ctrl_q_quits_from_the_robot_dialog_and_every_pop_up_but_a_question() {
    for context in [
        Context::RobotDialog,
        Context::RobotCodes,
        Context::Help,
        Context::Templates,
        Context::TemplateName,
        Context::FileBrowser,
    ] {
        let mut h = reach(context);
        h.send_ctrl('q')
            .assert_effect(&format!("saving to quit from {context:?}"), |e| {
                matches!(e, Effect::SaveDrafts)
            });
        assert!(h.app.quitting, "{context:?}");
    }
}

#[test]
fn the_robot_footer_offers_rename_and_greys_send_while_a_check_fails() {
    let mut h = reach(Context::Robots);
    h.assert_screen_contains("r rename");
    let send = keymap::footer(h.context(), |a| h.app.available(a))
        .into_iter()
        .find(|hint| hint.action == Action::Send)
        .expect("send is pinned");
    assert!(!send.available, "the draft is empty: send is greyed");
    // Greyed means drawn dim: the key's cells are not in the key colour.
    let buffer = h.buffer();
    let footer_y = h.height - 1;
    let line: String = (0..h.width)
        .map(|x| buffer[(x, footer_y)].symbol().to_owned())
        .collect();
    let at = line.find("Ctrl-S").expect("Ctrl-S in the footer") as u16;
    let dim = h.app.theme.dim();
    assert_eq!(buffer[(at, footer_y)].fg, dim.fg.unwrap_or_default());
    // With text, send is available and drawn as a key.
    let mut h = Harness::new(config_with_robots());
    h.send_text("hello");
    assert!(h.app.available(Action::Send));
    let buffer = h.buffer();
    assert_ne!(buffer[(0, footer_y)].fg, dim.fg.unwrap_or_default());
}

#[test]
fn the_footer_follows_the_pop_up() {
    let mut h = reach(Context::Templates);
    h.assert_screen_contains("Enter load");
    let footer = h.screen().lines().last().unwrap_or_default().to_owned();
    assert!(footer.contains("Esc close"), "{footer}");
    assert!(
        !footer.contains("Ctrl-S"),
        "send does not work in a pop-up: {footer}"
    );
}

#[test]
fn alt_arrows_move_form_items_and_plain_arrows_move_rows() {
    let mut h = reach(Context::FormField);
    let cursor = |a: &App| {
        a.composition()
            .and_then(|c| c.form.as_ref())
            .map(|f| f.cursor)
    };
    let at = cursor(&h.app);
    h.send_key(KeyCode::Down)
        .assert_app("↓ moves to the next row", |a| cursor(a) != at);
    h.send_chord(KeyCode::Up, KeyModifiers::ALT);
    assert!(h.app.status.text.len() > 1);
}
