//! What a caller can do about an error code: the one classification every service shares.

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
    /// The class of a Tencent Cloud error code, known or not.
    ///
    /// Codes are `Family` or `Family.Detail`; the family decides (`ResourceNotFound.Trigger` is a
    /// not-found error in any service), except for the common codes whose family says otherwise.
    pub fn of(code: &str) -> Self {
        match code {
            "AuthFailure.SignatureExpire" => return Self::ClockSkew,
            "ActionOffline"
            | "InvalidRequest"
            | "NoSuchProduct"
            | "RequestSizeLimitExceeded"
            | "UnsupportedProtocol" => return Self::InvalidRequest,
            "IpInBlacklist" | "IpNotInWhitelist" => return Self::Auth,
            _ => {}
        }
        let family = code.split('.').next().unwrap_or_default();
        match family {
            "RequestLimitExceeded" => Self::Throttling,
            "InternalError" | "ServiceUnavailable" => Self::TransientServer,
            "AuthFailure" | "UnauthorizedOperation" | "OperationDenied" => Self::Auth,
            "ResourceNotFound" => Self::NotFound,
            "InvalidParameter"
            | "InvalidParameterValue"
            | "MissingParameter"
            | "UnknownParameter"
            | "InvalidAction"
            | "NoSuchVersion"
            | "UnsupportedOperation"
            | "UnsupportedRegion" => Self::InvalidRequest,
            _ => Self::Other,
        }
    }

    /// Whether an idempotent request failing this way may be sent again.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttling | Self::TransientServer)
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorClass::{self, *};

    #[test]
    fn common_codes_and_families_are_classified() {
        let rows: [(&str, ErrorClass); 16] = [
            ("RequestLimitExceeded", Throttling),
            ("RequestLimitExceeded.UinLimitExceeded", Throttling),
            ("InternalError", TransientServer),
            ("InternalError.System", TransientServer),
            ("ServiceUnavailable", TransientServer),
            ("AuthFailure.SignatureExpire", ClockSkew),
            ("AuthFailure.SignatureFailure", Auth),
            ("IpInBlacklist", Auth),
            ("UnauthorizedOperation.CAM", Auth),
            ("ResourceNotFound.AsyncEvent", NotFound),
            ("InvalidParameterValue.Limit", InvalidRequest),
            ("RequestSizeLimitExceeded", InvalidRequest),
            ("ActionOffline", InvalidRequest),
            ("FailedOperation.AsyncEventStatus", Other),
            ("LimitExceeded.Function", Other),
            ("SomethingNew.Entirely", Other),
        ];
        for (code, class) in rows {
            assert_eq!(ErrorClass::of(code), class, "{code}");
        }
        assert!(Throttling.is_retryable() && TransientServer.is_retryable());
        assert!(!ClockSkew.is_retryable() && !Other.is_retryable());
    }
}
