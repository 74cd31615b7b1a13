//! Every common Tencent Cloud API 3.0 error code and the SCF codes of the async-event actions.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a caller can do about an error, which is what retry and wait logic branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// A frequency limit was hit: slow down and try again.
    Throttling,
    /// The service failed or is briefly unavailable: trying again may succeed.
    TransientServer,
    /// The request timestamp is more than 5 minutes from the server clock: re-sign with a corrected clock.
    ClockSkew,
    /// The credentials, signature or permissions were refused: trying again will not help.
    Auth,
    /// The function, namespace, event or version does not exist.
    NotFound,
    /// The request itself is wrong: action, version, parameters or size.
    InvalidRequest,
    /// Anything else, such as an operation the resource's state does not allow.
    Other,
}

impl ErrorClass {
    /// Whether an idempotent request failing this way may be sent again.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttling | Self::TransientServer)
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal => $class:ident, )*) => {
        /// A Tencent Cloud error code. Codes this version does not know are kept in [`ErrorCode::Other`]
        /// and still classified by their prefix (`ResourceNotFound.Trigger` is a not-found error).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know, kept verbatim.
            Other(String),
        }

        impl ErrorCode {
            /// Every known code, in the order of the official lists.
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $code, )*
                    Self::Other(code) => code,
                }
            }

            /// The code the service means by `code`.
            pub fn parse(code: &str) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// What a caller can do about it.
            pub fn class(&self) -> ErrorClass {
                match self {
                    $( Self::$variant => ErrorClass::$class, )*
                    Self::Other(code) => class_of_prefix(code),
                }
            }
        }
    };
}

