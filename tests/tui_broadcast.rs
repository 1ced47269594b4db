//! Broadcasts in the composer: robots marked in the list (and a group),
//! the results view filling in as outcomes arrive, the quotas and the
//! selected robot's host and masked key, one broadcast over real HTTP to
//! an in-process sandbox on 127.0.0.1, and the question at quit while the
//! outbox still holds what this composer queued.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::{FAKE_KEY, Harness};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;
use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;
use wecom_composer::delivery::{Engine, RetryPolicy};
use wecom_composer::sandbox::{Record, Sandbox, SandboxConfig};
use wecom_composer::store::config::{Config, GroupEntry};
use wecom_composer::store::db::Db;
use wecom_composer::store::history::HistoryStatus;
use wecom_composer::store::ledger::{Quota, Rate};
use wecom_composer::store::outbox::OutboxState;
use wecom_composer::tui::app::Focus;
use wecom_composer::tui::keymap::Context;
use wecom_composer::tui::msg::{Effect, Msg, Outgoing, Target};
use wecom_composer::tui::popup::results::RowState;
use wecom_composer::wecom::client::{Client, ClientConfig};

const KEY_OPS: &str = "fake-key-ops-0000-b1";
const KEY_QA: &str = "fake-key-qa-0000-b2";

/// The moment the screens are drawn at: the composer's clock is held here,
/// so a countdown of 11.6 s reads "12 s" however slow the machine is.
const NOW_MS: u64 = 1_796_000_000_000;

/// Four robots on a local address, and a group of two of them.
fn four_robots() -> Config {
    let mut c = Config::default();
    for (name, key) in [
        ("ops", FAKE_KEY),
        ("qa", "fake-key-qa-0000-tui-1"),
        ("bj-team", "fake-key-bj-0000-tui-2"),
        ("revoked", "fake-key-revoked-0000-3"),
    ] {
        c.add_robot(
            name,
            &format!("http://127.0.0.1:40009/cgi-bin/webhook/send?key={key}"),
        )
        .expect("add");
    }
    c.groups.push(GroupEntry {
        name: "release".to_owned(),
        robots: vec!["ops".to_owned(), "qa".to_owned()],
    });
    c
}

/// To the robot list, then down to the robot called `name`.
fn select_robot(h: &mut Harness, name: &str) {
    h.tab_to(Focus::Robots);
    let name = name.to_owned();
    h.press_until(KeyCode::Down, 10, move |app| {
        app.group_cursor.is_none() && app.robot_name() == name
    });
}

/// The Broadcast effect of the last send, taken out of the effects.
fn take_broadcast(h: &mut Harness) -> (u64, Vec<Target>, Outgoing) {
    let at = h
        .effects
        .iter()
        .rposition(|e| matches!(e, Effect::Broadcast { .. }))
        .expect("a broadcast effect");
    match h.effects.remove(at) {
        Effect::Broadcast {
            id,
            targets,
            outgoing,
        } => (id, targets, outgoing),
        _ => unreachable!(),
    }
}

#[test]
fn space_marks_robots_and_the_titles_count_and_name_them() {
    let mut h = Harness::new(four_robots());
    select_robot(&mut h, "ops");
    h.send_key(KeyCode::Char(' '));
    select_robot(&mut h, "qa");
    h.send_key(KeyCode::Char(' '));
    assert_eq!(h.app.marked, ["ops", "qa"]);
    let screen = common::screen(&h.app, 120, 35);
    assert!(screen.contains("Robots · 2 marked"), "{screen}");
    assert!(screen.contains("markdown → ops, qa"), "{screen}");
    // Space again unmarks; Esc in the list unmarks all.
    h.send_key(KeyCode::Char(' '));
    assert_eq!(h.app.marked, ["ops"]);
    h.send_key(KeyCode::Esc);
    assert!(h.app.marked.is_empty());
}

#[test]
fn enter_on_a_group_marks_its_members() {
    let mut h = Harness::new(four_robots());
    h.tab_to(Focus::Robots);
    h.press_until(KeyCode::Down, 10, |app| app.group_cursor == Some(0));
    h.send_key(KeyCode::Enter);
    assert_eq!(h.app.marked, ["ops", "qa"]);
    assert_eq!(
        h.app.focus,
        Focus::Robots,
        "Enter on a group stays in the list"
    );
}

