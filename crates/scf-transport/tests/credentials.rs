//! Every credentials provider, without the real network, environment or home directory.

#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use scf_transport::Endpoint;
use scf_transport::credentials::{
    AssumeRoleProvider, CredentialsErrorKind, CvmRoleProvider, DefaultChain, EnvironmentProvider,
    FakeEnvironment, ProfileFileProvider, ProvideCredentials, ScfRuntimeProvider, StaticProvider,
    TccliProvider, WebIdentityProvider,
};
use tc3_signer::Credentials;

/// A loopback HTTP server answering with `answer`, counting requests and keeping the last one.
struct Stub {
    url: String,
    hits: Arc<AtomicUsize>,
    last: Arc<Mutex<Option<(http::request::Parts, Bytes)>>>,
}

type Answer = Arc<dyn Fn(&http::request::Parts, &[u8]) -> (StatusCode, String) + Send + Sync>;

async fn stub(answer: Answer) -> Stub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(Mutex::new(None));
    let (counter, keep) = (Arc::clone(&hits), Arc::clone(&last));
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
                        // Slow enough that concurrent callers overlap with one refresh.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let (status, text) = answer(&parts, &body);
                        *keep.lock().unwrap() = Some((parts, body));
                        let mut response = Response::new(Full::new(Bytes::from(text)));
                        *response.status_mut() = status;
                        response
                            .headers_mut()
                            .insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Stub { url, hits, last }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
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

#[tokio::test]
async fn environment_variables_including_the_scf_runtime_ones() {
    let env = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")
        .with_var("TENCENTCLOUD_SECRET_KEY", "env-key")
        .with_var("TENCENTCLOUD_SESSION_TOKEN", "env-token");
    let credentials = EnvironmentProvider::with_environment(env)
        .credentials()
        .await
        .unwrap();
    assert_eq!(
        (
            credentials.secret_id(),
            credentials.token().unwrap().expose_secret()
        ),
        ("AKIDenv", "env-token")
    );

    let runtime = FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
        .with_var("TENCENTCLOUD_SECRETKEY", "scf-key")
        .with_var("TENCENTCLOUD_SESSIONTOKEN", "scf-token");
    assert_eq!(
        id_of(&ScfRuntimeProvider::with_environment(runtime)).await,
        "AKIDscf"
    );

    let missing = EnvironmentProvider::with_environment(FakeEnvironment::default())
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), CredentialsErrorKind::NotConfigured);
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

fn role_answer(expires_in: i64, counter: Arc<AtomicUsize>, fail_after: usize) -> Answer {
    Arc::new(move |parts, _| {
        let path = parts.uri.path();
        if path == "/latest/meta-data/cam/security-credentials/" {
            return (StatusCode::OK, "scf-role\n".to_owned());
        }
        assert_eq!(path, "/latest/meta-data/cam/security-credentials/scf-role");
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if n >= fail_after {
            return (StatusCode::INTERNAL_SERVER_ERROR, "down".to_owned());
        }
        let body = serde_json::json!({
            "TmpSecretId": format!("AKIDcvm{n}"), "TmpSecretKey": "cvm-key", "Token": "cvm-token",
            "ExpiredTime": (now() as i64 + expires_in), "Expiration": "", "Code": "Success"
        });
        (StatusCode::OK, body.to_string())
    })
}

#[tokio::test]
async fn cvm_role_refreshes_before_expiry_and_shares_one_refresh() {
    let fetches = Arc::new(AtomicUsize::new(0));
    // Credentials valid for 200 s are inside the 300 s refresh window, so every call refreshes.
    let server = stub(role_answer(200, Arc::clone(&fetches), usize::MAX)).await;
    let provider = CvmRoleProvider::with_endpoint(&server.url).unwrap();
    assert!(
        provider.ready_credentials().is_none(),
        "nothing fetched yet"
    );
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert!(
        provider.ready_credentials().is_none(),
        "inside the refresh window the client must go through a refresh"
    );
    assert_eq!(
        id_of(&provider).await,
        "AKIDcvm1",
        "refreshed inside the window"
    );

    let fetches = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(3600, Arc::clone(&fetches), usize::MAX)).await;
    let provider = Arc::new(CvmRoleProvider::with_endpoint(&server.url).unwrap());
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let provider = Arc::clone(&provider);
        callers.spawn(async move { id_of(provider.as_ref()).await });
    }
    let ids = callers.join_all().await;
    assert!(ids.iter().all(|id| id == "AKIDcvm0"));
    // Fresh credentials are handed out without a future, and without fetching again.
    let ready = provider
        .ready_credentials()
        .expect("fresh credentials are at hand");
    assert_eq!(ready.secret_id(), "AKIDcvm0");
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "50 concurrent callers shared one refresh"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_current_credentials_until_they_expire() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(200, Arc::clone(&fetches), 1)).await;
    let provider = CvmRoleProvider::with_endpoint(&server.url).unwrap();
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    // The refresh fails: the still-valid credentials are served, and the failing service is left alone.
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    let hits = server.hits.load(Ordering::SeqCst);
    assert_eq!(id_of(&provider).await, "AKIDcvm0");
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        hits,
        "no new request within the quiet period"
    );

    let expired = Arc::new(AtomicUsize::new(0));
    let server = stub(role_answer(-10, Arc::clone(&expired), 1)).await;
    let provider = CvmRoleProvider::with_endpoint(&server.url).unwrap();
    let _ = provider.credentials().await;
    assert_eq!(
        provider.credentials().await.unwrap_err().kind(),
        CredentialsErrorKind::Unavailable,
        "expired and unrefreshable"
    );
}

