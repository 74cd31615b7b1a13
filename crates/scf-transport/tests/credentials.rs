//! Every credentials provider, without the real network, environment or home directory.
//!
//! Time is simulated: each test that waits runs on a paused runtime, with its loopback servers in the same
//! runtime, and wall time from a `TokioClock` that starts at `T0` and moves only with tokio's clock. So
//! every duration below is asserted exactly.

#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use scf_transport::Endpoint;
use scf_transport::credentials::{
    AssumeRoleProvider, BoxFuture, CredentialsChain, CredentialsError, CredentialsErrorKind,
    CvmRoleProvider, DefaultChain, EnvironmentProvider, FILE_REREAD_INTERVAL, FakeEnvironment,
    ProfileFileProvider, ProvideCredentials, ScfRuntimeProvider, StaticProvider, TccliProvider,
    WebIdentityBuilder, WebIdentityProvider,
};
use scf_transport::time::{Clock, TokioClock};
use tc3_signer::Credentials;
use tokio::time::{Instant, sleep_until};

/// The Unix second every test clock starts at.
const T0: u64 = 1_700_000_000;

/// Wall time that reads `T0` now and then moves with tokio's (paused) clock.
fn clock() -> TokioClock {
    TokioClock::starting_at(UNIX_EPOCH + Duration::from_secs(T0))
}

fn unix_now(clock: &TokioClock) -> u64 {
    clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A loopback HTTP server answering with `answer`, counting requests and keeping every one of them.
struct Stub {
    url: String,
    hits: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<(http::request::Parts, Bytes)>>>,
}

impl Stub {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn last(&self) -> (http::request::Parts, Bytes) {
        self.requests.lock().unwrap().last().cloned().unwrap()
    }
}

type Answer = Arc<dyn Fn(&http::request::Parts, &[u8]) -> Response<String> + Send + Sync>;

fn json(status: StatusCode, body: impl Into<String>) -> Response<String> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
}

/// Every answer is delayed by this much simulated time, so concurrent callers overlap with one fetch.
const SERVER_DELAY: Duration = Duration::from_millis(20);

async fn stub(answer: Answer) -> Stub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (counter, keep) = (Arc::clone(&hits), Arc::clone(&requests));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (answer, counter, keep) =
                (Arc::clone(&answer), Arc::clone(&counter), Arc::clone(&keep));
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let (answer, counter, keep) =
                        (Arc::clone(&answer), Arc::clone(&counter), Arc::clone(&keep));
                    async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        tokio::time::sleep(SERVER_DELAY).await;
                        let answer = answer(&parts, &body);
                        keep.lock().unwrap().push((parts, body));
                        let (mut head, text) = answer.into_parts();
                        head.headers
                            .insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(Response::from_parts(
                            head,
                            Full::new(Bytes::from(text)),
                        ))
                    }
                });
                // The real date would disagree with the simulated clock; answers set their own.
                let _ = http1::Builder::new()
                    .auto_date_header(false)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Stub {
        url,
        hits,
        requests,
    }
}

/// A loopback address where a connect never completes: the listener's accept queue (backlog 0 holds one
/// connection) is filled and nothing accepts, so the kernel drops further connection attempts. The
/// sockets returned must be kept alive.
async fn unanswered_connect() -> (String, tokio::net::TcpListener, tokio::net::TcpStream) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let address = listener.local_addr().unwrap();
    let filler = tokio::net::TcpStream::connect(address).await.unwrap();
    (format!("http://{address}"), listener, filler)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scf-credentials-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn id_of(provider: &dyn ProvideCredentials) -> String {
    provider.credentials().await.unwrap().secret_id().to_owned()
}

fn ready_id(provider: &dyn ProvideCredentials) -> Option<String> {
    provider
        .ready_credentials()
        .map(|credentials| credentials.secret_id().to_owned())
}