#[test]
fn robot_list_with_marks_group_quota_and_host_snapshot() {
    let mut h = Harness::new(four_robots());
    h.app.clock = wecom_composer::clock::Clock::Fixed(NOW_MS);
    select_robot(&mut h, "ops");
    h.send_key(KeyCode::Char(' '));
    select_robot(&mut h, "bj-team");
    h.send_key(KeyCode::Char(' '));
    h.send(Msg::Quotas(vec![
        (
            "ops".to_owned(),
            Quota {
                used: 14,
                limit: 20,
                next_slot_ms: None,
            },
        ),
        (
            "bj-team".to_owned(),
            Quota {
                used: 20,
                limit: 20,
                // 23 s from now: the border says "next in 23 s".
                next_slot_ms: Some(NOW_MS + 22_600),
            },
        ),
    ]));
    let screen = common::screen(&h.app, 120, 35);
    assert!(screen.contains("14/20"), "{screen}");
    assert!(screen.contains("next in 23 s"), "{screen}");
    // The selected robot's masked key, then its host (cut to the list).
    assert!(screen.contains("****ui-2 127.0.0.1:"), "{screen}");
    assert!(screen.contains("◆ release (2)"), "{screen}");
    insta::assert_snapshot!("robot_list_marks_group_quota_host", screen);
}

#[test]
fn results_view_with_mixed_outcomes_snapshot() {
    let mut h = Harness::new(four_robots());
    h.app.clock = wecom_composer::clock::Clock::Fixed(NOW_MS);
    for name in ["ops", "qa", "bj-team", "revoked"] {
        select_robot(&mut h, name);
        h.send_key(KeyCode::Char(' '));
    }
    h.tab_to(Focus::Editor(
        wecom_composer::tui::compose::FieldId::Content,
    ));
    h.send_text("# 发布完成");
    h.send_ctrl('s');
    assert_eq!(h.context(), Context::Results);
    let (id, targets, _) = take_broadcast(&mut h);
    assert_eq!(targets.len(), 4);
    h.send(Msg::BroadcastQueued {
        id,
        batch: Some("b1-1".to_owned()),
        items: vec![(0, 11), (1, 12), (2, 13), (3, 14)],
    });
    let rows = [
        RowState::Sent {
            elapsed_ms: 42,
            waited_ms: 0,
        },
        RowState::Waiting {
            until_ms: NOW_MS + 11_600,
        },
        RowState::Unknown {
            detail:
                "no answer from 127.0.0.1:40009 within 10 s: the message may have been delivered."
                    .to_owned(),
        },
        RowState::Refused {
            errcode: Some(93000),
            detail: "WeCom refused the message: errcode 93000, invalid webhook url".to_owned(),
        },
    ];
    for (row, state) in rows.into_iter().enumerate() {
        h.send(Msg::BroadcastRow { id, row, state });
    }
    let screen = common::screen(&h.app, 120, 35);
    assert!(screen.contains("✓ sent (42 ms)"), "{screen}");
    assert!(screen.contains("waiting for a slot: 12 s"), "{screen}");
    assert!(
        screen.contains("? unknown: may have been delivered"),
        "{screen}"
    );
    // 93000 explained from the errcode table (API-FACTS: invalid webhook url).
    assert!(screen.contains("✗ refused 93000"), "{screen}");
    insta::assert_snapshot!("results_mixed_outcomes", screen);
    // The status line counts, the unfinished one is remembered for quit.
    assert!(
        h.app.status.text.contains("1 sent"),
        "{}",
        h.app.status.text
    );
    assert_eq!(h.app.unfinished.keys().copied().collect::<Vec<_>>(), [12]);

    // Enter: the refused robot's detail, with its explanation and payload.
    h.send_key(KeyCode::Down)
        .send_key(KeyCode::Down)
        .send_key(KeyCode::Down)
        .send_key(KeyCode::Enter);
    h.assert_screen_contains("errcode 93000");
    // Esc back, Esc closes; the sending goes on, marks stay.
    h.send_key(KeyCode::Esc).send_key(KeyCode::Esc);
    assert!(h.app.popup.is_none());
    assert_eq!(h.app.marked.len(), 4);

    // r retries only once every part is over, and then only the undelivered.
    h.send(Msg::BroadcastRow {
        id,
        row: 1,
        state: RowState::Sent {
            elapsed_ms: 30,
            waited_ms: 11_600,
        },
    });
    h.send_key(KeyCode::F(11)).send_key(KeyCode::Char('r'));
    let (retry_id, targets, _) = take_broadcast(&mut h);
    assert_eq!(retry_id, id);
    let retried: Vec<(&str, Option<i64>)> = targets
        .iter()
        .map(|t| (t.robot.as_str(), t.outbox_id))
        .collect();
    // The unknown one is put back as the same outbox item; the refused
    // one left the outbox and is queued again.
    assert_eq!(retried, [("bj-team", Some(13)), ("revoked", None)]);
}

