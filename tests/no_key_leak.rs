//! Webhook keys are secrets. This test produces every kind of error the crate
//! can show — bad webhooks, bad configs, robot edits, parse and validation
//! problems, every client failure, every sandbox refusal — with one fake key
//! in play, and searches each `Display` and `Debug` for it. (The client's own
//! fault tests, the sandbox's record tests, the TUI screens and the end-to-end
//! run's log file are searched too, in their own files.)

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::store::config::{Config, ConfigStore};
use wecom_composer::wecom::client::{Client, ClientConfig};
use wecom_composer::wecom::media::MediaKind;
use wecom_composer::wecom::webhook::default_base;
use wecom_composer::wecom::{Key, Message, Webhook};

const KEY: &str = "fake-key-0000-leak-hunt-51e2";

#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn add(&mut self, what: &str, display: String, debug: String) {
        assert!(
            !display.contains(KEY),
            "{what}: Display shows the key: {display}"
        );
        assert!(!debug.contains(KEY), "{what}: Debug shows the key: {debug}");
        self.0.push(display);
    }
    fn err<E: std::fmt::Display + std::fmt::Debug>(&mut self, what: &str, e: E) {
        self.add(what, e.to_string(), format!("{e:?}"));
    }
}

#[test]
fn webhook_config_and_robot_errors_never_show_the_key() {
    let mut seen = Seen::default();
    let base = default_base();
    for input in [
        format!("{KEY}!"),
        format!("{KEY} {KEY}"),
        format!("ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),
        format!("https://qyapi.weixin.qq.com/cgi-bin/other?key={KEY}"),
        format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?kee={KEY}"),
        format!("{KEY}{KEY}{KEY}{KEY}{KEY}"),
        format!("http://[{KEY}]/cgi-bin/webhook/send?key=x"),
    ] {
        match Webhook::parse(&input, &base) {
            Ok(w) => seen.add("webhook", w.to_string(), format!("{w:?}")),
            Err(e) => seen.err("webhook error", e),
        }
    }
    let key = Key::new(KEY).expect("key");
    seen.add("key", key.to_string(), format!("{key:?}"));

    let mut config = Config::default();
    config.add_robot("ops", KEY).expect("add");
    seen.add("config", String::new(), format!("{config:?}"));
    for (name, hook) in [
        ("ops", KEY.to_owned()),
        ("", KEY.to_owned()),
        ("sandbox", KEY.to_owned()),
        ("x", format!("{KEY}#")),
    ] {
        if let Err(e) = config.clone().add_robot(name, &hook) {
            seen.err("add_robot", e);
        }
    }
    if let Err(e) = config.clone().add_robot(KEY, "not a webhook") {
        // A key pasted into the name field is not echoed either.
        seen.err("add_robot with the key as name", e);
    }
    if let Err(e) = config.clone().edit_robot("ops", &format!("{KEY}?")) {
        seen.err("edit_robot", e);
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    for broken in [
        format!("[[robots]]\nname = \"ops\"\nwebhook = \"{KEY}\n"),
        format!("[[robots]]\nname = \"ops\"\nwebhook = [\"{KEY}\"]\n"),
        format!("robots = \"{KEY}\"\n"),
    ] {
        std::fs::write(&path, broken).expect("write");
        match ConfigStore::new(&path).load() {
            Ok(c) => seen.add("loaded config", String::new(), format!("{c:?}")),
            Err(e) => seen.err("config parse error", e),
        }
    }
    assert!(seen.0.len() >= 14, "{} errors checked", seen.0.len());
}

/// A server that answers every request with its own request line (key and
/// all) in a non-JSON 200 body, or closes at once.
async fn echo_server(close: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = s.read(&mut buf).await.unwrap_or(0);
            if close {
                continue;
            }
            let line = String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            let body = format!("<html>proxy error for {line}</html>");
            let resp = format!(
                "HTTP/1.1 502 Bad Gateway\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
        }
    });
    addr
}

#[tokio::test]
async fn client_and_sandbox_errors_never_show_the_key() {
    let mut seen = Seen::default();
    let client = Client::new(ClientConfig {
        send_timeout: Duration::from_millis(500),
        ..ClientConfig::default()
    })
    .expect("client");
    let key = || Key::new(KEY).expect("key");
    let at = |addr: SocketAddr| {
        Webhook::new(
            &url::Url::parse(&format!("http://{addr}")).expect("url"),
            key(),
        )
    };

    // Nothing listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    // An echoing proxy and a server that hangs up.
    let echo = echo_server(false).await;
    let hangup = echo_server(true).await;
    // A sandbox that does not know the key, and one that does.
    let stranger = Sandbox::start(
        SandboxConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox");
    let friend = Sandbox::start(
        SandboxConfig {
            keys: vec![KEY.into()],
            rate_limit: 1,
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox");

    let hooks = [
        at(closed),
        at(echo),
        at(hangup),
        at(stranger.addr()),
        at(friend.addr()),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("report.txt");
    std::fs::write(&file, "0123456789").expect("write");
    for w in &hooks {
        for message in [
            Message::text("hi"),
            Message::text(""),
            Message::markdown("x".repeat(5000)),
        ] {
            if let Err(e) = client.send(w, &message).await {
                seen.err("send", e);
            }
        }
        for json in [
            "{not json",
            r#"{"msgtype":"TEXT"}"#,
            r#"{"msgtype":"file","file":{"media_id":"nope"}}"#,
        ] {
            if let Err(e) = client.send_raw(w, json.to_owned()).await {
                seen.err("send_raw", e);
            }
        }
        for kind in [MediaKind::File, MediaKind::Voice] {
            if let Err(e) = client
                .upload(w, &file, kind, |_| {}, CancellationToken::new())
                .await
            {
                seen.err("upload", e);
            }
        }
        let cancel = CancellationToken::new();
        cancel.cancel();
        if let Err(e) = client
            .upload(w, &file, MediaKind::File, |_| {}, cancel)
            .await
        {
            seen.err("cancelled upload", e);
        }
    }
    assert!(seen.0.len() >= 30, "{} errors checked", seen.0.len());
    // The key was really in play: the failures are the ones the servers
    // caused, named in words, not empty strings.
    let all = seen.0.join("\n");
    for expected in [
        "errcode 93000",
        "errcode 45009",
        "HTTP 502",
        "not connect",
        "closed",
    ] {
        assert!(
            all.contains(expected),
            "no {expected:?} among the errors:\n{all}"
        );
    }
    stranger.shutdown().await;
    friend.shutdown().await;
}
