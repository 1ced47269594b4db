//! Image, file and voice: the composer's attachment flow driven by messages
//! (with the background checks run for real), snapshots of the conversion
//! offer and of an upload in progress, and the shared upload-or-reuse engine
//! against the sandbox over HTTP.

mod common;

use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::*;
use ratatui::crossterm::event::KeyCode;
use tokio_util::sync::CancellationToken;
use wecom_composer::sandbox::{Record, Sandbox, SandboxConfig};
use wecom_composer::store::config::Config;
use wecom_composer::store::media_cache::MediaCache;
use wecom_composer::tui::app::App;
use wecom_composer::tui::attach::{self, AttachState};
use wecom_composer::tui::msg::{Effect, Msg, UploadProgress};
use wecom_composer::tui::update;
use wecom_composer::wecom::attach::send_media;
use wecom_composer::wecom::client::{Client, ClientConfig};
use wecom_composer::wecom::media::{self, ImageFormat, MediaKind};
use wecom_composer::wecom::{Key, MessageKind, Webhook, convert};

/// A picture of `w`×`h` noise-like pixels (compresses badly, like a photo).
fn pixels(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let v = x
            .wrapping_mul(2_654_435_761)
            .wrapping_add(y.wrapping_mul(40_503))
            ^ (x * y);
        image::Rgb([
            (v & 0xFF) as u8,
            ((v >> 8) & 0xFF) as u8,
            ((v >> 16) & 0xFF) as u8,
        ])
    })
}

fn encode(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn open(kind: MessageKind) -> App {
    let mut app = app(Config::default());
    while app.kind != kind {
        update(&mut app, ctrl('t'));
    }
    app
}

/// Runs the effects the way the runtime does, for attachment checks.
fn run_checks(app: &mut App, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::CheckAttachment { key, path, convert } = effect {
            let state = if convert {
                attach::convert(&path)
            } else {
                attach::inspect(&path, key.kind)
            };
            let more = update(app, Msg::AttachmentChecked { key, path, state });
            run_checks(app, more);
        }
    }
}

fn choose(app: &mut App, path: &str) {
    update(app, Msg::Paste(path.to_owned()));
    let fx = update(app, key(KeyCode::Enter));
    run_checks(app, fx);
}

fn state(app: &App) -> AttachState {
    app.composition()
        .and_then(|c| c.attachment.as_ref())
        .map(|a| a.state.clone())
        .expect("attachment")
}

#[test]
fn an_oversized_bmp_is_offered_conversion_and_then_sent_as_png_or_jpeg() {
    // A relative path (tests run in the package root), so the snapshot is
    // the same on every machine.
    std::fs::create_dir_all("target/test-files").expect("mkdir");
    let path = "target/test-files/photo.bmp";
    std::fs::write(path, encode(&pixels(1000, 800), image::ImageFormat::Bmp)).expect("write");
    let mut app = open(MessageKind::Image);
    choose(&mut app, path);
    let AttachState::ImageOffer(offer) = state(&app) else {
        panic!("{:?}", state(&app))
    };
    assert!(
        offer.description.starts_with("BMP 1000×800"),
        "{}",
        offer.description
    );
    assert!(
        app.derived.blocking_reason().is_some(),
        "not sendable as it is"
    );
    assert!(update(&mut app, ctrl('s')).is_empty());
    let shown = screen(&app, 110, 32);
    assert!(shown.contains("Ctrl-K converts it"), "{shown}");
    insta::assert_snapshot!("image_conversion_offer", shown);

    let fx = update(&mut app, ctrl('k'));
    run_checks(&mut app, fx);
    let AttachState::Image(ready) = state(&app) else {
        panic!("{:?}", state(&app))
    };
    assert!(
        ready.description.starts_with("converted BMP 1000×800 to "),
        "{}",
        ready.description
    );
    let message = app.derived.message.clone().expect("a message");
    let json = message.to_value();
    let bytes = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(json["image"]["base64"].as_str().expect("b64"))
            .expect("decode")
    };
    assert!(matches!(
        media::sniff_image(&bytes),
        Some(ImageFormat::Png | ImageFormat::Jpeg)
    ));
    assert!(bytes.len() as u64 <= 2 * 1024 * 1024);
    assert_eq!(
        json["image"]["md5"].as_str(),
        Some(media::md5_hex(&bytes).as_str())
    );
    assert!(matches!(
        update(&mut app, ctrl('s')).first(),
        Some(Effect::Send { .. })
    ));
}

#[test]
fn a_file_upload_in_progress_shows_bytes_percent_and_rate_and_esc_cancels() {
    let mut app = open(MessageKind::File);
    choose(&mut app, "assets/sample.txt");
    assert!(
        matches!(state(&app), AttachState::Upload(_)),
        "{:?}",
        state(&app)
    );
    let fx = update(&mut app, ctrl('s'));
    let Some(Effect::SendMedia { id, kind, path, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(*kind, MediaKind::File);
    assert!(path.ends_with("assets/sample.txt"));
    let id = *id;
    const MIB: u64 = 1024 * 1024;
    update(
        &mut app,
        Msg::UploadAdvanced {
            id,
            progress: UploadProgress {
                sent_bytes: 13 * MIB,
                total_bytes: 20 * MIB,
                bytes_per_second: 8.5 * MIB as f64,
            },
        },
    );
    let shown = screen(&app, 110, 32);
    assert!(
        shown.contains(" 65% 13.0 / 20.0 MiB · 8.5 MiB/s"),
        "{shown}"
    );
    insta::assert_snapshot!("upload_in_progress", shown);
    let fx = update(&mut app, key(KeyCode::Esc));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::CancelSend { id: c } if *c == id))
    );
    assert!(app.upload.is_none());
}

