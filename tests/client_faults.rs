//! The client against misbehaving servers: throwaway listeners on 127.0.0.1
//! that write raw HTTP (or nothing at all). Every error is also checked for
//! the webhook key in its Display and Debug forms.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use wecom_composer::wecom::client::{Client, ClientConfig, Progress, SendError};
use wecom_composer::wecom::media::{AMR_MAGIC, MediaKind};
use wecom_composer::wecom::webhook::default_base;
use wecom_composer::wecom::{Message, Webhook};

const FAKE_KEY: &str = "fake-key-0000-leakcheck";

fn webhook(port: u16) -> Webhook {
    Webhook::parse(
        &format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key={FAKE_KEY}"),
        &default_base(),
    )
    .expect("test webhook parses")
}

fn client() -> Client {
    Client::new(ClientConfig {
        connect_timeout: Duration::from_secs(2),
        send_timeout: Duration::from_secs(5),
        upload_timeout: Duration::from_secs(5),
    })
    .expect("client builds")
}

/// Fails the test when the key shows in either form of the error.
fn assert_no_key(err: &SendError) {
    let shown = err.to_string();
    let debug = format!("{err:?}");
    if std::env::var_os("SHOW_ERRORS").is_some() {
        eprintln!("[{}] {shown}\n    {debug}", err.title());
    }
    assert!(!shown.contains(FAKE_KEY), "key in Display: {shown}");
    assert!(!debug.contains(FAKE_KEY), "key in Debug: {debug}");
    assert!(!err.title().is_empty());
}

/// Reads one HTTP/1.1 request (head, then a Content-Length body) and returns
/// its bytes. Returns what it has if the peer closes early.
async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return buf;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn response(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// What a throwaway server does with the one request it takes.
#[derive(Clone)]
enum Behaviour {
    /// Answers with these raw bytes.
    Answer(String),
    /// Waits this long before answering 200 ok.
    Slow(Duration),
    /// Reads the request, then closes without a word.
    Close,
    /// Answers 500 with the request line (which holds the key) as the body.
    EchoRequestLine,
}

/// Starts a server for one connection; the handle yields the request bytes.
async fn serve(behaviour: Behaviour) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let request = read_request(&mut stream).await;
        match behaviour {
            Behaviour::Answer(raw) => {
                let _ = stream.write_all(raw.as_bytes()).await;
            }
            Behaviour::Slow(delay) => {
                tokio::time::sleep(delay).await;
                let ok = response(
                    "200 OK",
                    "application/json",
                    r#"{"errcode":0,"errmsg":"ok"}"#,
                );
                let _ = stream.write_all(ok.as_bytes()).await;
            }
            Behaviour::Close => {}
            Behaviour::EchoRequestLine => {
                let line = String::from_utf8_lossy(&request)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let raw = response(
                    "500 Internal Server Error",
                    "text/plain",
                    &format!("bad request: {line}"),
                );
                let _ = stream.write_all(raw.as_bytes()).await;
            }
        }
        let _ = stream.shutdown().await;
        request
    });
    (port, handle)
}

async fn send_to(
    behaviour: Behaviour,
) -> Result<wecom_composer::wecom::client::Receipt, SendError> {
    let (port, _server) = serve(behaviour).await;
    client().send(&webhook(port), &Message::text("hello")).await
}

fn json_answer(body: &str) -> Behaviour {
    Behaviour::Answer(response("200 OK", "application/json", body))
}

