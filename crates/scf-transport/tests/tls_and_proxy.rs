//! HTTPS with a certificate made at test time, and an HTTP forwarding proxy (absolute-form and CONNECT),
//! both in front of the emulator.

#![allow(clippy::unwrap_used)]

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Empty, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client as PlainClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use scf_model::ListAsyncEventsRequest;
use scf_transport::{Client, Endpoint, ErrorKind, ProxyConfig, RetryPolicy};
use tokio::net::{TcpListener, TcpStream};

/// A CA made for this test and a TLS terminator for `localhost` that forwards to `backend`.
async fn tls_terminator(backend: SocketAddr) -> (String, SocketAddr) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut plain = TcpStream::connect(backend).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (ca_pem, addr)
}

type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// A forwarding proxy counting what passes through it: absolute-form requests and CONNECT tunnels.
async fn proxy() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        let forward = PlainClient::builder(TokioExecutor::new()).build_http::<Incoming>();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (counter, forward) = (Arc::clone(&counter), forward.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let (counter, forward) = (Arc::clone(&counter), forward.clone());
                    async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        if request.method() == Method::CONNECT {
                            let target = request.uri().authority().unwrap().to_string();
                            tokio::spawn(async move {
                                let upgraded = hyper::upgrade::on(request).await.unwrap();
                                let mut server = TcpStream::connect(target).await.unwrap();
                                let _ = tokio::io::copy_bidirectional(
                                    &mut TokioIo::new(upgraded),
                                    &mut server,
                                )
                                .await;
                            });
                            let empty: ProxyBody =
                                Empty::new().map_err(|never| match never {}).boxed();
                            return Ok::<_, Infallible>(Response::new(empty));
                        }
                        assert!(
                            request.uri().scheme().is_some(),
                            "a proxy receives absolute-form targets"
                        );
                        let answer = forward.request(request).await.unwrap();
                        Ok(answer.map(|body| body.boxed()))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    (addr, count)
}

fn client(endpoint: &str, proxy: ProxyConfig, root: Option<&str>) -> Client {
    let mut builder = Client::builder()
        .credentials(common::credentials())
        .endpoint(Endpoint::url(endpoint).unwrap())
        .retry(RetryPolicy::disabled())
        .proxy(proxy);
    if let Some(root) = root {
        builder = builder.extra_root_certificate(root.as_bytes().to_vec());
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn https_with_a_certificate_made_at_test_time() {
    let emulator = common::emulator().await;
    let (ca_pem, tls) = tls_terminator(emulator.local_addr()).await;
    let url = format!("https://localhost:{}", tls.port());
    let trusting = client(&url, ProxyConfig::None, Some(&ca_pem));
    let listed = trusting
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(listed.total_count, 0);

    let untrusting = client(&url, ProxyConfig::None, None);
    let error = untrusting
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect, "{error}");
    assert!(
        error.to_string().to_lowercase().contains("certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn plain_http_through_a_forwarding_proxy() {
    let emulator = common::emulator().await;
    let (proxy, count) = proxy().await;
    let proxied = client(
        &emulator.url(),
        ProxyConfig::Url {
            url: format!("http://{proxy}"),
            no_proxy: String::new(),
        },
        None,
    );
    proxied
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let bypassing = client(
        &emulator.url(),
        ProxyConfig::Url {
            url: format!("http://{proxy}"),
            no_proxy: "127.0.0.1".into(),
        },
        None,
    );
    bypassing
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "NO_PROXY hosts are reached directly"
    );
}

#[tokio::test]
async fn https_through_a_connect_tunnel() {
    let emulator = common::emulator().await;
    let (ca_pem, tls) = tls_terminator(emulator.local_addr()).await;
    let (proxy, count) = proxy().await;
    let tunneled = client(
        &format!("https://localhost:{}", tls.port()),
        ProxyConfig::Url {
            url: format!("http://{proxy}"),
            no_proxy: String::new(),
        },
        Some(&ca_pem),
    );
    tunneled
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1, "one CONNECT");
}

#[test]
#[allow(unsafe_code)]
fn proxies_come_from_the_environment() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (emulator, (proxy, count)) =
        runtime.block_on(async { (common::emulator().await, proxy().await) });
    // SAFETY: no other thread of this test binary reads or writes the environment while this test runs:
    // the runtime's workers do not, and the other tests here never touch proxy variables.
    unsafe {
        std::env::set_var("HTTP_PROXY", format!("http://{proxy}"));
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let client =
        runtime.block_on(async { client(&emulator.url(), ProxyConfig::FromEnvironment, None) });
    unsafe { std::env::remove_var("HTTP_PROXY") };
    runtime
        .block_on(client.call(&ListAsyncEventsRequest::new("hello")))
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
