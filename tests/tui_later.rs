//! Send later (Ctrl-L), the split offer of a message over its limit, and an
//! outbox item edited in the composer and sent in its place, driven by keys.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, outbox_item};
use ratatui::crossterm::event::KeyCode;
use wecom_composer::store::config::Config;
use wecom_composer::store::history::{HistoryEntry, HistoryRow};
use wecom_composer::tui::app::Focus;
use wecom_composer::tui::compose::FieldId;
use wecom_composer::tui::keymap::Context;
use wecom_composer::tui::memory::Pages;
use wecom_composer::tui::msg::{Effect, Later, Msg};
use wecom_composer::wecom::Message;
use wecom_composer::wecom::split::rejoin;

/// 5,400 bytes: over markdown's 4,096 ("markdown 内容, 最长不超过 4096 个字节").
fn long_report() -> String {
    "a paragraph of the report\n\n".repeat(200)
}

fn now_ms() -> i64 {
    chrono::Local::now().timestamp_millis()
}

#[test]
fn ctrl_l_reads_the_time_as_typed_and_queues_the_message_for_it() {
    let mut h = Harness::new(Config::default());
    h.send_text("stand-up at ten").send_ctrl('l');
    assert_eq!(h.context(), Context::SendLater);
    h.assert_screen_contains("Send later")
        .assert_screen_contains("Send markdown to sandbox at:")
        .send_text("+30m")
        .assert_screen_contains("(in 30 min)");
    let before = now_ms();
    h.take_effects();
    h.send_key(KeyCode::Enter);
    assert!(h.app.popup.is_none(), "closed once queued");
    let effects = h.take_effects();
    let queued = effects.iter().find_map(|e| match e {
        Effect::QueueLater { robots, what, due } => Some((robots, what, due)),
        _ => None,
    });
    let (robots, what, due) = queued.expect("a QueueLater effect");
    assert_eq!(robots.len(), 1);
    assert_eq!(robots[0].0, "sandbox");
    match what {
        Later::Message(Message::Markdown(m)) => assert_eq!(m.content, "stand-up at ten"),
        other => panic!("{other:?}"),
    }
    let thirty_min = 30 * 60 * 1000;
    assert!(
        due.at_ms >= before + thirty_min - 1000 && due.at_ms <= now_ms() + thirty_min,
        "due {} is not 30 min after {before}",
        due.at_ms
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Send { .. })),
        "nothing sent now"
    );
}

#[test]
fn a_time_that_is_not_one_is_refused_in_place_and_esc_queues_nothing() {
    let mut h = Harness::new(Config::default());
    h.send_text("hello").send_ctrl('l').send_text("soonish");
    h.assert_screen_contains("is not a time: write it like 18:00");
    h.take_effects();
    h.send_key(KeyCode::Enter);
    assert_eq!(h.context(), Context::SendLater, "still asking");
    h.send_key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    assert!(h.app.status.text.contains("Nothing was queued"));
    assert!(
        !h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::QueueLater { .. } | Effect::Send { .. }))
    );
}

#[test]
fn send_later_of_a_draft_with_an_error_is_refused_with_the_reason() {
    let mut h = Harness::new(Config::default());
    // An empty markdown draft: its content is required.
    h.send_ctrl('l');
    assert!(h.app.popup.is_none());
    assert!(
        h.app.status.text.starts_with("Not queued: "),
        "{}",
        h.app.status.text
    );
}