#[tokio::test]
async fn environment_variables_including_the_scf_runtime_ones() {
    let env = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "env-key")
        .with_var("TENCENTCLOUD_SESSION_TOKEN", "env-token");
    let provider = EnvironmentProvider::with_environment(env);
    let credentials = provider.credentials().await.unwrap();
    assert_eq!(
        (
            credentials.secret_id(),
            credentials.token().unwrap().expose_secret()
        ),
        ("AKIDenv", "env-token")
    );
    assert_eq!(
        ready_id(&provider).as_deref(),
        Some("AKIDenv"),
        "variables are at hand without a future"
    );

    let runtime = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
        .with_var("TENCENTCLOUD_SECRETKEY", "scf-key")
        .with_var("TENCENTCLOUD_SESSIONTOKEN", "scf-token");
    assert_eq!(
        id_of(&ScfRuntimeProvider::with_environment(runtime)).await,
        "AKIDscf"
    );

    let missing = EnvironmentProvider::with_environment(FakeEnvironment::default());
    assert_eq!(
        missing.credentials().await.unwrap_err().kind(),
        CredentialsErrorKind::NotConfigured
    );
    assert!(missing.ready_credentials().is_none());
    let empty = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "");
    let error = EnvironmentProvider::with_environment(empty)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    assert!(
        error
            .to_string()
            .contains("TENCENTCLOUD_SECRET_KEY is set but empty"),
        "{error}"
    );
    let empty_token = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "k")
        .with_var("TENCENTCLOUD_TOKEN", "");
    assert_eq!(
        EnvironmentProvider::with_environment(empty_token)
            .credentials()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::Invalid
    );
}

#[tokio::test]
async fn the_profile_file_from_each_of_its_places() {
    let home = temp_dir("home");
    let root = temp_dir("root");
    std::fs::create_dir_all(root.join("etc/tencentcloud")).unwrap();
    std::fs::write(
        root.join("etc/tencentcloud/credentials"),
        "[default]\nsecret_id = AKIDetc\nsecret_key = etc-key\n",
    )
    .unwrap();
    let env = FakeEnvironment {
        home: Some(home.clone()),
        root: root.clone(),
        ..FakeEnvironment::default()
    };
    assert_eq!(
        id_of(&ProfileFileProvider::with_environment(env.clone())).await,
        "AKIDetc"
    );

    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::write(
        home.join(".tencentcloud/credentials"),
        "[default]\nsecret_id =  AKIDhome \nsecret_key = home-key\n\n[work]\nsecret_id = AKIDwork\nsecret_key = work-key\ntoken = work-token\nregion = ap-shanghai\n",
    )
    .unwrap();
    assert_eq!(
        id_of(&ProfileFileProvider::with_environment(env.clone())).await,
        "AKIDhome",
        "home wins, values trimmed"
    );
    assert_eq!(
        id_of(&ProfileFileProvider::with_environment(
            env.clone().with_var("TENCENTCLOUD_PROFILE", "work")
        ))
        .await,
        "AKIDwork"
    );
    let chosen = ProfileFileProvider::with_environment(env.clone())
        .profile("nope")
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(chosen.kind(), CredentialsErrorKind::Invalid);

    let elsewhere = temp_dir("elsewhere").join("creds.ini");
    std::fs::write(
        &elsewhere,
        "[default]\nsecret_id = AKIDvar\nsecret_key = var-key\n",
    )
    .unwrap();
    let pointed = env
        .clone()
        .with_var("TENCENTCLOUD_CREDENTIALS_FILE", elsewhere.to_str().unwrap());
    assert_eq!(
        id_of(&ProfileFileProvider::with_environment(pointed)).await,
        "AKIDvar"
    );
    let empty = env.clone().with_var("TENCENTCLOUD_CREDENTIALS_FILE", "");
    assert_eq!(
        ProfileFileProvider::with_environment(empty)
            .credentials()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::Invalid
    );

    std::fs::write(&elsewhere, "[default\nsecret_id = x").unwrap();
    let malformed = env
        .clone()
        .with_var("TENCENTCLOUD_CREDENTIALS_FILE", elsewhere.to_str().unwrap());
    let error = ProfileFileProvider::with_environment(malformed)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid, "{error}");
    std::fs::write(&elsewhere, "[default]\nsecret_id = AKIDnokey\n").unwrap();
    let keyless = env.with_var("TENCENTCLOUD_CREDENTIALS_FILE", elsewhere.to_str().unwrap());
    assert!(
        ProfileFileProvider::with_environment(keyless)
            .credentials()
            .await
            .unwrap_err()
            .to_string()
            .contains("secret_key is missing")
    );

    let nowhere = FakeEnvironment {
        home: Some(temp_dir("empty-home")),
        root: temp_dir("empty-root"),
        ..FakeEnvironment::default()
    };
    assert_eq!(
        ProfileFileProvider::with_environment(nowhere)
            .credentials()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::NotConfigured
    );
}

