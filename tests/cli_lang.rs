//! The command line speaks the chosen language: `wecom --lang zh-CN send`
//! refused by the sandbox on 127.0.0.1 explains the errcode in Chinese and
//! quotes the server's errmsg as it came; `--lang en` beats a Chinese
//! locale, and `LANG=zh_CN.UTF-8` alone chooses Chinese.

mod cli_support;

use cli_support::{Env, KEY, KEY2, WRONG_KEY};

/// What the sandbox answers an unknown key (API-FACTS.md: 93000).
const ERRMSG: &str = "invalid webhook url";

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_is_explained_in_the_chosen_language() {
    let env = Env::new().await;
    let url = env.url(WRONG_KEY);
    let send = ["send", "--webhook", url.as_str(), "--text", "x"];

    let mut args = vec!["--lang", "zh-CN"];
    args.extend(send);
    let zh = env.run(&args).await;
    zh.expect(3);
    assert!(
        zh.stderr
            .contains("企业微信拒收了消息（errcode 93000）：Webhook key 错误、为空或已失效"),
        "{zh:#?}"
    );
    assert!(
        zh.stderr.contains("服务器原话：invalid webhook url, hint:"),
        "{zh:#?}"
    );
    assert!(zh.stderr.contains(ERRMSG), "the errmsg unchanged: {zh:#?}");

    // --lang en beats the locale.
    let mut args = vec!["--lang", "en"];
    args.extend(send);
    let en = env.run_with(&args, None, &[("LANG", "zh_CN.UTF-8")]).await;
    en.expect(3);
    assert!(
        en.stderr
            .contains("WeCom refused the message (errcode 93000): The webhook key is wrong"),
        "{en:#?}"
    );
    assert!(!en.stderr.contains("企业微信拒收"), "{en:#?}");

    // With no flag and no config, the locale decides.
    let auto = env.run_with(&send, None, &[("LANG", "zh_CN.UTF-8")]).await;
    auto.expect(3);
    assert!(auto.stderr.contains("企业微信拒收了消息"), "{auto:#?}");
    let c = env.run_with(&send, None, &[("LANG", "C.UTF-8")]).await;
    assert!(c.stderr.contains("WeCom refused the message"), "{c:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_language_is_used_and_the_flag_overrides_it() {
    let env = Env::new().await;
    let url = env.url(WRONG_KEY);
    let config = env.config_path();
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(&config, "language = \"zh-CN\"\n").expect("write config");
    let send = ["send", "--webhook", url.as_str(), "--text", "x"];
    let configured = env.run(&send).await;
    configured.expect(3);
    assert!(
        configured.stderr.contains("企业微信拒收了消息"),
        "{configured:#?}"
    );
    let mut args = vec!["--lang", "en"];
    args.extend(send);
    let flag = env.run(&args).await;
    assert!(
        flag.stderr.contains("WeCom refused the message"),
        "{flag:#?}"
    );
}

/// `wecom --lang zh-CN ARGS…` (and the same in English).
async fn zh(env: &Env, args: &[&str]) -> cli_support::Run {
    let mut all = vec!["--lang", "zh-CN"];
    all.extend(args);
    env.run(&all).await
}

async fn en(env: &Env, args: &[&str]) -> cli_support::Run {
    let mut all = vec!["--lang", "en"];
    all.extend(args);
    env.run(&all).await
}

#[tokio::test(flavor = "multi_thread")]
async fn send_speaks_chinese_from_its_errors_to_its_results() {
    let env = Env::new().await;
    // Input errors, before anything is sent.
    let none = zh(&env, &["send", "--text", "x"]).await;
    none.expect(2);
    assert!(
        none.stderr
            .contains("wecom send: 没有指定机器人：请用 --robot NAME"),
        "{none:#?}"
    );
    let nothing = zh(&env, &["send", "--webhook", KEY]).await;
    nothing.expect(2);
    assert!(nothing.stderr.contains("没有可发送的内容"), "{nothing:#?}");
    let mention = zh(
        &env,
        &[
            "send",
            "--webhook",
            KEY,
            "--markdown-v2",
            "x",
            "--mention",
            "a",
        ],
    )
    .await;
    mention.expect(2);
    assert!(
        mention.stderr.contains("markdown_v2 不能提醒成员"),
        "{mention:#?}"
    );
    let file = zh(
        &env,
        &["send", "--webhook", KEY, "--text", "@/no/such/file"],
    )
    .await;
    file.expect(5);
    assert!(
        file.stderr.contains("无法读取 text 文件 /no/such/file"),
        "{file:#?}"
    );

    // The robot is saved, in Chinese.
    let saved = env
        .run_with(
            &["--lang", "zh-CN", "robots", "add", "ops", "-"],
            Some(&env.url(KEY)),
            &[],
        )
        .await;
    saved.expect(0);
    assert!(saved.stderr.contains("已保存机器人“ops”"), "{saved:#?}");
    let unknown = zh(&env, &["send", "-r", "nope", "--text", "x"]).await;
    unknown.expect(2);
    assert!(
        unknown
            .stderr
            .contains("没有这个名字的已保存机器人：请从机器人列表中选择，或先添加它。"),
        "{unknown:#?}"
    );
    assert!(
        unknown
            .stderr
            .contains("已保存的机器人和分组可用 `wecom robots list` 查看"),
        "{unknown:#?}"
    );

    // Sent: the result line in Chinese, the server's errmsg as it came.
    let sent = zh(&env, &["send", "-r", "ops", "--text", "你好"]).await;
    sent.expect(0);
    assert!(
        sent.stdout.starts_with("已发送 text 到 ops：ok，用时 "),
        "{sent:#?}"
    );
    let sent_en = en(&env, &["send", "-r", "ops", "--text", "hello"]).await;
    sent_en.expect(0);
    assert!(
        sent_en.stdout.starts_with("sent text to ops: ok in "),
        "{sent_en:#?}"
    );
    assert_eq!(env.messages().len(), 2);

    // Later: queued in Chinese, its label ("text") as stored.
    let later = zh(&env, &["send", "-r", "ops", "--text", "x", "--in", "2h"]).await;
    later.expect(0);
    assert!(later.stdout.contains("已把 text 排队"), "{later:#?}");
    assert!(
        later.stdout.contains("到时由本机的 `wecom outbox run`"),
        "{later:#?}"
    );
    let outbox = zh(&env, &["outbox"]).await;
    outbox.expect(0);
    assert!(
        outbox
            .stdout
            .contains("`wecom outbox flush` 发送排队中和重试中的消息。"),
        "{outbox:#?}"
    );
    let flush = zh(&env, &["outbox", "flush"]).await;
    assert!(
        flush.stderr.contains("定时发送的项等待发送时间（1 项）"),
        "{flush:#?}"
    );
    let cancel = zh(&env, &["outbox", "cancel", "--all"]).await;
    cancel.expect(0);
    assert!(cancel.stdout.starts_with("已取消 "), "{cancel:#?}");
    let empty = zh(&env, &["outbox"]).await;
    assert_eq!(empty.stdout.trim(), "发件箱是空的。", "{empty:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_is_the_same_in_both_languages() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    for args in [
        vec![
            "send",
            "-r",
            "ops",
            "--text",
            "x",
            "--dry-run",
            "--output",
            "json",
        ],
        vec!["send", "--text", "x", "--output", "json"],
        vec!["send", "-r", "nope", "--text", "x", "--output", "json"],
        vec!["send", "-r", "ops", "--output", "json"],
        vec!["robots", "list", "--output", "json"],
    ] {
        let (z, e) = (zh(&env, &args).await, en(&env, &args).await);
        assert_eq!(z.code, e.code, "{args:?}");
        assert_eq!(z.stdout, e.stdout, "{args:?}: the JSON differs");
        // Equal, and English: not both Chinese.
        assert!(
            !z.stdout
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{z:#?}"
        );
        assert!(z.stdout.trim_start().starts_with('{'), "{z:#?}");
    }
    let failed = zh(
        &env,
        &["send", "-r", "nope", "--text", "x", "--output", "json"],
    )
    .await;
    assert!(
        failed.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("No saved robot has that name")),
        "{failed:#?}"
    );
    // A refusal's explanation in the document is English too.
    let url = env.url(WRONG_KEY);
    let args = [
        "send",
        "--webhook",
        url.as_str(),
        "--text",
        "x",
        "--output",
        "json",
    ];
    let (z, e) = (zh(&env, &args).await, en(&env, &args).await);
    z.expect(3);
    let strip = |run: &cli_support::Run| {
        let mut v = run.json();
        for r in v["results"].as_array_mut().expect("results") {
            // The sandbox numbers its answers' hints; all else is equal.
            let r = r.as_object_mut().expect("result");
            r.remove("history_id");
            r.remove("errmsg");
        }
        v
    };
    assert_eq!(strip(&z), strip(&e));
    assert!(!z.stdout.contains("企业微信"), "{z:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_subcommand_family_speaks_chinese() {
    let env = Env::new().await;
    let robots = zh(&env, &["robots", "list"]).await;
    assert!(
        robots.stderr.contains("没有已保存的机器人。"),
        "{robots:#?}"
    );
    env.add_robot("运维", KEY).await;
    env.add_robot("qa", KEY2).await;
    let group = zh(&env, &["robots", "group", "add", "all", "运维", "qa"]).await;
    group.expect(0);
    assert!(
        group.stderr.contains("已建分组“all”：运维, qa"),
        "{group:#?}"
    );
    let list = zh(&env, &["robots", "list"]).await;
    list.expect(0);
    // Names line up by display width: 运维 takes four columns, like "qa  ".
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].starts_with("运维  http"), "{list:#?}");
    assert!(lines[1].starts_with("qa    http"), "{list:#?}");
    assert!(list.stdout.contains("分组："), "{list:#?}");
    let bad_group = zh(&env, &["robots", "group", "add", "x", "qa", "nope"]).await;
    bad_group.expect(2);
    assert!(
        bad_group
            .stderr
            .contains("位置 2 给出的名字不是已保存的机器人。已保存的机器人：运维, qa。"),
        "{bad_group:#?}"
    );
    let code = zh(&env, &["robots", "code", "qa"]).await;
    code.expect(0);
    assert!(code.stderr.contains("它只显示这一次"), "{code:#?}");
    let codes = zh(&env, &["robots", "show", "qa"]).await;
    assert!(codes.stdout.contains("转发码："), "{codes:#?}");

    let history = zh(&env, &["history"]).await;
    assert_eq!(
        history.stdout.trim(),
        "没有符合条件的历史记录。",
        "{history:#?}"
    );
    zh(&env, &["send", "-r", "运维", "--text", "第一条"])
        .await
        .expect(0);
    let listed = env.run(&["history", "--output", "json"]).await;
    let id = listed.json()[0]["id"].as_i64().expect("id").to_string();
    let show = zh(&env, &["history", "show", &id]).await;
    show.expect(0);
    assert!(show.stdout.contains("消息类型  text"), "{show:#?}");
    assert!(show.stdout.contains("机器人    运维"), "{show:#?}");
    assert!(
        show.stdout
            .contains(&format!("再次发送：wecom resend {id}")),
        "{show:#?}"
    );
    let missing = zh(&env, &["history", "show", "9999"]).await;
    missing.expect(2);
    assert!(missing.stderr.contains("没有历史记录 9999"), "{missing:#?}");
    let since = zh(&env, &["history", "--since", "yesterday"]).await;
    assert!(since.stderr.contains("请写多久以前"), "{since:#?}");
    let resend = zh(&env, &["resend", "9999"]).await;
    assert!(
        resend.stderr.contains("wecom resend: 没有历史记录 9999"),
        "{resend:#?}"
    );

    let schedules = zh(&env, &["schedule", "list"]).await;
    assert!(
        schedules.stdout.contains("没有定时任务。"),
        "{schedules:#?}"
    );
    let bad_cron = zh(
        &env,
        &[
            "schedule", "add", "s", "--cron", "nope", "-r", "qa", "--text", "x",
        ],
    )
    .await;
    bad_cron.expect(2);
    assert!(
        bad_cron.stderr.contains("不是 cron 表达式"),
        "{bad_cron:#?}"
    );

    let tokens = zh(&env, &["tokens", "list"]).await;
    assert!(tokens.stdout.contains("访问令牌：无"), "{tokens:#?}");

    let message = env.write("m.json", r#"{"msgtype":"text","text":{"content":"hi"}}"#);
    let valid = zh(&env, &["validate", message.to_str().expect("path")]).await;
    valid.expect(0);
    assert!(
        valid.stdout.contains("通过：一条有效的 text 消息"),
        "{valid:#?}"
    );
    let valid_en = en(&env, &["validate", message.to_str().expect("path")]).await;
    assert!(
        valid_en.stdout.contains("ok: a valid text message"),
        "{valid_en:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_is_named_by_its_line_in_chinese() {
    let env = Env::new().await;
    let config = env.config_path();
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(&config, "language = \"zh-CN\"\n[[robots]\nname = 1\n").expect("write");
    let run = zh(&env, &["robots", "list"]).await;
    run.expect(5);
    assert!(run.stderr.contains("无法读取配置文件"), "{run:#?}");
    assert!(run.stderr.contains("（第 2 行）"), "{run:#?}");
    assert!(run.stderr.contains("文件没有被修改"), "{run:#?}");
}
