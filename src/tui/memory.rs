//! The History and Outbox screen: what was sent, newest first, and what is
//! still waiting to go, in two tabs of one screen.
//!
//! Why rows are read a page at a time: the history may hold 100,000
//! entries, and a keystroke must stay under a frame. The screen keeps the
//! count of what matches the filter and the page of rows around the
//! selection; moving outside the page reads the next one through
//! [`Pages`], never the whole list. The outbox is small (it empties as it
//! sends) and is read whole.
//!
//! The screen holds its state, turns actions into [`Outcome`]s for the
//! composer to carry out (open an entry as a draft, resend it, copy its
//! payload, cancel or retry an outbox item) and draws itself.

use chrono::{FixedOffset, TimeZone};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Widget};

use crate::store::history::{
    History, HistoryEntry, HistoryFilter, HistoryRow, HistoryStatus, PageStart,
};
use crate::store::outbox::{OutboxItem, OutboxState};
use crate::store::schedule::Schedule;
use crate::tui::theme::Theme;
use crate::untrusted;

/// The history, read a page at a time. Implemented on the store; tests use
/// a vector.
pub trait Pages {
    /// How many entries match `filter` (text in the content, the robot's
    /// name or the message type; empty matches all).
    fn count(&self, filter: &str) -> Result<usize, String>;
    /// Up to `limit` rows matching `filter`, newest first, skipping the
    /// `offset` newest.
    fn page(&self, filter: &str, offset: usize, limit: usize) -> Result<Vec<HistoryRow>, String>;
    /// One entry in full (its payload), for details, reopening and copying.
    fn entry(&self, id: i64) -> Result<Option<HistoryEntry>, String>;
    /// Every outcome of the broadcast (or batch) `batch`, so an entry's
    /// details show its broadcast whole.
    fn batch(&self, _batch: &str) -> Result<Vec<HistoryRow>, String> {
        Ok(Vec::new())
    }
}

/// The store's history as pages; the filter is parsed as typed
/// (`robot:ops type:markdown status:refused words`).
impl Pages for History {
    fn count(&self, filter: &str) -> Result<usize, String> {
        History::count(self, &HistoryFilter::parse(filter), COUNT_CAP).map_err(|e| e.to_string())
    }
    fn page(&self, filter: &str, offset: usize, limit: usize) -> Result<Vec<HistoryRow>, String> {
        History::page(
            self,
            &HistoryFilter::parse(filter),
            PageStart::Offset(offset),
            limit,
        )
        .map_err(|e| e.to_string())
    }
    fn entry(&self, id: i64) -> Result<Option<HistoryEntry>, String> {
        self.get(id).map_err(|e| e.to_string())
    }
    fn batch(&self, batch: &str) -> Result<Vec<HistoryRow>, String> {
        History::batch(self, batch).map_err(|e| e.to_string())
    }
}

/// Counting stops here: more is shown as "1000000+".
const COUNT_CAP: usize = 1_000_000;

/// The two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    History,
    Outbox,
}

/// What the user asks of the screen (mapped from keys by the key map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenAction {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: the details of the selected row (or back to the list).
    Details,
    /// Esc: details closed, or the filter cleared, or the screen left.
    Back,
    NextTab,
    /// A character typed into the filter.
    Type(char),
    Backspace,
    /// Open the selected entry in the composer as the draft.
    Reopen,
    /// Send the selected entry again (to its robot, or to the marked ones).
    Resend,
    /// Copy the selected entry's payload.
    Copy,
    /// Outbox: cancel the selected item.
    Cancel,
    /// Outbox: try the selected item now.
    RetryNow,
}

/// What the composer should do after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Nothing,
    Close,
    Reopen(Box<HistoryEntry>),
    Resend(Box<HistoryEntry>),
    /// Copy `text`; `what` names it in the status line.
    Copy {
        text: String,
        what: &'static str,
    },
    CancelItem(i64),
    RetryItem(i64),
    /// Edit an outbox item: open it in the composer; sending it takes it
    /// out of the outbox.
    EditItem(Box<OutboxItem>),
    /// The filter changed: search once typing pauses
    /// ([`MemoryScreen::filter_quiet`] with this generation after
    /// [`FILTER_QUIET`]), so a keystroke never waits for a search.
    FilterLater(u64),
}

