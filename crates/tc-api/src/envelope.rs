//! The response envelope every API 3.0 action shares: `{"Response": {...}}`.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::MapDeserializer;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::error_class::ErrorClass;

/// `{"Response": T}`, the outer shape of every answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The action's result, or an error.
    #[serde(rename = "Response")]
    pub response: T,
}

/// `{"Code": ..., "Message": ...}` inside a failed `Response`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorDetail {
    /// What went wrong, as the service spells it; branch on this, never on the message.
    pub code: String,
    /// A human-readable explanation, which the service may change at any time.
    #[serde(default)]
    pub message: String,
}

/// The `Response` of a failed call: `{"Error": {...}, "RequestId": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorDetail,
    /// The id of the failed request.
    pub request_id: String,
}

/// An error the service answered with: its code, message and RequestId.
///
/// The code is kept as the service spelled it; a service's model reads it as its typed `ErrorCode`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}{}", request_id_suffix(.request_id.as_deref()))]
pub struct ApiError {
    /// The error code, verbatim (`ResourceNotFound.Function`).
    pub code: String,
    /// The service's explanation.
    pub message: String,
    /// The RequestId of the failed request, when the service sent one.
    pub request_id: Option<String>,
}

impl ApiError {
    /// What a caller can do about it, from the code.
    pub fn class(&self) -> ErrorClass {
        ErrorClass::of(&self.code)
    }
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id.map_or_else(String::new, |id| format!(" (RequestId: {id})"))
}

/// Why a response body could not be read as a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedKind {
    /// The body is not JSON.
    NotJson,
    /// The JSON has no `Response` object.
    NoResponse,
    /// `Response` does not have the shape of this action's result.
    UnexpectedShape,
}

/// A body that is neither a result nor an error of the documented shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed response ({kind:?}): {detail}{}", request_id_suffix(.request_id.as_deref()))]
pub struct MalformedResponse {
    /// What was wrong.
    pub kind: MalformedKind,
    /// The parser's description. It names positions and expectations, never body content.
    pub detail: String,
    /// The RequestId, when the body carried one.
    pub request_id: Option<String>,
}

/// The outcome of reading a response body that was not a success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The service answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The body could not be read.
    #[error(transparent)]
    Malformed(#[from] MalformedResponse),
}

/// The body's members but `Response` skipped. Only an object is an envelope: a derived `Deserialize`
/// would also read a JSON array, taking its first item for `Response`.
struct RawEnvelope<'a> {
    response: Option<ResponseFields<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawEnvelope<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;

        impl<'de> Visitor<'de> for Members {
            type Value = RawEnvelope<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with a Response member")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut response = None;
                while let Some(MemberName(name)) = map.next_key()? {
                    if name != "Response" {
                        map.next_value::<IgnoredAny>()?;
                    } else if response.is_some() {
                        return Err(de::Error::duplicate_field("Response"));
                    } else {
                        response = Some(map.next_value::<Option<ResponseFields<'de>>>()?);
                    }
                }
                Ok(RawEnvelope {
                    response: response.flatten(),
                })
            }
        }

        deserializer.deserialize_map(Members)
    }
}

/// The members of `Response`, each kept as unparsed JSON, so that one scan of the body finds the error
/// and RequestId and the action's own fields are then parsed from their slices alone.
struct ResponseFields<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> ResponseFields<'a> {
    fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| *value)
    }

    /// The `RequestId`, when it is present and a string.
    fn request_id(&self) -> Option<String> {
        serde_json::from_str(self.get("RequestId")?.get()).ok()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ResponseFields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;

        impl<'de> Visitor<'de> for Members {
            type Value = ResponseFields<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Response object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(MemberName(name)) = map.next_key()? {
                    members.push((name, map.next_value()?));
                }
                Ok(ResponseFields { members })
            }
        }

        deserializer.deserialize_map(Members)
    }
}

/// A member name, borrowed from the body unless it contains escapes.
struct MemberName<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for MemberName<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;

        impl<'de> Visitor<'de> for Name {
            type Value = MemberName<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(name.to_owned())))
            }
        }

        deserializer.deserialize_str(Name)
    }
}