#[tokio::test]
async fn tccli_profiles() {
    let home = temp_dir("tccli");
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    std::fs::write(
        home.join(".tccli/default.credential"),
        r#"{"secretId": "AKIDtccli", "secretKey": "tccli-key"}"#,
    )
    .unwrap();
    std::fs::write(home.join(".tccli/broken.credential"), "{").unwrap();
    let env = FakeEnvironment {
        home: Some(home),
        ..FakeEnvironment::default()
    };
    assert_eq!(
        id_of(&TccliProvider::with_environment(env.clone())).await,
        "AKIDtccli"
    );
    assert_eq!(
        TccliProvider::with_environment(env.clone())
            .profile("broken")
            .credentials()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::Invalid
    );
    assert_eq!(
        TccliProvider::with_environment(env)
            .profile("absent")
            .credentials()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::NotConfigured
    );
}

#[tokio::test(start_paused = true)]
async fn files_are_read_once_and_again_only_when_the_reread_interval_has_passed() {
    assert_eq!(FILE_REREAD_INTERVAL, Duration::from_secs(300));
    let home = temp_dir("reread");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    let profile_path = home.join(".tencentcloud/credentials");
    let tccli_path = home.join(".tccli/default.credential");
    let write_profile = |id: &str| {
        std::fs::write(
            &profile_path,
            format!("[default]\nsecret_id = {id}\nsecret_key = k\n"),
        )
        .unwrap()
    };
    let write_tccli = |id: &str| {
        std::fs::write(
            &tccli_path,
            format!(r#"{{"secretId": "{id}", "secretKey": "k"}}"#),
        )
        .unwrap()
    };
    write_profile("AKIDprofile1");
    write_tccli("AKIDtccli1");
    let env = FakeEnvironment {
        home: Some(home.clone()),
        root: temp_dir("reread-root"),
        ..FakeEnvironment::default()
    };
    let start = Instant::now();
    let profile = ProfileFileProvider::with_environment(env.clone()).clock(clock());
    let tccli = TccliProvider::with_environment(env).clock(clock());
    assert_eq!(ready_id(&profile), None, "nothing read yet");
    assert_eq!(id_of(&profile).await, "AKIDprofile1");
    assert_eq!(id_of(&tccli).await, "AKIDtccli1");

    // Rotated keys are not seen until the interval has passed: the files are not read again before.
    write_profile("AKIDprofile2");
    write_tccli("AKIDtccli2");
    sleep_until(start + FILE_REREAD_INTERVAL - Duration::from_secs(1)).await;
    for provider in [&profile as &dyn ProvideCredentials, &tccli] {
        let before = ready_id(provider).unwrap();
        assert!(
            before.ends_with('1'),
            "served from memory, without I/O: {before}"
        );
        assert_eq!(id_of(provider).await, before);
    }
    sleep_until(start + FILE_REREAD_INTERVAL).await;
    assert_eq!(ready_id(&profile), None, "due to be read again");
    assert_eq!(ready_id(&tccli), None, "due to be read again");
    assert_eq!(id_of(&profile).await, "AKIDprofile2");
    assert_eq!(id_of(&tccli).await, "AKIDtccli2");
    assert_eq!(ready_id(&profile).as_deref(), Some("AKIDprofile2"));

    // A file broken after a good read leaves the keys read before in use; it is tried again 10 s later.
    std::fs::write(&profile_path, "[default\n").unwrap();
    sleep_until(start + 2 * FILE_REREAD_INTERVAL).await;
    assert_eq!(id_of(&profile).await, "AKIDprofile2");
    let failed_at = Instant::now();
    write_profile("AKIDprofile3");
    sleep_until(failed_at + Duration::from_secs(10) - Duration::from_millis(1)).await;
    assert_eq!(
        id_of(&profile).await,
        "AKIDprofile2",
        "quiet after a failed read"
    );
    sleep_until(failed_at + Duration::from_secs(10)).await;
    assert_eq!(id_of(&profile).await, "AKIDprofile3");
}

/// The metadata service: role `scf-role`, whose keys expire `expires_in` seconds after the answer on
/// `clock`. The `n`th fetch of keys (counted in `fetches`) returns `AKIDcvm<n>`, or fails from `fail_after`.
fn role_answer(
    clock: TokioClock,
    expires_in: i64,
    fetches: Arc<AtomicUsize>,
    fail_after: usize,
) -> Answer {
    Arc::new(move |parts, _| {
        let path = parts.uri.path();
        if path == "/latest/meta-data/cam/security-credentials/" {
            return json(StatusCode::OK, "scf-role\n");
        }
        assert_eq!(path, "/latest/meta-data/cam/security-credentials/scf-role");
        let n = fetches.fetch_add(1, Ordering::SeqCst);
        if n >= fail_after {
            return json(StatusCode::INTERNAL_SERVER_ERROR, "down");
        }
        let body = serde_json::json!({
            "TmpSecretId": format!("AKIDcvm{n}"), "TmpSecretKey": "cvm-key", "Token": "cvm-token",
            "ExpiredTime": unix_now(&clock) as i64 + expires_in, "Expiration": "", "Code": "Success"
        });
        json(StatusCode::OK, body.to_string())
    })
}

fn cvm_provider(url: &str, clock: TokioClock) -> CvmRoleProvider {
    CvmRoleProvider::builder()
        .endpoint(url)
        .clock(clock)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn cvm_role_refreshes_exactly_when_the_refresh_window_opens() {
    let clock = clock();
    let start = Instant::now();
    let fetches = Arc::new(AtomicUsize::new(0));
    // Keys for an hour; the window opens five minutes before they expire, at T0 + 3300 s.
    let server = stub(role_answer(clock, 3600, Arc::clone(&fetches), usize::MAX)).await;
    let provider = cvm_provider(&server.url, clock);
    assert_eq!(ready_id(&provider), None, "nothing fetched yet");
    assert_eq!(id_of(&provider).await, "AKIDcvm0");

    sleep_until(start + Duration::from_secs(3299)).await;
    assert_eq!(ready_id(&provider).as_deref(), Some("AKIDcvm0"));
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "no fetch before the window"
    );

    sleep_until(start + Duration::from_secs(3300)).await;
    assert_eq!(
        ready_id(&provider),
        None,
        "inside the refresh window the client must go through a refresh"
    );
    assert_eq!(id_of(&provider).await, "AKIDcvm1");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "one fetch as the window opens"
    );
    assert_eq!(ready_id(&provider).as_deref(), Some("AKIDcvm1"));

    // Keys that arrive inside the window already are fetched again by every call.
    let fetches = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(clock, 200, Arc::clone(&fetches), usize::MAX)).await;
    let provider = cvm_provider(&server.url, clock);
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(ready_id(&provider), None);
    assert_eq!(id_of(&provider).await, "AKIDcvm1");
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_callers_share_one_fetch() {
    let clock = clock();
    let fetches = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(clock, 3600, Arc::clone(&fetches), usize::MAX)).await;
    let provider = Arc::new(cvm_provider(&server.url, clock));
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let provider = Arc::clone(&provider);
        callers.spawn(async move { id_of(provider.as_ref()).await });
    }
    let ids = callers.join_all().await;
    assert_eq!(ids.len(), 50);
    assert!(ids.iter().all(|id| id == "AKIDcvm0"), "{ids:?}");
    assert_eq!(ready_id(provider.as_ref()).as_deref(), Some("AKIDcvm0"));
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "50 callers, one fetch");
    assert_eq!(server.hits(), 2, "the role name and its keys, once each");
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_current_credentials_until_exactly_their_expiry() {
    let clock = clock();
    let start = Instant::now();
    let fetches = Arc::new(AtomicUsize::new(0));
    // Keys for 200 s, inside the 300 s window from the start, so every call refreshes; all but the first
    // refresh fail.
    let server = stub(role_answer(clock, 200, Arc::clone(&fetches), 1)).await;
    let provider = cvm_provider(&server.url, clock);
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(id_of(&provider).await, "AKIDcvm0", "stale but valid");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    let failed_at = Instant::now();

    // The failing service is left alone for exactly 10 s.
    sleep_until(failed_at + Duration::from_secs(10) - Duration::from_millis(1)).await;
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "no fetch in the quiet period"
    );
    sleep_until(failed_at + Duration::from_secs(10)).await;
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        3,
        "tried again when it ends"
    );

    // The keys were issued at T0 and expire at T0 + 200 s.
    sleep_until(start + Duration::from_secs(199)).await;
    assert_eq!(
        id_of(&provider).await,
        "AKIDcvm0",
        "valid for one more second"
    );
    sleep_until(start + Duration::from_secs(200)).await;
    let error = provider.credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Unavailable, "{error}");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        5,
        "expired keys are never served"
    );

    let expired = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(clock, -10, Arc::clone(&expired), 1)).await;
    let provider = cvm_provider(&server.url, clock);
    let _ = provider.credentials().await;
    assert_eq!(
        provider.credentials().await.unwrap_err().kind(),
        CredentialsErrorKind::Unavailable,
        "expired and unrefreshable"
    );
}

