//! The HTTP routes: `/cgi-bin/webhook/send` and `/cgi-bin/webhook/upload_media`,
//! each answering HTTP 200 with WeCom's JSON; anything else is 404.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Multipart, RawQuery, Request};
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::record::{Event, Record, key_hint, now_ms, now_unix_seconds};
use super::reply::{self, Reject, errcode};
use super::state::State;
use super::{send, upload};
use crate::untrusted::one_line;
use crate::wecom::media::MediaKind;
use crate::wecom::webhook::{SEND_PATH, UPLOAD_PATH};

/// Largest send body read: a 2 MiB image is about 2.7 MiB of base64, so this
/// leaves room while still refusing absurd bodies.
pub const SEND_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Largest upload request read: comfortably above the 20 MiB file limit, so a
/// file just over it is still read to the end and told its exact size.
pub const UPLOAD_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// How much of an oversize send body is read (and dropped) before giving up,
/// so that the client can still read the answer.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The sandbox's routes over `state`.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(
            SEND_PATH,
            post(send_handler).layer(DefaultBodyLimit::max(SEND_BODY_LIMIT)),
        )
        .route(
            UPLOAD_PATH,
            post(upload_handler).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(state)
}

/// A GET (or any method but POST) on a webhook path: WeCom's 43002 in its
/// usual shape, so a client that reads every answer as JSON can say why.
async fn method_not_allowed(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    let reject = Reject::new(
        errcode::REQUIRE_POST_METHOD,
        format!(
            "require POST method (this was {})",
            one_line(method.as_str())
        ),
    );
    answer(
        &state,
        "send",
        params.key.as_deref(),
        peer.ip(),
        Err(reject),
    )
}

/// A path WeCom's webhook does not have. WeCom documents no errcode for it;
/// the sandbox answers HTTP 404 with the errcode 404 in WeCom's JSON shape,
/// naming the paths it serves.
async fn not_found(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
) -> Response {
    let reject = Reject::new(
        errcode::NOT_FOUND,
        format!(
            "not found: {} is not a webhook path; use POST {SEND_PATH}?key=KEY or POST {UPLOAD_PATH}?key=KEY&type=file",
            one_line(uri.path())
        ),
    );
    let mut response = answer(&state, "other", None, peer.ip(), Err(reject));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The `key` and `type` query parameters.
#[derive(Debug, Default)]
struct Params {
    key: Option<String>,
    kind: Option<String>,
}

impl Params {
    fn parse(query: Option<&str>) -> Params {
        let mut params = Params::default();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "key" if params.key.is_none() => params.key = Some(value.into_owned()),
                "type" if params.kind.is_none() => params.kind = Some(value.into_owned()),
                _ => {}
            }
        }
        params
    }
}

async fn send_handler(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let params = Params::parse(query.as_deref());
    let result = handle_send(&state, params.key.as_deref(), request.into_body()).await;
    answer(&state, "send", params.key.as_deref(), peer.ip(), result)
}

async fn handle_send(state: &State, key: Option<&str>, body: Body) -> Result<Value, Reject> {
    let admitted = state
        .accepted_key(key)
        .and_then(|key| state.count_message(&key).map(|()| key));
    let key = match admitted {
        Ok(key) => key,
        Err(reject) => {
            drain_body(body).await;
            return Err(reject);
        }
    };
    let bytes = read_send_body(body).await?;
    let accepted = send::check(state, &key, &bytes)?;
    state.recorder.push(Record::Message {
        at_ms: now_ms(),
        key_hint: key_hint(&key),
        message: accepted.value,
        ignored_fields: accepted.ignored,
    });
    Ok(reply::ok_body())
}

/// Reads the send body up to [`SEND_BODY_LIMIT`]; a larger body is read to
/// the end (up to [`DRAIN_LIMIT`]) and refused with 40006.
async fn read_send_body(body: Body) -> Result<Bytes, Reject> {
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Reject::new(
                errcode::INVALID_PARAMETER,
                format!("invalid request parameter: cannot read the body ({e})"),
            )
        })?;
        total = total.saturating_add(chunk.len());
        if total <= SEND_BODY_LIMIT {
            kept.extend_from_slice(&chunk);
        } else if total > DRAIN_LIMIT {
            break;
        }
    }
    if total > SEND_BODY_LIMIT {
        return Err(Reject::new(
            errcode::INVALID_FILE_SIZE,
            format!(
                "invalid file size: the request body is larger than {} MiB (an image may be at most 2 MiB before base64)",
                SEND_BODY_LIMIT / (1024 * 1024)
            ),
        ));
    }
    Ok(Bytes::from(kept))
}

/// Reads and drops what is left of a refused request (up to
/// [`DRAIN_LIMIT`]), so the client gets the answer rather than a reset.
async fn drain_body(body: Body) {
    let mut stream = body.into_data_stream();
    let mut total = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        total = total.saturating_add(chunk.len());
        if total > DRAIN_LIMIT {
            break;
        }
    }
}

async fn upload_handler(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let params = Params::parse(query.as_deref());
    let result = handle_upload(&state, &params, request).await;
    answer(
        &state,
        "upload_media",
        params.key.as_deref(),
        peer.ip(),
        result,
    )
}

async fn handle_upload(state: &State, params: &Params, request: Request) -> Result<Value, Reject> {
    let admitted = state.accepted_key(params.key.as_deref()).and_then(|key| {
        let kind = params
            .kind
            .as_deref()
            .and_then(MediaKind::parse)
            .ok_or_else(|| {
                Reject::new(
                    errcode::INVALID_MEDIA_TYPE,
                    "invalid media type: type must be file or voice",
                )
            })?;
        Ok((key, kind))
    });
    let (key, kind) = match admitted {
        Ok(admitted) => admitted,
        Err(reject) => {
            drain_body(request.into_body()).await;
            return Err(reject);
        }
    };
    let multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| upload::missing())?;
    let received = upload::receive(multipart, kind, UPLOAD_BODY_LIMIT).await?;
    upload::judge(kind, &received)?;
    let media_id = state.store_media(&key, kind);
    let created_at = now_unix_seconds();
    state.recorder.push(Record::Upload {
        at_ms: now_ms(),
        key_hint: key_hint(&key),
        kind,
        filename: received.filename,
        size: received.size,
        media_id: media_id.clone(),
    });
    Ok(json!({
        "errcode": errcode::OK,
        "errmsg": "ok",
        "type": kind.as_str(),
        "media_id": media_id,
        "created_at": created_at.to_string(),
    }))
}

/// Turns a handler's outcome into WeCom's HTTP 200 JSON answer, telling live
/// watchers about refusals.
fn answer(
    state: &State,
    endpoint: &'static str,
    key: Option<&str>,
    ip: IpAddr,
    result: Result<Value, Reject>,
) -> Response {
    match result {
        Ok(body) => reply::respond(body),
        Err(reject) => {
            let errmsg = reply::errmsg(&reject, state.next_hint(), ip);
            state.recorder.refused(Event::Refused {
                endpoint,
                key_hint: key.filter(|k| !k.is_empty()).map(key_hint),
                errcode: reject.code,
                errmsg: errmsg.clone(),
            });
            reply::respond(reply::error_body(reject.code, errmsg))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded() {
        let p = Params::parse(Some("type=voice&key=a%2Db&key=second"));
        assert_eq!(p.key.as_deref(), Some("a-b"));
        assert_eq!(p.kind.as_deref(), Some("voice"));
        let none = Params::parse(None);
        assert!(none.key.is_none() && none.kind.is_none());
    }
}
