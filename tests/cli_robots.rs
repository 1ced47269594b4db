//! `wecom robots` and `wecom completions`: the saved robots from the command
//! line, in the app's config file with the app's rules, keys never shown.

mod cli_support;

use cli_support::{Env, KEY};
use serde_json::json;
use wecom_composer::store::config::ConfigStore;

const OTHER: &str = "00000000-fake-0000-0000-clirobots9b8a";

#[tokio::test(flavor = "multi_thread")]
async fn add_list_show_rename_edit_remove() {
    let env = Env::new().await;
    // The key as an argument (visible in ps) and from standard input.
    env.run(&["robots", "add", "deploy", OTHER]).await.expect(0);
    env.run_with(
        &["robots", "add", "local", "-"],
        Some(&format!("{}\n", env.url(KEY))),
        &[],
    )
    .await
    .expect(0);

    let list = env.run(&["robots", "list"]).await;
    list.expect(0);
    assert_eq!(
        list.stdout,
        format!(
            "deploy  https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****9b8a\n\
             local   {}/cgi-bin/webhook/send?key=****7c1d\n",
            env.sandbox.base_url().as_str().trim_end_matches('/')
        )
    );
    assert!(!list.stdout.contains(OTHER));
    let json_list = env.run(&["robots", "list", "--output", "json"]).await;
    json_list.expect(0);
    assert_eq!(json_list.json()["robots"][0]["name"], json!("deploy"));
    assert_eq!(json_list.json()["robots"][0]["relay_codes"], json!(0));

    // The same rules as the app: names unique ignoring case, bad webhooks
    // refused without being echoed, the sandbox name reserved.
    let dup = env.run(&["robots", "add", "DEPLOY", OTHER]).await;
    dup.expect(2);
    assert!(dup.stderr.contains("already has that name"), "{dup:#?}");
    let bad = env.run(&["robots", "add", "x", "not a key at all"]).await;
    bad.expect(2);
    assert!(!bad.stderr.contains("not a key"), "{bad:#?}");
    env.run(&["robots", "add", "sandbox", OTHER])
        .await
        .expect(2);

    let show = env.run(&["robots", "show", "Deploy"]).await;
    show.expect(0);
    assert!(show.stdout.contains("name:    deploy"), "{show:#?}");
    assert!(show.stdout.contains("key=****9b8a"), "{show:#?}");
    assert!(!show.stdout.contains(OTHER));

    env.run(&["robots", "rename", "deploy", "releases"])
        .await
        .expect(0);
    env.run_with(&["robots", "edit", "releases", "-"], Some(KEY), &[])
        .await
        .expect(0);
    env.run(&["robots", "remove", "local"]).await.expect(0);
    env.run(&["robots", "remove", "local"]).await.expect(2);

    let config = ConfigStore::new(env.config_path()).load().expect("load");
    assert_eq!(config.robots.len(), 1);
    assert_eq!(config.robots[0].name, "releases");
    assert_eq!(config.robots[0].webhook, KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.config_path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn relay_codes_are_made_listed_and_revoked() {
    let env = Env::new().await;
    env.add_robot("ops", KEY).await;
    let first = env.run(&["robots", "code", "ops"]).await;
    first.expect(0);
    let code = first.stdout.trim();
    let second = env.run(&["robots", "code", "ops"]).await;
    assert_ne!(second.stdout.trim(), code);
    let config = ConfigStore::new(env.config_path()).load().expect("load");
    let id = config.relay_code(code).expect("saved").id.clone();
    let listed = env.run(&["robots", "code", "ops", "--list"]).await;
    listed.expect(0);
    assert!(listed.stdout.contains(&id), "{listed:#?}");
    assert!(!listed.stdout.contains(code));
    assert!(
        env.run(&["robots", "list"])
            .await
            .stdout
            .contains("(relay codes: 2)")
    );

    env.run(&["robots", "code", "ops", "--revoke", &id])
        .await
        .expect(0);
    env.run(&["robots", "code", "ops", "--revoke", &id])
        .await
        .expect(2);
    let config = ConfigStore::new(env.config_path()).load().expect("load");
    assert!(config.relay_code(code).is_none());
    assert_eq!(config.relay.codes.len(), 1);
    env.run(&["robots", "code", "ops", "--revoke-all"])
        .await
        .expect(0);
    let config = ConfigStore::new(env.config_path()).load().expect("load");
    assert!(config.relay.codes.is_empty());
    env.run(&["robots", "code", "nobody"]).await.expect(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_global_config_flag_and_an_unreadable_config() {
    let env = Env::new().await;
    let elsewhere = env.dir.path().join("elsewhere.toml");
    let path = elsewhere.to_str().expect("path");
    env.run(&["--config", path, "robots", "add", "a", OTHER])
        .await
        .expect(0);
    env.run(&["robots", "list", "--config", path])
        .await
        .expect(0);
    assert!(!env.config_path().exists());
    assert_eq!(
        ConfigStore::new(&elsewhere).load().expect("load").robots[0].name,
        "a"
    );
    std::fs::write(&elsewhere, "robots = oops").expect("write");
    let broken = env
        .run(&["--config", path, "robots", "add", "b", OTHER])
        .await;
    broken.expect(5);
    assert!(
        broken.stderr.contains("Cannot read the config"),
        "{broken:#?}"
    );
    assert_eq!(
        std::fs::read_to_string(&elsewhere).expect("read"),
        "robots = oops"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_for_bash_zsh_and_fish() {
    let env = Env::new().await;
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef wecom"),
        ("fish", "complete -c wecom"),
    ] {
        let run = env.run(&["completions", shell]).await;
        run.expect(0);
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        for word in ["send", "robots", "serve", "markdown-v2"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    env.run(&["completions", "tcsh"]).await.expect(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_add_list_remove_and_refuse_unknown_robots_with_the_saved_ones() {
    let env = Env::new().await;
    env.run(&["robots", "add", "ops", OTHER]).await.expect(0);
    env.add_robot("qa", KEY).await;

    let unknown = env
        .run(&["robots", "group", "add", "all", "ops", "typo-robot"])
        .await;
    unknown.expect(2);
    assert!(
        unknown.stderr.contains("The saved robots are: ops, qa."),
        "{unknown:#?}"
    );
    assert!(unknown.stderr.contains("position 2"), "{unknown:#?}");
    let none = env
        .run(&["robots", "group", "list", "--output", "json"])
        .await;
    none.expect(0);
    assert_eq!(
        none.json(),
        json!({"groups": []}),
        "nothing saved by the refusal"
    );

    env.run(&["robots", "group", "add", "all", "OPS", "qa"])
        .await
        .expect(0);
    let list = env
        .run(&["robots", "group", "list", "--output", "json"])
        .await;
    list.expect(0);
    assert_eq!(
        list.json(),
        json!({"groups": [{"name": "all", "robots": ["ops", "qa"]}]})
    );
    let robots = env.run(&["robots", "list"]).await;
    robots.expect(0);
    assert!(
        robots.stdout.ends_with("\ngroups:\n  all  ops, qa\n"),
        "{robots:#?}"
    );

    // A rename follows into the group; a removal leaves it.
    env.run(&["robots", "rename", "qa", "testers"])
        .await
        .expect(0);
    let store = ConfigStore::new(env.config_path());
    let config = store.load().expect("config");
    assert_eq!(
        config.group("all").expect("group").robots,
        ["ops", "testers"]
    );
    env.run(&["robots", "remove", "testers"]).await.expect(0);
    let config = store.load().expect("config");
    assert_eq!(config.group("all").expect("group").robots, ["ops"]);

    env.run(&["robots", "group", "remove", "all"])
        .await
        .expect(0);
    let gone = env.run(&["robots", "group", "remove", "all"]).await;
    gone.expect(2);
    assert!(gone.stderr.contains("No group has that name"), "{gone:#?}");
    assert!(store.load().expect("config").groups.is_empty());
}
