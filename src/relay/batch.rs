//! `POST /api/v1/openapi/notification/wecom?access_token=TOKEN`: seed 002's
//! batch API. The body `{"link": WEBHOOK_URL, "sk": "…", "data": [message,
//! …]}` names the robot by its webhook link and lists webhook messages, sent
//! in order. `sk` (the service's signing secret) is accepted and ignored:
//! WeCom's group robots have no signature.
//!
//! Every message is checked first, all problems at once; if any is invalid,
//! or the robot's rate limit cannot take the whole batch within the relay's
//! wait, nothing is sent. Then the messages go out one by one through the
//! delivery engine; the first that fails stops the batch, and the answer
//! says which were delivered so the caller never sends them again.
//!
//! Answers are seed 002's: `{"code": 0, "data": {…}}`, or a non-zero `code`
//! with `msg` (what went wrong) and `hint` (what to do). [`Code`] lists them.
//! Neither the token nor the link's key is ever logged: a link equal to a
//! saved robot's webhook is logged under the robot's name, any other under
//! its masked key.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use url::Url;

use super::Shared;
use super::notify::{Abandoned, Answer};
use super::tokens;
use crate::delivery::{Delivered, FREQ_OUT_OF_LIMIT};
use crate::store::config::Config;
use crate::store::outbox::NewItem;
use crate::wecom::attach::robot_id;
use crate::wecom::batch::{BodyError, Shape, parse_body_str};
use crate::wecom::client::SendError;
use crate::wecom::webhook::{DEFAULT_BASE_URL, Webhook, WebhookError, default_base};
use crate::wecom::{Message, errcode};

/// The route, as in seed 002.
pub const BATCH_ROUTE: &str = "/api/v1/openapi/notification/wecom";
/// The largest body read: room for two images at WeCom's 2 MiB (base64
/// makes them a third larger) beside text messages.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;
/// The most messages in one batch: what one robot may send in a minute.
pub const MAX_MESSAGES: usize = 20;

/// The batch API's answer codes (the README's table lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Every message was sent.
    Ok = 0,
    /// No `access_token` in the query.
    TokenMissing = 40101,
    /// An `access_token` that is unknown or revoked.
    TokenUnknown = 40102,
    /// The body is not JSON.
    NotJson = 40001,
    /// The body is JSON but not `{"link": …, "data": […]}`.
    NotABatch = 40002,
    /// The body is larger than [`BODY_LIMIT`].
    BodyTooLarge = 40003,
    /// `data` is missing.
    DataMissing = 40010,
    /// `data` is not an array.
    DataNotAnArray = 40011,
    /// `data` is empty.
    DataEmpty = 40012,
    /// `data` has more than [`MAX_MESSAGES`] messages.
    DataTooLong = 40013,
    /// A message is not a JSON object.
    MessageNotAnObject = 40014,
    /// A message breaks a documented rule.
    MessageInvalid = 40015,
    /// `link` is missing or not a string.
    LinkMissing = 40020,
    /// `link` is not an http(s) URL to a webhook.
    LinkNotAWebhook = 40021,
    /// `link` has no key.
    LinkWithoutKey = 40022,
    /// `link` points at a host the relay does not send to.
    LinkHostNotAllowed = 40023,
    /// The robot's rate limit cannot take the batch within the wait.
    RateLimited = 42900,
    /// WeCom refused a message; those before it were delivered.
    Refused = 50001,
    /// A message could not be sent (WeCom unreachable, or its answer lost):
    /// see `may_have_been_delivered`.
    SendFailed = 50002,
    /// The relay's own store failed.
    Internal = 50000,
}

