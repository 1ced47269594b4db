//! Relay codes made in the robot dialog (issue 12 item 6): shown once with
//! a curl line, copied, listed by id, revoked after asking, and working
//! against `wecom serve` the way `wecom robots code` does. The code is
//! drawn by the runtime; here a fixed fake code is handed in its place, so
//! no snapshot holds a real one.

mod cli_support;
mod common;

use std::net::SocketAddr;

use common::*;
use ratatui::crossterm::event::KeyCode;
use wecom_composer::relay::{Relay, RelayConfig};
use wecom_composer::sandbox::SandboxConfig;
use wecom_composer::store::config::{Config, ConfigStore, relay_code_hash};
use wecom_composer::tui::app::Focus;
use wecom_composer::tui::keymap::Context;
use wecom_composer::tui::msg::{Effect, FreshCode, Msg};

/// An obviously fake relay code, handed in as if the runtime drew it.
const FAKE_CODE: &str = "fake-relay-code-0000-tui-test-5e1b";

/// The robot `robot` of `config` in the edit dialog, its codes in focus.
fn editing(config: Config) -> Harness {
    let mut h = Harness::new(config);
    h.tab_to(Focus::Robots)
        .send_key(KeyCode::Char('e'))
        .send_key(KeyCode::Tab);
    assert_eq!(h.context(), Context::RobotCodes, "Tab reaches the codes");
    h.take_effects();
    h
}

/// `n`, and the code the runtime would draw.
fn make_code(h: &mut Harness, robot: &str, code: &str) {
    h.send_key(KeyCode::Char('n'));
    let asked = h.take_effects();
    assert!(
        asked
            .iter()
            .any(|e| matches!(e, Effect::DrawRelayCode { robot: r } if r == robot)),
        "n asks for a code for {robot}: {asked:?}"
    );
    h.send(Msg::RelayCodeDrawn {
        robot: robot.to_owned(),
        code: FreshCode(code.to_owned()),
    });
}

/// The config the last save effect would write.
fn saved(h: &mut Harness) -> Config {
    h.take_effects()
        .into_iter()
        .rev()
        .find_map(|e| match e {
            Effect::SaveConfig(c) => Some(c),
            _ => None,
        })
        .expect("the config is saved")
}

/// The box titled `title` cut out of the screen: its rows from the top
/// border to the bottom one, its columns only.
fn dialog_box(screen: &str, title: &str) -> String {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            let line: String = r.iter().collect();
            let at = line.find(title)?;
            Some((y, line[..at].chars().count() - 1))
        })
        .expect("the dialog is open");
    let right = (left + 1..rows[top].len())
        .find(|&x| rows[top][x] == '┓')
        .expect("its top right corner");
    let mut out = Vec::new();
    for row in &rows[top..] {
        out.push(row[left..=right].iter().collect::<String>());
        if row[left] == '┗' {
            break;
        }
    }
    out.join("\n")
}

fn curl_line(code: &str) -> String {
    format!(
        "curl -X POST http://127.0.0.1:8788/api/notify/{code} -H 'Content-Type: application/json' -d '{{\"title\":\"Hello\",\"content\":\"Sent through wecom serve\"}}'"
    )
}

#[test]
fn a_new_code_is_shown_once_with_its_curl_line() {
    let mut h = editing(config_with_robots());
    make_code(&mut h, "ops-alerts", FAKE_CODE);
    // Only the hash is kept, under an id of its first 8 hex digits.
    let config = saved(&mut h);
    let hash = relay_code_hash(FAKE_CODE);
    let entry = config.relay_code(FAKE_CODE).expect("kept").clone();
    assert_eq!(entry.robot, "ops-alerts");
    assert_eq!(entry.sha256, hash);
    assert_eq!(entry.id, hash[..8]);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ConfigStore::new(dir.path().join("config.toml"));
    store.save(&config).expect("save");
    let file = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
    assert!(file.contains(&hash) && !file.contains(FAKE_CODE), "{file}");

    let made: String = entry
        .created_at
        .chars()
        .take(16)
        .collect::<String>()
        .replace('T', " ");
    let shown = h.screen().replace(&made, "2026-01-01 00:00");
    insta::assert_snapshot!(
        "robot_dialog_new_relay_code",
        dialog_box(&shown, " Edit robot ")
    );

    // The curl line, as a shell runs it, is what c copies.
    h.send_key(KeyCode::Char('c'));
    let copied = h.take_effects();
    assert!(
        copied
            .iter()
            .any(|e| matches!(e, Effect::Copy(t) if *t == curl_line(FAKE_CODE))),
        "{copied:?}"
    );
    let status = h.app.status.text.clone();
    assert!(status.contains(&entry.id), "{status}");
    assert!(
        status.contains(&format!("({} bytes)", curl_line(FAKE_CODE).len())),
        "{status}"
    );
    assert!(!status.contains(FAKE_CODE), "{status}");

    // Closed and opened again: listed by id, the code itself gone for good.
    h.send_key(KeyCode::Esc)
        .send_key(KeyCode::Char('e'))
        .assert_screen_contains(&entry.id)
        .assert_screen_lacks(FAKE_CODE);
}

