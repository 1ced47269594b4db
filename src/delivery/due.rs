//! The due-time worker: delivers messages sent later (`wecom send --at`,
//! `--in`) and the runs of schedules (`wecom schedule add`) when they are
//! due. `wecom outbox run` is this worker alone; `wecom serve` and the
//! composer start it beside their own work ([`spawn_worker`]).
//!
//! How it waits without burning CPU and still sees what other processes
//! add: it sleeps until the earliest due time it knows, but never longer
//! than [`WorkerOptions::recheck`] (2 s), when it asks the database two
//! cheap indexed questions (the earliest free due item, the earliest
//! schedule run). Two workers never deliver one item twice: each item is
//! leased in a transaction before anything is done with it, and a
//! schedule's run is turned into outbox items in the same transaction that
//! moves the schedule on.
//!
//! Missed times (no worker was running): a one-off is delivered late and
//! its history says how late; a schedule sends only its latest missed run;
//! an item later than [`WorkerOptions::max_late`] is not sent at all (a
//! failed history row says why, `wecom resend` sends it anyway).

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Local, TimeZone, Utc};
use croner::Cron;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Delivered, Engine, Event, LEASE_MARGIN, entry_for, ms_of, now_i64, when};
use crate::store::config::{Config, ConfigStore};
use crate::store::db::StoreError;
use crate::store::history::HistoryStatus;
use crate::store::outbox::{OutboxItem, OutboxState};
use crate::store::schedule::{Run, Schedule, Schedules, Timing};
use crate::untrusted::one_line;
use crate::wecom::Webhook;
use crate::wecom::attach::robot_id;
use crate::wecom::client::SendError;

/// The variable holding a webhook, as `wecom send` reads it: an item for
/// an unsaved robot is delivered through it when its fingerprint matches.
const WEBHOOK_ENV: &str = "WECOM_WEBHOOK";
/// The variable that sets [`WorkerOptions::max_late`] (`30m`, `2h`, `1d`).
pub const MAX_LATE_ENV: &str = "WECOM_MAX_LATE";
/// The default of [`WorkerOptions::max_late`].
pub const DEFAULT_MAX_LATE: Duration = Duration::from_secs(3600);

/// Said wherever a message is queued for later, so nobody waits for a
/// send that no process will make.
pub fn who_sends() -> std::borrow::Cow<'static, str> {
    crate::tr!("delivery.who_sends")
}

/// How the worker behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    /// A message more than this late is not sent (a stand-up reminder the
    /// next afternoon helps nobody).
    pub max_late: Duration,
    /// The longest sleep between two looks at the database, so items added
    /// by other processes are noticed.
    pub recheck: Duration,
    /// Also deliver what processes of this front end left waiting when
    /// they ended ([`Engine::left_behind`]): the composer sends, at its
    /// next start, what an earlier composer left.
    pub adopt: Option<&'static str>,
}

impl Default for WorkerOptions {
    fn default() -> WorkerOptions {
        WorkerOptions {
            max_late: DEFAULT_MAX_LATE,
            recheck: Duration::from_secs(2),
            adopt: None,
        }
    }
}

impl WorkerOptions {
    /// The defaults, with `WECOM_MAX_LATE` if it is set and valid.
    pub fn from_env() -> Result<WorkerOptions, String> {
        let mut options = WorkerOptions::default();
        if let Ok(text) = std::env::var(MAX_LATE_ENV)
            && !text.trim().is_empty()
        {
            options.max_late = when::parse_in(&text).map_err(|e| format!("{MAX_LATE_ENV}: {e}"))?;
        }
        Ok(options)
    }
}

