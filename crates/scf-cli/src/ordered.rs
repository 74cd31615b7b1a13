//! JSON in the spec's member order, as tccli's SDK models write it: a request body without the members
//! left out, and a response with every member of its type (`null` when absent) and nothing else.
//!
//! tccli passes both through the SDK's model classes, which hold members in the spec's order; following
//! the schema here gives the same bytes without a typed model or an order-keeping map.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use tc_api::schema::{Kind, MemberSchema, ObjectSchema};

/// What to do with the members a value does not have, or has as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Absent {
    /// Leave them out: a request body.
    Skip,
    /// Write them as `null`: a response as tccli prints it.
    Null,
}

/// `value`, a JSON object of type `object`, with its members in the spec's order.
///
/// Members the schema does not know are dropped; a value that is not an object is written as it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ordered<'a> {
    value: &'a Value,
    object: &'static ObjectSchema,
    absent: Absent,
}

impl<'a> Ordered<'a> {
    pub(crate) fn new(value: &'a Value, object: &'static ObjectSchema, absent: Absent) -> Self {
        Self {
            value,
            object,
            absent,
        }
    }
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(members) = self.value else {
            return self.value.serialize(serializer);
        };
        let mut map = serializer.serialize_map(None)?;
        for member in self.object.members {
            match members.get(member.name) {
                Some(value) if !value.is_null() => map.serialize_entry(
                    member.name,
                    &MemberValue {
                        value,
                        member,
                        absent: self.absent,
                    },
                )?,
                _ if self.absent == Absent::Null => {
                    map.serialize_entry(member.name, &Value::Null)?;
                }
                _ => {}
            }
        }
        map.end()
    }
}

/// One member's value: nested objects (and lists of them) in order too.
struct MemberValue<'a> {
    value: &'a Value,
    member: &'static MemberSchema,
    absent: Absent,
}

impl Serialize for MemberValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Kind::Object(object) = self.member.kind else {
            return self.value.serialize(serializer);
        };
        let item = |value| Ordered::new(value, object, self.absent);
        match self.value {
            Value::Array(items) if self.member.list => {
                let mut list = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    if value.is_null() {
                        list.serialize_element(&Value::Null)?;
                    } else {
                        list.serialize_element(&item(value))?;
                    }
                }
                list.end()
            }
            value => item(value).serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;
    use crate::test_schemas::{ENVIRONMENT_REQUEST, LIST_REQUEST, STATUS_RESPONSE};

    #[test]
    fn a_request_body_has_the_spec_order_and_no_absent_members() {
        let body =
            json!({"Order": "ASC", "Limit": 10, "Offset": 0, "FunctionName": "f", "Weight": null});
        assert_eq!(
            serde_json::to_string(&Ordered::new(&body, &LIST_REQUEST, Absent::Skip)).unwrap(),
            r#"{"FunctionName":"f","Limit":10,"Offset":0,"Order":"ASC"}"#
        );
        let nested = json!({"Environment": {"Variables": [{"Value": "1", "Key": "A"}]}, "FunctionName": "f"});
        assert_eq!(
            serde_json::to_string(&Ordered::new(&nested, &ENVIRONMENT_REQUEST, Absent::Skip))
                .unwrap(),
            r#"{"FunctionName":"f","Environment":{"Variables":[{"Key":"A","Value":"1"}]}}"#
        );
        assert_eq!(
            serde_json::to_string(&Ordered::new(&json!({}), &LIST_REQUEST, Absent::Skip)).unwrap(),
            "{}"
        );
    }

    #[test]
    fn a_response_has_every_member_and_only_those() {
        let response =
            json!({"RequestId": "r", "Extra": 1, "Result": {"Status": "RUNNING", "Bogus": 2}});
        assert_eq!(
            serde_json::to_string(&Ordered::new(&response, &STATUS_RESPONSE, Absent::Null))
                .unwrap(),
            r#"{"Result":{"Status":"RUNNING","StatusCode":null,"InvokeRequestId":null},"RequestId":"r"}"#
        );
        let missing = json!({"RequestId": "r"});
        assert_eq!(
            serde_json::to_string(&Ordered::new(&missing, &STATUS_RESPONSE, Absent::Null)).unwrap(),
            r#"{"Result":null,"RequestId":"r"}"#
        );
    }

    #[test]
    fn values_of_another_shape_are_kept_as_they_are() {
        let odd = json!({"Result": "text", "RequestId": 5});
        assert_eq!(
            serde_json::to_string(&Ordered::new(&odd, &STATUS_RESPONSE, Absent::Null)).unwrap(),
            r#"{"Result":"text","RequestId":5}"#
        );
    }
}
