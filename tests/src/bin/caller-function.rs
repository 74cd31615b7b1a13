//! A Custom Runtime function for the tests, in Rust: for each event `{"callee": NAME, "event": ...}` it
//! invokes function NAME asynchronously through the endpoint SCF gives it, signed with the temporary
//! credentials of its runtime (`ScfRuntimeProvider`), waits until that event ends, and answers with
//! what it saw. It speaks SCF's Custom Runtime API on `SCF_RUNTIME_API:SCF_RUNTIME_API_PORT`.

use std::error::Error;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use scf::transport::credentials::ScfRuntimeProvider;
use serde_json::{Value, json};

type Failure = Box<dyn Error + Send + Sync>;

/// One request to the runtime API on a connection of its own; the body of the answer.
async fn runtime_api(method: Method, path: &str, body: Vec<u8>) -> Result<Bytes, Failure> {
    let host = std::env::var("SCF_RUNTIME_API")?;
    let port = std::env::var("SCF_RUNTIME_API_PORT")?;
    let stream = tokio::net::TcpStream::connect(format!("{host}:{port}")).await?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("{host}:{port}"))
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    Ok(response.into_body().collect().await?.to_bytes())
}

/// Invokes the callee the event names and waits for its event to end.
async fn handle(client: &scf::Client, event: &[u8]) -> Result<Value, Failure> {
    let event: Value = serde_json::from_slice(event)?;
    let callee = event["callee"]
        .as_str()
        .ok_or("the event names no callee")?;
    let context = event["event"].to_string();
    let id = client.invoke_async(callee, Some(&context)).await?;
    let outcome = client.wait(&id, scf::WaitOptions::default()).await?;
    Ok(json!({
        "callee": callee,
        "invoke_request_id": id,
        "status": outcome.status.as_str(),
        "status_code": outcome.status_code,
        "signed_with": std::env::var("TENCENTCLOUD_SECRETID")?,
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    // The endpoint and region come from the function's environment (`SCF_ENDPOINT`,
    // `TENCENTCLOUD_REGION`), the credentials from the runtime's.
    let client = scf::Client::builder()
        .credentials(ScfRuntimeProvider::new())
        .build()?;
    runtime_api(Method::POST, "/runtime/init/ready", b" ".to_vec()).await?;
    loop {
        let event = runtime_api(Method::GET, "/runtime/invocation/next", Vec::new()).await?;
        match handle(&client, &event).await {
            Ok(answer) => {
                let body = answer.to_string().into_bytes();
                runtime_api(Method::POST, "/runtime/invocation/response", body).await?;
            }
            Err(error) => {
                let body =
                    json!({"errorCode": -1, "errorMessage": error.to_string(), "statusCode": 430});
                let body = body.to_string().into_bytes();
                runtime_api(Method::POST, "/runtime/invocation/error", body).await?;
            }
        }
    }
}
