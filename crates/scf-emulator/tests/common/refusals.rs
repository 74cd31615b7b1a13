//! Checks that bad requests are refused with the service's error codes.

use serde_json::Value;

use super::TestClient;

/// How much of a request body a failed check prints; some bodies carry megabytes of base64.
const SHOWN_BODY_CHARS: usize = 200;

/// Sends each body to `action` and asserts it is refused with its error code.
pub async fn assert_each_refused_with(
    client: &TestClient,
    action: &str,
    cases: impl IntoIterator<Item = (Value, &str)>,
) {
    for (body, code) in cases {
        let reply = client.post(action, body.clone()).await;
        assert_eq!(
            reply.code().as_deref(),
            Some(code),
            "{action} {}: {}",
            body.to_string()
                .chars()
                .take(SHOWN_BODY_CHARS)
                .collect::<String>(),
            reply.error_message()
        );
    }
}
