//! The worked examples of the official signature document (spec section 1.7) and the SDK-generated
//! vectors of section 1.8. Each checks the canonical request, the string to sign and the signature
//! separately, so a failure names the step that broke.

#![allow(clippy::unwrap_used)] // Tests fail loudly on the first unexpected value.
use sha2::{Digest, Sha256};
use tc3_signer::{
    Credentials, SignablePayload, SignableRequest, SigningParams, VerifiableRequest, Verifier,
    sign_with_steps,
};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TOKEN: &str = "EXAMPLE-SESSION-TOKEN-0123456789";
const TS: u64 = 1_700_000_000;
const SCF: &str = "scf.tencentcloudapi.com";
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const V1_BODY: &str = r#"{"InvokeRequestId": "b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
const CVM_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

/// How the body enters the signature.
#[derive(Clone, Copy)]
enum Payload {
    Bytes,
    Precomputed,
    Unsigned,
}

struct Golden {
    name: &'static str,
    secret_id: &'static str,
    secret_key: &'static str,
    token: Option<&'static str>,
    service: &'static str,
    timestamp: u64,
    method: &'static str,
    query: &'static str,
    headers: &'static [(&'static str, &'static str)],
    /// The bytes on the wire.
    body: &'static str,
    payload: Payload,
    /// The full canonical request where the source gives it.
    canonical_request: Option<&'static str>,
    canonical_request_sha256: &'static str,
    scope: &'static str,
    signature: &'static str,
}

impl Golden {
    fn credentials(&self) -> Credentials {
        match self.token {
            Some(token) => Credentials::with_token(self.secret_id, self.secret_key, token),
            None => Credentials::new(self.secret_id, self.secret_key),
        }
        .unwrap()
    }

    fn signed_headers(&self) -> String {
        let mut names: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect();
        names.sort();
        names.join(";")
    }

    fn check(&self) {
        let credentials = self.credentials();
        let payload = match self.payload {
            Payload::Bytes => SignablePayload::Bytes(self.body.as_bytes()),
            Payload::Precomputed => SignablePayload::Precomputed(Sha256::digest(self.body).into()),
            Payload::Unsigned => SignablePayload::Unsigned,
        };
        let request =
            SignableRequest::new(self.method, self.headers, payload).with_query(self.query);
        let params = SigningParams::new(&credentials, self.service, self.timestamp);
        let (output, steps) = sign_with_steps(&request, &params).unwrap();
        let name = self.name;

        if let Some(expected) = self.canonical_request {
            assert_eq!(
                steps.canonical_request, expected,
                "{name}: canonical request"
            );
        }
        assert_eq!(
            hex::encode(Sha256::digest(&steps.canonical_request)),
            self.canonical_request_sha256,
            "{name}: SHA-256 of the canonical request"
        );
        let string_to_sign = format!(
            "TC3-HMAC-SHA256\n{}\n{}\n{}",
            self.timestamp, self.scope, self.canonical_request_sha256
        );
        assert_eq!(
            steps.string_to_sign, string_to_sign,
            "{name}: string to sign"
        );
        assert_eq!(output.signature(), self.signature, "{name}: signature");
        let authorization = format!(
            "TC3-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
            self.secret_id,
            self.scope,
            self.signed_headers(),
            self.signature
        );
        assert_eq!(
            output.authorization(),
            authorization,
            "{name}: Authorization"
        );
        assert_eq!(
            output
                .headers()
                .any(|(header, value)| header == "X-TC-Token" && Some(value) == self.token),
            self.token.is_some(),
            "{name}: X-TC-Token"
        );

        // What was signed must verify, with the clock at the signing time.
        let mut received: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        received.extend(output.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
        let verifier = Verifier::new(self.service, vec![credentials]);
        let request = VerifiableRequest::new(self.method, &received, self.body.as_bytes())
            .with_query(self.query);
        if let Err(error) = verifier.verify(&request, self.timestamp) {
            panic!("{name}: verification failed: {error}");
        }
    }
}

fn v1(name: &'static str) -> Golden {
    Golden {
        name,
        secret_id: ID,
        secret_key: KEY,
        token: None,
        service: "scf",
        timestamp: TS,
        method: "POST",
        query: "",
        headers: &[("Content-Type", JSON), ("Host", SCF)],
        body: V1_BODY,
        payload: Payload::Bytes,
        canonical_request: Some(
            "POST\n/\n\ncontent-type:application/json\nhost:scf.tencentcloudapi.com\n\ncontent-type;host\ndc64e564478e2ab182e3bdf2927fa829615dac8fe176ae41d9165c6de07f7cea",
        ),
        canonical_request_sha256: "cbca72c337a90c026920c52802b53f01a3c28732cbc393996d349514638c2c3b",
        scope: "2023-11-14/scf/tc3_request",
        signature: "564efc9793013f49cdcd81158c59c9ef0fcb69264548dfe9d8d48835495a631f",
    }
}

#[test]
fn doc_example_a_current_page_signs_x_tc_action() {
    Golden {
        name: "example A",
        secret_id: "AKID********************************",
        secret_key: "********************************",
        token: None,
        service: "cvm",
        timestamp: 1_551_113_065,
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
            ("X-TC-Action", "DescribeInstances"),
        ],
        body: CVM_BODY,
        payload: Payload::Bytes,
        canonical_request: Some(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        ),
        canonical_request_sha256: "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
        scope: "2019-02-25/cvm/tc3_request",
        signature: "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
    }
    .check();
}

