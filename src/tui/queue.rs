//! The runner's side of send later, split parts and edited outbox items:
//! store work off the UI thread, answered by a [`Msg`].

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::msg::{Effect, Later, Msg};
use super::{Runner, deliver, finished};
use crate::delivery::due::{self, Observer, WorkerEvent, local_time};
use crate::delivery::when::{self, Due};
use crate::delivery::{Delivered, placeholders};
use crate::store::outbox::{NewItem, Upload};
use crate::untrusted::one_line;
use crate::wecom::attach::{media_message, robot_id};
use crate::wecom::{Message, Webhook};

impl Runner {
    /// Puts the message in the outbox for `due`, one item per robot.
    pub(super) fn queue_later(&self, robots: Vec<(String, Webhook)>, what: Later, due: Due) {
        let Some(engine) = self.engine.clone() else {
            let _ = self.tx.send(Msg::QueuedLater(Err(
                "the outbox (wecom.db in the data directory) could not be opened; see wecom.log"
                    .to_owned(),
            )));
            return;
        };
        self.in_background(move || {
            let result = (|| {
                let items = robots
                    .iter()
                    .map(|(name, webhook)| new_item(&what, name, webhook))
                    .collect::<Result<Vec<_>, String>>()?;
                let submitted = engine
                    .submit_due(&items, due.at_ms)
                    .map_err(|e| e.to_string())?;
                let names: Vec<&str> = robots.iter().map(|(n, _)| n.as_str()).collect();
                let ids: Vec<String> = submitted.ids.iter().map(i64::to_string).collect();
                let rolled = if due.rolled_over {
                    crate::tr!("queue.rolled_over")
                } else {
                    "".into()
                };
                Ok(crate::tr!(
                    "queue.queued",
                    what = items.first().map_or("", |i| i.label.as_str()),
                    robots = one_line(&names.join(", ")),
                    at = local_time(due.at_ms),
                    countdown = when::countdown(chrono::Local::now().timestamp_millis(), due.at_ms),
                    rolled = rolled,
                    ids = ids.join(", ")
                )
                .into_owned())
            })();
            Msg::QueuedLater(result)
        });
    }

    /// Takes outbox item `outbox_id` out, then hands `then` back to run.
    pub(super) fn in_place_of(&self, outbox_id: i64, then: Effect) {
        let Some(engine) = self.engine.clone() else {
            let _ = self.tx.send(Msg::Replaced {
                id: outbox_id,
                result: Err("the outbox could not be opened".to_owned()),
                then: Box::new(then),
            });
            return;
        };
        self.in_background(move || Msg::Replaced {
            id: outbox_id,
            result: engine.cancel(outbox_id).map_err(|e| e.to_string()),
            then: Box::new(then),
        });
    }

    /// Sends the parts of a split message in order; Esc stops before the
    /// next part (never in the middle of one).
    pub(super) fn send_parts(
        &mut self,
        id: u64,
        robot: String,
        webhook: Webhook,
        parts: Vec<Message>,
    ) {
        let Some(engine) = self.engine.clone() else {
            let _ = self.tx.send(finished(
                id,
                super::msg::SendOutcome::Failed {
                    title: crate::tr!("deliver.not_sent").into_owned(),
                    detail: crate::tr!("queue.no_outbox").into_owned(),
                },
            ));
            return;
        };
        let tx = self.tx.clone();
        let stop = CancellationToken::new();
        let task_stop = stop.clone();
        tokio::spawn(async move {
            let outcome =
                deliver::deliver_parts(&engine, id, robot, &webhook, parts, &tx, &task_stop).await;
            if let Some(outcome) = outcome {
                let _ = tx.send(finished(id, outcome));
            }
        });
        self.cancels.retain(|_, c| !c.is_cancelled());
        self.cancels.insert(id, stop);
    }
}

/// The outbox item for `what` to `robot`, its placeholders checked now so a
/// mistake is said at once rather than at the due time.
fn new_item(what: &Later, robot: &str, webhook: &Webhook) -> Result<NewItem, String> {
    let (label, msgtype, payload, upload) = match what {
        Later::Message(m) => (
            m.kind().msgtype().to_owned(),
            m.kind().msgtype().to_owned(),
            m.to_json(),
            None,
        ),
        Later::Upload { path, kind } => {
            let message = media_message(*kind, String::new());
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                format!("{} {}", message.kind().msgtype(), one_line(&name)),
                message.kind().msgtype().to_owned(),
                message.to_json(),
                Some(Upload {
                    path: path.clone(),
                    kind: *kind,
                }),
            )
        }
    };
    placeholders::check_json(&payload)?;
    Ok(NewItem {
        label,
        robot_name: robot.to_owned(),
        robot: robot_id(webhook),
        msgtype,
        payload,
        part: None,
        upload,
    })
}

/// What the composer's send-later worker did, as status lines.
pub(super) fn worker_observer(tx: tokio::sync::mpsc::UnboundedSender<Msg>) -> Observer {
    Arc::new(move |event: &WorkerEvent<'_>| {
        let (line, ok) = match event {
            WorkerEvent::Delivered(item, result) => (
                due::delivered_line(item, result),
                matches!(result, Delivered::Sent { .. }),
            ),
            WorkerEvent::Scheduled(run) => (due::scheduled_line(run), true),
            WorkerEvent::Resumed(n) => (
                crate::tr!("queue.resumed", line = due::resumed_line(*n)).into_owned(),
                true,
            ),
            WorkerEvent::Progress(..) | WorkerEvent::StoreFailed(_) => return,
        };
        let _ = tx.send(Msg::DueDelivered {
            line: crate::tr!("queue.outbox_line", line = one_line(&line)).into_owned(),
            ok,
        });
    })
}
