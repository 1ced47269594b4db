//! The batch API's relay (seed 002) on 127.0.0.1 with the sandbox behind
//! it and one access token: shared by the batch tests and the tests that
//! its answers stay English in a Chinese process.

use std::net::SocketAddr;

use serde_json::{Value, json};
use tempfile::TempDir;
use wecom_composer::relay::{Relay, RelayConfig, tokens};
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::store::config::{Config, ConfigStore};

use super::KEY;

/// A relay whose `token` is valid, allowed to send to `sandbox`.
pub struct Setup {
    pub _dir: TempDir,
    pub store: ConfigStore,
    pub sandbox: Sandbox,
    pub relay: Relay,
    pub token: String,
}

/// A sandbox, a relay and a token; `tweak` changes the relay's settings.
pub async fn setup(sandbox: SandboxConfig, tweak: impl FnOnce(&mut RelayConfig)) -> Setup {
    let sandbox = super::sandbox(sandbox).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ConfigStore::new(dir.path().join("config.toml"));
    let mut config = Config::default();
    let (token, _) = tokens::add(&mut config, "tests").expect("token");
    store.save(&config).expect("save");
    let mut relay_config = RelayConfig::new(store.clone());
    relay_config.db = dir.path().join("wecom.db");
    relay_config.allow_link_hosts = vec![sandbox.addr().to_string()];
    tweak(&mut relay_config);
    let relay = Relay::start(relay_config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay");
    Setup {
        _dir: dir,
        store,
        sandbox,
        relay,
        token,
    }
}

/// A client that never goes through a proxy (everything is on 127.0.0.1).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

impl Setup {
    /// The sandbox's webhook for [`KEY`].
    pub fn link(&self) -> String {
        self.sandbox.webhook_url(KEY)
    }

    /// POSTs `body` as it is with `token`.
    pub async fn post_raw(
        &self,
        token: &str,
        body: String,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let response = http()
            .post(self.relay.batch_url(token))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await.expect("JSON answer");
        (status, body, headers)
    }

    /// POSTs a batch of `data` to [`Setup::link`] with the valid token.
    pub async fn post(&self, data: Value) -> (u16, Value, reqwest::header::HeaderMap) {
        let body = json!({"link": self.link(), "sk": "ignored-secret", "data": data});
        self.post_raw(&self.token, body.to_string()).await
    }
}
