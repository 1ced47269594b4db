//! The command line speaks the chosen language: `wecom --lang zh-CN send`
//! refused by the sandbox on 127.0.0.1 explains the errcode in Chinese and
//! quotes the server's errmsg as it came; `--lang en` beats a Chinese
//! locale, and `LANG=zh_CN.UTF-8` alone chooses Chinese.

mod cli_support;

use cli_support::{Env, WRONG_KEY};

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
