//! Parsing arbitrary bytes never panics.

use proptest::prelude::*;
use scf_model::{
    GetAsyncEventStatusResponse, InvokeResponse, ListAsyncEventsResponse, ResponseError,
    TerminateAsyncEventResponse, parse_response, request_id_of,
};

const VALID: &[&str] = &[
    r#"{"Response":{"Result":{"Status":"FINISHED","StatusCode":200,"InvokeRequestId":"a"},"RequestId":"r"}}"#,
    r#"{"Response":{"TotalCount":1,"EventList":[{"InvokeRequestId":"a","InvokeType":"OTHER","Qualifier":"$LATEST","Status":"RUNNING","StartTime":"2024-01-01 00:00:00.000","EndTime":""}],"RequestId":"r"}}"#,
    r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r"}}"#,
    r#"{"Response":{"Result":{"FunctionRequestId":"f","RetMsg":"\u4f60\u597d","Duration":1.5},"RequestId":"r"}}"#,
];

fn parse_all(body: &[u8]) {
    let _ = parse_response::<GetAsyncEventStatusResponse>(body);
    let _ = parse_response::<ListAsyncEventsResponse>(body);
    let _ = parse_response::<InvokeResponse>(body);
    let _ = parse_response::<TerminateAsyncEventResponse>(body);
    let _ = request_id_of(body);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(&body);
    }

    #[test]
    fn truncated_valid_bodies(which in 0..VALID.len(), cut in 0usize..400) {
        let body = VALID[which].as_bytes();
        let cut = cut.min(body.len());
        parse_all(&body[..cut]);
        if cut < body.len() {
            // Every strict prefix is incomplete JSON, never a result.
            let outcome = parse_response::<serde::de::IgnoredAny>(&body[..cut]);
            prop_assert!(matches!(outcome, Err(ResponseError::Malformed(_))), "{:?}", outcome);
        }
    }

    #[test]
    fn mutated_valid_bodies(which in 0..VALID.len(), at in 0usize..400, byte in any::<u8>()) {
        let mut body = VALID[which].as_bytes().to_vec();
        let at = at.min(body.len() - 1);
        body[at] = byte;
        parse_all(&body);
    }

    #[test]
    fn deeply_nested_json(depth in 0usize..2000) {
        let body = format!("{{\"Response\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        parse_all(body.as_bytes());
    }
}
