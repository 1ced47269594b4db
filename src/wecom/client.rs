//! The asynchronous HTTP client: sends messages and uploads files to a robot.
//!
//! Three rules shape it:
//!
//! * Success is `errcode == 0` in the JSON answer, never the HTTP status alone:
//!   WeCom answers 200 to most errors.
//! * The webhook key is a secret. Every request URL carries it, and so do the
//!   errors of the HTTP library, so every error is stripped of its URL and
//!   every text put into a [`SendError`] goes through [`Webhook::redact`].
//! * Failures are told apart (timeout, refused connection, connection closed,
//!   HTTP error, an answer that is not WeCom's, a refusal) because each asks
//!   for a different remedy.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::Stream;
use serde_json::Value;
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;

use super::errcode;
use super::media::{self, MediaKind};
use super::message::Message;
use super::validate::{Problem, has_errors, validate};
use super::webhook::Webhook;

/// How long requests may take. Sends are small and should be quick; uploads of
/// up to 20 MiB over a slow link need much longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// Establishing the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// A whole send request, answer included.
    pub send_timeout: Duration,
    /// A whole upload request, answer included.
    pub upload_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(10 * 60),
        }
    }
}

/// Sends messages and uploads files to robots.
///
/// Holds two connection pools: one that honours the standard proxy variables
/// (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) for WeCom itself, and one that
/// never uses a proxy, for webhooks on this machine (the sandbox, tests),
/// which a corporate proxy could not reach.
#[derive(Debug, Clone)]
pub struct Client {
    /// Built on first use: each pool loads the system's CA certificates,
    /// which costs a few milliseconds, and most runs need only one of them
    /// (the sandbox, or WeCom).
    proxied: Arc<OnceLock<reqwest::Client>>,
    direct: Arc<OnceLock<reqwest::Client>>,
    config: ClientConfig,
}

/// WeCom accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The server's `errmsg` (normally "ok"), with the key masked.
    pub errmsg: String,
    /// From sending the request to reading the answer.
    pub elapsed: Duration,
}

/// WeCom stored an upload; its `media_id` can be sent as a `file` or `voice`
/// message by the same robot for three days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub media_id: String,
    /// The `type` the server reported (the requested kind if it reported none).
    pub kind: MediaKind,
    /// Unix seconds. The documents show a string (`"1380000000"`); a number is
    /// accepted too.
    pub created_at: i64,
    /// Bytes uploaded.
    pub size: u64,
    /// The name the file was uploaded under, which chat members see.
    pub filename: String,
}

/// How far an upload has come: bytes handed to the connection so far, of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub sent: u64,
    pub total: u64,
}

/// Why a message or upload did not get through. Never contains the webhook
/// key: texts from the server and the HTTP library are redacted. Shown in
/// the current language (`send_error.*` in the locale files); what came
/// from elsewhere (the server's answer, the system's reason a connection
/// failed) is quoted as it came.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Local validation found errors; nothing was sent.
    Invalid(Vec<Problem>),
    /// The file breaks the upload rules; nothing was sent.
    UploadRejected(Vec<Problem>),
    /// The file could not be read.
    File { path: PathBuf, message: String },
    /// No connection could be made (refused, no route, DNS, TLS, or none
    /// within the connect timeout): nothing was sent.
    Connect { host: String, detail: ConnectDetail },
    /// The request was sent but no answer came in time: the server may
    /// have received it.
    Timeout { host: String, after: Duration },
    /// The connection was reset or closed after the request was written,
    /// before an answer came: the server may have received it.
    ConnectionClosed { host: String, detail: String },
    /// The server answered with a non-2xx HTTP status.
    Http {
        status: u16,
        host: String,
        snippet: String,
    },
    /// The server answered 2xx, but not with WeCom's JSON (no `errcode`): a
    /// captive portal, a proxy page or a wrong address.
    NotJson { status: u16, snippet: String },
    /// WeCom answered with a non-zero errcode. `errmsg` came from outside:
    /// it is shown with its control characters escaped.
    Refused { errcode: i64, errmsg: String },
    /// The user cancelled.
    Cancelled,
    /// Anything else (a client that cannot be built, an unexpected library error).
    Other(String),
}