error_codes! {
    /// The API has been retired.
    ActionOffline = "ActionOffline" => InvalidRequest,
    /// The Authorization header is malformed or not in the TC3 format.
    AuthFailureInvalidAuthorization = "AuthFailure.InvalidAuthorization" => Auth,
    /// The key is not a cloud API key.
    AuthFailureInvalidSecretId = "AuthFailure.InvalidSecretId" => Auth,
    /// The MFA check failed.
    AuthFailureMfaFailure = "AuthFailure.MFAFailure" => Auth,
    /// The SecretId is unknown, deleted or disabled.
    AuthFailureSecretIdNotFound = "AuthFailure.SecretIdNotFound" => Auth,
    /// The request timestamp is more than 5 minutes from the server time.
    AuthFailureSignatureExpire = "AuthFailure.SignatureExpire" => ClockSkew,
    /// The signature does not match the request.
    AuthFailureSignatureFailure = "AuthFailure.SignatureFailure" => Auth,
    /// The session token is invalid or expired.
    AuthFailureTokenFailure = "AuthFailure.TokenFailure" => Auth,
    /// A CAM policy forbids the action.
    AuthFailureUnauthorizedOperation = "AuthFailure.UnauthorizedOperation" => Auth,
    /// The request would succeed, but DryRun was set.
    DryRunOperation = "DryRunOperation" => Other,
    /// The operation failed.
    FailedOperation = "FailedOperation" => Other,
    /// The async event's current status does not allow the operation.
    FailedOperationAsyncEventStatus = "FailedOperation.AsyncEventStatus" => Other,
    /// The function is being deployed or updated.
    FailedOperationFunctionStatusError = "FailedOperation.FunctionStatusError" => Other,
    /// The function invocation failed.
    FailedOperationInvokeFunction = "FailedOperation.InvokeFunction" => Other,
    /// A server-side error.
    InternalError = "InternalError" => TransientServer,
    /// A server-side system error.
    InternalErrorSystem = "InternalError.System" => TransientServer,
    /// The action does not exist.
    InvalidAction = "InvalidAction" => InvalidRequest,
    /// A parameter has the wrong format or type.
    InvalidParameter = "InvalidParameter" => InvalidRequest,
    /// The function name is invalid.
    InvalidParameterFunctionName = "InvalidParameter.FunctionName" => InvalidRequest,
    /// The request is too large.
    InvalidParameterRequestTooLarge = "InvalidParameter.RequestTooLarge" => InvalidRequest,
    /// A parameter value is invalid.
    InvalidParameterValue = "InvalidParameterValue" => InvalidRequest,
    /// The ClientContext is not valid.
    InvalidParameterValueClientContext = "InvalidParameterValue.ClientContext" => InvalidRequest,
    /// The FunctionName value is invalid.
    InvalidParameterValueFunctionName = "InvalidParameterValue.FunctionName" => InvalidRequest,
    /// The InvokeType value is invalid.
    InvalidParameterValueInvokeType = "InvalidParameterValue.InvokeType" => InvalidRequest,
    /// The Limit value is invalid.
    InvalidParameterValueLimit = "InvalidParameterValue.Limit" => InvalidRequest,
    /// The Namespace value is invalid.
    InvalidParameterValueNamespace = "InvalidParameterValue.Namespace" => InvalidRequest,
    /// The Order value is invalid.
    InvalidParameterValueOrder = "InvalidParameterValue.Order" => InvalidRequest,
    /// A parameter value is invalid.
    InvalidParameterValueParam = "InvalidParameterValue.Param" => InvalidRequest,
    /// The Qualifier value is invalid.
    InvalidParameterValueQualifier = "InvalidParameterValue.Qualifier" => InvalidRequest,
    /// The Status value is invalid.
    InvalidParameterValueStatus = "InvalidParameterValue.Status" => InvalidRequest,
    /// The multipart body is malformed.
    InvalidRequest = "InvalidRequest" => InvalidRequest,
    /// The caller's IP is on the account's blacklist.
    IpInBlacklist = "IpInBlacklist" => Auth,
    /// The caller's IP is not on the account's whitelist.
    IpNotInWhitelist = "IpNotInWhitelist" => Auth,
    /// A quota is exceeded.
    LimitExceeded = "LimitExceeded" => Other,
    /// A required parameter is missing.
    MissingParameter = "MissingParameter" => InvalidRequest,
    /// The product does not exist.
    NoSuchProduct = "NoSuchProduct" => InvalidRequest,
    /// The API version does not exist.
    NoSuchVersion = "NoSuchVersion" => InvalidRequest,
    /// The account is isolated for arrears.
    OperationDeniedAccountIsolate = "OperationDenied.AccountIsolate" => Auth,
    /// The request frequency limit was hit.
    RequestLimitExceeded = "RequestLimitExceeded" => Throttling,
    /// The account's limit across all regions was hit.
    RequestLimitExceededGlobalRegionUinLimitExceeded = "RequestLimitExceeded.GlobalRegionUinLimitExceeded" => Throttling,
    /// The per-IP limit was hit.
    RequestLimitExceededIpLimitExceeded = "RequestLimitExceeded.IPLimitExceeded" => Throttling,
    /// The per-account limit was hit.
    RequestLimitExceededUinLimitExceeded = "RequestLimitExceeded.UinLimitExceeded" => Throttling,
    /// The request is too large.
    RequestSizeLimitExceeded = "RequestSizeLimitExceeded" => InvalidRequest,
    /// The resource is busy or occupied.
    ResourceInUse = "ResourceInUse" => Other,
    /// There is not enough of the resource.
    ResourceInsufficient = "ResourceInsufficient" => Other,
    /// The resource does not exist.
    ResourceNotFound = "ResourceNotFound" => NotFound,
    /// The async event does not exist, has expired, or is not visible yet.
    ResourceNotFoundAsyncEvent = "ResourceNotFound.AsyncEvent" => NotFound,
    /// The function does not exist.
    ResourceNotFoundFunction = "ResourceNotFound.Function" => NotFound,
    /// The function name does not exist.
    ResourceNotFoundFunctionName = "ResourceNotFound.FunctionName" => NotFound,
    /// The function version does not exist.
    ResourceNotFoundFunctionVersion = "ResourceNotFound.FunctionVersion" => NotFound,
    /// The namespace does not exist.
    ResourceNotFoundNamespace = "ResourceNotFound.Namespace" => NotFound,
    /// The version or alias does not exist.
    ResourceNotFoundQualifier = "ResourceNotFound.Qualifier" => NotFound,
    /// The version does not exist.
    ResourceNotFoundVersion = "ResourceNotFound.Version" => NotFound,
    /// The resource is unavailable.
    ResourceUnavailable = "ResourceUnavailable" => Other,
    /// The account balance is insufficient.
    ResourceUnavailableInsufficientBalance = "ResourceUnavailable.InsufficientBalance" => Other,
    /// The namespace is unavailable.
    ResourceUnavailableNamespace = "ResourceUnavailable.Namespace" => Other,
    /// The response is too large.
    ResponseSizeLimitExceeded = "ResponseSizeLimitExceeded" => Other,
    /// The service is temporarily unavailable.
    ServiceUnavailable = "ServiceUnavailable" => TransientServer,
    /// The caller is not authorised.
    UnauthorizedOperation = "UnauthorizedOperation" => Auth,
    /// CAM refused the operation.
    UnauthorizedOperationCam = "UnauthorizedOperation.CAM" => Auth,
    /// A parameter is not recognised.
    UnknownParameter = "UnknownParameter" => InvalidRequest,
    /// The operation is not supported.
    UnsupportedOperation = "UnsupportedOperation" => InvalidRequest,
    /// Only GET and POST over HTTP(S) are supported.
    UnsupportedProtocol = "UnsupportedProtocol" => InvalidRequest,
    /// The API does not support the region.
    UnsupportedRegion = "UnsupportedRegion" => InvalidRequest,
}

