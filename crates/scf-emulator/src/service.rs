//! One request, from bytes on the wire to the answer: faults, protocol checks, signature, limits, action.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, HOST};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use scf_model::{AnyRequest, ErrorCode};
use tc_api::{Envelope, ErrorDetail, ErrorResponse};
use tc3_signer::{VerifiableRequest, Verifier};

use crate::actions::{Backend, Call};
use crate::body::Body;
use crate::clock::Clock;
use crate::failure::Failure;
use crate::faults::{Fault, FaultPlan};
use crate::ids::uuid;
use crate::keys::Keys;
use crate::params;
use crate::rate_limit::RateLimiter;
use crate::time_format::http_date;

/// The API version the emulator serves.
const VERSION: &str = scf_model::VERSION;
/// GET requests are limited to 32 KB (the signature document).
const MAX_QUERY: usize = 32 * 1024;
/// POST bodies signed with TC3 may be up to 10 MB.
const MAX_BODY: usize = 10 * 1024 * 1024;
// Looked up by these rather than by text, so no request parses the names again.
const X_TC_ACTION: HeaderName = HeaderName::from_static("x-tc-action");
const X_TC_VERSION: HeaderName = HeaderName::from_static("x-tc-version");
const X_TC_REGION: HeaderName = HeaderName::from_static("x-tc-region");
/// Regions the SCF documentation lists for these actions.
const REGIONS: &[&str] = &[
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-hongkong",
    "ap-jakarta",
    "ap-mumbai",
    "ap-nanjing",
    "ap-seoul",
    "ap-shanghai",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "na-ashburn",
    "na-siliconvalley",
    "sa-saopaulo",
];

/// Everything a request handler shares.
pub(crate) struct Shared {
    pub(crate) backend: Backend,
    pub(crate) verifier: Verifier<Keys>,
    pub(crate) limiter: RateLimiter,
    pub(crate) faults: FaultPlan,
    pub(crate) clock: Arc<dyn Clock>,
    /// Added to the clock to emulate a server whose time differs from the client's.
    pub(crate) clock_offset_ms: AtomicI64,
    pub(crate) admin: bool,
}

impl Shared {
    pub(crate) fn now_millis(&self) -> u64 {
        self.skewed(self.clock.now_millis())
    }

    /// The server's time at the clock reading `clock_ms`.
    fn skewed(&self, clock_ms: u64) -> u64 {
        let offset = self.clock_offset_ms.load(Ordering::Relaxed);
        clock_ms.saturating_add_signed(offset)
    }
}

/// Returned instead of a response when a fault asks for the connection to be dropped.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub(crate) struct Dropped;

pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    if request.uri().path().starts_with(crate::code_route::PREFIX) {
        return Ok(crate::code_route::handle(&shared, &request));
    }
    if shared.admin && request.uri().path().starts_with(crate::admin::PREFIX) {
        return Ok(Box::pin(crate::admin::handle(&shared, request)).await);
    }
    let request_id = uuid();
    let fired = {
        let action = request
            .headers()
            .get(X_TC_ACTION)
            .and_then(|v| v.to_str().ok());
        shared.faults.fire(action)
    };
    if !fired.latency.is_zero() {
        Box::pin(tokio::time::sleep(fired.latency)).await;
    }
    // One reading serves the request: the offset emulates a skewed server clock, while the limiter
    // measures intervals on the clock itself.
    let clock_ms = shared.clock.now_millis();
    let now = shared.skewed(clock_ms);
    let response = match fired.before {
        Some(Fault::HttpStatus { status }) => gateway_error(status, now),
        Some(Fault::RequestLimitExceeded) => error(
            Failure::new(
                ErrorCode::RequestLimitExceeded,
                "Your request frequency exceeds the limit.",
            ),
            &request_id,
            now,
        ),
        Some(Fault::InternalError) => error(
            Failure::new(
                ErrorCode::InternalError,
                "An internal error occurred. Please try again later.",
            ),
            &request_id,
            now,
        ),
        // Boxed, as are the rare branches' futures: inline, the request's state (3.5 KB, mostly the
        // typed request) would be copied into every connection's task, so 64 connections would touch
        // 64 copies; boxed, one request's allocation is reused by the next.
        _ => match Box::pin(process(&shared, request, &request_id, now, clock_ms)).await {
            Ok(body) => json(StatusCode::OK, body, now),
            Err(failure) => error(failure, &request_id, now),
        },
    };
    match fired.after {
        Some(Fault::DropConnection) => Err(Dropped),
        Some(Fault::TruncatedBody) => Ok(response.map(Body::truncate)),
        _ => Ok(response),
    }
}

