//! Logs at TRACE level never contain a secret key, a token or a signature.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use scf_emulator::{Config, CredentialConfig, Fault, FaultRule};
use scf_model::{GetAsyncEventStatusRequest, InvokeRequest};
use tc3_signer::Credentials;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_of_failing_and_succeeding_calls_hold_no_secrets() {
    const KEY: &str = "sEcReTkEy0123456789abcdefghijklmn";
    const TOKEN: &str = "SeSsIoNtOkEn-0123456789-abcdefghijklmnopqrstuvwxyz";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut config = Config::default();
    config.credentials.push(CredentialConfig {
        token: Some(TOKEN.into()),
        ..CredentialConfig::new("AKIDlogtest", KEY)
    });
    let emulator = common::emulator_with(config).await;
    let client = common::builder(&emulator)
        .credentials(Credentials::with_token("AKIDlogtest", KEY, TOKEN).unwrap())
        .build()
        .unwrap();
    let id = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap()
        .result
        .function_request_id;
    emulator.add_fault(FaultRule::always(Fault::InternalError).times(1));
    client
        .call(&GetAsyncEventStatusRequest::new(&id))
        .await
        .unwrap();
    let failing = client
        .call(&GetAsyncEventStatusRequest::new("nope"))
        .await
        .unwrap_err();
    let wrong_key = common::builder(&emulator)
        .credentials(Credentials::with_token("AKIDlogtest", "wrong", TOKEN).unwrap())
        .build()
        .unwrap();
    let refused = wrong_key
        .call(&GetAsyncEventStatusRequest::new(&id))
        .await
        .unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("GetAsyncEventStatus") && logs.contains("retrying"),
        "the logs were captured:\n{logs}"
    );
    assert!(logs.contains("x-tc-token: ** redacted **"), "{logs}");
    for secret in [KEY, TOKEN, "Signature="] {
        assert!(!logs.contains(secret), "{secret} leaked into:\n{logs}");
        for text in [
            format!("{failing} {failing:?}"),
            format!("{refused} {refused:?}"),
            format!("{client:?}"),
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}
