//! Response-envelope parsing: any bytes give a result or a typed error, never a panic; and a body that
//! parses as a result or an API error is JSON with a `Response` object.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use scf_model::{
    GetAsyncEventStatusResponse, InvokeResponse, ListAsyncEventsResponse, ResponseError,
    TerminateAsyncEventResponse, parse_response, request_id_of,
};
use serde_json::value::RawValue;

fn check<T: serde::de::DeserializeOwned>(data: &[u8]) {
    match parse_response::<T>(data) {
        Ok(_) | Err(ResponseError::Api(_)) => {
            // By the JSON grammar, which bounds no number: `1E999` is JSON, though no f64 holds it.
            let members: HashMap<String, &RawValue> =
                serde_json::from_slice(data).expect("an accepted body is a JSON object");
            let response = members.get("Response").expect("an accepted body has a Response");
            assert!(response.get().starts_with('{'), "an accepted Response is an object");
        }
        Err(ResponseError::Malformed(_)) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    check::<GetAsyncEventStatusResponse>(data);
    check::<InvokeResponse>(data);
    check::<ListAsyncEventsResponse>(data);
    check::<TerminateAsyncEventResponse>(data);
    check::<serde_json::Value>(data);
    let _ = request_id_of(data);
});
