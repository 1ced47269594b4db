//! The composer driven by messages, with no terminal: state and effects.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::store::config::Config;
use wecom_composer::store::drafts::{Draft, Drafts};
use wecom_composer::tui::app::{App, Focus};
use wecom_composer::tui::compose::FieldId;
use wecom_composer::tui::msg::{Effect, Msg, Payload, SendOutcome};
use wecom_composer::tui::popup::Popup;
use wecom_composer::tui::update;
use wecom_composer::wecom::{Message, MessageKind};

fn content(app: &App) -> String {
    app.composition()
        .map(|c| c.text(FieldId::Content))
        .unwrap_or_default()
}

fn sent_id(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Send { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a Send effect")
}

fn focus_robots(app: &mut App) {
    app.focus = Focus::Robots;
}

#[test]
fn switching_robot_keeps_each_draft() {
    let mut app = app(config_with_robots());
    assert_eq!(app.robot_name(), "ops-alerts");
    type_text(&mut app, "for ops");
    focus_robots(&mut app);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(app.robot_name(), "staging");
    assert_eq!(
        content(&app),
        "",
        "a new robot starts with its own empty draft"
    );
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "for staging");
    focus_robots(&mut app);
    update(&mut app, key(KeyCode::Up));
    assert_eq!(content(&app), "for ops");
    update(&mut app, key(KeyCode::Down));
    assert_eq!(content(&app), "for staging");
    // And across a restart: the snapshot that is saved reopens the same drafts.
    let saved = app.drafts_snapshot();
    let again = App::new(startup(config_with_robots(), saved));
    assert_eq!(again.robot_name(), "staging", "reopens where the user left");
    assert_eq!(content(&again), "for staging");
}

#[test]
fn switching_type_keeps_each_draft_per_type() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "**markdown**");
    update(&mut app, ctrl('t')); // → markdown_v2
    assert_eq!(app.kind, MessageKind::MarkdownV2);
    type_text(&mut app, "*v2*");
    for _ in 0..8 {
        update(&mut app, ctrl('t')); // all the way round
    }
    assert_eq!(app.kind, MessageKind::Markdown);
    assert_eq!(content(&app), "**markdown**");
    update(&mut app, ctrl('t'));
    assert_eq!(app.kind, MessageKind::MarkdownV2);
    assert_eq!(content(&app), "*v2*", "the markdown_v2 draft survived too");
}

#[test]
fn a_send_result_for_a_stale_request_is_ignored() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "hello");
    let first = sent_id(&update(&mut app, ctrl('s')));
    let fx = update(&mut app, key(KeyCode::Esc));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::CancelSend { id } if *id == first))
    );
    let second = sent_id(&update(&mut app, ctrl('s')));
    assert_ne!(first, second);
    // The cancelled request answers late: nothing changes.
    update(
        &mut app,
        Msg::SendFinished {
            id: first,
            outcome: SendOutcome::Sent {
                elapsed_ms: 5,
                note: None,
            },
            at: "10:00:00".into(),
        },
    );
    assert_eq!(
        app.sending.as_ref().map(|s| s.id),
        Some(second),
        "still waiting for the second"
    );
    assert!(!app.status.text.contains("Sent"), "{}", app.status.text);
    update(
        &mut app,
        Msg::SendFinished {
            id: second,
            outcome: SendOutcome::Sent {
                elapsed_ms: 7,
                note: None,
            },
            at: "10:00:01".into(),
        },
    );
    assert!(app.sending.is_none());
    assert!(
        app.status
            .text
            .contains("✓ Sent markdown to ops-alerts at 10:00:01"),
        "{}",
        app.status.text
    );
}

#[test]
fn esc_cancels_an_in_flight_send() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "hello");
    let fx = update(&mut app, ctrl('s'));
    let id = sent_id(&fx);
    assert!(fx.iter().any(|e| matches!(e, Effect::Animate(true))));
    assert!(app.sending.is_some());
    let fx = update(&mut app, key(KeyCode::Esc));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::CancelSend { id: c } if *c == id))
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::Animate(false))));
    assert!(app.sending.is_none());
    assert!(app.status.text.contains("cancelled"), "{}", app.status.text);
}

