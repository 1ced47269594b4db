//! Seed 002's batch API on the relay, over HTTP on 127.0.0.1 with the
//! sandbox behind it: batches delivered in order, nothing sent when one
//! message is wrong, every documented refusal code, tokens revoked while it
//! runs, the shared rate limit, and (with `wecom serve` as a process) logs
//! that hold no token and no key, and the seeds' own curl and Python
//! examples.

mod cli_support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_support::batch::{http, setup};
use cli_support::{Env, KEY};
use serde_json::{Value, json};
use wecom_composer::relay::tokens;
use wecom_composer::sandbox::{Sandbox, SandboxConfig};

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

fn markdown(content: &str) -> Value {
    json!({"msgtype": "markdown", "markdown": {"content": content}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_message_batch_reaches_the_sandbox_in_order() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    // Seed 002's two messages.
    let data = json!([
        text("这是要发送的消息"),
        markdown("## 这是要发送的markdown")
    ]);
    let (status, answer, _) = s.post(data.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(
        answer["data"],
        json!({"sent": 2, "results": [
            {"index": 0, "errcode": 0, "errmsg": "ok"},
            {"index": 1, "errcode": 0, "errmsg": "ok"}
        ]})
    );
    assert_eq!(
        s.sandbox.messages(),
        data.as_array().expect("array").clone()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_third_message_means_nothing_is_sent_and_the_answer_names_data_2() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let data = json!([
        text("first"),
        markdown("second"),
        markdown(&"x".repeat(4097)),
        {"msgtype": "nope"}
    ]);
    let (status, answer, _) = s.post(data).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], 40015, "{answer}");
    let msg = answer["msg"].as_str().expect("msg");
    assert!(msg.contains("data[2].markdown.content"), "{msg}");
    // All problems at once.
    assert!(msg.contains("data[3]"), "{msg}");
    assert!(answer["hint"].as_str().is_some_and(|h| !h.is_empty()));
    let paths: Vec<&str> = answer["data"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, ["data[2].markdown.content", "data[3]"]);
    assert!(s.sandbox.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn each_bad_request_gets_its_documented_code_and_sends_nothing() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let link = s.link();
    let one = json!([text("hi")]);
    let body = |v: Value| v.to_string();
    let huge = format!(
        "{{\"link\": \"{link}\", \"data\": [{{\"msgtype\": \"text\", \"text\": {{\"content\": \"{}\"}}}}]}}",
        "x".repeat(9 * 1024 * 1024)
    );
    let many: Vec<Value> = (0..21).map(|i| text(&format!("m{i}"))).collect();
    let other_host = link.replace(&s.sandbox.addr().to_string(), "127.0.0.2:9");
    let ok_token = s.token.clone();
    let cases: Vec<(&str, String, String, u16, i64)> = vec![
        (
            "no token",
            String::new(),
            body(json!({"link": link, "data": one})),
            401,
            40101,
        ),
        (
            "unknown token",
            "not-a-token".into(),
            body(json!({"link": link, "data": one})),
            401,
            40102,
        ),
        (
            "not JSON",
            ok_token.clone(),
            "{\"link\": ".into(),
            400,
            40001,
        ),
        ("an array", ok_token.clone(), body(one.clone()), 400, 40002),
        (
            "one message",
            ok_token.clone(),
            body(text("hi")),
            400,
            40002,
        ),
        ("too large", ok_token.clone(), huge, 413, 40003),
        (
            "data missing",
            ok_token.clone(),
            body(json!({"link": link})),
            400,
            40010,
        ),
        (
            "data not an array",
            ok_token.clone(),
            body(json!({"link": link, "data": text("hi")})),
            400,
            40011,
        ),
        (
            "data empty",
            ok_token.clone(),
            body(json!({"link": link, "data": []})),
            400,
            40012,
        ),
        (
            "data too long",
            ok_token.clone(),
            body(json!({"link": link, "data": many})),
            400,
            40013,
        ),
        (
            "not an object",
            ok_token.clone(),
            body(json!({"link": link, "data": [text("a"), "b"]})),
            400,
            40014,
        ),
        (
            "link missing",
            ok_token.clone(),
            body(json!({"data": one})),
            400,
            40020,
        ),
        (
            "link not a string",
            ok_token.clone(),
            body(json!({"link": 5, "data": one})),
            400,
            40020,
        ),
        (
            "not http",
            ok_token.clone(),
            body(json!({"link": link.replace("http://", "ftp://"), "data": one})),
            400,
            40021,
        ),
        (
            "a bare key",
            ok_token.clone(),
            body(json!({"link": KEY, "data": one})),
            400,
            40021,
        ),
        (
            "no key",
            ok_token.clone(),
            body(json!({"link": link.split('?').next(), "data": one})),
            400,
            40022,
        ),
        (
            "host not allowed",
            ok_token.clone(),
            body(json!({"link": other_host, "data": one})),
            403,
            40023,
        ),
        (
            "WeCom's host with another port",
            ok_token.clone(),
            body(
                json!({"link": format!("https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key={KEY}"), "data": one}),
            ),
            403,
            40023,
        ),
    ];
    for (what, token, body, status, code) in cases {
        let (got, answer, _) = s.post_raw(&token, body).await;
        assert_eq!(
            (got, answer["code"].as_i64()),
            (status, Some(code)),
            "{what}: {answer}"
        );
        for field in ["msg", "hint"] {
            assert!(
                answer[field].as_str().is_some_and(|t| !t.is_empty()),
                "{what}: {field} in {answer}"
            );
        }
        assert!(!answer.to_string().contains(KEY), "{what}: {answer}");
    }
    assert!(s.sandbox.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_stops_working_at_once_and_a_new_one_works_at_once() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    assert_eq!(s.post(json!([text("before")])).await.0, 200);
    let id = tokens::find(&s.store.load().expect("load"), &s.token)
        .expect("saved")
        .id
        .clone();
    s.store
        .update(|c| Ok(tokens::revoke(c, &id)))
        .expect("update")
        .expect("revoked");
    let (status, answer, _) = s.post(json!([text("after")])).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (401, Some(40102)),
        "{answer}"
    );
    let fresh = s
        .store
        .update(|c| Ok(tokens::add(c, "fresh")))
        .expect("update")
        .expect("added")
        .0;
    let body = json!({"link": s.link(), "data": [text("fresh")]}).to_string();
    assert_eq!(s.post_raw(&fresh, body).await.0, 200);
    assert_eq!(s.sandbox.messages(), vec![text("before"), text("fresh")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_the_full_ledger_cannot_take_is_refused_with_retry_after_and_sends_nothing() {
    let window = Duration::from_secs(30);
    let s = setup(
        SandboxConfig {
            rate_limit: 3,
            rate_window: window,
            ..SandboxConfig::default()
        },
        |c| {
            c.rate_limit = 3;
            c.rate_window = window;
            c.max_wait = Duration::ZERO;
        },
    )
    .await;
    let env_refusals = watch(&s.sandbox);
    assert_eq!(s.post(json!([text("1"), text("2")])).await.0, 200);
    // Two more do not fit in the one slot left: neither is sent.
    let (status, answer, headers) = s.post(json!([text("3"), text("4")])).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (429, Some(42900)),
        "{answer}"
    );
    assert_eq!(answer["data"]["sent"], 0, "{answer}");
    let after: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((20..=31).contains(&after), "{after}");
    assert_eq!(s.sandbox.messages(), vec![text("1"), text("2")]);
    // The slots were given back: one message still fits.
    assert_eq!(s.post(json!([text("5")])).await.0, 200);
    assert_eq!(
        env_refusals.lock().expect("refusals").clone(),
        Vec::<i64>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_waits_for_the_shared_limit_without_any_45009() {
    let window = Duration::from_millis(1500);
    let s = setup(
        SandboxConfig {
            rate_limit: 2,
            rate_window: window,
            ..SandboxConfig::default()
        },
        |c| {
            c.rate_limit = 2;
            c.rate_window = window;
            c.max_wait = Duration::from_secs(20);
        },
    )
    .await;
    let refusals = watch(&s.sandbox);
    let started = Instant::now();
    let data = json!([text("a"), text("b"), text("c"), text("d"), text("e")]);
    let (status, answer, _) = s.post(data.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["sent"], 5);
    // Five at two per window: the wait happened before the third and fifth.
    assert!(started.elapsed() >= window * 2, "{:?}", started.elapsed());
    assert_eq!(
        s.sandbox.messages(),
        data.as_array().expect("array").clone()
    );
    assert_eq!(
        refusals.lock().expect("refusals").clone(),
        Vec::<i64>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_midway_says_what_was_delivered_and_sends_no_more() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    // Passes the local checks; the sandbox knows no such media_id.
    let file = json!({"msgtype": "file", "file": {"media_id": "no-such-media-id-0001"}});
    let (status, answer, _) = s.post(json!([text("one"), file, text("three")])).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (502, Some(50001)),
        "{answer}"
    );
    assert_eq!(answer["data"]["sent"], 1, "{answer}");
    let results = answer["data"]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{answer}");
    assert_eq!(results[0]["errcode"], 0);
    assert_eq!(results[1]["index"], 1);
    assert_ne!(results[1]["errcode"], 0);
    assert!(
        answer["msg"].as_str().expect("msg").contains("data[1]"),
        "{answer}"
    );
    assert_eq!(s.sandbox.messages(), vec![text("one")]);
}

/// Collects the errcodes of the requests the sandbox refuses from now on.
fn watch(sandbox: &Sandbox) -> std::sync::Arc<std::sync::Mutex<Vec<i64>>> {
    let mut events = sandbox.subscribe();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let into = seen.clone();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(wecom_composer::sandbox::Event::Refused { errcode, .. }) => {
                    into.lock().expect("refusals").push(errcode);
                }
                Ok(_) => {}
                Err(RecvError::Lagged(n)) => into.lock().expect("refusals").push(-(n as i64)),
                Err(RecvError::Closed) => break,
            }
        }
    });
    seen
}

/// `wecom serve` as a process, with a token and a code made by the CLI.
struct Served {
    child: std::process::Child,
    base: String,
    token: String,
    code: String,
}

async fn serve(env: &Env) -> Served {
    env.add_robot("ops", KEY).await;
    let made = env.run(&["tokens", "add", "ci"]).await;
    made.expect(0);
    let token = made.stdout.trim().to_owned();
    assert!(made.stderr.contains("shown only now"), "{made:#?}");
    let config = std::fs::read_to_string(env.config_path()).expect("config");
    assert!(!config.contains(&token), "only the hash is saved");
    let code = env.run(&["robots", "code", "ops"]).await;
    code.expect(0);
    let code = code.stdout.trim().to_owned();
    let listed = env.run(&["tokens", "list"]).await;
    listed.expect(0);
    assert!(listed.stdout.contains("ci") && !listed.stdout.contains(&token));
    let sandbox_host = env.sandbox.addr().to_string();
    let mut child = env
        .command(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--allow-link-host",
                &sandbox_host,
            ],
            &[("WECOM_LOG", "debug")],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let first = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let mut first = String::new();
            stdout.read_line(&mut first).expect("banner");
            first
        }),
    )
    .await
    .expect("the relay printed its banner within 30 s")
    .expect("join");
    let base = first
        .trim()
        .strip_prefix("Relay listening on ")
        .unwrap_or_else(|| panic!("banner: {first}"))
        .to_owned();
    Served {
        child,
        base,
        token,
        code,
    }
}