/// What the worker did, for lines on a terminal or the log.
#[derive(Debug)]
pub enum WorkerEvent<'a> {
    /// A schedule's run was put in the outbox.
    Scheduled(&'a Run),
    /// An item was delivered or ended otherwise.
    Delivered(&'a OutboxItem, &'a Delivered),
    /// The engine is waiting or retrying.
    Progress(&'a OutboxItem, &'a Event),
    /// The store failed; the worker tries again at its next look.
    StoreFailed(&'a StoreError),
    /// This many items an earlier process left waiting are being sent.
    Resumed(usize),
}

/// Called with each [`WorkerEvent`].
pub type Observer = Arc<dyn Fn(&WorkerEvent<'_>) + Send + Sync>;

/// Starts the worker on the current tokio runtime; it ends when `stop`
/// fires (a request already being written is let finish). Events are
/// logged with `tracing`. The composer and `wecom serve` call this.
pub fn spawn_worker(
    engine: Engine,
    config: ConfigStore,
    options: WorkerOptions,
    stop: CancellationToken,
) -> JoinHandle<()> {
    spawn_worker_observed(engine, config, options, stop, Arc::new(|_| {}), Vec::new())
}

/// [`spawn_worker`] for a front end that shows what the worker does
/// (`observe` is called as well as the log) and knows robots the config
/// does not hold (`also`: the composer's built-in sandbox, whose address
/// changes with each run while its key stays).
pub fn spawn_worker_observed(
    engine: Engine,
    config: ConfigStore,
    options: WorkerOptions,
    stop: CancellationToken,
    observe: Observer,
    also: Vec<Webhook>,
) -> JoinHandle<()> {
    let both: Observer = Arc::new(move |event: &WorkerEvent<'_>| {
        log(event);
        observe(event);
    });
    tokio::spawn(run_worker(engine, config, options, stop, both, also))
}

fn log(event: &WorkerEvent<'_>) {
    match event {
        WorkerEvent::Scheduled(run) => tracing::info!("{}", scheduled_line(run)),
        WorkerEvent::Delivered(item, result) => tracing::info!("{}", delivered_line(item, result)),
        WorkerEvent::Progress(..) => {}
        WorkerEvent::StoreFailed(e) => tracing::warn!("send-later worker: {e}"),
        WorkerEvent::Resumed(n) => tracing::info!("{}", resumed_line(*n)),
    }
}

/// "sending 2 messages an earlier run left in the outbox".
pub fn resumed_line(n: usize) -> String {
    crate::tr!("delivery.resumed", n = n).into_owned()
}

/// "schedule standup: run of 09:00:00 queued (2 missed runs skipped)".
pub fn scheduled_line(run: &Run) -> String {
    let skipped = match run.skipped {
        0 => String::new(),
        n => crate::tr!("delivery.skipped", n = n).into_owned(),
    };
    crate::tr!(
        "delivery.scheduled",
        schedule = one_line(&run.schedule),
        at = local_time(run.at_ms),
        skipped = skipped
    )
    .into_owned()
}

/// One line about how an item ended, for the log.
pub fn delivered_line(item: &OutboxItem, result: &Delivered) -> String {
    let what = crate::tr!(
        "delivery.what",
        label = one_line(&item.label),
        id = item.id,
        robot = one_line(&item.robot_name)
    );
    match result {
        Delivered::Sent { errmsg, .. } => {
            crate::tr!("delivery.sent", what = what, errmsg = one_line(errmsg)).into_owned()
        }
        Delivered::Ended { error, status, .. } => {
            format!("{what}: {}: {error}", status.as_str())
        }
        Delivered::Stopped => crate::tr!("delivery.stopping", what = what).into_owned(),
        Delivered::TooLong { wait } => {
            crate::tr!("delivery.too_long", what = what, secs = wait.as_secs()).into_owned()
        }
        Delivered::Busy => crate::tr!("delivery.busy", what = what).into_owned(),
    }
}

/// Runs the worker until `stop` fires.
pub async fn run_worker(
    engine: Engine,
    config: ConfigStore,
    options: WorkerOptions,
    stop: CancellationToken,
    observe: Observer,
    also: Vec<Webhook>,
) {
    let schedules = Schedules::new(Arc::clone(engine.db()));
    while !stop.is_cancelled() {
        if let Err(e) = cycle(
            &engine, &schedules, &config, options, &stop, &observe, &also,
        )
        .await
        {
            observe(&WorkerEvent::StoreFailed(&e));
        }
        let wake = match next_wake(&engine, &schedules).await {
            Ok(wake) => wake,
            Err(e) => {
                observe(&WorkerEvent::StoreFailed(&e));
                None
            }
        };
        let now = now_i64();
        let until_due = wake.map_or(options.recheck, |at| {
            Duration::from_millis(u64::try_from(at - now).unwrap_or(0))
        });
        // Never spin: an item that stays due (another worker is between
        // its look and its lease) is looked at again shortly.
        let pause = until_due
            .min(options.recheck)
            .max(Duration::from_millis(20));
        tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// The earliest time something is due, from the two cheap questions.
async fn next_wake(engine: &Engine, schedules: &Schedules) -> Result<Option<i64>, StoreError> {
    let outbox = engine.outbox().clone();
    let schedules = schedules.clone();
    engine
        .db()
        .run(move |_| {
            let now = now_i64();
            let item = outbox.next_due(now)?;
            let run = schedules.next_run()?;
            Ok(item.into_iter().chain(run).min())
        })
        .await
}

/// One look: due schedule runs become outbox items, and the due items are
/// delivered (each robot's in order, robots side by side).
async fn cycle(
    engine: &Engine,
    schedules: &Schedules,
    config: &ConfigStore,
    options: WorkerOptions,
    stop: &CancellationToken,
    observe: &Observer,
    also: &[Webhook],
) -> Result<(), StoreError> {
    let (runs, mut due, left) = {
        let schedules = schedules.clone();
        let engine = engine.clone();
        let adopt = options.adopt;
        engine
            .db()
            .clone()
            .run(move |_| {
                let now = now_i64();
                let runs = schedules.take_due(now, timing)?;
                let due = engine.outbox().due(now_i64())?;
                let left = match adopt {
                    Some(origin) => engine.left_behind(origin)?,
                    None => Vec::new(),
                };
                Ok((runs, due, left))
            })
            .await?
    };
    for run in &runs {
        observe(&WorkerEvent::Scheduled(run));
    }
    if !left.is_empty() {
        observe(&WorkerEvent::Resumed(left.len()));
        due.extend(left);
    }
    if due.is_empty() {
        return Ok(());
    }
    let settings = config.load();
    let mut robots: Vec<Vec<OutboxItem>> = Vec::new();
    for it in due {
        match robots.iter_mut().find(|list| list[0].robot == it.robot) {
            Some(list) => list.push(it),
            None => robots.push(vec![it]),
        }
    }
    let runs = robots.into_iter().map(|list| {
        let settings = &settings;
        Box::pin(async move {
            for item in list {
                if stop.is_cancelled() {
                    break;
                }
                let webhook = settings
                    .as_ref()
                    .map_err(|e| {
                        format!(
                            "the robots config cannot be read ({e}); fix it and the item is delivered at the next look"
                        )
                    })
                    .and_then(|c| resolve(c, &item.robot_name, &item.robot))
                    .or_else(|why| {
                        also.iter()
                            .find(|w| robot_id(w) == item.robot)
                            .cloned()
                            .ok_or(why)
                    });
                let result = match webhook {
                    Ok(webhook) => {
                        let progress = |it: &OutboxItem, event: &Event| {
                            observe(&WorkerEvent::Progress(it, event));
                        };
                        engine
                            .deliver_due(&item, &webhook, options.max_late, &progress, stop)
                            .await?
                    }
                    Err(why) => engine.park_unresolved(&item, why)?,
                };
                observe(&WorkerEvent::Delivered(&item, &result));
            }
            Ok::<(), StoreError>(())
        }) as Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + '_>>
    });
    for result in futures_util::future::join_all(runs).await {
        result?;
    }
    Ok(())
}

impl Engine {
    /// Delivers an item sent later: refused as too late past `max_late`
    /// (its placeholders filled in first, so `wecom resend` sends the
    /// text it would have had), else through [`Engine::deliver`].
    pub async fn deliver_due(
        &self,
        item: &OutboxItem,
        webhook: &Webhook,
        max_late: Duration,
        observe: &(dyn Fn(&OutboxItem, &Event) + Send + Sync),
        stop: &CancellationToken,
    ) -> Result<Delivered, StoreError> {
        let now = now_i64();
        let late = item
            .due_ms
            .filter(|_| item.first_try_ms.is_none())
            .map(|due| now - due)
            .filter(|late| *late > ms_of(max_late));
        let Some(late) = late else {
            return self.deliver(item.id, webhook, None, observe, stop).await;
        };
        let lease_until = now + ms_of(LEASE_MARGIN);
        let Some(mut leased) = self.outbox.lease(item.id, &self.owner, now, lease_until)? else {
            return Ok(Delivered::Busy);
        };
        if leased.expand {
            match super::fill_in(&leased.payload) {
                Ok(payload) => leased.payload = payload,
                Err(error) => return self.refuse_here(&leased, error, Duration::ZERO),
            }
        }
        let error = SendError::Other(format!(
            "not sent: it was due at {}, {} ago, later than the {} a message sent later may be (--max-late or {MAX_LATE_ENV}); `wecom resend` with this entry's id sends it now",
            local_time(leased.due_ms.unwrap_or(now)),
            when::span(Duration::from_millis(u64::try_from(late).unwrap_or(0))),
            when::span(max_late),
        ));
        let entry = entry_for(
            &leased,
            HistoryStatus::Failed,
            None,
            Some(error.to_string()),
            Duration::ZERO,
        );
        let history_id = self.outbox.finish(item.id, &entry)?;
        Ok(Delivered::Ended {
            error,
            status: HistoryStatus::Failed,
            history_id,
            waited: Duration::ZERO,
        })
    }

    /// An item whose robot is not saved any more: parked as failed (kept
    /// for `wecom outbox retry` once the robot is saved, or `cancel`).
    pub fn park_unresolved(&self, item: &OutboxItem, why: String) -> Result<Delivered, StoreError> {
        let now = now_i64();
        if self
            .outbox
            .lease(item.id, &self.owner, now, now + ms_of(LEASE_MARGIN))?
            .is_none()
        {
            return Ok(Delivered::Busy);
        }
        let error = SendError::Other(format!("not sent: {why}"));
        let entry = entry_for(
            item,
            HistoryStatus::Failed,
            None,
            Some(error.to_string()),
            Duration::ZERO,
        );
        let history_id = self.outbox.park(item.id, OutboxState::Failed, &entry)?;
        Ok(Delivered::Ended {
            error,
            status: HistoryStatus::Failed,
            history_id,
            waited: Duration::ZERO,
        })
    }
}

/// The webhook for an outbox or history row, found again without a key
/// stored anywhere: the saved robot of that name if its webhook still has
/// that fingerprint, else any saved robot that has it (renamed), else
/// `WECOM_WEBHOOK` if it has it.
pub fn resolve(config: &Config, name: &str, fingerprint: &str) -> Result<Webhook, String> {
    let matches = |w: &Webhook| robot_id(w) == fingerprint;
    if let Ok(w) = config.webhook_of(name)
        && matches(&w)
    {
        return Ok(w);
    }
    for entry in &config.robots {
        if let Ok(w) = config.webhook_of(&entry.name)
            && matches(&w)
        {
            return Ok(w);
        }
    }
    if let Ok(text) = std::env::var(WEBHOOK_ENV)
        && let Ok(w) = Webhook::parse(&text, &config.base())
        && matches(&w)
    {
        return Ok(w);
    }
    Err(format!(
        "the robot '{}' it was for is not among the saved robots any more (or its key changed): save it again (`wecom robots add`), set {WEBHOOK_ENV} to its webhook, or cancel the item",
        one_line(name)
    ))
}

/// When a schedule runs: its cron pattern (croner: 5 fields, or 6 with
/// seconds first) in its time zone.
#[derive(Debug, Clone)]
pub struct CronSpec {
    cron: Cron,
    zone: Zone,
}

#[derive(Debug, Clone, Copy)]
enum Zone {
    Local,
    Named(chrono_tz::Tz),
}

/// How many missed runs are counted before saying "more than".
const MAX_COUNTED: u64 = 10_000;

impl CronSpec {
    /// Parses a pattern and an optional IANA zone, with messages that say
    /// what to write instead.
    pub fn parse(pattern: &str, tz: Option<&str>) -> Result<CronSpec, String> {
        let cron = Cron::from_str(pattern).map_err(|e| {
            crate::tr!("delivery.not_cron", pattern = one_line(pattern), error = e).into_owned()
        })?;
        let zone = match tz {
            None => Zone::Local,
            Some(name) => Zone::Named(chrono_tz::Tz::from_str(name.trim()).map_err(|_| {
                crate::tr!("delivery.not_zone", zone = one_line(name)).into_owned()
            })?),
        };
        Ok(CronSpec { cron, zone })
    }

    /// The first run strictly after `ms`.
    pub fn next_after(&self, ms: i64) -> Option<i64> {
        match self.zone {
            Zone::Local => next_in(&self.cron, &Local, ms),
            Zone::Named(tz) => next_in(&self.cron, &tz, ms),
        }
    }

    /// The next `n` runs after `ms`.
    pub fn upcoming(&self, ms: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(n);
        let mut from = ms;
        while out.len() < n
            && let Some(next) = self.next_after(from)
        {
            out.push(next);
            from = next;
        }
        out
    }

    /// The latest run at or before `now` counting from `due` (a run time),
    /// how many runs between were skipped, and the first run after `now`.
    pub fn timing(&self, due: i64, now: i64) -> Timing {
        let mut latest = due;
        let mut skipped = 0;
        while let Some(next) = self.next_after(latest).filter(|n| *n <= now) {
            if skipped >= MAX_COUNTED {
                // Jump to the end rather than count a year of seconds.
                latest = self.previous_at_or_before(now).unwrap_or(next);
                break;
            }
            latest = next;
            skipped += 1;
        }
        Timing {
            latest,
            skipped,
            next: self.next_after(now.max(latest)),
        }
    }

    fn previous_at_or_before(&self, ms: i64) -> Option<i64> {
        let prev = |t: i64| -> Option<i64> {
            let at = DateTime::<Utc>::from_timestamp_millis(t)?;
            let found = match self.zone {
                Zone::Local => self
                    .cron
                    .find_previous_occurrence(&at.with_timezone(&Local), true)
                    .ok()?
                    .timestamp_millis(),
                Zone::Named(tz) => self
                    .cron
                    .find_previous_occurrence(&at.with_timezone(&tz), true)
                    .ok()?
                    .timestamp_millis(),
            };
            Some(found)
        };
        prev(ms)
    }
}

fn next_in<Tz: TimeZone>(cron: &Cron, zone: &Tz, ms: i64) -> Option<i64> {
    let at = zone.timestamp_millis_opt(ms).single()?;
    cron.find_next_occurrence(&at, false)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A schedule's timing for [`Schedules::take_due`]; a pattern that no
/// longer parses stops the schedule (its `next` empty).
fn timing(schedule: &Schedule, now: i64) -> Option<Timing> {
    let spec = CronSpec::parse(&schedule.cron, schedule.tz.as_deref()).ok()?;
    Some(spec.timing(schedule.next_ms?, now))
}

/// `2026-12-02 09:00:00` in local time.
pub fn local_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn weekdays_at_nine_in_shanghai() {
        let spec = CronSpec::parse("0 9 * * MON-FRI", Some("Asia/Shanghai")).unwrap();
        // Friday 2026-12-04 10:00 in Shanghai: next is Monday 09:00.
        let runs = spec.upcoming(ms("2026-12-04T10:00:00+08:00"), 3);
        assert_eq!(
            runs,
            [
                ms("2026-12-07T09:00:00+08:00"),
                ms("2026-12-08T09:00:00+08:00"),
                ms("2026-12-09T09:00:00+08:00"),
            ]
        );
    }

    #[test]
    fn six_fields_have_seconds() {
        let spec = CronSpec::parse("*/2 * * * * *", Some("UTC")).unwrap();
        let from = ms("2026-12-01T00:00:01Z");
        assert_eq!(spec.next_after(from), Some(ms("2026-12-01T00:00:02Z")));
    }

    #[test]
    fn only_the_latest_missed_run_is_sent() {
        let spec = CronSpec::parse("0 * * * *", Some("UTC")).unwrap();
        let t = spec.timing(ms("2026-12-01T01:00:00Z"), ms("2026-12-01T05:30:00Z"));
        assert_eq!(t.latest, ms("2026-12-01T05:00:00Z"));
        assert_eq!(t.skipped, 4);
        assert_eq!(t.next, Some(ms("2026-12-01T06:00:00Z")));
    }

    #[test]
    fn a_long_outage_of_a_seconds_schedule_is_not_counted_run_by_run() {
        let spec = CronSpec::parse("* * * * * *", Some("UTC")).unwrap();
        let t = spec.timing(ms("2026-12-01T00:00:00Z"), ms("2026-12-03T00:00:00Z"));
        assert_eq!(t.latest, ms("2026-12-03T00:00:00Z"));
        assert_eq!(t.next, Some(ms("2026-12-03T00:00:01Z")));
    }

    #[test]
    fn mistakes_say_what_to_write() {
        let err = CronSpec::parse("every day", None).unwrap_err();
        assert!(err.contains("MON-FRI"), "{err}");
        let err = CronSpec::parse("0 9 * * *", Some("Mars/Olympus")).unwrap_err();
        assert!(err.contains("Asia/Shanghai"), "{err}");
    }
}