#[tokio::test(start_paused = true)]
async fn no_role_is_not_configured_and_an_unreachable_service_gives_up_at_its_timeouts() {
    let server = stub(Arc::new(|_, _| json(StatusCode::NOT_FOUND, ""))).await;
    let error = cvm_provider(&server.url, clock())
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotConfigured);

    // A connect that never completes ends at the 1 s connect timeout.
    let (url, _listener, _filler) = unanswered_connect().await;
    let started = Instant::now();
    let error = cvm_provider(&url, clock()).credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Unavailable, "{error}");
    assert_eq!(started.elapsed(), Duration::from_secs(1), "{error}");

    // A service that accepts but never answers ends at the 3 s request timeout.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let error = cvm_provider(&url, clock()).credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Unavailable);
    assert!(error.to_string().contains("no answer in time"), "{error}");
    assert_eq!(started.elapsed(), Duration::from_secs(3));

    let error = CvmRoleProvider::with_endpoint("https://metadata.example")
        .err()
        .unwrap();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    assert!(error.to_string().contains("not an http:// URL"), "{error}");
}

/// STS: checks the action and role, then answers with keys named after the requested duration, expiring
/// two hours after the answer on `clock`.
fn sts_answer(clock: TokioClock, expected_action: &'static str) -> Answer {
    Arc::new(move |parts, body| {
        assert_eq!(parts.headers["x-tc-action"], expected_action);
        assert_eq!(parts.headers["x-tc-version"], "2018-08-13");
        let request: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(request["RoleArn"], "qcs::cam::uin/1:roleName/test");
        let body = serde_json::json!({"Response": {
            "Credentials": {"Token": "sts-token", "TmpSecretId": format!("AKIDsts{}", request["DurationSeconds"]), "TmpSecretKey": "sts-key"},
            "ExpiredTime": unix_now(&clock) + 7200, "Expiration": "", "RequestId": "r"
        }});
        json(StatusCode::OK, body.to_string())
    })
}

