//! Response-envelope parsing: any bytes give a result or a typed error, never a panic, and a body that
//! parses as a result is JSON with a `Response` object.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scf_model::{
    GetAsyncEventStatusResponse, InvokeResponse, ListAsyncEventsResponse, ResponseError,
    TerminateAsyncEventResponse, parse_response, request_id_of,
};

fn check<T: serde::de::DeserializeOwned>(data: &[u8]) {
    match parse_response::<T>(data) {
        Ok(_) | Err(ResponseError::Api(_)) => {
            let value: serde_json::Value =
                serde_json::from_slice(data).expect("an accepted body is JSON");
            assert!(value["Response"].is_object(), "an accepted body has a Response object");
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