/// Why no connection was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectDetail {
    /// None within the connect timeout.
    NoneWithin(Duration),
    /// The system's or the TLS library's reason ("Connection refused (os
    /// error 111)"), redacted, in its own words.
    Reason(String),
}

impl std::fmt::Display for ConnectDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectDetail::NoneWithin(d) => f.write_str(&crate::tr!(
                "send_error.connect_none_within",
                secs = fmt_secs(*d)
            )),
            ConnectDetail::Reason(why) => f.write_str(why),
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::untrusted::one_line;
        let text = match self {
            SendError::Invalid(p) => {
                crate::tr!("send_error.invalid_detail", problems = join_problems(p))
            }
            SendError::UploadRejected(p) => {
                crate::tr!(
                    "send_error.upload_rejected_detail",
                    problems = join_problems(p)
                )
            }
            SendError::File { path, message } => crate::tr!(
                "send_error.file_detail",
                path = path.display(),
                message = message
            ),
            SendError::Connect { host, detail } => {
                crate::tr!("send_error.connect_detail", host = host, detail = detail)
            }
            SendError::Timeout { host, after } => crate::tr!(
                "send_error.timeout_detail",
                host = host,
                secs = fmt_secs(*after)
            ),
            SendError::ConnectionClosed { host, detail } => crate::tr!(
                "send_error.connection_closed_detail",
                host = host,
                detail = detail
            ),
            SendError::Http {
                status,
                host,
                snippet,
            } => crate::tr!(
                "send_error.http_detail",
                host = host,
                status = status,
                snippet = one_line(snippet)
            ),
            SendError::NotJson { status, snippet } => crate::tr!(
                "send_error.not_json_detail",
                status = status,
                snippet = one_line(snippet)
            ),
            SendError::Refused { errcode, errmsg } => refused(*errcode, errmsg).into(),
            SendError::Cancelled => crate::tr!("send_error.cancelled_detail"),
            SendError::Other(why) => why.as_str().into(),
        };
        f.write_str(&text)
    }
}

impl SendError {
    /// Whether nothing reached the server: the connection failed before the
    /// request was written, or the message was never sent at all.
    pub fn not_sent(&self) -> bool {
        matches!(
            self,
            SendError::Connect { .. }
                | SendError::Invalid(_)
                | SendError::UploadRejected(_)
                | SendError::File { .. }
                | SendError::Cancelled
        )
    }

    /// Whether the request was written but its answer never came (a
    /// timeout, a connection closed): the server may have the message, so
    /// it must not be resent without the user's say.
    pub fn may_have_been_delivered(&self) -> bool {
        matches!(
            self,
            SendError::Timeout { .. } | SendError::ConnectionClosed { .. }
        )
    }

    /// Whether sending again cannot deliver the message twice and may
    /// succeed: not connected, HTTP 5xx or 429, or an errcode that asks for
    /// a retry (45009, -1). A timeout or a closed connection is not: the
    /// server may have the message ([`SendError::may_have_been_delivered`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Connect { .. } => true,
            SendError::Http { status, .. } => *status == 429 || *status >= 500,
            SendError::Refused { errcode, .. } => errcode::is_retryable(*errcode),
            _ => false,
        }
    }

    /// A short heading for the error, for dialog titles and status lines,
    /// in the current language (`send_error.<key>` in the locale files).
    pub fn title(&self) -> String {
        let (key, english) = match self {
            SendError::Invalid(_) => ("invalid", "Message not valid"),
            SendError::UploadRejected(_) => ("upload_rejected", "File not accepted"),
            SendError::File { .. } => ("file", "Cannot read file"),
            SendError::Connect { .. } => ("connect", "Cannot connect"),
            SendError::Timeout { .. } => ("timeout", "Timed out"),
            SendError::ConnectionClosed { .. } => ("connection_closed", "Connection closed"),
            SendError::Http { .. } => ("http", "HTTP error"),
            SendError::NotJson { .. } => ("not_json", "Not a WeCom answer"),
            SendError::Refused { .. } => ("refused", "WeCom refused the message"),
            SendError::Cancelled => ("cancelled", "Cancelled"),
            SendError::Other(_) => ("other", "Error"),
        };
        crate::i18n::text_or(&format!("send_error.{key}"), english).into_owned()
    }
}