#[tokio::test(start_paused = true)]
async fn assume_role_signs_with_the_source_credentials() {
    let clock = clock();
    let server = stub(sts_answer(clock, "AssumeRole")).await;
    let source = Credentials::new("AKIDsource", "source-key").unwrap();
    let provider = AssumeRoleProvider::builder("qcs::cam::uin/1:roleName/test", source.clone())
        .endpoint(Endpoint::url(&server.url).unwrap())
        .duration(Duration::from_secs(900))
        .session_name("test-session")
        .clock(clock)
        .build()
        .unwrap();
    let credentials = provider.credentials().await.unwrap();
    assert_eq!(credentials.secret_id(), "AKIDsts900");
    assert_eq!(credentials.token().unwrap().expose_secret(), "sts-token");
    let (parts, body) = server.last();
    let authorization = parts.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDsource/")
            && authorization.contains("/sts/tc3_request")
    );
    assert_eq!(parts.headers["x-tc-region"], "ap-guangzhou");
    assert_eq!(parts.headers["x-tc-timestamp"], T0.to_string().as_str());
    assert!(String::from_utf8_lossy(&body).contains("test-session"));
    assert!(
        AssumeRoleProvider::builder("r", StaticProvider(Credentials::new("a", "b").unwrap()))
            .duration(Duration::from_secs(50_000))
            .build()
            .is_err()
    );

    // The default session name is stamped by the injected clock.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let unnamed = AssumeRoleProvider::builder("qcs::cam::uin/1:roleName/test", source)
        .endpoint(Endpoint::url(&server.url).unwrap())
        .clock(clock)
        .build()
        .unwrap();
    assert_eq!(id_of(&unnamed).await, "AKIDsts7200");
    let body: serde_json::Value = serde_json::from_slice(&server.last().1).unwrap();
    assert_eq!(body["RoleSessionName"], format!("scf-rs-{}", T0 + 5));
}