/// The class of an unknown code, from the family before its first dot.
fn class_of_prefix(code: &str) -> ErrorClass {
    let family = code.split('.').next().unwrap_or_default();
    match family {
        "RequestLimitExceeded" => ErrorClass::Throttling,
        "InternalError" | "ServiceUnavailable" => ErrorClass::TransientServer,
        "AuthFailure" | "UnauthorizedOperation" | "OperationDenied" => ErrorClass::Auth,
        "ResourceNotFound" => ErrorClass::NotFound,
        "InvalidParameter"
        | "InvalidParameterValue"
        | "MissingParameter"
        | "UnknownParameter"
        | "InvalidAction"
        | "NoSuchVersion"
        | "UnsupportedOperation"
        | "UnsupportedRegion" => ErrorClass::InvalidRequest,
        _ => ErrorClass::Other,
    }
}

impl ErrorCode {
    /// Shorthand for `self.class().is_retryable()`.
    pub fn is_retryable(&self) -> bool {
        self.class().is_retryable()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        Self::parse(code)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::parse(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_none_is_other() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::KNOWN {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            assert!(!matches!(code, ErrorCode::Other(_)));
        }
    }

    /// Section 4 of the protocol spec: the codes every API 3.0 action may return.
    const COMMON: [&str; 38] = [
        "ActionOffline",
        "AuthFailure.InvalidAuthorization",
        "AuthFailure.InvalidSecretId",
        "AuthFailure.MFAFailure",
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.SignatureExpire",
        "AuthFailure.SignatureFailure",
        "AuthFailure.TokenFailure",
        "AuthFailure.UnauthorizedOperation",
        "DryRunOperation",
        "FailedOperation",
        "InternalError",
        "InvalidAction",
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidRequest",
        "IpInBlacklist",
        "IpNotInWhitelist",
        "LimitExceeded",
        "MissingParameter",
        "NoSuchProduct",
        "NoSuchVersion",
        "RequestLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestSizeLimitExceeded",
        "ResourceInUse",
        "ResourceInsufficient",
        "ResourceNotFound",
        "ResourceUnavailable",
        "ResponseSizeLimitExceeded",
        "ServiceUnavailable",
        "UnauthorizedOperation",
        "UnknownParameter",
        "UnsupportedOperation",
        "UnsupportedProtocol",
        "UnsupportedRegion",
    ];

    /// The business codes of GetAsyncEventStatus, Invoke, ListAsyncEvents and TerminateAsyncEvent.
    const SCF: [&str; 23] = [
        "FailedOperation.AsyncEventStatus",
        "FailedOperation.FunctionStatusError",
        "FailedOperation.InvokeFunction",
        "InternalError.System",
        "InvalidParameter.FunctionName",
        "InvalidParameterValue.ClientContext",
        "InvalidParameterValue.FunctionName",
        "InvalidParameterValue.InvokeType",
        "InvalidParameterValue.Limit",
        "InvalidParameterValue.Namespace",
        "InvalidParameterValue.Order",
        "InvalidParameterValue.Param",
        "InvalidParameterValue.Status",
        "ResourceNotFound.AsyncEvent",
        "ResourceNotFound.Function",
        "ResourceNotFound.FunctionName",
        "ResourceNotFound.Namespace",
        "ResourceNotFound.Version",
        "ResourceUnavailable.InsufficientBalance",
        "UnauthorizedOperation.CAM",
        "InvalidParameter.RequestTooLarge",
        "InvalidParameterValue.Qualifier",
        "ResourceNotFound.Qualifier",
    ];

    #[test]
    fn every_documented_code_is_known() {
        for code in COMMON.iter().chain(&SCF) {
            assert!(
                !matches!(ErrorCode::parse(code), ErrorCode::Other(_)),
                "{code}"
            );
        }
    }

    #[test]
    fn classification_covers_what_later_layers_branch_on() {
        assert_eq!(
            ErrorCode::RequestLimitExceeded.class(),
            ErrorClass::Throttling
        );
        assert_eq!(
            ErrorCode::RequestLimitExceededUinLimitExceeded.class(),
            ErrorClass::Throttling
        );
        assert_eq!(
            ErrorCode::InternalError.class(),
            ErrorClass::TransientServer
        );
        assert_eq!(
            ErrorCode::ServiceUnavailable.class(),
            ErrorClass::TransientServer
        );
        assert_eq!(
            ErrorCode::AuthFailureSignatureExpire.class(),
            ErrorClass::ClockSkew
        );
        assert_eq!(
            ErrorCode::AuthFailureSignatureFailure.class(),
            ErrorClass::Auth
        );
        assert_eq!(
            ErrorCode::ResourceNotFoundAsyncEvent.class(),
            ErrorClass::NotFound
        );
        assert_eq!(
            ErrorCode::MissingParameter.class(),
            ErrorClass::InvalidRequest
        );
        assert!(ErrorCode::InternalError.is_retryable());
        assert!(!ErrorCode::AuthFailureSignatureExpire.is_retryable());
        assert!(!ErrorCode::FailedOperationAsyncEventStatus.is_retryable());
    }

    #[test]
    fn unknown_codes_are_kept_and_classified_by_family() {
        let code = ErrorCode::parse("RequestLimitExceeded.Future");
        assert_eq!(code, ErrorCode::Other("RequestLimitExceeded.Future".into()));
        assert_eq!(code.as_str(), "RequestLimitExceeded.Future");
        assert_eq!(code.class(), ErrorClass::Throttling);
        assert_eq!(
            ErrorCode::parse("InternalError.Db").class(),
            ErrorClass::TransientServer
        );
        assert_eq!(
            ErrorCode::parse("ResourceNotFound.Trigger").class(),
            ErrorClass::NotFound
        );
        assert_eq!(ErrorCode::parse("Brand.New").class(), ErrorClass::Other);
    }
}