impl Code {
    fn status(self) -> StatusCode {
        match self {
            Code::Ok => StatusCode::OK,
            Code::TokenMissing | Code::TokenUnknown => StatusCode::UNAUTHORIZED,
            Code::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::LinkHostNotAllowed => StatusCode::FORBIDDEN,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::Refused | Code::SendFailed => StatusCode::BAD_GATEWAY,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// A refusal: the code, what went wrong, what to do, and any data.
fn refuse(code: Code, msg: impl Into<String>, hint: impl Into<String>) -> Answer {
    Answer {
        status: code.status(),
        body: json!({ "code": code as i64, "msg": msg.into(), "hint": hint.into(), "data": {} }),
        retry_after: None,
    }
}

fn with_data(mut answer: Answer, data: Value) -> Answer {
    answer.body["data"] = data;
    answer
}

/// The hosts a link may point at: WeCom's, the configured `base_url`'s,
/// and those given with `--allow-link-host HOST[:PORT]` (a host without a
/// port allows every port).
#[derive(Debug, Clone, Default)]
pub struct LinkHosts {
    extra: Vec<String>,
}

impl LinkHosts {
    /// `extra`: `HOST[:PORT]` entries, case ignored.
    pub fn new(extra: Vec<String>) -> LinkHosts {
        LinkHosts {
            extra: extra
                .into_iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    fn allows(&self, link: &Url, config: &Config) -> bool {
        let Some(host) = link.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let port = link.port_or_known_default();
        let same = |base: &Url| {
            base.host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&host))
                && base.port_or_known_default() == port
        };
        if Url::parse(DEFAULT_BASE_URL).is_ok_and(|b| same(&b)) || same(&config.base()) {
            return true;
        }
        self.extra.iter().any(|entry| match entry.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() => {
                h.trim_matches(['[', ']']) == host.trim_matches(['[', ']'])
                    && p.parse::<u16>().ok() == port
            }
            _ => entry.trim_matches(['[', ']']) == host.trim_matches(['[', ']']),
        })
    }
}

/// The route's handler: one log line per batch, by robot, never a secret.
pub async fn handler(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let started = Instant::now();
    let (robot, answer) = batch(&shared, query.as_deref(), request).await;
    let ms = started.elapsed().as_millis() as u64;
    let status = answer.status.as_u16();
    let code = answer.body["code"].as_i64().unwrap_or(-1);
    let robot = robot.unwrap_or_else(|| "(no robot)".to_owned());
    if answer.status.is_success() {
        let sent = answer.body["data"]["sent"].as_u64().unwrap_or(0);
        tracing::info!(%robot, status, sent, ms, "batch");
    } else if matches!(code, c if c == Code::Refused as i64 || c == Code::SendFailed as i64) {
        // Something may have been delivered: always logged in full.
        let sent = answer.body["data"]["sent"].as_u64().unwrap_or(0);
        tracing::warn!(%robot, status, code, sent, ms, "batch stopped");
    } else {
        shared.refusals.log_kind(
            format!("batch {status} code {code} for {robot}"),
            status,
            ms,
        );
    }
    answer.into_response()
}

/// A checked request: the robot and its messages.
struct Ready {
    webhook: Webhook,
    /// Its saved name, or its masked key: what logs and the outbox say.
    name: String,
    messages: Vec<Message>,
}

async fn batch(shared: &Shared, query: Option<&str>, request: Request) -> (Option<String>, Answer) {
    let config = shared.book.current();
    let token = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    });
    match token.as_deref().map(str::trim) {
        None | Some("") => {
            return (
                None,
                refuse(
                    Code::TokenMissing,
                    "access_token is missing",
                    "add ?access_token=TOKEN to the URL; `wecom tokens add LABEL` makes one",
                ),
            );
        }
        Some(t) if tokens::find(&config, t).is_none() => {
            return (
                None,
                refuse(
                    Code::TokenUnknown,
                    "access_token is unknown or revoked",
                    "check the token; `wecom tokens list` shows the ids of the valid ones",
                ),
            );
        }
        Some(_) => {}
    }
    let ready = match read(shared, &config, request).await {
        Ok(ready) => ready,
        Err(answer) => return (None, answer),
    };
    let answer = deliver(shared, &ready).await;
    (Some(ready.name), answer)
}

/// The body read and checked: nothing is sent unless all of it is right.
async fn read(shared: &Shared, config: &Config, request: Request) -> Result<Ready, Answer> {
    let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map_err(|_| {
            refuse(
                Code::BodyTooLarge,
                format!("the body is larger than {BODY_LIMIT} bytes"),
                "send fewer or smaller messages per request (images are the largest)",
            )
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        refuse(
            Code::NotJson,
            "the body is not UTF-8 text",
            "send JSON in UTF-8",
        )
    })?;
    let usage = "send {\"link\": \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…\", \"data\": [message, …]}";
    let body = parse_body_str(text).map_err(|e| {
        let code = match e {
            BodyError::NotJson(_) => Code::NotJson,
            BodyError::NotAnObjectOrArray => Code::NotABatch,
            BodyError::DataMissing => Code::DataMissing,
            BodyError::DataNotAnArray => Code::DataNotAnArray,
            BodyError::Empty => Code::DataEmpty,
            BodyError::LinkNotAString => Code::LinkMissing,
            BodyError::MessageNotAnObject { .. } => Code::MessageNotAnObject,
        };
        refuse(code, e.to_string(), usage)
    })?;
    if body.shape != Shape::Service {
        return Err(refuse(
            Code::NotABatch,
            "the body is a message or a list of messages, not a batch request",
            usage,
        ));
    }
    if body.entries.len() > MAX_MESSAGES {
        return Err(refuse(
            Code::DataTooLong,
            format!(
                "data has {} messages; at most {MAX_MESSAGES} are taken at once (a robot's messages per minute)",
                body.entries.len()
            ),
            "split the list into several requests",
        ));
    }
    let (webhook, name) = link(shared, config, body.link.as_deref())?;
    // English, whatever the process speaks: handlers run in English
    // (`http_server`).
    let checked = body.check();
    if !checked.is_sendable(body.entries.len()) {
        let errors: Vec<Value> = checked
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| json!({"path": p.path, "message": p.message, "fix": p.fix}))
            .collect();
        return Err(with_data(
            refuse(
                Code::MessageInvalid,
                format!("nothing was sent: {}", checked.errors().join("; ")),
                "fix the messages named (data[i] is the i-th, from 0) and send the batch again",
            ),
            json!({ "problems": errors }),
        ));
    }
    Ok(Ready {
        webhook,
        name,
        messages: checked.messages,
    })
}

