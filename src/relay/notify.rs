//! `POST /api/notify/{code}`: one notification, as seed 000 documents it.
//!
//! Request: JSON `{"title": optional string, "content": required string}`.
//! The message sent is `markdown`, the title (when given) as a bold first
//! line. Answers:
//!
//! | status | when | body |
//! |---|---|---|
//! | 200 | WeCom accepted it | `{"message": "发送成功", "response": {WeCom's answer}}` |
//! | 400 | invalid JSON, content missing or empty, over 4096 bytes | `{"message": …}` |
//! | 404 | unknown or revoked code | `{"message": …}` |
//! | 429 | the robot's 20 per minute are used and a slot is more than the queue wait away | `{"message": …}`, `Retry-After` |
//! | 500 | WeCom refused (its answer in `response`) or could not be reached (`error`) | `{"message": …, "response": …}` |
//!
//! Neither the code nor the webhook key is ever logged: log lines name the
//! robot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use crate::delivery::{Delivered, Engine};
use crate::http_server::summary::RepeatSummary;
use crate::store::outbox::NewItem;
use crate::wecom::attach::robot_id;
use crate::wecom::client::SendError;
use crate::wecom::validate::{has_errors, validate};
use crate::wecom::{Message, errcode};

/// The largest request body read. Content may be at most 4096 bytes; JSON
/// escapes can make that six times longer, and this leaves room.
pub const BODY_LIMIT: usize = 64 * 1024;

/// An answer with its status and JSON body.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) body: Value,
    pub(super) retry_after: Option<Duration>,
}

