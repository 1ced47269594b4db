//! The delivery engine as a user meets it through `wecom send`, `wecom
//! outbox` and `wecom history`: real processes, a real SQLite file in a
//! temporary data directory, the sandbox (or a small test server) on
//! 127.0.0.1.

mod cli_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cli_support::{Env, KEY, WRONG_KEY, closed_port};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wecom_composer::sandbox::SandboxConfig;

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

/// Waits, up to a generous deadline, for `done`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_killed_after_four_is_listed_then_flushed_each_message_once() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let batch: Vec<Value> = (1..=10).map(|i| text(&format!("message {i}"))).collect();
    let path = env.write("batch.json", serde_json::to_string(&batch).expect("json"));
    // Four per (long) window: the fifth waits, and the kill comes then.
    let mut child = env
        .command(
            &["send", "-r", "ops", "--json", path.to_str().expect("path")],
            &[("WECOM_RATE_LIMIT", "4"), ("WECOM_RATE_WINDOW_MS", "60000")],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    eventually("four delivered", || env.messages().len() == 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert_eq!(env.messages().len(), 4);

    let listed = env.run(&["outbox", "--output", "json"]).await;
    listed.expect(0);
    let items = listed.json();
    let items = items.as_array().expect("array");
    assert_eq!(items.len(), 6, "{items:#?}");
    for item in items {
        assert_eq!(item["state"], "queued", "{item}");
        assert_eq!(item["robot"], "ops");
        assert_eq!(item["msgtype"], "text");
    }

    let flushed = env.run(&["outbox", "flush"]).await;
    flushed.expect(0);
    assert_eq!(env.messages(), batch, "every message once, in order");
    let empty = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(empty.json(), json!([]));
    // Running the batch again now sends it again (the user asked for a new
    // send): what `flush` delivered is in the history, not in the outbox.
    let history = env
        .run(&["history", "--output", "json", "--limit", "50"])
        .await;
    history.expect(0);
    let entries = history.json();
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 10);
    assert!(
        entries.iter().all(|e| e["status"] == "sent"),
        "{entries:#?}"
    );
    // Newest first.
    assert!(entries[0]["id"].as_i64() > entries[9]["id"].as_i64());
}

#[tokio::test(flavor = "multi_thread")]
async fn two_batches_at_once_on_one_robot_meet_no_45009() {
    let env = Env::with(SandboxConfig {
        rate_window: Duration::from_millis(3000),
        ..SandboxConfig::default()
    })
    .await;
    env.add_robot("ops", KEY).await;
    let refusals = env.watch_refusals();
    let mut runs = Vec::new();
    for who in ["a", "b"] {
        let batch: Vec<Value> = (1..=15).map(|i| text(&format!("{who} {i}"))).collect();
        let path = env.write(
            &format!("{who}.json"),
            serde_json::to_string(&batch).expect("json"),
        );
        let cmd = env.command(
            &["send", "-r", "ops", "--json", path.to_str().expect("path")],
            &[("WECOM_RATE_WINDOW_MS", "3000")],
        );
        runs.push(tokio::task::spawn_blocking(move || {
            cli_support::run(cmd, None)
        }));
    }
    for run in runs {
        run.await.expect("join").expect(0);
    }
    assert_eq!(env.messages().len(), 30);
    env.assert_paced(&refusals, 3000);

    // No key anywhere in the database, its WAL included.
    for name in ["wecom.db", "wecom.db-wal"] {
        if let Ok(bytes) = std::fs::read(env.data_dir().join(name)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(KEY), "the key is in {name}");
            assert!(
                !text.contains(&KEY[KEY.len() - 12..]),
                "part of the key is in {name}"
            );
        }
    }
}

