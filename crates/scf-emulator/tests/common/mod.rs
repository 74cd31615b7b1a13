//! A minimal signed client for talking to the emulator over real loopback sockets.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use scf_emulator::{Clock, DEMO_SECRET_ID, DEMO_SECRET_KEY, RunningEmulator};
use serde_json::Value;
use tc3_signer::{Credentials, SigningParams};

pub mod listing;
pub mod process;
pub mod refusals;
pub mod start;
pub mod zips;

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// `Response.Error.Code`, or `None` for a success.
    pub fn code(&self) -> Option<String> {
        self.json()["Response"]["Error"]["Code"]
            .as_str()
            .map(str::to_owned)
    }

    /// `Response.Error.Message`, or empty for a success.
    pub fn error_message(&self) -> String {
        self.json()["Response"]["Error"]["Message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Panics unless the error message mentions `part`.
    pub fn assert_message_contains(&self, part: &str) {
        let message = self.error_message();
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }

    /// Panics unless the call succeeded; returns `Response`.
    pub fn ok(&self) -> Value {
        assert_eq!(self.code(), None, "{}", String::from_utf8_lossy(&self.body));
        self.json()["Response"].clone()
    }

    pub fn request_id(&self) -> String {
        self.json()["Response"]["RequestId"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Signs and sends requests as an SDK would.
pub struct TestClient {
    pub endpoint: String,
    pub credentials: Credentials,
    pub region: Option<String>,
    /// The clock that timestamps signatures: the emulator's own, unless a test skews it.
    pub clock: Box<dyn Clock>,
    pub skew_secs: i64,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl TestClient {
    pub fn new(emulator: &RunningEmulator, clock: impl Clock) -> Self {
        Self {
            endpoint: emulator.endpoint(),
            credentials: Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap(),
            region: Some("ap-guangzhou".into()),
            clock: Box::new(clock),
            skew_secs: 0,
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    fn timestamp(&self) -> u64 {
        (self.clock.now_millis() / 1000).saturating_add_signed(self.skew_secs)
    }

    /// A signed request for `action`, ready to send or to tamper with.
    pub fn signed(
        &self,
        method: Method,
        action: &str,
        query: &str,
        body: &str,
    ) -> Request<Full<Bytes>> {
        let uri = if query.is_empty() {
            format!("http://{}/", self.endpoint)
        } else {
            format!("http://{}/?{query}", self.endpoint)
        };
        let content_type = if method == Method::GET {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type)
            .header("x-tc-action", action)
            .header("x-tc-version", "2018-04-16");
        if let Some(region) = &self.region {
            builder = builder.header("x-tc-region", region);
        }
        let mut request = builder.body(body.as_bytes().to_vec()).unwrap();
        tc3_signer::http::sign_request(
            &mut request,
            &SigningParams::new(&self.credentials, "scf", self.timestamp()),
        )
        .unwrap();
        request.map(|body| Full::new(Bytes::from(body)))
    }

    pub async fn send(&self, request: Request<Full<Bytes>>) -> Result<Reply, String> {
        let response = tokio::time::timeout(Duration::from_secs(10), self.http.request(request))
            .await
            .map_err(|_| "timed out".to_owned())?
            .map_err(|e| format!("{e:?}"))?;
        let (parts, body) = response.into_parts();
        let body = tokio::time::timeout(Duration::from_secs(10), body.collect())
            .await
            .map_err(|_| "body timed out".to_owned())?
            .map_err(|e| format!("{e:?}"))?
            .to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn post(&self, action: &str, body: Value) -> Reply {
        let request = self.signed(Method::POST, action, "", &body.to_string());
        self.send(request).await.unwrap()
    }

    pub async fn get(&self, action: &str, query: &str) -> Reply {
        let request = self.signed(Method::GET, action, query, "");
        self.send(request).await.unwrap()
    }

    pub async fn invoke_async(&self, function: &str, context: Option<Value>) -> String {
        let mut body = serde_json::json!({"FunctionName": function, "InvocationType": "Event"});
        if let Some(context) = context {
            body["ClientContext"] = Value::String(context.to_string());
        }
        let reply = self.post("Invoke", body).await;
        reply.ok()["Result"]["FunctionRequestId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn status(&self, id: &str) -> Reply {
        self.post(
            "GetAsyncEventStatus",
            serde_json::json!({"InvokeRequestId": id}),
        )
        .await
    }
}
