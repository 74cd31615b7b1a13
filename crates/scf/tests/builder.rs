//! The generated fluent calls against the emulator: what they send, what they refuse to send, and the
//! client's default namespace.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use scf::model::{ErrorCode, EventStatus, InvocationType, Order};
use scf::{ErrorKind, RetryPolicy, WaitOptions};
use scf_emulator::{Config, Fault, FaultRule, FunctionConfig, NamespaceConfig};

mod common;
use common::{builder, context, emulator, emulator_builder, real_time_builder};

fn quick() -> WaitOptions {
    WaitOptions {
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        ..WaitOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn the_fluent_builder_sends_the_members_it_sets() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let mut ids = Vec::new();
    for outcome in ["finished", "failed", "finished"] {
        let directive = format!(r#"{{"duration_ms": 100, "outcome": "{outcome}"}}"#);
        let response = client
            .invoke()
            .function_name("hello")
            .invocation_type(InvocationType::Event)
            .client_context(context(&directive))
            .send()
            .await
            .unwrap();
        ids.push(response.result.function_request_id);
        // Distinct start times, so the order of the listing is defined.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The ClientContext reached the function: the second event failed as it asked.
    let outcomes = client.wait_many(&ids, quick()).await;
    let statuses: Vec<_> = outcomes.into_iter().map(|o| o.unwrap().status).collect();
    assert_eq!(
        statuses,
        [
            EventStatus::Finished,
            EventStatus::Failed,
            EventStatus::Finished
        ]
    );

    let listing = || client.list_async_events().function_name("hello");
    let one = listing().invoke_request_id(&ids[1]).send().await.unwrap();
    assert_eq!(one.total_count, 1);
    assert_eq!(one.event_list[0].invoke_request_id, ids[1]);

    let page = listing().limit(2).send().await.unwrap();
    assert_eq!((page.total_count, page.event_list.len()), (3, 2));

    let order = |order| async move {
        let listed = listing().order(order).send().await.unwrap().event_list;
        listed
            .into_iter()
            .map(|event| event.invoke_request_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(order(Order::Ascending).await, ids);
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(order(Order::Descending).await, newest_first);

    let failed = listing()
        .status([EventStatus::Failed])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.event_list.len(), 1);
    assert_eq!(failed.event_list[0].invoke_request_id, ids[1]);

    // The builder shows what it holds.
    let pending = listing().limit(7);
    assert_eq!(pending.request().limit, Some(7));
    assert_eq!(pending.into_request().function_name, "hello");
}

#[tokio::test(start_paused = true)]
async fn a_missing_required_member_fails_before_anything_is_sent() {
    let emulator = emulator().await;
    let client = builder(&emulator)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();

    let error = client
        .invoke()
        .invocation_type(InvocationType::Event)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        (error.missing_parameter(), error.action(), error.attempts()),
        (Some("FunctionName"), "Invoke", 0)
    );
    assert!(error.code().is_none());
    let message = error.to_string();
    assert!(
        message.contains("Invoke") && message.contains("FunctionName"),
        "{message}"
    );
    assert_eq!(emulator.event_count(), 0);

    // The second of two required members is named too. The emulator answers the next TerminateAsyncEvent
    // it sees with InternalError, so the complete call after the incomplete one meeting that answer
    // shows the incomplete one never arrived.
    emulator.add_fault(
        FaultRule::always(Fault::InternalError)
            .for_action("TerminateAsyncEvent")
            .times(1),
    );
    let error = client
        .terminate_async_event()
        .function_name("hello")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.missing_parameter(), Some("InvokeRequestId"));
    assert_eq!(error.action(), "TerminateAsyncEvent");
    let terminate = || {
        client
            .terminate_async_event()
            .function_name("hello")
            .invoke_request_id("unknown-id")
    };
    let error = terminate().send().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::InternalError));
    assert_eq!(error.missing_parameter(), None);
    let error = terminate().send().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundAsyncEvent));
}

#[test]
fn the_blocking_client_refuses_an_incomplete_request_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(scf_emulator::Emulator::builder().start())
        .unwrap();
    let client = scf::blocking::Client::new(real_time_builder(&emulator)).unwrap();
    let error = client.get_async_event_status().send().unwrap_err();
    assert_eq!(
        (error.missing_parameter(), error.action()),
        (Some("InvokeRequestId"), "GetAsyncEventStatus")
    );
    let id = client.invoke_async("hello", None).unwrap();
    let status = client.get_async_event_status().invoke_request_id(&id);
    assert_eq!(status.send().unwrap().result.invoke_request_id, id);
    drop(runtime);
}

/// An emulator with function `hello` in namespace `default` and function `worker` in namespace `team`.
fn two_namespaces() -> Config {
    let mut config = Config::default();
    config.namespaces.push(NamespaceConfig {
        name: "team".to_owned(),
        functions: vec![FunctionConfig::new("worker", 100)],
    });
    config
}

#[tokio::test(start_paused = true)]
async fn the_default_namespace_applies_unless_the_request_names_one() {
    let emulator = emulator_builder()
        .config(two_namespaces())
        .start()
        .await
        .unwrap();
    let plain = builder(&emulator).build().unwrap();
    let team = builder(&emulator).namespace("team").build().unwrap();

    // Without a namespace the service looks in `default`, where there is no `worker`.
    let error = plain.invoke_async("worker", None).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundFunction));
    let id = team.invoke_async("worker", None).await.unwrap();
    let listed = team
        .list_async_events()
        .function_name("worker")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.event_list[0].invoke_request_id, id);

    // A namespace in the request wins over the client's.
    let error = team
        .list_async_events()
        .function_name("hello")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundFunction));
    let listed = team
        .list_async_events()
        .function_name("hello")
        .namespace("default")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.total_count, 0);

    // An action without a Namespace member is sent without one: the emulator refuses unknown members.
    let status = team
        .get_async_event_status()
        .invoke_request_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(status.result.invoke_request_id, id);
}