/// Two robots on an in-process sandbox, a temporary store, and the engine
/// the composer would use.
struct Live {
    sandbox: Sandbox,
    engine: Engine,
    _dir: tempfile::TempDir,
}

async fn live(rate: Rate) -> Live {
    let sandbox = Sandbox::start(
        SandboxConfig {
            keys: vec![KEY_OPS.to_owned(), KEY_QA.to_owned()],
            ..SandboxConfig::default()
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .expect("sandbox");
    let dir = tempfile::tempdir().expect("dir");
    let db = Db::open(&dir.path().join("wecom.db")).expect("db");
    let client = Client::new(ClientConfig::default()).expect("client");
    let engine = Engine::new(Arc::new(db), client, rate, RetryPolicy::default());
    Live {
        sandbox,
        engine,
        _dir: dir,
    }
}

fn live_config(sandbox: &Sandbox) -> Config {
    let mut c = Config::default();
    c.add_robot("ops", &sandbox.webhook_url(KEY_OPS))
        .expect("add");
    c.add_robot("qa", &sandbox.webhook_url(KEY_QA))
        .expect("add");
    c
}

fn mark_both_and_write(h: &mut Harness, text: &str) {
    for name in ["ops", "qa"] {
        select_robot(h, name);
        h.send_key(KeyCode::Char(' '));
    }
    h.tab_to(Focus::Editor(
        wecom_composer::tui::compose::FieldId::Content,
    ));
    h.send_text(text);
    h.send_ctrl('s');
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broadcast_over_http_arrives_once_at_each_robot_and_is_one_broadcast_in_the_history() {
    let live = live(Rate::default()).await;
    let mut h = Harness::new(live_config(&live.sandbox));
    mark_both_and_write(&mut h, "# 发布完成");
    let (id, targets, outgoing) = take_broadcast(&mut h);
    let (tx, mut rx) = unbounded_channel();
    wecom_composer::tui::deliver::broadcast(
        &live.engine,
        id,
        targets,
        outgoing,
        &tx,
        &CancellationToken::new(),
        &CancellationToken::new(),
    )
    .await;
    drop(tx);
    while let Some(msg) = rx.recv().await {
        h.send(msg);
    }
    let b = h.app.broadcast.as_ref().expect("broadcast");
    assert!(
        b.rows
            .iter()
            .all(|r| matches!(r.state, RowState::Sent { .. })),
        "{:?}",
        b.rows
    );
    assert!(h.app.unfinished.is_empty());
    assert!(
        h.app.status.text.contains("2 of 2 delivered"),
        "{}",
        h.app.status.text
    );

    let md = json!({"msgtype": "markdown", "markdown": {"content": "# 发布完成"}});
    let mut got: Vec<(String, serde_json::Value)> = live
        .sandbox
        .records()
        .into_iter()
        .filter_map(|r| match r {
            Record::Message {
                key_hint, message, ..
            } => Some((key_hint, message)),
            _ => None,
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    // The sandbox names each robot by its masked key: ****0-b1, ****0-b2.
    assert_eq!(
        got,
        vec![
            ("****0-b1".to_owned(), md.clone()),
            ("****0-b2".to_owned(), md)
        ]
    );

    let batch = b.batch.clone().expect("batch");
    let rows = live.engine.history().batch(&batch).expect("history");
    let mut outcomes: Vec<(&str, HistoryStatus)> = rows
        .iter()
        .map(|r| (r.robot_name.as_str(), r.status))
        .collect();
    outcomes.sort_by_key(|o| o.0);
    assert_eq!(
        outcomes,
        [("ops", HistoryStatus::Sent), ("qa", HistoryStatus::Sent)]
    );
    assert!(live.engine.outbox().list().expect("outbox").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn quitting_with_a_message_waiting_asks_and_leave_keeps_it_in_the_outbox() {
    // One message a minute: the first robot's slot is taken by hand, so
    // its part waits while the other's goes.
    let live = live(Rate::new(1, Duration::from_secs(60))).await;
    let mut h = Harness::new(live_config(&live.sandbox));
    let ops =
        wecom_composer::wecom::attach::robot_id(h.app.robots[0].webhook.as_ref().expect("webhook"));
    let taken = live
        .engine
        .ledger()
        .reserve(&ops, None, None)
        .expect("ledger")
        .expect("a slot");
    live.engine.ledger().settle(&taken).expect("settle");

    mark_both_and_write(&mut h, "deploy done");
    let (id, targets, outgoing) = take_broadcast(&mut h);
    let (tx, mut rx) = unbounded_channel();
    let leaving = CancellationToken::new();
    let engine = live.engine.clone();
    let task_leaving = leaving.clone();
    let task = tokio::spawn(async move {
        wecom_composer::tui::deliver::broadcast(
            &engine,
            id,
            targets,
            outgoing,
            &tx,
            &task_leaving.child_token(),
            &task_leaving,
        )
        .await;
    });
    // Until ops waits and qa is sent.
    while let Some(msg) = rx.recv().await {
        h.send(msg);
        let rows = &h.app.broadcast.as_ref().expect("broadcast").rows;
        if matches!(rows[0].state, RowState::Waiting { .. })
            && matches!(rows[1].state, RowState::Sent { .. })
        {
            break;
        }
    }
    assert_eq!(h.app.unfinished.len(), 1);
    h.send_key(KeyCode::Esc); // the results view
    h.send_ctrl('q');
    assert_eq!(h.context(), Context::QuitOutbox);
    h.assert_screen_contains("Sent from here and still in the outbox")
        .assert_screen_contains("1. Wait for them and quit");
    h.effects.clear();
    h.send_key(KeyCode::Char('l'));
    assert!(
        h.effects.iter().any(|e| matches!(e, Effect::SaveDrafts)),
        "leave quits (drafts saved first)"
    );
    h.send(Msg::DraftsSaved(Ok(())));
    assert!(h.effects.iter().any(|e| matches!(e, Effect::Quit)));

    // The runner then lets go of what waits: it stays queued.
    leaving.cancel();
    task.await.expect("task");
    while let Ok(msg) = rx.try_recv() {
        h.send(msg);
    }
    let items = live.engine.outbox().list().expect("outbox");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].robot_name, "ops");
    assert_eq!(items[0].state, OutboxState::Queued);
    assert_eq!(items[0].lease_owner, None);
}

#[test]
fn quit_without_anything_in_the_outbox_asks_nothing() {
    let mut h = Harness::new(four_robots());
    h.send_ctrl('q');
    assert!(h.app.popup.is_none());
    assert!(h.effects.iter().any(|e| matches!(e, Effect::SaveDrafts)));
}

/// A broadcast over the byte limit is refused with the way forward (the
/// split offer is for one robot): nothing is sent, no offer opens.
#[test]
fn a_broadcast_over_the_limit_says_how_to_send_it_in_parts() {
    let mut h = Harness::new(four_robots());
    select_robot(&mut h, "ops");
    h.send_key(KeyCode::Char(' '));
    select_robot(&mut h, "qa");
    h.send_key(KeyCode::Char(' '));
    h.tab_to(Focus::Editor(
        wecom_composer::tui::compose::FieldId::Content,
    ));
    // 4,096 bytes is markdown's limit (API-FACTS): one more is over it.
    h.send(Msg::Paste("x".repeat(4_097)));
    h.take_effects();
    h.send_ctrl('s');
    assert!(
        !h.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Broadcast { .. })),
        "nothing may be sent"
    );
    assert!(h.app.popup.is_none(), "no split offer for a broadcast");
    h.assert_screen_contains("a broadcast is not split into parts")
        .assert_screen_lacks("send as numbered parts");
}
