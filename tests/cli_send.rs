//! `wecom send` as a separate process against the sandbox on 127.0.0.1: every
//! form of content (argument, @file, stdin, the WECOM_WEBHOOK variable),
//! titles and mentions, each attachment, a batch of 25 that waits for a
//! shortened rate-limit window, split markdown, `--dry-run` against the
//! documented JSON, and every exit code. What the sandbox received is
//! compared with what the API documents say the request must be.

mod cli_support;

use std::io::Cursor;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cli_support::{Env, KEY, WRONG_KEY, asset, closed_port, fixture};
use serde_json::{Value, json};
use wecom_composer::sandbox::SandboxConfig;
use wecom_composer::wecom::client::{Client, ClientConfig};
use wecom_composer::wecom::media::md5_hex;
use wecom_composer::wecom::{Key, Message, Webhook, split, validate};

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

fn markdown(content: &str) -> Value {
    json!({"msgtype": "markdown", "markdown": {"content": content}})
}

#[tokio::test(flavor = "multi_thread")]
async fn content_from_an_argument_a_file_and_stdin() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;

    let run = env
        .run(&["send", "--robot", "ops", "--text", "deploy done"])
        .await;
    run.expect(0);
    assert!(run.stdout.starts_with("sent text to ops: ok"), "{run:#?}");

    // A file keeps its inner line breaks; the final one is dropped.
    let file = env.write("notes.md", "# 周报\n\n- 完成 **3** 项\n");
    env.run(&[
        "send",
        "-r",
        "ops",
        "--markdown",
        &format!("@{}", file.display()),
    ])
    .await
    .expect(0);

    env.run_with(
        &["send", "-r", "OPS", "--markdown-v2", "-"],
        Some("| a | b |\n|---|---|\n| 1 | 2 |\n"),
        &[],
    )
    .await
    .expect(0);

    // "@@" is a literal "@"; text starting with "-" is text.
    env.run(&["send", "-r", "ops", "--text", "@@all lunch"])
        .await
        .expect(0);
    env.run(&["send", "-r", "ops", "--text", "-5 °C tonight"])
        .await
        .expect(0);

    assert_eq!(
        env.messages(),
        vec![
            text("deploy done"),
            markdown("# 周报\n\n- 完成 **3** 项"),
            json!({"msgtype": "markdown_v2", "markdown_v2": {"content": "| a | b |\n|---|---|\n| 1 | 2 |"}}),
            text("@all lunch"),
            text("-5 °C tonight"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_robot_from_webhook_or_environment() {
    let env = Env::new().await;
    let url = env.url(KEY);
    env.run_with(
        &["send", "--text", "from env"],
        None,
        &[("WECOM_WEBHOOK", &url)],
    )
    .await
    .expect(0);
    env.run(&["send", "--webhook", &url, "--text", "from flag"])
        .await
        .expect(0);
    // --robot wins over the variable, and an unknown robot is a usage error.
    let run = env
        .run_with(
            &["send", "-r", "nobody", "--text", "x"],
            None,
            &[("WECOM_WEBHOOK", &url)],
        )
        .await;
    run.expect(2);
    assert!(run.stderr.contains("wecom robots list"), "{run:#?}");
    assert_eq!(env.messages(), vec![text("from env"), text("from flag")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn titles_and_mentions_follow_each_message_type() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    env.run(&[
        "send",
        "-r",
        "ops",
        "--markdown",
        "CPU 95%",
        "--title",
        "服务器告警",
        "--mention",
        "alice",
        "--mention",
        "bob",
    ])
    .await
    .expect(0);
    env.run(&[
        "send",
        "-r",
        "ops",
        "--text",
        "CPU 95%",
        "--title",
        "告警",
        "--mention",
        "@all",
        "--mention-mobile",
        "13800001111",
    ])
    .await
    .expect(0);
    assert_eq!(
        env.messages(),
        vec![
            // Seed 000: the title is a bold first line. WeCom ignores
            // mentioned_list for markdown, so mentions are <@userid> tags.
            markdown("**服务器告警**\nCPU 95%\n<@alice> <@bob>"),
            json!({"msgtype": "text", "text": {
                "content": "告警\nCPU 95%",
                "mentioned_list": ["@all"],
                "mentioned_mobile_list": ["13800001111"],
            }}),
        ]
    );
    // markdown_v2 cannot mention; markdown cannot mention by phone.
    for args in [
        &["--markdown-v2", "x", "--mention", "alice"][..],
        &["--markdown", "x", "--mention-mobile", "13800001111"][..],
    ] {
        let mut all = vec!["send", "-r", "ops"];
        all.extend_from_slice(args);
        env.run(&all).await.expect(2);
    }
    assert_eq!(env.messages().len(), 2);
}

fn webp_picture() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(40, 30, |x, y| {
        image::Rgba([(x * 6) as u8, (y * 8) as u8, 128, 255])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut out, image::ImageFormat::WebP)
        .expect("webp");
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn images_are_sent_with_base64_and_md5_and_converted_on_request() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let png = std::fs::read(asset("sample.png")).expect("sample.png");
    env.run(&[
        "send",
        "-r",
        "ops",
        "--image",
        asset("sample.png").to_str().expect("path"),
    ])
    .await
    .expect(0);
    let webp = env.write("chart.webp", webp_picture());
    let webp_arg = webp.to_str().expect("path");
    let refused = env.run(&["send", "-r", "ops", "--image", webp_arg]).await;
    refused.expect(2);
    assert!(refused.stderr.contains("WebP"), "{refused:#?}");
    assert!(refused.stderr.contains("--convert"), "{refused:#?}");
    let converted = env
        .run(&["send", "-r", "ops", "--image", webp_arg, "--convert"])
        .await;
    converted.expect(0);
    assert!(
        converted
            .stderr
            .contains("converted WebP 40×30 to PNG 40×30"),
        "{converted:#?}"
    );

    let messages = env.messages();
    assert_eq!(messages.len(), 2);
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        messages[0],
        json!({"msgtype": "image", "image": {"base64": b64.encode(&png), "md5": md5_hex(&png)}})
    );
    let sent = b64
        .decode(messages[1]["image"]["base64"].as_str().expect("base64"))
        .expect("decode");
    assert!(sent.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(messages[1]["image"]["md5"], json!(md5_hex(&sent)));
}

#[tokio::test(flavor = "multi_thread")]
async fn files_and_voice_are_uploaded_then_sent_and_uploads_reused() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let file = asset("sample.txt");
    let voice = asset("sample.amr");
    let args = [
        "send",
        "-r",
        "ops",
        "--file",
        file.to_str().expect("path"),
        "--voice",
        voice.to_str().expect("path"),
        "--output",
        "json",
    ];
    let first = env.run(&args).await;
    first.expect(0);
    assert_eq!(env.uploads(), 2);
    let second = env.run(&args).await;
    second.expect(0);
    assert_eq!(env.uploads(), 2, "the media cache is reused");
    let results = second.json()["results"].clone();
    assert_eq!(results[0]["media_reused"], json!(true));
    assert_eq!(results[1]["media_reused"], json!(true));

    let messages = env.messages();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0]["msgtype"], "file");
    assert_eq!(messages[1]["msgtype"], "voice");
    assert_eq!(messages[0], messages[2]);
    assert_eq!(messages[1], messages[3]);
    // The cache holds no key.
    let db = std::fs::read(env.data_dir().join("wecom.db")).expect("database");
    assert!(!String::from_utf8_lossy(&db).contains(KEY));

    // A sandbox that restarted has forgotten the media_id (40007): the file
    // is uploaded again and sent.
    let restarted = cli_support::sandbox(SandboxConfig::default()).await;
    let moved = Env {
        dir: env.dir,
        sandbox: restarted,
    };
    let mut config = std::fs::read_to_string(moved.config_path()).expect("config");
    config = config.replace(
        &env.sandbox.addr().port().to_string(),
        &moved.sandbox.addr().port().to_string(),
    );
    std::fs::write(moved.config_path(), config).expect("config");
    let again = moved
        .run(&["send", "-r", "ops", "--file", file.to_str().expect("path")])
        .await;
    again.expect(0);
    assert_eq!(moved.uploads(), 1);
    assert_eq!(moved.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_of_25_waits_for_the_rate_limit_and_reports_each() {
    let window = Duration::from_millis(1500);
    let env = Env::with(SandboxConfig {
        rate_window: window,
        ..SandboxConfig::default()
    })
    .await;
    env.add_robot("ops", KEY).await;
    // Seed 002: a list of message objects sent in order.
    let batch: Vec<Value> = (1..=25)
        .map(|i| {
            if i % 2 == 0 {
                markdown(&format!("## 这是要发送的markdown {i}"))
            } else {
                text(&format!("这是要发送的消息 {i}"))
            }
        })
        .collect();
    let path = env.write("batch.json", serde_json::to_string(&batch).expect("json"));
    let refusals = env.watch_refusals();
    let started = Instant::now();
    let run = env
        .run_with(
            &[
                "send",
                "-r",
                "ops",
                "--json",
                path.to_str().expect("path"),
                "--output",
                "json",
            ],
            None,
            &[("WECOM_RATE_WINDOW_MS", "1500")],
        )
        .await;
    run.expect(0);
    assert!(started.elapsed() >= window, "{:?}", started.elapsed());
    let report = run.json();
    assert_eq!(report["ok"], json!(true));
    let results = report["results"].as_array().expect("results");
    assert_eq!(results.len(), 25);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], json!(i + 1));
        assert_eq!(r["status"], "sent", "{r}");
        assert_eq!(r["errcode"], json!(0));
    }
    let waited: u64 = results
        .iter()
        .map(|r| r["waited_ms"].as_u64().expect("ms"))
        .sum();
    assert!(waited >= 1000, "the 21st message waited: {waited} ms");
    assert_eq!(env.messages(), batch, "all 25, in order");
    env.assert_paced(&refusals, 1500);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_45009_from_another_sender_is_waited_out_unless_no_wait() {
    let env = Env::with(SandboxConfig {
        rate_window: Duration::from_millis(4000),
        ..SandboxConfig::default()
    })
    .await;
    env.add_robot("ops", KEY).await;
    // Another program fills the robot's window.
    let client = Client::new(ClientConfig::default()).expect("client");
    let webhook = Webhook::new(&env.sandbox.base_url(), Key::new(KEY).expect("key"));
    for i in 0..20 {
        client
            .send(&webhook, &Message::text(format!("other {i}")))
            .await
            .expect("other sender");
    }
    let window = [("WECOM_RATE_WINDOW_MS", "4000")];
    let refused = env
        .run_with(
            &["send", "-r", "ops", "--text", "mine", "--no-wait"],
            None,
            &window,
        )
        .await;
    refused.expect(3);
    assert!(refused.stderr.contains("errcode 45009"), "{refused:#?}");
    // Waited out: the ledger keeps every process off the robot until the
    // other sender's window has passed, then the message goes.
    let waited = env
        .run_with(&["send", "-r", "ops", "--text", "mine"], None, &window)
        .await;
    waited.expect(0);
    assert_eq!(env.messages().last(), Some(&text("mine")));
    assert_eq!(env.messages().len(), 21);
}

/// A report with paragraphs, a long line, Chinese text and code blocks,
/// about 11 KB.
fn long_report() -> String {
    let mut doc = String::from("# 周报\n\n");
    for i in 0..50 {
        doc.push_str(&format!(
            "## 第 {i} 节\n本周完成了 **{i}** 项任务,详情见 [链接](https://example.com/{i})。\n\n"
        ));
        if i % 10 == 3 {
            doc.push_str("```\n");
            for j in 0..20 {
                doc.push_str(&format!("log line {j}: 服务器 web-{j:02} 正常\n"));
            }
            doc.push_str("```\n\n");
        }
    }
    doc.push_str(&"很长的一行".repeat(300));
    doc
}

#[tokio::test(flavor = "multi_thread")]
async fn split_markdown_parts_each_pass_and_rejoin_to_the_original() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let report = long_report();
    assert!(report.len() > 3 * 4096, "{}", report.len());
    let path = env.write("report.md", &report);
    let arg = format!("@{}", path.display());

    let refused = env.run(&["send", "-r", "ops", "--markdown", &arg]).await;
    refused.expect(2);
    let bytes = wecom_composer::wecom::validate::group_digits(report.len());
    assert!(
        refused.stderr.contains(&bytes),
        "the byte count: {refused:#?}"
    );
    assert!(refused.stderr.contains("--split"), "{refused:#?}");
    assert!(env.messages().is_empty());

    let sent = env
        .run(&["send", "-r", "ops", "--markdown", &arg, "--split"])
        .await;
    sent.expect(0);
    // Each part is named once by its position, not "part 1/4 (1/4)".
    assert!(sent.stdout.contains("markdown part 1/"), "{sent:#?}");
    assert!(!sent.stdout.contains(") (1/"), "{sent:#?}");
    let first = sent.stdout.lines().next().unwrap_or_default();
    assert_eq!(first.matches("1/").count(), 1, "{first}");
    let parts: Vec<String> = env
        .messages()
        .iter()
        .map(|m| {
            assert_eq!(m["msgtype"], "markdown");
            m["markdown"]["content"]
                .as_str()
                .expect("content")
                .to_owned()
        })
        .collect();
    assert!(parts.len() >= 4, "{}", parts.len());
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        assert!(part.len() <= 4096, "part {} is {} bytes", i + 1, part.len());
        assert!(part.ends_with(&format!("\n({}/{n})", i + 1)), "{part}");
        let problems = validate(&Message::markdown(part.clone()));
        assert!(problems.is_empty(), "part {}: {problems:?}", i + 1);
        // Code blocks that fit are never cut: an even number of fences.
        assert_eq!(part.matches("```").count() % 2, 0, "{part}");
    }
    assert_eq!(split::rejoin(&parts).expect("rejoin"), report);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_documented_json_and_sends_nothing() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    // Seed 001's text example, built from flags.
    let run = env
        .run(&[
            "send",
            "-r",
            "ops",
            "--dry-run",
            "--text",
            "广州今日天气:29度,大部分多云,降雨概率:60%",
            "--mention",
            "wangqing",
            "--mention",
            "@all",
            "--mention-mobile",
            "13800001111",
            "--mention-mobile",
            "@all",
        ])
        .await;
    run.expect(0);
    let documented: Value = serde_json::from_str(&fixture("001_02_text.json")).expect("fixture");
    assert_eq!(run.stdout.lines().count(), 1);
    let printed: Value = serde_json::from_str(run.stdout.trim()).expect("json");
    assert_eq!(printed, documented);
    // Byte for byte what the client posts.
    let message = Message::from_value(documented).expect("message");
    assert_eq!(run.stdout.trim_end(), message.to_json());

    // Seed 001's markdown and markdown_v2 examples through --json, and a
    // file whose media_id is only known at send time.
    for name in ["001_03_markdown.json", "001_04_markdown_v2.json"] {
        let path = env.write(name, fixture(name));
        let run = env
            .run(&["send", "--dry-run", "--json", path.to_str().expect("path")])
            .await;
        run.expect(0);
        let printed: Value = serde_json::from_str(run.stdout.trim()).expect("json");
        assert_eq!(
            printed,
            serde_json::from_str::<Value>(&fixture(name)).expect("fixture")
        );
    }
    let file = env
        .run(&[
            "send",
            "--dry-run",
            "--file",
            asset("sample.txt").to_str().expect("path"),
        ])
        .await;
    file.expect(0);
    assert_eq!(
        file.stdout.trim(),
        r#"{"msgtype":"file","file":{"media_id":"<uploaded at send time: sample.txt>"}}"#
    );
    // An invalid message fails the dry run too.
    env.run(&["send", "--dry-run", "--text", ""])
        .await
        .expect(2);
    assert!(env.messages().is_empty());
    assert_eq!(env.uploads(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_exit_code() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let missing = env.dir.path().join("missing.md");
    let missing = format!("@{}", missing.display());
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (vec!["--text".into(), "ok".into()], 0, "sent text"),
        (vec![], 2, "nothing to send"),
        (
            vec!["--text".into(), "a".into(), "--markdown".into(), "b".into()],
            2,
            "cannot be used with",
        ),
        (vec!["--text".into(), String::new()], 2, "text.content"),
        (vec!["--text".into(), "x".repeat(2049)], 2, "2,049"),
        (vec!["--markdown".into(), missing], 5, "cannot read"),
    ];
    for (args, code, says) in cases {
        let mut all = vec!["send".to_owned(), "-r".into(), "ops".into()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let run = env.run(&refs).await;
        run.expect(code);
        let shown = format!("{}{}", run.stdout, run.stderr);
        assert!(shown.contains(says), "{says:?} in {run:#?}");
    }

    // 3: WeCom refused (93000), explained, as text and as JSON.
    let refused = env
        .run(&[
            "send",
            "--webhook",
            &env.url(WRONG_KEY),
            "--text",
            "x",
            "--output",
            "json",
        ])
        .await;
    refused.expect(3);
    let result = &refused.json()["results"][0];
    assert_eq!(result["status"], "refused");
    assert_eq!(result["errcode"], json!(93000));
    assert!(
        result["explanation"]
            .as_str()
            .expect("explanation")
            .contains("webhook key is wrong"),
        "{result}"
    );

    // 4: nothing listening.
    let url = format!(
        "http://127.0.0.1:{}/cgi-bin/webhook/send?key={KEY}",
        closed_port()
    );
    let network = env
        .run(&["send", "--webhook", &url, "--text", "x", "--no-wait"])
        .await;
    network.expect(4);
    assert!(network.stderr.contains("Cannot connect"), "{network:#?}");

    // 5: a config that cannot be read is reported, never overwritten.
    std::fs::write(env.config_path(), "robots = [ broken").expect("write");
    let broken = env.run(&["send", "-r", "ops", "--text", "x"]).await;
    broken.expect(5);
    assert_eq!(
        std::fs::read_to_string(env.config_path()).expect("read"),
        "robots = [ broken"
    );

    // The table is in --help.
    let help = env.run(&["send", "--help"]).await;
    help.expect(0);
    for line in [
        "0  sent",
        "2  usage or validation",
        "3  WeCom refused",
        "4  network",
        "5  a local file",
    ] {
        assert!(help.stdout.contains(line), "{line}: {}", help.stdout);
    }
    assert_eq!(env.messages(), vec![text("ok")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn split_text_fits_2048_bytes_and_mentions_only_the_last_part() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    // Text's limit is 2048 bytes (API-FACTS), markdown's 4096: 6,250 bytes
    // of text must make at least 3 parts.
    let text: String = (0..250)
        .map(|i| format!("第 {i:03} 行:磁盘正常\n"))
        .collect();
    assert!(text.len() > 2 * 2048, "{}", text.len());
    let path = env.write("disk.txt", &text);
    let arg = format!("@{}", path.display());
    env.run(&[
        "send",
        "-r",
        "ops",
        "--text",
        &arg,
        "--split",
        "--mention",
        "alice",
        "--mention-mobile",
        "13800001111",
    ])
    .await
    .expect(0);
    let messages = env.messages();
    assert!(messages.len() >= 3, "{messages:?}");
    let n = messages.len();
    let mut parts = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m["msgtype"], "text");
        let content = m["text"]["content"].as_str().expect("content");
        assert!(
            content.len() <= 2048,
            "part {} is {} bytes",
            i + 1,
            content.len()
        );
        let last = i + 1 == n;
        assert_eq!(
            m["text"].get("mentioned_list").is_some(),
            last,
            "mentions on the last part only: {m}"
        );
        assert_eq!(
            m["text"].get("mentioned_mobile_list").is_some(),
            last,
            "{m}"
        );
        parts.push(content.to_owned());
    }
    assert_eq!(messages[n - 1]["text"]["mentioned_list"], json!(["alice"]));
    assert_eq!(
        messages[n - 1]["text"]["mentioned_mobile_list"],
        json!(["13800001111"])
    );
    assert_eq!(
        split::rejoin(&parts).expect("rejoin"),
        text.trim_end_matches('\n')
    );
}
