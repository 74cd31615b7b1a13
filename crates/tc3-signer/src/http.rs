//! One-call signing and verification of [`http::Request`] values (feature `http`).

use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Request};

use crate::error::{SigningError, SigningErrorKind};
use crate::headers::{X_TC_CONTENT_SHA256, X_TC_TIMESTAMP};
use crate::sign::{SignablePayload, SignableRequest, SigningOutput, SigningParams, sign};
use crate::verify::{HeaderSource, VerifiableRequest};

/// Signs `request` in place over its `Content-Type`, its `Host` and its whole body, and adds the headers
/// the signature needs (`Authorization`, `X-TC-Timestamp`, `X-TC-Token` with a token).
///
/// Without a `Host` header the URI's authority is used and the header is added, so the host
/// signed is the host sent.
///
/// ```
/// use tc3_signer::{Credentials, SigningParams, http::sign_request};
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "secret")?;
/// let mut request = http::Request::post("http://127.0.0.1:9000/")
///     .header("content-type", "application/json")
///     .header("x-tc-action", "GetAsyncEventStatus")
///     .body(br#"{"InvokeRequestId":"x"}"#.to_vec())?;
/// sign_request(&mut request, &SigningParams::new(&credentials, "scf", 1_700_000_000))?;
/// assert_eq!(request.headers()["host"], "127.0.0.1:9000");
/// assert!(request.headers()["authorization"].to_str()?.contains("SignedHeaders=content-type;host,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_request<B: AsRef<[u8]>>(
    request: &mut Request<B>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    if !request.headers().contains_key(HOST) {
        let authority = request
            .uri()
            .authority()
            .map(|authority| HeaderValue::from_str(authority.as_str()))
            .and_then(Result::ok)
            .ok_or_else(|| {
                SigningError::new(SigningErrorKind::MissingHeader, Some("host".to_owned()))
            })?;
        request.headers_mut().insert(HOST, authority);
    }
    let header_text = |name: HeaderName| -> Result<&str, SigningError> {
        let value = request.headers().get(&name).ok_or_else(|| {
            SigningError::new(SigningErrorKind::MissingHeader, Some(name.to_string()))
        })?;
        value.to_str().map_err(|_| {
            SigningError::new(SigningErrorKind::InvalidHeaderValue, Some(name.to_string()))
        })
    };
    let signed = [
        ("content-type", header_text(CONTENT_TYPE)?),
        ("host", header_text(HOST)?),
    ];
    let uri = request.uri();
    let path = match uri.path() {
        "" => "/",
        path => path,
    };
    let signable = SignableRequest::new(
        request.method().as_str(),
        &signed,
        SignablePayload::Bytes(request.body().as_ref()),
    )
    .with_path(path)
    .with_query(uri.query().unwrap_or_default());
    let output = sign(&signable, params)?;

    for (name, value) in output.headers() {
        let invalid =
            || SigningError::new(SigningErrorKind::InvalidHeaderValue, Some(name.to_owned()));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
        // Sensitive values are never indexed by HTTP/2 header compression and print redacted.
        value.set_sensitive(name == http::header::AUTHORIZATION || name == "x-tc-token");
        request.headers_mut().insert(name, value);
    }
    Ok(output)
}

// Constants, so their names are checked once when compiling rather than on every lookup.
const TIMESTAMP_NAME: HeaderName = HeaderName::from_static("x-tc-timestamp");
const CONTENT_SHA256_NAME: HeaderName = HeaderName::from_static("x-tc-content-sha256");

impl HeaderSource for HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        // The names every verification asks for, spelled as it asks, are looked up as `HeaderName`s,
        // which spares parsing the text of each on every request; any other name is looked up by its text.
        let known = match name {
            "authorization" => Some(http::header::AUTHORIZATION),
            "content-type" => Some(CONTENT_TYPE),
            "host" => Some(HOST),
            X_TC_TIMESTAMP => Some(TIMESTAMP_NAME),
            X_TC_CONTENT_SHA256 => Some(CONTENT_SHA256_NAME),
            _ => None,
        };
        let all = match known {
            Some(known) => self.get_all(known),
            None => self.get_all(name),
        };
        let mut values = all.iter();
        let first = values.next()?;
        values.next().is_none().then_some(first.as_bytes())
    }
}

impl<'a> VerifiableRequest<'a> {
    /// The request whose head is `parts` and whose body is `body`, exactly as received.
    pub fn from_parts(parts: &'a http::request::Parts, body: &'a [u8]) -> Self {
        VerifiableRequest::new(parts.method.as_str(), &parts.headers, body)
            .with_path(parts.uri.path())
            .with_query(parts.uri.query().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, Verifier, VerifyErrorKind};

    fn signed(credentials: &Credentials) -> Request<Vec<u8>> {
        let mut request =
            Request::get("http://127.0.0.1:9000/?InvokeRequestId=abc&Status.0=RUNNING")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Vec::new())
                .unwrap();
        sign_request(
            &mut request,
            &SigningParams::new(credentials, "scf", 1_700_000_000),
        )
        .unwrap();
        request
    }

    #[test]
    fn signed_request_verifies_from_its_parts() {
        let credentials = Credentials::with_token("AKIDtmp", "key", "token-1").unwrap();
        let (parts, body) = signed(&credentials).into_parts();
        assert!(parts.headers["x-tc-token"].is_sensitive());
        assert!(parts.headers["authorization"].is_sensitive());
        let verifier = Verifier::new("scf", vec![credentials]);
        let received = VerifiableRequest::from_parts(&parts, &body);
        assert!(verifier.verify(&received, 1_700_000_000).is_ok());
    }

    #[test]
    fn repeated_signed_header_is_not_verifiable() {
        let credentials = Credentials::new("AKID", "key").unwrap();
        let (mut parts, body) = signed(&credentials).into_parts();
        parts
            .headers
            .append(HOST, HeaderValue::from_static("evil.example"));
        let verifier = Verifier::new("scf", vec![credentials]);
        let error = verifier
            .verify(&VerifiableRequest::from_parts(&parts, &body), 1_700_000_000)
            .unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::SignatureFailure);
    }

    #[test]
    fn missing_content_type_is_a_typed_error() {
        let credentials = Credentials::new("AKID", "key").unwrap();
        let mut request = Request::post("http://127.0.0.1:9000/")
            .body(Vec::new())
            .unwrap();
        let error =
            sign_request(&mut request, &SigningParams::new(&credentials, "scf", 1)).unwrap_err();
        assert_eq!(error.kind(), SigningErrorKind::MissingHeader);
        assert_eq!(
            error.to_string(),
            "header content-type must be signed but is not among the headers"
        );
    }
}