impl Served {
    /// Stops the relay (SIGTERM) and gives its log.
    fn stop(mut self) -> String {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().expect("wait").is_none() {
            assert!(Instant::now() < deadline, "the relay stopped within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut log)
            .expect("log");
        log
    }
}

/// No run of 8 characters of `secret` in `text`.
fn assert_no_secret(text: &str, secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(8) {
        let run: String = w.iter().collect();
        assert!(
            !text.contains(&run),
            "{what}: {run:?} of a secret in:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_log_line_of_the_relay_holds_a_token_or_a_key() {
    let env = Env::new().await;
    let served = serve(&env).await;
    let url = format!(
        "{}/api/v1/openapi/notification/wecom?access_token={}",
        served.base, served.token
    );
    let link = env.sandbox.webhook_url(KEY);
    let other_key = "fake-key-0000-unsaved-robot-5b";
    let unsaved = env.sandbox.webhook_url(other_key);
    let client = http();
    let bodies = [
        (
            url.clone(),
            json!({"link": link, "data": [text("saved robot")]}),
        ),
        (
            url.clone(),
            json!({"link": unsaved, "data": [text("unsaved robot")]}),
        ),
        (url.clone(), json!({"link": link, "data": [markdown("")]})),
        (
            url.clone(),
            json!({"link": link.replace(&env.sandbox.addr().to_string(), "127.0.0.2:1"), "data": [text("x")]}),
        ),
        (
            url.replace(&served.token, &format!("{}x", served.token)),
            json!({"link": link, "data": [text("x")]}),
        ),
    ];
    let mut statuses = Vec::new();
    for (url, body) in bodies {
        statuses.push(
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("post")
                .status()
                .as_u16(),
        );
    }
    // The unsaved robot's key is not the sandbox's: WeCom's refusal is 502.
    assert_eq!(statuses, [200, 502, 400, 403, 401]);
    let (token, code) = (served.token.clone(), served.code.clone());
    let log = served.stop();
    assert!(log.contains("robot=ops"), "the saved robot is named: {log}");
    assert!(
        log.contains("****"),
        "the other is named by its masked key: {log}"
    );
    for secret in [token.as_str(), code.as_str(), KEY, other_key] {
        assert_no_secret(&log, secret, "relay log");
    }
}

/// Runs `program args` with a deadline; gives its stdout.
async fn run_example(program: &str, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(program);
    cmd.args(args)
        .env("NO_PROXY", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || cmd.output()),
    )
    .await
    .unwrap_or_else(|_| panic!("{program} ended within 60 s"))
    .expect("join")
    .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn python3() -> Option<String> {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!("skipped: no python3 on PATH");
    }
    found.then(|| "python3".to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seeds_curl_and_python_examples_work_with_only_the_host_changed() {
    let env = Env::new().await;
    let served = serve(&env).await;
    let relay_host = served.base.trim_start_matches("http://").to_owned();
    let sandbox_host = env.sandbox.addr().to_string();

    // Seed 002's curl example, word for word but for the hosts (the relay's
    // and, in the link, the sandbox's over http), the token and the key
    // (`xxx` is a placeholder too short to be a key).
    let data = r###"{"link":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxx","data":[{"msgtype":"text","text":{"content":"这是要发送的消息"}},{"msgtype":"markdown","markdown":{"content":"## 这是要发送的markdown"}}]}"###
        .replace("https://qyapi.weixin.qq.com", &format!("http://{sandbox_host}"))
        .replace("key=xxx", &format!("key={KEY}"));
    let url = format!(
        "http://{relay_host}/api/v1/openapi/notification/wecom?access_token={}",
        served.token
    );
    let out = run_example(
        "curl",
        &[
            "-s",
            "--request",
            "POST",
            "--url",
            &url,
            "--header",
            "Content-Type: application/json",
            "--data",
            &data,
        ],
    )
    .await;
    let answer: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["code"], 0, "{answer}");

    // Seed 000's curl example.
    let notify = format!("http://{relay_host}/api/notify/{}", served.code);
    let out = run_example(
        "curl",
        &["-s", "-X", "POST", &notify, "-H", "Content-Type: application/json", "-d", "{ \"title\": \"服务器告警\", \"content\": \"CPU使用率超过90%,请及时处理!\\n\\n**详细信息**:\\n- 服务器:web-server-01\\n- 时间:2023-09-15 14:30:45\\n- 当前负载:95%\" }"],
    )
    .await;
    let answer: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["message"], "发送成功", "{answer}");
    let mut sent = 3;

    if let Some(python) = python3() {
        // Seed 002's Python example: http.client. The seed connects with
        // HTTPSConnection; the relay speaks plain HTTP on 127.0.0.1, so the
        // one other change is HTTPConnection. And the seed's example cannot
        // send its own Chinese text: http.client encodes a str body as
        // Latin-1 (UnicodeEncodeError, against any server), so the payload
        // is encoded as UTF-8 first, as Python's error message advises.
        let script = format!(
            r#"import http.client

conn = http.client.HTTPConnection("{relay_host}")

payload = {payload}

headers = {{ 'Content-Type': "application/json" }}

conn.request("POST", "/api/v1/openapi/notification/wecom?access_token={token}", payload.encode("utf-8"), headers)

res = conn.getresponse()
data = res.read()

print(data.decode("utf-8"))
"#,
            payload = serde_json::to_string(&data).expect("quoted"),
            token = served.token
        );
        let out = run_example(&python, &["-c", &script]).await;
        let answer: Value = serde_json::from_str(out.trim()).expect("JSON");
        assert_eq!(answer["code"], 0, "{answer}");
        sent += 2;

        // Seed 000's Python example, which needs `requests`.
        let has_requests = std::process::Command::new(&python)
            .args(["-c", "import requests"])
            .status()
            .is_ok_and(|s| s.success());
        if has_requests {
            let script = format!(
                r#"import requests
import json

def send_notification(title, content):
    url = "http://{relay_host}/api/notify/{code}"
    headers = {{"Content-Type": "application/json"}}
    data = {{
        "title": title,
        "content": content
    }}
    response = requests.post(url, headers=headers, data=json.dumps(data))
    return response.json()

# 使用示例
result = send_notification(
    "数据库备份完成",
    "数据库备份已完成\n- 数据库:user_db\n- 备份大小:1.2GB\n- 备份时间:2023-09-15 02:00:00"
)
print(result)
"#,
                code = served.code
            );
            // The seed prints the answer as a Python dict.
            let out = run_example(&python, &["-c", &script]).await;
            assert!(out.contains("'message': '发送成功'"), "{out}");
            assert!(out.contains("'errcode': 0"), "{out}");
            sent += 1;
        } else {
            println!("skipped seed 000's Python example: the requests module is not installed");
        }
    }
    let log = served.stop();
    assert_eq!(env.sandbox.messages().len(), sent, "{log}");
    assert_eq!(env.sandbox.messages()[0], text("这是要发送的消息"));
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_and_send_json_read_a_seed_002_body_and_an_array() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let link = env.sandbox.webhook_url(KEY);
    let good =
        json!({"link": link, "sk": "x", "data": [text("一"), markdown("## 二")]}).to_string();
    let run = env.run_with(&["validate", "-"], Some(&good), &[]).await;
    run.expect(0);
    assert!(run.stdout.contains("2 valid messages"), "{run:#?}");
    assert!(!format!("{run:?}").contains(KEY), "{run:#?}");
    let bad = json!({"link": link, "data": [text("a"), text("b"), markdown("")]}).to_string();
    let run = env.run_with(&["validate", "-"], Some(&bad), &[]).await;
    run.expect(2);
    assert!(run.stderr.contains("data[2].markdown.content"), "{run:#?}");
    let array = json!([text("a"), text("b")]).to_string();
    env.run_with(&["validate", "-"], Some(&array), &[])
        .await
        .expect(0);
    // send --json: the robot from -r; the body's messages in order.
    env.run_with(&["send", "-r", "ops", "--json", "-"], Some(&good), &[])
        .await
        .expect(0);
    assert_eq!(env.sandbox.messages(), vec![text("一"), markdown("## 二")]);
    // With no robot named, the body's link is the robot, and it is said.
    let run = env
        .run_with(&["send", "--json", "-"], Some(&good), &[])
        .await;
    run.expect(0);
    assert!(
        run.stderr.contains("the robot is the body's `link`"),
        "{run:#?}"
    );
    assert!(!format!("{run:?}").contains(KEY), "{run:#?}");
    assert_eq!(
        env.sandbox.messages(),
        vec![text("一"), markdown("## 二"), text("一"), markdown("## 二")]
    );
}
