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
use wecom_composer::wecom::{Key, Message, Webhook, WebhookError};

const KEY: &str = "fake-key-0000-leak-hunt-51e2";

/// The first run of 8 characters of [`KEY`] found in `text`, compared
/// without regard to ASCII case (a URL's host is lower-cased).
fn key_run_in(text: &str) -> Option<String> {
    let text = text.to_ascii_lowercase();
    let key = KEY.to_ascii_lowercase();
    (0..=key.len() - 8)
        .map(|i| &key[i..i + 8])
        .find(|run| text.contains(run))
        .map(str::to_owned)
}

#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn add(&mut self, what: &str, display: String, debug: String) {
        for (how, shown) in [("Display", &display), ("Debug", &debug)] {
            if let Some(run) = key_run_in(shown) {
                panic!("{what}: {how} shows {run:?} of the key: {shown}");
            }
        }
        self.0.push(display);
    }
    fn err<E: std::fmt::Display + std::fmt::Debug>(&mut self, what: &str, e: E) {
        self.add(what, e.to_string(), format!("{e:?}"));
    }
    /// An outcome that must be an error: one that starts succeeding fails
    /// the test rather than being skipped.
    fn expect_err<T: std::fmt::Debug, E: std::fmt::Display + std::fmt::Debug>(
        &mut self,
        what: &str,
        result: Result<T, E>,
    ) {
        match result {
            Err(e) => self.err(what, e),
            Ok(v) => panic!("{what}: expected an error, got {v:?}"),
        }
    }
}

#[test]
fn webhook_config_and_robot_errors_never_show_the_key() {
    let mut seen = Seen::default();
    let base = default_base();
    for (input, expected) in [
        (format!("{KEY}!"), WebhookError::BadKeyCharacter('!')),
        (format!("{KEY} {KEY}"), WebhookError::BadKeyCharacter(' ')),
        (
            format!("ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),
            WebhookError::BadScheme,
        ),
        (
            format!("https://qyapi.weixin.qq.com/cgi-bin/other?key={KEY}"),
            WebhookError::NotAWebhookPath,
        ),
        (
            format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?kee={KEY}"),
            WebhookError::MissingKey,
        ),
        (
            format!("{KEY}{KEY}{KEY}{KEY}{KEY}"),
            WebhookError::KeyTooLong,
        ),
    ] {
        let err = Webhook::parse(&input, &base).expect_err(&input);
        assert_eq!(err, expected, "{input}");
        seen.err("webhook error", err);
    }
    match Webhook::parse(&format!("http://[{KEY}]/cgi-bin/webhook/send?key=x"), &base) {
        Err(e @ WebhookError::BadUrl(_)) => seen.err("webhook error", e),
        other => panic!("a key as an IPv6 host: expected BadUrl, got {other:?}"),
    }
    // Accepted webhooks that carry the key in their host or path as well.
    for input in [
        format!("https://{KEY}.example.com/cgi-bin/webhook/send?key={KEY}"),
        format!("http://127.0.0.1:9/{KEY}/cgi-bin/webhook/send?key={KEY}"),
    ] {
        let w = Webhook::parse(&input, &base).expect(&input);
        seen.add("webhook", w.to_string(), format!("{w:?}"));
        seen.add("webhook host", w.host(), w.display_url());
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
        seen.expect_err(
            &format!("add_robot {name:?}"),
            config.clone().add_robot(name, &hook),
        );
    }
    // A key pasted into the name field is not echoed either.
    seen.expect_err(
        "add_robot with the key as name",
        config.clone().add_robot(KEY, "not a webhook"),
    );
    seen.expect_err(
        "edit_robot",
        config.clone().edit_robot("ops", &format!("{KEY}?")),
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    for broken in [
        format!("[[robots]]\nname = \"ops\"\nwebhook = \"{KEY}\n"),
        format!("[[robots]]\nname = \"ops\"\nwebhook = [\"{KEY}\"]\n"),
        format!("robots = \"{KEY}\"\n"),
    ] {
        std::fs::write(&path, broken).expect("write");
        seen.expect_err("config parse error", ConfigStore::new(&path).load());
    }
    // 7 webhook errors, 2 webhooks (2 entries each), the key, the config,
    // 6 robot edits, 3 broken configs.
    assert_eq!(seen.0.len(), 22, "{:#?}", seen.0);
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
    // What succeeds, by name: everything else must fail, and each failure is
    // searched for the key.
    let mut succeeded = Vec::new();
    let names = ["closed", "echo", "hangup", "stranger", "friend"];
    for (w, name) in hooks.iter().zip(names) {
        let mut outcome = |what: String, result: Result<String, String>, debug: String| match result
        {
            Ok(_) => succeeded.push(what),
            Err(display) => seen.add(&what, display, debug),
        };
        for message in [
            Message::text("hi"),
            Message::text(""),
            Message::markdown("x".repeat(5000)),
        ] {
            let r = client.send(w, &message).await;
            let debug = format!("{r:?}");
            outcome(
                format!("{name} send {}", message.kind().msgtype()),
                r.map(|_| String::new()).map_err(|e| e.to_string()),
                debug,
            );
        }
        for json in [
            "{not json",
            r#"{"msgtype":"TEXT"}"#,
            r#"{"msgtype":"file","file":{"media_id":"nope"}}"#,
        ] {
            let r = client.send_raw(w, json.to_owned()).await;
            let debug = format!("{r:?}");
            outcome(
                format!("{name} send_raw {json}"),
                r.map(|_| String::new()).map_err(|e| e.to_string()),
                debug,
            );
        }
        for kind in [MediaKind::File, MediaKind::Voice] {
            let r = client
                .upload(w, &file, kind, |_| {}, CancellationToken::new())
                .await;
            let debug = format!("{r:?}");
            outcome(
                format!("{name} upload {}", kind.as_str()),
                r.map(|_| String::new()).map_err(|e| e.to_string()),
                debug,
            );
        }
        let cancel = CancellationToken::new();
        cancel.cancel();
        let r = client
            .upload(w, &file, MediaKind::File, |_| {}, cancel)
            .await;
        let debug = format!("{r:?}");
        outcome(
            format!("{name} cancelled upload"),
            r.map(|_| String::new()).map_err(|e| e.to_string()),
            debug,
        );
    }
    // The one robot that knows the key, limited to one message a window:
    // its first message is delivered, the second is refused (45009); the
    // upload of a 10-byte file is accepted.
    assert_eq!(
        succeeded,
        ["friend send text", "friend upload file"],
        "{:#?}",
        seen.0
    );
    assert_eq!(seen.0.len(), 5 * 9 - 2, "{:#?}", seen.0);
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