impl Answer {
    fn new(status: StatusCode, message: impl Into<String>) -> Answer {
        Answer {
            status,
            body: json!({ "message": message.into() }),
            retry_after: None,
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(after) = self.retry_after {
            // Whole seconds, rounded up: a client that waits that long finds a slot.
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The route's handler: logs one line per request, by robot, never the code.
pub async fn handler(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let (robot, answer) = notify(&shared, &code, request.into_body()).await;
    let ms = started.elapsed().as_millis() as u64;
    let status = answer.status.as_u16();
    if answer.status.is_success() {
        match &robot {
            Some(robot) => tracing::info!(%robot, status, ms, "notify"),
            None => tracing::info!(status, ms, "notify"),
        }
    } else {
        shared.refusals.log(robot.as_deref(), status, ms);
    }
    answer.into_response()
}

/// How often each kind of refusal is written in full.
const REFUSAL_PERIOD: Duration = Duration::from_secs(1);

/// The relay's log of refused requests: the first of each kind (status and
/// robot, or "unknown code") per [`REFUSAL_PERIOD`] at INFO, the rest counted
/// and written as one line when the period ends; every one at DEBUG. Without
/// it, a script hammering a revoked code wrote about 200 MB of log a minute.
/// No task runs while nothing is held back: the first held refusal of a
/// period starts a one-shot timer that writes the counts.
#[derive(Debug, Default)]
pub struct RefusalLog {
    state: Arc<std::sync::Mutex<RefusalState>>,
}

#[derive(Debug)]
struct RefusalState {
    summary: RepeatSummary,
    timer: bool,
}

impl Default for RefusalState {
    fn default() -> RefusalState {
        RefusalState {
            summary: RepeatSummary::new(REFUSAL_PERIOD),
            timer: false,
        }
    }
}

impl RefusalLog {
    fn log(&self, robot: Option<&str>, status: u16, ms: u64) {
        let kind = match robot {
            Some(robot) => format!("{status} for robot {robot}"),
            None => format!("{status} (unknown code)"),
        };
        self.log_kind(format!("notify {kind}"), status, ms);
    }

    /// Logs a refusal of `kind` (which names the API, the status and the
    /// robot, never a secret).
    pub(super) fn log_kind(&self, kind: String, status: u16, ms: u64) {
        tracing::debug!(%kind, ms, "refused");
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.summary.note(&kind, Instant::now()) {
            tracing::info!(status, ms, "refused: {kind}");
            return;
        }
        if state.timer {
            return;
        }
        state.timer = true;
        let shared = Arc::clone(&self.state);
        // Outside a runtime (unit tests of the handler) the counts wait for
        // the next refusal instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(REFUSAL_PERIOD).await;
                let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                state.timer = false;
                for r in state.summary.due(Instant::now()) {
                    tracing::info!(
                        "refused: {}, {} more times in the last {:.1} s",
                        r.kind,
                        r.count,
                        r.over.as_secs_f64()
                    );
                }
            });
        }
    }
}

/// Anything but `POST /api/notify/{code}`.
pub async fn not_found() -> Response {
    Answer::new(
        StatusCode::NOT_FOUND,
        "not found: post to /api/notify/{code}, or to /api/v1/openapi/notification/wecom?access_token=TOKEN",
    )
    .into_response()
}

async fn notify(shared: &Shared, code: &str, body: Body) -> (Option<String>, Answer) {
    let config = shared.book.current();
    let Some(entry) = config.relay_code(code) else {
        return (None, unknown_code());
    };
    let robot = entry.robot.clone();
    let webhook = match config.webhook_of(&robot) {
        Ok(w) => w,
        Err(crate::store::config::RobotError::NotFound { .. }) => return (None, unknown_code()),
        Err(e) => {
            return (
                Some(robot),
                Answer::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            );
        }
    };
    let answer = match read_request(body).await {
        Ok(message) => deliver(shared, &robot, &webhook, &message).await,
        Err(answer) => answer,
    };
    (Some(robot), answer)
}

fn unknown_code() -> Answer {
    Answer::new(
        StatusCode::NOT_FOUND,
        "配置不存在: no relay code like that (unknown or revoked); check the code in the URL",
    )
}

fn bad_request(message: impl Into<String>) -> Answer {
    Answer::new(
        StatusCode::BAD_REQUEST,
        format!("参数错误: {}", message.into()),
    )
}

/// The body as a markdown message that passes every local check, or a 400.
async fn read_request(body: Body) -> Result<Message, Answer> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| bad_request(format!("the body is larger than {BODY_LIMIT} bytes")))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        bad_request(format!(
            "the body is not valid JSON ({e}); send {{\"title\": \"…\", \"content\": \"…\"}}"
        ))
    })?;
    let Value::Object(fields) = value else {
        return Err(bad_request(
            "the body must be a JSON object like {\"title\": \"…\", \"content\": \"…\"}",
        ));
    };
    let title = match fields.get("title") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.as_str()),
        Some(_) => return Err(bad_request("title must be a string")),
    };
    let content = match fields.get("content") {
        Some(Value::String(c)) if !c.trim().is_empty() => c.as_str(),
        Some(Value::String(_)) => return Err(bad_request("content is empty")),
        None | Some(Value::Null) => return Err(bad_request("content is required")),
        Some(_) => return Err(bad_request("content must be a string")),
    };
    let message = Message::titled_markdown(title, content);
    // English, whatever the process speaks: handlers run in English
    // (`http_server`).
    let problems = validate(&message);
    if has_errors(&problems) {
        let text: Vec<String> = problems
            .iter()
            .filter(|p| p.is_error())
            .map(ToString::to_string)
            .collect();
        return Err(bad_request(text.join("; ")));
    }
    Ok(message)
}

/// Takes a relay request's outbox items back if its caller hangs up before
/// the answer (the handler's future is dropped): each item still waiting is
/// removed and the log says it was abandoned; its rate-limit slot is given
/// back by the engine's own guard. Items are struck off with
/// [`Abandoned::done`] as their delivery ends.
pub(super) struct Abandoned<'a> {
    pub(super) engine: &'a Engine,
    pub(super) ids: Vec<i64>,
    pub(super) robot: &'a str,
    /// `notify` or `batch`, for the log.
    pub(super) api: &'static str,
}