#[test]
fn revoking_asks_first_then_removes_the_code_from_the_config() {
    let mut h = editing(config_with_robots());
    make_code(&mut h, "ops-alerts", FAKE_CODE);
    make_code(&mut h, "ops-alerts", "fake-relay-code-0001-tui-test-kept");
    h.take_effects();
    // The first code, then d: a question, nothing revoked yet.
    h.send_key(KeyCode::Up).send_key(KeyCode::Char('d'));
    assert_eq!(h.context(), Context::ConfirmDelete);
    assert!(
        h.take_effects().is_empty(),
        "nothing saved before the answer"
    );
    h.assert_screen_contains("Revoke relay code");
    // n keeps it.
    h.send_key(KeyCode::Char('n'));
    assert_eq!(h.context(), Context::RobotCodes);
    assert!(h.app.config.relay_code(FAKE_CODE).is_some());
    // d, y revokes it, and only it.
    h.send_key(KeyCode::Char('d')).send_key(KeyCode::Char('y'));
    let config = saved(&mut h);
    assert_eq!(config.relay_code(FAKE_CODE), None);
    assert!(
        config
            .relay_code("fake-relay-code-0001-tui-test-kept")
            .is_some()
    );
    assert_eq!(config.relay_codes_of("ops-alerts").unwrap().len(), 1);
    assert!(h.app.status.text.contains("Revoked relay code"));
}

#[test]
fn a_code_for_a_dialog_closed_meanwhile_is_not_kept() {
    let mut h = editing(config_with_robots());
    h.send_key(KeyCode::Char('n')).send_key(KeyCode::Esc);
    h.take_effects();
    h.send(Msg::RelayCodeDrawn {
        robot: "ops-alerts".to_owned(),
        code: FreshCode(FAKE_CODE.to_owned()),
    });
    assert_eq!(h.app.config.relay_code(FAKE_CODE), None);
    assert!(h.take_effects().is_empty());
}

#[test]
fn the_fresh_code_never_shows_in_a_message_debug() {
    let msg = Msg::RelayCodeDrawn {
        robot: "ops-alerts".to_owned(),
        code: FreshCode(FAKE_CODE.to_owned()),
    };
    assert!(!format!("{msg:?}").contains(FAKE_CODE));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_made_in_the_dialog_works_with_wecom_serve_until_revoked() {
    let sandbox = cli_support::sandbox(SandboxConfig::default()).await;
    let mut config = Config::default();
    config
        .add_robot("ops", &sandbox.webhook_url(cli_support::KEY))
        .expect("robot");
    let mut h = editing(config);
    make_code(&mut h, "ops", FAKE_CODE);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ConfigStore::new(dir.path().join("config.toml"));
    store.save(&saved(&mut h)).expect("save");
    let mut relay_config = RelayConfig::new(store.clone());
    relay_config.db = dir.path().join("wecom.db");
    let relay = Relay::start(relay_config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let post = || {
        http.post(relay.notify_url(FAKE_CODE))
            .header("Content-Type", "application/json")
            .body(r#"{"title":"Hello","content":"Sent through wecom serve"}"#)
            .send()
    };
    let answer = post().await.expect("post");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(sandbox.messages().len(), 1);

    // Revoked in the dialog: refused (404) from then on, nothing sent.
    h.send_key(KeyCode::Char('d')).send_key(KeyCode::Char('y'));
    store.save(&saved(&mut h)).expect("save");
    let answer = post().await.expect("post");
    assert_eq!(answer.status().as_u16(), 404);
    assert_eq!(sandbox.messages().len(), 1);
    relay.shutdown().await;
}

#[test]
fn the_selected_code_stays_in_view_in_a_long_list() {
    let mut h = editing(config_with_robots());
    for i in 0..8 {
        make_code(
            &mut h,
            "ops-alerts",
            &format!("fake-relay-code-{i:04}-tui-long-list"),
        );
    }
    let id_of = |h: &Harness, code: &str| h.app.config.relay_code(code).expect("kept").id.clone();
    let last = id_of(&h, "fake-relay-code-0007-tui-long-list");
    let first = id_of(&h, "fake-relay-code-0000-tui-long-list");
    // The code just made is selected, below the rows its curl line takes.
    h.assert_screen_contains(&format!("› {last}"));
    for _ in 0..7 {
        h.send_key(KeyCode::Up);
    }
    h.assert_screen_contains(&format!("› {first}"));
}
