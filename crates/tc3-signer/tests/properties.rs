//! Properties of sign and verify over arbitrary inputs.

#![allow(clippy::unwrap_used)] // Tests fail loudly on the first unexpected value.
use proptest::prelude::*;
use tc3_signer::{
    Credentials, SignablePayload, SignableRequest, SigningParams, VerifiableRequest, Verifier,
    VerifyErrorKind, sign,
};

/// One arbitrary request and everything needed to sign it.
#[derive(Debug, Clone)]
struct Case {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    service: String,
    timestamp: u64,
    method: &'static str,
    host: String,
    query: String,
    extra: Vec<(String, String)>,
    body: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        "[A-Za-z0-9]{1,40}",
        // Any key without surrounding whitespace, including the punctuation of the official vectors.
        "[!-~]([ -~]{0,62}[!-~])?",
        proptest::option::of("[A-Za-z0-9+/=_-]{1,64}"),
        "[a-z][a-z0-9_-]{0,15}",
        0u64..=4_102_444_800,
        prop_oneof![Just("GET"), Just("POST")],
        "[a-z0-9.-]{1,40}(:[0-9]{1,5})?",
        "([A-Za-z0-9._~%+-]{1,12}=[A-Za-z0-9._~%+-]{0,12}&){0,4}",
        proptest::collection::vec(("x-[a-z0-9-]{1,12}", "[ -~]{0,24}"), 0..4),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(
            |(
                secret_id,
                secret_key,
                token,
                service,
                timestamp,
                method,
                host,
                query,
                extra,
                body,
            )| {
                let mut extra: Vec<(String, String)> = extra;
                extra.sort();
                extra.dedup_by(|a, b| a.0 == b.0);
                Case {
                    secret_id,
                    secret_key,
                    token,
                    service,
                    timestamp,
                    method,
                    host,
                    query: query.trim_end_matches('&').to_owned(),
                    extra,
                    body,
                }
            },
        )
}

impl Case {
    fn credentials(&self) -> Credentials {
        match &self.token {
            Some(token) => Credentials::with_token(&self.secret_id, &self.secret_key, token),
            None => Credentials::new(&self.secret_id, &self.secret_key),
        }
        .unwrap()
    }

    fn content_type(&self) -> &'static str {
        if self.method == "GET" {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }
    }

    fn signed_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Content-Type".to_owned(), self.content_type().to_owned()),
            ("Host".to_owned(), self.host.clone()),
        ];
        headers.extend(self.extra.iter().cloned());
        headers
    }

    fn authorization_for(&self, headers: &[(String, String)]) -> String {
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let credentials = self.credentials();
        let request = SignableRequest::new(self.method, &pairs, SignablePayload::Bytes(&self.body))
            .with_query(&self.query);
        sign(
            &request,
            &SigningParams::new(&credentials, &self.service, self.timestamp),
        )
        .unwrap()
        .authorization()
        .to_owned()
    }

    /// The request as a server would receive it.
    fn received(&self) -> Received {
        let credentials = self.credentials();
        let signed = self.signed_headers();
        let pairs: Vec<(&str, &str)> = signed
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = SignableRequest::new(self.method, &pairs, SignablePayload::Bytes(&self.body))
            .with_query(&self.query);
        let output = sign(
            &request,
            &SigningParams::new(&credentials, &self.service, self.timestamp),
        )
        .unwrap();
        let mut headers = signed.clone();
        headers.extend(output.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
        Received {
            method: self.method.to_owned(),
            query: self.query.clone(),
            headers,
            body: self.body.clone(),
        }
    }

    fn verifier(&self) -> Verifier<Vec<Credentials>> {
        Verifier::new(self.service.clone(), vec![self.credentials()])
    }
}

#[derive(Debug, Clone)]
struct Received {
    method: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn verify(
        &self,
        verifier: &Verifier<Vec<Credentials>>,
        now: u64,
    ) -> Result<(), VerifyErrorKind> {
        let request =
            VerifiableRequest::new(&self.method, &self.headers, &self.body).with_query(&self.query);
        verifier
            .verify(&request, now)
            .map(|_| ())
            .map_err(|e| e.kind())
    }

    fn set_header(&mut self, name: &str, value: String) {
        let slot = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap();
        slot.1 = value;
    }

    fn header(&self, name: &str) -> &str {
        &self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap()
            .1
    }
}

