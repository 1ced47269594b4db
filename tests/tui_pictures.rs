//! Pictures in the preview: a news_notice card whose `card_image.url` is
//! served on 127.0.0.1 is drawn in half blocks in the card's box; with
//! nothing listening there, the box says why (snapshots, read by eye).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::*;
use ratatui::crossterm::event::KeyCode;
use ratatui_image::picker::Picker;
use wecom_composer::picture::{Options, Pictures};
use wecom_composer::wecom::MessageKind;

/// Serves `assets/sample.png` to every connection; returns the port.
fn serve_sample() -> u16 {
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 2048];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                png.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&png);
        }
    });
    port
}

fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The card's preview once the picture service has settled.
fn card_with_picture(port: u16, settled: impl Fn(&str) -> bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut h = Harness::new(config_with_robots());
    h.app.services.pictures = Some(Arc::new(Pictures::new(
        Picker::halfblocks(),
        Options {
            remote: true,
            cache_dir: dir.path().join("pictures"),
        },
        Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        }),
    )));
    let json = format!(
        r#"{{"msgtype":"template_card","template_card":{{"card_type":"news_notice","main_title":{{"title":"部署完成"}},"card_image":{{"url":"http://127.0.0.1:{port}/pic.png","aspect_ratio":2.25}},"card_action":{{"type":1,"url":"https://work.weixin.qq.com"}}}}}}"#
    );
    h.choose_kind(MessageKind::NewsNotice)
        .send_key(KeyCode::F(9))
        .send_ctrl('a')
        .send_text(&json);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = h.screen();
        if settled(&shown) || Instant::now() > deadline {
            return shown;
        }
        let _ = rx.recv_timeout(Duration::from_millis(200));
    }
}

#[test]
fn a_card_picture_served_locally_is_drawn_in_half_blocks() {
    let shown = card_with_picture(serve_sample(), |s| s.contains('▀'));
    let rows = shown.lines().filter(|l| l.contains('▀')).count();
    // The box of a 2.25:1 picture in a card 44 cells wide: 10 rows (as
    // the placeholder had), every one of them drawn.
    assert!(rows >= 8, "{rows} rows of picture:\n{shown}");
    assert!(
        !shown.contains('░'),
        "the placeholder is still drawn:\n{shown}"
    );
}

#[test]
fn a_card_picture_that_cannot_be_fetched_says_why() {
    let shown = card_with_picture(unused_port(), |s| s.contains("not fetched"));
    assert!(shown.contains("not fetched: connection refused"), "{shown}");
    assert!(shown.contains('░'), "{shown}");
    // The preview pane only: the editor beside it holds the test's random
    // port.
    let preview: Vec<&str> = shown
        .lines()
        .filter_map(|l| l.rsplit_once("┃│").map(|(_, right)| right))
        .collect();
    assert!(preview.len() > 10, "{shown}");
    insta::assert_snapshot!("card_picture_not_fetched", preview.join("\n"));
}
