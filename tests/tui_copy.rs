//! Copying out with OSC 52 (issue 13 item 3): Ctrl-Y / Alt-C put exactly
//! the JSON payload a send would POST, or what is being edited, in
//! `Effect::Copy`, and the status line says what and how many bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::*;
use md5::Digest;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use wecom_composer::tui::app::Focus;
use wecom_composer::tui::attach;
use wecom_composer::tui::compose::FieldId;
use wecom_composer::tui::msg::{Effect, Msg};
use wecom_composer::wecom::MessageKind;

/// The texts copied since the last look.
fn copied(h: &mut Harness) -> Vec<String> {
    h.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Copy(text) => Some(text),
            _ => None,
        })
        .collect()
}

fn alt_c(h: &mut Harness) -> &mut Harness {
    h.send_chord(KeyCode::Char('c'), KeyModifiers::ALT)
}

fn text_draft(text: &str) -> Harness {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::Text);
    assert_eq!(h.app.focus, Focus::Editor(FieldId::Content));
    h.send_text(text);
    h.take_effects();
    h
}

#[test]
fn ctrl_y_on_the_preview_copies_the_payload_as_posted_without_the_key() {
    let mut h = text_draft("部署完成");
    h.tab_to(Focus::Preview).take_effects();
    h.send_ctrl('y');
    // The text message of the API: msgtype and text.content, nothing else.
    let expected = r#"{"msgtype":"text","text":{"content":"部署完成"}}"#;
    assert_eq!(copied(&mut h), vec![expected.to_owned()]);
    assert_eq!(
        h.app.status.text,
        format!("Copied the JSON payload ({} bytes).", expected.len())
    );
    assert!(!expected.contains(FAKE_KEY));
    h.assert_screen_contains("Copied the JSON payload (52 bytes).");
}

#[test]
fn alt_c_in_the_editor_copies_the_selection_else_the_whole_text() {
    let mut h = text_draft("hello\nworld");
    alt_c(&mut h);
    assert_eq!(copied(&mut h), vec!["hello\nworld".to_owned()]);
    assert_eq!(h.app.status.text, "Copied the content (11 bytes).");

    // Shift-← five times selects "world".
    for _ in 0..5 {
        h.send_chord(KeyCode::Left, KeyModifiers::SHIFT);
    }
    alt_c(&mut h);
    assert_eq!(copied(&mut h), vec!["world".to_owned()]);
    assert_eq!(h.app.status.text, "Copied the selection (5 bytes).");
    // Nothing typed was changed by copying.
    let text = h.app.composition().unwrap().text(FieldId::Content);
    assert_eq!(text, "hello\nworld");
}

#[test]
fn alt_c_in_the_editor_copies_the_json_while_the_preview_shows_it() {
    let mut h = text_draft("hi");
    // The preview's content/JSON switch, found in the key map.
    let toggle = wecom_composer::tui::keymap::BINDINGS
        .iter()
        .find(|b| b.action == wecom_composer::tui::keymap::Action::TogglePreview)
        .unwrap()
        .keys[0];
    h.send(Msg::Key(toggle.event())).take_effects();
    alt_c(&mut h);
    assert_eq!(
        copied(&mut h),
        vec![r#"{"msgtype":"text","text":{"content":"hi"}}"#.to_owned()]
    );
}

#[test]
fn an_image_payload_is_copied_whole_though_the_json_view_cuts_the_base64() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png");
    let bytes = std::fs::read(path).unwrap();
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::Image);
    h.take_effects();
    h.send(Msg::Paste(path.to_owned())).send_key(KeyCode::Enter);
    for effect in h.take_effects() {
        if let Effect::CheckAttachment { key, path, .. } = effect {
            let state = attach::inspect(&path, key.kind);
            h.send(Msg::AttachmentChecked { key, path, state });
        }
    }
    h.tab_to(Focus::Preview).take_effects();
    h.send_ctrl('y');
    // The image message of the API: the raw file's base64 and md5.
    let expected = format!(
        r#"{{"msgtype":"image","image":{{"base64":"{}","md5":"{}"}}}}"#,
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        hex::encode(md5::Md5::digest(&bytes)),
    );
    assert_eq!(copied(&mut h), vec![expected.clone()]);
    assert!(
        h.app.status.text.starts_with("Copied the JSON payload ("),
        "{}",
        h.app.status.text
    );
}

#[test]
fn nothing_is_copied_from_json_that_is_not_a_message_and_the_reason_is_given() {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::NewsNotice);
    // F9: the card as raw JSON; then broken.
    h.send_key(KeyCode::F(9))
        .send_ctrl('a')
        .send_text("{ not json");
    h.tab_to(Focus::Preview).take_effects();
    h.send_ctrl('y');
    assert!(copied(&mut h).is_empty());
    assert!(
        h.app
            .status
            .text
            .starts_with("Nothing copied: the JSON is not a message"),
        "{}",
        h.app.status.text
    );
}