/// How long typing in the filter pauses before the history is searched.
/// A rare word is looked for in every entry (about 60 ms over 100,000 on
/// the benchmark's machine): once after the pause, not on each keystroke.
pub const FILTER_QUIET: std::time::Duration = std::time::Duration::from_millis(150);

/// Rows read around the selection.
const PAGE: usize = 200;

/// The screen's state.
pub struct MemoryScreen {
    tab: Tab,
    filter: String,
    /// Index of the selected entry among those matching the filter.
    selected: usize,
    /// First row drawn.
    top: usize,
    /// Height of the list at the last draw (rows).
    height: usize,
    total: usize,
    page_start: usize,
    page: Vec<HistoryRow>,
    /// The entry whose details are shown.
    detail: Option<HistoryEntry>,
    /// The outcomes of the broadcast the detailed entry was part of.
    detail_batch: Vec<HistoryRow>,
    outbox: Vec<OutboxItem>,
    outbox_selected: usize,
    /// The recurring schedules, listed under the outbox (each run becomes
    /// an outbox item when due).
    schedules: Vec<Schedule>,
    details: bool,
    error: Option<String>,
    offset: FixedOffset,
    /// The filter was typed into and not searched yet; its generation.
    stale: bool,
    generation: u64,
}

impl MemoryScreen {
    /// The screen on `tab`, its history read through `pages`; times shown
    /// in `offset` (the local time zone).
    pub fn new(tab: Tab, pages: &dyn Pages, outbox: Vec<OutboxItem>, offset: FixedOffset) -> Self {
        let mut s = MemoryScreen {
            tab,
            filter: String::new(),
            selected: 0,
            top: 0,
            height: 20,
            total: 0,
            page_start: 0,
            page: Vec::new(),
            detail: None,
            detail_batch: Vec::new(),
            outbox,
            outbox_selected: 0,
            schedules: Vec::new(),
            details: false,
            error: None,
            offset,
            stale: false,
            generation: 0,
        };
        s.reload(pages);
        s
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// The filter typed so far.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Whether the details of one row are shown.
    pub fn in_details(&self) -> bool {
        self.details
    }

    /// How many entries match the filter.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The selected history row, if it is read.
    pub fn selected_row(&self) -> Option<&HistoryRow> {
        self.selected
            .checked_sub(self.page_start)
            .and_then(|i| self.page.get(i))
    }

    /// The selected outbox item.
    pub fn selected_item(&self) -> Option<&OutboxItem> {
        self.outbox.get(self.outbox_selected)
    }

    /// New outbox contents (after a send, a cancel, a tick).
    /// The schedules shown under the outbox.
    pub fn set_schedules(&mut self, schedules: Vec<Schedule>) {
        self.schedules = schedules;
    }

    pub fn set_outbox(&mut self, items: Vec<OutboxItem>) {
        self.outbox = items;
        self.outbox_selected = self
            .outbox_selected
            .min(self.outbox.len().saturating_sub(1));
    }

    /// Typing paused: searches with the filter typed, unless more was typed
    /// since `generation` (its own pause comes later) or it was searched.
    pub fn filter_quiet(&mut self, generation: u64, pages: &dyn Pages) {
        if self.stale && generation == self.generation {
            self.reload(pages);
        }
    }

    /// Whether the filter shown is still to be searched.
    pub fn searching(&self) -> bool {
        self.stale
    }

    /// The filter changed: the list waits for the pause.
    fn filter_changed(&mut self) -> Outcome {
        self.selected = 0;
        self.top = 0;
        self.stale = true;
        self.generation += 1;
        Outcome::FilterLater(self.generation)
    }

    /// Reads the count and the page around the selection again (after a
    /// filter change, or when the history grew).
    pub fn reload(&mut self, pages: &dyn Pages) {
        self.stale = false;
        match pages.count(&self.filter) {
            Ok(n) => {
                self.total = n;
                self.error = None;
            }
            Err(e) => {
                self.total = 0;
                self.error = Some(e);
            }
        }
        self.selected = self.selected.min(self.total.saturating_sub(1));
        self.page.clear();
        self.ensure_page(pages);
    }

    fn ensure_page(&mut self, pages: &dyn Pages) {
        let want_start = self.top.min(self.selected);
        let want_end = (self.top + self.height)
            .max(self.selected + 1)
            .min(self.total);
        let have_end = self.page_start + self.page.len();
        if !self.page.is_empty() && want_start >= self.page_start && want_end <= have_end {
            return;
        }
        // Centre the page on what is wanted, so moving either way reads
        // seldom.
        let start = want_start.saturating_sub(PAGE / 4);
        match pages.page(&self.filter, start, PAGE.max(want_end - start)) {
            Ok(rows) => {
                self.page_start = start;
                self.page = rows;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Carries out `action`.
    pub fn handle(&mut self, action: ScreenAction, pages: &dyn Pages) -> Outcome {
        use ScreenAction as A;
        // Any other key acts on what the filter typed matches, not on the
        // rows of the filter before it.
        if self.stale && !matches!(action, A::Type(_) | A::Backspace) {
            self.reload(pages);
        }
        let len = match self.tab {
            Tab::History => self.total,
            Tab::Outbox => self.outbox.len(),
        };
        let step = self.height.max(1);
        let at = match self.tab {
            Tab::History => self.selected,
            Tab::Outbox => self.outbox_selected,
        };
        let target = match action {
            A::Up => Some(at.saturating_sub(1)),
            A::Down => Some(at + 1),
            A::PageUp => Some(at.saturating_sub(step)),
            A::PageDown => Some(at + step),
            A::Home => Some(0),
            A::End => Some(len.saturating_sub(1)),
            _ => None,
        };
        if let Some(to) = target {
            let to = to.min(len.saturating_sub(1));
            match self.tab {
                Tab::History => self.selected = to,
                Tab::Outbox => self.outbox_selected = to,
            }
        }
        let outcome = match action {
            A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => Outcome::Nothing,
            A::Details => {
                self.details = !self.details && len > 0;
                self.detail = None;
                if self.details && self.tab == Tab::History {
                    self.detail = self.load_selected(pages);
                    self.details = self.detail.is_some();
                    self.detail_batch = self
                        .detail
                        .as_ref()
                        .and_then(|e| e.batch.as_deref())
                        .and_then(|b| pages.batch(b).ok())
                        .unwrap_or_default();
                }
                Outcome::Nothing
            }
            A::Back => {
                if self.details {
                    self.details = false;
                    Outcome::Nothing
                } else if !self.filter.is_empty() && self.tab == Tab::History {
                    self.filter.clear();
                    self.reload(pages);
                    Outcome::Nothing
                } else {
                    Outcome::Close
                }
            }
            A::NextTab => {
                self.tab = match self.tab {
                    Tab::History => Tab::Outbox,
                    Tab::Outbox => Tab::History,
                };
                self.details = false;
                Outcome::Nothing
            }
            A::Type(c) if self.tab == Tab::History && !c.is_control() => {
                self.filter.push(c);
                self.filter_changed()
            }
            A::Backspace if self.tab == Tab::History => {
                if self.filter.pop().is_some() {
                    self.filter_changed()
                } else {
                    Outcome::Nothing
                }
            }
            A::Type(_) | A::Backspace => Outcome::Nothing,
            A::Reopen => match self.tab {
                Tab::History => self
                    .load_selected(pages)
                    .map_or(Outcome::Nothing, |e| Outcome::Reopen(Box::new(e))),
                Tab::Outbox => self
                    .selected_item()
                    .map_or(Outcome::Nothing, |i| Outcome::EditItem(Box::new(i.clone()))),
            },
            A::Resend if self.tab == Tab::History => self
                .load_selected(pages)
                .map_or(Outcome::Nothing, |e| Outcome::Resend(Box::new(e))),
            A::Resend => Outcome::Nothing,
            A::Copy => {
                let payload = match self.tab {
                    Tab::History => self.load_selected(pages).map(|e| e.payload),
                    Tab::Outbox => self.selected_item().map(|i| i.payload.clone()),
                };
                payload.map_or(Outcome::Nothing, |text| Outcome::Copy {
                    text,
                    what: "copy.what.history_payload",
                })
            }
            A::Cancel => self
                .selected_item()
                .filter(|_| self.tab == Tab::Outbox)
                .map_or(Outcome::Nothing, |i| Outcome::CancelItem(i.id)),
            A::RetryNow => self
                .selected_item()
                .filter(|_| self.tab == Tab::Outbox)
                .map_or(Outcome::Nothing, |i| Outcome::RetryItem(i.id)),
        };
        self.scroll_to_selection();
        if self.tab == Tab::History {
            self.ensure_page(pages);
        }
        outcome
    }

    /// Sets the list's height (from the last draw) and keeps the selection
    /// in view.
    pub fn set_height(&mut self, height: usize, pages: &dyn Pages) {
        self.height = height.max(1);
        self.scroll_to_selection();
        self.ensure_page(pages);
    }

    /// The selected entry in full, read from the store.
    fn load_selected(&mut self, pages: &dyn Pages) -> Option<HistoryEntry> {
        let id = self.selected_row()?.id;
        match pages.entry(id) {
            Ok(e) => e,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    fn scroll_to_selection(&mut self) {
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + self.height {
            self.top = self.selected + 1 - self.height;
        }
    }

    /// The list's height for an area the screen is drawn in.
    pub fn list_height(area: Rect) -> usize {
        usize::from(area.height.saturating_sub(5))
    }

    fn time(&self, ms: i64) -> String {
        match self.offset.timestamp_millis_opt(ms).single() {
            Some(t) => t.format("%m-%d %H:%M:%S").to_string(),
            None => "?".to_owned(),
        }
    }
}

/// The first line of what a payload says, for the list.
pub fn summary(payload: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(payload) else {
        return String::new();
    };
    let msgtype = v.get("msgtype").and_then(|t| t.as_str()).unwrap_or("");
    let body = v.get(msgtype);
    let pick = |path: &[&str]| {
        let mut at = body?;
        for p in path {
            at = match p.parse::<usize>() {
                Ok(i) => at.get(i)?,
                Err(_) => at.get(*p)?,
            };
        }
        at.as_str().map(str::to_owned)
    };
    let text = pick(&["content"])
        .or_else(|| pick(&["articles", "0", "title"]))
        .or_else(|| pick(&["main_title", "title"]))
        .or_else(|| pick(&["sub_title_text"]))
        .unwrap_or_default();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    untrusted::one_line(first.trim()).into_owned()
}

fn status_span(theme: &Theme, status: HistoryStatus, errcode: Option<i64>) -> Span<'static> {
    match status {
        HistoryStatus::Sent => Span::styled(crate::tr!("memory.status_sent"), theme.success()),
        HistoryStatus::Refused => Span::styled(
            crate::tr!("memory.status_refused", code = errcode.unwrap_or_default()),
            theme.error(),
        ),
        HistoryStatus::Failed => Span::styled(crate::tr!("memory.status_failed"), theme.error()),
        HistoryStatus::Unknown => {
            Span::styled(crate::tr!("memory.status_unknown"), theme.warning())
        }
        HistoryStatus::Cancelled => {
            Span::styled(crate::tr!("memory.status_cancelled"), theme.dim())
        }
    }
}

fn outbox_state(item: &OutboxItem, now_ms: i64) -> String {
    let wait = |at: Option<i64>| {
        at.map(|t| (t - now_ms).max(0) / 1000)
            .map_or(String::new(), |s| {
                crate::tr!("memory.next_try", s = s).into_owned()
            })
    };
    if let Some(due) = item.due_ms.filter(|d| *d > now_ms) {
        let mins = (due - now_ms + 59_999) / 60_000;
        let when = if mins >= 120 {
            crate::tr!("memory.in_h_min", h = mins / 60, m = mins % 60)
        } else if due - now_ms < 60_000 {
            crate::tr!("memory.in_s", s = (due - now_ms + 999) / 1000)
        } else {
            crate::tr!("memory.in_min", m = mins)
        };
        return crate::tr!("memory.due", when = when).into_owned();
    }
    match item.state {
        OutboxState::Retrying => crate::tr!(
            "memory.retrying",
            n = item.attempts + 1,
            wait = wait(item.next_attempt_ms)
        )
        .into_owned(),
        OutboxState::Unknown => crate::tr!("memory.unknown_state").into_owned(),
        other => format!("{}{}", other.as_str(), wait(item.next_attempt_ms)),
    }
}

/// Draws the screen; `now_ms` for the outbox's countdowns.
pub struct MemoryView<'a> {
    pub screen: &'a MemoryScreen,
    pub theme: &'a Theme,
    pub now_ms: i64,
}

impl Widget for MemoryView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let s = self.screen;
        let t = self.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border(true))
            .title(Span::styled(crate::tr!("memory.title"), t.title(true)));
        let inner = block.inner(area);
        block.render(area, buf);
        let [tabs, filter, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(inner);
        let titles = vec![
            crate::tr!("memory.tab_history", n = s.total).into_owned(),
            crate::tr!("memory.tab_outbox", n = s.outbox.len()).into_owned(),
        ];
        Tabs::new(titles)
            .select(match s.tab {
                Tab::History => 0,
                Tab::Outbox => 1,
            })
            .highlight_style(t.selected())
            .render(tabs, buf);
        let filter_line = match (&s.error, s.tab) {
            (Some(e), _) => Line::styled(untrusted::one_line(e).into_owned(), t.error()),
            (None, Tab::History) if s.filter.is_empty() => {
                Line::styled(crate::tr!("memory.filter_hint"), t.dim())
            }
            (None, Tab::History) => Line::from(vec![
                Span::styled(crate::tr!("memory.filter"), t.dim()),
                Span::raw(untrusted::one_line(&s.filter).into_owned()),
                Span::styled(
                    if s.stale {
                        crate::tr!("memory.searching")
                    } else {
                        crate::tr!("memory.matches", n = s.total)
                    },
                    t.dim(),
                ),
            ]),
            (None, Tab::Outbox) => Line::styled(crate::tr!("memory.outbox_hint"), t.dim()),
        };
        Paragraph::new(filter_line).render(filter, buf);
        if s.details {
            return details(s, t, list, buf);
        }
        match s.tab {
            Tab::History => history_rows(s, t, list, buf),
            Tab::Outbox => outbox_rows(s, t, self.now_ms, list, buf),
        }
    }
}

fn history_rows(s: &MemoryScreen, t: &Theme, area: Rect, buf: &mut Buffer) {
    if s.total == 0 {
        let text = if s.filter.is_empty() {
            crate::tr!("memory.empty_history")
        } else {
            crate::tr!("memory.no_match")
        };
        Paragraph::new(Line::styled(text, t.dim())).render(area, buf);
        return;
    }
    let rows = usize::from(area.height);
    let mut lines = Vec::with_capacity(rows);
    for index in s.top..(s.top + rows).min(s.total) {
        let Some(e) = index.checked_sub(s.page_start).and_then(|i| s.page.get(i)) else {
            break;
        };
        let mut spans = vec![
            Span::styled(format!("{} ", s.time(e.time_ms)), t.dim()),
            Span::raw(format!("{:<12.12} ", untrusted::one_line(&e.robot_name))),
            Span::styled(format!("{:<13.13} ", e.msgtype), t.accent()),
        ];
        if let Some(part) = &e.part {
            spans.push(Span::styled(format!("[{part}] "), t.dim()));
        }
        spans.push(status_span(t, e.status, e.errcode));
        spans.push(Span::raw("  "));
        spans.push(Span::raw(
            untrusted::one_line(e.first_line.trim()).into_owned(),
        ));
        let mut line = Line::from(spans);
        if index == s.selected {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    Paragraph::new(lines).render(area, buf);
}

fn outbox_rows(s: &MemoryScreen, t: &Theme, now_ms: i64, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = Vec::new();
    if s.outbox.is_empty() {
        lines.push(Line::styled(crate::tr!("memory.outbox_empty"), t.dim()));
    }
    lines.extend(s.outbox.iter().enumerate().map(|(i, item)| {
        let mut line = Line::from(vec![
            Span::raw(format!("{:<12.12} ", untrusted::one_line(&item.robot_name))),
            Span::styled(format!("{:<13.13} ", item.msgtype), t.accent()),
            Span::styled(outbox_state(item, now_ms), t.warning()),
            Span::raw("  "),
            Span::raw(summary(&item.payload)),
        ]);
        if i == s.outbox_selected {
            line = line.style(t.selected());
        }
        line
    }));
    if !s.schedules.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(crate::tr!("memory.schedules"), t.dim()));
        lines.extend(s.schedules.iter().map(|sc| schedule_line(sc, t, now_ms)));
    }
    Paragraph::new(lines).render(area, buf);
}

/// "standup  0 9 * * MON-FRI  next 09:00 (in 5 h)  → ops, qa".
fn schedule_line(sc: &Schedule, t: &Theme, now_ms: i64) -> Line<'static> {
    let mut robots: Vec<&str> = Vec::new();
    for item in &sc.items {
        if !robots.contains(&item.robot_name.as_str()) {
            robots.push(&item.robot_name);
        }
    }
    let when = if sc.paused {
        Span::styled(crate::tr!("memory.paused").into_owned(), t.warning())
    } else {
        match sc.next_ms {
            Some(next) => Span::styled(
                crate::tr!(
                    "memory.next_run",
                    at = crate::delivery::due::local_time(next),
                    countdown = crate::delivery::when::countdown(now_ms, next)
                )
                .into_owned(),
                t.accent(),
            ),
            None => Span::styled(crate::tr!("memory.no_more_runs").into_owned(), t.dim()),
        }
    };
    let zone = sc
        .tz
        .as_deref()
        .map(|z| format!(" {z}"))
        .unwrap_or_default();
    Line::from(vec![
        Span::raw(format!("{:<12.12} ", untrusted::one_line(&sc.name))),
        Span::styled(
            format!(
                "{}{} ",
                untrusted::one_line(&sc.cron),
                untrusted::one_line(&zone)
            ),
            t.dim(),
        ),
        when,
        Span::raw(format!("  → {}", untrusted::one_line(&robots.join(", ")))),
    ])
}

fn details(s: &MemoryScreen, t: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = Vec::new();
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(crate::tui::width::fit(name, 10), t.dim()),
            Span::raw(value),
        ])
    };
    let payload = match s.tab {
        Tab::History => {
            let Some(e) = &s.detail else { return };
            lines.push(field(&crate::tr!("memory.field.time"), s.time(e.time_ms)));
            lines.push(field(
                &crate::tr!("memory.field.robot"),
                untrusted::one_line(&e.robot_name).into_owned(),
            ));
            lines.push(Line::from(vec![
                Span::styled(
                    crate::tui::width::fit(&crate::tr!("memory.field.outcome"), 10),
                    t.dim(),
                ),
                status_span(t, e.status, e.errcode),
            ]));
            if let Some(code) = e.errcode {
                let msg = e
                    .errmsg
                    .as_deref()
                    .map(untrusted::one_line)
                    .unwrap_or_default();
                lines.push(field(
                    &crate::tr!("memory.field.errcode"),
                    format!("{code} {msg}"),
                ));
            }
            if let Some(x) = &e.explanation {
                lines.push(field(
                    &crate::tr!("memory.field.meaning"),
                    untrusted::one_line(x).into_owned(),
                ));
            }
            if let Some(x) = &e.error {
                lines.push(field(
                    &crate::tr!("memory.field.error"),
                    untrusted::one_line(x).into_owned(),
                ));
            }
            lines.push(field(
                &crate::tr!("memory.field.took"),
                crate::tr!(
                    "memory.took",
                    elapsed = e.elapsed_ms,
                    waited = e.waited_ms,
                    attempts = e.attempts
                )
                .into_owned(),
            ));
            if s.detail_batch.len() > 1 {
                // One broadcast, every robot's outcome on one line.
                let mut spans = vec![Span::styled(
                    crate::tui::width::fit(&crate::tr!("memory.field.broadcast"), 10),
                    t.dim(),
                )];
                spans.push(Span::raw(crate::tr!(
                    "memory.broadcast_robots",
                    n = s.detail_batch.len()
                )));
                for (i, row) in s.detail_batch.iter().enumerate() {
                    if i > 0 {
                        spans.push(Span::styled(" · ", t.dim()));
                    }
                    spans.push(Span::raw(format!(
                        "{} ",
                        untrusted::one_line(&row.robot_name)
                    )));
                    spans.push(status_span(t, row.status, row.errcode));
                }
                lines.push(Line::from(spans));
            }
            if let Some(b) = &e.batch {
                lines.push(field(
                    &crate::tr!("memory.field.batch"),
                    untrusted::one_line(b).into_owned(),
                ));
            }
            e.payload.clone()
        }
        Tab::Outbox => {
            let Some(i) = s.selected_item() else { return };
            lines.push(field(
                &crate::tr!("memory.field.robot"),
                untrusted::one_line(&i.robot_name).into_owned(),
            ));
            lines.push(field(
                &crate::tr!("memory.field.state"),
                i.state.as_str().to_owned(),
            ));
            if let Some(x) = &i.last_error {
                lines.push(field(
                    &crate::tr!("memory.field.error"),
                    untrusted::one_line(x).into_owned(),
                ));
            }
            i.payload.clone()
        }
    };
    lines.push(Line::default());
    let pretty = serde_json::from_str::<serde_json::Value>(&payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(payload);
    for l in untrusted::multi_line(&pretty).lines() {
        lines.push(Line::raw(l.to_owned()));
    }
    Paragraph::new(crate::tui::wrap::visible(
        &lines,
        area.width,
        0,
        area.height.into(),
    ))
    .render(area, buf);
}
