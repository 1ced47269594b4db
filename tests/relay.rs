//! The notify relay over HTTP on 127.0.0.1, with the sandbox behind it:
//! every status of seed 000 (200, 400, 404, 500) plus 429, the title
//! convention, unknown and revoked codes, codes made while it runs, and a
//! bounded load test that counts every message the sandbox received.

mod cli_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cli_support::batch::http;
use cli_support::notify::{post, setup};
use cli_support::{KEY, WRONG_KEY};
use serde_json::{Value, json};
use wecom_composer::sandbox::SandboxConfig;

fn markdown(content: &str) -> Value {
    json!({"msgtype": "markdown", "markdown": {"content": content}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_is_sent_with_the_title_as_a_bold_first_line() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    // Seed 000's curl example.
    let content = "CPU使用率超过90%,请及时处理!\n\n**详细信息**:\n- 服务器:web-server-01\n- 时间:2023-09-15 14:30:45\n- 当前负载:95%";
    let body = json!({"title": "服务器告警", "content": content}).to_string();
    let (status, answer, _) = post(&s, &s.ops, &body).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"message": "发送成功", "response": {"errcode": 0, "errmsg": "ok"}})
    );
    // Without a title, or a null one, the content is sent as it is.
    for body in [
        json!({"content": "数据库备份已完成"}),
        json!({"title": null, "content": "数据库备份已完成"}),
    ] {
        let (status, _, _) = post(&s, &s.ops, &body.to_string()).await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        s.sandbox.messages(),
        vec![
            markdown(&format!("**服务器告警**\n{content}")),
            markdown("数据库备份已完成"),
            markdown("数据库备份已完成"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_are_400_and_send_nothing() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let long = "长".repeat(1400); // 4,200 bytes
    let cases = [
        (json!({"title": "x"}).to_string(), "content is required"),
        (json!({"content": ""}).to_string(), "content is empty"),
        (json!({"content": "  \n "}).to_string(), "content is empty"),
        (
            json!({"content": 42}).to_string(),
            "content must be a string",
        ),
        (
            json!({"title": 1, "content": "x"}).to_string(),
            "title must be a string",
        ),
        ("{\"content\": \"unterminated".to_owned(), "not valid JSON"),
        ("[1, 2]".to_owned(), "JSON object"),
        (json!({"content": long}).to_string(), "4,200"),
    ];
    for (body, says) in cases {
        let (status, answer, _) = post(&s, &s.ops, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["message"].as_str().expect("message");
        assert!(message.contains(says), "{says:?} in {message}");
    }
    assert!(s.sandbox.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_and_revoked_codes_are_404_and_new_codes_work_at_once() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let body = json!({"content": "hi"}).to_string();
    let (status, answer, _) = post(&s, "not-a-code-0000000000000000000000000", &body).await;
    assert_eq!(status, 404);
    assert!(
        answer["message"]
            .as_str()
            .expect("message")
            .contains("配置不存在")
    );

    // Revoked while the relay runs (as `wecom robots code ops --revoke ID`).
    assert_eq!(post(&s, &s.ops, &body).await.0, 200);
    let mut config = s.store.load().expect("load");
    let id = config.relay_code(&s.ops).expect("entry").id.clone();
    config.revoke_relay_code("ops", &id).expect("revoke");
    let (fresh, _) = config.new_relay_code("ops").expect("new code");
    s.store.save(&config).expect("save");
    assert_eq!(post(&s, &s.ops, &body).await.0, 404);
    assert_eq!(post(&s, &fresh, &body).await.0, 200);

    // A removed robot's codes go with it.
    config.remove_robot("ops").expect("remove");
    s.store.save(&config).expect("save");
    assert_eq!(post(&s, &fresh, &body).await.0, 404);
    assert_eq!(s.sandbox.messages().len(), 2);

    // Other paths and methods.
    let other = http()
        .get(format!("http://{}/", s.relay.addr()))
        .send()
        .await
        .expect("get");
    assert_eq!(other.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_or_an_unreachable_wecom_is_500_with_its_answer() {
    let s = setup(SandboxConfig::default(), |_| {}).await;
    let body = json!({"title": "t", "content": "x"}).to_string();
    let (status, answer, _) = post(&s, &s.wrong, &body).await;
    assert_eq!(status, 500);
    assert_eq!(answer["response"]["errcode"], json!(93000));
    assert!(
        answer["response"]["errmsg"]
            .as_str()
            .expect("errmsg")
            .starts_with("invalid webhook url")
    );
    let message = answer["message"].as_str().expect("message");
    assert!(message.contains("errcode 93000"), "{message}");
    assert!(!answer.to_string().contains(WRONG_KEY), "{answer}");

    let (status, answer, _) = post(&s, &s.down, &body).await;
    assert_eq!(status, 500);
    let message = answer["message"].as_str().expect("message");
    assert!(message.contains("Cannot connect"), "{message}");
    assert!(!message.contains(KEY), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rate_limit_queues_briefly_then_answers_429() {
    let window = Duration::from_millis(1000);
    let sandbox = SandboxConfig {
        rate_window: window,
        ..SandboxConfig::default()
    };
    // No queueing: the 21st request in the window is 429 at once.
    let long = Duration::from_secs(30);
    let s = setup(
        SandboxConfig {
            rate_window: long,
            ..SandboxConfig::default()
        },
        |c| {
            c.rate_window = long;
            c.max_wait = Duration::ZERO;
        },
    )
    .await;
    let body = json!({"content": "burst"}).to_string();
    for _ in 0..20 {
        assert_eq!(post(&s, &s.ops, &body).await.0, 200);
    }
    let (status, answer, headers) = post(&s, &s.ops, &body).await;
    assert_eq!(status, 429, "{answer}");
    let after: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((25..=31).contains(&after), "{after}");
    assert_eq!(s.sandbox.messages().len(), 20);

    // Queueing: 25 at once all arrive, the last 5 after the window.
    let s = setup(sandbox, |c| {
        c.rate_window = window;
        c.max_wait = Duration::from_secs(5);
    })
    .await;
    let s = Arc::new(s);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..25 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            post(
                &s,
                &s.ops,
                &json!({"content": format!("queued {i}")}).to_string(),
            )
            .await
            .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 200);
    }
    assert!(started.elapsed() >= window, "{:?}", started.elapsed());
    assert_eq!(s.sandbox.messages().len(), 25);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_that_hangs_up_while_queued_frees_its_slot() {
    // Issue 18 item 3: limit 2 per 6 s, two posts, two more that give up.
    let window = Duration::from_secs(6);
    let s = setup(
        SandboxConfig {
            rate_window: window,
            ..SandboxConfig::default()
        },
        |c| {
            c.rate_limit = 2;
            c.rate_window = window;
            c.max_wait = Duration::from_secs(10);
        },
    )
    .await;
    let body = json!({"content": "x"}).to_string();
    for _ in 0..2 {
        assert_eq!(post(&s, &s.ops, &body).await.0, 200);
    }
    for _ in 0..2 {
        let gave_up = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_millis(500))
            .build()
            .expect("client")
            .post(s.relay.notify_url(&s.ops))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await;
        assert!(gave_up.is_err(), "the caller gave up while queued");
    }
    // Give the relay a moment to notice the closed connections.
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The window has room for the next one after the first two leave it: it
    // is queued (answered 200 later), not refused with 429 at once.
    let (status, answer, _) = post(&s, &s.ops, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        s.sandbox.messages().len(),
        3,
        "the abandoned two were not sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_45009_from_another_sender_is_retried_within_the_wait() {
    let window = Duration::from_millis(1500);
    let s = setup(
        SandboxConfig {
            rate_window: window,
            ..SandboxConfig::default()
        },
        |c| {
            c.rate_window = window;
            c.max_wait = Duration::from_secs(8);
        },
    )
    .await;
    // Another program fills the robot's window behind the relay's back.
    let client = wecom_composer::wecom::client::Client::new(Default::default()).expect("client");
    let webhook = wecom_composer::wecom::Webhook::parse(
        &s.sandbox.webhook_url(KEY),
        &wecom_composer::wecom::webhook::default_base(),
    )
    .expect("webhook");
    for i in 0..20 {
        client
            .send(
                &webhook,
                &wecom_composer::wecom::Message::text(format!("other {i}")),
            )
            .await
            .expect("other sender");
    }
    let (status, answer, _) = post(&s, &s.ops, &json!({"content": "mine"}).to_string()).await;
    assert_eq!(status, 200, "{answer}");
    let messages = s.sandbox.messages();
    assert_eq!(messages.len(), 21);
    assert_eq!(messages[20], markdown("mine"));
}

/// Requests through the relay to the sandbox on loopback, with a bounded
/// count and concurrency: every request is answered 200 and the sandbox
/// receives each message exactly once. Prints requests/s and latencies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_no_request_is_lost_or_duplicated() {
    const REQUESTS: usize = 2000;
    const CONCURRENCY: usize = 32;
    let s = setup(
        SandboxConfig {
            rate_limit: 1_000_000,
            ..SandboxConfig::default()
        },
        |c| c.rate_limit = 1_000_000,
    )
    .await;
    let s = Arc::new(s);
    let client = http();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (s, client, next) = (Arc::clone(&s), client.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= REQUESTS {
                    return latencies;
                }
                let body = json!({"title": "load", "content": format!("message {i}")}).to_string();
                let t = Instant::now();
                let response = client
                    .post(s.relay.notify_url(&s.ops))
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("post");
                assert_eq!(response.status().as_u16(), 200);
                let _ = response.bytes().await.expect("body");
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    let took = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "relay load: {REQUESTS} requests, {CONCURRENCY} concurrent, {:.0} req/s, p50 {:?}, p99 {:?}, max {:?}",
        REQUESTS as f64 / took.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1]
    );
    let received: Vec<String> = s
        .sandbox
        .messages()
        .iter()
        .map(|m| {
            m["markdown"]["content"]
                .as_str()
                .expect("content")
                .to_owned()
        })
        .collect();
    assert_eq!(received.len(), REQUESTS, "nothing lost, nothing twice");
    let unique: HashSet<&String> = received.iter().collect();
    let expected: HashSet<String> = (0..REQUESTS)
        .map(|i| format!("**load**\nmessage {i}"))
        .collect();
    assert_eq!(unique.len(), REQUESTS);
    assert_eq!(unique, expected.iter().collect());
}