/// Reads a response body as the result `T` of an action, or the error it carries.
///
/// Unknown fields are ignored, so fields the service adds later do not break old clients. Arbitrary bytes
/// never panic: they give [`ResponseError::Malformed`].
///
/// ```
/// use tc_api::{ErrorClass, ResponseError, parse_response};
///
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(rename_all = "PascalCase")]
/// struct Status { result: serde_json::Value, request_id: String }
///
/// let ok = br#"{"Response":{"Result":{"Status":"RUNNING"},"RequestId":"r-1"}}"#;
/// let status: Status = parse_response(ok)?;
/// assert_eq!(status.result["Status"], "RUNNING");
/// assert_eq!(status.request_id, "r-1");
///
/// let failed = br#"{"Response":{"Error":{"Code":"ResourceNotFound.AsyncEvent","Message":"gone"},"RequestId":"r-2"}}"#;
/// match parse_response::<Status>(failed) {
///     Err(ResponseError::Api(error)) => {
///         assert_eq!(error.code, "ResourceNotFound.AsyncEvent");
///         assert_eq!(error.class(), ErrorClass::NotFound);
///         assert_eq!(error.request_id.as_deref(), Some("r-2"));
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), ResponseError>(())
/// ```
pub fn parse_response<T: DeserializeOwned>(body: &[u8]) -> Result<T, ResponseError> {
    // JSON is UTF-8 throughout. Checking it first also covers members the parser skips without reading.
    let body = std::str::from_utf8(body).map_err(|e| MalformedResponse {
        kind: MalformedKind::NotJson,
        detail: format!("the body is not UTF-8: {e}"),
        request_id: None,
    })?;
    let envelope: RawEnvelope<'_> = serde_json::from_str(body).map_err(|e| {
        // Valid JSON of another shape is told apart from text that is not JSON at all.
        let is_json = serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok();
        MalformedResponse {
            kind: if is_json {
                MalformedKind::NoResponse
            } else {
                MalformedKind::NotJson
            },
            detail: e.to_string(),
            request_id: None,
        }
    })?;
    let response = envelope.response.ok_or_else(|| MalformedResponse {
        kind: MalformedKind::NoResponse,
        detail: "the body has no Response object".to_owned(),
        request_id: None,
    })?;
    let unexpected = |e: serde_json::Error, request_id| MalformedResponse {
        kind: MalformedKind::UnexpectedShape,
        detail: e.to_string(),
        request_id,
    };
    if let Some(error) = response.get("Error") {
        let request_id = response.request_id();
        return match serde_json::from_str::<ErrorDetail>(error.get()) {
            Ok(error) => Err(ApiError {
                code: error.code,
                message: error.message,
                request_id,
            }
            .into()),
            Err(e) => Err(unexpected(e, request_id).into()),
        };
    }
    let members = MapDeserializer::new(response.members.iter().map(|(k, v)| (k.as_ref(), *v)));
    T::deserialize(members).map_err(|e| unexpected(e, response.request_id()).into())
}