/// The ways of changing exactly one signed element of a request.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    Method,
    Host,
    Query,
    Body,
    SignedHeaderValue,
    Timestamp,
    ScopeDate,
    Service,
    Key,
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        Just(Tamper::Method),
        Just(Tamper::Host),
        Just(Tamper::Query),
        Just(Tamper::Body),
        Just(Tamper::SignedHeaderValue),
        Just(Tamper::Timestamp),
        Just(Tamper::ScopeDate),
        Just(Tamper::Service),
        Just(Tamper::Key),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signed_requests_verify(case in case(), skew in 0u64..=300, behind in any::<bool>()) {
        let now = if behind { case.timestamp + skew } else { case.timestamp.saturating_sub(skew) };
        prop_assert_eq!(case.received().verify(&case.verifier(), now), Ok(()));
    }

    #[test]
    fn changing_one_signed_element_fails_verification(case in case(), what in tamper(), byte in any::<u8>()) {
        let mut received = case.received();
        let mut verifier = case.verifier();
        match what {
            Tamper::Method => received.method = if case.method == "GET" { "POST".into() } else { "GET".into() },
            Tamper::Host => {
                let host = format!("{}x", received.header("host"));
                received.set_header("host", host);
            }
            Tamper::Query => received.query.push_str(if received.query.is_empty() { "a=1" } else { "&a=1" }),
            Tamper::Body => match received.body.first_mut() {
                Some(first) => *first = first.wrapping_add(byte.max(1)),
                None => received.body.push(byte),
            },
            Tamper::SignedHeaderValue => {
                let value = format!("{}x", received.header("content-type"));
                received.set_header("content-type", value);
            }
            Tamper::Timestamp => {
                let moved = if case.timestamp == 0 { 1 } else { case.timestamp - 1 };
                received.set_header("x-tc-timestamp", moved.to_string());
            }
            Tamper::ScopeDate => {
                let authorization = received.header("authorization").to_owned();
                let other = if authorization.contains("/1999-01-01/") { "/1999-01-02/" } else { "/1999-01-01/" };
                let start = authorization.find('/').unwrap();
                let forged = format!("{}{}{}", &authorization[..start], other, &authorization[start + 12..]);
                received.set_header("authorization", forged);
            }
            Tamper::Service => verifier = Verifier::new(format!("{}x", case.service), vec![case.credentials()]),
            Tamper::Key => {
                let key = format!("{}x", case.secret_key);
                let other = Credentials::new(&case.secret_id, key).unwrap();
                verifier = Verifier::new(case.service.clone(), vec![other]);
            }
        }
        prop_assert_eq!(received.verify(&verifier, case.timestamp), Err(VerifyErrorKind::SignatureFailure));
    }

    #[test]
    fn header_order_and_name_case_do_not_change_the_signature(case in case(), seed in any::<u64>()) {
        let headers = case.signed_headers();
        let mut shuffled = headers.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for (position, (name, _)) in shuffled.iter_mut().enumerate() {
            *name = if (seed >> position) & 1 == 1 { name.to_ascii_uppercase() } else { name.to_ascii_lowercase() };
        }
        prop_assert_eq!(case.authorization_for(&headers), case.authorization_for(&shuffled));
    }

    #[test]
    fn arbitrary_authorization_values_never_panic(case in case(), value in ".{0,300}") {
        let mut received = case.received();
        received.set_header("authorization", value);
        let result = received.verify(&case.verifier(), case.timestamp);
        prop_assert!(result.is_err());
    }

    #[test]
    fn near_miss_authorization_values_are_rejected(case in case(), cut in 0usize..250, insert in "[ -~]") {
        let received = case.received();
        let original = received.header("authorization").to_owned();
        let cut = cut.min(original.len());
        let mutated = [original[..cut].to_owned(), insert, original[cut..].to_owned()].concat();
        let mut tampered = received.clone();
        tampered.set_header("authorization", mutated);
        prop_assert!(tampered.verify(&case.verifier(), case.timestamp).is_err());
    }

    #[test]
    fn arbitrary_header_bytes_never_panic(
        case in case(),
        timestamp in proptest::collection::vec(any::<u8>(), 0..30),
        host in proptest::collection::vec(any::<u8>(), 0..30),
    ) {
        let received = case.received();
        let mut headers: Vec<(String, Vec<u8>)> = received
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
            .collect();
        for (name, value) in &mut headers {
            if name.eq_ignore_ascii_case("x-tc-timestamp") {
                *value = timestamp.clone();
            } else if name.eq_ignore_ascii_case("host") {
                *value = host.clone();
            }
        }
        let request = VerifiableRequest::new(&received.method, &headers, &received.body);
        let _ = case.verifier().verify(&request, case.timestamp);
    }
}
