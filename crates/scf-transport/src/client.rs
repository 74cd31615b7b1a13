//! The client: builds, signs, sends, retries and interprets calls to any Tencent Cloud API 3.0 action.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HOST, USER_AGENT};
use http::{HeaderName, HeaderValue, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tc_api::{Action, ActionMetadata, ErrorClass, ResponseError, parse_response, request_id_of};
use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningParams};
use tokio::time::Instant;
use tracing::Instrument;

use crate::credentials::{DefaultChain, Environment, ProvideCredentials, SystemEnvironment};
use crate::endpoint::{Endpoint, Target};
use crate::error::{Error, ErrorKind};
use crate::policy::{self, Next, Outcome, Progress};
use crate::rate_limit::RateLimiter;
use crate::redact;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::signing_key::KeyCache;
use crate::skew::ClockSkew;
use crate::time::{Clock, SharedClock, SystemClock};
use crate::transport::{
    HyperTransport, HyperTransportConfig, ProxyConfig, Transport, TransportErrorKind,
};

static X_TC_ACTION: HeaderName = HeaderName::from_static("x-tc-action");
static X_TC_VERSION: HeaderName = HeaderName::from_static("x-tc-version");
static X_TC_REGION: HeaderName = HeaderName::from_static("x-tc-region");
static X_TC_LANGUAGE: HeaderName = HeaderName::from_static("x-tc-language");
static X_TC_REQUEST_CLIENT: HeaderName = HeaderName::from_static("x-tc-requestclient");
static X_TC_TIMESTAMP: HeaderName = HeaderName::from_static("x-tc-timestamp");
static X_TC_TOKEN: HeaderName = HeaderName::from_static("x-tc-token");
static X_TC_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-tc-content-sha256");

/// This crate's identity, sent as `X-TC-RequestClient` and in the `User-Agent`.
pub const REQUEST_CLIENT: &str = concat!("SDK_RUST_", env!("CARGO_PKG_VERSION"));
const USER_AGENT_VALUE: &str = concat!("scf-transport/", env!("CARGO_PKG_VERSION"));

/// The language of error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Simplified Chinese, the service's default.
    ZhCn,
    /// English.
    EnUs,
}

impl Language {
    /// The `X-TC-Language` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::EnUs => "en-US",
        }
    }
}

/// Time limits. Every wait of a call (rate limit, backoff, attempt) ends by the operation deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// One TCP connect.
    pub connect: Duration,
    /// One attempt: sending the request and reading the whole answer.
    pub attempt: Duration,
    /// The whole call, retries and waits included.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(60),
        }
    }
}

/// A Tencent Cloud API 3.0 client. Cheap to clone: clones share the connection pool, the rate limiter,
/// the retry budget, the learned clock offset and the credentials provider.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<dyn Transport>,
    /// Where signing keys come from; `None` sends `Authorization: SKIP` unsigned.
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint: Endpoint,
    region: Option<String>,
    /// The region as sent in `X-TC-Region`, checked once when the client is built.
    region_header: Option<HeaderValue>,
    language: Option<Language>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    budget: RetryBudget,
    limiter: RateLimiter,
    skew: ClockSkew,
    services: std::sync::RwLock<HashMap<String, Arc<Service>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("region", &self.inner.region)
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .field("clock_offset_secs", &self.clock_offset_secs())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    transport_config: HyperTransportConfig,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    unsigned: bool,
    clock: SharedClock,
    environment: Arc<dyn Environment>,
    endpoint: Endpoint,
    region: Option<String>,
    language: Option<Language>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    rate_limits: Option<HashMap<String, u32>>,
}

