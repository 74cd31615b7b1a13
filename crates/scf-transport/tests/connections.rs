//! Keep-alive connections over loopback, on simulated time: a server that closes idle connections, as
//! real gateways do, and a pool that closes its own idle connections after its idle timeout.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use scf_emulator::{Config, RunningEmulator};
use scf_model::{InvokeRequest, ListAsyncEventsRequest};
use scf_transport::{HyperTransport, HyperTransportConfig, ProxyConfig, RetryPolicy};

/// Lets the connection tasks of both sides run until the emulator's count is `expected`.
async fn settle(emulator: &RunningEmulator, expected: usize) {
    for _ in 0..100 {
        if emulator.open_connections() == expected {
            return;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(emulator.open_connections(), expected);
}

#[tokio::test(start_paused = true)]
async fn a_connection_the_server_closed_while_idle_is_never_used_again() {
    let emulator = common::emulator_with(Config {
        idle_timeout_secs: Some(5),
        ..Config::default()
    })
    .await;
    // No retries: had a request gone out on the closed connection, the caller would see the error.
    let client = common::builder(&emulator)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    settle(&emulator, 1).await;

    // The emulator closes the pooled connection after 5 s idle, well before the pool's own 20 s.
    tokio::time::sleep(Duration::from_secs(6)).await;
    settle(&emulator, 0).await;

    // A non-idempotent call after the close goes out on a fresh connection and runs exactly once.
    let invoked = client.call(&InvokeRequest::event("hello")).await.unwrap();
    assert!(!invoked.result.function_request_id.is_empty());
    let listed = client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(listed.total_count, 1);
    settle(&emulator, 1).await;
}

#[tokio::test(start_paused = true)]
async fn the_pool_closes_connections_idle_longer_than_its_timeout() {
    let emulator = common::emulator().await;
    let transport = HyperTransport::new(&HyperTransportConfig {
        proxy: ProxyConfig::None,
        pool_idle_timeout: Duration::from_secs(20),
        ..HyperTransportConfig::default()
    })
    .unwrap();
    let client = common::builder(&emulator)
        .transport(transport)
        .build()
        .unwrap();
    // Four concurrent calls open four connections, which the pool keeps.
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .call(&ListAsyncEventsRequest::new("hello"))
                .await
                .unwrap()
        });
    }
    calls.join_all().await;
    settle(&emulator, 4).await;

    // Still pooled just before the idle timeout.
    tokio::time::sleep(Duration::from_secs(19)).await;
    settle(&emulator, 4).await;
    // Closed by the pool once it passed, without any call checking them out. The pool looks for expired
    // connections once per idle timeout, so a connection goes between one and two timeouts after its
    // last use.
    tokio::time::sleep(Duration::from_secs(22)).await;
    settle(&emulator, 0).await;

    // And the next call simply connects again.
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    settle(&emulator, 1).await;
}
