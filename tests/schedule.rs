//! Send later and schedules (issue 14), through the binary: `wecom send
//! --in/--at`, `wecom outbox run` (one or two workers), `wecom schedule`,
//! placeholders, missed runs and `wecom outbox edit`. Everything goes to the
//! sandbox on 127.0.0.1. Time windows are generous (a loaded 2-core
//! machine): the lateness is measured and printed, not held to ±0.5 s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use cli_support::{Env, KEY};
use serde_json::Value;

/// A `wecom outbox run` in the background, its output in files.
struct Worker {
    child: Child,
    out: std::path::PathBuf,
}

fn worker(env: &Env, n: usize, extra: &[(&str, &str)]) -> Worker {
    let out = env.dir.path().join(format!("worker-{n}.out"));
    let err = env.dir.path().join(format!("worker-{n}.err"));
    let mut cmd = env.command(&["outbox", "run"], extra);
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(err).unwrap());
    let child = cmd.spawn().expect("spawn wecom outbox run");
    // Started when it says so.
    wait_for(Duration::from_secs(20), || {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("Sending messages sent later")
    });
    Worker { child, out }
}

impl Worker {
    /// SIGTERM, then the exit code and the output.
    fn stop(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let out = std::fs::read_to_string(&self.out).unwrap_or_default();
                assert!(!out.contains(KEY), "the key leaked:\n{out}");
                return (status.code().unwrap_or(-1), out);
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap()
}

fn contents(env: &Env) -> Vec<String> {
    env.messages()
        .iter()
        .filter_map(|m| m["text"]["content"].as_str().map(str::to_owned))
        .collect()
}

async fn history(env: &Env) -> Vec<Value> {
    let run = env.run(&["history", "--output", "json"]).await;
    run.expect(0);
    run.json().as_array().cloned().unwrap_or_default()
}

/// The history once it has an entry (within 20 s).
async fn history_when_written(env: &Env) -> Vec<Value> {
    let mut entries = Vec::new();
    for _ in 0..100 {
        entries = history(env).await;
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_two_seconds_with_two_workers_arrives_once_about_two_seconds_later() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let a = worker(&env, 1, &[]);
    let b = worker(&env, 2, &[]);
    let queued_at = now_ms();
    let run = env
        .run(&["send", "-r", "ops", "--text", "later, once", "--in", "2s"])
        .await;
    run.expect(0);
    assert!(run.stdout.contains("queued text for ops at"), "{run:#?}");
    assert!(wait_for(Duration::from_secs(15), || !env
        .messages()
        .is_empty()));
    // Both workers had every chance to send it a second time.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(contents(&env), ["later, once"]);
    let arrived = env.message_times()[0];
    let after = arrived.saturating_sub(queued_at);
    eprintln!("--in 2s arrived {after} ms after it was queued");
    assert!(
        (1500..10_000).contains(&after),
        "arrived {after} ms after it was queued"
    );
    for w in [a, b] {
        let (code, out) = w.stop();
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("Stopped on request"), "{out}");
    }
    let entries = history(&env).await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0]["status"], "sent");
    let outbox = env.run(&["outbox", "--output", "json"]).await;
    assert_eq!(outbox.json(), Value::Array(Vec::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_every_two_seconds_sends_three_times_with_the_time_filled_in() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let w = worker(&env, 1, &[]);
    let started = Instant::now();
    env.run(&[
        "schedule",
        "add",
        "tick",
        "--cron",
        "*/2 * * * * *",
        "-r",
        "ops",
        "--text",
        "tick {{now:%H:%M:%S}}",
    ])
    .await
    .expect(0);
    assert!(wait_for(Duration::from_secs(20), || contents(&env).len() >= 3));
    eprintln!("3 runs took {:?}", started.elapsed());
    let (code, out) = w.stop();
    assert_eq!(code, 0, "{out}");
    let sent = contents(&env);
    let first_three = &sent[..3];
    for c in first_three {
        let time = c.strip_prefix("tick ").unwrap();
        assert!(
            chrono::NaiveTime::parse_from_str(time, "%H:%M:%S").is_ok(),
            "not filled in: {c}"
        );
    }
    let mut distinct = first_three.to_vec();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{sent:?}");
    let list = env.run(&["schedule", "list", "--output", "json"]).await;
    let doc = list.json();
    assert_eq!(doc[0]["name"], "tick");
    assert!(doc[0]["runs"].as_i64().unwrap() >= 3, "{doc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_started_after_the_due_time_sends_it_once_marked_late() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    // A worker that stops before the due time …
    let early = worker(&env, 1, &[]);
    env.run(&["send", "-r", "ops", "--text", "missed it", "--in", "3s"])
        .await
        .expect(0);
    let (code, _) = early.stop();
    assert_eq!(code, 0);
    std::thread::sleep(Duration::from_secs(6));
    assert!(env.messages().is_empty());
    // … and one started after it.
    let late = worker(&env, 2, &[]);
    assert!(wait_for(Duration::from_secs(15), || !env
        .messages()
        .is_empty()));
    std::thread::sleep(Duration::from_secs(2));
    let (_, out) = late.stop();
    assert_eq!(contents(&env), ["missed it"], "{out}");
    let entries = history(&env).await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0]["status"], "sent");
    let why = entries[0]["explanation"].as_str().unwrap_or_default();
    assert!(why.starts_with("late by "), "{entries:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_that_missed_runs_sends_only_the_latest() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.run(&[
        "schedule",
        "add",
        "burst",
        "--cron",
        "* * * * * *",
        "-r",
        "ops",
        "--text",
        "run {{now:%S}}",
    ])
    .await
    .expect(0);
    // About five runs pass with no worker.
    std::thread::sleep(Duration::from_secs(5));
    let w = worker(&env, 1, &[]);
    assert!(wait_for(Duration::from_secs(15), || !env
        .messages()
        .is_empty()));
    env.run(&["schedule", "pause", "burst"]).await.expect(0);
    std::thread::sleep(Duration::from_secs(3));
    let (_, out) = w.stop();
    assert!(out.contains("earlier missed runs skipped"), "{out}");
    // One for the missed runs, and at most the few that came due while the
    // worker ran before the pause: never the five missed ones.
    let n = env.messages().len();
    assert!((1..=4).contains(&n), "{n} messages\n{out}");
    let list = env.run(&["schedule", "list"]).await;
    assert!(list.stdout.contains("burst  paused"), "{list:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placeholder_that_fails_is_refused_with_its_reason_and_nothing_is_sent() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let w = worker(&env, 1, &[]);
    let run = env
        .run(&[
            "send",
            "-r",
            "ops",
            "--text",
            "report: {{file:/missing}}",
            "--in",
            "1s",
        ])
        .await;
    run.expect(0);
    assert!(
        run.stderr.contains("read when the message is sent"),
        "{run:#?}"
    );
    let entries = history_when_written(&env).await;
    let (_, out) = w.stop();
    assert_eq!(entries.len(), 1, "{out}");
    assert_eq!(entries[0]["status"], "refused");
    let error = entries[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("{{file:/missing}}") && error.contains("No such file"),
        "{error}"
    );
    assert!(env.messages().is_empty());
    assert_eq!(
        env.run(&["outbox", "--output", "json"]).await.json(),
        Value::Array(Vec::new())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_later_than_max_late_is_not_sent_and_the_history_says_why() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.run(&["send", "-r", "ops", "--text", "too late", "--in", "1s"])
        .await
        .expect(0);
    std::thread::sleep(Duration::from_secs(4));
    let w = worker(&env, 1, &[("WECOM_MAX_LATE", "2s")]);
    let entries = history_when_written(&env).await;
    let (_, out) = w.stop();
    assert_eq!(entries.len(), 1, "{out}");
    assert_eq!(entries[0]["status"], "failed");
    let error = entries[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("later than the 2 s") && error.contains("WECOM_MAX_LATE"),
        "{error}"
    );
    assert!(env.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_items_are_listed_with_their_time_kept_from_flush_and_cancelled() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let run = env
        .run(&[
            "send",
            "-r",
            "ops",
            "--markdown",
            "**later**",
            "--in",
            "1h",
            "--output",
            "json",
        ])
        .await;
    run.expect(0);
    let doc = run.json();
    let id = doc["queued"][0]["outbox_id"].as_i64().unwrap();
    let list = env.run(&["outbox"]).await;
    assert!(
        list.stdout.contains("(in 59 min") || list.stdout.contains("(in 1 h"),
        "{list:#?}"
    );
    let json = env.run(&["outbox", "--output", "json"]).await.json();
    assert!(json[0]["due"].as_str().is_some(), "{json}");
    // flush sends what waits now, not what is due in an hour.
    let flush = env.run(&["outbox", "flush"]).await;
    flush.expect(0);
    assert!(
        flush.stderr.contains("wait for their due time"),
        "{flush:#?}"
    );
    assert!(env.messages().is_empty());
    env.run(&["outbox", "cancel", &id.to_string()])
        .await
        .expect(0);
    assert_eq!(
        env.run(&["outbox", "--output", "json"]).await.json(),
        Value::Array(Vec::new())
    );
    let entries = history(&env).await;
    assert_eq!(entries[0]["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_time_already_past_today_means_tomorrow_and_says_so() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let past = chrono::Local::now() - chrono::Duration::minutes(1);
    let at = past.format("%H:%M").to_string();
    let run = env
        .run(&[
            "send", "-r", "ops", "--text", "tomorrow", "--at", &at, "--output", "json",
        ])
        .await;
    run.expect(0);
    assert!(
        run.stderr.contains("has passed today: it is sent tomorrow"),
        "{run:#?}"
    );
    let due = chrono::DateTime::parse_from_rfc3339(run.json()["due"].as_str().unwrap()).unwrap();
    let ahead = due.timestamp() - chrono::Local::now().timestamp();
    assert!((22 * 3600..=24 * 3600).contains(&ahead), "{ahead} s ahead");
    let bad = env
        .run(&[
            "send",
            "-r",
            "ops",
            "--text",
            "x",
            "--at",
            "2020-01-01T09:00",
        ])
        .await;
    bad.expect(2);
    assert!(bad.stderr.contains("already passed"), "{bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_shows_the_expansion_and_queues_nothing() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let run = env
        .run_with(
            &[
                "send",
                "-r",
                "ops",
                "--text",
                "v={{env:WECOM_TEST_VERSION}}",
                "--in",
                "5m",
                "--dry-run",
            ],
            None,
            &[("WECOM_TEST_VERSION", "1.2.3")],
        )
        .await;
    run.expect(0);
    assert!(run.stdout.contains(r#""content":"v=1.2.3""#), "{run:#?}");
    let unknown = env
        .run(&[
            "send",
            "-r",
            "ops",
            "--text",
            "{{weather:today}}",
            "--in",
            "5m",
        ])
        .await;
    unknown.expect(2);
    assert!(
        unknown.stderr.contains("unknown placeholder"),
        "{unknown:#?}"
    );
    assert_eq!(
        env.run(&["outbox", "--output", "json"]).await.json(),
        Value::Array(Vec::new())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_list_their_next_three_runs_and_pause_resume_remove() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.run(&[
        "schedule",
        "add",
        "standup",
        "--cron",
        "0 9 * * MON-FRI",
        "--tz",
        "Asia/Shanghai",
        "-r",
        "ops",
        "--markdown",
        "**Stand-up** {{now:%m-%d}}",
    ])
    .await
    .expect(0);
    let doc = env
        .run(&["schedule", "list", "--output", "json"])
        .await
        .json();
    let next: Vec<chrono::DateTime<chrono::FixedOffset>> = doc[0]["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(next.len(), 3, "{doc}");
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    for t in &next {
        let local = t.with_timezone(&shanghai);
        assert_eq!(local.format("%H:%M").to_string(), "09:00");
        use chrono::Datelike;
        assert!(local.weekday().number_from_monday() <= 5, "{local}");
    }
    assert!(next.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(doc[0]["robots"], serde_json::json!(["ops"]));
    let again = env
        .run(&[
            "schedule",
            "add",
            "standup",
            "--cron",
            "0 9 * * *",
            "-r",
            "ops",
            "--text",
            "x",
        ])
        .await;
    again.expect(2);
    assert!(again.stderr.contains("exists"), "{again:#?}");
    let bad = env
        .run(&[
            "schedule",
            "add",
            "b",
            "--cron",
            "every day",
            "-r",
            "ops",
            "--text",
            "x",
        ])
        .await;
    bad.expect(2);
    assert!(bad.stderr.contains("MON-FRI"), "{bad:#?}");
    env.run(&["schedule", "pause", "standup"]).await.expect(0);
    let doc = env
        .run(&["schedule", "list", "--output", "json"])
        .await
        .json();
    assert_eq!(doc[0]["paused"], true);
    env.run(&["schedule", "resume", "standup"]).await.expect(0);
    env.run(&["schedule", "remove", "standup"]).await.expect(0);
    env.run(&["schedule", "remove", "standup"]).await.expect(2);
    let text = env.run(&["schedule", "list"]).await;
    assert!(text.stdout.contains("No schedules"), "{text:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_rechecks_and_saves_and_refuses_an_item_being_sent() {
    use std::sync::Arc;
    use wecom_composer::store::Db;
    use wecom_composer::store::outbox::{DueAt, NewItem, Outbox};
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let run = env
        .run(&[
            "send", "-r", "ops", "--text", "hello", "--in", "1h", "--output", "json",
        ])
        .await;
    let id = run.json()["queued"][0]["outbox_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let edited = env
        .run_with(
            &["outbox", "edit", &id],
            None,
            &[("EDITOR", "sed -i s/hello/goodbye/")],
        )
        .await;
    edited.expect(0);
    let json = env.run(&["outbox", "--output", "json"]).await.json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    let db = Arc::new(Db::open(&env.data_dir().join("wecom.db")).unwrap());
    let outbox = Outbox::new(Arc::clone(&db));
    let item = outbox.get(id.parse().unwrap()).unwrap().unwrap();
    assert!(item.payload.contains("goodbye"), "{}", item.payload);
    // A change that breaks a rule is not saved.
    let broken = env
        .run_with(
            &["outbox", "edit", &id],
            None,
            &[("EDITOR", "sed -i s/goodbye//")],
        )
        .await;
    broken.expect(2);
    assert!(broken.stderr.contains("nothing saved"), "{broken:#?}");
    assert!(
        outbox
            .get(item.id)
            .unwrap()
            .unwrap()
            .payload
            .contains("goodbye")
    );
    // An item another process holds (due, leased) is refused.
    let now = chrono::Utc::now().timestamp_millis();
    let new = NewItem {
        payload: r#"{"msgtype":"text","text":{"content":"held"}}"#.to_owned(),
        ..item_to_new(&item)
    };
    let held = outbox
        .enqueue_due(
            "t",
            &[new],
            DueAt {
                due_ms: now - 1000,
                expand: false,
            },
            now,
        )
        .unwrap()[0];
    // Held by a live process (this one), as a worker holds what it sends.
    let owner = format!("{}:1", std::process::id());
    assert!(
        outbox
            .lease(held, &owner, now, now + 600_000)
            .unwrap()
            .is_some()
    );
    let refused = env
        .run_with(
            &["outbox", "edit", &held.to_string()],
            None,
            &[("EDITOR", "true")],
        )
        .await;
    refused.expect(2);
    assert!(refused.stderr.contains("cannot be edited"), "{refused:#?}");
}

fn item_to_new(
    item: &wecom_composer::store::outbox::OutboxItem,
) -> wecom_composer::store::outbox::NewItem {
    wecom_composer::store::outbox::NewItem {
        label: item.label.clone(),
        robot_name: item.robot_name.clone(),
        robot: item.robot.clone(),
        msgtype: item.msgtype.clone(),
        payload: item.payload.clone(),
        part: None,
        upload: None,
    }
}