impl Abandoned<'_> {
    /// Item `id`'s delivery ended: nothing to take back.
    pub(super) fn done(&mut self, id: i64) {
        self.ids.retain(|i| *i != id);
    }
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        for id in std::mem::take(&mut self.ids) {
            let state = self.engine.outbox().get(id).ok().flatten().map(|i| i.state);
            let (robot, api) = (self.robot, self.api);
            match state {
                Some(crate::store::outbox::OutboxState::Sending) => {
                    // The request may be on its way: the next start of the
                    // engine marks it unknown once its lease expires.
                    tracing::warn!(%robot, "{api}: the caller hung up while its message was being sent; it may have been delivered");
                }
                Some(_) => {
                    let _ = self.engine.outbox().remove(id);
                    tracing::info!(%robot, "{api}: the caller hung up while queued; abandoned, not sent");
                }
                None => {}
            }
        }
    }
}

/// Sends through the delivery engine: the outbox (nothing kept if the
/// caller is answered 429 or hangs up), the shared ledger (waits for a slot
/// up to the queue wait) and the history. A retryable failure is retried
/// within the same wait.
async fn deliver(
    shared: &Shared,
    robot_name: &str,
    webhook: &crate::wecom::Webhook,
    message: &Message,
) -> Answer {
    let engine = &shared.engine;
    let item = NewItem {
        label: "notify".to_owned(),
        robot_name: robot_name.to_owned(),
        robot: robot_id(webhook),
        msgtype: message.kind().msgtype().to_owned(),
        payload: message.to_json(),
        part: None,
        upload: None,
    };
    let id = match engine.submit(None, std::slice::from_ref(&item), true) {
        Ok(submitted) => match submitted.ids.first() {
            Some(id) => *id,
            None => return store_failed("the outbox took nothing"),
        },
        Err(e) => return store_failed(&e.to_string()),
    };
    let mut guard = Abandoned {
        engine,
        ids: vec![id],
        robot: robot_name,
        api: "notify",
    };
    let never = tokio_util::sync::CancellationToken::new();
    let result = engine
        .deliver(id, webhook, Some(shared.max_wait), &|_, _| {}, &never)
        .await;
    guard.done(id);
    match result {
        Err(e) => store_failed(&e.to_string()),
        Ok(Delivered::Sent { errmsg, .. }) => Answer {
            status: StatusCode::OK,
            body: json!({
                "message": "发送成功",
                "response": {"errcode": 0, "errmsg": errmsg},
            }),
            retry_after: None,
        },
        Ok(Delivered::TooLong { wait }) => too_many(wait),
        Ok(Delivered::Ended {
            error: SendError::Refused { errcode, .. },
            ..
        }) if errcode == crate::delivery::FREQ_OUT_OF_LIMIT => {
            too_many(engine.ledger().rate().window)
        }
        Ok(Delivered::Ended {
            error: SendError::Refused { errcode, errmsg },
            ..
        }) => Answer {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: json!({
                "message": format!(
                    "企业微信API调用失败: WeCom refused the message (errcode {errcode}): {}",
                    errcode::describe(errcode)
                ),
                "response": {"errcode": errcode, "errmsg": errmsg},
            }),
            retry_after: None,
        },
        Ok(Delivered::Ended { error, .. }) => Answer::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("企业微信API调用失败: {}: {error}", error.title()),
        ),
        Ok(Delivered::Stopped | Delivered::Busy) => {
            store_failed("the message was taken by another process")
        }
    }
}

fn store_failed(why: &str) -> Answer {
    Answer::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the relay's outbox failed: {why}"),
    )
}

pub(super) fn too_many(wait: Duration) -> Answer {
    let mut answer = Answer::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "this robot has sent its 20 messages of the minute; try again in {} s",
            wait.as_secs().max(1)
        ),
    );
    answer.retry_after = Some(wait);
    answer
}