/// A refusal in words: the errcode's explanation in the current language,
/// then the server's own errmsg exactly (control characters escaped), so
/// it can be searched for.
fn refused(errcode: i64, errmsg: &str) -> String {
    crate::tr!(
        "send_error.refused_detail",
        errcode = errcode,
        explanation = errcode::describe(errcode),
        errmsg = crate::untrusted::one_line(errmsg)
    )
    .into_owned()
}

fn join_problems(problems: &[Problem]) -> String {
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.is_error())
        .map(Problem::to_string)
        .collect();
    if errors.is_empty() {
        problems
            .iter()
            .map(Problem::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        errors.join("; ")
    }
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// At most this many characters of a body are shown in an error.
const SNIPPET_CHARS: usize = 200;
/// At most this many bytes of an answer are read: WeCom's answers are tiny,
/// and a wrong address must not make us read a whole web page.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Read size for uploads: large enough to be quick, small enough that memory
/// stays flat whatever the file size.
const UPLOAD_CHUNK_BYTES: usize = 64 * 1024;

impl Client {
    /// A client; its two connection pools are built on first use (see
    /// [`Client`]). Redirects are not followed: the key is in the query
    /// string, and following a redirect could hand it to another host.
    /// Nothing is retried automatically: a message must not arrive twice.
    /// (Returns a `Result` so that setting up may fail in the future without
    /// changing callers; today it cannot.)
    pub fn new(config: ClientConfig) -> Result<Client, SendError> {
        Ok(Client {
            proxied: Arc::new(OnceLock::new()),
            direct: Arc::new(OnceLock::new()),
            config,
        })
    }

    fn build(&self, proxy: bool) -> Result<reqwest::Client, SendError> {
        let builder = reqwest::Client::builder()
            .connect_timeout(self.config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .user_agent(concat!("wecom-composer/", env!("CARGO_PKG_VERSION")));
        let builder = if proxy { builder } else { builder.no_proxy() };
        builder.build().map_err(|e| {
            SendError::Other(format!("cannot set up HTTP: {}", chain(&e.without_url())))
        })
    }

    /// The timeouts in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn http_for(&self, webhook: &Webhook) -> Result<&reqwest::Client, SendError> {
        let (cell, proxy) = if webhook.is_loopback() {
            (&self.direct, false)
        } else {
            (&self.proxied, true)
        };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let built = self.build(proxy)?;
        Ok(cell.get_or_init(|| built))
    }

    /// Validates locally first (errors → [`SendError::Invalid`], nothing
    /// sent), then posts `message.to_json()` to the send URL. Checking first
    /// spares the rate limit and explains the problem better than an errcode.
    pub async fn send(&self, webhook: &Webhook, message: &Message) -> Result<Receipt, SendError> {
        let problems = validate(message);
        if has_errors(&problems) {
            return Err(SendError::Invalid(problems));
        }
        self.send_raw(webhook, message.to_json()).await
    }

    /// Posts a raw JSON body with no local validation: for forced sends (to
    /// see what the server says) and batches prepared elsewhere.
    pub async fn send_raw(&self, webhook: &Webhook, json: String) -> Result<Receipt, SendError> {
        tracing::debug!(%webhook, bytes = json.len(), "sending message");
        let started = Instant::now();
        let timeout = self.config.send_timeout;
        let request = self
            .http_for(webhook)?
            .post(webhook.send_url())
            .timeout(timeout)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(json);
        let (status, body) = self.exchange(webhook, request, timeout, None).await?;
        let answer = parse_answer(webhook, status, &body)?;
        let elapsed = started.elapsed();
        tracing::debug!(%webhook, ?elapsed, "message accepted");
        Ok(Receipt {
            errmsg: answer.errmsg,
            elapsed,
        })
    }

    /// Uploads a file as `kind` and returns its `media_id`.
    ///
    /// The file is checked first with [`media::inspect_upload`] (problems with
    /// errors → [`SendError::UploadRejected`], nothing sent). It is then
    /// streamed from disk, never read whole into memory, as multipart/form-data
    /// with one part named `media` carrying the file's name as `filename`, type
    /// `application/octet-stream`, and its length (so the request has a
    /// Content-Length instead of being chunked). `progress` is called as bytes
    /// are handed to the connection. When `cancel` fires the request is dropped
    /// and [`SendError::Cancelled`] returned.
    pub async fn upload(
        &self,
        webhook: &Webhook,
        path: &Path,
        kind: MediaKind,
        progress: impl Fn(Progress) + Send + Sync + 'static,
        cancel: CancellationToken,
    ) -> Result<Uploaded, SendError> {
        if cancel.is_cancelled() {
            return Err(SendError::Cancelled);
        }
        let file_error = |e: std::io::Error| SendError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let inspect_path = path.to_path_buf();
        let (facts, problems) =
            tokio::task::spawn_blocking(move || media::inspect_upload(&inspect_path, kind))
                .await
                .map_err(|e| SendError::Other(format!("file check failed: {e}")))?
                .map_err(file_error)?;
        if has_errors(&problems) {
            return Err(SendError::UploadRejected(problems));
        }
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".to_owned());
        let file = tokio::fs::File::open(path).await.map_err(file_error)?;
        let total = file.metadata().await.map_err(file_error)?.len();
        if total != facts.size {
            return Err(SendError::File {
                path: path.to_path_buf(),
                message: "the file changed while it was being checked".to_owned(),
            });
        }

        let stream = CountingStream {
            inner: ReaderStream::with_capacity(file, UPLOAD_CHUNK_BYTES),
            sent: 0,
            total,
            progress: Arc::new(progress),
        };
        let form = MultipartUpload::new(&filename, total);

        tracing::debug!(%webhook, kind = kind.as_str(), bytes = total, "uploading");
        let timeout = self.config.upload_timeout;
        let request = self
            .http_for(webhook)?
            .post(webhook.upload_url(kind.as_str()))
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, form.content_type())
            .header(reqwest::header::CONTENT_LENGTH, form.length())
            .body(form.body(stream));
        let exchange = async {
            let (status, body) = self.exchange(webhook, request, timeout, Some(path)).await?;
            parse_upload_answer(webhook, status, &body, kind)
        };
        let (media_id, kind, created_at) = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                tracing::debug!(%webhook, "upload cancelled");
                return Err(SendError::Cancelled);
            }
            result = exchange => result?,
        };
        tracing::debug!(%webhook, "upload accepted");
        Ok(Uploaded {
            media_id,
            kind,
            created_at,
            size: total,
            filename,
        })
    }

    /// Sends the request and reads at most [`MAX_ANSWER_BYTES`] of the answer.
    async fn exchange(
        &self,
        webhook: &Webhook,
        request: reqwest::RequestBuilder,
        timeout: Duration,
        file: Option<&Path>,
    ) -> Result<(u16, Vec<u8>), SendError> {
        let mut response = request
            .send()
            .await
            .map_err(|e| self.classify(webhook, e, timeout, file))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while body.len() < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(self.classify(webhook, e, timeout, file)),
            }
        }
        body.truncate(MAX_ANSWER_BYTES);
        Ok((status, body))
    }

    /// Turns a library error into a [`SendError`], without the URL and with
    /// the key masked in whatever text remains.
    /// `file` is the file being uploaded, named when reading it failed.
    fn classify(
        &self,
        webhook: &Webhook,
        err: reqwest::Error,
        timeout: Duration,
        file: Option<&Path>,
    ) -> SendError {
        let err = err.without_url();
        let host = webhook.host();
        let full = webhook.redact(&chain(&err));
        tracing::debug!(%webhook, error = %full, "request failed");
        // The innermost cause ("Connection refused (os error 111)") is what
        // people can act on; the layers above it are the library's plumbing.
        let detail = webhook.redact(&root_cause(&err));
        if let Some(file_err) = find_source::<FileReadError>(&err) {
            return SendError::File {
                path: file.map(Path::to_path_buf).unwrap_or_default(),
                message: webhook.redact(&file_err.0.to_string()),
            };
        }
        if err.is_timeout() {
            if err.is_connect() {
                // No connection, so no request: nothing was sent.
                return SendError::Connect {
                    host,
                    detail: ConnectDetail::NoneWithin(self.config.connect_timeout),
                };
            }
            return SendError::Timeout {
                host,
                after: timeout,
            };
        }
        if err.is_connect() {
            return SendError::Connect {
                host,
                detail: ConnectDetail::Reason(detail),
            };
        }
        if closed_early(&err) {
            return SendError::ConnectionClosed { host, detail };
        }
        SendError::Other(format!("request to {host} failed: {full}"))
    }
}