#[tokio::test(start_paused = true)]
async fn a_profile_with_role_arn_yields_the_role_assumed_with_its_keys() {
    let clock = clock();
    let server = stub(sts_answer(clock, "AssumeRole")).await;
    let home = temp_dir("role-profile");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::write(
        home.join(".tencentcloud/credentials"),
        "[default]\nsecret_id = AKIDbase\nsecret_key = base-key\nregion = ap-shanghai\nrole_arn = qcs::cam::uin/1:roleName/test\n",
    )
    .unwrap();
    let env = FakeEnvironment {
        home: Some(home),
        root: temp_dir("role-profile-root"),
        ..FakeEnvironment::default()
    };
    let sts = Endpoint::url(&server.url).unwrap();
    let provider = ProfileFileProvider::with_environment(env.clone())
        .sts_endpoint(sts.clone())
        .clock(clock);
    assert_eq!(
        id_of(&provider).await,
        "AKIDsts7200",
        "the role's keys, not the file's"
    );
    let (parts, _) = server.last();
    let authorization = parts.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDbase/"),
        "signed with the profile's keys: {authorization}"
    );
    assert_eq!(
        parts.headers["x-tc-region"], "ap-shanghai",
        "the profile's region"
    );
    assert_eq!(ready_id(&provider).as_deref(), Some("AKIDsts7200"));
    assert_eq!(id_of(&provider).await, "AKIDsts7200");
    assert_eq!(
        server.hits(),
        1,
        "the role's keys are kept until they need a refresh"
    );

    let chain = DefaultChain::with_environment(env)
        .sts_endpoint(sts)
        .clock(clock);
    assert_eq!(id_of(&chain).await, "AKIDsts7200");
    assert_eq!(chain.chosen(), Some("profile file"));
    assert_eq!(server.hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn tke_web_identity_is_unsigned_goes_through_the_client_and_honours_tke_region() {
    let clock = clock();
    let answered = Arc::new(AtomicUsize::new(0));
    let sts = sts_answer(clock, "AssumeRoleWithWebIdentity");
    let counter = Arc::clone(&answered);
    // The first answer is a transient failure, which the client retries.
    let server = stub(Arc::new(move |parts, body| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            return json(
                StatusCode::OK,
                r#"{"Response":{"Error":{"Code":"InternalError","Message":"try again"},"RequestId":"r0"}}"#,
            );
        }
        sts(parts, body)
    }))
    .await;
    let token_file = temp_dir("tke").join("token");
    std::fs::write(&token_file, "web-identity-token-1\n").unwrap();
    let env = FakeEnvironment::default()
        .with_var("TKE_PROVIDER_ID", "provider-1")
        .with_var("TKE_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap())
        .with_var("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/test")
        .with_var("TKE_REGION", "ap-singapore");
    let provider = WebIdentityBuilder::from_tke_environment(&env)
        .unwrap()
        .endpoint(Endpoint::url(&server.url).unwrap())
        .clock(clock)
        .build()
        .unwrap();
    assert_eq!(id_of(&provider).await, "AKIDsts7200");
    assert_eq!(server.hits(), 2, "retried once");
    let (parts, body) = server.last();
    assert_eq!(parts.headers["authorization"], "SKIP");
    assert_eq!(parts.headers["x-tc-region"], "ap-singapore");
    assert!(parts.headers.get("x-tc-token").is_none());
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (
            body["WebIdentityToken"].as_str(),
            body["ProviderId"].as_str(),
            body["RoleSessionName"].as_str()
        ),
        (
            Some("web-identity-token-1"),
            Some("provider-1"),
            Some(format!("scf-rs-{T0}").as_str())
        )
    );
    // The retry waited its backoff (under a second) on simulated time; the stamp is the injected clock's.
    assert_eq!(parts.headers["x-tc-timestamp"], T0.to_string().as_str());

    let partial = FakeEnvironment::default().with_var("TKE_PROVIDER_ID", "p");
    let error = WebIdentityBuilder::from_tke_environment(&partial)
        .err()
        .unwrap();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    let unset = WebIdentityBuilder::from_tke_environment(&FakeEnvironment::default())
        .err()
        .unwrap();
    assert_eq!(unset.kind(), CredentialsErrorKind::NotConfigured);
}

