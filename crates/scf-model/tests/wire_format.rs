//! The model against the service's documented JSON.

#![allow(clippy::unwrap_used)] // Tests fail loudly on the first unexpected value.

use scf_model::*;
use serde_json::json;

#[test]
fn official_get_async_event_status_example_parses() {
    let body = br#"{"Response":{"Result":{"Status":"RUNNING","StatusCode":0,"InvokeRequestId":"5f825fd3-a59d-4879-aa28-3ac967c12888"},"RequestId":"5f825fd3-a59d-4879-aa28-3ac967c128885f82"}}"#;
    let response: GetAsyncEventStatusResponse = parse_response(body).unwrap();
    assert_eq!(response.result.status, EventStatus::Running);
    assert_eq!(response.result.status_code, 0);
    assert_eq!(
        response.result.invoke_request_id,
        "5f825fd3-a59d-4879-aa28-3ac967c12888"
    );
    assert_eq!(
        response.request_id.as_deref(),
        Some("5f825fd3-a59d-4879-aa28-3ac967c128885f82")
    );
}

#[test]
fn official_list_async_events_example_parses() {
    let body = json!({"Response": {
        "TotalCount": 2,
        "EventList": [
            {"InvokeRequestId": "a", "InvokeType": "COS", "Qualifier": "1", "Status": "FINISHED",
             "StartTime": "2020-12-01 08:35:00.000", "EndTime": "2020-12-01 08:35:30.000"},
            {"InvokeRequestId": "b", "InvokeType": "COS", "Qualifier": "1", "Status": "RUNNING",
             "StartTime": "2020-12-01 08:36:00.000", "EndTime": ""}
        ],
        "RequestId": "r"
    }});
    let response: ListAsyncEventsResponse = parse_response(body.to_string().as_bytes()).unwrap();
    assert_eq!(response.total_count, 2);
    assert_eq!(response.event_list[0].status, EventStatus::Finished);
    assert_eq!(response.event_list[1].end_time, "");
}

#[test]
fn official_sync_invoke_example_parses() {
    let body = br#"{"Response":{"Result":{"MemUsage":3207168,"Log":"","RetMsg":"hello from scf","BillDuration":100,"FunctionRequestId":"6add56fa-58f1-11e8-89a9-5254005d5fdb","Duration":0.826,"ErrMsg":"","InvokeResult":0},"RequestId":"c2af8a64-c922-4d55-aee0-bd86a5c2cd12"}}"#;
    let response: InvokeResponse = parse_response(body).unwrap();
    assert_eq!(response.result.ret_msg, "hello from scf");
    assert_eq!(response.result.mem_usage, 3_207_168);
    assert_eq!(response.result.duration, 0.826);
    assert_eq!(response.result.bill_duration, 100);
}

#[test]
fn nulls_where_values_are_documented_do_not_fail() {
    let body = br#"{"Response":{"Result":{"FunctionRequestId":"x","RetMsg":null,"ErrMsg":null,"Log":null,"MemUsage":null,"Duration":null,"BillDuration":null,"InvokeResult":null},"RequestId":"r"}}"#;
    let response: InvokeResponse = parse_response(body).unwrap();
    assert_eq!(response.result.ret_msg, "");
    assert_eq!(response.result.mem_usage, 0);
    let body = br#"{"Response":{"TotalCount":null,"EventList":null,"RequestId":"r"}}"#;
    let response: ListAsyncEventsResponse = parse_response(body).unwrap();
    assert_eq!((response.total_count, response.event_list.len()), (0, 0));
}

#[test]
fn requests_serialise_pascal_case_and_leave_out_unset_fields() {
    assert_eq!(
        serde_json::to_value(GetAsyncEventStatusRequest::new("id")).unwrap(),
        json!({"InvokeRequestId": "id"})
    );
    assert_eq!(
        serde_json::to_value(InvokeRequest::new("f")).unwrap(),
        json!({"FunctionName": "f"})
    );
    let full = InvokeRequest::new("f")
        .invocation_type(InvocationType::RequestResponse)
        .qualifier("$LATEST")
        .client_context("{}")
        .log_type(LogType::Tail)
        .namespace("default")
        .routing_key("{}");
    assert_eq!(
        serde_json::to_value(full).unwrap(),
        json!({"FunctionName": "f", "InvocationType": "RequestResponse", "Qualifier": "$LATEST",
               "ClientContext": "{}", "LogType": "Tail", "Namespace": "default", "RoutingKey": "{}"})
    );
    let list = ListAsyncEventsRequest::new("f")
        .status([EventStatus::Running, EventStatus::Failed])
        .start_time_interval(
            TimeInterval::default()
                .start("2024-12-14 00:00:00")
                .end("2024-12-14 01:00:00"),
        )
        .order(Order::Ascending)
        .orderby("EndTime")
        .limit(100);
    assert_eq!(
        serde_json::to_value(list).unwrap(),
        json!({"FunctionName": "f", "Status": ["RUNNING", "FAILED"],
               "StartTimeInterval": {"Start": "2024-12-14 00:00:00", "End": "2024-12-14 01:00:00"},
               "Order": "ASC", "Orderby": "EndTime", "Limit": 100})
    );
    let terminate = TerminateAsyncEventRequest::new("f", "id").grace_shutdown(true);
    assert_eq!(
        serde_json::to_value(terminate).unwrap(),
        json!({"FunctionName": "f", "InvokeRequestId": "id", "GraceShutdown": true})
    );
}

#[test]
fn metadata_carries_the_documented_limits_and_idempotency() {
    let cases = [
        (
            GetAsyncEventStatusRequest::METADATA,
            "GetAsyncEventStatus",
            true,
            20,
        ),
        (
            ListAsyncEventsRequest::METADATA,
            "ListAsyncEvents",
            true,
            20,
        ),
        (
            TerminateAsyncEventRequest::METADATA,
            "TerminateAsyncEvent",
            false,
            20,
        ),
        (InvokeRequest::METADATA, "Invoke", false, 100),
    ];
    for (metadata, action, idempotent, limit) in cases {
        assert_eq!(metadata.action, action);
        assert_eq!(
            (metadata.service.as_ref(), metadata.version.as_ref()),
            ("scf", "2018-04-16")
        );
        assert_eq!(metadata.idempotent, idempotent, "{action}");
        assert_eq!(metadata.rate_limit_per_second, Some(limit), "{action}");
    }
}

#[test]
fn error_envelope_round_trips_through_the_typed_error() {
    let envelope = Envelope {
        response: ErrorResponse {
            error: ErrorDetail {
                code: ErrorCode::AuthFailureSignatureExpire.as_str().into(),
                message: "late".into(),
            },
            request_id: "r-1".into(),
        },
    };
    let body = serde_json::to_vec(&envelope).unwrap();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"late"},"RequestId":"r-1"}}"#
    );
    match parse_response::<TerminateAsyncEventResponse>(&body) {
        Err(ResponseError::Api(error)) => {
            assert_eq!(
                ErrorCode::parse(&error.code),
                ErrorCode::AuthFailureSignatureExpire
            );
            assert_eq!(error.class(), ErrorClass::ClockSkew);
            assert_eq!(error.request_id.as_deref(), Some("r-1"));
        }
        other => panic!("{other:?}"),
    }
}