/// A server that answers each request with the next of `answers` (JSON
/// bodies; `None`: read the request and never answer). Counts requests.
async fn scripted(answers: Vec<Option<&'static str>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                break;
            };
            let seen = seen.clone();
            let answers = answers.clone();
            tokio::spawn(async move {
                loop {
                    // Read one request: headers, then Content-Length bytes.
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let body_len = loop {
                        let n = match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                            let len: usize = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse().ok())
                                .unwrap_or(0);
                            break end + 4 + len;
                        }
                    };
                    while buf.len() < body_len {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    seen.fetch_add(1, Ordering::SeqCst);
                    let next = answers.lock().expect("answers").next().flatten();
                    let Some(body) = next else {
                        // Read, never answered.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (
        format!("http://{addr}/cgi-bin/webhook/send?key={KEY}"),
        count,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_then_system_busy_then_ok_is_one_sent_entry_after_three_attempts() {
    let env = Env::new().await;
    let (url, count) = scripted(vec![
        Some(r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
        Some(r#"{"errcode":-1,"errmsg":"system busy"}"#),
        Some(r#"{"errcode":0,"errmsg":"ok"}"#),
    ])
    .await;
    let run = env
        .run_with(
            &["send", "--text", "hello", "--output", "json"],
            None,
            &[
                ("WECOM_WEBHOOK", url.as_str()),
                ("WECOM_RATE_WINDOW_MS", "1000"),
            ],
        )
        .await;
    run.expect(0);
    assert!(run.stderr.contains("retrying in"), "{run:#?}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let history = env.run(&["history", "--output", "json"]).await;
    let entries = history.json();
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0]["status"], "sent");
    assert_eq!(entries[0]["attempts"], json!(3));
    assert_eq!(entries[0]["errcode"], json!(0));
    let id = entries[0]["id"].as_i64().expect("id").to_string();
    let shown = env.run(&["history", "show", &id, "--output", "json"]).await;
    shown.expect(0);
    assert_eq!(shown.json()["payload"], text("hello"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_after_the_request_is_unknown_and_never_retried() {
    let env = Env::new().await;
    let (url, count) = scripted(vec![None, Some(r#"{"errcode":0,"errmsg":"ok"}"#)]).await;
    let run = env
        .run_with(
            &["send", "--text", "maybe", "--output", "json"],
            None,
            &[
                ("WECOM_WEBHOOK", url.as_str()),
                ("WECOM_SEND_TIMEOUT_MS", "800"),
            ],
        )
        .await;
    run.expect(4);
    assert!(run.stderr.contains("may have been delivered"), "{run:#?}");
    assert!(!run.stderr.contains("try again"), "{run:#?}");
    assert_eq!(run.json()["results"][0]["status"], "unknown");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json()[0]["state"], "unknown", "{outbox:#?}");
    // A flush leaves it alone: only the user's `retry` sends it again.
    env.run_with(
        &["outbox", "flush"],
        None,
        &[("WECOM_WEBHOOK", url.as_str())],
    )
    .await
    .expect(0);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let history = env
        .run(&["history", "--status", "unknown", "--output", "json"])
        .await;
    assert_eq!(history.json().as_array().expect("array").len(), 1);
    let id = outbox.json()[0]["id"].as_i64().expect("id").to_string();
    env.run_with(
        &["outbox", "retry", &id],
        None,
        &[("WECOM_WEBHOOK", url.as_str())],
    )
    .await
    .expect(0);
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "sent again on the user's say"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retrying_gives_up_and_keeps_the_message_as_failed() {
    let env = Env::new().await;
    let url = format!(
        "http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}",
        closed_port()
    );
    let run = env
        .run_with(
            &["send", "--text", "x", "--give-up-after", "3"],
            None,
            &[("WECOM_WEBHOOK", url.as_str())],
        )
        .await;
    run.expect(4);
    assert!(
        run.stderr.contains("retrying in 2 s (attempt 2)"),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("attempt 3"), "{run:#?}");
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json()[0]["state"], "failed", "{outbox:#?}");
    assert_eq!(outbox.json()[0]["attempts"], json!(2));
    let history = env.run(&["history", "--output", "json"]).await;
    assert_eq!(history.json()[0]["status"], "failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_stops_at_its_first_refusal_and_says_the_rest_were_not_sent() {
    let env = Env::new().await;
    let batch: Vec<Value> = (1..=3).map(|i| text(&format!("m {i}"))).collect();
    let path = env.write("batch.json", serde_json::to_string(&batch).expect("json"));
    let run = env
        .run(&[
            "send",
            "--webhook",
            &env.url(WRONG_KEY),
            "--json",
            path.to_str().expect("path"),
            "--output",
            "json",
        ])
        .await;
    run.expect(3);
    let results = run.json()["results"].clone();
    let statuses: Vec<&str> = results
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["refused", "not_sent", "not_sent"]);
    assert!(
        run.stderr
            .contains("stopped after the failure above (kept in the outbox)"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("wecom outbox flush"), "{run:#?}");
    assert_eq!(env.messages().len(), 0);
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json().as_array().expect("array").len(), 2);
    env.run(&["outbox", "cancel", "--all"]).await.expect(0);
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json(), json!([]));
    let cancelled = env
        .run(&["history", "--status", "cancelled", "--output", "json"])
        .await;
    assert_eq!(cancelled.json().as_array().expect("array").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_the_batch_and_running_it_again_resumes_it() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let batch: Vec<Value> = (1..=6).map(|i| text(&format!("n {i}"))).collect();
    let path = env.write("batch.json", serde_json::to_string(&batch).expect("json"));
    let args = ["send", "-r", "ops", "--json", path.to_str().expect("path")];
    let child = env
        .command(
            &args,
            &[("WECOM_RATE_LIMIT", "4"), ("WECOM_RATE_WINDOW_MS", "60000")],
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    eventually("four delivered", || env.messages().len() == 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("stopped within 30 s")
    .expect("join")
    .expect("output");
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("interrupted: 4 of 6 delivered"), "{stderr}");
    assert!(stderr.contains("wecom outbox flush"), "{stderr}");
    // The same command again resumes: the 4 delivered are not sent twice.
    let again = env.run(&args).await;
    again.expect(0);
    assert!(again.stderr.contains("interrupted earlier"), "{again:#?}");
    assert_eq!(env.messages(), batch);
}

/// Appends `[delivery]` settings to the test's config.toml.
fn set_delivery(env: &Env, settings: &str) {
    let path = env.config_path();
    std::fs::create_dir_all(path.parent().expect("dir")).expect("config dir");
    let mut config = std::fs::read_to_string(&path).unwrap_or_default();
    config.push_str("\n[delivery]\n");
    config.push_str(settings);
    std::fs::write(&path, config).expect("write config");
}

#[tokio::test(flavor = "multi_thread")]
async fn give_up_after_minutes_in_config_toml_ends_retries() {
    let env = Env::new().await;
    // 0 minutes: the first retry (2 s later) is already past the give-up
    // time, so the message is failed after one attempt. (By default it is
    // retried: see `retrying_gives_up_and_keeps_the_message_as_failed`.)
    set_delivery(&env, "give_up_after_minutes = 0\n");
    let url = format!(
        "http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}",
        closed_port()
    );
    let run = env
        .run_with(
            &["send", "--text", "x"],
            None,
            &[("WECOM_WEBHOOK", url.as_str())],
        )
        .await;
    run.expect(4);
    assert!(!run.stderr.contains("retrying in"), "{run:#?}");
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json()[0]["state"], "failed", "{outbox:#?}");
    assert_eq!(outbox.json()[0]["attempts"], json!(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn history_retention_in_config_toml_keeps_the_newest_entries() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    // No entry is young enough for 0 days: only the newest 2 are kept.
    set_delivery(&env, "history_days = 0\nhistory_entries = 2\n");
    for n in 1..=3 {
        let content = format!("message {n}");
        env.run(&["send", "-r", "ops", "--text", &content])
            .await
            .expect(0);
    }
    assert_eq!(env.messages().len(), 3, "all three were sent");
    // The history is pruned when a command opens the outbox.
    env.run(&["outbox"]).await.expect(0);
    let history = env.run(&["history", "--output", "json"]).await;
    history.expect(0);
    let entries = history.json();
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let id = entries[1]["id"].as_i64().expect("id").to_string();
    let shown = env.run(&["history", "show", &id, "--output", "json"]).await;
    assert_eq!(
        shown.json()["payload"],
        text("message 2"),
        "the oldest went"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_delivery_setting_is_an_error_naming_it() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    set_delivery(&env, "history_dayz = 7\n");
    let run = env.run(&["send", "-r", "ops", "--text", "x"]).await;
    assert_ne!(run.code, 0, "{run:#?}");
    // The config's own text is not repeated (it may hold a key), but the
    // line and the settings that exist are named.
    assert!(run.stderr.contains("(line "), "{run:#?}");
    assert!(
        run.stderr.contains("`history_days`, `history_entries`"),
        "{run:#?}"
    );
    assert!(env.messages().is_empty());
}