/// The RequestId of a response body, success or error, if it has one.
pub fn request_id_of(body: &[u8]) -> Option<String> {
    let envelope: RawEnvelope<'_> = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
    envelope.response?.request_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of `GetAsyncEventStatus`, standing for any action's result.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Status {
        #[allow(dead_code)]
        status: String,
        status_code: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct GetAsyncEventStatusResponse {
        result: Status,
        request_id: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct TerminateAsyncEventResponse {
        #[allow(dead_code)]
        request_id: String,
    }

    fn parse(body: &str) -> Result<GetAsyncEventStatusResponse, ResponseError> {
        parse_response(body.as_bytes())
    }

    fn malformed(body: &str) -> MalformedKind {
        match parse(body) {
            Err(ResponseError::Malformed(m)) => m.kind,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn classifies_bodies_that_are_not_results() {
        assert_eq!(
            malformed("<html>502 Bad Gateway</html>"),
            MalformedKind::NotJson
        );
        assert_eq!(malformed(""), MalformedKind::NotJson);
        assert_eq!(
            malformed(r#"{"Response":{"Result""#),
            MalformedKind::NotJson
        );
        assert_eq!(malformed("[1,2]"), MalformedKind::NoResponse);
        // An array is no envelope, though its first item looks like a Response (found by fuzzing).
        let array = r#"[{"Error":{"Code":"C","Message":"m"},"RequestId":"r"}]"#;
        assert_eq!(malformed(array), MalformedKind::NoResponse);
        assert_eq!(request_id_of(array.as_bytes()), None);
        assert_eq!(
            malformed(r#"{"Response":{},"Response":{}}"#),
            MalformedKind::NoResponse
        );
        assert_eq!(malformed(r#"{"code":1}"#), MalformedKind::NoResponse);
        assert_eq!(malformed(r#"{"Response":null}"#), MalformedKind::NoResponse);
        assert_eq!(
            malformed(r#"{"Response":{"RequestId":"r"}}"#),
            MalformedKind::UnexpectedShape
        );
        assert_eq!(
            malformed(r#"{"Response":{"Error":{"Message":"no code"},"RequestId":"r"}}"#),
            MalformedKind::UnexpectedShape
        );
    }

    #[test]
    fn malformed_results_keep_the_request_id() {
        match parse(r#"{"Response":{"Result":{"Status":7},"RequestId":"r-9"}}"#) {
            Err(ResponseError::Malformed(m)) => assert_eq!(m.request_id.as_deref(), Some("r-9")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn api_errors_display_code_message_and_request_id() {
        let error = parse(
            r#"{"Response":{"Error":{"Code":"InternalError","Message":"oops"},"RequestId":"abc"}}"#,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "InternalError: oops (RequestId: abc)");
        assert_eq!(
            request_id_of(br#"{"Response":{"RequestId":"x"}}"#).as_deref(),
            Some("x")
        );
    }

    #[test]
    fn escaped_member_names_are_read_like_plain_ones() {
        let body = r#"{"Response":{"Re\u0073ult":{"Status":"RUNNING","StatusCode":0,"InvokeRequestId":"i"},"RequestId":"r"}}"#;
        assert_eq!(parse(body).unwrap().request_id, "r");
        let failed = r#"{"Response":{"\u0045rror":{"Code":"InternalError"},"RequestId":"r-3"}}"#;
        match parse(failed) {
            Err(ResponseError::Api(api)) => assert_eq!(api.request_id.as_deref(), Some("r-3")),
            other => panic!("{other:?}"),
        }
    }

    /// Found by the `envelope` fuzz target: invalid UTF-8 in a member the parser skips was accepted.
    #[test]
    fn invalid_utf8_anywhere_is_not_json() {
        let body = b"{\"Response\":{\"RequestId\":\"r\"},\"Other\":{\"Id\":\"\xff\xffr-4\"}}";
        match parse_response::<TerminateAsyncEventResponse>(body) {
            Err(ResponseError::Malformed(m)) => assert_eq!(m.kind, MalformedKind::NotJson),
            other => panic!("{other:?}"),
        }
        assert_eq!(request_id_of(body), None);
    }

    #[test]
    fn a_malformed_error_keeps_the_request_id() {
        match parse(r#"{"Response":{"Error":{"Message":"no code"},"RequestId":"r-4"}}"#) {
            Err(ResponseError::Malformed(m)) => {
                assert_eq!(m.kind, MalformedKind::UnexpectedShape);
                assert_eq!(m.request_id.as_deref(), Some("r-4"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn members_beside_response_are_ignored() {
        let body = r#"{"Other":[1,{"Response":2}],"Response":{"Result":{"Status":"RUNNING","StatusCode":0,"InvokeRequestId":"i"},"RequestId":"r"}}"#;
        assert_eq!(parse(body).unwrap().request_id, "r");
    }

    #[test]
    fn a_repeated_response_is_not_a_result() {
        let body = r#"{"Response":{"RequestId":"r","Result":{"Status":"RUNNING","StatusCode":0,"InvokeRequestId":"i"}},"Response":{"RequestId":"s"}}"#;
        assert_eq!(malformed(body), MalformedKind::NoResponse);
    }

    #[test]
    fn unknown_fields_and_deprecation_warnings_are_ignored() {
        let body = r#"{"Response":{"Result":{"Status":"FINISHED","StatusCode":200,"InvokeRequestId":"i","New":1},"RequestId":"r","DeprecatedWarning":"x"}}"#;
        assert_eq!(parse(body).unwrap().result.status_code, 200);
    }
}
