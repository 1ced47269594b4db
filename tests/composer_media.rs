//! The composer's file and voice sends go through the delivery engine
//! (issue 9): the upload first, then the `file` message through the outbox,
//! the rate ledger and the history. Over real HTTP to the in-process
//! sandbox on 127.0.0.1, with a real SQLite file in a temporary directory,
//! by the function the composer's `send_media` calls.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;
use wecom_composer::delivery::media::{UploadProgress, media_item};
use wecom_composer::delivery::{Engine, RetryPolicy};
use wecom_composer::sandbox::{Record, Sandbox, SandboxConfig};
use wecom_composer::store::db::{DB_FILE, Db};
use wecom_composer::store::history::{HistoryQuery, HistoryStatus};
use wecom_composer::store::ledger::Rate;
use wecom_composer::tui::deliver::deliver_item;
use wecom_composer::tui::msg::{Msg, SendOutcome};
use wecom_composer::wecom::client::{Client, ClientConfig, Progress};
use wecom_composer::wecom::media::MediaKind;
use wecom_composer::wecom::{Key, Webhook};

const KEY: &str = "fake-key-0000-composer-media";

struct Setup {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    engine: Engine,
    webhook: Webhook,
    file: std::path::PathBuf,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SandboxConfig {
        keys: vec![KEY.into()],
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox");
    let base: Url = sandbox.base_url();
    let webhook = Webhook::new(&base, Key::new(KEY).expect("key"));
    let db = Db::open(&dir.path().join(DB_FILE)).expect("store");
    let client = Client::new(ClientConfig::default()).expect("client");
    let engine = Engine::new(
        Arc::new(db),
        client,
        Rate::default(),
        RetryPolicy::default(),
    );
    let file = dir.path().join("report.txt");
    // Over 5 bytes (the documented minimum), several upload pieces.
    std::fs::write(&file, "quarterly report\n".repeat(20_000)).expect("file");
    Setup {
        _dir: dir,
        sandbox,
        engine,
        webhook,
        file,
    }
}

/// Sends the file as the composer does; returns the outcome and the bytes
/// the progress callback saw last.
async fn send_file(s: &Setup, id: u64) -> (Option<SendOutcome>, Option<Progress>) {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let seen = Arc::new(Mutex::new(None));
    let progress: UploadProgress = {
        let seen = Arc::clone(&seen);
        Arc::new(move |p: Progress| *seen.lock().expect("lock") = Some(p))
    };
    let item = media_item("ops", &s.webhook, &s.file, MediaKind::File);
    let outcome = deliver_item(
        &s.engine,
        id,
        item,
        &s.webhook,
        &tx,
        &CancellationToken::new(),
        Some(progress),
    )
    .await;
    let last = *seen.lock().expect("lock");
    (outcome, last)
}

/// The ten newest history entries of the setup's store.
fn recent_history(s: &Setup) -> Vec<wecom_composer::store::history::HistoryEntry> {
    s.engine
        .history()
        .list(&HistoryQuery {
            limit: 10,
            ..HistoryQuery::default()
        })
        .expect("history")
}

fn uploads(sb: &Sandbox) -> usize {
    sb.records()
        .iter()
        .filter(|r| matches!(r, Record::Upload { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_from_the_composer_is_in_the_history_and_its_second_send_reuses_the_upload() {
    let s = setup().await;
    let size = std::fs::metadata(&s.file).expect("size").len();

    let (first, progress) = send_file(&s, 1).await;
    let Some(SendOutcome::Sent { note, .. }) = &first else {
        panic!("first send: {first:?}");
    };
    assert_eq!(note.as_deref(), Some("Uploaded, then sent."));
    let progress = progress.expect("the upload reported progress");
    assert_eq!(progress.sent, progress.total, "the last report is the end");
    assert!(progress.total >= size, "{progress:?} for {size} bytes");

    let (second, progress) = send_file(&s, 2).await;
    let Some(SendOutcome::Sent { note, .. }) = &second else {
        panic!("second send: {second:?}");
    };
    assert!(
        note.as_deref().is_some_and(|n| n.contains("no upload")),
        "{note:?}"
    );
    assert_eq!(progress, None, "nothing uploaded, so no progress");

    // One upload in the sandbox, two file messages with its media_id.
    assert_eq!(uploads(&s.sandbox), 1);
    let messages = s.sandbox.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let media_ids: Vec<&Value> = messages.iter().map(|m| &m["file"]["media_id"]).collect();
    assert_eq!(messages[0]["msgtype"], "file");
    assert!(media_ids[0].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(media_ids[0], media_ids[1]);

    // Both in the history as sent `file` messages, the outbox empty.
    let history = recent_history(&s);
    assert_eq!(history.len(), 2, "{history:#?}");
    for entry in &history {
        assert_eq!(entry.status, HistoryStatus::Sent);
        assert_eq!(entry.msgtype, "file");
        assert_eq!(entry.robot_name, "ops");
        assert_eq!(entry.errcode, Some(0));
        let payload: Value = serde_json::from_str(&entry.payload).expect("payload json");
        assert_eq!(&payload["file"]["media_id"], media_ids[0]);
    }
    assert_eq!(s.engine.outbox().list().expect("outbox"), vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_upload_sends_nothing_and_leaves_a_cancelled_entry() {
    let s = setup().await;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let stop = CancellationToken::new();
    stop.cancel();
    let item = media_item("ops", &s.webhook, &s.file, MediaKind::File);
    let outcome = deliver_item(&s.engine, 1, item, &s.webhook, &tx, &stop, None).await;
    assert_eq!(outcome, None, "stopped by the user: no outcome to show");
    assert!(s.sandbox.records().is_empty(), "{:?}", s.sandbox.records());
    assert_eq!(s.engine.outbox().list().expect("outbox"), vec![]);
    let history = recent_history(&s);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, HistoryStatus::Cancelled);
}