#[tokio::test]
async fn no_role_and_no_metadata_service_are_not_configured() {
    let server = stub(Arc::new(|_, _| (StatusCode::NOT_FOUND, String::new()))).await;
    let error = CvmRoleProvider::with_endpoint(&server.url)
        .unwrap()
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotConfigured);

    // TEST-NET-1 is never routed: the connect times out or fails at once.
    let started = Instant::now();
    let error = CvmRoleProvider::with_endpoint("http://192.0.2.1")
        .unwrap()
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Unavailable);
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
}

fn sts_answer(expected_action: &'static str) -> Answer {
    Arc::new(move |parts, body| {
        assert_eq!(parts.headers["x-tc-action"], expected_action);
        assert_eq!(parts.headers["x-tc-version"], "2018-08-13");
        let request: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(request["RoleArn"], "qcs::cam::uin/1:roleName/test");
        let body = serde_json::json!({"Response": {
            "Credentials": {"Token": "sts-token", "TmpSecretId": format!("AKIDsts{}", request["DurationSeconds"]), "TmpSecretKey": "sts-key"},
            "ExpiredTime": now() + 7200, "Expiration": "", "RequestId": "r"
        }});
        (StatusCode::OK, body.to_string())
    })
}

#[tokio::test]
async fn assume_role_signs_with_the_source_credentials() {
    let server = stub(sts_answer("AssumeRole")).await;
    let source = Credentials::new("AKIDsource", "source-key").unwrap();
    let provider = AssumeRoleProvider::builder("qcs::cam::uin/1:roleName/test", source)
        .endpoint(Endpoint::url(&server.url).unwrap())
        .duration(Duration::from_secs(900))
        .session_name("test-session")
        .build()
        .unwrap();
    let credentials = provider.credentials().await.unwrap();
    assert_eq!(credentials.secret_id(), "AKIDsts900");
    assert_eq!(credentials.token().unwrap().expose_secret(), "sts-token");
    let (parts, body) = server.last.lock().unwrap().clone().unwrap();
    let authorization = parts.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDsource/")
            && authorization.contains("/sts/tc3_request")
    );
    assert_eq!(parts.headers["x-tc-region"], "ap-guangzhou");
    assert!(String::from_utf8_lossy(&body).contains("test-session"));
    assert!(
        AssumeRoleProvider::builder("r", StaticProvider(Credentials::new("a", "b").unwrap()))
            .duration(Duration::from_secs(50_000))
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn tke_web_identity_is_unsigned_and_honours_tke_region() {
    let server = stub(sts_answer("AssumeRoleWithWebIdentity")).await;
    let token_file = temp_dir("tke").join("token");
    std::fs::write(&token_file, "web-identity-token-1\n").unwrap();
    let env = FakeEnvironment::default()
        .with_var("TKE_PROVIDER_ID", "provider-1")
        .with_var("TKE_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap())
        .with_var("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/test")
        .with_var("TKE_REGION", "ap-singapore");
    let provider =
        WebIdentityProvider::from_tke_environment(&env, Endpoint::url(&server.url).unwrap())
            .unwrap();
    assert_eq!(id_of(&provider).await, "AKIDsts7200");
    let (parts, body) = server.last.lock().unwrap().clone().unwrap();
    assert_eq!(parts.headers["authorization"], "SKIP");
    assert_eq!(parts.headers["x-tc-region"], "ap-singapore");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (
            body["WebIdentityToken"].as_str(),
            body["ProviderId"].as_str()
        ),
        (Some("web-identity-token-1"), Some("provider-1"))
    );

    let partial = FakeEnvironment::default().with_var("TKE_PROVIDER_ID", "p");
    let error = WebIdentityProvider::from_tke_environment(&partial, Endpoint::Default)
        .err()
        .unwrap();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
}

#[tokio::test]
async fn the_default_chain_takes_the_first_source_set_up_and_explains_when_none_is() {
    let nowhere = || FakeEnvironment {
        home: Some(temp_dir("chain-home")),
        root: temp_dir("chain-root"),
        ..FakeEnvironment::default()
    };
    let metadata = stub(Arc::new(|_, _| (StatusCode::NOT_FOUND, String::new()))).await;

    let env = nowhere()
        .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
        .with_var("TENCENTCLOUD_SECRETKEY", "scf-key")
        .with_var("TENCENTCLOUD_SESSIONTOKEN", "scf-token");
    let chain = DefaultChain::with_environment(env).metadata_endpoint(&metadata.url);
    assert!(chain.ready_credentials().is_none(), "no source chosen yet");
    assert_eq!(id_of(&chain).await, "AKIDscf");
    assert_eq!(
        chain.ready_credentials().map(|c| c.secret_id().to_owned()),
        Some("AKIDscf".to_owned()),
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

    let fetches = Arc::new(AtomicUsize::new(0));
    let role = stub(role_answer(3600, fetches, usize::MAX)).await;
    assert_eq!(
        id_of(&DefaultChain::with_environment(nowhere()).metadata_endpoint(&role.url)).await,
        "AKIDcvm0"
    );

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

    let started = Instant::now();
    let error = DefaultChain::with_environment(nowhere())
        .metadata_endpoint("http://192.0.2.1")
        .credentials()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    let text = error.to_string();
    for source in [
        "environment",
        "SCF runtime environment",
        "profile file",
        "tccli",
        "TKE OIDC",
        "CVM role",
    ] {
        assert!(text.contains(source), "{source} missing from: {text}");
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
    let text = format!(
        "{credentials:?} {chain:?} {error} {error:?} {:?}",
        StaticProvider(credentials.clone())
    );
    assert!(!text.contains("very-secret"), "{text}");
}