/// The fields of a WeCom answer with errcode 0.
struct Answer {
    errmsg: String,
    value: Value,
}

/// Reads a WeCom answer: non-2xx → [`SendError::Http`], no JSON object with an
/// `errcode` → [`SendError::NotJson`], errcode ≠ 0 → [`SendError::Refused`].
fn parse_answer(webhook: &Webhook, status: u16, body: &[u8]) -> Result<Answer, SendError> {
    if !(200..300).contains(&status) {
        return Err(SendError::Http {
            status,
            host: webhook.host(),
            snippet: snippet(webhook, body),
        });
    }
    let not_json = || SendError::NotJson {
        status,
        snippet: snippet(webhook, body),
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| not_json())?;
    let errcode = value.get("errcode").and_then(as_i64).ok_or_else(not_json)?;
    let errmsg = webhook.redact(value.get("errmsg").and_then(Value::as_str).unwrap_or(""));
    if errcode != 0 {
        tracing::debug!(%webhook, errcode, "refused");
        return Err(SendError::Refused { errcode, errmsg });
    }
    Ok(Answer { errmsg, value })
}

/// Reads an upload answer: a WeCom answer with a `media_id`.
fn parse_upload_answer(
    webhook: &Webhook,
    status: u16,
    body: &[u8],
    requested: MediaKind,
) -> Result<(String, MediaKind, i64), SendError> {
    let answer = parse_answer(webhook, status, body)?;
    let media_id = answer
        .value
        .get("media_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SendError::NotJson {
            status,
            snippet: snippet(webhook, body),
        })?;
    let kind = answer
        .value
        .get("type")
        .and_then(Value::as_str)
        .and_then(MediaKind::parse)
        .unwrap_or(requested);
    let created_at = answer.value.get("created_at").and_then(as_i64).unwrap_or(0);
    Ok((media_id.to_owned(), kind, created_at))
}

