//! One call being put together: the request, the client that sends it, and which required members are
//! still missing.
//!
//! The generated methods of [`Client`] and [`crate::blocking::Client`] start a builder; its generated
//! setters fill the request and mark required members as given; `send` checks them, applies the client's
//! namespace and calls the action.

use serde_json::Value;
use tc_api::Action;

use crate::client::Client;
use crate::error::Error;

/// The request of one call of action `R`, to be sent by client `C` ([`Client`] or
/// [`crate::blocking::Client`]).
///
/// Made by the client's method of the action (`client.list_functions()`), filled by setters named like
/// the request's members (`.namespace("default").limit(20)`), and sent with `send()`; paginated actions
/// can also walk every page with `into_paginator()`. A required member left unset fails the call before
/// anything is sent.
#[derive(Debug, Clone)]
#[must_use = "a request builder does nothing until it is sent"]
pub struct RequestBuilder<R, C> {
    client: C,
    request: R,
    /// Bit `i` is set while the `i`-th required member of the request (in schema order) is not given.
    unset: u64,
}

impl<R: Action + Default, C> RequestBuilder<R, C> {
    /// An empty request for `client`, with every required member still to be given.
    pub fn new(client: C) -> Self {
        let required = required_members::<R>().count();
        let unset = match u32::try_from(required) {
            Ok(bits) if bits < u64::BITS => (1u64 << bits) - 1,
            _ => u64::MAX,
        };
        Self {
            client,
            request: R::default(),
            unset,
        }
    }
}

impl<R, C> RequestBuilder<R, C> {
    /// A request made elsewhere (parsed from JSON, say), for `client`. Its required members count as
    /// given: whoever built it vouches for them.
    pub fn from_request(client: C, request: R) -> Self {
        Self {
            client,
            request,
            unset: 0,
        }
    }

    /// Changes the request.
    pub fn map(mut self, change: impl FnOnce(R) -> R) -> Self {
        self.request = change(self.request);
        self
    }

    /// Marks the `index`-th required member of the request (in schema order) as given.
    pub fn provided(mut self, index: u32) -> Self {
        self.unset &= !1u64.checked_shl(index).unwrap_or(0);
        self
    }

    /// The request as it stands.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, without the client.
    pub fn into_request(self) -> R {
        self.request
    }

    pub(crate) fn from_parts(client: C, request: R, unset: u64) -> Self {
        Self {
            client,
            request,
            unset,
        }
    }

    pub(crate) fn into_parts(self) -> (C, R, u64) {
        (self.client, self.request, self.unset)
    }
}

impl<R: Action + Sync> RequestBuilder<R, Client> {
    /// Sends the request and returns the action's response.
    ///
    /// Fails with [`crate::ErrorKind::InvalidRequest`] and [`Error::missing_parameter`] set, without
    /// sending anything, when a required member was not given. When the client has a default namespace
    /// ([`crate::ClientBuilder::namespace`]) and the action takes a `Namespace` the request does not set,
    /// the default is sent.
    pub async fn send(self) -> Result<R::Response, Error> {
        self.client.execute(&self.request, self.unset).await
    }
}

impl Client {
    /// Checks the required members marked in `unset`, applies the default namespace, and calls.
    pub(crate) async fn execute<R: Action + Sync>(
        &self,
        request: &R,
        unset: u64,
    ) -> Result<R::Response, Error> {
        if let Some(member) = first_unset::<R>(unset) {
            return Err(Error::missing_parameter_of(&R::METADATA.action, member));
        }
        let answer = match self.with_default_namespace(request) {
            Some(body) => self.transport().call_action(&R::METADATA, &body).await,
            None => self.transport().call(request).await,
        };
        answer.map_err(|error| Error::new(error, invoke_request_id_of(request).as_deref()))
    }

    /// The request's body with the client's namespace added, when the action takes a namespace, the
    /// request names none and the client has one; `None` when the request goes as it is.
    fn with_default_namespace<R: Action>(&self, request: &R) -> Option<Value> {
        let namespace = self.default_namespace()?;
        R::SCHEMA.input.member(NAMESPACE)?;
        // A request that cannot be serialised is sent as it is, so the transport reports why.
        let mut body = serde_json::to_value(request).ok()?;
        let members = body.as_object_mut()?;
        if members.get(NAMESPACE).is_none_or(Value::is_null) {
            members.insert(NAMESPACE.to_owned(), Value::from(namespace));
        }
        Some(body)
    }
}

/// The request member that names the namespace.
const NAMESPACE: &str = "Namespace";

/// The request member that names an async event.
const INVOKE_REQUEST_ID: &str = "InvokeRequestId";

fn required_members<R: Action>() -> impl Iterator<Item = &'static str> {
    R::SCHEMA
        .input
        .members
        .iter()
        .filter(|member| member.required)
        .map(|member| member.name)
}

/// The wire name of the first required member whose bit is still set in `unset`.
fn first_unset<R: Action>(unset: u64) -> Option<&'static str> {
    required_members::<R>()
        .zip(0..u64::BITS)
        .find(|(_, bit)| unset & (1u64 << bit) != 0)
        .map(|(name, _)| name)
}

/// The async event a failed request concerned, when the request names one. `Invoke` learns its event's
/// id only from the answer, so its errors name none.
fn invoke_request_id_of<R: Action>(request: &R) -> Option<String> {
    R::SCHEMA.input.member(INVOKE_REQUEST_ID)?;
    match serde_json::to_value(request)
        .ok()?
        .get_mut(INVOKE_REQUEST_ID)?
        .take()
    {
        Value::String(id) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scf_model::{
        GetAsyncEventStatusRequest, ListAsyncEventsRequest, TerminateAsyncEventRequest,
    };

    use super::*;

    #[test]
    fn every_required_member_starts_unset_and_is_named_until_provided() {
        // TerminateAsyncEvent requires FunctionName, then InvokeRequestId.
        let builder = RequestBuilder::<TerminateAsyncEventRequest, ()>::new(());
        assert_eq!(builder.unset, 0b11);
        assert_eq!(
            first_unset::<TerminateAsyncEventRequest>(builder.unset),
            Some("FunctionName")
        );
        let builder = builder.provided(0);
        assert_eq!(
            first_unset::<TerminateAsyncEventRequest>(builder.unset),
            Some("InvokeRequestId")
        );
        let builder = builder.provided(1).provided(1);
        assert_eq!(
            first_unset::<TerminateAsyncEventRequest>(builder.unset),
            None
        );
        // An index past the bits is ignored rather than a panic.
        assert_eq!(builder.provided(200).unset, 0);
    }

    #[test]
    fn a_request_made_elsewhere_counts_as_complete() {
        let request = GetAsyncEventStatusRequest::default();
        let builder = RequestBuilder::from_request((), request);
        assert_eq!(
            first_unset::<GetAsyncEventStatusRequest>(builder.unset),
            None
        );
    }

    #[test]
    fn the_event_of_a_request_is_read_from_its_member() {
        let listing = ListAsyncEventsRequest::default().invoke_request_id("e-1");
        assert_eq!(invoke_request_id_of(&listing).as_deref(), Some("e-1"));
        assert_eq!(
            invoke_request_id_of(&ListAsyncEventsRequest::default()),
            None
        );
    }
}
