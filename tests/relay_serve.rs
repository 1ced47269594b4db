//! `wecom serve` as a process: codes made with `wecom robots code`, answers
//! over HTTP, logs that name robots but never codes or keys, and a graceful
//! stop on SIGTERM that still answers a request waiting in the queue.

mod cli_support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::Duration;

use cli_support::{Env, KEY};
use serde_json::json;
use wecom_composer::sandbox::SandboxConfig;

#[tokio::test(flavor = "multi_thread")]
async fn serve_answers_logs_no_secret_and_stops_gracefully_on_sigterm() {
    let env = Env::with(SandboxConfig {
        rate_window: Duration::from_millis(1500),
        ..SandboxConfig::default()
    })
    .await;
    env.add_robot("ops", KEY).await;
    let made = env.run(&["robots", "code", "ops"]).await;
    made.expect(0);
    let code = made.stdout.trim().to_owned();
    assert!(code.len() >= 22, "at least 128 bits: {code}");
    assert!(made.stderr.contains("shown only now"), "{made:#?}");
    // Only the hash is saved.
    let config = std::fs::read_to_string(env.config_path()).expect("config");
    assert!(!config.contains(&code));

    let mut child = env
        .command(
            &["serve", "--listen", "127.0.0.1:0", "--max-wait", "5"],
            &[("WECOM_RATE_WINDOW_MS", "1500")],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    // Reads of the child's output have deadlines: a relay that never
    // prints fails the test instead of hanging it.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (first, mut stdout) = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let mut first = String::new();
            stdout.read_line(&mut first).expect("banner");
            (first, stdout)
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
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("{base}/api/notify/{code}");
    let post = |url: String, body: serde_json::Value| {
        let client = client.clone();
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    let refusals = env.watch_refusals();
    for i in 0..20 {
        assert_eq!(
            post(
                url.clone(),
                json!({"title": "CPU告警", "content": format!("n {i}")})
            )
            .await,
            200
        );
    }
    assert_eq!(
        post(
            format!("{base}/api/notify/unknown-code-000000"),
            json!({"content": "x"})
        )
        .await,
        404
    );
    // A flood of refusals is summarised, not written a line each.
    for _ in 0..300 {
        assert_eq!(
            post(
                format!("{base}/api/notify/unknown-code-000000"),
                json!({"content": "x"})
            )
            .await,
            404
        );
    }
    assert_eq!(post(url.clone(), json!({"content": ""})).await, 400);

    // The 21st waits for the window; SIGTERM arrives while it waits.
    let queued = tokio::spawn(post(url.clone(), json!({"content": "queued"})));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !queued.is_finished(),
        "the 21st is still waiting at SIGTERM"
    );
    assert_eq!(env.messages().len(), 20, "the 21st is not sent yet");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    assert_eq!(queued.await.expect("task"), 200, "answered before stopping");
    let (status, rest) = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let status = child.wait_with_output().expect("wait");
            let mut rest = String::new();
            stdout.read_to_string(&mut rest).expect("stdout");
            (status, rest)
        }),
    )
    .await
    .expect("the relay stopped within 30 s of SIGTERM")
    .expect("join");
    assert_eq!(status.status.code(), Some(0));
    let logs = String::from_utf8_lossy(&status.stderr);
    assert!(logs.contains("robot=ops"), "{logs}");
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains("unknown code"), "{logs}");
    let refused_lines = logs.lines().filter(|l| l.contains("unknown code")).count();
    assert!(
        (1..=10).contains(&refused_lines),
        "301 refusals of one kind in about a second make a few lines, not one each: {refused_lines}\n{logs}"
    );
    for secret in [code.as_str(), KEY] {
        assert!(!logs.contains(secret), "a secret in the logs:\n{logs}");
        assert!(!rest.contains(secret), "a secret on stdout:\n{rest}");
    }
    assert_eq!(env.messages().len(), 21);
    env.assert_paced(&refusals, 1500);
    assert_eq!(
        env.messages()[0],
        json!({"msgtype": "markdown", "markdown": {"content": "**CPU告警**\nn 0"}})
    );
}