#[test]
fn doc_example_b_earlier_page_signs_two_headers() {
    Golden {
        name: "example B",
        secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
        secret_key: "Gu5t9xGARNpq86cd98joQYCN3*******",
        token: None,
        service: "cvm",
        timestamp: 1_551_113_065,
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
        ],
        body: CVM_BODY,
        payload: Payload::Bytes,
        canonical_request: Some(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
        ),
        canonical_request_sha256: "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
        scope: "2019-02-25/cvm/tc3_request",
        signature: "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
    }
    .check();
}

#[test]
fn v1_python_post_json() {
    v1("V1").check();
}

#[test]
fn v2_get_query() {
    Golden {
        name: "V2",
        method: "GET",
        query: "InvokeRequestId=b379787f-8487-4bac-bd8c-17a20a9ce40e",
        headers: &[("Content-Type", FORM), ("Host", SCF)],
        body: "",
        canonical_request: Some(
            "GET\n/\nInvokeRequestId=b379787f-8487-4bac-bd8c-17a20a9ce40e\ncontent-type:application/x-www-form-urlencoded\nhost:scf.tencentcloudapi.com\n\ncontent-type;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        canonical_request_sha256: "6c127e16987b2dcb05363317da4f3fbf9cbc3c37abc085cd784043337a482290",
        signature: "c69768987c46c7d7b7bccba98004cde76a13f2a14ea159de174d2fff93ded704",
        ..v1("V2")
    }
    .check();
}

#[test]
fn v3_token_is_sent_but_not_signed() {
    Golden {
        token: Some(TOKEN),
        ..v1("V3")
    }
    .check();
}

#[test]
fn v4_unsigned_payload() {
    Golden {
        payload: Payload::Unsigned,
        canonical_request: Some(
            "POST\n/\n\ncontent-type:application/json\nhost:scf.tencentcloudapi.com\n\ncontent-type;host\n438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96",
        ),
        canonical_request_sha256: "14fac4b2e0a136d5113d63ee662125b3439ec396d22fdf65a5be51868119ca71",
        signature: "36284d91b03ba696ce1361b35f2449e12e08276f026152119612a24103fa1ab1",
        ..v1("V4")
    }
    .check();
}

#[test]
fn v5_nested_json_body() {
    const BODY: &str = r#"{"FunctionName": "helloworld", "Namespace": "default", "Status": ["RUNNING", "FAILED"], "StartTimeInterval": {"Start": "2024-12-14 00:00:00", "End": "2024-12-14 01:00:00"}, "Limit": 20}"#;
    assert_eq!(
        hex::encode(Sha256::digest(BODY)),
        "2a552329d5a2e9a5c8a22605bbffa258db9d9d4abb44f256288f244374f907d7",
        "V5: body hash"
    );
    Golden {
        body: BODY,
        canonical_request: None,
        canonical_request_sha256: "e0486ea3c97bcbbd4abd42a32d7727541667dde862978cc9639710777d9d1e56",
        signature: "e6cfdd1d68935e2baa5448883a6a3c6b80e64f70092c2820cecb15db2d8627c0",
        ..v1("V5")
    }
    .check();
}

#[test]
fn v6_get_with_flattened_and_encoded_query() {
    Golden {
        method: "GET",
        query: "FunctionName=helloworld&Status.0=RUNNING&Status.1=FAILED&StartTimeInterval.Start=2024-12-14+00%3A00%3A00&StartTimeInterval.End=2024-12-14+01%3A00%3A00",
        headers: &[("Content-Type", FORM), ("Host", SCF)],
        body: "",
        canonical_request: None,
        canonical_request_sha256: "098486412fed5bf730a521ebb5b2052d1f563e743a8018fa7b85e2f472a7f7de",
        signature: "ece36bf0e49a0150945eac2b374038e633a61a5269e82d595a8803d0b02dfa81",
        ..v1("V6")
    }
    .check();
}

#[test]
fn v7_empty_params() {
    Golden {
        body: "{}",
        canonical_request: None,
        canonical_request_sha256: "823de3f9663446b13caff35bf50c270c00f736cd3e3e2be9c66f5e05a95865d1",
        signature: "c4e8e4dea83906026294836927609aa1f0226792fde2cd20b16505ea2ac05724",
        ..v1("V7")
    }
    .check();
}

#[test]
fn v8_regional_host_keeps_service_scf() {
    Golden {
        timestamp: 1_551_139_199,
        headers: &[("Content-Type", JSON), ("Host", "scf.ap-shanghai.tencentcloudapi.com")],
        canonical_request: None,
        canonical_request_sha256: "078a8048cf90d9952a6cb8c52c7b34b27df708ea5a82ed83de4e201fd58a08ee",
        scope: "2019-02-25/scf/tc3_request",
        signature: "4237138bfb74f8f3ac1e025cc42d1a058f932d76420d300031fa632165af0f86",
        ..v1("V8")
    }
    .check();
}

#[test]
fn v9_scope_date_is_utc_on_both_sides_of_midnight() {
    Golden {
        timestamp: 1_551_139_199,
        scope: "2019-02-25/scf/tc3_request",
        signature: "b50b23007bb399f3ff0e83475c7594c5a6ef6efe50284ac72e9f9e9350722d32",
        ..v1("V9 23:59:59")
    }
    .check();
    Golden {
        timestamp: 1_551_139_200,
        scope: "2019-02-26/scf/tc3_request",
        signature: "6ec313ab57d52ab91a91cc2cd8272ba00ee3f9f0c5f2fe05aa70115179816dad",
        ..v1("V9 00:00:00")
    }
    .check();
}

#[test]
fn v10_three_signed_headers_with_lowercased_values() {
    Golden {
        headers: &[
            ("X-TC-Action", "GetAsyncEventStatus"),
            ("Host", SCF),
            ("content-type", "application/json; charset=utf-8"),
        ],
        canonical_request: Some(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:scf.tencentcloudapi.com\nx-tc-action:getasynceventstatus\n\ncontent-type;host;x-tc-action\ndc64e564478e2ab182e3bdf2927fa829615dac8fe176ae41d9165c6de07f7cea",
        ),
        canonical_request_sha256: "17abb9b8bd57e28e438c341b544f3596c27f1b488ad19027796714c6967bc311",
        signature: "88c91d59111b02083b8f3787f4e7a02bf4a09d1d57fdba16ab2f5fc8ea03a5ec",
        ..v1("V10")
    }
    .check();
}

const G1_BODY: &str = r#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;

fn g1(name: &'static str) -> Golden {
    assert_eq!(
        hex::encode(Sha256::digest(G1_BODY)),
        "6948d928784e76dfd5f5e00a5a47e839b7f8b23d3bee18a1d7d370fb2c565f35",
        "G1: body hash"
    );
    Golden {
        body: G1_BODY,
        canonical_request: None,
        canonical_request_sha256: "fbfb0594b3f75c24439301fba9f1221bf4d5f4eb91ff8299bf8c1edb28fdbad1",
        signature: "839c54edce6eb54b471f07f4f770d070d89722a98a772a9ebad8c82484aeb685",
        ..v1(name)
    }
}

#[test]
fn g1_go_compact_body() {
    g1("G1").check();
}

#[test]
fn g3_go_with_token() {
    Golden {
        token: Some(TOKEN),
        ..g1("G3")
    }
    .check();
}

#[test]
fn precomputed_payload_hash_signs_like_the_bytes() {
    Golden {
        payload: Payload::Precomputed,
        ..v1("V1 precomputed")
    }
    .check();
}
