//! The wire formats the seeds define in English stay English when the
//! process speaks Chinese: the sandbox's errmsg (which quotes a check's
//! sentence), the relay batch API's answers (its per-item problems, a
//! refusal's explanation, a connection failure, a link that is not a
//! webhook) and the notify relay's message. Every test here makes the
//! whole process Chinese first (this binary holds nothing else), as
//! `LANG=zh_CN.UTF-8 wecom serve` would.

mod cli_support;

use cli_support::batch::{http, setup};
use cli_support::notify;
use cli_support::{KEY, WRONG_KEY, closed_port};
use serde_json::{Value, json};
use wecom_composer::i18n::{self, Lang};
use wecom_composer::sandbox::SandboxConfig;
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
}

#[tokio::test(flavor = "multi_thread")]
async fn relay_batch_problems_stay_english_while_the_process_is_chinese() {
    process_in_chinese();
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let data = json!([
        {"msgtype": "text", "text": {"content": "第一条"}},
        {"msgtype": "markdown", "markdown": {"content": "x".repeat(4097)}},
        {"msgtype": "news", "news": {"articles": []}}
    ]);
    let (status, answer, _) = s.post(data).await;
    assert_eq!(status, 400);
    assert_eq!(answer["code"], 40015, "{answer}");
    let msg = answer["msg"].as_str().expect("msg");
    assert!(
        msg.starts_with(
            "nothing was sent: error: data[1].markdown.content: Content is 4,097 bytes"
        ),
        "{msg}"
    );
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
    assert!(s.sandbox.messages().is_empty());
    assert_eq!(i18n::current(), Lang::ZhCn);
}

/// WeCom's refusal (93000, a key it does not know), explained by the
/// errcode table, which the composer shows in Chinese: the batch answer
/// explains it in English.
#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_in_a_batch_is_explained_in_english() {
    process_in_chinese();
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let link = s.sandbox.webhook_url(WRONG_KEY);
    let body = json!({"link": link, "data": [{"msgtype": "text", "text": {"content": "x"}}]});
    let (status, answer, _) = s.post_raw(&s.token, body.to_string()).await;
    let msg = answer["msg"].as_str().expect("msg");
    assert!(
        msg.starts_with("WeCom refused data[0] (errcode 93000): "),
        "{status} {answer}"
    );
    assert!(!has_cjk(&answer.to_string()), "{answer}");
    assert!(!answer.to_string().contains(WRONG_KEY), "{answer}");
}

/// Nothing listens at the link: the per-item error names the failure with
/// its English title and sentence, which the composer shows translated.
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_failure_in_a_batch_is_english() {
    process_in_chinese();
    let port = closed_port();
    let s = setup(SandboxConfig::default(), |c| {
        c.allow_link_hosts.push(format!("127.0.0.1:{port}"));
    })
    .await;
    let link = format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key={KEY}");
    let body = json!({"link": link, "data": [{"msgtype": "text", "text": {"content": "x"}}]});
    let (_, answer, _) = s.post_raw(&s.token, body.to_string()).await;
    let error = answer["data"]["results"][0]["error"]
        .as_str()
        .unwrap_or_else(|| panic!("a per-item error: {answer}"));
    assert!(
        error.starts_with("Cannot connect: could not connect to "),
        "{error}"
    );
    assert_eq!(
        answer["data"]["results"][0]["may_have_been_delivered"],
        false
    );
    assert!(!has_cjk(&answer.to_string()), "{answer}");
}

/// A link whose key cannot be a webhook key: the webhook parser's reason,
/// which the composer's robot dialog shows in Chinese, is English here.
#[tokio::test(flavor = "multi_thread")]
async fn a_link_that_is_not_a_webhook_is_refused_in_english() {
    process_in_chinese();
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let link = format!("http://{}/cgi-bin/webhook/send?key=abc", s.sandbox.addr());
    let body = json!({"link": link, "data": [{"msgtype": "text", "text": {"content": "x"}}]});
    let (status, answer, _) = s.post_raw(&s.token, body.to_string()).await;
    assert_eq!(status, 400, "{answer}");
    let msg = answer["msg"].as_str().expect("msg");
    assert!(
        msg.starts_with("link is not an http(s) webhook URL: that key is too short"),
        "{msg}"
    );
    assert!(!has_cjk(&answer.to_string()), "{answer}");
    assert!(s.sandbox.messages().is_empty());
}

/// The notify relay's message: the seed's own Chinese prefix, then the
/// reason in English, whatever the process speaks.
#[tokio::test(flavor = "multi_thread")]
async fn the_notify_relay_explains_in_english_after_the_seeds_prefix() {
    process_in_chinese();
    let s = notify::setup(SandboxConfig::default(), |_| {}).await;
    let post = async |code: &str, body: Value| -> Value {
        notify::post(&s, code, &body.to_string()).await.1
    };
    let after_prefix = |answer: &Value| -> String {
        let message = answer["message"].as_str().expect("message");
        message
            .strip_prefix("企业微信API调用失败: ")
            .unwrap_or_else(|| panic!("the seed's prefix: {message}"))
            .to_owned()
    };

    let answer = post(&s.wrong, json!({"title": "t", "content": "x"})).await;
    let reason = after_prefix(&answer);
    assert!(
        reason.starts_with("WeCom refused the message (errcode 93000): "),
        "{reason}"
    );
    assert!(!has_cjk(&reason), "{reason}");

    let answer = post(&s.down, json!({"title": "t", "content": "x"})).await;
    let reason = after_prefix(&answer);
    assert!(
        reason.starts_with("Cannot connect: could not connect to "),
        "{reason}"
    );
    assert!(!has_cjk(&reason), "{reason}");

    // Content over the limit: the seed's 参数错误 prefix, then the check's
    // sentence in English.
    let answer = post(&s.wrong, json!({"title": "t", "content": "x".repeat(5000)})).await;
    let message = answer["message"].as_str().expect("message");
    let reason = message
        .strip_prefix("参数错误: ")
        .unwrap_or_else(|| panic!("the seed's prefix for a bad request: {answer}"));
    assert!(
        reason.contains(" bytes (UTF-8); WeCom accepts at most 4,096."),
        "{answer}"
    );
    assert!(!has_cjk(reason), "{answer}");
}