#[test]
fn a_voice_clip_that_is_not_amr_is_refused_before_any_upload() {
    let mut app = open(MessageKind::Voice);
    choose(
        &mut app,
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.txt"),
    );
    let AttachState::Upload(facts) = state(&app) else {
        panic!("{:?}", state(&app))
    };
    assert!(facts.problems.iter().any(|p| p.message.contains("AMR")));
    assert!(update(&mut app, ctrl('s')).is_empty());
    assert!(app.status.text.contains("Not sent"), "{}", app.status.text);
    // Clear the field (as Ctrl-A Ctrl-K would), then Enter.
    if let Some(c) = app.composition_mut() {
        c.replace(wecom_composer::tui::compose::FieldId::Path, "");
    }
    let fx = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(fx.first(), Some(Effect::ListDir(_))),
        "Enter on an empty path opens the browser: {fx:?}"
    );
}

// ---------------------------------------------------------------- over HTTP

fn sandbox_webhook(sb: &Sandbox, key: &str) -> Webhook {
    Webhook::new(&sb.base_url(), Key::new(key).expect("key"))
}

fn uploads(sb: &Sandbox) -> usize {
    sb.records()
        .iter()
        .filter(|r| matches!(r, Record::Upload { .. }))
        .count()
}

#[tokio::test]
async fn a_second_send_of_the_same_file_reuses_the_media_id_and_another_robot_uploads_again() {
    let keys = ["fake-key-0000-attach-one", "fake-key-0000-attach-two"];
    let sb = Sandbox::start(
        SandboxConfig {
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Arc::new(Mutex::new(MediaCache::load(
        dir.path().join("media-cache.json"),
    )));
    let client = Client::new(ClientConfig::default()).expect("client");
    let file = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample.amr"));
    let one = sandbox_webhook(&sb, keys[0]);
    let two = sandbox_webhook(&sb, keys[1]);

    let first = send_media(
        &client,
        cache.clone(),
        &one,
        file,
        MediaKind::Voice,
        |_| {},
        CancellationToken::new(),
    )
    .await
    .expect("first");
    assert_eq!(first.reused_age_secs, None);
    assert_eq!(uploads(&sb), 1);
    let second = send_media(
        &client,
        cache.clone(),
        &one,
        file,
        MediaKind::Voice,
        |_| {},
        CancellationToken::new(),
    )
    .await
    .expect("second");
    assert!(second.reused_age_secs.is_some(), "reused");
    assert_eq!(second.media_id, first.media_id);
    assert_eq!(uploads(&sb), 1, "no second upload");
    let other = send_media(
        &client,
        cache.clone(),
        &two,
        file,
        MediaKind::Voice,
        |_| {},
        CancellationToken::new(),
    )
    .await
    .expect("other robot");
    assert_eq!(other.reused_age_secs, None, "never across robots");
    assert_ne!(other.media_id, first.media_id);
    assert_eq!(uploads(&sb), 2);
    // The cache survives a restart of the app (it is saved), and holds no key.
    // The cache lives in wecom.db now (its WAL holds the latest writes).
    let saved: String = ["wecom.db", "wecom.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(dir.path().join(f)).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(!saved.is_empty(), "saved");
    assert!(!saved.contains(keys[0]) && !saved.contains(keys[1]));
    let reloaded = Arc::new(Mutex::new(MediaCache::load(
        dir.path().join("media-cache.json"),
    )));
    let third = send_media(
        &client,
        reloaded,
        &one,
        file,
        MediaKind::Voice,
        |_| {},
        CancellationToken::new(),
    )
    .await
    .expect("third");
    assert!(third.reused_age_secs.is_some());
    assert_eq!(sb.messages().len(), 4);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_converted_webp_is_accepted_by_the_sandbox() {
    let webp = {
        let img = pixels(300, 200);
        let mut out = Cursor::new(Vec::new());
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .encode(img.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
            .expect("webp");
        out.into_inner()
    };
    assert_eq!(media::sniff_image(&webp), Some(ImageFormat::WebP));
    let sb = Sandbox::start(
        SandboxConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("sandbox");
    let hook = sandbox_webhook(&sb, wecom_composer::sandbox::DEMO_KEY);
    let client = Client::new(ClientConfig::default()).expect("client");
    // As it is, WeCom (the sandbox) refuses a WebP: errcode 40005.
    let err = client
        .send_raw(&hook, media::image_message(&webp).to_json())
        .await
        .expect_err("webp refused");
    assert!(err.to_string().contains("40005"), "{err}");
    let converted = convert::to_acceptable(&webp).expect("convert");
    assert!(converted.changed);
    client
        .send(&hook, &media::image_message(&converted.bytes))
        .await
        .expect("converted accepted");
    assert_eq!(sb.messages().len(), 1);
    sb.shutdown().await;
}