/// A JSON integer, or a string holding one (WeCom sends `created_at` as a
/// string).
fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The start of a body for an error message: redacted before it is cut (so no
/// part of the key survives at the cut), control characters turned to spaces,
/// at most [`SNIPPET_CHARS`] characters.
fn snippet(webhook: &Webhook, body: &[u8]) -> String {
    let text = webhook.redact(&String::from_utf8_lossy(body));
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    if text.chars().count() > SNIPPET_CHARS {
        let cut: String = text.chars().take(SNIPPET_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The error and its sources, joined by ": ", skipping repeats.
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// The innermost error of the chain, as text.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn find_source<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// Whether the connection was closed or reset before a whole answer came.
fn closed_early(err: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// A read error from the file being uploaded, marked so it is reported as a
/// file problem rather than a network one.
#[derive(Debug)]
struct FileReadError(std::io::Error);

impl fmt::Display for FileReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading the file failed: {}", self.0)
    }
}

impl StdError for FileReadError {}

/// Passes file chunks through, counting them and reporting progress.
/// The multipart body of an upload, written by hand because seed 001's
/// example names the file's size in the part's header
/// (`Content-Disposition: form-data; name="media";filename="wework.txt";
/// filelength=6`), which `reqwest::multipart` cannot add. The header is
/// written with a space after each `;` (RFC 7578's form, which the seed's
/// example also uses before `filelength`). One part, named
/// `media`; the file is streamed between the header and the closing
/// boundary, so a 20 MiB file is never held in memory.
struct MultipartUpload {
    boundary: String,
    head: String,
    tail: String,
    file_length: u64,
}

impl MultipartUpload {
    fn new(filename: &str, file_length: u64) -> MultipartUpload {
        let boundary = format!(
            "------------------------wecom{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        // A quoted-string: quotes and backslashes escaped; a line break in a
        // file name would end the header, so it becomes a space.
        let quoted: String = filename
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                '\r' | '\n' => vec![' '],
                c => vec![c],
            })
            .collect();
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"{quoted}\"; filelength={file_length}\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        MultipartUpload {
            boundary,
            head,
            tail,
            file_length,
        }
    }

    fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The whole body's length: sent as `Content-Length`, as in the seed's
    /// example, rather than chunked.
    fn length(&self) -> u64 {
        self.head.len() as u64 + self.file_length + self.tail.len() as u64
    }

    fn body<S>(self, file: S) -> reqwest::Body
    where
        S: Stream<Item = Result<Bytes, FileReadError>> + Send + Sync + 'static,
    {
        use futures_util::StreamExt as _;
        let head = futures_util::stream::iter([Ok(Bytes::from(self.head))]);
        let tail = futures_util::stream::iter([Ok(Bytes::from(self.tail))]);
        reqwest::Body::wrap_stream(head.chain(file).chain(tail))
    }
}

struct CountingStream<S> {
    inner: S,
    sent: u64,
    total: u64,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
}

impl<S> Stream for CountingStream<S>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin,
{
    type Item = Result<Bytes, FileReadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.sent += chunk.len() as u64;
                (self.progress)(Progress {
                    sent: self.sent,
                    total: self.total,
                });
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(FileReadError(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wecom::webhook::default_base;

    const FAKE: &str = "fake-key-0000-unittest";

    fn webhook() -> Webhook {
        Webhook::parse(
            &format!("http://127.0.0.1:9/cgi-bin/webhook/send?key={FAKE}"),
            &default_base(),
        )
        .unwrap()
    }

    #[test]
    fn created_at_is_read_from_a_string_or_a_number() {
        let w = webhook();
        for body in [
            r#"{"errcode":0,"errmsg":"ok","type":"voice","media_id":"m1","created_at":"1380000000"}"#,
            r#"{"errcode":0,"errmsg":"ok","type":"voice","media_id":"m1","created_at":1380000000}"#,
        ] {
            let (id, kind, at) =
                parse_upload_answer(&w, 200, body.as_bytes(), MediaKind::File).unwrap();
            assert_eq!(
                (id.as_str(), kind, at),
                ("m1", MediaKind::Voice, 1_380_000_000)
            );
        }
    }

    #[test]
    fn success_is_errcode_zero_not_http_200() {
        let w = webhook();
        assert!(parse_answer(&w, 200, br#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(matches!(
            parse_answer(
                &w,
                200,
                br#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            ),
            Err(SendError::Refused { errcode: 93000, .. })
        ));
        assert!(matches!(
            parse_answer(&w, 200, br#"{"ok":true}"#),
            Err(SendError::NotJson { .. })
        ));
        assert!(matches!(
            parse_answer(&w, 500, br#"{"errcode":0}"#),
            Err(SendError::Http { status: 500, .. })
        ));
        let no_media_id =
            parse_upload_answer(&w, 200, br#"{"errcode":0,"errmsg":"ok"}"#, MediaKind::File);
        assert!(matches!(no_media_id, Err(SendError::NotJson { .. })));
    }

    #[test]
    fn refusal_explains_first_then_quotes_the_server() {
        let e = SendError::Refused {
            errcode: 45009,
            errmsg: "api freq out of limit".to_owned(),
        };
        let shown = e.to_string();
        assert!(
            shown.starts_with("WeCom refused the message (errcode 45009): This robot sent more"),
            "{shown}"
        );
        assert!(
            shown.ends_with("Server said: api freq out of limit"),
            "{shown}"
        );
        assert!(e.is_retryable());
    }

    #[test]
    fn a_server_errmsg_cannot_reach_the_terminal_raw() {
        let w = webhook();
        let body = br#"{"errcode":93000,"errmsg":"\u001b]0;PWNED\u0007\u001b[2J\u001b[31mRED"}"#;
        let err = parse_answer(&w, 200, body).err().unwrap();
        let shown = err.to_string();
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.contains("PWNED"), "{shown}");
    }

    #[test]
    fn a_timeout_says_the_message_may_have_arrived() {
        let e = SendError::Timeout {
            host: "h".into(),
            after: Duration::from_secs(30),
        };
        let shown = e.to_string();
        assert!(shown.contains("may have been delivered"), "{shown}");
        assert!(!shown.contains("try again"), "{shown}");
        assert!(e.may_have_been_delivered() && !e.not_sent() && !e.is_retryable());
    }

    #[test]
    fn snippets_are_redacted_then_cut() {
        let w = webhook();
        let body = format!("{}{FAKE}", "x".repeat(195));
        let s = snippet(&w, body.as_bytes());
        assert!(!s.contains("fake-key"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert_eq!(snippet(&w, b"line\r\nbreak"), "line  break");
    }
}
