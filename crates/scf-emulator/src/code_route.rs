//! The unsigned download route of stored zips, the `Url` that GetFunctionAddress answers.
//!
//! `GET /__code/<token>.zip` answers the zip's bytes as `application/zip`. The token is the random 128-bit
//! name the zip was given when it was stored, so the URL works like the cloud's presigned COS URL: whoever
//! has it may download that one zip, and nothing else can be reached through it. Unknown tokens answer
//! 404, other methods 405; the route takes no faults and needs no signature.

use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};

use crate::body::Body;
use crate::service::{Shared, json};

/// Every download path starts with this.
pub(crate) const PREFIX: &str = "/__code/";

/// The download URL of the zip named `token` on the emulator reached at `host` (`127.0.0.1:9000`).
pub(crate) fn url(host: &str, token: &str) -> String {
    format!("http://{host}{PREFIX}{token}.zip")
}

/// Answers a request whose path starts with [`PREFIX`].
pub(crate) fn handle<B>(shared: &Shared, request: &Request<B>) -> Response<Body> {
    let now = shared.now_millis();
    let plain = |status: StatusCode, message: &str| {
        let mut response = json(status, message.as_bytes().to_vec(), now);
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        response
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "Only GET serves code.");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let token = request
        .uri()
        .path()
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(".zip"))
        .filter(|token| token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()));
    let found = match token {
        Some(token) => shared
            .backend
            .db
            .read(|connection| crate::actions::code::zip_by_token(connection, token)),
        None => Ok(None),
    };
    match found {
        Ok(Some(zip)) => {
            let mut response = json(StatusCode::OK, zip, now);
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
            if request.method() == Method::HEAD {
                *response.body_mut() = Body::full(Vec::new());
            }
            response
        }
        Ok(None) => plain(StatusCode::NOT_FOUND, "No code has this address."),
        Err(failure) => plain(StatusCode::INTERNAL_SERVER_ERROR, &failure.message),
    }
}
