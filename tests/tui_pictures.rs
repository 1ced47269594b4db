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
use wecom_composer::tui::attach;
use wecom_composer::tui::msg::{Effect, Msg};
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
    // The runtime's quiet period after the last key (the link is in the
    // raw JSON being typed, so it waits for it).
    let generation = h.app.preview_state.links.generation;
    h.send(Msg::LinksQuiet(generation));
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

/// A harness whose picture service draws in half blocks, and a receiver
/// woken whenever a picture became ready or failed.
fn with_pictures(h: &mut Harness) -> (mpsc::Receiver<()>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    h.app.services.pictures = Some(Arc::new(Pictures::new(
        Picker::halfblocks(),
        Options {
            remote: false,
            cache_dir: dir.path().join("pictures"),
        },
        Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        }),
    )));
    (rx, dir)
}

/// An image draft of `path`, checked as the runtime checks it.
fn image_draft(h: &mut Harness, path: &str) {
    h.choose_kind(MessageKind::Image);
    h.take_effects();
    h.send(Msg::Paste(path.to_owned())).send_key(KeyCode::Enter);
    for effect in h.take_effects() {
        if let Effect::CheckAttachment { key, path, .. } = effect {
            let state = attach::inspect(&path, key.kind);
            h.send(Msg::AttachmentChecked { key, path, state });
        }
    }
}

/// The screen once `settled` holds (or 20 s passed).
fn settled_screen(
    h: &Harness,
    wakes: &mpsc::Receiver<()>,
    settled: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = h.screen();
        if settled(&shown) || Instant::now() > deadline {
            return shown;
        }
        let _ = wakes.recv_timeout(Duration::from_millis(200));
    }
}

/// The preview pane's rows: right of the focused editor's border.
fn preview_pane(shown: &str) -> Vec<&str> {
    shown
        .lines()
        .filter_map(|l| l.rsplit_once("┃│").map(|(_, right)| right))
        .collect()
}

#[test]
fn an_image_draft_shows_its_picture_in_the_preview_with_its_proportions() {
    let mut h = Harness::new(config_with_robots());
    let (wakes, _dir) = with_pictures(&mut h);
    image_draft(
        &mut h,
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png"),
    );
    let shown = settled_screen(&h, &wakes, |s| s.contains('▀') || s.contains('▄'));
    let preview = preview_pane(&shown);
    assert!(preview.len() > 10, "{shown}");
    let picture: Vec<&&str> = preview
        .iter()
        .filter(|l| l.contains('▀') || l.contains('▄'))
        .collect();
    // sample.png is 120×60 pixels, 2:1. The preview is 45 cells wide at
    // 120 columns; a cell is 10×20 pixels to half blocks, so the picture is
    // 450 px wide and 225 px high: 11¼ rows, drawn on 12 (not the 23 rows
    // the pane has below the caption).
    assert_eq!(picture.len(), 12, "{shown}");
    assert!(
        picture.iter().all(|l| l.matches('▀').count() == 45),
        "{shown}"
    );
    assert!(
        !shown.contains('░'),
        "the placeholder is still drawn:\n{shown}"
    );
    assert!(shown.contains("sample.png · PNG 120×60"), "{shown}");
    insta::assert_snapshot!("image_draft_picture", preview.join("\n"));
}

#[test]
fn an_image_draft_whose_file_went_away_says_why_in_the_picture_box() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png"),
        &path,
    )
    .unwrap();
    let mut h = Harness::new(config_with_robots());
    let (wakes, _pictures) = with_pictures(&mut h);
    image_draft(&mut h, path.to_str().unwrap());
    // Checked and ready to send, then removed before the picture was read.
    std::fs::remove_file(&path).unwrap();
    let shown = settled_screen(&h, &wakes, |s| s.contains("picture not shown"));
    assert!(shown.contains("picture not shown: no such file"), "{shown}");
    assert!(shown.contains('░'), "{shown}");
}

/// Moves the form's cursor to the row at `path` with ↑/↓.
fn goto(h: &mut Harness, path: &str) {
    use wecom_composer::tui::form::path_string;
    for _ in 0..200 {
        let form = h.app.composition().unwrap().form.as_ref().unwrap();
        let rows = form.rows();
        let target = rows
            .iter()
            .position(|r| path_string(form.kind, &r.path) == path)
            .unwrap_or_else(|| panic!("no row {path}"));
        if form.cursor == target {
            return;
        }
        let down = form.cursor < target;
        h.send_key(if down { KeyCode::Down } else { KeyCode::Up });
    }
    panic!("could not reach {path}");
}

/// Serves `assets/sample.png`, counting the requests by path.
fn serve_counted() -> (u16, Arc<Mutex<Vec<String>>>) {
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.png")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 2048];
            let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            log.lock().unwrap().push(path);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                png.len()
            );
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.write_all(&png);
        }
    });
    (port, seen)
}

#[test]
fn a_link_typed_in_the_form_is_fetched_once_when_the_field_is_left() {
    let (port, seen) = serve_counted();
    let dir = tempfile::tempdir().unwrap();
    let (tx, wakes) = mpsc::channel();
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
    h.choose_kind(MessageKind::NewsNotice);
    goto(&mut h, "template_card.card_image.url");
    let url = format!("http://127.0.0.1:{port}/pic.png");
    // Typed key by key, each frame drawn as the runtime draws it.
    for (i, c) in url.char_indices() {
        h.send_key(KeyCode::Char(c));
        let typed = &url[..i + c.len_utf8()];
        let _ = h.screen();
        assert!(
            !h.app.preview_state.links.may_fetch(typed),
            "{typed} may be fetched while typed"
        );
    }
    assert!(
        h.effects.iter().any(|e| matches!(e, Effect::LinksQuiet(_))),
        "no quiet period was asked for"
    );
    // Leaving the field: the link is done.
    h.send_key(KeyCode::Down);
    assert!(h.app.preview_state.links.may_fetch(&url));
    let shown = settled_screen(&h, &wakes, |s| s.contains('▀'));
    assert!(shown.contains('▀'), "{shown}");
    assert_eq!(*seen.lock().unwrap(), vec!["/pic.png".to_owned()]);
}

#[test]
fn a_link_left_alone_for_the_quiet_period_may_be_fetched_and_a_stale_period_does_nothing() {
    let mut h = Harness::new(config_with_robots());
    h.choose_kind(MessageKind::NewsNotice);
    goto(&mut h, "template_card.card_image.url");
    h.take_effects();
    h.send_text("http://127.0.0.1:9/a.png");
    let asked: Vec<u64> = h
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::LinksQuiet(g) => Some(g),
            _ => None,
        })
        .collect();
    // One quiet period per change, each newer than the last.
    assert!(
        asked.len() > 1 && asked.windows(2).all(|w| w[0] < w[1]),
        "{asked:?}"
    );
    let url = "http://127.0.0.1:9/a.png";
    h.send(Msg::LinksQuiet(asked[0]));
    assert!(!h.app.preview_state.links.may_fetch(url));
    h.send(Msg::LinksQuiet(*asked.last().unwrap()));
    assert!(h.app.preview_state.links.may_fetch(url));
}
