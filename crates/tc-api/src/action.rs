//! What a client must know about an action before calling it.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::schema::ActionSchema;

/// The identity and calling rules of one Tencent Cloud API 3.0 action.
///
/// It is data, not code, so a generic client can call actions this crate does not model
/// (for example `cvm` `DescribeInstances`) by building one at run time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionMetadata {
    /// The service short name, which is also the signing scope's service (`scf`).
    pub service: Cow<'static, str>,
    /// The API version (`2018-04-16`).
    pub version: Cow<'static, str>,
    /// The action name, PascalCase (`GetAsyncEventStatus`).
    pub action: Cow<'static, str>,
    /// Whether sending the request twice has the effect of sending it once. Only idempotent actions
    /// may be retried after the request might have reached the server.
    pub idempotent: bool,
    /// The documented request limit per second, when there is one.
    pub rate_limit_per_second: Option<u32>,
}

impl ActionMetadata {
    /// Metadata for an action known at compile time.
    pub const fn new_static(
        service: &'static str,
        version: &'static str,
        action: &'static str,
        idempotent: bool,
        rate_limit_per_second: Option<u32>,
    ) -> Self {
        Self {
            service: Cow::Borrowed(service),
            version: Cow::Borrowed(version),
            action: Cow::Borrowed(action),
            idempotent,
            rate_limit_per_second,
        }
    }
}

/// A request type of a modelled action: its metadata, its schema and the type of its response.
pub trait Action: Serialize {
    /// Name, version, service, idempotency and rate limit.
    const METADATA: ActionMetadata;
    /// The members of the request and of the response, with their documentation.
    const SCHEMA: &'static ActionSchema;
    /// The content of `Response` on success.
    type Response: DeserializeOwned;
}

/// Work done with a typed request whose action is known only at run time.
///
/// A generated model's `AnyRequest::visit` calls [`visit`](Self::visit) with the concrete request, so
/// code generic over [`Action`] (reading the action's response, sending the request) serves any action.
pub trait ActionVisitor {
    /// What the work gives.
    type Output;

    /// Does the work with `request`, whose action is `A`.
    fn visit<A>(self, request: &A) -> Self::Output
    where
        A: Action + Sync,
        A::Response: Serialize + Send;
}
