//! The Custom Runtime API that one instance's process talks to, served over HTTP/1.1 on 127.0.0.1.
//!
//! SCF documents four calls and the emulator serves exactly those, with no version prefix and no init-error
//! call (SCF has none):
//! - `POST /runtime/init/ready`: the process is ready. The first one counts; repeats are ignored.
//! - `GET /runtime/invocation/next`: blocks until an event is dispatched to this instance, then answers it
//!   verbatim with the headers `request_id`, `memory_limit_in_mb` and `time_limit_in_ms`. Asked again
//!   before the event is answered, it hands out the same event.
//! - `POST /runtime/invocation/response` and `POST /runtime/invocation/error`: the answer to the event
//!   handed out, verbatim. The first answer is final; an answer with no event handed out is ignored.
//!
//! Every call answers 200 with an empty body (SCF's clients only check for 200), an unknown path or method
//! 404. An answer larger than [`MAX_ANSWER`] is refused with 413 and ends the invocation as too large (the
//! service fails responses over 6 MB with status 407).

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// The largest answer accepted: the service's 6 MiB limit on a response, plus room for framing.
pub(crate) const MAX_ANSWER: usize = 6 * 1024 * 1024 + 64 * 1024;

/// The most of an oversized answer that is read before the connection is dropped.
const MAX_DRAINED: usize = 64 * 1024 * 1024;

/// The most of a ready call's body that is read (its body means nothing).
const MAX_READY_BODY: usize = 64 * 1024;

/// How an instance answered the event it was handed.
#[derive(Debug)]
pub(crate) enum Answer {
    /// `POST /runtime/invocation/response` with this body.
    Response(Bytes),
    /// `POST /runtime/invocation/error` with this body.
    Error(Bytes),
    /// An answer over [`MAX_ANSWER`], refused with 413.
    TooLarge,
}

/// An answer and when it arrived.
#[derive(Debug)]
pub(crate) struct Answered {
    pub(crate) answer: Answer,
    pub(crate) at: Instant,
}

/// An event dispatched to the instance, waiting for `/next` and then for its answer.
#[derive(Debug)]
struct Dispatched {
    request_id: Option<HeaderValue>,
    time_limit_ms: HeaderValue,
    event: Bytes,
    handed_out: OnceLock<Instant>,
    reply: Mutex<Option<oneshot::Sender<Answered>>>,
}

/// What the server and the instance share.
#[derive(Debug)]
struct Shared {
    memory_limit_mb: HeaderValue,
    ready: watch::Sender<bool>,
    current: watch::Sender<Option<Arc<Dispatched>>>,
}

/// The runtime API server of one instance; it stops, closing every connection, when dropped.
#[derive(Debug)]
pub(crate) struct RuntimeApi {
    port: u16,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

/// One dispatched event, as the instance driving it sees it.
#[derive(Debug)]
pub(crate) struct Dispatch {
    dispatched: Arc<Dispatched>,
    answered: oneshot::Receiver<Answered>,
}

impl Dispatch {
    /// When `/next` first handed the event out.
    pub(crate) fn handed_out(&self) -> Option<Instant> {
        self.dispatched.handed_out.get().copied()
    }

