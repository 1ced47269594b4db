//! The history view's queries over 100,000 entries: what one keystroke in
//! the view costs (a count, capped, and one page of rows), unfiltered, at a
//! deep offset, and filtered by text, robot and type. The composer's target
//! is at most 16 ms per keystroke.
//!
//! Run with `cargo bench --bench history`; the database (about 60 MB: one
//! entry in 20 is a small image) is built once in a temporary directory.

use std::sync::{Arc, OnceLock};

use divan::{Bencher, black_box};
use serde_json::json;
use wecom_composer::store::Db;
use wecom_composer::store::history::{
    History, HistoryEntry, HistoryFilter, HistoryStatus, PageStart,
};

/// Entries in the benchmark's history.
const ENTRIES: i64 = 100_000;
/// Rows on one screen of the history view.
const PAGE: usize = 40;
/// The view counts at most this many matches ("1000+"): a count goes on
/// reading rows until it reaches its cap.
const COUNT_CAP: usize = 1_000;

fn main() {
    divan::main();
}

fn entry(i: i64) -> HistoryEntry {
    let robot = ["ops", "qa", "beijing", "shanghai", "release"][(i % 5) as usize];
    let (msgtype, message) = match i % 20 {
        // A small picture: its base64 is never searched.
        0 => (
            "image",
            json!({"msgtype": "image", "image": {
                "base64": "QUJD".repeat(512),
                "md5": "0123456789abcdef0123456789abcdef",
            }}),
        ),
        1..=9 => (
            "markdown",
            json!({"msgtype": "markdown", "markdown": {"content": format!(
                "# 发布 {i} 完成\n> 环境:<font color=\"info\">生产</font>\n> 版本: v1.{}.{}\n> 负责人: <@zhangsan>\n详情见 [变更单](https://example.com/change/{i})",
                i % 97,
                i % 13
            )}}),
        ),
        _ => (
            "text",
            json!({"msgtype": "text", "text": {
                "content": format!("deploy {i} done on cluster-{} in {} s; all checks green", i % 7, i % 300),
                "mentioned_list": ["@all"],
            }}),
        ),
    };
    let payload = message.to_string();
    HistoryEntry {
        id: 0,
        time_ms: 1_780_000_000_000 + i * 1_000,
        robot_name: robot.into(),
        robot: format!("{:064x}", i % 5),
        msgtype: msgtype.into(),
        payload,
        status: if i % 50 == 0 {
            HistoryStatus::Refused
        } else {
            HistoryStatus::Sent
        },
        errcode: Some(if i % 50 == 0 { 40058 } else { 0 }),
        errmsg: Some("ok".into()),
        explanation: None,
        error: None,
        elapsed_ms: 30,
        waited_ms: 0,
        attempts: 1,
        batch: Some(format!("b{}", i / 3)),
        part: None,
        label: Some(msgtype.into()),
    }
}

/// The history of 100,000 entries, built once.
fn history() -> &'static History {
    static HISTORY: OnceLock<(tempfile::TempDir, History)> = OnceLock::new();
    let (_, history) = HISTORY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Arc::new(Db::open(&dir.path().join("wecom.db")).expect("db"));
        let history = History::new(db);
        for chunk in (0..ENTRIES).collect::<Vec<_>>().chunks(10_000) {
            let entries: Vec<HistoryEntry> = chunk.iter().map(|i| entry(*i)).collect();
            history.insert_all(&entries).expect("insert");
        }
        let size = std::fs::metadata(dir.path().join("wecom.db")).map_or(0, |m| m.len())
            + std::fs::metadata(dir.path().join("wecom.db-wal")).map_or(0, |m| m.len());
        eprintln!(
            "history: {ENTRIES} entries, database and WAL {} MB",
            size / 1_000_000
        );
        (dir, history)
    });
    history
}

/// One keystroke in the view: the count in the title and the rows shown.
fn keystroke(filter: &HistoryFilter, at: PageStart) -> (usize, usize) {
    let h = history();
    let count = h.count(filter, COUNT_CAP).expect("count");
    let rows = h.page(filter, at, PAGE).expect("page");
    (count, rows.len())
}

#[divan::bench]
fn newest_page(bencher: Bencher) {
    let filter = HistoryFilter::default();
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(0))));
}

#[divan::bench]
fn page_at_offset_50000(bencher: Bencher) {
    let filter = HistoryFilter::default();
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(50_000))));
}

#[divan::bench]
fn page_after_an_id_deep_down(bencher: Bencher) {
    let filter = HistoryFilter::default();
    let h = history();
    let id = h
        .page(&filter, PageStart::Offset(90_000), 1)
        .expect("page")
        .first()
        .map_or(1, |r| r.id);
    bencher.bench(|| black_box(keystroke(&filter, PageStart::After(id))));
}

/// Text found in 45 % of the entries: the count stops at its cap.
#[divan::bench]
fn text_filter_common(bencher: Bencher) {
    let filter = HistoryFilter::parse("deploy");
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(0))));
}

/// Text found in one entry: every row is read once (the slow case).
#[divan::bench]
fn text_filter_rare(bencher: Bencher) {
    let filter = HistoryFilter::parse("change/77777");
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(0))));
}

#[divan::bench]
fn robot_filter(bencher: Bencher) {
    let filter = HistoryFilter::parse("robot:beijing");
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(0))));
}

#[divan::bench]
fn type_and_status_filter(bencher: Bencher) {
    let filter = HistoryFilter::parse("type:markdown status:refused");
    bencher.bench(|| black_box(keystroke(&filter, PageStart::Offset(0))));
}