/// The robot the link names, if the relay may send to it.
fn link(shared: &Shared, config: &Config, link: Option<&str>) -> Result<(Webhook, String), Answer> {
    let form = "a webhook URL like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…";
    let Some(link) = link.map(str::trim).filter(|l| !l.is_empty()) else {
        return Err(refuse(
            Code::LinkMissing,
            "link is missing",
            format!("give the robot's webhook as \"link\": {form}"),
        ));
    };
    let not_a_webhook = |why: &str| {
        refuse(
            Code::LinkNotAWebhook,
            format!("link is not an http(s) webhook URL: {why}"),
            format!("give {form}"),
        )
    };
    // A URL is required: a bare key would be sent to WeCom without the
    // caller having named a host.
    let url = Url::parse(link).map_err(|_| not_a_webhook("it is not a URL"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(not_a_webhook("only http and https are sent to"));
    }
    let webhook = Webhook::parse(link, &default_base()).map_err(|e| match e {
        WebhookError::MissingKey | WebhookError::EmptyKey => refuse(
            Code::LinkWithoutKey,
            "link has no key",
            format!("give the robot's whole webhook, key included: {form}"),
        ),
        // The error names what is wrong, never the key itself.
        e => not_a_webhook(&e.to_string()),
    })?;
    if !shared.link_hosts.allows(&url, config) {
        return Err(refuse(
            Code::LinkHostNotAllowed,
            format!(
                "this relay does not send to {}",
                crate::untrusted::one_line(&webhook.host())
            ),
            "use a WeCom webhook (qyapi.weixin.qq.com); the relay's operator can allow another host with `wecom serve --allow-link-host HOST[:PORT]`",
        ));
    }
    let id = robot_id(&webhook);
    let base = config.base();
    let name = config
        .robots
        .iter()
        .find(|r| r.parsed_webhook(&base).is_ok_and(|w| robot_id(&w) == id))
        .map(|r| r.name.clone())
        .unwrap_or_else(|| format!("webhook {}", webhook.key().masked()));
    Ok((webhook, name))
}

/// The slots a batch holds for its messages, given back when it ends:
/// used ones are settled by then and stay counted; the others (the batch
/// stopped, or the caller hung up) are free again at once.
struct Held<'a> {
    ledger: &'a crate::store::ledger::Ledger,
    slots: Vec<crate::store::ledger::Reservation>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        for slot in &self.slots {
            if let Err(e) = self.ledger.release(slot) {
                tracing::warn!("batch: a slot could not be given back: {e}");
            }
        }
    }
}

fn internal(why: &str) -> Answer {
    refuse(
        Code::Internal,
        format!("the relay's outbox failed: {why}"),
        "nothing of this batch was sent; try again, and tell the relay's operator if it persists",
    )
}

fn rate_limited(wait: Duration, max_wait: Duration, sent: &[Value]) -> Answer {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut answer = with_data(
        refuse(
            Code::RateLimited,
            format!(
                "this robot's rate limit cannot take the rest of the batch within the relay's wait of {:.1} s; {} sent",
                max_wait.as_secs_f64(),
                sent.len()
            ),
            format!(
                "try again in {} s with the messages not sent (data.sent says how many were)",
                secs.max(1)
            ),
        ),
        json!({"sent": sent.len(), "results": sent}),
    );
    answer.retry_after = Some(wait);
    answer
}