async fn process(
    shared: &Shared,
    request: Request<Incoming>,
    request_id: &str,
    now: u64,
    clock_ms: u64,
) -> Result<Vec<u8>, Failure> {
    let (parts, body) = request.into_parts();
    if parts.method != Method::GET && parts.method != Method::POST {
        return Err(Failure::new(
            ErrorCode::UnsupportedProtocol,
            format!(
                "The HTTP method {} is not supported; use GET or POST.",
                parts.method
            ),
        ));
    }
    let query = parts.uri.query().unwrap_or_default();
    let too_large = || {
        Failure::new(
            ErrorCode::RequestSizeLimitExceeded,
            "The request exceeds the size limit: 32 KB for GET, 10 MB for POST.",
        )
    };
    if query.len() > MAX_QUERY {
        return Err(too_large());
    }
    let limit = if parts.method == Method::GET {
        MAX_QUERY
    } else {
        MAX_BODY
    };
    let announced = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let body: Bytes = Limited::new(body, limit)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                Failure::new(
                    ErrorCode::InvalidRequest,
                    "The request body could not be read.",
                )
            }
        })?
        .to_bytes();

    // Scoped: the request's header view is not `Sync`, and the action below may await.
    {
        let received = VerifiableRequest::from_parts(&parts, &body);
        shared
            .verifier
            .verify(&received, now / 1_000)
            .map_err(|e| Failure::new(ErrorCode::parse(e.code()), e.message()))?;
    }

    let header = |name: HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let action = header(X_TC_ACTION).ok_or_else(|| Failure::missing("Action"))?;
    let version = header(X_TC_VERSION).ok_or_else(|| Failure::missing("Version"))?;
    let schema = scf_model::action_schema(action).ok_or_else(|| {
        Failure::new(
            ErrorCode::InvalidAction,
            format!("The action `{action}` does not exist."),
        )
    })?;
    if version != VERSION {
        return Err(Failure::new(
            ErrorCode::NoSuchVersion,
            format!("The API version `{version}` does not exist; SCF serves {VERSION}."),
        ));
    }
    let region = header(X_TC_REGION).filter(|region| !region.is_empty());
    let host = header(HOST);
    if let Some(region) = region.filter(|region| !REGIONS.contains(region)) {
        return Err(Failure::new(
            ErrorCode::UnsupportedRegion,
            format!("The region `{region}` is not supported."),
        ));
    }
    if !shared.limiter.try_acquire(action, clock_ms) {
        return Err(Failure::new(
            ErrorCode::RequestLimitExceeded,
            format!("Your request frequency exceeds the limit of {action}."),
        ));
    }
    let request: AnyRequest = if parts.method == Method::POST {
        let json = header(CONTENT_TYPE).is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            return Err(Failure::new(
                ErrorCode::InvalidParameter,
                "A POST request must carry Content-Type: application/json.",
            ));
        }
        params::from_json(&body, schema)?
    } else {
        params::from_query(query, schema)?
    };
    shared
        .backend
        .call(
            &request,
            &Call {
                now,
                region,
                request_id,
                host,
            },
        )
        .await
}

/// A 200 answer whose body is JSON, with the headers every answer carries.
pub(crate) fn json(status: StatusCode, body: Vec<u8>, now: u64) -> Response<Body> {
    let mut response = Response::new(Body::full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Exactly `application/json`: with a charset the Python SDK ignores error bodies.
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(DATE, date_header(now));
    response
}

/// The `Date` value for `now`, formatted once per second per thread.
fn date_header(now: u64) -> HeaderValue {
    thread_local! {
        static LAST: std::cell::RefCell<(u64, HeaderValue)> =
            const { std::cell::RefCell::new((u64::MAX, HeaderValue::from_static(""))) };
    }
    let second = now / 1_000;
    LAST.with_borrow_mut(|(cached_second, value)| {
        if *cached_second != second {
            *value = HeaderValue::from_str(&http_date(now)).unwrap_or(HeaderValue::from_static(""));
            *cached_second = second;
        }
        value.clone()
    })
}

fn error(failure: Failure, request_id: &str, now: u64) -> Response<Body> {
    let envelope = Envelope {
        response: ErrorResponse {
            error: ErrorDetail {
                code: failure.code.as_str().to_owned(),
                message: failure.message,
            },
            request_id: request_id.to_owned(),
        },
    };
    json(
        StatusCode::OK,
        serde_json::to_vec(&envelope).unwrap_or_default(),
        now,
    )
}

/// What a failing gateway in front of the service answers: an HTML page, no envelope.
fn gateway_error(status: u16, now: u64) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page = format!("<html><body><h1>{status}</h1></body></html>");
    let mut response = json(status, page.into_bytes(), now);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn future_size<A, B, F: Future>(_: fn(A, B) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    #[test]
    fn a_connection_holds_a_small_future_per_request() {
        // The typed request alone is over 1 KB; it must live behind the box.
        assert!(std::mem::size_of::<AnyRequest>() > 1024);
        let size = future_size(handle);
        assert!(size < 1024, "handle's future is {size} bytes");
    }
}