#[test]
fn a_second_send_while_one_is_in_flight_is_refused_not_duplicated() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "hello");
    update(&mut app, ctrl('s'));
    let fx = update(&mut app, key(KeyCode::F(5)));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Send { .. })),
        "{fx:?}"
    );
    assert!(
        app.status.text.contains("already in flight"),
        "{}",
        app.status.text
    );
    // Typing goes on while the send is in flight.
    type_text(&mut app, " world");
    assert_eq!(content(&app), "hello world");
}

#[test]
fn sending_is_refused_while_an_error_remains() {
    let mut app = app(config_with_robots());
    let fx = update(&mut app, ctrl('s'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        app.status.text.starts_with("Not sent:"),
        "{}",
        app.status.text
    );
    update(&mut app, Msg::Paste("字".repeat(1400))); // 4,200 bytes
    let fx = update(&mut app, ctrl('s'));
    assert!(fx.is_empty(), "nothing is sent: {fx:?}");
    // Too long is the one error: the refusal offers the split instead.
    assert!(
        matches!(app.popup, Some(wecom_composer::tui::popup::Popup::Split(_))),
        "{}",
        app.status.text
    );
    assert!(
        app.status.text.contains("Over its 4,096 bytes"),
        "{}",
        app.status.text
    );
}

#[test]
fn the_payload_sent_is_the_message_shown() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "# 标题\n正文");
    let fx = update(&mut app, ctrl('s'));
    let Some(Effect::Send {
        payload: Payload::Message(m),
        webhook,
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(*m, Message::markdown("# 标题\n正文"));
    assert_eq!(webhook.key().expose(), FAKE_KEY);
}

#[test]
fn raw_json_can_be_forced_through_with_f8() {
    let mut app = app(config_with_robots());
    while app.kind != MessageKind::News {
        update(&mut app, ctrl('t'));
    }
    assert!(
        update(&mut app, key(KeyCode::F(8))).is_empty(),
        "F8 needs the JSON editor"
    );
    assert!(app.status.text.contains("F9"), "{}", app.status.text);
    update(&mut app, key(KeyCode::F(9)));
    assert_eq!(app.focus, Focus::Editor(FieldId::Raw));
    let over = format!(
        r#"{{"msgtype":"text","text":{{"content":"{}"}}}}"#,
        "a".repeat(2100)
    );
    if let Some(c) = app.composition_mut() {
        c.replace(FieldId::Raw, &over);
    }
    update(
        &mut app,
        Msg::Resized {
            width: 100,
            height: 30,
        },
    );
    assert!(
        update(&mut app, ctrl('s')).is_empty(),
        "checked send refuses a text in the news editor"
    );
    let fx = update(&mut app, key(KeyCode::F(8)));
    assert!(
        matches!(fx.first(), Some(Effect::Send { payload: Payload::Raw(j), .. }) if *j == over),
        "{fx:?}"
    );
}

#[test]
fn quitting_saves_drafts_first_and_asks_if_that_fails() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "unsent");
    let fx = update(&mut app, ctrl('q'));
    assert!(matches!(fx.as_slice(), [Effect::SaveDrafts]), "{fx:?}");
    let fx = update(&mut app, Msg::DraftsSaved(Err("disk full".into())));
    assert!(fx.is_empty(), "does not quit while the text would be lost");
    assert!(matches!(app.popup, Some(Popup::ConfirmQuit { .. })));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.popup.is_none(), "Esc stays");
    update(&mut app, ctrl('q'));
    let fx = update(&mut app, Msg::DraftsSaved(Ok(())));
    assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");
}

