//! One pass over a success body: `{"Response": T}` read straight into `T`.
//!
//! Most answers are successes, so they take this path: `T` is read from the body as serde_json scans it,
//! with no intermediate copy of its members. Anything else (an `Error` member, a missing or repeated
//! `Response`, a body `T` cannot read) makes it give up, and the general reader in `envelope` classifies
//! the body. Giving up is always safe, so this path never needs to tell failures apart.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    DeserializeOwned, DeserializeSeed, Error as _, IgnoredAny, IntoDeserializer, MapAccess, Visitor,
};

use crate::envelope::MemberName;

/// `T` when `body` is a success envelope that `T` reads, else `None`.
pub(crate) fn read_success<T: DeserializeOwned>(body: &str) -> Option<T> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let result = Outer(PhantomData).deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    result
}

/// The outer object: exactly one `Response` member, any others ignored.
struct Outer<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Outer<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Outer<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with a Response member")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut response = None;
        while let Some(MemberName(name)) = map.next_key()? {
            if name != "Response" {
                map.next_value::<IgnoredAny>()?;
            } else if response.is_some() {
                return Err(A::Error::custom("Response appears twice"));
            } else {
                response = Some(map.next_value_seed(Inner(PhantomData))?);
            }
        }
        Ok(response)
    }
}

/// The `Response` object, handed to `T` member by member unless it holds an `Error`.
struct Inner<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Inner<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Inner<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(WithoutError(
            map,
        )))
    }
}

/// Passes members through, but fails at an `Error` member: an error answer is not a result.
struct WithoutError<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WithoutError<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(MemberName(name)) = self.0.next_key()? else {
            return Ok(None);
        };
        if name == "Error" {
            return Err(A::Error::custom("the Response is an error"));
        }
        match name {
            Cow::Borrowed(name) => seed
                .deserialize(BorrowedStrDeserializer::new(name))
                .map(Some),
            Cow::Owned(name) => {
                let name: StringDeserializer<A::Error> = name.into_deserializer();
                seed.deserialize(name).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read_success;
    use crate::envelope::classify;
    use crate::{
        GetAsyncEventStatusResponse, InvokeResponse, ListAsyncEventsResponse,
        TerminateAsyncEventResponse,
    };

    const BODIES: &[&str] = &[
        r#"{"Response":{"Result":{"Status":"FINISHED","StatusCode":200,"InvokeRequestId":"a"},"RequestId":"r"}}"#,
        r#"{"Other":[1,{"Response":2}],"Response":{"TotalCount":1,"EventList":[{"InvokeRequestId":"a","InvokeType":"OTHER","Qualifier":"$LATEST","Status":"RUNNING","StartTime":"2024-01-01 00:00:00.000","EndTime":""}],"RequestId":"r"}}"#,
        r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r"}}"#,
        r#"{"Response":{"Result":{"FunctionRequestId":"f","RetMsg":"\u4f60\u597d","Duration":1.5},"Re\u0071uestId":"r"}}"#,
        r#"{"Response":{"RequestId":"r","Result":{"Status":"RUNNING"}},"Response":{"RequestId":"s"}}"#,
        r#"{"Response":{"RequestId":"r"}}"#,
    ];

    /// Where the one-pass reader answers, the general reader must give the same answer.
    fn agrees<T>(body: &str) -> Result<(), TestCaseError>
    where
        T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        if let Some(fast) = read_success::<T>(body) {
            prop_assert_eq!(Ok(fast), classify::<T>(body), "{}", body);
        }
        Ok(())
    }

    fn all_agree(body: &str) -> Result<(), TestCaseError> {
        agrees::<GetAsyncEventStatusResponse>(body)?;
        agrees::<ListAsyncEventsResponse>(body)?;
        agrees::<InvokeResponse>(body)?;
        agrees::<TerminateAsyncEventResponse>(body)
    }

    #[test]
    fn successes_take_the_one_pass_path() {
        assert!(read_success::<GetAsyncEventStatusResponse>(BODIES[0]).is_some());
        assert!(read_success::<ListAsyncEventsResponse>(BODIES[1]).is_some());
        assert!(read_success::<InvokeResponse>(BODIES[3]).is_some());
        assert!(read_success::<TerminateAsyncEventResponse>(BODIES[5]).is_some());
        // Errors and repeated envelopes are left to the general reader.
        assert!(read_success::<TerminateAsyncEventResponse>(BODIES[2]).is_none());
        assert!(read_success::<TerminateAsyncEventResponse>(BODIES[4]).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn one_pass_agrees_with_the_general_reader(
            which in 0..BODIES.len(),
            edits in proptest::collection::vec((0usize..400, prop::sample::select(
                b"{}[]\":,0 aErrorRequestIdResponse\\u".to_vec())), 0..4),
        ) {
            let mut body = BODIES[which].as_bytes().to_vec();
            for (at, byte) in edits {
                let at = at % body.len();
                body[at] = byte;
            }
            if let Ok(body) = std::str::from_utf8(&body) {
                all_agree(body)?;
            }
        }
    }
}