#[tokio::test(start_paused = true)]
async fn web_identity_is_re_stamped_when_the_server_clock_differs() {
    let clock = clock();
    let sts = sts_answer(clock, "AssumeRoleWithWebIdentity");
    let first = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&first);
    // STS runs ten minutes ahead, says so in `Date`, and refuses the first, stale timestamp.
    let server = stub(Arc::new(move |parts, body| {
        let mut answer = if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            json(
                StatusCode::OK,
                r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"expired"},"RequestId":"r0"}}"#,
            )
        } else {
            sts(parts, body)
        };
        let server_time = clock.now() + Duration::from_secs(600);
        answer.headers_mut().insert(
            "date",
            httpdate::fmt_http_date(server_time).parse().unwrap(),
        );
        answer
    }))
    .await;
    let token_file = temp_dir("tke-skew").join("token");
    std::fs::write(&token_file, "token").unwrap();
    let provider =
        WebIdentityProvider::builder("provider-1", &token_file, "qcs::cam::uin/1:roleName/test")
            .endpoint(Endpoint::url(&server.url).unwrap())
            .clock(clock)
            .build()
            .unwrap();
    assert_eq!(id_of(&provider).await, "AKIDsts7200");
    let requests = server.requests.lock().unwrap().clone();
    let stamps: Vec<u64> = requests
        .iter()
        .map(|(parts, _)| {
            parts.headers["x-tc-timestamp"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(stamps, [T0, T0 + 600]);
}

/// A provider with a fixed answer that counts how often it is asked.
struct Scripted {
    answer: Result<Credentials, CredentialsError>,
    calls: Arc<AtomicUsize>,
}

impl Scripted {
    fn new(answer: Result<Credentials, CredentialsError>) -> (Self, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (
            Self {
                answer,
                calls: Arc::clone(&calls),
            },
            calls,
        )
    }
}

impl ProvideCredentials for Scripted {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(self.answer.clone()))
    }
}

fn keys(id: &str) -> Result<Credentials, CredentialsError> {
    Ok(Credentials::new(id, "key").unwrap())
}

fn not_here(why: &str) -> Result<Credentials, CredentialsError> {
    Err(CredentialsError::with_kind(
        CredentialsErrorKind::NotConfigured,
        why,
    ))
}

