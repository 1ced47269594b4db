//! The HTTP/1 server loop shared by the sandbox and the relay, with the
//! timeouts `axum::serve` lacks.
//!
//! Both servers are meant to run for days in front of untrusted clients, so a
//! client that opens a connection and never finishes its request must not
//! hold a task and a file descriptor for good (slowloris). Each connection is
//! served by hyper's HTTP/1 builder with a timer:
//! - [`ServerTimeouts::header_read`]: the whole request head must arrive
//!   within this time. hyper starts the clock whenever it waits for a request
//!   head, that is from the moment the connection opens *and* from the end of
//!   each answer on a keep-alive connection, so the same limit is also the
//!   idle keep-alive timeout.
//! - [`ServerTimeouts::body_stall`]: once a handler reads the body, each part
//!   of it must arrive within this time of the previous one; a body that
//!   stops half way is cut instead of waited for. A handler that is busy with
//!   something else (the relay queueing a request for its rate limit) is not
//!   affected: no clock runs while nobody reads.
//! - [`ServerTimeouts::write_stall`]: an answer the client does not take
//!   (it never reads, its window stays closed) fails the connection once a
//!   write has waited this long, so a client that sends requests and never
//!   reads the answers cannot hold a task, a descriptor and the answers'
//!   memory for good. A slow reader that takes something now and then is
//!   not cut: the clock restarts at every write that goes through.
//!
//! Every request is handled in English ([`crate::i18n::future_in_language`]):
//! what both servers answer is a wire format, not a sentence for the
//! person at this terminal.
//!
//! Graceful shutdown works as with `axum::serve`: no new connections, open
//! ones finish their request in flight and close.

pub mod summary;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::ServiceExt as _;

pub use summary::RepeatSummary;

/// How long a connection may dawdle before it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTimeouts {
    /// Time allowed for a whole request head, counted from when the server
    /// starts waiting for it (a new connection, or the end of the previous
    /// answer on a kept-alive one).
    pub header_read: Duration,
    /// Longest gap between two parts of a request body being read.
    pub body_stall: Duration,
    /// Longest time a write of an answer may wait for the client to make
    /// room (read what was sent) before the connection is closed.
    pub write_stall: Duration,
}

impl ServerTimeouts {
    /// The defaults: generous for a slow network (a real client sends its
    /// head in milliseconds), short enough that a flood of idle connections
    /// is shed within seconds.
    pub const DEFAULT: ServerTimeouts = ServerTimeouts {
        header_read: Duration::from_secs(15),
        body_stall: Duration::from_secs(30),
        write_stall: Duration::from_secs(30),
    };
}

impl Default for ServerTimeouts {
    fn default() -> ServerTimeouts {
        ServerTimeouts::DEFAULT
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// open connections finish their request in flight and returns once they
/// have closed. The peer address reaches handlers as
/// `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
///
/// Errors accepting a connection (too many open files, a reset before
/// accept) are logged and the loop goes on after a short pause, as
/// `axum::serve` does; only the shutdown ends it.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: ServerTimeouts,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection; trying again shortly");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = connection_service(router.clone(), peer, timeouts.body_stall);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read);
        let stream = WriteStall::new(stream, timeouts.write_stall);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // Timeouts and clients that hang up end up here: routine for
                // a server, so not worth more than debug.
                tracing::debug!(%peer, error = %e, "connection closed");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The per-connection service: hands each request to the router with the
/// peer address, its body guarded by the stall timeout.
fn connection_service(
    router: Router,
    peer: SocketAddr,
    body_stall: Duration,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Future<Output = Result<axum::response::Response, Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(|body| Body::new(StallGuard::new(body, body_stall)));
        request.extensions_mut().insert(ConnectInfo(peer));
        // Both servers answer in wire formats the seeds write in English
        // (the sandbox's errmsg, the relay's msg and problems), built from
        // the same sentences the composer shows translated: the handler
        // speaks English whatever the process speaks.
        crate::i18n::future_in_language(crate::i18n::Lang::En, router.clone().oneshot(request))
    })
}

/// A request body that fails when its next part takes longer than `limit`
/// to arrive. The clock only runs while someone polls the body.
struct StallGuard {
    inner: Incoming,
    limit: Duration,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallGuard {
    fn new(inner: Incoming, limit: Duration) -> StallGuard {
        StallGuard {
            inner,
            limit,
            deadline: None,
        }
    }
}

impl http_body::Body for StallGuard {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.deadline = None;
                Poll::Ready(frame.map(|f| f.map_err(io::Error::other)))
            }
            Poll::Pending => {
                let limit = this.limit;
                let deadline = this
                    .deadline
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the request body stalled: nothing arrived for {} s",
                            limit.as_secs()
                        ),
                    )))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A connection whose writes fail once one has waited longer than `limit`
/// for the client to make room ([`ServerTimeouts::write_stall`]).
struct WriteStall<S> {
    inner: S,
    limit: Duration,
    /// Running while writes are pending; dropped when one goes through.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteStall<S> {
    fn new(inner: S, limit: Duration) -> WriteStall<S> {
        WriteStall {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Passes `poll` on, except that a write pending for longer than the
    /// limit becomes a `TimedOut` error (hyper then closes the connection).
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client took none of its answer for {limit:?}"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteStall<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteStall<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}
