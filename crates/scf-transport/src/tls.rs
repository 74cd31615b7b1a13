//! TLS with rustls and the ring provider: the platform's roots, a bundled fallback, and extra roots.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

use crate::transport::{TransportError, TransportErrorKind};

/// A client TLS configuration trusting the platform's roots, or the bundled Mozilla roots when the
/// platform has none (minimal containers), plus `extra_roots_pem`.
///
/// Without extra roots every transport of the process shares one configuration: reading the platform's
/// certificate store takes milliseconds, and a process builds several transports (the client, STS).
pub(crate) fn client_config(extra_roots_pem: &[Vec<u8>]) -> Result<ClientConfig, TransportError> {
    static SHARED: OnceLock<Result<ClientConfig, String>> = OnceLock::new();
    if extra_roots_pem.is_empty() {
        return SHARED
            .get_or_init(|| build(&[]).map_err(|e| e.to_string()))
            .clone()
            .map_err(|why| TransportError::new(TransportErrorKind::Configuration, why));
    }
    build(extra_roots_pem)
}

/// The root store of the platform, or the bundled Mozilla roots when the platform has none.
fn platform_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    roots
}

fn build(extra_roots_pem: &[Vec<u8>]) -> Result<ClientConfig, TransportError> {
    let invalid = |why: String| TransportError::new(TransportErrorKind::Configuration, why);
    let mut roots = platform_roots();
    for pem in extra_roots_pem {
        let mut found = false;
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate =
                certificate.map_err(|e| invalid(format!("bad PEM certificate: {e}")))?;
            roots
                .add(certificate)
                .map_err(|e| invalid(format!("unusable root certificate: {e}")))?;
            found = true;
        }
        if !found {
            return Err(invalid(
                "no certificate in the PEM given as an extra root".to_owned(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