#[test]
fn a_message_over_its_limit_is_offered_as_numbered_parts_shown_before_sending() {
    let mut h = Harness::new(Config::default());
    let report = long_report();
    h.send(Msg::Paste(report.clone())).send_ctrl('s');
    assert_eq!(h.context(), Context::SplitOffer);
    h.assert_screen_contains("Send as 2 parts?")
        .assert_screen_contains("The content is 5,400 bytes; markdown takes at most 4,096")
        .assert_screen_contains("── part 1/2 ·");
    assert!(
        !h.effects.iter().any(|e| matches!(e, Effect::Send { .. })),
        "nothing sent before the parts are confirmed"
    );
    h.take_effects();
    h.send_key(KeyCode::Enter);
    let effects = h.take_effects();
    let parts = effects
        .iter()
        .find_map(|e| match e {
            Effect::SendParts { robot, parts, .. } => {
                assert_eq!(robot, "sandbox");
                Some(parts.clone())
            }
            _ => None,
        })
        .expect("a SendParts effect");
    let contents: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Message::Markdown(m) => m.content.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(contents.len(), 2);
    for c in &contents {
        assert!(c.len() <= 4096, "a part of {} bytes", c.len());
    }
    assert!(contents[0].ends_with("(1/2)") && contents[1].ends_with("(2/2)"));
    assert_eq!(
        rejoin(&contents).unwrap(),
        report,
        "the parts are the report"
    );
    assert!(h.app.sending.is_some(), "in flight");
    assert!(h.app.status.text.contains("Sending 2 parts to sandbox"));
}

#[test]
fn esc_in_the_split_offer_sends_nothing_and_keeps_the_draft() {
    let mut h = Harness::new(Config::default());
    h.send(Msg::Paste(long_report()))
        .send_ctrl('s')
        .send_key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    assert!(h.app.sending.is_none());
    assert!(
        !h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Send { .. } | Effect::SendParts { .. }))
    );
    let content = h.app.composition().unwrap().text(FieldId::Content);
    assert_eq!(content, long_report());
}

/// No history: the Outbox tab is what these tests look at.
struct NoHistory;

impl Pages for NoHistory {
    fn count(&self, _: &str) -> Result<usize, String> {
        Ok(0)
    }
    fn page(&self, _: &str, _: usize, _: usize) -> Result<Vec<HistoryRow>, String> {
        Ok(Vec::new())
    }
    fn entry(&self, _: i64) -> Result<Option<HistoryEntry>, String> {
        Ok(None)
    }
}

/// The composer with the Outbox tab open on one item holding `content`.
fn outbox_with(content: &str, due_ms: Option<i64>) -> Harness {
    let mut h = Harness::new(Config::default());
    h.app.services.history = Some(std::sync::Arc::new(NoHistory));
    let payload = serde_json::json!({"msgtype": "markdown", "markdown": {"content": content}});
    h.send_key(KeyCode::F(10))
        .send(Msg::OutboxChanged {
            items: vec![outbox_item(7, "sandbox", &payload.to_string(), due_ms)],
            said: String::new(),
        })
        .send_key(KeyCode::Tab);
    assert_eq!(h.context(), Context::Outbox);
    h
}

#[test]
fn an_outbox_item_edited_is_sent_in_its_place() {
    let mut h = outbox_with("queued text", None);
    h.send_key(KeyCode::Char('e'));
    assert!(h.app.popup.is_none(), "back in the composer");
    assert_eq!(h.app.focus, Focus::Editor(FieldId::Content));
    let content = h.app.composition().unwrap().text(FieldId::Content);
    assert_eq!(content, "queued text");
    assert!(h.app.status.text.contains("Editing outbox item 7"));
    h.send_text(" and more");
    h.take_effects();
    h.send_ctrl('s');
    let effects = h.take_effects();
    let then = effects
        .into_iter()
        .find_map(|e| match e {
            Effect::InPlaceOf { outbox_id, then } => {
                assert_eq!(outbox_id, 7);
                Some(*then)
            }
            Effect::Send { .. } => panic!("sent without taking item 7 out first"),
            _ => None,
        })
        .expect("InPlaceOf");
    match &then {
        Effect::Send { robot, .. } => assert_eq!(robot, "sandbox"),
        other => panic!("{other:?}"),
    }
    // Item 7 had gone meanwhile: the edit is not sent, and the user is told.
    h.send(Msg::Replaced {
        id: 7,
        result: Ok(false),
        then: Box::new(then),
    });
    assert!(h.app.sending.is_none());
    assert!(
        h.app
            .status
            .text
            .contains("outbox item 7 was no longer waiting"),
        "{}",
        h.app.status.text
    );
    assert!(
        !h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Send { .. }))
    );
    // The next Ctrl-S is a new message, not a replacement.
    h.send_ctrl('s');
    assert!(
        h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Send { .. }))
    );
}