/// Sends the messages in order through the delivery engine; stops at the
/// first that is not delivered.
async fn deliver(shared: &Shared, ready: &Ready) -> Answer {
    let engine = &shared.engine;
    let robot = robot_id(&ready.webhook);
    let n = ready.messages.len();
    let items: Vec<NewItem> = ready
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| NewItem {
            label: format!("batch {}/{n}", i + 1),
            robot_name: ready.name.clone(),
            robot: robot.clone(),
            msgtype: m.kind().msgtype().to_owned(),
            payload: m.to_json(),
            part: None,
            upload: None,
        })
        .collect();
    let ids = match engine.submit(None, &items, true) {
        Ok(submitted) if submitted.ids.len() == n => submitted.ids,
        Ok(_) => return internal("the outbox did not take every message"),
        Err(e) => return internal(&e.to_string()),
    };
    let mut guard = Abandoned {
        engine,
        ids: ids.clone(),
        robot: &ready.name,
        api: "batch",
    };
    // Every slot the batch needs, taken in one transaction before the
    // first send, or none and nothing sent.
    let refused = match engine.ledger().reserve_each(&robot, &ids, shared.max_wait) {
        Ok(Ok(slots)) => Ok(Held {
            ledger: engine.ledger(),
            slots,
        }),
        Ok(Err(wait)) => Err(rate_limited(wait, shared.max_wait, &[])),
        Err(e) => {
            tracing::warn!("batch: the rate ledger could not be read: {e}");
            Err(internal(&e.to_string()))
        }
    };
    let _held = match refused {
        Ok(held) => held,
        Err(answer) => {
            // Nothing is kept of a batch that is not let in.
            for id in &ids {
                let _ = engine.outbox().remove(*id);
                guard.done(*id);
            }
            return answer;
        }
    };
    let started = Instant::now();
    let never = tokio_util::sync::CancellationToken::new();
    let mut results: Vec<Value> = Vec::with_capacity(n);
    for (i, id) in ids.iter().enumerate() {
        let wait = shared.max_wait.saturating_sub(started.elapsed());
        let outcome = engine
            .deliver(*id, &ready.webhook, Some(wait), &|_, _| {}, &never)
            .await;
        guard.done(*id);
        let stop = match outcome {
            Ok(Delivered::Sent { errmsg, .. }) => {
                results.push(json!({"index": i, "errcode": 0, "errmsg": errmsg}));
                continue;
            }
            Err(e) => {
                let delivered = results.len();
                with_data(
                    refuse(
                        Code::Internal,
                        format!(
                            "the relay's outbox failed at data[{i}]: {e}; {delivered} before it were delivered"
                        ),
                        format!(
                            "data[{i}] may have been delivered: check before sending it again; the rest were not sent"
                        ),
                    ),
                    json!({"sent": delivered, "results": results}),
                )
            }
            Ok(Delivered::TooLong { wait }) => rate_limited(wait, shared.max_wait, &results),
            Ok(Delivered::Ended {
                error: SendError::Refused { errcode, .. },
                ..
            }) if errcode == FREQ_OUT_OF_LIMIT => {
                rate_limited(engine.ledger().rate().window, shared.max_wait, &results)
            }
            Ok(Delivered::Ended {
                error: SendError::Refused { errcode, errmsg },
                ..
            }) => {
                let delivered = results.len();
                results.push(json!({"index": i, "errcode": errcode, "errmsg": errmsg}));
                with_data(
                    refuse(
                        Code::Refused,
                        format!(
                            "WeCom refused data[{i}] (errcode {errcode}): {}; {delivered} before it were delivered, the rest not sent",
                            errcode::describe(errcode)
                        ),
                        "do not send the delivered messages again; fix data[i] and send it and the rest",
                    ),
                    json!({"sent": delivered, "results": results}),
                )
            }
            Ok(Delivered::Ended { error, .. }) => {
                let delivered = results.len();
                let maybe = error.may_have_been_delivered();
                results.push(json!({
                    "index": i,
                    "error": format!("{}: {error}", error.title()),
                    "may_have_been_delivered": maybe,
                }));
                let hint = if maybe {
                    format!(
                        "data[{i}] may have reached the group: check before sending it again; the rest were not sent"
                    )
                } else {
                    format!("data[{i}] and the rest were not sent: try them again later")
                };
                with_data(
                    refuse(
                        Code::SendFailed,
                        format!(
                            "data[{i}] could not be sent: {}; {delivered} before it were delivered",
                            error.title()
                        ),
                        hint,
                    ),
                    json!({"sent": delivered, "results": results}),
                )
            }
            Ok(Delivered::Stopped | Delivered::Busy) => {
                internal("a message was taken by another process")
            }
        };
        // The rest are not sent: taken out of the outbox (they were
        // transient), without the "caller hung up" line.
        for rest in &ids[i + 1..] {
            let _ = engine.outbox().remove(*rest);
            guard.done(*rest);
        }
        return stop;
    }
    Answer {
        status: StatusCode::OK,
        body: json!({"code": Code::Ok as i64, "data": {"sent": n, "results": results}}),
        retry_after: None,
    }
}
