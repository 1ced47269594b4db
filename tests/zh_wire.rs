//! The wire formats the seeds define in English stay English when the
//! process speaks Chinese: the sandbox's errmsg (which quotes a check's
//! sentence) and the relay batch API's per-item problems. Every test here
//! makes the whole process Chinese first (this binary holds nothing else),
//! as `LANG=zh_CN.UTF-8 wecom relay` would.

mod cli_support;

use std::net::SocketAddr;

use cli_support::KEY;
use serde_json::{Value, json};
use wecom_composer::i18n::{self, Lang};
use wecom_composer::relay::{Relay, RelayConfig, tokens};
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::store::config::{Config, ConfigStore};
use wecom_composer::wecom::Message;
use wecom_composer::wecom::validate::validate;

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The process speaks Chinese (the test's thread has no language of its
/// own, so this is the process's), and the checks say so.
fn process_in_chinese() {
    assert_eq!(i18n::thread_language(), None);
    i18n::set(Lang::ZhCn);
    let long = Message::from_json_str(
        &json!({"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}}).to_string(),
    )
    .expect("message");
    let problems = validate(&long);
    assert!(
        problems[0].message.contains("个字节"),
        "the checks speak Chinese here: {problems:?}"
    );
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_answers_in_english_while_the_process_is_chinese() {
    process_in_chinese();
    let sandbox = cli_support::sandbox(SandboxConfig::default()).await;
    let body = json!({"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}});
    let answer: Value = http()
        .post(sandbox.webhook_url(KEY))
        .json(&body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["errcode"], 40058, "{answer}");
    let errmsg = answer["errmsg"].as_str().expect("errmsg");
    assert!(
        errmsg.starts_with(
            "content exceed max length: markdown.content: Content is 4,097 bytes (UTF-8)"
        ),
        "{errmsg}"
    );
    assert!(!has_cjk(errmsg), "{errmsg}");
    // And the language of the process is left as it was.
    assert_eq!(i18n::current(), Lang::ZhCn);
    drop::<Sandbox>(sandbox);
}

#[tokio::test(flavor = "multi_thread")]
async fn relay_batch_problems_stay_english_while_the_process_is_chinese() {
    process_in_chinese();
    let sandbox = cli_support::sandbox(SandboxConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ConfigStore::new(dir.path().join("config.toml"));
    let mut config = Config::default();
    let (token, _) = tokens::add(&mut config, "tests").expect("token");
    store.save(&config).expect("save");
    let mut relay_config = RelayConfig::new(store.clone());
    relay_config.db = dir.path().join("wecom.db");
    relay_config.allow_link_hosts = vec![sandbox.addr().to_string()];
    let relay = Relay::start(relay_config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay");
    let data = json!([
        {"msgtype": "text", "text": {"content": "第一条"}},
        {"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}},
        {"msgtype": "news", "news": {"articles": []}}
    ]);
    let body = json!({"link": sandbox.webhook_url(KEY), "data": data});
    let response = http()
        .post(relay.batch_url(&token))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(answer["code"], 40015, "{answer}");
    let msg = answer["msg"].as_str().expect("msg");
    assert!(!has_cjk(msg), "{msg}");
    let problems = answer["data"]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{answer}");
    assert_eq!(
        problems[0]["message"], "Content is 4,097 bytes (UTF-8); WeCom accepts at most 4,096.",
        "{answer}"
    );
    assert_eq!(
        problems[0]["fix"], "Shorten it by 1 byte (a Chinese character takes 3).",
        "{answer}"
    );
    assert!(
        problems[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at least 1 item is required")),
        "{answer}"
    );
    for p in problems {
        assert!(!has_cjk(&p.to_string()), "{p}");
    }
    assert!(sandbox.messages().is_empty());
    assert_eq!(i18n::current(), Lang::ZhCn);
}
