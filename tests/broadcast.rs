//! Broadcasts from the command line: `wecom send -r a -r b` and `-g GROUP`
//! against the sandbox on 127.0.0.1 with two accepted keys (and one it
//! refuses). What each robot received is read from the sandbox's records,
//! which name the robot by its masked key.

mod cli_support;

use cli_support::{Env, KEY, KEY2, WRONG_KEY};
use serde_json::{Value, json};

const HINT: &str = "****7c1d";
const HINT2: &str = "****4b8e";

async fn two_robots() -> Env {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.add_robot("qa", KEY2).await;
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_with_a_refusing_robot_gives_one_object_per_robot_and_the_refusal_exit_code() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.add_robot("revoked", WRONG_KEY).await;
    env.run(&["robots", "group", "add", "all", "ops", "revoked"])
        .await
        .expect(0);
    let run = env
        .run(&[
            "send",
            "-g",
            "all",
            "--text",
            "deploy done",
            "--output",
            "json",
        ])
        .await;
    // 3: WeCom refused a message (exit::REFUSED), the worst of sent and refused.
    run.expect(3);
    let doc = run.json();
    assert_eq!(doc["ok"], json!(false));
    assert_eq!(doc["exit_code"], json!(3));
    assert_eq!(doc["robots"], json!(["ops", "revoked"]));
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{doc:#}");
    assert_eq!(results[0]["robot"], json!("ops"));
    assert_eq!(results[0]["status"], json!("sent"));
    assert_eq!(results[1]["robot"], json!("revoked"));
    assert_eq!(results[1]["status"], json!("refused"));
    // 93000: the sandbox does not know the key (API-FACTS: invalid webhook url).
    assert_eq!(results[1]["errcode"], json!(93000));
    assert_eq!(
        env.messages_by_key(),
        vec![(
            HINT.to_owned(),
            json!({"msgtype": "text", "text": {"content": "deploy done"}})
        )]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn markdown_to_two_robots_arrives_once_each_and_is_one_broadcast_in_the_history() {
    let env = two_robots().await;
    let run = env
        .run(&[
            "send",
            "-r",
            "ops",
            "-r",
            "qa",
            "-r",
            "OPS",
            "--markdown",
            "# 发布完成",
        ])
        .await;
    run.expect(0);
    assert!(run.stdout.contains("sent markdown to ops: ok"), "{run:#?}");
    assert!(run.stdout.contains("sent markdown to qa: ok"), "{run:#?}");
    assert!(
        run.stdout.contains("to 2 robots: 2 of 2 delivered"),
        "{run:#?}"
    );
    let mut got = env.messages_by_key();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let md = json!({"msgtype": "markdown", "markdown": {"content": "# 发布完成"}});
    // ops named twice: still once.
    assert_eq!(
        got,
        vec![(HINT2.to_owned(), md.clone()), (HINT.to_owned(), md)]
    );

    let history = env.run(&["history", "--output", "json"]).await;
    history.expect(0);
    let entries = history.json();
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let batch = entries[0]["batch"].clone();
    assert!(batch.is_string());
    assert_eq!(entries[1]["batch"], batch);
    assert_eq!(entries[0]["broadcast"], batch);
    let mut robots: Vec<&str> = entries.iter().filter_map(|e| e["robot"].as_str()).collect();
    robots.sort_unstable();
    assert_eq!(robots, ["ops", "qa"]);

    // The text listing shows one broadcast with its two outcomes under it.
    let text = env.run(&["history"]).await;
    text.expect(0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{text:#?}");
    assert!(lines[0].contains("broadcast to 2 robots"), "{text:#?}");
    assert!(lines[0].contains("2 sent"), "{text:#?}");
    assert!(lines[0].contains("# 发布完成"), "{text:#?}");
    assert!(
        lines[1].starts_with("  ") && lines[2].starts_with("  "),
        "{text:#?}"
    );
    let outcome_robots: Vec<bool> = ["ops", "qa"]
        .iter()
        .map(|r| {
            lines[1..]
                .iter()
                .any(|l| l.contains(r) && l.contains("sent"))
        })
        .collect();
    assert_eq!(outcome_robots, [true, true], "{text:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_robot_waiting_for_its_window_does_not_hold_up_the_other() {
    let env = two_robots().await;
    // One message per 3 s per robot; ops has just used its slot.
    let rate = [("WECOM_RATE_LIMIT", "1"), ("WECOM_RATE_WINDOW_MS", "3000")];
    env.run_with(&["send", "-r", "ops", "--text", "warm-up"], None, &rate)
        .await
        .expect(0);
    let run = env
        .run_with(
            &["send", "-r", "ops", "-r", "qa", "--text", "both"],
            None,
            &rate,
        )
        .await;
    run.expect(0);
    let order: Vec<(String, String)> = env
        .messages_by_key()
        .into_iter()
        .map(|(k, m)| (k, m["text"]["content"].as_str().unwrap_or("").to_owned()))
        .collect();
    // qa went at once while ops waited for its window: in turn (ops
    // first, as named), qa would come after ops.
    assert_eq!(
        order,
        [
            (HINT.to_owned(), "warm-up".to_owned()),
            (HINT2.to_owned(), "both".to_owned()),
            (HINT.to_owned(), "both".to_owned()),
        ],
        "{run:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_is_uploaded_once_per_robot_and_both_uploads_are_reused() {
    let env = two_robots().await;
    let file = env.write("report.txt", "weekly numbers, 2026-w48\n");
    let args = [
        "send",
        "-r",
        "ops",
        "-r",
        "qa",
        "--file",
        file.to_str().expect("path"),
        "--output",
        "json",
    ];
    let first = env.run(&args).await;
    first.expect(0);
    let uploads = env.uploads_by_key();
    let mut keys: Vec<&str> = uploads.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, [HINT2, HINT], "one upload per robot");
    // Each robot was sent the media_id it uploaded itself.
    let sent_ids = |env: &Env| -> Vec<(String, String)> {
        env.messages_by_key()
            .into_iter()
            .map(|(k, m)| (k, m["file"]["media_id"].as_str().unwrap_or("").to_owned()))
            .collect()
    };
    for (key, media_id) in sent_ids(&env) {
        assert!(
            uploads.contains(&(key.clone(), media_id.clone())),
            "{key} {media_id}"
        );
    }
    let reused = |run: &cli_support::Run| -> Vec<Value> {
        run.json()["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["media_reused"].clone())
            .collect()
    };
    assert_eq!(reused(&first), [json!(false), json!(false)]);

    let second = env.run(&args).await;
    second.expect(0);
    assert_eq!(env.uploads_by_key().len(), 2, "no new upload");
    assert_eq!(reused(&second), [json!(true), json!(true)]);
    let ids = sent_ids(&env);
    assert_eq!(ids.len(), 4);
    for (key, media_id) in &ids[2..] {
        assert!(
            ids[..2].contains(&(key.clone(), media_id.clone())),
            "{ids:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_robot_or_group_sends_nothing_and_names_the_choices() {
    let env = two_robots().await;
    let run = env
        .run(&["send", "-r", "ops", "-g", "nope", "--text", "x"])
        .await;
    run.expect(2);
    assert!(run.stderr.contains("No group has that name"), "{run:#?}");
    let run = env
        .run(&["send", "-r", "ops", "-r", "missing", "--text", "x"])
        .await;
    run.expect(2);
    assert!(run.stderr.contains("wecom robots list"), "{run:#?}");
    assert!(env.messages_by_key().is_empty());
}
