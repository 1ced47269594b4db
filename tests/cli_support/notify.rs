//! The notify relay (seed 000) on 127.0.0.1 with the sandbox behind it:
//! shared by the relay tests and the tests that its answers stay English
//! in a Chinese process.

use std::net::SocketAddr;

use serde_json::Value;
use tempfile::TempDir;
use wecom_composer::relay::{Relay, RelayConfig};
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::store::config::{Config, ConfigStore};

use super::batch::http;
use super::{KEY, WRONG_KEY, closed_port};

/// A notify relay with three robots and a relay code for each.
pub struct Setup {
    pub _dir: TempDir,
    pub store: ConfigStore,
    pub sandbox: Sandbox,
    pub relay: Relay,
    /// Codes for the robots "ops" (accepted key), "wrong" (refused key) and
    /// "down" (nothing listening).
    pub ops: String,
    pub wrong: String,
    pub down: String,
}

/// A sandbox, the robots and their codes, and a relay; `tweak` changes
/// the relay's settings.
pub async fn setup(sandbox: SandboxConfig, tweak: impl FnOnce(&mut RelayConfig)) -> Setup {
    let sandbox = super::sandbox(sandbox).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ConfigStore::new(dir.path().join("config.toml"));
    let mut config = Config::default();
    config
        .add_robot("ops", &sandbox.webhook_url(KEY))
        .expect("ops");
    config
        .add_robot("wrong", &sandbox.webhook_url(WRONG_KEY))
        .expect("wrong");
    let down = format!(
        "http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}",
        closed_port()
    );
    config.add_robot("down", &down).expect("down");
    let (ops, _) = config.new_relay_code("ops").expect("code");
    let (wrong, _) = config.new_relay_code("wrong").expect("code");
    let (down, _) = config.new_relay_code("down").expect("code");
    store.save(&config).expect("save");
    let mut relay_config = RelayConfig::new(store.clone());
    relay_config.db = dir.path().join("wecom.db");
    tweak(&mut relay_config);
    let relay = Relay::start(relay_config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay");
    Setup {
        _dir: dir,
        store,
        sandbox,
        relay,
        ops,
        wrong,
        down,
    }
}

/// POSTs `body` to the notify URL of `code`: the status, the answer, the
/// headers.
pub async fn post(s: &Setup, code: &str, body: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = http()
        .post(s.relay.notify_url(code))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.expect("JSON answer");
    (status, body, headers)
}
