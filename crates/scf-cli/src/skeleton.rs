//! `--generate-cli-skeleton`: an action's input as a JSON template, in the shape tccli prints, ready to be
//! filled in and given back with `--cli-input-json`.
//!
//! Members come in the spec's order; each leaf is its type's name (`String`, `Integer`, `Float`,
//! `Boolean`), a list holds one item, and objects are expanded. An object type met again inside itself
//! is not expanded a second time but named in a placeholder, as tccli does.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use tc_api::schema::{Kind, MemberSchema, ObjectSchema};

use crate::flags;

/// The skeleton of an object type: a JSON object of its members.
pub(crate) struct Object {
    object: &'static ObjectSchema,
    /// The object types expanded on the way here, which are not expanded again.
    expanded: Vec<&'static str>,
}

impl Object {
    /// The skeleton of a request: every member of `input`.
    pub(crate) fn new(input: &'static ObjectSchema) -> Self {
        Self {
            object: input,
            expanded: Vec::new(),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.object.members.len()))?;
        for member in self.object.members {
            map.serialize_entry(
                member.name,
                &Member {
                    member,
                    expanded: &self.expanded,
                },
            )?;
        }
        map.end()
    }
}

/// The skeleton of one member's value: its type's name, a one-item list, or an object.
pub(crate) struct Member<'a> {
    member: &'a MemberSchema,
    expanded: &'a [&'static str],
}

impl<'a> Member<'a> {
    /// The skeleton of `member` on its own, for examples in messages.
    pub(crate) fn new(member: &'a MemberSchema) -> Self {
        Self {
            member,
            expanded: &[],
        }
    }
}

impl Member<'_> {
    fn serialize_item<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Kind::Object(object) = self.member.kind else {
            return serializer.serialize_str(flags::scalar_name(self.member.kind));
        };
        if self.expanded.contains(&object.name) {
            return serializer.serialize_str(&format!(
                "<recursive: fill '{}' with a JSON object of type {} (self-referenced)>",
                self.member.name, object.name
            ));
        }
        let mut expanded = self.expanded.to_vec();
        expanded.push(object.name);
        Object { object, expanded }.serialize(serializer)
    }
}

impl Serialize for Member<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.member.list {
            return self.serialize_item(serializer);
        }
        let mut list = serializer.serialize_seq(Some(1))?;
        list.serialize_element(&Item(self))?;
        list.end()
    }
}

/// One item of a list member's skeleton.
struct Item<'a, 'b>(&'a Member<'b>);

impl Serialize for Item<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_item(serializer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::output::to_pretty_json;
    use crate::test_schemas::{ENVIRONMENT_REQUEST, LIST_REQUEST, TREE_REQUEST};

    #[test]
    fn members_in_spec_order_with_type_names() {
        let text = serde_json::to_string(&Object::new(&LIST_REQUEST)).unwrap();
        assert_eq!(
            text,
            r#"{"FunctionName":"String","InvokeRequestId":"String","Status":["String"],"Limit":"Integer","Offset":"Integer","Order":"String","Weight":"Float","GraceShutdown":"Boolean"}"#
        );
    }

    #[test]
    fn objects_are_expanded_and_printed_as_tccli_prints() {
        let text = to_pretty_json(&Object::new(&ENVIRONMENT_REQUEST));
        assert_eq!(
            text,
            "{\n    \"FunctionName\": \"String\",\n    \"Environment\": {\n        \"Variables\": [\n            {\n                \"Key\": \"String\",\n                \"Value\": \"String\"\n            }\n        ]\n    }\n}"
        );
    }

    #[test]
    fn a_type_inside_itself_is_named_not_expanded() {
        let value = serde_json::to_value(Object::new(&TREE_REQUEST)).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"Root": {"Name": "String", "Children": [
                "<recursive: fill 'Children' with a JSON object of type Node (self-referenced)>"
            ]}})
        );
    }
}