#[test]
fn once_the_item_is_out_the_edit_goes() {
    let mut h = outbox_with("queued text", None);
    h.send_key(KeyCode::Char('e')).send_ctrl('s');
    let then = h
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::InPlaceOf { then, .. } => Some(then),
            _ => None,
        })
        .unwrap();
    h.send(Msg::Replaced {
        id: 7,
        result: Ok(true),
        then,
    });
    assert!(
        h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Send { .. }))
    );
}

#[test]
fn an_edited_item_that_was_due_later_is_queued_again_for_its_time() {
    let due = now_ms() + 3_600_000;
    let mut h = outbox_with("release note", Some(due));
    h.send_key(KeyCode::Char('e'));
    assert!(
        h.app.status.text.contains("at its time"),
        "{}",
        h.app.status.text
    );
    h.take_effects();
    h.send_ctrl('s');
    let effects = h.take_effects();
    let then = effects
        .iter()
        .find_map(|e| match e {
            Effect::InPlaceOf { outbox_id: 7, then } => Some(then),
            _ => None,
        })
        .expect("InPlaceOf item 7");
    match then.as_ref() {
        Effect::QueueLater { due: d, .. } => assert_eq!(d.at_ms, due),
        other => panic!("{other:?}"),
    }
    assert!(h.app.sending.is_none(), "nothing is sent now");
}

#[test]
fn schedules_are_listed_under_the_outbox_with_their_next_run() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use wecom_composer::store::schedule::Schedule;
    use wecom_composer::tui::memory::{MemoryScreen, MemoryView, Tab};
    use wecom_composer::tui::theme::Theme;
    let now = now_ms();
    let payload = r#"{"msgtype":"text","text":{"content":"stand-up"}}"#;
    let schedule = |name: &str, paused: bool| Schedule {
        id: 1,
        name: name.to_owned(),
        cron: "0 9 * * MON-FRI".to_owned(),
        tz: Some("Asia/Shanghai".to_owned()),
        items: vec![wecom_composer::store::outbox::NewItem {
            label: "text".to_owned(),
            robot_name: "ops".to_owned(),
            robot: "fp".to_owned(),
            msgtype: "text".to_owned(),
            payload: payload.to_owned(),
            part: None,
            upload: None,
        }],
        paused,
        next_ms: Some(now + 2 * 3_600_000 + 30_000),
        last_run_ms: None,
        runs: 0,
        created_ms: now,
    };
    let mut screen = MemoryScreen::new(
        Tab::Outbox,
        &NoHistory,
        Vec::new(),
        chrono::FixedOffset::east_opt(0).unwrap(),
    );
    screen.set_schedules(vec![schedule("standup", false), schedule("weekly", true)]);
    let mut terminal = Terminal::new(TestBackend::new(120, 20)).unwrap();
    terminal
        .draw(|f| {
            f.render_widget(
                MemoryView {
                    screen: &screen,
                    theme: &Theme { color: false },
                    now_ms: now,
                },
                f.area(),
            )
        })
        .unwrap();
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .chunks(120)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect();
    let standup = text.lines().find(|l| l.contains("standup")).expect(&text);
    assert!(
        standup.contains("0 9 * * MON-FRI Asia/Shanghai"),
        "{standup}"
    );
    assert!(standup.contains("(in 2 h"), "{standup}");
    assert!(standup.contains("→ ops"), "{standup}");
    let weekly = text.lines().find(|l| l.contains("weekly")).expect(&text);
    assert!(weekly.contains("paused"), "{weekly}");
    assert!(text.contains("The outbox is empty."));
}

#[test]
fn the_checks_pane_names_the_split_and_ctrl_f_offers_it_too() {
    let mut h = Harness::new(Config::default());
    h.send(Msg::Paste(long_report()))
        .assert_screen_contains("[Ctrl-S: send as numbered parts]")
        .send_ctrl('f');
    assert_eq!(h.context(), Context::SplitOffer);
}
