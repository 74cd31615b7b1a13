//! The admin path: faults, clock offset, visibility delay and state-directory faults over HTTP, for tests in other languages.
//! It is off unless the emulator is started with it, and it is not signed.

use std::sync::atomic::Ordering;

use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use crate::body::Body;
use crate::faults::FaultRule;
use crate::service::{Shared, json};

/// Every admin route starts with this path.
pub const PREFIX: &str = "/__emulator/";

#[derive(Deserialize)]
struct Seconds {
    seconds: i64,
}

/// A state-directory fault: writes refused as on a read-only disk, or a size cap as on a full one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFault {
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    max_bytes: Option<u64>,
}

#[derive(Deserialize)]
struct Millis {
    millis: u64,
}

pub(crate) async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Body> {
    let now = shared.now_millis();
    let route = (
        request.method().clone(),
        request.uri().path().trim_start_matches(PREFIX).to_owned(),
    );
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error": "unreadable body"}),
                now,
            );
        }
    };
    let parsed = |what: &str| json!({"error": format!("expected {what}")});
    match (route.0, route.1.as_str()) {
        (Method::GET, "faults") => answer(
            StatusCode::OK,
            json!({"faults": shared.faults.rules()}),
            now,
        ),
        (Method::POST, "faults") => match serde_json::from_slice::<FaultRule>(&body) {
            Ok(rule) => {
                shared.faults.add(rule);
                answer(
                    StatusCode::OK,
                    json!({"faults": shared.faults.rules()}),
                    now,
                )
            }
            Err(e) => answer(
                StatusCode::BAD_REQUEST,
                json!({"error": e.to_string()}),
                now,
            ),
        },
        (Method::DELETE, "faults") => {
            shared.faults.clear();
            answer(StatusCode::OK, json!({"faults": []}), now)
        }
        (Method::PUT, "clock-offset") => match serde_json::from_slice::<Seconds>(&body) {
            Ok(Seconds { seconds }) => {
                shared
                    .clock_offset_ms
                    .store(seconds.saturating_mul(1_000), Ordering::Relaxed);
                answer(StatusCode::OK, json!({"seconds": seconds}), now)
            }
            Err(_) => answer(StatusCode::BAD_REQUEST, parsed("{\"seconds\": N}"), now),
        },
        (Method::PUT, "visibility-delay") => match serde_json::from_slice::<Millis>(&body) {
            Ok(Millis { millis }) => {
                shared
                    .backend
                    .visibility_delay_ms
                    .store(millis, Ordering::Relaxed);
                answer(StatusCode::OK, json!({"millis": millis}), now)
            }
            Err(_) => answer(StatusCode::BAD_REQUEST, parsed("{\"millis\": N}"), now),
        },
        (Method::PUT, "state") => match serde_json::from_slice::<StateFault>(&body) {
            Ok(fault) => {
                let db = &shared.backend.db;
                match db
                    .set_read_only(fault.read_only)
                    .and_then(|()| db.limit_size(fault.max_bytes))
                {
                    Ok(()) => answer(
                        StatusCode::OK,
                        json!({"read_only": fault.read_only, "max_bytes": fault.max_bytes}),
                        now,
                    ),
                    Err(failure) => answer(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!({"error": failure.message}),
                        now,
                    ),
                }
            }
            Err(_) => answer(
                StatusCode::BAD_REQUEST,
                parsed("{\"read_only\": bool, \"max_bytes\": N or null}"),
                now,
            ),
        },
        (Method::GET, "stats") => {
            let events = shared.backend.event_count();
            answer(StatusCode::OK, json!({"events": events}), now)
        }
        _ => answer(
            StatusCode::NOT_FOUND,
            json!({"error": "no such admin route"}),
            now,
        ),
    }
}

fn answer(status: StatusCode, value: serde_json::Value, now: u64) -> Response<Body> {
    json(status, value.to_string().into_bytes(), now)
}