    /// Waits for the first answer (pending for ever once the event is withdrawn).
    pub(crate) async fn answered(&mut self) -> Answered {
        match (&mut self.answered).await {
            Ok(answered) => answered,
            Err(_) => std::future::pending().await,
        }
    }
}

impl RuntimeApi {
    /// Listens on a free port of 127.0.0.1 and serves until dropped.
    pub(crate) async fn bind(memory_limit_mb: u64) -> io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            memory_limit_mb: HeaderValue::from(memory_limit_mb),
            ready: watch::Sender::new(false),
            current: watch::Sender::new(None),
        });
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(Self {
            port,
            shared,
            server,
        })
    }

    /// The port `SCF_RUNTIME_API_PORT` names.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Waits for the first `POST /runtime/init/ready`.
    pub(crate) async fn ready(&self) {
        let mut ready = self.shared.ready.subscribe();
        // The sender lives in `self`, so the wait can only end with the value set.
        let _ = ready.wait_for(|ready| *ready).await;
    }

    /// Offers `event` to `/next`, replacing any event not answered.
    pub(crate) fn dispatch(
        &self,
        request_id: &str,
        event: Bytes,
        time_limit: Duration,
    ) -> Dispatch {
        let (reply, answered) = oneshot::channel();
        let time_limit_ms = u64::try_from(time_limit.as_millis()).unwrap_or(u64::MAX);
        let dispatched = Arc::new(Dispatched {
            // The emulator makes request ids; one a header cannot carry is left out rather than mangled.
            request_id: HeaderValue::from_str(request_id).ok(),
            time_limit_ms: HeaderValue::from(time_limit_ms),
            event,
            handed_out: OnceLock::new(),
            reply: Mutex::new(Some(reply)),
        });
        self.shared
            .current
            .send_replace(Some(Arc::clone(&dispatched)));
        Dispatch {
            dispatched,
            answered,
        }
    }

    /// Takes back the event in flight, so `/next` blocks again and late answers are ignored.
    pub(crate) fn withdraw(&self) {
        self.shared.current.send_replace(None);
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        // The accept loop owns every connection's task, so aborting it closes them all.
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors, say: wait a little rather than spin on the error.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().clone();
    let response = match (method, request.uri().path()) {
        (Method::POST, "/runtime/init/ready") => {
            // The body means nothing, but is read so the connection can be kept alive.
            let _ = Limited::new(request.into_body(), MAX_READY_BODY)
                .collect()
                .await;
            shared
                .ready
                .send_if_modified(|ready| !std::mem::replace(ready, true));
            empty(StatusCode::OK)
        }
        (Method::GET, "/runtime/invocation/next") => next(&shared).await,
        (Method::POST, "/runtime/invocation/response") => {
            answer(&shared, request.into_body(), Answer::Response).await
        }
        (Method::POST, "/runtime/invocation/error") => {
            answer(&shared, request.into_body(), Answer::Error).await
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    };
    Ok(response)
}

/// Blocks until an event is in flight and hands it out.
async fn next(shared: &Shared) -> Response<Full<Bytes>> {
    let mut current = shared.current.subscribe();
    let dispatched = match current.wait_for(Option::is_some).await {
        Ok(current) => current.as_ref().map(Arc::clone),
        Err(_) => None,
    };
    let Some(dispatched) = dispatched else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "the instance is stopping\n",
        );
    };
    dispatched.handed_out.get_or_init(Instant::now);
    let mut response = Response::new(Full::new(dispatched.event.clone()));
    let headers = response.headers_mut();
    if let Some(request_id) = &dispatched.request_id {
        headers.insert("request_id", request_id.clone());
    }
    headers.insert("memory_limit_in_mb", shared.memory_limit_mb.clone());
    headers.insert("time_limit_in_ms", dispatched.time_limit_ms.clone());
    response
}

/// Reads an answer and gives it to the event handed out, if any and if not answered yet.
async fn answer(
    shared: &Shared,
    body: Incoming,
    kind: fn(Bytes) -> Answer,
) -> Response<Full<Bytes>> {
    let (answer, response) = match read_answer(body).await {
        Ok(Some(bytes)) => (kind(bytes), empty(StatusCode::OK)),
        Ok(None) => (
            Answer::TooLarge,
            text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the answer exceeds the limit of 6 MB\n",
            ),
        ),
        // The process went away mid-body; there is nobody to answer.
        Err(_) => return text(StatusCode::BAD_REQUEST, "the body could not be read\n"),
    };
    let at = Instant::now();
    let mut taken = None;
    // Taking the event and clearing it are one step, so a `/next` right after the answer blocks instead
    // of handing out the answered event again.
    shared.current.send_if_modified(|current| {
        if current
            .as_ref()
            .is_some_and(|dispatched| dispatched.handed_out.get().is_some())
        {
            taken = current.take();
            true
        } else {
            false
        }
    });
    // With nothing handed out the answer is ignored, as a late or stray one.
    if let Some(dispatched) = taken {
        let reply = dispatched
            .reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(reply) = reply {
            let _ = reply.send(Answered { answer, at });
        }
    }
    response
}