#[tokio::test]
async fn a_chain_passes_over_links_not_set_up_and_keeps_the_first_that_answers() {
    let (absent, absent_calls) = Scripted::new(not_here("nothing here"));
    let (present, present_calls) = Scripted::new(keys("AKIDsecond"));
    let (later, later_calls) = Scripted::new(keys("AKIDthird"));
    let chain = CredentialsChain::first_try("first", absent)
        .or_else("second", present)
        .or_else("third", later);
    assert_eq!(chain.chosen(), None);
    assert_eq!(id_of(&chain).await, "AKIDsecond");
    assert_eq!(id_of(&chain).await, "AKIDsecond");
    assert_eq!(chain.chosen(), Some("second"));
    assert_eq!(
        (
            absent_calls.load(Ordering::SeqCst),
            present_calls.load(Ordering::SeqCst),
            later_calls.load(Ordering::SeqCst)
        ),
        (1, 2, 0),
        "the chosen link alone is asked once chosen"
    );

    let (broken, _) = Scripted::new(Err(CredentialsError::new("first: unusable")));
    let (fallback, fallback_calls) = Scripted::new(keys("AKIDfallback"));
    let error = CredentialsChain::first_try("first", broken)
        .or_else("fallback", fallback)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.to_string().as_str()),
        (CredentialsErrorKind::Invalid, "first: unusable")
    );
    assert_eq!(
        fallback_calls.load(Ordering::SeqCst),
        0,
        "a broken link stops the chain"
    );

    let (one, _) = Scripted::new(not_here("no variables"));
    let (two, _) = Scripted::new(not_here("two: no file"));
    let error = CredentialsChain::first_try("one", one)
        .or_else("two", two)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotConfigured);
    assert_eq!(
        error.to_string(),
        "no credentials found; tried:\n  - one: no variables\n  - two: no file"
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_chain_takes_the_first_source_set_up_and_explains_when_none_is() {
    let nowhere = || FakeEnvironment {
        home: Some(temp_dir("chain-home")),
        root: temp_dir("chain-root"),
        ..FakeEnvironment::default()
    };
    let metadata = stub(Arc::new(|_, _| json(StatusCode::NOT_FOUND, ""))).await;

    let env = nowhere()
        .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
        .with_var("TENCENTCLOUD_SECRETKEY", "scf-key")
        .with_var("TENCENTCLOUD_SESSIONTOKEN", "scf-token");
    let chain = DefaultChain::with_environment(env).metadata_endpoint(&metadata.url);
    assert!(chain.ready_credentials().is_none(), "no source chosen yet");
    assert_eq!(id_of(&chain).await, "AKIDscf");
    assert_eq!(chain.chosen(), Some("SCF runtime environment"));
    assert_eq!(
        ready_id(&chain).as_deref(),
        Some("AKIDscf"),
        "the chosen fixed source answers without a future"
    );

    let both = nowhere()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "env-key")
        .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
        .with_var("TENCENTCLOUD_SECRETKEY", "scf-key");
    assert_eq!(
        id_of(&DefaultChain::with_environment(both).metadata_endpoint(&metadata.url)).await,
        "AKIDenv"
    );

    let clock = clock();
    let fetches = Arc::new(AtomicUsize::new(0));
    let role = stub(role_answer(clock, 3600, fetches, usize::MAX)).await;
    let chain = DefaultChain::with_environment(nowhere())
        .metadata_endpoint(&role.url)
        .clock(clock);
    assert_eq!(id_of(&chain).await, "AKIDcvm0");
    assert_eq!(chain.chosen(), Some("CVM role"));
    assert_eq!(role.hits(), 2, "the chosen role's keys were fetched once");

    let broken = nowhere().with_var("TENCENTCLOUD_SECRET_ID", "AKIDonly");
    let error = DefaultChain::with_environment(broken)
        .metadata_endpoint(&metadata.url)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        CredentialsErrorKind::Invalid,
        "a broken source stops the chain: {error}"
    );

    // Off the cloud the metadata service does not answer: the chain gives up at its connect timeout.
    let (unreachable, _listener, _filler) = unanswered_connect().await;
    let started = Instant::now();
    let error = DefaultChain::with_environment(nowhere())
        .metadata_endpoint(&unreachable)
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert_eq!(error.kind(), CredentialsErrorKind::NotConfigured);
    let text = error.to_string();
    for source in [
        "environment",
        "SCF runtime environment",
        "profile file",
        "tccli",
        "TKE OIDC",
        "CVM role",
    ] {
        assert!(
            text.contains(&format!("  - {source}")),
            "{source} missing from: {text}"
        );
    }
}

#[tokio::test]
async fn no_provider_debug_or_error_shows_a_secret() {
    let env = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "very-secret-key-value")
        .with_var("TENCENTCLOUD_TOKEN", "very-secret-token-value");
    let provider = EnvironmentProvider::with_environment(env.clone());
    let credentials = provider.credentials().await.unwrap();
    let chain = DefaultChain::with_environment(env);
    let _ = chain.credentials().await.unwrap();
    let bad = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", " AKIDpadded")
        .with_var("TENCENTCLOUD_SECRET_KEY", "very-secret-key-value");
    let error = EnvironmentProvider::with_environment(bad)
        .credentials()
        .await
        .unwrap_err();
    let composed = CredentialsChain::first_try("fixed", StaticProvider(credentials.clone()));
    let _ = composed.credentials().await.unwrap();
    let text = format!(
        "{credentials:?} {chain:?} {composed:?} {error} {error:?} {:?}",
        StaticProvider(credentials.clone())
    );
    assert!(!text.contains("very-secret"), "{text}");
}
