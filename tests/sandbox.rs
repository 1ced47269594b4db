//! The sandbox, over real HTTP on 127.0.0.1: every answer is checked against
//! what the WeCom documents (seed 001, API-FACTS.md) say the real server does,
//! not against the sandbox's own output.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use md5::{Digest, Md5};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use wecom_composer::sandbox::{DEMO_KEY, Record, Sandbox, SandboxConfig};

/// Obviously fake keys.
const KEY_A: &str = "test-key-0000-aaaa";
const KEY_B: &str = "test-key-0000-bbbb";
const UNKNOWN_KEY: &str = "test-key-0000-zzzz";

const MIB: usize = 1024 * 1024;

/// A real 1x1 RGBA PNG, built by hand (CRCs checked with zlib).
const PNG_1X1: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, // signature
    0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, // IHDR
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, //
    0x1F, 0x15, 0xC4, 0x89, //
    0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, // IDAT
    0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, //
    0x0D, 0x0A, 0x2D, 0xB4, //
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82, // IEND
];
/// `md5sum` of [`PNG_1X1`], computed outside the project.
const PNG_1X1_MD5: &str = "93ca32a536da1698ea979f183679af29";

// ---------------------------------------------------------------- helpers

fn localhost() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn config() -> SandboxConfig {
    SandboxConfig {
        keys: vec![KEY_A.to_owned(), KEY_B.to_owned()],
        ..SandboxConfig::default()
    }
}

