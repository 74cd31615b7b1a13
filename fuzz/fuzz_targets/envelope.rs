//! Response-envelope parsing: any bytes give a result or a typed error, never a panic; and the bytes are
//! classified consistently: a body that parses as a result or an API error is a JSON object whose
//! `Response` is an object, a body is `NotJson` exactly when it is not JSON, the outcomes that do not
//! depend on the action's result type are the same for every type, and a RequestId an error keeps is
//! the one `request_id_of` finds.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use scf_model::{
    GetAsyncEventStatusResponse, InvokeResponse, ListAsyncEventsResponse,
    TerminateAsyncEventResponse,
};
use serde_json::value::RawValue;
use tc_api::{MalformedKind, ResponseError, parse_response, request_id_of};

/// Parses `data` as `T`, checks what holds for any `T`, and returns the outcome when it cannot depend
/// on `T`: an API error, or a body that is not JSON or has no `Response`.
fn check<T: serde::de::DeserializeOwned>(data: &[u8]) -> Option<ResponseError> {
    let outcome = parse_response::<T>(data);
    // By the JSON grammar, which bounds no number: `1E999` is JSON, though no f64 holds it.
    let is_json = std::str::from_utf8(data)
        .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
    match &outcome {
        Ok(_) | Err(ResponseError::Api(_)) => {
            let members: HashMap<String, &RawValue> =
                serde_json::from_slice(data).expect("an accepted body is a JSON object");
            let response = members
                .get("Response")
                .expect("an accepted body has a Response");
            assert!(
                response.get().starts_with('{'),
                "an accepted Response is an object"
            );
        }
        Err(ResponseError::Malformed(malformed)) => assert_eq!(
            malformed.kind == MalformedKind::NotJson,
            !is_json,
            "NotJson exactly when the body is not JSON"
        ),
    }
    let request_id = match &outcome {
        Ok(_) => None,
        Err(ResponseError::Api(api)) => api.request_id.clone(),
        Err(ResponseError::Malformed(malformed)) => malformed.request_id.clone(),
    };
    if request_id.is_some() {
        assert_eq!(
            request_id,
            request_id_of(data),
            "the RequestId an error keeps"
        );
    }
    match outcome {
        Err(ResponseError::Malformed(m)) if m.kind == MalformedKind::UnexpectedShape => None,
        Err(error) => Some(error),
        Ok(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let outcomes = [
        check::<GetAsyncEventStatusResponse>(data),
        check::<InvokeResponse>(data),
        check::<ListAsyncEventsResponse>(data),
        check::<TerminateAsyncEventResponse>(data),
        check::<serde_json::Value>(data),
    ];
    assert!(
        outcomes.iter().all(|outcome| *outcome == outcomes[0]),
        "an API error or a body without a Response is the same for every action: {outcomes:?}"
    );
    let _ = request_id_of(data);
});
