//! The servers' connection limits (`wecom_composer::http_server`), over raw
//! TCP on 127.0.0.1: a client that never finishes its request head, one that
//! keeps an idle connection, one whose body stops half way are all cut,
//! while normal requests keep being served. Also the relay's answer to a GET.
//!
//! The timeouts are short (1 s) so the tests are quick; every wait for the
//! server to act has a generous deadline, never an exact time.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use wecom_composer::http_server::ServerTimeouts;
use wecom_composer::relay::{Relay, RelayConfig};
use wecom_composer::sandbox::{DEMO_KEY, Sandbox, SandboxConfig};
use wecom_composer::store::config::ConfigStore;

const SHORT: ServerTimeouts = ServerTimeouts {
    header_read: Duration::from_secs(1),
    body_stall: Duration::from_secs(1),
    write_stall: Duration::from_secs(1),
};

/// How long a test waits for the server to close a connection: many times
/// the timeout, so a loaded machine does not fail the test.
const DEADLINE: Duration = Duration::from_secs(20);

async fn sandbox() -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            timeouts: SHORT,
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox starts")
}

/// Reads until the server closes the connection (EOF or reset); fails the
/// test if it is still open after [`DEADLINE`]. Returns what was read.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(DEADLINE, read_all)
        .await
        .unwrap_or_else(|_| panic!("the server kept the connection open for {DEADLINE:?}"));
    got
}

/// A normal send on a fresh client: served while slow clients hang about.
async fn normal_send(sb: &Sandbox) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let answer: Value = client
        .post(sb.webhook_url(DEMO_KEY))
        .body(json!({"msgtype": "text", "text": {"content": "normal"}}).to_string())
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["errcode"], 0, "{answer}");
}

#[tokio::test]
async fn a_head_sent_a_line_at_a_time_is_cut_while_others_are_served() {
    let sb = sandbox().await;
    let mut slow = TcpStream::connect(sb.addr()).await.expect("connect");
    let request_line = format!("POST /cgi-bin/webhook/send?key={DEMO_KEY} HTTP/1.1\r\n");
    slow.write_all(request_line.as_bytes())
        .await
        .expect("write");
    // One header line every 300 ms, for longer than the header timeout:
    // bytes keep coming, but the head never ends.
    let trickle = async {
        for i in 0..100 {
            if slow
                .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        false
    };
    let (cut, ()) = tokio::join!(trickle, normal_send(&sb));
    assert!(
        cut,
        "the server read 100 header lines over 30 s without cutting"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let sb = sandbox().await;
    let mut silent = TcpStream::connect(sb.addr()).await.expect("connect");
    normal_send(&sb).await;
    until_closed(&mut silent).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_its_answer() {
    let sb = sandbox().await;
    let mut conn = TcpStream::connect(sb.addr()).await.expect("connect");
    let body = json!({"msgtype": "text", "text": {"content": "kept alive"}}).to_string();
    let request = format!(
        "POST /cgi-bin/webhook/send?key={DEMO_KEY} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.expect("write");
    // The answer comes, then the idle connection is closed.
    let got = String::from_utf8_lossy(&until_closed(&mut conn).await).into_owned();
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(got.contains(r#""errcode":0"#), "{got}");
    assert_eq!(sb.messages().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_body_that_stops_half_way_is_cut() {
    let sb = sandbox().await;
    let mut conn = TcpStream::connect(sb.addr()).await.expect("connect");
    let request = format!(
        "POST /cgi-bin/webhook/send?key={DEMO_KEY} HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 1000\r\n\r\n{{\"msgtype\":"
    );
    conn.write_all(request.as_bytes()).await.expect("write");
    normal_send(&sb).await;
    let got = String::from_utf8_lossy(&until_closed(&mut conn).await).into_owned();
    // If an answer comes first, it is WeCom-shaped and says what happened.
    if !got.is_empty() {
        assert!(got.contains("40058") && got.contains("stalled"), "{got}");
    }
    assert_eq!(sb.messages().len(), 1, "only the normal send was accepted");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_get_to_the_relay_is_405_with_a_json_body_saying_what_to_send() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = RelayConfig::new(ConfigStore::new(dir.path().join("config.toml")));
    // The test's own store, never the user's data directory.
    config.db = dir.path().join("wecom.db");
    let relay = Relay::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay starts");
    let code = "test-code-0001";
    let response = reqwest::Client::builder()
        .no_proxy()
        .timeout(DEADLINE)
        .build()
        .expect("client")
        .get(relay.notify_url(code))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let body: Value = response.json().await.expect("a JSON body");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("GET") && message.contains("POST /api/notify/{code}"),
        "{message}"
    );
    assert!(!message.contains(code), "the code is a secret: {message}");
    relay.shutdown().await;
}

/// A client that sends many requests at once (pipelined) and never reads
/// the answers, on a socket with a small receive buffer: once the answers
/// fill the buffers the server's writes wait, and after the write timeout
/// it closes the connection instead of holding it for good. The request
/// head timeout is long here, so only the write timeout can close it
/// before every answer is written.
#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_never_reads_its_answers_is_cut() {
    let sb = Sandbox::start(
        SandboxConfig {
            timeouts: ServerTimeouts {
                header_read: Duration::from_secs(600),
                ..SHORT
            },
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox starts");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small buffer");
    let stream = socket.connect(sb.addr()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    // Far more answers (a 404 with its JSON body each) than the socket
    // buffers of both ends hold.
    const REQUESTS: usize = 200_000;
    let request = b"GET /no-such-page HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
    let writing = tokio::spawn(async move {
        for _ in 0..REQUESTS / 1000 {
            let chunk = request.repeat(1000);
            if writer.write_all(&chunk).await.is_err() {
                break;
            }
        }
        writer
    });
    // Not reading for a while: well past the 1 s write timeout.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let read_all = async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(DEADLINE, read_all)
        .await
        .unwrap_or_else(|_| panic!("the server kept the connection open for {DEADLINE:?}"));
    writing.abort();
    let answers = got.windows(9).filter(|w| w == b"HTTP/1.1 ").count();
    assert!(answers > 0, "some answers were written before the stall");
    assert!(
        answers < REQUESTS,
        "{answers} answers: the connection was not cut"
    );
    // The server still serves others.
    normal_send(&sb).await;
}
