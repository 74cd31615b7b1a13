//! Paginators against the emulator: every page walked once, the end noticed, errors surfaced.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::pin::pin;

use futures_util::StreamExt;
use scf::model::ErrorCode;
use scf_emulator::Emulator;

mod common;
use common::{builder, emulator, emulator_builder, real_time_builder, unlimited_config};

#[tokio::test(start_paused = true)]
async fn the_paginator_walks_every_page_and_then_ends() {
    let emulator = emulator_builder()
        .config(unlimited_config())
        .start()
        .await
        .unwrap();
    let client = builder(&emulator).build().unwrap();
    let mut invoked = HashSet::new();
    for _ in 0..45 {
        invoked.insert(client.invoke_async("hello", None).await.unwrap());
    }

    // Five pages of at most ten.
    let listing = client.list_async_events().function_name("hello").limit(10);
    let mut events = pin!(listing.into_paginator());
    let mut listed = HashSet::new();
    while let Some(event) = events.next().await {
        assert!(listed.insert(event.unwrap().invoke_request_id));
    }
    assert_eq!(listed, invoked);
    assert!(events.next().await.is_none(), "an ended walk stays ended");

    // A walk may start past the first events.
    let rest = client
        .list_async_events()
        .function_name("hello")
        .limit(10)
        .offset(40)
        .into_paginator();
    assert_eq!(rest.count().await, 5);

    // A failing page is the last item.
    let missing = client.list_async_events().function_name("nope");
    let items: Vec<_> = missing.into_paginator().collect().await;
    assert_eq!(items.len(), 1);
    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundFunction));
    assert_eq!(error.action(), "ListAsyncEvents");
}

#[tokio::test(start_paused = true)]
async fn a_paginator_missing_a_required_member_yields_that_error_alone() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let items: Vec<_> = client.list_async_events().into_paginator().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().missing_parameter(),
        Some("FunctionName")
    );
}

#[tokio::test(start_paused = true)]
async fn list_functions_has_a_paginator_and_its_errors_surface() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let mut created = HashSet::from(["hello".to_owned()]);
    for n in 0..11 {
        let name = format!("paged-{n:02}");
        client
            .create_function()
            .function_name(name.clone())
            .code(
                scf::model::Code::default()
                    .cos_bucket_name("code-1250000000")
                    .cos_object_name("/paged.zip"),
            )
            .handler("index.main_handler")
            .runtime("Python3.9")
            .send()
            .await
            .unwrap();
        created.insert(name);
    }
    let functions = client
        .list_functions()
        .namespace("default")
        .limit(5)
        .into_paginator();
    let listed: HashSet<String> = functions
        .map(|function| function.unwrap().function_name)
        .collect()
        .await;
    assert_eq!(listed, created);

    let missing = client.list_functions().namespace("nope").into_paginator();
    let items: Vec<_> = missing.collect().await;
    assert_eq!(items.len(), 1, "the error ends the walk");
    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundNamespace));
    assert_eq!(error.action(), "ListFunctions");
    let message = error.api_error().unwrap().message.clone();
    assert!(message.contains("nope"), "{message}");
}

#[test]
fn the_blocking_paginator_is_an_iterator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::builder().config(unlimited_config()).start())
        .unwrap();
    let client = scf::blocking::Client::new(real_time_builder(&emulator)).unwrap();
    let invoked: HashSet<_> = (0..25)
        .map(|_| client.invoke_async("hello", None).unwrap())
        .collect();
    let listing = client.list_async_events().function_name("hello").limit(10);
    let listed: HashSet<_> = listing
        .into_paginator()
        .map(|event| event.unwrap().invoke_request_id)
        .collect();
    assert_eq!(listed, invoked);

    let mut missing = client
        .list_async_events()
        .function_name("nope")
        .into_paginator();
    let error = missing.next().unwrap().unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundFunction));
    assert!(missing.next().is_none());
    assert!(missing.next().is_none(), "an ended paginator stays ended");
    drop(runtime);
}