#[test]
fn ctrl_c_copies_a_selection_and_quits_otherwise() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "abc");
    update(
        &mut app,
        Msg::Key(ratatui::crossterm::event::KeyEvent::new(
            KeyCode::Left,
            ratatui::crossterm::event::KeyModifiers::SHIFT,
        )),
    );
    assert!(
        update(&mut app, ctrl('c')).is_empty(),
        "copies, does not quit"
    );
    let yanked = app
        .composition()
        .map(|c| c.content.yank_text())
        .unwrap_or_default();
    assert_eq!(yanked, "c", "the selected letter is in the copy buffer");
    update(&mut app, key(KeyCode::End));
    let fx = update(&mut app, ctrl('c'));
    assert!(matches!(fx.as_slice(), [Effect::SaveDrafts]), "{fx:?}");
}

#[test]
fn adding_a_robot_by_url_saves_it_and_selects_it() {
    let mut app = app(Config::default());
    update(&mut app, key(KeyCode::F(2)));
    type_text(&mut app, "lab");
    update(&mut app, key(KeyCode::Enter));
    let Some(Popup::Robot(dialog)) = &app.popup else {
        panic!("dialog closed on a refused save")
    };
    assert!(
        dialog.error.as_deref().unwrap_or("").contains("webhook"),
        "{:?}",
        dialog.error
    );
    update(&mut app, key(KeyCode::Tab));
    update(
        &mut app,
        Msg::Paste(format!(
            "http://127.0.0.1:40003/cgi-bin/webhook/send?key={FAKE_KEY}"
        )),
    );
    let fx = update(&mut app, key(KeyCode::Enter));
    assert!(app.popup.is_none());
    let Some(Effect::SaveConfig(config)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(config.robots.len(), 1);
    assert_eq!(config.robots[0].name, "lab");
    assert_eq!(
        config.robots[0].webhook,
        format!("http://127.0.0.1:40003/cgi-bin/webhook/send?key={FAKE_KEY}"),
        "a URL on another host is kept as given"
    );
    assert_eq!(app.robot_name(), "lab");
}

#[test]
fn a_config_that_could_not_be_read_is_never_saved_over() {
    let mut s = startup(Config::default(), Drafts::default());
    s.config_error = Some("Cannot read the config at /x (line 3): expected `=`".into());
    let mut app = App::new(s);
    assert!(
        app.status
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("line 3")
    );
    update(&mut app, key(KeyCode::F(2)));
    type_text(&mut app, "lab");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, Msg::Paste(FAKE_KEY.into()));
    let fx = update(&mut app, key(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::SaveConfig(_))),
        "{fx:?}"
    );
    assert!(
        app.status.text.contains("left untouched"),
        "{}",
        app.status.text
    );
}

#[test]
fn renaming_a_robot_moves_its_drafts() {
    let mut drafts = Drafts::default();
    let mut d = Draft::default();
    d.texts.insert("content".into(), "kept".into());
    drafts.set("staging", MessageKind::Markdown, d);
    let mut app = App::new(startup(config_with_robots(), drafts));
    focus_robots(&mut app);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(content(&app), "kept");
    update(&mut app, key(KeyCode::Char('r')));
    for _ in 0.."staging".len() {
        update(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "stage-2");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.robot_name(), "stage-2");
    assert_eq!(content(&app), "kept");
    assert!(
        app.drafts_snapshot()
            .get("staging", MessageKind::Markdown)
            .is_none()
    );
}

#[test]
fn plain_keys_in_the_editor_are_text_never_commands() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "a?deq r");
    assert_eq!(content(&app), "a?deq r");
    assert!(app.popup.is_none());
}

