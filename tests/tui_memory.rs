//! The History and Outbox screen: drawn with mixed outcomes (snapshots,
//! read by eye), moved through 100,000 entries reading only pages, and
//! filtered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::cell::Cell;

use chrono::FixedOffset;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wecom_composer::store::history::{HistoryEntry, HistoryRow, HistoryStatus};
use wecom_composer::store::outbox::{OutboxItem, OutboxState};
use wecom_composer::tui::memory::{
    MemoryScreen, MemoryView, Outcome, Pages, ScreenAction, Tab, summary,
};
use wecom_composer::tui::theme::Theme;

/// 2026-12-01 09:00:00 UTC.
const T0: i64 = 1_764_579_600_000;

fn entry(id: i64, robot: &str, status: HistoryStatus, content: &str) -> HistoryEntry {
    HistoryEntry {
        id,
        time_ms: T0 + id * 60_000,
        robot_name: robot.to_owned(),
        robot: "fingerprint".to_owned(),
        msgtype: "markdown".to_owned(),
        payload: serde_json::json!({"msgtype": "markdown", "markdown": {"content": content}})
            .to_string(),
        status,
        errcode: match status {
            HistoryStatus::Sent => Some(0),
            HistoryStatus::Refused => Some(93000),
            _ => None,
        },
        errmsg: None,
        explanation: None,
        error: None,
        elapsed_ms: 12,
        waited_ms: 0,
        attempts: 1,
        batch: None,
        part: None,
        label: None,
    }
}

/// Entries newest first, counting how many rows each read returns.
struct Vector {
    entries: Vec<HistoryEntry>,
    rows_read: Cell<usize>,
}

impl Pages for Vector {
    fn count(&self, filter: &str) -> Result<usize, String> {
        Ok(self.entries.iter().filter(|e| matches(e, filter)).count())
    }
    fn page(&self, filter: &str, offset: usize, limit: usize) -> Result<Vec<HistoryRow>, String> {
        let rows: Vec<HistoryRow> = self
            .entries
            .iter()
            .filter(|e| matches(e, filter))
            .skip(offset)
            .take(limit)
            .map(row)
            .collect();
        self.rows_read.set(self.rows_read.get() + rows.len());
        Ok(rows)
    }
    fn entry(&self, id: i64) -> Result<Option<HistoryEntry>, String> {
        Ok(self.entries.iter().find(|e| e.id == id).cloned())
    }
    fn batch(&self, batch: &str) -> Result<Vec<HistoryRow>, String> {
        let mut rows: Vec<HistoryRow> = self
            .entries
            .iter()
            .filter(|e| e.batch.as_deref() == Some(batch))
            .map(row)
            .collect();
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }
}

fn row(e: &HistoryEntry) -> HistoryRow {
    HistoryRow {
        id: e.id,
        time_ms: e.time_ms,
        robot_name: e.robot_name.clone(),
        msgtype: e.msgtype.clone(),
        status: e.status,
        errcode: e.errcode,
        batch: e.batch.clone(),
        part: e.part.clone(),
        first_line: summary(&e.payload),
    }
}

fn matches(e: &HistoryEntry, filter: &str) -> bool {
    filter.is_empty()
        || e.payload.contains(filter)
        || e.robot_name.contains(filter)
        || e.msgtype.contains(filter)
}

fn draw(screen: &MemoryScreen, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            f.render_widget(
                MemoryView {
                    screen,
                    theme: &Theme { color: false },
                    now_ms: T0 + 3_600_000,
                },
                f.area(),
            )
        })
        .unwrap();
    terminal.backend().to_string()
}