#[tokio::test]
async fn errcode_zero_is_success() {
    let receipt = send_to(json_answer(r#"{"errcode":0,"errmsg":"ok"}"#))
        .await
        .expect("accepted");
    assert_eq!(receipt.errmsg, "ok");
}

#[tokio::test]
async fn the_request_is_json_posted_to_the_send_path() {
    let (port, server) = serve(json_answer(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    client()
        .send(&webhook(port), &Message::text("hello"))
        .await
        .expect("accepted");
    let request = String::from_utf8(server.await.expect("server")).expect("utf-8");
    assert!(
        request.starts_with(&format!(
            "POST /cgi-bin/webhook/send?key={FAKE_KEY} HTTP/1.1\r\n"
        )),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{request}"
    );
    assert!(
        request.ends_with(r#"{"msgtype":"text","text":{"content":"hello"}}"#),
        "{request}"
    );
}

#[tokio::test]
async fn slow_answer_times_out() {
    let (port, _server) = serve(Behaviour::Slow(Duration::from_secs(5))).await;
    let client = Client::new(ClientConfig {
        send_timeout: Duration::from_millis(300),
        ..ClientConfig::default()
    })
    .expect("client");
    let started = std::time::Instant::now();
    let err = client
        .send(&webhook(port), &Message::text("hello"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        matches!(&err, SendError::Timeout { host, after } if *after == Duration::from_millis(300) && host == &format!("127.0.0.1:{port}")),
        "{err:?}"
    );
    // The request was written: the server may have it, so it is not
    // retried on its own, and the message says so.
    assert!(err.may_have_been_delivered() && !err.is_retryable());
    assert!(err.to_string().contains("may have been delivered"), "{err}");
    assert_no_key(&err);
}

#[tokio::test]
async fn http_500_is_an_http_error() {
    let err = send_to(Behaviour::Answer(response(
        "500 Internal Server Error",
        "text/plain",
        "upstream exploded",
    )))
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SendError::Http { status: 500, snippet, .. } if snippet == "upstream exploded"),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_no_key(&err);
}

#[tokio::test]
async fn http_200_with_html_is_not_json() {
    let err = send_to(Behaviour::Answer(response(
        "200 OK",
        "text/html",
        "<html><body>Please log in to the Wi-Fi</body></html>",
    )))
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SendError::NotJson { status: 200, snippet } if snippet.contains("log in to the Wi-Fi")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_no_key(&err);
}

#[tokio::test]
async fn http_200_json_without_errcode_is_not_json() {
    let err = send_to(json_answer(r#"{"status":"ok"}"#))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::NotJson { status: 200, .. }),
        "{err:?}"
    );
    assert_no_key(&err);
}

#[tokio::test]
async fn closed_without_answer_is_connection_closed() {
    let err = send_to(Behaviour::Close).await.unwrap_err();
    assert!(
        matches!(&err, SendError::ConnectionClosed { .. }),
        "{err:?}"
    );
    assert!(err.may_have_been_delivered() && !err.is_retryable());
    assert_no_key(&err);
}

#[tokio::test]
async fn nothing_listening_is_connect() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let err = client()
        .send(&webhook(port), &Message::text("hello"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Connect { host, .. } if host == &format!("127.0.0.1:{port}")),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_no_key(&err);
}

#[tokio::test]
async fn rate_limit_is_refused_and_retryable_with_explanation_first() {
    // The errmsg quotes the key, as a careless proxy might: it must be masked.
    let body = format!(
        r#"{{"errcode":45009,"errmsg":"api freq out of limit, hint: [x], key {FAKE_KEY}"}}"#
    );
    let err = send_to(json_answer(&body)).await.unwrap_err();
    assert!(
        matches!(&err, SendError::Refused { errcode: 45009, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    let shown = err.to_string();
    let explanation = shown.find("20 messages").expect("explained");
    let server = shown
        .find("Server said: api freq out of limit")
        .expect("errmsg quoted");
    assert!(explanation < server, "{shown}");
    assert!(shown.contains("****heck"), "{shown}");
    assert_no_key(&err);
}

#[tokio::test]
async fn a_bad_key_is_refused_and_not_retryable() {
    let err = send_to(json_answer(
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SendError::Refused { errcode: 93000, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("Check the robot's key"));
    assert_no_key(&err);
}

#[tokio::test]
async fn an_echoed_key_is_masked_in_the_error() {
    let err = send_to(Behaviour::EchoRequestLine).await.unwrap_err();
    let SendError::Http {
        status: 500,
        snippet,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    // The server did echo the request line: the masked key proves it.
    assert!(
        snippet.contains("/cgi-bin/webhook/send?key=****heck"),
        "{snippet}"
    );
    assert_no_key(&err);
}

#[tokio::test]
async fn an_invalid_message_is_not_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let err = client()
        .send(&webhook(port), &Message::text(""))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Invalid(p) if !p.is_empty()),
        "{err:?}"
    );
    assert_no_request(&listener).await;
    assert_no_key(&err);
}

// ---------------------------------------------------------------- uploads

fn upload_answer() -> Behaviour {
    json_answer(
        r#"{"errcode":0,"errmsg":"ok","type":"file","media_id":"MEDIA-1","created_at":"1380000000"}"#,
    )
}

async fn assert_no_request(listener: &TcpListener) {
    let waited = tokio::time::timeout(Duration::from_millis(150), listener.accept()).await;
    assert!(waited.is_err(), "a request was made");
}

/// Uploads `path` as a file to the test server on `port`, without progress
/// or cancel.
async fn upload_file(
    port: u16,
    path: &std::path::Path,
) -> Result<wecom_composer::wecom::client::Uploaded, SendError> {
    client()
        .upload(
            &webhook(port),
            path,
            MediaKind::File,
            |_| {},
            CancellationToken::new(),
        )
        .await
}

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

#[tokio::test]
async fn upload_is_one_multipart_part_named_media_with_the_filename() {
    let (port, server) = serve(upload_answer()).await;
    let content = b"mytext and some more text".to_vec();
    let (_dir, path) = temp_file("周报 wework.txt", &content);
    let uploaded = upload_file(port, &path).await.expect("uploaded");
    assert_eq!(uploaded.media_id, "MEDIA-1");
    assert_eq!(uploaded.kind, MediaKind::File);
    assert_eq!(uploaded.created_at, 1_380_000_000);
    assert_eq!(uploaded.size, content.len() as u64);
    assert_eq!(uploaded.filename, "周报 wework.txt");

    let request = server.await.expect("server");
    let text = String::from_utf8_lossy(&request);
    assert!(
        text.starts_with(&format!(
            "POST /cgi-bin/webhook/upload_media?key={FAKE_KEY}&type=file HTTP/1.1\r\n"
        )),
        "{text}"
    );
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: multipart/form-data; boundary="),
        "{text}"
    );
    assert!(lower.contains("content-length: "), "not chunked: {text}");
    assert!(!lower.contains("transfer-encoding: chunked"), "{text}");
    assert_eq!(
        text.matches("Content-Disposition: form-data;").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(
            r#"Content-Disposition: form-data; name="media"; filename="周报 wework.txt""#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Content-Type: application/octet-stream\r\n\r\nmytext and some more text\r\n"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn upload_progress_reaches_the_total() {
    let (port, _server) = serve(upload_answer()).await;
    let content = vec![7u8; 300 * 1024];
    let (_dir, path) = temp_file("big.bin", &content);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client()
        .upload(
            &webhook(port),
            &path,
            MediaKind::File,
            move |p| sink.lock().expect("lock").push(p),
            CancellationToken::new(),
        )
        .await
        .expect("uploaded");
    let seen = seen.lock().expect("lock").clone();
    assert!(seen.len() > 1, "several chunks: {}", seen.len());
    assert!(seen.windows(2).all(|w| w[0].sent < w[1].sent), "increasing");
    assert!(seen.iter().all(|p| p.total == content.len() as u64));
    assert_eq!(seen.last().map(|p| p.sent), Some(content.len() as u64));
}

/// The cancel comes only once the server has read the whole request, so
/// the test sees a cancel of an upload that reached the server and was
/// waiting for its answer (not one that never connected).
#[tokio::test]
async fn upload_cancelled_before_the_answer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (arrived, arrival) = tokio::sync::oneshot::channel::<Vec<u8>>();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let request = read_request(&mut stream).await;
        let _ = arrived.send(request);
        // Never answers.
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let (_dir, path) = temp_file("notes.txt", b"some notes to upload");
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let watcher = tokio::spawn(async move {
        let request = arrival.await.ok();
        trigger.cancel();
        request
    });
    // The client's upload timeout (5 s) would end a cancel that never came
    // with a timeout, not Cancelled.
    let err = client()
        .upload(&webhook(port), &path, MediaKind::File, |_| {}, cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Cancelled), "{err:?}");
    let request = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .expect("the watcher ends")
        .expect("the watcher does not panic")
        .expect("the server read the request before the cancel");
    let text = String::from_utf8_lossy(&request);
    assert!(
        text.starts_with("POST /cgi-bin/webhook/upload_media?"),
        "{text}"
    );
    assert!(text.contains("some notes to upload"), "whole body: {text}");
    server.abort();
    assert_no_key(&err);
}

/// Seed 001's upload example names the size in the part's header:
/// `Content-Disposition: form-data; name="media";filename="wework.txt"; filelength=6`.
#[tokio::test]
async fn upload_names_the_filelength_as_seed_001_shows() {
    let (port, server) = serve(upload_answer()).await;
    let (_dir, path) = temp_file("wework.txt", b"mytext");
    upload_file(port, &path).await.expect("uploaded");
    let request = server.await.expect("server");
    let text = String::from_utf8_lossy(&request);
    let disposition = text
        .lines()
        .find(|l| l.starts_with("Content-Disposition: form-data;"))
        .unwrap_or_else(|| panic!("no Content-Disposition: {text}"));
    assert!(
        disposition.contains(r#"name="media""#) && disposition.contains(r#"filename="wework.txt""#),
        "{disposition}"
    );
    assert!(disposition.contains("filelength=6"), "{disposition}");
}

#[tokio::test]
async fn a_five_byte_file_is_rejected_locally() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (_dir, path) = temp_file("tiny.txt", b"12345");
    let err = upload_file(port, &path).await.unwrap_err();
    assert!(
        matches!(&err, SendError::UploadRejected(p) if !p.is_empty()),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 5 bytes"), "{err}");
    assert_no_request(&listener).await;
    assert_no_key(&err);
}

#[tokio::test]
async fn a_voice_clip_that_is_not_amr_is_rejected_locally() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (_dir, path) = temp_file("clip.amr", b"RIFF\0\0\0\0WAVEfmt not an amr file");
    let err = client()
        .upload(
            &webhook(port),
            &path,
            MediaKind::Voice,
            |_| {},
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, SendError::UploadRejected(_)), "{err:?}");
    assert!(err.to_string().contains("AMR"), "{err}");
    assert_no_request(&listener).await;
    assert_no_key(&err);

    // A real AMR header passes the local check and reaches the server.
    let (port, server) = serve(json_answer(
        r#"{"errcode":0,"errmsg":"ok","type":"voice","media_id":"V1","created_at":1380000000}"#,
    ))
    .await;
    let mut clip = AMR_MAGIC.to_vec();
    for _ in 0..10 {
        clip.push(0x3C);
        clip.extend([0u8; 31]);
    }
    let (_dir2, path) = temp_file("clip.amr", &clip);
    let uploaded = client()
        .upload(
            &webhook(port),
            &path,
            MediaKind::Voice,
            |_| {},
            CancellationToken::new(),
        )
        .await
        .expect("uploaded");
    assert_eq!(
        (uploaded.kind, uploaded.created_at),
        (MediaKind::Voice, 1_380_000_000)
    );
    assert!(
        String::from_utf8_lossy(&server.await.expect("server")).contains("&type=voice HTTP/1.1")
    );
}

#[tokio::test]
async fn a_missing_file_is_a_file_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = client()
        .upload(
            &webhook(9),
            &dir.path().join("absent.txt"),
            MediaKind::File,
            |_| {},
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, SendError::File { .. }), "{err:?}");
    assert_no_key(&err);
}

#[tokio::test]
async fn an_upload_refusal_is_explained() {
    let err = {
        let (port, _server) = serve(json_answer(
            r#"{"errcode":40006,"errmsg":"invalid file size"}"#,
        ))
        .await;
        let (_dir, path) = temp_file("a.txt", b"hello world");
        upload_file(port, &path).await.unwrap_err()
    };
    assert!(
        matches!(&err, SendError::Refused { errcode: 40006, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Server said: invalid file size"));
    assert_no_key(&err);
}
