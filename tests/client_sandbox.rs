//! The client against the sandbox, over real HTTP on 127.0.0.1: every message
//! type is sent through `Client::send`, files and voice clips are uploaded
//! through `Client::upload` and then sent by media_id, and what the sandbox
//! recorded is compared with what was sent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;
use wecom_composer::sandbox::{Sandbox, SandboxConfig};
use wecom_composer::wecom::client::{Client, ClientConfig, Progress, SendError};
use wecom_composer::wecom::media::{self, MediaKind};
use wecom_composer::wecom::message::Media;
use wecom_composer::wecom::{Key, Message, Webhook};

const KEY: &str = "fake-key-0000-client-sandbox";
const OTHER_KEY: &str = "fake-key-0000-client-other";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seeds")
        .join(name);
    std::fs::read_to_string(path).expect("fixture")
}

fn asset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

async fn sandbox() -> Sandbox {
    let config = SandboxConfig {
        keys: vec![KEY.into(), OTHER_KEY.into()],
        ..SandboxConfig::default()
    };
    Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox")
}

fn webhook(sb: &Sandbox, key: &str) -> Webhook {
    let base: Url = sb.base_url();
    Webhook::new(&base, Key::new(key).expect("key"))
}

fn client() -> Client {
    Client::new(ClientConfig::default()).expect("client")
}

async fn upload(
    client: &Client,
    w: &Webhook,
    path: PathBuf,
    kind: MediaKind,
) -> (String, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let uploaded = client
        .upload(
            w,
            &path,
            kind,
            move |p| sink.lock().expect("lock").push(p),
            CancellationToken::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("upload of {}: {e}", path.display()));
    assert_eq!(uploaded.kind, kind);
    assert_eq!(uploaded.size, std::fs::metadata(&path).expect("meta").len());
    let progress = seen.lock().expect("lock").clone();
    (uploaded.media_id, progress)
}

#[tokio::test]
async fn every_message_type_reaches_the_sandbox_as_sent() {
    let sb = sandbox().await;
    let w = webhook(&sb, KEY);
    let c = client();

    let mut sent: Vec<Message> = Vec::new();
    for name in [
        "001_01_text.json",
        "001_02_text.json",
        "001_03_markdown.json",
        "001_04_markdown_v2.json",
        "001_06_news.json",
        "001_09_text_notice.json",
        "001_10_news_notice.json",
    ] {
        sent.push(Message::from_json_str(&fixture(name)).expect("seed parses"));
    }
    sent.push(media::image_message(
        &std::fs::read(asset("sample.png")).expect("png"),
    ));
    let (file_id, progress) = upload(&c, &w, asset("sample.txt"), MediaKind::File).await;
    let total = std::fs::metadata(asset("sample.txt")).expect("meta").len();
    assert_eq!(
        progress.last().map(|p| (p.sent, p.total)),
        Some((total, total))
    );
    sent.push(Message::File(Media { media_id: file_id }));
    let (voice_id, _) = upload(&c, &w, asset("sample.amr"), MediaKind::Voice).await;
    sent.push(Message::Voice(Media { media_id: voice_id }));

    for m in &sent {
        c.send(&w, m)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", m.kind()));
    }
    let recorded: Vec<Value> = sb.messages();
    let expected: Vec<Value> = sent.iter().map(Message::to_value).collect();
    assert_eq!(recorded, expected);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_media_id_works_only_for_the_robot_that_uploaded_it() {
    let sb = sandbox().await;
    let c = client();
    let (id, _) = upload(&c, &webhook(&sb, KEY), asset("sample.txt"), MediaKind::File).await;
    let err = c
        .send(
            &webhook(&sb, OTHER_KEY),
            &Message::File(Media { media_id: id }),
        )
        .await
        .expect_err("another robot's media_id");
    let SendError::Refused { errcode, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*errcode, 40007);
    assert!(!err.to_string().contains(OTHER_KEY));
    sb.shutdown().await;
}

#[tokio::test]
async fn refusals_come_back_typed_and_explained_without_the_key() {
    let sb = sandbox().await;
    let c = client();
    let unknown = webhook(&sb, "fake-key-0000-not-configured");
    let err = c
        .send(&unknown, &Message::text("hi"))
        .await
        .expect_err("unknown key");
    let text = err.to_string();
    assert!(
        matches!(err, SendError::Refused { errcode: 93000, .. }),
        "{err:?}"
    );
    assert!(
        text.find("errcode 93000").expect("code")
            < text.find("invalid webhook url").expect("errmsg"),
        "{text}"
    );
    assert!(
        !text.contains("fake-key-0000-not-configured")
            && !format!("{err:?}").contains("fake-key-0000-not-configured")
    );

    // Over the limit, forced through without local checks: the server's 40058.
    let over = format!(
        r#"{{"msgtype":"text","text":{{"content":"{}"}}}}"#,
        "a".repeat(2049)
    );
    let err = c
        .send_raw(&webhook(&sb, KEY), over)
        .await
        .expect_err("over limit");
    assert!(
        matches!(err, SendError::Refused { errcode: 40058, .. }),
        "{err:?}"
    );
    // The same message through `send` never leaves: it is refused locally.
    let err = c
        .send(&webhook(&sb, KEY), &Message::text("a".repeat(2049)))
        .await
        .expect_err("local");
    assert!(matches!(err, SendError::Invalid(_)), "{err:?}");
    assert_eq!(sb.messages().len(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_image_file_in_assets_is_a_valid_image_message() {
    let bytes = std::fs::read(asset("sample.png")).expect("png");
    assert_eq!(media::sniff_image(&bytes), Some(media::ImageFormat::Png));
    let problems = wecom_composer::wecom::validate(&media::image_message(&bytes));
    assert!(problems.is_empty(), "{problems:#?}");
}