/// The body of an answer, or `None` when it is over [`MAX_ANSWER`]. The rest of an oversized body is read
/// and dropped, up to [`MAX_DRAINED`], so the process gets its 413 rather than a reset connection.
async fn read_answer(mut body: Incoming) -> Result<Option<Bytes>, hyper::Error> {
    let mut kept = BytesMut::new();
    let mut read = 0usize;
    while read <= MAX_DRAINED {
        let Some(frame) = body.frame().await else {
            break;
        };
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        read += data.len();
        if read <= MAX_ANSWER {
            kept.extend_from_slice(&data);
        }
    }
    Ok((read <= MAX_ANSWER).then(|| kept.freeze()))
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use bytes::Bytes;
    use http::{Method, Request, StatusCode};
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::TokioIo;
    use tokio::net::TcpStream;

    use super::{Answer, MAX_ANSWER, RuntimeApi};

    /// Sends one request on a connection of its own: status, headers and body.
    async fn call(
        port: u16,
        method: Method,
        path: &str,
        body: impl Into<Bytes>,
    ) -> (StatusCode, http::HeaderMap, Bytes) {
        let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1")
            .body(Full::new(body.into()))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (parts.status, parts.headers, body)
    }

    #[tokio::test]
    async fn ready_counts_once_and_unknown_calls_are_404() {
        let api = RuntimeApi::bind(128).await.unwrap();
        let port = api.port();
        for _ in 0..2 {
            let (status, _, body) = call(port, Method::POST, "/runtime/init/ready", " ").await;
            assert_eq!((status, body.as_ref()), (StatusCode::OK, &b""[..]));
        }
        tokio::time::timeout(Duration::from_secs(30), api.ready())
            .await
            .unwrap();
        for (method, path) in [
            (Method::GET, "/runtime/init/ready"),
            (Method::POST, "/runtime/invocation/next"),
            (Method::POST, "/runtime/init/error"),
            (Method::POST, "/2018-06-01/runtime/invocation/next"),
        ] {
            let (status, _, _) = call(port, method, path, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[tokio::test]
    async fn next_hands_out_the_event_with_its_headers_until_it_is_answered() {
        let api = RuntimeApi::bind(256).await.unwrap();
        let port = api.port();
        // An answer with nothing handed out is ignored.
        let (status, _, _) = call(port, Method::POST, "/runtime/invocation/response", "x").await;
        assert_eq!(status, StatusCode::OK);
        let mut dispatch = api.dispatch(
            "req-1",
            Bytes::from_static(b"{\"k\":1}"),
            Duration::from_secs(3),
        );
        for _ in 0..2 {
            let (status, headers, body) =
                call(port, Method::GET, "/runtime/invocation/next", "").await;
            assert_eq!((status, body.as_ref()), (StatusCode::OK, &b"{\"k\":1}"[..]));
            assert_eq!(headers["request_id"], "req-1");
            assert_eq!(headers["memory_limit_in_mb"], "256");
            assert_eq!(headers["time_limit_in_ms"], "3000");
        }
        assert!(dispatch.handed_out().is_some());
        call(port, Method::POST, "/runtime/invocation/error", "first").await;
        call(port, Method::POST, "/runtime/invocation/response", "second").await;
        let answered = dispatch.answered().await;
        assert!(matches!(answered.answer, Answer::Error(body) if body == "first"));
        // Once answered, `/next` waits for the next event.
        let waiting = tokio::spawn(call(port, Method::GET, "/runtime/invocation/next", ""));
        let mut second = api.dispatch("req-2", Bytes::from_static(b"two"), Duration::from_secs(1));
        let (_, headers, body) = waiting.await.unwrap();
        assert_eq!(
            (headers["request_id"].to_str().unwrap(), body.as_ref()),
            ("req-2", &b"two"[..])
        );
        call(port, Method::POST, "/runtime/invocation/response", "done").await;
        assert!(matches!(second.answered().await.answer, Answer::Response(body) if body == "done"));
    }

    #[tokio::test]
    async fn an_answer_over_the_limit_is_refused_and_ends_the_invocation() {
        let api = RuntimeApi::bind(128).await.unwrap();
        let port = api.port();
        let mut dispatch = api.dispatch("req", Bytes::new(), Duration::from_secs(3));
        call(port, Method::GET, "/runtime/invocation/next", "").await;
        let (status, _, _) = call(
            port,
            Method::POST,
            "/runtime/invocation/response",
            vec![b'x'; MAX_ANSWER + 1],
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(matches!(dispatch.answered().await.answer, Answer::TooLarge));
    }
}