async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, localhost())
        .await
        .expect("sandbox starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// WeCom answers HTTP 200 even for errors, always with JSON.
async fn json_answer(response: reqwest::Response) -> Value {
    assert_eq!(
        response.status(),
        200,
        "WeCom answers HTTP 200 even for errors"
    );
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn send_raw(sb: &Sandbox, key: &str, body: impl Into<reqwest::Body>) -> Value {
    send_via(&client(), sb, key, body).await
}

/// Sends on a client the caller keeps, so a run of sends reuses one
/// connection (a new client per send costs a TLS store and a connect).
async fn send_via(
    client: &reqwest::Client,
    sb: &Sandbox,
    key: &str,
    body: impl Into<reqwest::Body>,
) -> Value {
    let response = client
        .post(sb.webhook_url(key))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    json_answer(response).await
}

async fn send(sb: &Sandbox, key: &str, message: &Value) -> Value {
    send_raw(sb, key, message.to_string()).await
}

fn upload_url(sb: &Sandbox, key: &str, kind: Option<&str>) -> String {
    let mut url = sb.base_url();
    url.set_path("/cgi-bin/webhook/upload_media");
    url.query_pairs_mut().append_pair("key", key);
    if let Some(kind) = kind {
        url.query_pairs_mut().append_pair("type", kind);
    }
    url.to_string()
}

async fn upload_form(sb: &Sandbox, key: &str, kind: Option<&str>, form: Form) -> Value {
    let response = client()
        .post(upload_url(sb, key, kind))
        .multipart(form)
        .send()
        .await
        .expect("request");
    json_answer(response).await
}

/// Uploads like the documents' example: one part named `media` with a filename.
async fn upload(sb: &Sandbox, key: &str, kind: &str, filename: &str, bytes: Vec<u8>) -> Value {
    let part = Part::bytes(bytes)
        .file_name(filename.to_owned())
        .mime_str("application/octet-stream")
        .expect("mime");
    upload_form(sb, key, Some(kind), Form::new().part("media", part)).await
}

fn errcode(answer: &Value) -> i64 {
    answer["errcode"]
        .as_i64()
        .unwrap_or_else(|| panic!("no errcode: {answer}"))
}

fn errmsg(answer: &Value) -> &str {
    answer["errmsg"]
        .as_str()
        .unwrap_or_else(|| panic!("no errmsg: {answer}"))
}

fn assert_ok(answer: &Value) {
    assert_eq!(errcode(answer), 0, "{answer}");
    assert_eq!(errmsg(answer), "ok", "{answer}");
}

fn assert_errcode(answer: &Value, code: i64) {
    assert_eq!(errcode(answer), code, "{answer}");
    let msg = errmsg(answer);
    assert!(msg.contains("from ip: 127.0.0.1"), "{msg}");
    assert!(
        msg.ends_with(&format!(
            "more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
        )),
        "{msg}"
    );
}

/// An AMR-NB clip: `#!AMR\n` and `frames` 12.2 kbit/s frames (header 0x3C and
/// 31 bytes of speech), 20 ms each.
fn amr(frames: usize) -> Vec<u8> {
    let mut clip = b"#!AMR\n".to_vec();
    for _ in 0..frames {
        clip.push(0x3C);
        clip.extend([0u8; 31]);
    }
    clip
}

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

fn media_id_of(answer: &Value) -> String {
    assert_ok(answer);
    answer["media_id"].as_str().expect("media_id").to_owned()
}

fn seed(json: &str) -> Value {
    serde_json::from_str(json).expect("seed example is JSON")
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

// ---------------------------------------------------------------- keys, paths

#[tokio::test]
async fn urls_have_the_wecom_paths() {
    let sb = start(config()).await;
    let port = sb.addr().port();
    assert_ne!(port, 0);
    assert_eq!(sb.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(sb.base_url().as_str(), format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        sb.webhook_url(KEY_A),
        format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=test-key-0000-aaaa")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_or_missing_key_is_93000() {
    let sb = start(config()).await;
    let answer = send(&sb, UNKNOWN_KEY, &text("hello world")).await;
    assert_errcode(&answer, 93000);
    assert!(
        errmsg(&answer).starts_with("invalid webhook url, hint: ["),
        "{answer}"
    );
    assert!(!errmsg(&answer).contains(UNKNOWN_KEY));

    let no_key = format!("http://{}/cgi-bin/webhook/send", sb.addr());
    let response = client()
        .post(no_key)
        .body(text("x").to_string())
        .send()
        .await
        .expect("request");
    assert_errcode(&json_answer(response).await, 93000);

    let answer = upload(&sb, UNKNOWN_KEY, "file", "wework.txt", b"mytext".to_vec()).await;
    assert_errcode(&answer, 93000);

    // The demo key is always accepted.
    assert_ok(&send(&sb, DEMO_KEY, &text("hello world")).await);
    assert_eq!(sb.messages(), vec![text("hello world")]);
    sb.shutdown().await;
}

#[tokio::test]
async fn other_paths_are_404_with_a_json_errcode() {
    let sb = start(config()).await;
    let url = format!("http://{}/cgi-bin/webhook/other?key={KEY_A}", sb.addr());
    let response = client().post(url).body("{}").send().await.expect("request");
    assert_eq!(response.status(), 404);
    let answer: Value = response.json().await.expect("a JSON body");
    assert_errcode(&answer, 404);
    assert!(
        errmsg(&answer).contains("/cgi-bin/webhook/send"),
        "says which path to use: {answer}"
    );
    assert!(!errmsg(&answer).contains(KEY_A), "{answer}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_get_on_send_is_43002_in_json() {
    let sb = start(config()).await;
    let response = client()
        .get(sb.webhook_url(KEY_A))
        .send()
        .await
        .expect("request");
    // WeCom's global code 43002 "require POST method", answered like every
    // other error: HTTP 200 and JSON.
    let answer = json_answer(response).await;
    assert_errcode(&answer, 43002);
    assert!(
        errmsg(&answer).starts_with("require POST method"),
        "{answer}"
    );
    let upload = client()
        .get(upload_url(&sb, KEY_A, Some("file")))
        .send()
        .await
        .expect("request");
    assert_errcode(&json_answer(upload).await, 43002);
    sb.shutdown().await;
}

// ---------------------------------------------------------------- messages

#[tokio::test]
async fn every_seed_001_type_is_accepted_and_recorded_verbatim() {
    let sb = start(config()).await;
    // The documents' own upload example: wework.txt holding "mytext".
    let file_id = media_id_of(&upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await);
    let voice_id = media_id_of(&upload(&sb, KEY_A, "voice", "hello.amr", amr(50)).await);

    let mut image = seed(SEED_IMAGE);
    image["image"]["base64"] = json!(base64::engine::general_purpose::STANDARD.encode(PNG_1X1));
    image["image"]["md5"] = json!(PNG_1X1_MD5);
    let mut file = seed(SEED_FILE);
    file["file"]["media_id"] = json!(file_id);
    let mut voice = seed(SEED_VOICE);
    voice["voice"]["media_id"] = json!(voice_id);

    let sent = vec![
        seed(SEED_TEXT),
        seed(SEED_TEXT_2),
        seed(SEED_MARKDOWN),
        seed(SEED_MARKDOWN_V2),
        image,
        seed(SEED_NEWS),
        file,
        voice,
        seed(SEED_TEXT_NOTICE),
        seed(SEED_NEWS_NOTICE),
    ];
    for message in &sent {
        let answer = send(&sb, KEY_A, message).await;
        assert_eq!(answer, json!({"errcode": 0, "errmsg": "ok"}), "{message}");
    }
    assert_eq!(sb.messages(), sent);

    let records = sb.records();
    assert_eq!(records.len(), 2 + sent.len());
    match &records[0] {
        Record::Upload {
            key_hint,
            filename,
            size,
            media_id,
            ..
        } => {
            assert_eq!(key_hint, "****aaaa");
            assert_eq!(filename, "wework.txt");
            assert_eq!(*size, 6);
            assert_eq!(media_id, &file_id);
        }
        other => panic!("expected the file upload first, got {other:?}"),
    }
    for (record, message) in records[2..].iter().zip(&sent) {
        match record {
            Record::Message {
                key_hint,
                message: recorded,
                ..
            } => {
                assert_eq!(key_hint, "****aaaa");
                assert_eq!(recorded, message);
                // Key order is kept as sent.
                assert_eq!(recorded.to_string(), message.to_string());
            }
            other => panic!("expected a message, got {other:?}"),
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn text_over_2048_bytes_is_40058() {
    let sb = start(config()).await;
    // "最长不超过 2048 个字节": 2048 bytes pass, 2049 do not.
    assert_ok(&send(&sb, KEY_A, &text(&"a".repeat(2048))).await);
    let answer = send(&sb, KEY_A, &text(&"a".repeat(2049))).await;
    assert_errcode(&answer, 40058);
    assert!(errmsg(&answer).contains("text.content"), "{answer}");
    // Bytes, not characters: 683 Chinese characters are 2049 bytes.
    let answer = send(&sb, KEY_A, &text(&"中".repeat(683))).await;
    assert_errcode(&answer, 40058);
    // markdown: 4096 bytes.
    let md = |n: usize| json!({"msgtype": "markdown", "markdown": {"content": "m".repeat(n)}});
    assert_ok(&send(&sb, KEY_A, &md(4096)).await);
    assert_errcode(&send(&sb, KEY_A, &md(4097)).await, 40058);
    assert_eq!(sb.messages().len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn empty_content_is_44004() {
    let sb = start(config()).await;
    assert_errcode(&send(&sb, KEY_A, &text("")).await, 44004);
    let missing = json!({"msgtype": "text", "text": {}});
    let answer = send(&sb, KEY_A, &missing).await;
    assert_errcode(&answer, 44004);
    assert!(errmsg(&answer).starts_with("empty content"), "{answer}");
    let md = json!({"msgtype": "markdown_v2", "markdown_v2": {"content": ""}});
    assert_errcode(&send(&sb, KEY_A, &md).await, 44004);
    assert!(sb.messages().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_msgtype_is_40008() {
    let sb = start(config()).await;
    // msgtype is case-sensitive: "TEXT" is not "text".
    let upper = json!({"msgtype": "TEXT", "TEXT": {"content": "hello world"}});
    let answer = send(&sb, KEY_A, &upper).await;
    assert_errcode(&answer, 40008);
    assert!(
        errmsg(&answer).starts_with("invalid message type"),
        "{answer}"
    );
    let missing = json!({"text": {"content": "hello world"}});
    assert_errcode(&send(&sb, KEY_A, &missing).await, 40008);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_json_is_40058() {
    let sb = start(config()).await;
    let answer = send_raw(
        &sb,
        KEY_A,
        r#"{"msgtype": "text", "text": {"content": "x"}"#,
    )
    .await;
    assert_errcode(&answer, 40058);
    assert!(
        errmsg(&answer).starts_with("Warning: wrong json format."),
        "{answer}"
    );
    assert!(sb.messages().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn image_md5_size_and_format_are_checked() {
    let sb = start(config()).await;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let image = |bytes: &[u8], md5: &str| json!({"msgtype": "image", "image": {"base64": b64(bytes), "md5": md5}});
    let md5 = |bytes: &[u8]| hex::encode(Md5::digest(bytes));

    // The md5 of other bytes (here of nothing, RFC 1321).
    let answer = send(
        &sb,
        KEY_A,
        &image(&PNG_1X1, "d41d8cd98f00b204e9800998ecf8427e"),
    )
    .await;
    assert_errcode(&answer, 301019);
    assert!(
        errmsg(&answer).starts_with("media md5 not match"),
        "{answer}"
    );

    // "最大不能超过 2M": 2 MiB + 1 byte of PNG.
    let mut big = PNG_1X1.to_vec();
    big.resize(2 * MIB + 1, 0);
    assert_errcode(&send(&sb, KEY_A, &image(&big, &md5(&big))).await, 40009);
    let mut limit = PNG_1X1.to_vec();
    limit.resize(2 * MIB, 0);
    assert_ok(&send(&sb, KEY_A, &image(&limit, &md5(&limit))).await);

    // "支持 JPG、PNG 格式": a GIF is refused.
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    assert_errcode(&send(&sb, KEY_A, &image(&gif, &md5(&gif))).await, 40005);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_21st_message_in_a_window_is_45009() {
    // Long enough that 21 sends on one connection fit in it even on a loaded
    // machine (checked below rather than assumed).
    let window = Duration::from_secs(6);
    let sb = start(SandboxConfig {
        rate_window: window,
        ..config()
    })
    .await;
    let client = client();
    let started = Instant::now();
    // "每个消息推送发送的消息不能超过 20 条/分钟".
    for i in 0..20 {
        let message = text(&format!("message {i}")).to_string();
        assert_ok(&send_via(&client, &sb, KEY_A, message).await);
    }
    let answer = send_via(&client, &sb, KEY_A, text("one too many").to_string()).await;
    assert!(
        started.elapsed() < window,
        "the 21 sends took {:?}, longer than the window: the test proves nothing",
        started.elapsed()
    );
    assert_errcode(&answer, 45009);
    assert!(
        errmsg(&answer).starts_with("api freq out of limit"),
        "{answer}"
    );
    // The limit is per robot.
    assert_ok(&send_via(&client, &sb, KEY_B, text("another robot").to_string()).await);
    // Refused calls are not recorded.
    assert_eq!(sb.messages().len(), 21);
    assert!(!sb.messages().contains(&text("one too many")));

    tokio::time::sleep_until((started + window + Duration::from_millis(200)).into()).await;
    assert_ok(&send_via(&client, &sb, KEY_A, text("after the window").to_string()).await);
    assert_eq!(sb.messages().last(), Some(&text("after the window")));
    sb.shutdown().await;
}

#[tokio::test]
async fn failed_calls_count_toward_the_limit_but_uploads_do_not() {
    let sb = start(SandboxConfig {
        rate_limit: 2,
        ..config()
    })
    .await;
    for _ in 0..3 {
        assert_ok(&upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await);
    }
    assert_errcode(&send(&sb, KEY_A, &text("")).await, 44004);
    assert_ok(&send(&sb, KEY_A, &text("second call")).await);
    assert_errcode(&send(&sb, KEY_A, &text("third call")).await, 45009);
    sb.shutdown().await;
}

#[tokio::test]
async fn send_body_over_the_limit_gets_a_json_answer() {
    let sb = start(config()).await;
    let huge = text(&"a".repeat(9 * MIB)).to_string();
    let answer = send_raw(&sb, KEY_A, huge).await;
    assert_errcode(&answer, 40006);
    sb.shutdown().await;
}

// ---------------------------------------------------------------- uploads

#[tokio::test]
async fn file_upload_answers_like_the_documents() {
    let sb = start(config()).await;
    let answer = upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await;
    // {"errcode":0,"errmsg":"ok","type":"file","media_id":"…","created_at":"1380000000"}
    assert_ok(&answer);
    assert_eq!(answer["type"], "file");
    let media_id = answer["media_id"].as_str().expect("media_id");
    assert_eq!(
        media_id.len(),
        "1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0".len()
    );
    assert!(
        media_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    let created_at = answer["created_at"]
        .as_str()
        .expect("created_at is a string");
    let created_at: u64 = created_at.parse().expect("unix seconds");
    assert!(created_at.abs_diff(unix_now()) <= 5, "{created_at}");
    let keys: Vec<&str> = answer
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["errcode", "errmsg", "type", "media_id", "created_at"]
    );

    let second = upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await;
    assert_ne!(second["media_id"], answer["media_id"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn upload_sizes_types_and_parts_are_checked() {
    let sb = start(config()).await;
    // "所有类型的文件大小均要求大于 5 个字节".
    assert_errcode(
        &upload(&sb, KEY_A, "file", "a.txt", b"12345".to_vec()).await,
        40006,
    );
    assert_ok(&upload(&sb, KEY_A, "file", "a.txt", b"123456".to_vec()).await);
    assert_errcode(
        &upload(&sb, KEY_A, "file", "a.txt", Vec::new()).await,
        44001,
    );
    // type is voice or file.
    let form = || Form::new().part("media", Part::bytes(b"mytext".to_vec()).file_name("a.txt"));
    assert_errcode(&upload_form(&sb, KEY_A, None, form()).await, 40004);
    assert_errcode(&upload_form(&sb, KEY_A, Some("image"), form()).await, 40004);
    // "文件标识名为 media", with a filename.
    let wrong_name = Form::new().part("file", Part::bytes(b"mytext".to_vec()).file_name("a.txt"));
    assert_errcode(
        &upload_form(&sb, KEY_A, Some("file"), wrong_name).await,
        41005,
    );
    let no_filename = Form::new().part("media", Part::bytes(b"mytext".to_vec()));
    assert_errcode(
        &upload_form(&sb, KEY_A, Some("file"), no_filename).await,
        41005,
    );
    let response = client()
        .post(upload_url(&sb, KEY_A, Some("file")))
        .body("not multipart")
        .send()
        .await
        .expect("request");
    assert_errcode(&json_answer(response).await, 41005);
    // Only the one good upload is recorded.
    assert_eq!(sb.records().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn file_over_20_mib_is_40006() {
    let sb = start(config()).await;
    // "普通文件(file):文件大小不超过 20M".
    let answer = upload(&sb, KEY_A, "file", "big.bin", vec![7u8; 20 * MIB + 1]).await;
    assert_errcode(&answer, 40006);
    assert!(sb.records().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn voice_must_be_amr_of_at_most_60_seconds() {
    let sb = start(config()).await;
    // "仅支持 AMR 格式".
    let wav = [b"RIFF\x24\x00\x00\x00WAVEfmt ".as_slice(), &[0u8; 64]].concat();
    let answer = upload(&sb, KEY_A, "voice", "hello.wav", wav).await;
    assert_errcode(&answer, 40005);
    // An AMR clip of 1 s.
    let answer = upload(&sb, KEY_A, "voice", "hello.amr", amr(50)).await;
    assert_ok(&answer);
    assert_eq!(answer["type"], "voice");
    // "播放长度不超过 60s": 3000 frames of 20 ms pass, 3001 do not.
    assert_ok(&upload(&sb, KEY_A, "voice", "minute.amr", amr(3000)).await);
    let answer = upload(&sb, KEY_A, "voice", "long.amr", amr(3001)).await;
    assert_errcode(&answer, 40006);
    assert!(errmsg(&answer).contains("60"), "{answer}");
    // "语音(voice):文件大小不超过 2M".
    let mut big = amr(0);
    big.resize(2 * MIB + 1, 0);
    assert_errcode(&upload(&sb, KEY_A, "voice", "big.amr", big).await, 40006);
    sb.shutdown().await;
}

// ---------------------------------------------------------------- media_id rules

#[tokio::test]
async fn media_id_must_be_this_robots_upload_of_the_same_type() {
    let sb = start(config()).await;
    let file_id = media_id_of(&upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await);
    let voice_id = media_id_of(&upload(&sb, KEY_A, "voice", "hello.amr", amr(50)).await);
    let file = |id: &str| json!({"msgtype": "file", "file": {"media_id": id}});
    let voice = |id: &str| json!({"msgtype": "voice", "voice": {"media_id": id}});

    // "media_id 只能是对应上传文件的消息推送可以使用".
    let answer = send(&sb, KEY_B, &file(&file_id)).await;
    assert_errcode(&answer, 40007);
    assert!(errmsg(&answer).starts_with("invalid media_id"), "{answer}");
    // A voice upload is not a file, and the other way round.
    assert_errcode(&send(&sb, KEY_A, &file(&voice_id)).await, 40007);
    assert_errcode(&send(&sb, KEY_A, &voice(&file_id)).await, 40007);
    // The documents' placeholder was never uploaded.
    assert_errcode(&send(&sb, KEY_A, &file("3a8asd892asd8asd")).await, 40007);

    assert_ok(&send(&sb, KEY_A, &file(&file_id)).await);
    assert_ok(&send(&sb, KEY_A, &voice(&voice_id)).await);
    sb.shutdown().await;
}

#[tokio::test]
async fn media_id_expires_after_the_ttl() {
    let ttl = Duration::from_secs(4);
    let sb = start(SandboxConfig {
        media_ttl: ttl,
        ..config()
    })
    .await;
    let client = client();
    let uploaded = Instant::now();
    let file_id = media_id_of(&upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await);
    let message = json!({"msgtype": "file", "file": {"media_id": file_id}}).to_string();
    let answer = send_via(&client, &sb, KEY_A, message.clone()).await;
    assert!(
        uploaded.elapsed() < ttl,
        "the upload and send took {:?}, longer than the TTL: the test proves nothing",
        uploaded.elapsed()
    );
    assert_ok(&answer);
    tokio::time::sleep_until((uploaded + ttl + Duration::from_millis(200)).into()).await;
    assert_errcode(&send_via(&client, &sb, KEY_A, message).await, 40007);
    sb.shutdown().await;
}

// ---------------------------------------------------------------- record file

#[tokio::test]
async fn record_file_has_one_line_per_record_and_never_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/dir/records.jsonl");
    let sb = start(SandboxConfig {
        record_path: Some(path.clone()),
        ..config()
    })
    .await;
    let file_id = media_id_of(&upload(&sb, KEY_A, "file", "wework.txt", b"mytext".to_vec()).await);
    let hello = seed(SEED_TEXT_2);
    assert_ok(&send(&sb, KEY_A, &hello).await);
    assert_errcode(&send(&sb, KEY_A, &text("")).await, 44004);
    assert_ok(&send(&sb, KEY_B, &text("from b")).await);

    let content = std::fs::read_to_string(&path).expect("record file");
    assert!(
        !content.contains(KEY_A) && !content.contains(KEY_B),
        "{content}"
    );
    assert!(!content.contains("test-key"), "{content}");
    let lines: Vec<Value> = content
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3, "{content}");
    assert_eq!(lines[0]["record"], "upload");
    assert_eq!(lines[0]["key_hint"], "****aaaa");
    assert_eq!(lines[0]["kind"], "file");
    assert_eq!(lines[0]["filename"], "wework.txt");
    assert_eq!(lines[0]["size"], 6);
    assert_eq!(lines[0]["media_id"], json!(file_id));
    assert_eq!(lines[1]["record"], "message");
    assert_eq!(lines[1]["key_hint"], "****aaaa");
    assert_eq!(lines[1]["message"], hello);
    assert_eq!(lines[2]["key_hint"], "****bbbb");
    assert_eq!(lines[2]["message"], text("from b"));
    for line in &lines {
        let at = line["at_ms"].as_u64().expect("at_ms");
        assert!((at / 1000).abs_diff(unix_now()) <= 5);
    }
    sb.shutdown().await;

    // A second run appends.
    let sb = start(SandboxConfig {
        record_path: Some(path.clone()),
        ..config()
    })
    .await;
    assert_ok(&send(&sb, KEY_A, &text("again")).await);
    sb.shutdown().await;
    let content = std::fs::read_to_string(&path).expect("record file");
    assert_eq!(content.lines().count(), 4);
}

#[cfg(unix)]
#[tokio::test]
async fn the_record_file_is_private_and_a_wide_one_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new/records.jsonl");
    let sb = start(SandboxConfig {
        record_path: Some(path.clone()),
        ..config()
    })
    .await;
    assert_ok(&send(&sb, KEY_A, &text("private")).await);
    sb.shutdown().await;
    assert_eq!(mode(&path), 0o600, "the record holds what users wrote");
    assert_eq!(mode(&dir.path().join("new")), 0o700);

    let old = dir.path().join("old.jsonl");
    std::fs::write(&old, "").expect("write");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let sb = start(SandboxConfig {
        record_path: Some(old.clone()),
        ..config()
    })
    .await;
    sb.shutdown().await;
    assert_eq!(mode(&old), 0o600, "an existing 0644 record is tightened");
}

#[tokio::test]
async fn the_in_memory_window_keeps_only_the_newest_records() {
    let sb = start(SandboxConfig {
        record_window: 5,
        ..config()
    })
    .await;
    let client = client();
    for i in 0..12 {
        let message = text(&format!("message {i}")).to_string();
        assert_ok(&send_via(&client, &sb, KEY_A, message).await);
    }
    let kept = sb.messages();
    let expected: Vec<Value> = (7..12).map(|i| text(&format!("message {i}"))).collect();
    assert_eq!(kept, expected, "the window holds the last 5, oldest first");
    assert_eq!(sb.records().len(), 5);
    sb.shutdown().await;
}

// ---------------------------------------------------------------- what WeCom does not document

/// A message with undocumented fields: accepted (errcode 0, like WeCom, whose
/// documents do not say it refuses them), recorded as sent with the fields
/// listed, and warned about by validation in the same words everywhere.
async fn assert_accepted_with_ignored(sb: &Sandbox, body: Value, ignored: &[&str]) {
    let answer = send(sb, KEY_A, &body).await;
    assert_ok(&answer);
    let last = sb.records().pop().expect("a record");
    let Record::Message {
        message,
        ignored_fields,
        ..
    } = last
    else {
        panic!("not a message record: {last:?}");
    };
    assert_eq!(message, body, "recorded exactly as sent");
    assert_eq!(ignored_fields, ignored, "for {body}");

    let parsed = wecom_composer::wecom::Message::parse(body.clone()).expect("parses");
    let problems = wecom_composer::wecom::validate::validate_parsed(&parsed);
    for path in ignored {
        let field = path.rsplit('.').next().unwrap_or(path);
        let warning = problems
            .iter()
            .find(|p| p.path == *path)
            .unwrap_or_else(|| panic!("no warning for {path}: {problems:?}"));
        assert!(!warning.is_error(), "{warning}");
        assert_eq!(
            warning.message,
            format!("WeCom does not document `{field}`; it will most likely be ignored.")
        );
    }
}

#[tokio::test]
async fn undocumented_fields_are_accepted_recorded_and_warned() {
    let sb = start(config()).await;
    let hello = json!({"content": "hello"});
    for (body, ignored) in [
        (
            json!({"msgtype": "text", "text": hello, "chatid": "wrkSFfCgAAAAA"}),
            vec!["chatid"],
        ),
        (
            json!({"msgtype": "text", "text": hello, "visible_to_user": "zhangsan|lisi"}),
            vec!["visible_to_user"],
        ),
        (
            json!({"msgtype": "text", "text": hello, "safe": 0}),
            vec!["safe"],
        ),
        (
            json!({"msgtype": "text", "text": hello, "markdown": {"content": "**second**"}}),
            vec!["markdown"],
        ),
        (
            json!({"msgtype": "text", "text": {"content": "hello", "foo": 1}}),
            vec!["text.foo"],
        ),
        (
            json!({"msgtype": "news", "news": {"articles": [
                {"title": "t", "url": "https://example.com", "extra": true}
            ]}}),
            vec!["news.articles[0].extra"],
        ),
    ] {
        assert_accepted_with_ignored(&sb, body, &ignored).await;
    }
    let mut card = seed(SEED_TEXT_NOTICE);
    card["template_card"]["task_id"] = json!("task-0001");
    assert_accepted_with_ignored(&sb, card, &["template_card.task_id"]).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_card_attachment_of_another_robot_is_40007() {
    let sb = start(config()).await;
    let card = |media_id: &str| {
        let mut card = seed(SEED_TEXT_NOTICE);
        card["template_card"]["horizontal_content_list"] = json!([
            {"keyname": "企微下载", "value": "企业微信.apk", "type": 2, "media_id": media_id}
        ]);
        card
    };
    let of_b = media_id_of(&upload(&sb, KEY_B, "file", "b.apk", b"bbbbbbbb".to_vec()).await);
    let of_a = media_id_of(&upload(&sb, KEY_A, "file", "a.apk", b"aaaaaaaa".to_vec()).await);
    // "只能是对应上传文件的消息推送可以使用", as for a file message.
    assert_errcode(&send(&sb, KEY_A, &card(&of_b)).await, 40007);
    assert_ok(&send(&sb, KEY_A, &card(&of_a)).await);
    // One the sandbox never issued may be WeCom's: the documents' own example.
    assert_ok(&send(&sb, KEY_A, &card("MEDIAID")).await);
    assert_eq!(sb.messages().len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_text_notice_with_only_sub_title_text_is_accepted_and_warned() {
    let sb = start(config()).await;
    let card = json!({"msgtype": "template_card", "template_card": {
        "card_type": "text_notice",
        "sub_title_text": "下载企业微信还能抢红包!",
        "card_action": {"type": 1, "url": "https://work.weixin.qq.com/?from=openApi"}
    }});
    assert_ok(&send(&sb, KEY_A, &card).await);
    let message = wecom_composer::wecom::Message::from_value(card).expect("parses");
    let problems = wecom_composer::wecom::validate(&message);
    let warning = problems
        .iter()
        .find(|p| p.path == "template_card.main_title")
        .unwrap_or_else(|| panic!("no warning: {problems:?}"));
    assert!(!warning.is_error(), "{warning}");
    // Seed 004's table row and its text, quoted.
    assert!(
        warning.message.contains("main_title | Object | 是")
            && warning.message.contains("sub_title_text 必须有一项填写"),
        "{warning}"
    );
    sb.shutdown().await;
}

// ---------------------------------------------------------------- wecom sandbox, long running

/// `wecom sandbox --port 0` recording in `dir`, its output piped, no keys
/// from the environment; callers add arguments.
fn sandbox_command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wecom"));
    command
        .args(["sandbox", "--port", "0", "--record"])
        .arg(dir.join("records.jsonl"))
        .env("WECOM_DATA_DIR", dir)
        .env("WECOM_CONFIG_DIR", dir)
        .env_remove("WECOM_SANDBOX_KEYS")
        .env_remove("WECOM_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

/// The child's output, and the port from its first line.
fn output_and_port(child: &mut Child) -> (Lines, u16) {
    let lines = lines_with_deadline(child.0.stdout.take().expect("stdout"));
    let first = lines.next_line();
    let port = first
        .strip_prefix("Sandbox listening on http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("first line: {first}"));
    (lines, port)
}

/// Posts `body` to the send path of a sandbox on `port`, as `key`.
async fn post_to(client: &reqwest::Client, port: u16, key: &str, body: String) -> Value {
    let url = format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key={key}");
    let response = client.post(url).body(body).send().await.expect("request");
    json_answer(response).await
}

/// Asks the child to stop as a service manager would.
#[cfg(unix)]
fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[cfg(unix)]
#[tokio::test]
async fn a_flood_of_refusals_writes_a_few_summary_lines() {
    const FLOOD: u64 = 3000;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Child(sandbox_command(dir.path()).spawn().expect("spawn"));
    let (lines, port) = output_and_port(&mut child);
    let client = client();
    let started = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..FLOOD / 4 {
                    let answer = post_to(&client, port, UNKNOWN_KEY, "{}".into()).await;
                    assert_errcode(&answer, 93000);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("flood task");
    }
    // Accepted messages are still shown one by one.
    for i in 0..3 {
        let body = text(&format!("accepted {i}")).to_string();
        assert_ok(&post_to(&client, port, DEMO_KEY, body).await);
    }
    let flood_seconds = started.elapsed().as_secs() + 1;
    terminate(&child);
    let output = lines.rest();
    let refused: Vec<&String> = output.iter().filter(|l| l.starts_with("refused")).collect();
    // At most one full line and one count per second of flood (and a last
    // count at the end), however many requests came.
    assert!(
        refused.len() as u64 <= 2 * flood_seconds + 2,
        "{} refusal lines for {flood_seconds} s: {refused:#?}",
        refused.len()
    );
    // Nothing is lost: the lines shown and the counts add up to the flood.
    let mut total = 0;
    for line in &output {
        if let Some(rest) = line.strip_prefix("refused send with errcode 93000: ") {
            let n: u64 = rest
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a count");
            total += n;
        } else if line.starts_with("refused send for no key")
            || line.starts_with("refused send for ****")
        {
            total += 1;
        } else if let Some(rest) = line.strip_prefix('(') {
            total += rest
                .split(' ')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    assert_eq!(total, FLOOD, "{output:#?}");
    let accepted = output
        .iter()
        .filter(|l| l.starts_with("accepted text message"))
        .count();
    assert_eq!(accepted, 3, "{output:#?}");
    assert!(!output.iter().any(|l| l.contains(UNKNOWN_KEY)));
}

#[cfg(unix)]
#[tokio::test]
async fn keys_come_from_a_file_stdin_or_the_environment_not_only_argv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, format!("# robots for CI\n\n{KEY_A}\n")).expect("write");
    let from_env = "test-key-0000-eeee";
    let mut child = Child(
        sandbox_command(dir.path())
            .arg("--key-file")
            .arg(&keys)
            .args(["--key-file", "-"])
            .env("WECOM_SANDBOX_KEYS", from_env)
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn wecom sandbox"),
    );
    {
        use std::io::Write as _;
        let mut stdin = child.0.stdin.take().expect("stdin");
        writeln!(stdin, "http://127.0.0.1:1/cgi-bin/webhook/send?key={KEY_B}").expect("write");
    }
    let (lines, port) = output_and_port(&mut child);
    let client = client();
    let hi = || text("hi").to_string();
    for key in [KEY_A, KEY_B, from_env] {
        assert_ok(&post_to(&client, port, key, hi()).await);
    }
    assert_errcode(&post_to(&client, port, UNKNOWN_KEY, hi()).await, 93000);
    // None of the keys is in the process's arguments.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.0.id())).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline);
    for key in [KEY_A, KEY_B, from_env] {
        assert!(!cmdline.contains(key), "{cmdline}");
    }
    terminate(&child);
    let output = lines.rest().join("\n");
    assert!(output.contains("3 more"), "{output}");
}

#[test]
fn a_bad_key_file_names_the_line_not_the_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, format!("{KEY_A}\nnot a key with spaces\n")).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_wecom"))
        .args(["sandbox", "--port", "0", "--key-file"])
        .arg(&keys)
        .env("WECOM_DATA_DIR", dir.path())
        .env_remove("WECOM_SANDBOX_KEYS")
        .output()
        .expect("run wecom sandbox");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!stderr.contains("not a key"), "{stderr}");
}

// ---------------------------------------------------------------- wecom sandbox

/// Kills the child when the test ends, even on failure.
struct Child(std::process::Child);

/// A child's output, read on a thread so that a missing line fails the test
/// after a deadline instead of hanging it.
struct Lines(std::sync::mpsc::Receiver<String>);

/// How long a test waits for a line the child should print.
const LINE_DEADLINE: Duration = Duration::from_secs(30);

fn lines_with_deadline(output: impl std::io::Read + Send + 'static) -> Lines {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Lines(rx)
}

impl Lines {
    /// The next line, or a failure after [`LINE_DEADLINE`].
    fn next_line(&self) -> String {
        self.0
            .recv_timeout(LINE_DEADLINE)
            .unwrap_or_else(|e| panic!("no line from the child within {LINE_DEADLINE:?}: {e}"))
    }

    /// Every line until the child closes its output (or the deadline).
    fn rest(&self) -> Vec<String> {
        let deadline = Instant::now() + LINE_DEADLINE;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) => out.push(line),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return out,
                Err(e) => panic!("the child's output did not end within {LINE_DEADLINE:?}: {e}"),
            }
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn wecom_sandbox_prints_its_address_and_serves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let record = dir.path().join("cli.jsonl");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_wecom"))
            .args(["sandbox", "--port", "0", "--key", KEY_A, "--record"])
            .arg(&record)
            .env("WECOM_DATA_DIR", dir.path())
            .env("WECOM_CONFIG_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn wecom sandbox"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let lines = lines_with_deadline(stdout);
    let next_line = move || lines.next_line();

    let first = next_line();
    let port: u16 = first
        .strip_prefix("Sandbox listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line: {first}"))
        .parse()
        .expect("port");
    assert_ne!(port, 0);
    let mut banner = Vec::new();
    loop {
        let line = next_line();
        let done = line.contains("Ctrl-C to stop");
        banner.push(line);
        if done {
            break;
        }
    }
    let banner = banner.join("\n");
    let demo = format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=wecom-sandbox-demo-key");
    assert!(banner.contains(&demo), "{banner}");
    assert!(banner.contains(&record.display().to_string()), "{banner}");
    assert!(
        banner.contains("1 more") && banner.contains("****aaaa"),
        "{banner}"
    );
    assert!(!banner.contains(KEY_A), "{banner}");

    let response = client()
        .post(&demo)
        .body(text("hello world").to_string())
        .send()
        .await
        .expect("request");
    assert_ok(&json_answer(response).await);
    let url = format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key={KEY_A}");
    let response = client()
        .post(&url)
        .body(text("").to_string())
        .send()
        .await
        .expect("request");
    assert_errcode(&json_answer(response).await, 44004);
    let recorded = std::fs::read_to_string(&record).expect("record file");
    assert_eq!(recorded.lines().count(), 1, "{recorded}");
    assert!(recorded.contains("hello world"));
    let activity = [next_line(), next_line()].join("\n");
    assert!(activity.contains("accepted text"), "{activity}");
    assert!(
        activity.contains("44004") && activity.contains("****aaaa"),
        "{activity}"
    );
    assert!(!activity.contains(KEY_A), "{activity}");
}

#[test]
fn wecom_sandbox_on_a_busy_port_says_so() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = busy.local_addr().expect("addr").port().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_wecom"))
        .args(["sandbox", "--port", &port, "--record"])
        .arg(dir.path().join("r.jsonl"))
        .env("WECOM_DATA_DIR", dir.path())
        .output()
        .expect("run wecom sandbox");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&port) && stderr.contains("--port"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- seed 001 examples, verbatim

const SEED_TEXT: &str = r##"{
    "msgtype": "text",
    "text": {
        "content": "hello world"
    }
   }"##;

const SEED_TEXT_2: &str = r##"{
    "msgtype": "text",
    "text": {
        "content": "广州今日天气:29度,大部分多云,降雨概率:60%",
        "mentioned_list":["wangqing","@all"],
        "mentioned_mobile_list":["13800001111","@all"]
    }
}"##;

const SEED_MARKDOWN: &str = r##"{
    "msgtype": "markdown",
    "markdown": {
        "content": "实时新增用户反馈<font color=\"warning\">132例</font>,请相关同事注意。\n>类型:<font color=\"comment\">用户反馈</font>\n>普通用户反馈:<font color=\"comment\">117例</font>\n>VIP用户反馈:<font color=\"comment\">15例</font>"
    }
}"##;

const SEED_MARKDOWN_V2: &str = r##"{
    "msgtype": "markdown_v2",
    "markdown_v2": {
         "content": "# 一、标题\n## 二级标题\n### 三级标题\n# 二、字体\n*斜体*\n\n**加粗**\n# 三、列表 \n- 无序列表 1 \n- 无序列表 2\n  - 无序列表 2.1\n  - 无序列表 2.2\n1. 有序列表 1\n2. 有序列表 2\n# 四、引用\n> 一级引用\n>>二级引用\n>>>三级引用\n# 五、链接\n[这是一个链接](https:work.weixin.qq.com\\/api\\/doc)\n![](https://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png)\n# 六、分割线\n\n---\n# 七、代码\n`这是行内代码`\n```\n这是独立代码块\n```\n\n# 八、表格\n| 姓名 | 文化衫尺寸 | 收货地址 |\n| :----- | :----: | -------: |\n| 张三 | S | 广州 |\n| 李四 | L | 深圳 |\n"
       }
}"##;

const SEED_IMAGE: &str = r##"{
    "msgtype": "image",
    "image": {
        "base64": "DATA",
        "md5": "MD5"
    }
}"##;

const SEED_NEWS: &str = r##"{
    "msgtype": "news",
    "news": {
       "articles" : [
           {
               "title" : "中秋节礼品领取",
               "description" : "今年中秋节公司有豪礼相送",
               "url" : "www.qq.com",
               "picurl" : "https://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png"
           }
        ]
    }
}"##;

const SEED_FILE: &str = r##"{
    "msgtype": "file",
    "file": {
        "media_id": "3a8asd892asd8asd"
    }
}"##;

const SEED_VOICE: &str = r##"{
    "msgtype": "voice",
    "voice": {
        "media_id": "MEDIA_ID"
    }
}"##;

const SEED_TEXT_NOTICE: &str = r##"{
    "msgtype":"template_card",
    "template_card":{
        "card_type":"text_notice",
        "source":{
            "icon_url":"https://wework.qpic.cn/wwpic/252813_jOfDHtcISzuodLa_1629280209/0",
            "desc":"企业微信",
            "desc_color":0
        },
        "main_title":{
            "title":"欢迎使用企业微信",
            "desc":"您的好友正在邀请您加入企业微信"
        },
        "emphasis_content":{
            "title":"100",
            "desc":"数据含义"
        },
        "quote_area":{
            "type":1,
            "url":"https://work.weixin.qq.com/?from=openApi",
            "appid":"APPID",
            "pagepath":"PAGEPATH",
            "title":"引用文本标题",
            "quote_text":"Jack:企业微信真的很好用~\nBalian:超级好的一款软件!"
        },
        "sub_title_text":"下载企业微信还能抢红包!",
        "horizontal_content_list":[
            {
                "keyname":"邀请人",
                "value":"张三"
            },
            {
                "keyname":"企微官网",
                "value":"点击访问",
                "type":1,
                "url":"https://work.weixin.qq.com/?from=openApi"
            },
            {
                "keyname":"企微下载",
                "value":"企业微信.apk",
                "type":2,
                "media_id":"MEDIAID"
            }
        ],
        "jump_list":[
            {
                "type":1,
                "url":"https://work.weixin.qq.com/?from=openApi",
                "title":"企业微信官网"
            },
            {
                "type":2,
                "appid":"APPID",
                "pagepath":"PAGEPATH",
                "title":"跳转小程序"
            }
        ],
        "card_action":{
            "type":1,
            "url":"https://work.weixin.qq.com/?from=openApi",
            "appid":"APPID",
            "pagepath":"PAGEPATH"
        }
    }
}"##;

const SEED_NEWS_NOTICE: &str = r##"{
    "msgtype":"template_card",
    "template_card":{
        "card_type":"news_notice",
        "source":{
            "icon_url":"https://wework.qpic.cn/wwpic/252813_jOfDHtcISzuodLa_1629280209/0",
            "desc":"企业微信",
            "desc_color":0
        },
        "main_title":{
            "title":"欢迎使用企业微信",
            "desc":"您的好友正在邀请您加入企业微信"
        },
        "card_image":{
            "url":"https://wework.qpic.cn/wwpic/354393_4zpkKXd7SrGMvfg_1629280616/0",
            "aspect_ratio":2.25
        },
        "image_text_area":{
            "type":1,
            "url":"https://work.weixin.qq.com",
            "title":"欢迎使用企业微信",
            "desc":"您的好友正在邀请您加入企业微信",
            "image_url":"https://wework.qpic.cn/wwpic/354393_4zpkKXd7SrGMvfg_1629280616/0"
        },
        "quote_area":{
            "type":1,
            "url":"https://work.weixin.qq.com/?from=openApi",
            "appid":"APPID",
            "pagepath":"PAGEPATH",
            "title":"引用文本标题",
            "quote_text":"Jack:企业微信真的很好用~\nBalian:超级好的一款软件!"
        },
        "vertical_content_list":[
            {
                "title":"惊喜红包等你来拿",
                "desc":"下载企业微信还能抢红包!"
            }
        ],
        "horizontal_content_list":[
            {
                "keyname":"邀请人",
                "value":"张三"
            },
            {
                "keyname":"企微官网",
                "value":"点击访问",
                "type":1,
                "url":"https://work.weixin.qq.com/?from=openApi"
            },
            {
                "keyname":"企微下载",
                "value":"企业微信.apk",
                "type":2,
                "media_id":"MEDIAID"
            }
        ],
        "jump_list":[
            {
                "type":1,
                "url":"https://work.weixin.qq.com/?from=openApi",
                "title":"企业微信官网"
            },
            {
                "type":2,
                "appid":"APPID",
                "pagepath":"PAGEPATH",
                "title":"跳转小程序"
            }
        ],
        "card_action":{
            "type":1,
            "url":"https://work.weixin.qq.com/?from=openApi",
            "appid":"APPID",
            "pagepath":"PAGEPATH"
        }
    }
}"##;