#[test]
fn templates_load_into_their_type_and_save_the_current_message() {
    use wecom_composer::store::templates::builtin;
    let mut app = app(config_with_robots());
    let fx = update(&mut app, ctrl('o'));
    assert!(matches!(fx.as_slice(), [Effect::ListTemplates]), "{fx:?}");
    update(&mut app, Msg::TemplatesListed(builtin(), vec![]));
    update(&mut app, key(KeyCode::Down)); // the incident card
    update(&mut app, key(KeyCode::Enter));
    assert!(app.popup.is_none());
    assert_eq!(app.kind, MessageKind::TextNotice);
    let expected = builtin()[1].message.clone();
    assert_eq!(
        app.derived.message.as_ref(),
        Some(&expected),
        "the form holds the template"
    );

    // Save what is composed now.
    update(&mut app, ctrl('o'));
    update(&mut app, Msg::TemplatesListed(builtin(), vec![]));
    update(&mut app, key(KeyCode::Char('s')));
    type_text(&mut app, "my incident");
    let fx = update(&mut app, key(KeyCode::Enter));
    match fx.as_slice() {
        [Effect::SaveTemplate { name, message }] => {
            assert_eq!(name, "my incident");
            assert_eq!(message, &expected);
        }
        other => panic!("{other:?}"),
    }
    // Built-in examples cannot be deleted.
    let fx = update(&mut app, key(KeyCode::Char('d')));
    assert!(fx.is_empty());
}

#[test]
fn ctrl_d_carries_the_text_between_markdown_dialects() {
    let mut app = app(config_with_robots());
    type_text(&mut app, "| a | b |\n|---|---|\n| 1 | 2 |");
    let markdown_hints = app
        .preview_state
        .shown
        .as_ref()
        .map(|(_, r)| r.hints.len())
        .unwrap_or(0);
    assert!(markdown_hints > 0, "a table in markdown gets a hint");
    update(&mut app, ctrl('d'));
    assert_eq!(app.kind, MessageKind::MarkdownV2);
    assert_eq!(content(&app), "| a | b |\n|---|---|\n| 1 | 2 |");
    let (key, rendered) = app.preview_state.shown.as_ref().expect("rendered at once");
    assert_eq!(key.kind, MessageKind::MarkdownV2);
    assert!(
        rendered
            .text
            .lines
            .iter()
            .any(|l| l.to_string().contains('│')),
        "v2 draws the table"
    );
    update(&mut app, ctrl('d'));
    assert_eq!(app.kind, MessageKind::Markdown);
}

#[test]
fn the_preview_follows_the_cursor_until_scrolled_by_hand() {
    let mut app = app(config_with_robots());
    let text: String = (1..=120).map(|i| format!("line {i}\n")).collect();
    update(&mut app, Msg::Paste(text));
    assert!(app.preview_state.follow);
    assert!(
        app.preview_scroll > 90,
        "scrolled to the cursor at the end: {}",
        app.preview_scroll
    );
    app.focus = Focus::Preview;
    update(&mut app, key(KeyCode::PageUp));
    let by_hand = app.preview_scroll;
    assert!(!app.preview_state.follow);
    app.focus = Focus::Editor(FieldId::Content);
    update(&mut app, key(KeyCode::Up));
    assert!(
        app.preview_state.follow,
        "moving in the editor follows again"
    );
    assert!(
        app.preview_scroll > by_hand,
        "the preview went back to the cursor: {} > {by_hand}",
        app.preview_scroll
    );
}

#[test]
fn the_mouse_selects_panes_list_items_and_form_rows() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let click = |column: u16, row: u16| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        })
    };
    let mut app = app(config_with_robots());
    // 100×30: robots at the top left, types below them (9 types + borders).
    update(&mut app, click(5, 2));
    assert_eq!(app.focus, Focus::Robots);
    assert_eq!(app.robot_name(), "staging", "second row of the robot list");
    let types_top = 30 - 2 - 11; // status + footer, then the 11-row type list
    update(&mut app, click(5, types_top + 1));
    assert_eq!(app.kind, MessageKind::Text, "first row of the type list");
    update(&mut app, click(5, types_top + 8));
    assert_eq!(app.kind, MessageKind::TextNotice);
    // A click in the form focuses it and puts the cursor on the row clicked.
    update(&mut app, click(40, 3));
    assert_eq!(app.focus, Focus::Editor(FieldId::Form));
    let form = app
        .composition()
        .and_then(|c| c.form.as_ref())
        .expect("form");
    let row = form.current().expect("row");
    assert_eq!(
        wecom_composer::tui::form::path_string(MessageKind::TextNotice, &row.path),
        "template_card.source.desc",
        "the third line inside the frame: the Source heading, Icon URL, Description"
    );
}