fn mixed() -> Vector {
    let mut entries = vec![
        entry(1, "ops", HistoryStatus::Sent, "## 部署完成\n服务已上线"),
        entry(2, "qa", HistoryStatus::Refused, "## 部署完成\n服务已上线"),
        entry(3, "beijing", HistoryStatus::Unknown, "周报 \u{1b}[31m已发"),
        entry(4, "ops", HistoryStatus::Cancelled, "draft"),
    ];
    entries.reverse();
    Vector {
        entries,
        rows_read: Cell::new(0),
    }
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

#[test]
fn the_history_shows_each_outcome_newest_first_and_escapes_what_it_shows() {
    let pages = mixed();
    let screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    let shown = draw(&screen, 100, 12);
    assert!(!shown.contains('\u{1b}'));
    insta::assert_snapshot!("memory_history_mixed", shown);
}

#[test]
fn details_show_the_exact_payload_and_enter_goes_back() {
    let pages = mixed();
    let mut screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    screen.handle(ScreenAction::Down, &pages);
    screen.handle(ScreenAction::Down, &pages);
    screen.handle(ScreenAction::Details, &pages);
    let shown = draw(&screen, 80, 20);
    assert!(shown.contains("errcode   93000"), "{shown}");
    assert!(
        shown.contains("\"content\": \"## 部署完成\\n服务已上线\""),
        "{shown}"
    );
    insta::assert_snapshot!("memory_history_details", shown);
    screen.handle(ScreenAction::Back, &pages);
    assert!(!screen.in_details());
    match screen.handle(ScreenAction::Reopen, &pages) {
        Outcome::Reopen(e) => assert_eq!(e.robot_name, "qa"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn typing_filters_and_esc_clears_the_filter_before_it_closes() {
    let pages = mixed();
    let mut screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    assert_eq!(screen.total(), 4);
    let mut generations = Vec::new();
    for c in "ops".chars() {
        match screen.handle(ScreenAction::Type(c), &pages) {
            Outcome::FilterLater(g) => generations.push(g),
            other => panic!("{other:?}"),
        }
    }
    // Not searched while typing: the list waits for the pause.
    assert!(screen.searching());
    assert_eq!(screen.total(), 4);
    // The pause after "o" is stale: "ops" was typed since.
    screen.filter_quiet(generations[0], &pages);
    assert_eq!(screen.total(), 4);
    screen.filter_quiet(generations[2], &pages);
    assert!(!screen.searching());
    assert_eq!(screen.total(), 2);
    // A key other than typing acts on what the filter matches, at once.
    screen.handle(ScreenAction::Backspace, &pages);
    screen.handle(ScreenAction::Type('s'), &pages);
    screen.handle(ScreenAction::End, &pages);
    assert!(!screen.searching());
    assert_eq!(screen.total(), 2);
    assert_eq!(screen.handle(ScreenAction::Back, &pages), Outcome::Nothing);
    assert_eq!(screen.total(), 4);
    assert_eq!(screen.handle(ScreenAction::Back, &pages), Outcome::Close);
}

#[test]
fn moving_through_100000_entries_reads_pages_not_the_whole_history() {
    let entries: Vec<HistoryEntry> = (1..=100_000)
        .rev()
        .map(|i| entry(i, "ops", HistoryStatus::Sent, &format!("message {i}")))
        .collect();
    let pages = Vector {
        entries,
        rows_read: Cell::new(0),
    };
    let mut screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    screen.set_height(20, &pages);
    pages.rows_read.set(0);
    for _ in 0..50 {
        screen.handle(ScreenAction::Down, &pages);
    }
    screen.handle(ScreenAction::End, &pages);
    assert_eq!(screen.selected_row().map(|e| e.id), Some(1));
    screen.handle(ScreenAction::Home, &pages);
    assert_eq!(screen.selected_row().map(|e| e.id), Some(100_000));
    // Three pages at most (the start, the end, the start again).
    assert!(
        pages.rows_read.get() <= 3 * 200,
        "{} rows read",
        pages.rows_read.get()
    );
}

#[test]
fn the_outbox_tab_shows_states_and_countdowns_and_offers_cancel() {
    let pages = mixed();
    let payload = serde_json::json!({"msgtype": "markdown", "markdown": {"content": "周会 10:00"}})
        .to_string();
    let item = |id: i64, robot: &str, state: OutboxState, next: Option<i64>| OutboxItem {
        state,
        attempts: 2,
        created_ms: T0,
        next_attempt_ms: next,
        ..common::outbox_item(id, robot, &payload, None)
    };
    let now = T0 + 3_600_000;
    let items = vec![
        item(7, "ops", OutboxState::Retrying, Some(now + 23_000)),
        item(8, "qa", OutboxState::Unknown, None),
    ];
    let mut later = item(9, "ops", OutboxState::Queued, None);
    later.due_ms = Some(now + 90 * 60_000);
    let mut screen = MemoryScreen::new(Tab::Outbox, &pages, vec![later], utc());
    assert!(draw(&screen, 100, 10).contains("due in 90 min"));
    screen.set_outbox(items);
    let shown = draw(&screen, 100, 10);
    assert!(
        shown.contains("retrying (attempt 3), next try in 23 s"),
        "{shown}"
    );
    insta::assert_snapshot!("memory_outbox", shown);
    screen.handle(ScreenAction::Down, &pages);
    assert_eq!(
        screen.handle(ScreenAction::Cancel, &pages),
        Outcome::CancelItem(8)
    );
}

/// Issue 10: an entry of a broadcast shows the whole broadcast: every
/// robot it went to, each with its outcome.
#[test]
fn details_of_a_broadcast_entry_show_every_robots_outcome() {
    let mut entries = vec![
        entry(1, "ops", HistoryStatus::Sent, "deploy"),
        entry(2, "qa", HistoryStatus::Refused, "deploy"),
        entry(3, "ops", HistoryStatus::Sent, "alone"),
    ];
    entries[0].batch = Some("b-1".into());
    entries[1].batch = Some("b-1".into());
    entries[2].batch = Some("b-2".into());
    entries.reverse();
    let pages = Vector {
        entries,
        rows_read: Cell::new(0),
    };
    let mut screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    // Newest first: "alone" (its own batch), then qa's and ops's.
    screen.handle(ScreenAction::Details, &pages);
    let shown = draw(&screen, 100, 20);
    assert!(
        !shown.contains("broadcast"),
        "a lone send is no broadcast:\n{shown}"
    );
    screen.handle(ScreenAction::Back, &pages);
    screen.handle(ScreenAction::Down, &pages);
    screen.handle(ScreenAction::Details, &pages);
    let shown = draw(&screen, 100, 20);
    let line = shown
        .lines()
        .find(|l| l.contains("broadcast"))
        .unwrap_or_else(|| panic!("no broadcast line:\n{shown}"));
    assert!(
        line.contains("2 robots: ops ✓ sent · qa ✗ refused"),
        "{line}"
    );
}

/// Issue 16: the History screen in Chinese: tabs, filter line, outcomes and
/// the details' field names, aligned by display width (a CJK character is
/// two columns).
#[test]
fn the_history_screen_in_chinese() {
    use wecom_composer::i18n::{self, Lang};
    i18n::set_for_this_thread(Lang::ZhCn);
    let pages = mixed();
    let mut screen = MemoryScreen::new(Tab::History, &pages, vec![], utc());
    let list = draw(&screen, 100, 9);
    assert!(
        list.contains("历史 (4)") && list.contains("发件箱 (0)"),
        "{list}"
    );
    assert!(
        list.contains("输入文字、机器人名或消息类型即可筛选"),
        "{list}"
    );
    screen.handle(ScreenAction::Down, &pages);
    screen.handle(ScreenAction::Details, &pages);
    let details = draw(&screen, 100, 14);
    insta::assert_snapshot!("memory_history_zh", format!("{list}\n{details}"));
}