impl Client {
    /// A builder with the defaults: the service's default endpoint, no region, 5 s connect, 30 s attempt and
    /// 60 s operation timeouts, 4 attempts, documented rate limits, proxies from the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            transport: None,
            transport_config: HyperTransportConfig::default(),
            credentials: None,
            unsigned: false,
            clock: Arc::new(SystemClock),
            environment: Arc::new(SystemEnvironment),
            endpoint: Endpoint::Default,
            region: None,
            language: None,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            rate_limits: Some(HashMap::new()),
        }
    }

    /// The offset, in seconds, added to the local clock to match the server's, learned from its answers.
    pub fn clock_offset_secs(&self) -> i64 {
        self.inner.skew.offset_secs()
    }

    /// The rate, in requests per second, at which this client currently sends `action` of `service`:
    /// under the limit, and lower for a while after the service answered `RequestLimitExceeded`. `None`
    /// until the action was called, or when it has no limit.
    pub fn send_rate(&self, service: &str, action: &str) -> Option<f64> {
        self.inner.limiter.current_rate(service, action)
    }

    /// Tokens left in the shared retry budget.
    pub fn retry_budget(&self) -> u32 {
        self.inner.budget.available()
    }

    /// The configured region.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Calls a modelled action.
    pub async fn call<A: Action + Sync>(&self, request: &A) -> Result<A::Response, Error> {
        self.call_action(&A::METADATA, request).await
    }

    /// Calls any action: `metadata` says which, `body` is its parameters, `T` its result.
    ///
    /// The body is serialised once; each attempt signs those exact bytes afresh with a fresh timestamp.
    pub async fn call_action<T, B>(&self, metadata: &ActionMetadata, body: &B) -> Result<T, Error>
    where
        T: DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let action = metadata.action.as_ref();
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                action,
                format!("cannot serialise the request: {e}"),
            )
        })?;
        let service = self.service(&metadata.service).map_err(|e| {
            Error::new(ErrorKind::InvalidRequest, action, e.to_string()).with_source(e)
        })?;
        let span = tracing::info_span!(
            "tencentcloud_call",
            service = %metadata.service,
            action = %metadata.action,
            region = self.inner.region.as_deref().unwrap_or(""),
        );
        self.attempts(metadata, &service, Bytes::from(body))
            .instrument(span)
            .await
    }

    /// What the client keeps per service: its resolved endpoint and its signing key of the day.
    fn service(&self, service: &str) -> Result<Arc<Service>, crate::EndpointError> {
        let cache = &self.inner.services;
        if let Some(known) = cache.read().unwrap_or_else(|e| e.into_inner()).get(service) {
            return Ok(Arc::clone(known));
        }
        let known = Arc::new(Service {
            target: self
                .inner
                .endpoint
                .resolve(service, self.inner.region.as_deref())?,
            key: KeyCache::default(),
        });
        cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(service.to_owned(), Arc::clone(&known));
        Ok(known)
    }

    async fn attempts<T: DeserializeOwned>(
        &self,
        metadata: &ActionMetadata,
        known: &Service,
        body: Bytes,
    ) -> Result<T, Error> {
        let inner = &self.inner;
        let (service, action) = (metadata.service.as_ref(), metadata.action.as_ref());
        let deadline = Instant::now() + inner.timeouts.operation;
        let mut attempt = 0;
        let mut resigned_for_skew = false;
        loop {
            attempt += 1;
            let limit = metadata.rate_limit_per_second;
            let mut reservation = inner.limiter.reserve(service, action, limit);
            while !reservation.wait.is_zero() {
                if Instant::now() + reservation.wait > deadline {
                    inner.limiter.release(service, action);
                    return Err(operation_timeout(action, attempt - 1));
                }
                tracing::debug!(
                    wait_ms = reservation.wait.as_millis() as u64,
                    "waiting for the rate limit"
                );
                tokio::time::sleep(reservation.wait).await;
                match inner.limiter.recheck(service, action, limit, reservation) {
                    Some(slower) => reservation = slower,
                    None => break,
                }
            }
            let credentials = match &inner.credentials {
                None => None,
                Some(provider) => Some(match provider.ready_credentials() {
                    Some(credentials) => credentials,
                    None => provider.credentials().await.map_err(|e| {
                        Error::new(ErrorKind::Credentials, action, e.to_string())
                            .finish(attempt, false)
                    })?,
                }),
            };
            let request = self.sign(metadata, known, &body, credentials.as_ref())?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(operation_timeout(action, attempt - 1));
            }
            let started = Instant::now();
            let limit = inner.timeouts.attempt.min(remaining);
            let failure = match tokio::time::timeout(limit, inner.transport.send(request))
                .instrument(tracing::debug_span!("attempt", attempt))
                .await
            {
                Err(_) => Failure::timeout(action, limit),
                Ok(Err(error)) => Failure::transport(action, error),
                Ok(Ok(response)) => {
                    let latency_ms = started.elapsed().as_millis() as u64;
                    if let Some(date) = response
                        .headers()
                        .get(DATE)
                        .and_then(|date| date.to_str().ok())
                    {
                        inner.skew.observe(date);
                    }
                    match interpret::<T>(action, response, latency_ms, attempt) {
                        Ok(result) => {
                            if attempt == 1 {
                                inner.budget.reward();
                            }
                            return Ok(result);
                        }
                        Err(failure) => failure,
                    }
                }
            };

            if failure.outcome == Outcome::Api(ErrorClass::Throttling) {
                inner.limiter.throttled(service, action, reservation);
            }
            let progress = Progress {
                attempt,
                max_attempts: inner.retry.max_attempts,
                resigned_for_skew,
                knows_server_clock: inner.skew.offset_secs() != 0,
            };
            let verdict = policy::decide(failure.outcome, metadata.idempotent, progress);
            let give_up = |error: Error| Err(error.finish(attempt, verdict.outcome_unknown));
            match verdict.next {
                Next::Fail => return give_up(failure.error),
                Next::Resign => {
                    resigned_for_skew = true;
                    tracing::warn!(
                        offset_secs = inner.skew.offset_secs(),
                        "server clock differs; re-signing"
                    );
                }
                Next::RetryNow => {
                    tracing::debug!(error = %failure.error, "the request was not sent; sending it again");
                }
                Next::RetryAfterBackoff { cost } => {
                    let backoff = inner.retry.backoff(attempt);
                    if Instant::now() + backoff >= deadline || !inner.budget.try_spend(cost) {
                        tracing::warn!(error = %failure.error, "not retrying: retry budget or deadline exhausted");
                        return give_up(failure.error);
                    }
                    tracing::warn!(error = %failure.error, retry_in_ms = backoff.as_millis() as u64, "retrying");
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }

    fn sign(
        &self,
        metadata: &ActionMetadata,
        known: &Service,
        body: &Bytes,
        credentials: Option<&Credentials>,
    ) -> Result<Request<Bytes>, Error> {
        let action = metadata.action.as_ref();
        let invalid = |detail: String| Error::new(ErrorKind::InvalidRequest, action, detail);
        let timestamp = self.inner.skew.now();
        let target = &known.target;

        let mut request = Request::new(body.clone());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = target.uri.clone();
        let headers = request.headers_mut();
        // Room for every header below at once, rather than growing the map as they arrive.
        headers.reserve(12);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(HOST, target.host_value.clone());
        headers.insert(
            X_TC_ACTION.clone(),
            static_header_value(&metadata.action).map_err(&invalid)?,
        );
        headers.insert(
            X_TC_VERSION.clone(),
            static_header_value(&metadata.version).map_err(&invalid)?,
        );
        headers.insert(
            X_TC_REQUEST_CLIENT.clone(),
            HeaderValue::from_static(REQUEST_CLIENT),
        );
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        if let Some(region) = &self.inner.region_header {
            headers.insert(X_TC_REGION.clone(), region.clone());
        }
        if let Some(language) = self.inner.language {
            headers.insert(
                X_TC_LANGUAGE.clone(),
                HeaderValue::from_static(language.as_str()),
            );
        }
        match credentials {
            Some(credentials) => {
                Self::add_signature(headers, metadata, known, body, credentials, timestamp)
                    .map_err(invalid)?;
            }
            None => {
                // The few actions that take no credentials still want a timestamp, and `SKIP` in place
                // of a signature.
                headers.insert(X_TC_TIMESTAMP.clone(), HeaderValue::from(timestamp));
                headers.insert(AUTHORIZATION, HeaderValue::from_static("SKIP"));
            }
        }
        tracing::trace!(headers = %redact::headers(request.headers()), body = %redact::snippet(body), "request");
        Ok(request)
    }

    /// Signs `body` for `known`'s host with the day's key of `credentials`, and adds the headers the
    /// signature needs: `Authorization`, `X-TC-Timestamp`, and `X-TC-Token` for temporary keys.
    fn add_signature(
        headers: &mut http::HeaderMap,
        metadata: &ActionMetadata,
        known: &Service,
        body: &Bytes,
        credentials: &Credentials,
        timestamp: u64,
    ) -> Result<(), String> {
        let signed_headers = [
            ("content-type", "application/json"),
            ("host", known.target.host.as_str()),
        ];
        let signable = SignableRequest::new("POST", &signed_headers, SignablePayload::Bytes(body));
        let key = known
            .key
            .key(credentials, &metadata.service, timestamp)
            .map_err(|e| e.to_string())?;
        let output = tc3_signer::sign(&signable, &SigningParams::with_key(&key, timestamp))
            .map_err(|e| e.to_string())?;
        for (name, value) in output.headers() {
            let name = match name {
                // Moved in below rather than copied.
                tc3_signer::AUTHORIZATION => continue,
                tc3_signer::X_TC_TIMESTAMP => X_TC_TIMESTAMP.clone(),
                tc3_signer::X_TC_TOKEN => X_TC_TOKEN.clone(),
                _ => X_TC_CONTENT_SHA256.clone(),
            };
            let mut value = header_value(value)?;
            value.set_sensitive(name == X_TC_TOKEN);
            headers.insert(name, value);
        }
        let mut authorization =
            HeaderValue::from_maybe_shared(Bytes::from(output.into_authorization()))
                .map_err(|_| "the Authorization cannot be sent in a header".to_owned())?;
        authorization.set_sensitive(true);
        headers.insert(AUTHORIZATION, authorization);
        Ok(())
    }
}

/// What a client keeps per service.
struct Service {
    target: Target,
    key: KeyCache,
}

/// A header value that borrows a `'static` text instead of copying it, as action names and versions are.
// The variant is the point: only a borrowed `'static` text can be shared without a copy.
#[allow(clippy::ptr_arg)]
fn static_header_value(text: &Cow<'static, str>) -> Result<HeaderValue, String> {
    match text {
        // Checked once, as it is shared rather than copied.
        Cow::Borrowed(text) => HeaderValue::from_maybe_shared(Bytes::from_static(text.as_bytes()))
            .map_err(|_| format!("{text:?} cannot be sent in a header")),
        Cow::Owned(text) => header_value(text),
    }
}

fn header_value(text: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_str(text).map_err(|_| format!("{text:?} cannot be sent in a header"))
}

fn operation_timeout(action: &str, attempts: u32) -> Error {
    Error::new(ErrorKind::Timeout, action, "the operation deadline passed").finish(attempts, false)
}

/// One failed attempt: the error to report and what happened, for [`policy::decide`].
struct Failure {
    error: Error,
    outcome: Outcome,
}

impl Failure {
    fn timeout(action: &str, after: Duration) -> Self {
        let error = Error::new(
            ErrorKind::Timeout,
            action,
            format!("no complete answer within {} ms", after.as_millis()),
        );
        Self {
            error,
            outcome: Outcome::Timeout,
        }
    }

    fn transport(action: &str, error: crate::transport::TransportError) -> Self {
        let kind = match error.kind() {
            TransportErrorKind::Connect => ErrorKind::Connect,
            TransportErrorKind::NotSent | TransportErrorKind::Io => ErrorKind::Network,
            TransportErrorKind::BodyTooLarge => ErrorKind::ResponseTooLarge,
            _ => ErrorKind::InvalidRequest,
        };
        tracing::debug!(error = %error, "transport failure");
        Self {
            outcome: Outcome::Transport(error.kind()),
            error: Error::new(kind, action, error.to_string()).with_source(error),
        }
    }
}

/// Reads an answer as the result `T` or as the failure it reports.
fn interpret<T: DeserializeOwned>(
    action: &str,
    response: Response<Bytes>,
    latency_ms: u64,
    attempt: u32,
) -> Result<T, Failure> {
    let status = response.status().as_u16();
    let body = response.body();
    // Finding the RequestId costs a parse of its own; a success never needs it outside this log line.
    if tracing::enabled!(tracing::Level::DEBUG) {
        let request_id = request_id_of(body);
        tracing::debug!(
            status,
            request_id = request_id.as_deref().unwrap_or(""),
            latency_ms,
            attempt,
            "answer"
        );
    }
    tracing::trace!(headers = %redact::headers(response.headers()), body = %redact::snippet(body), "response");
    match parse_response::<T>(body) {
        Err(ResponseError::Api(api)) => Err(Failure {
            outcome: Outcome::Api(api.class()),
            error: Error::api(action, api, status),
        }),
        // A non-200 answer without an error envelope is a gateway's, whatever its body parsed as.
        _ if status != 200 => {
            let request_id = request_id_of(body);
            let error = Error::new(
                ErrorKind::HttpStatus,
                action,
                format!("unexpected HTTP status {status}"),
            )
            .with_status(status)
            .with_request_id(request_id)
            .with_snippet(redact::snippet(body));
            Err(Failure {
                error,
                outcome: Outcome::HttpStatus(status),
            })
        }
        Ok(result) => Ok(result),
        Err(ResponseError::Malformed(malformed)) => {
            let request_id = malformed.request_id.clone();
            let error = Error::new(ErrorKind::InvalidResponse, action, malformed.to_string())
                .with_status(status)
                .with_request_id(request_id)
                .with_snippet(redact::snippet(body));
            Err(Failure {
                error,
                outcome: Outcome::Malformed,
            })
        }
    }
}

impl ClientBuilder {
    /// The credentials provider; when none is given, the [`DefaultChain`] over this builder's
    /// [`environment`](Self::environment) and [`clock`](Self::clock).
    pub fn credentials(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Shares an existing provider.
    pub fn credentials_arc(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Where settings not given in code are read (`TENCENTCLOUD_REGION`, and the default credentials
    /// chain's variables and files): the process environment by default.
    pub fn environment(mut self, environment: impl Environment) -> Self {
        self.environment = Arc::new(environment);
        self
    }

    /// Sends requests unsigned, with `Authorization: SKIP`, for the few actions that take no credentials
    /// (STS `AssumeRoleWithWebIdentity`, whose proof of identity is in its parameters).
    pub fn without_signing(mut self) -> Self {
        self.unsigned = true;
        self
    }

    /// The wall clock that timestamps requests; [`SystemClock`] by default. Waits and timeouts run on
    /// tokio's clock, so a test on a paused runtime with a [`TokioClock`](crate::time::TokioClock) moves both.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.clock_arc(Arc::new(clock))
    }

    /// Shares an existing wall clock.
    pub fn clock_arc(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Where requests go.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The region, sent as `X-TC-Region`. When it is not set here, `TENCENTCLOUD_REGION` gives it; with
    /// neither, it is left out.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The language of error messages, sent as `X-TC-Language`.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// All three time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self.transport_config.connect_timeout = timeouts.connect;
        self
    }

    /// Attempts, backoff and retry budget.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Requests per second by action, replacing the documented limits for those actions.
    pub fn rate_limits(mut self, per_second: HashMap<String, u32>) -> Self {
        self.rate_limits = Some(per_second);
        self
    }

    /// Sends without client-side rate limiting.
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits = None;
        self
    }

    /// The proxy of the default transport.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.transport_config.proxy = proxy;
        self
    }

    /// A PEM certificate the default transport trusts besides the platform's roots.
    pub fn extra_root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport_config
            .extra_root_certificates
            .push(pem.into());
        self
    }

    /// The largest response body the default transport reads.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.transport_config.max_response_bytes = bytes;
        self
    }

    /// Replaces the default transport.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Builds the client. The default transport needs a tokio runtime.
    pub fn build(self) -> Result<Client, Error> {
        let invalid =
            |detail: String| Error::new(ErrorKind::InvalidRequest, "building the client", detail);
        let credentials: Option<Arc<dyn ProvideCredentials>> = match self.credentials {
            _ if self.unsigned => None,
            Some(provider) => Some(provider),
            None => Some(Arc::new(
                DefaultChain::with_environment(Arc::clone(&self.environment))
                    .clock_arc(Arc::clone(&self.clock)),
            )),
        };
        let region = self.region.or_else(|| {
            self.environment
                .var("TENCENTCLOUD_REGION")
                .filter(|region| !region.is_empty())
        });
        let region_header = match &region {
            Some(region) => Some(header_value(region).map_err(invalid)?),
            None => None,
        };
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => Arc::new(
                HyperTransport::new(&self.transport_config).map_err(|e| invalid(e.to_string()))?,
            ),
        };
        let limiter = match self.rate_limits {
            Some(overrides) => RateLimiter::new(overrides),
            None => RateLimiter::disabled(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                credentials,
                endpoint: self.endpoint,
                region_header,
                region,
                language: self.language,
                timeouts: self.timeouts,
                budget: RetryBudget::new(self.retry.budget_capacity),
                retry: self.retry,
                limiter,
                skew: ClockSkew::new(self.clock),
                services: std::sync::RwLock::default(),
            }),
        })
    }
}
