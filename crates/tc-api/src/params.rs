//! Request parameters checked against an action's schema: a JSON body as it is, or API 3.0's flattened
//! GET and form parameters (`Filters.0.Values.0=dev`) rebuilt into the JSON they stand for.
//!
//! A server checks what a client sent before reading it into the typed request, so that every mistake
//! gets a precise answer (an unknown, missing or wrongly typed parameter, named by its dotted path)
//! instead of a deserializer's message.
//!
//! ```
//! use tc_api::params::{ParamErrorKind, check};
//! use tc_api::schema::{Kind, MemberSchema, ObjectSchema};
//!
//! static REQUEST: ObjectSchema = ObjectSchema {
//!     name: "GetThingRequest",
//!     members: &[MemberSchema {
//!         name: "Limit",
//!         doc: "",
//!         kind: Kind::UInt,
//!         list: false,
//!         required: true,
//!         nullable: false,
//!         deprecated: false,
//!         values: &[],
//!     }],
//! };
//!
//! assert!(check(&serde_json::json!({"Limit": 10}), &REQUEST).is_ok());
//! let error = check(&serde_json::json!({"Limit": -1}), &REQUEST).unwrap_err();
//! assert_eq!(error.path, "Limit");
//! assert!(matches!(error.kind, ParamErrorKind::InvalidValue { .. }));
//! assert_eq!(error.to_string(), "invalid value for parameter `Limit`: expected a non-negative integer");
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::schema::{Kind, MemberSchema, ObjectSchema};

/// How deep parameters may nest. Real schemas stay far below it; it bounds the recursion of the checks
/// for self-referencing schemas and hostile input.
const MAX_DEPTH: usize = 64;

/// What is wrong with one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamErrorKind {
    /// The object has no member of that name.
    Unknown,
    /// A required member is absent (or `null`).
    Missing,
    /// The value does not have the member's type, is out of its range, or is not one of its values.
    InvalidValue {
        /// What the value must be (`a non-negative integer`, `one of ASC, DESC`).
        expected: String,
    },
}

/// A parameter that does not fit the schema, named by its dotted path (`Filters.0.Name`).
///
/// Its message names the parameter and what was expected, never the value, which may be secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ParamError {
    /// The parameter's path: member names and list indices joined by dots (`Filters.0.Values.1`).
    pub path: String,
    /// What is wrong with it.
    pub kind: ParamErrorKind,
    /// The values the member accepts, when the error is a string outside them; empty otherwise.
    pub allowed: &'static [&'static str],
}

impl ParamError {
    fn new(path: impl Into<String>, kind: ParamErrorKind) -> Self {
        Self {
            path: path.into(),
            kind,
            allowed: &[],
        }
    }

    fn unknown(path: impl Into<String>) -> Self {
        Self::new(path, ParamErrorKind::Unknown)
    }

    fn missing(path: impl Into<String>) -> Self {
        Self::new(path, ParamErrorKind::Missing)
    }

    fn invalid(path: impl Into<String>, expected: impl Into<String>) -> Self {
        Self::new(
            path,
            ParamErrorKind::InvalidValue {
                expected: expected.into(),
            },
        )
    }

    fn not_allowed(path: impl Into<String>, allowed: &'static [&'static str]) -> Self {
        Self {
            allowed,
            ..Self::invalid(path, format!("one of {}", allowed.join(", ")))
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.kind {
            ParamErrorKind::Unknown => write!(f, "unknown parameter `{path}`"),
            ParamErrorKind::Missing => write!(f, "missing required parameter `{path}`"),
            ParamErrorKind::InvalidValue { expected } => {
                write!(
                    f,
                    "invalid value for parameter `{path}`: expected {expected}"
                )
            }
        }
    }
}

/// Checks the members of `value`, a JSON object, against `object`, through nested objects and lists.
///
/// Every member must exist in the schema, every required member must be present, and every value must
/// have its member's type and range and, for a string with known values, be one of them. `null` for an
/// optional member counts as absent. The first problem found is returned.
pub fn check(value: &Value, object: &'static ObjectSchema) -> Result<(), ParamError> {
    check_object(value, object, &Path::ROOT)
}

fn check_object(
    value: &Value,
    object: &'static ObjectSchema,
    path: &Path<'_>,
) -> Result<(), ParamError> {
    let Value::Object(members) = value else {
        return Err(ParamError::invalid(
            path.to_string(),
            Kind::Object(object).describe(),
        ));
    };
    if path.depth >= MAX_DEPTH {
        return Err(too_deep(path));
    }
    for (name, member_value) in members {
        let path = path.join(Segment::Name(name));
        let Some(member) = object.member(name) else {
            return Err(ParamError::unknown(path.to_string()));
        };
        if member_value.is_null() {
            if member.required {
                return Err(ParamError::missing(path.to_string()));
            }
        } else {
            check_member(member_value, member, &path)?;
        }
    }
    match object
        .members
        .iter()
        .find(|member| member.required && !members.contains_key(member.name))
    {
        Some(missing) => Err(ParamError::missing(
            path.join(Segment::Name(missing.name)).to_string(),
        )),
        None => Ok(()),
    }
}

fn check_member(
    value: &Value,
    member: &'static MemberSchema,
    path: &Path<'_>,
) -> Result<(), ParamError> {
    if !member.list {
        return check_item(value, member, path);
    }
    let Value::Array(items) = value else {
        return Err(ParamError::invalid(path.to_string(), describe(member)));
    };
    for (index, item) in items.iter().enumerate() {
        check_item(item, member, &path.join(Segment::Index(index)))?;
    }
    Ok(())
}

/// Checks one value of `member`'s kind: the member's value, or one item of its list.
fn check_item(
    value: &Value,
    member: &'static MemberSchema,
    path: &Path<'_>,
) -> Result<(), ParamError> {
    let fits = match member.kind {
        Kind::Object(object) => return check_object(value, object, path),
        Kind::String => match value.as_str() {
            Some(text) if !member.values.is_empty() && !member.values.contains(&text) => {
                return Err(ParamError::not_allowed(path.to_string(), member.values));
            }
            Some(_) => true,
            None => false,
        },
        Kind::Int => value.is_i64(),
        Kind::UInt => value.is_u64(),
        Kind::Float => value.is_number(),
        Kind::Bool => value.is_boolean(),
    };
    if fits {
        Ok(())
    } else {
        Err(ParamError::invalid(
            path.to_string(),
            member.kind.describe(),
        ))
    }
}

/// What a member's value must be, list or not.
fn describe(member: &MemberSchema) -> String {
    if member.list {
        format!("a list of which each item is {}", member.kind.describe())
    } else {
        member.kind.describe()
    }
}

fn too_deep(path: &Path<'_>) -> ParamError {
    ParamError::invalid(
        path.to_string(),
        format!("nested at most {MAX_DEPTH} levels deep"),
    )
}

/// Rebuilds the JSON object that API 3.0's flattened parameters stand for, typed by `object`.
///
/// GET queries and form bodies flatten objects and lists into dotted names:
/// `Filters.0.Values.0=dev` is `{"Filters": [{"Values": ["dev"]}]}`, and
/// `RoutingConfig.AdditionalVersionWeights.0.Weight=0.5` nests an object, a list and a number. Each value
/// is read as its member's kind: integers and numbers parsed, booleans `true` or `false` in any case,
/// strings as given. List indices must run 0, 1, 2, ... without gaps, and a name may be given only once.
/// An unknown name is refused as [`check`] refuses it; required members and string values are left to
/// [`check`], which the result is ready for.
pub fn from_query<'a>(
    pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    object: &'static ObjectSchema,
) -> Result<Value, ParamError> {
    let mut root = BTreeMap::new();
    for (key, text) in pairs {
        let segments: Vec<&str> = key.split('.').collect();
        if segments.len() > MAX_DEPTH {
            let path = segments[..MAX_DEPTH].join(".");
            return Err(ParamError::invalid(
                path,
                format!("nested at most {MAX_DEPTH} levels deep"),
            ));
        }
        insert_member(&mut root, object, &segments, 0, text)?;
    }
    members_to_json(root, &mut Vec::new())
}

/// A value being rebuilt from flattened parameters.
enum Node {
    Scalar(Value),
    Object(BTreeMap<&'static str, Node>),
    List(BTreeMap<usize, Node>),
}

/// Puts the value of `segments[at..]` into `members`, the members of an object of type `object`.
fn insert_member(
    members: &mut BTreeMap<&'static str, Node>,
    object: &'static ObjectSchema,
    segments: &[&str],
    at: usize,
    text: Cow<'_, str>,
) -> Result<(), ParamError> {
    let path_to = |end: usize| segments[..=end].join(".");
    let Some(member) = object.member(segments[at]) else {
        return Err(ParamError::unknown(path_to(at)));
    };
    let entry = members.entry(member.name);
    if !member.list {
        return insert_item(entry, member, segments, at, text);
    }
    let Node::List(items) = entry.or_insert_with(|| Node::List(BTreeMap::new())) else {
        return Err(given_twice(path_to(at)));
    };
    let Some(index) = segments.get(at + 1) else {
        return Err(ParamError::invalid(
            path_to(at),
            format!(
                "{}, given as {}.0, {}.1, ...",
                describe(member),
                path_to(at),
                path_to(at)
            ),
        ));
    };
    let Some(index) = parse_index(index) else {
        return Err(ParamError::invalid(
            path_to(at + 1),
            "a list index: 0, 1, 2, ...",
        ));
    };
    insert_item(items.entry(index), member, segments, at + 1, text)
}

/// Puts the value of `segments[at + 1..]` into `entry`, one value of `member`'s kind named by
/// `segments[..=at]`.
fn insert_item<K: Ord>(
    entry: Entry<'_, K, Node>,
    member: &'static MemberSchema,
    segments: &[&str],
    at: usize,
    text: Cow<'_, str>,
) -> Result<(), ParamError> {
    let path = || segments[..=at].join(".");
    let has_members = at + 1 < segments.len();
    match member.kind {
        Kind::Object(object) => {
            if !has_members {
                return Err(ParamError::invalid(
                    path(),
                    format!("{}, given as {}.<Member>", member.kind.describe(), path()),
                ));
            }
            let Node::Object(members) = entry.or_insert_with(|| Node::Object(BTreeMap::new()))
            else {
                return Err(given_twice(path()));
            };
            insert_member(members, object, segments, at + 1, text)
        }
        kind => {
            if has_members {
                return Err(ParamError::invalid(path(), kind.describe()));
            }
            match entry {
                Entry::Occupied(_) => Err(given_twice(path())),
                Entry::Vacant(slot) => {
                    let value = parse_scalar(kind, &text)
                        .ok_or_else(|| ParamError::invalid(path(), kind.describe()))?;
                    slot.insert(Node::Scalar(value));
                    Ok(())
                }
            }
        }
    }
}

fn given_twice(path: String) -> ParamError {
    ParamError::invalid(path, "given once")
}

/// A list index written the one way: digits without a leading zero.
fn parse_index(text: &str) -> Option<usize> {
    let canonical =
        text == "0" || (!text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()));
    if canonical { text.parse().ok() } else { None }
}

/// The JSON value a flattened parameter stands for, by the member's kind.
fn parse_scalar(kind: Kind, text: &str) -> Option<Value> {
    match kind {
        Kind::String => Some(Value::String(text.to_owned())),
        Kind::Int => text.parse::<i64>().ok().map(Value::from),
        Kind::UInt => text.parse::<u64>().ok().map(Value::from),
        Kind::Float => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        Kind::Bool => {
            if text.eq_ignore_ascii_case("true") {
                Some(Value::Bool(true))
            } else if text.eq_ignore_ascii_case("false") {
                Some(Value::Bool(false))
            } else {
                None
            }
        }
        Kind::Object(_) => None,
    }
}

fn members_to_json(
    members: BTreeMap<&'static str, Node>,
    path: &mut Vec<String>,
) -> Result<Value, ParamError> {
    let mut object = Map::new();
    for (name, node) in members {
        path.push(name.to_owned());
        object.insert(name.to_owned(), node_to_json(node, path)?);
        path.pop();
    }
    Ok(Value::Object(object))
}

fn node_to_json(node: Node, path: &mut Vec<String>) -> Result<Value, ParamError> {
    match node {
        Node::Scalar(value) => Ok(value),
        Node::Object(members) => members_to_json(members, path),
        Node::List(items) => {
            if items.keys().copied().ne(0..items.len()) {
                return Err(ParamError::invalid(
                    path.join("."),
                    "a list indexed 0, 1, 2, ... without gaps",
                ));
            }
            let mut list = Vec::with_capacity(items.len());
            for (index, item) in items {
                path.push(index.to_string());
                list.push(node_to_json(item, path)?);
                path.pop();
            }
            Ok(Value::Array(list))
        }
    }
}

/// Where a value sits: its segments from the root, each held by the check that reached it, so checking
/// builds no path until a message needs one.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    /// `None` at the root.
    segment: Option<Segment<'a>>,
    /// How many objects deep the path is.
    depth: usize,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Name(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        segment: None,
        depth: 0,
    };

    /// This path, one segment longer.
    fn join(&'a self, segment: Segment<'a>) -> Self {
        let depth = self.depth + usize::from(matches!(segment, Segment::Name(_)));
        Self {
            parent: Some(self),
            segment: Some(segment),
            depth,
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(segment) = self.segment else {
            return Ok(());
        };
        if let Some(parent) = self.parent.filter(|parent| parent.segment.is_some()) {
            write!(f, "{parent}.")?;
        }
        match segment {
            Segment::Name(name) => f.write_str(name),
            Segment::Index(index) => write!(f, "{index}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const fn member(
        name: &'static str,
        kind: Kind,
        list: bool,
        required: bool,
        values: &'static [&'static str],
    ) -> MemberSchema {
        MemberSchema {
            name,
            doc: "",
            kind,
            list,
            required,
            nullable: false,
            deprecated: false,
            values,
        }
    }

    static FILTER: ObjectSchema = ObjectSchema {
        name: "Filter",
        members: &[
            member("Name", Kind::String, false, true, &[]),
            member("Values", Kind::String, true, true, &[]),
        ],
    };

    static VERSION_WEIGHT: ObjectSchema = ObjectSchema {
        name: "VersionWeight",
        members: &[
            member("Version", Kind::String, false, true, &[]),
            member("Weight", Kind::Float, false, true, &[]),
        ],
    };

    static ROUTING_CONFIG: ObjectSchema = ObjectSchema {
        name: "RoutingConfig",
        members: &[member(
            "AdditionalVersionWeights",
            Kind::Object(&VERSION_WEIGHT),
            true,
            false,
            &[],
        )],
    };

    static REQUEST: ObjectSchema = ObjectSchema {
        name: "ListThingsRequest",
        members: &[
            member("FunctionName", Kind::String, false, true, &[]),
            member("Limit", Kind::UInt, false, false, &[]),
            member("Offset", Kind::Int, false, false, &[]),
            member("Override", Kind::Bool, false, false, &[]),
            member("Order", Kind::String, false, false, &["ASC", "DESC"]),
            member("Status", Kind::String, true, false, &["RUNNING", "FAILED"]),
            member("Tags", Kind::String, true, false, &[]),
            member("Sizes", Kind::Int, true, false, &[]),
            member("Ratio", Kind::Float, false, false, &[]),
            member("Filters", Kind::Object(&FILTER), true, false, &[]),
            member(
                "RoutingConfig",
                Kind::Object(&ROUTING_CONFIG),
                false,
                false,
                &[],
            ),
        ],
    };

    /// A type that contains itself, as some services' trees do.
    static TREE: ObjectSchema = ObjectSchema {
        name: "Tree",
        members: &[
            member("Name", Kind::String, false, false, &[]),
            member("Child", Kind::Object(&TREE), false, false, &[]),
        ],
    };

    fn query(text: &str) -> Result<Value, ParamError> {
        from_query(form_pairs(text), &REQUEST)
    }

    /// Splits `a=1&b=2` without decoding, which these tests do not need.
    fn form_pairs(text: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        text.split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (Cow::Borrowed(key), Cow::Borrowed(value))
            })
            .collect()
    }

    fn error(value: Value) -> ParamError {
        check(&value, &REQUEST).unwrap_err()
    }

    fn invalid(path: &str, expected: &str) -> ParamError {
        ParamError::invalid(path, expected)
    }

    #[test]
    fn a_well_formed_nested_request_passes() {
        let value = json!({
            "FunctionName": "f",
            "Limit": 10,
            "Offset": -3,
            "Override": false,
            "Order": "ASC",
            "Status": ["RUNNING", "FAILED"],
            "Sizes": [-1, 2],
            "Ratio": 1,
            "Filters": [{"Name": "tag", "Values": ["a", "b"]}, {"Name": "x", "Values": []}],
            "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "2", "Weight": 0.5}]},
        });
        assert_eq!(check(&value, &REQUEST), Ok(()));
        assert_eq!(check(&json!({"FunctionName": "f"}), &REQUEST), Ok(()));
    }

    #[test]
    fn unknown_members_are_named_by_their_path() {
        assert_eq!(
            error(json!({"FunctionName": "f", "Bogus": 1})),
            ParamError::unknown("Bogus")
        );
        assert_eq!(
            error(
                json!({"FunctionName": "f", "Filters": [{"Name": "n", "Values": []}, {"Name": "n", "Values": [], "Extra": true}]})
            ),
            ParamError::unknown("Filters.1.Extra")
        );
        // Names are case-sensitive, as on the wire.
        assert_eq!(
            error(json!({"functionName": "f"})),
            ParamError::unknown("functionName")
        );
    }

    #[test]
    fn required_members_must_be_present_and_not_null() {
        assert_eq!(error(json!({})), ParamError::missing("FunctionName"));
        assert_eq!(
            error(json!({"FunctionName": null})),
            ParamError::missing("FunctionName")
        );
        assert_eq!(
            error(json!({"FunctionName": "f", "Filters": [{"Values": ["v"]}]})),
            ParamError::missing("Filters.0.Name")
        );
        assert_eq!(
            error(
                json!({"FunctionName": "f", "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "1"}]}})
            ),
            ParamError::missing("RoutingConfig.AdditionalVersionWeights.0.Weight")
        );
        // Null for an optional member is the member left out.
        let nulls =
            json!({"FunctionName": "f", "Limit": null, "Filters": null, "RoutingConfig": null});
        assert_eq!(check(&nulls, &REQUEST), Ok(()));
    }

    #[test]
    fn values_must_have_the_member_type_and_range() {
        let cases = [
            (
                json!({"Limit": -1}),
                invalid("Limit", "a non-negative integer"),
            ),
            (
                json!({"Limit": "10"}),
                invalid("Limit", "a non-negative integer"),
            ),
            (
                json!({"Limit": 1.5}),
                invalid("Limit", "a non-negative integer"),
            ),
            (json!({"Offset": 1.5}), invalid("Offset", "an integer")),
            (
                json!({"Offset": 9_223_372_036_854_775_808_u64}),
                invalid("Offset", "an integer"),
            ),
            (
                json!({"Override": "true"}),
                invalid("Override", "true or false"),
            ),
            (json!({"Ratio": "0.5"}), invalid("Ratio", "a number")),
            (
                json!({"Tags": "a"}),
                invalid("Tags", "a list of which each item is a string"),
            ),
            (json!({"Tags": ["a", 1]}), invalid("Tags.1", "a string")),
            (json!({"Tags": [null]}), invalid("Tags.0", "a string")),
            (json!({"Sizes": [1, "2"]}), invalid("Sizes.1", "an integer")),
            (
                json!({"Filters": {"Name": "n"}}),
                invalid(
                    "Filters",
                    "a list of which each item is an object of type Filter",
                ),
            ),
            (
                json!({"Filters": [{"Name": "n", "Values": [1]}]}),
                invalid("Filters.0.Values.0", "a string"),
            ),
            (
                json!({"RoutingConfig": "x"}),
                invalid("RoutingConfig", "an object of type RoutingConfig"),
            ),
            (json!({"Order": 5}), invalid("Order", "a string")),
        ];
        for (mut value, expected) in cases {
            value["FunctionName"] = json!("f");
            assert_eq!(check(&value, &REQUEST), Err(expected), "{value}");
        }
        assert_eq!(
            error(json!({"FunctionName": 7})),
            invalid("FunctionName", "a string")
        );
    }

    #[test]
    fn strings_with_known_values_must_be_one_of_them() {
        let order = error(json!({"FunctionName": "f", "Order": "UP"}));
        assert_eq!(order.path, "Order");
        assert_eq!(order.allowed, ["ASC", "DESC"]);
        assert_eq!(
            order.to_string(),
            "invalid value for parameter `Order`: expected one of ASC, DESC"
        );
        let status = error(json!({"FunctionName": "f", "Status": ["RUNNING", "DONE"]}));
        assert_eq!(
            (status.path.as_str(), status.allowed),
            ("Status.1", ["RUNNING", "FAILED"].as_slice())
        );
        // A value of the wrong type is a type error, not a value outside the set.
        assert!(
            error(json!({"FunctionName": "f", "Order": 1}))
                .allowed
                .is_empty()
        );
    }

    #[test]
    fn messages_name_the_parameter_and_never_the_value() {
        assert_eq!(
            error(json!({})).to_string(),
            "missing required parameter `FunctionName`"
        );
        assert_eq!(
            error(json!({"FunctionName": "f", "Secret": "hunter2"})).to_string(),
            "unknown parameter `Secret`"
        );
        let wrong = error(
            json!({"FunctionName": "f", "Filters": [{"Name": "n", "Values": [{"k": "hunter2"}]}]}),
        );
        assert_eq!(
            wrong.to_string(),
            "invalid value for parameter `Filters.0.Values.0`: expected a string"
        );
    }

    #[test]
    fn a_value_that_is_not_an_object_is_refused() {
        assert_eq!(
            check(&json!([1]), &REQUEST),
            Err(invalid("", "an object of type ListThingsRequest"))
        );
    }

    #[test]
    fn self_referencing_schemas_are_checked_to_a_bounded_depth() {
        let mut shallow = json!({"Name": "leaf"});
        for _ in 0..10 {
            shallow = json!({"Child": shallow});
        }
        assert_eq!(check(&shallow, &TREE), Ok(()));
        let mut deep = json!({});
        for _ in 0..MAX_DEPTH + 5 {
            deep = json!({"Child": deep});
        }
        let error = check(&deep, &TREE).unwrap_err();
        assert!(
            matches!(error.kind, ParamErrorKind::InvalidValue { .. }),
            "{error}"
        );
        assert!(error.path.starts_with("Child.Child."), "{}", error.path);

        let key = vec!["Child"; 10_000].join(".") + ".Name";
        let error = from_query([(Cow::Owned(key), Cow::Borrowed("x"))], &TREE).unwrap_err();
        assert_eq!(error.path.split('.').count(), MAX_DEPTH);
        let key = ["Child"; 5].join(".") + ".Name";
        let value = from_query([(Cow::Owned(key), Cow::Borrowed("x"))], &TREE).unwrap();
        assert_eq!(
            value["Child"]["Child"]["Child"]["Child"]["Child"]["Name"],
            "x"
        );
    }

    #[test]
    fn flattened_parameters_become_typed_json() {
        let value = query(
            "FunctionName=f&Limit=10&Offset=-2&Override=FALSE&Ratio=0.25&Order=ASC\
             &Filters.0.Name=tag-status&Filters.0.Values.0=dev&Filters.1.Name=tag-owner\
             &Filters.1.Values.0=me&Filters.1.Values.1=you&Sizes.0=3\
             &RoutingConfig.AdditionalVersionWeights.0.Version=1\
             &RoutingConfig.AdditionalVersionWeights.0.Weight=0.5",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({
                "FunctionName": "f",
                "Limit": 10,
                "Offset": -2,
                "Override": false,
                "Ratio": 0.25,
                "Order": "ASC",
                "Filters": [
                    {"Name": "tag-status", "Values": ["dev"]},
                    {"Name": "tag-owner", "Values": ["me", "you"]},
                ],
                "Sizes": [3],
                "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "1", "Weight": 0.5}]},
            })
        );
        assert_eq!(check(&value, &REQUEST), Ok(()));
        // Numbers that look like strings stay strings where the member is one.
        assert_eq!(
            query("FunctionName=007").unwrap(),
            json!({"FunctionName": "007"})
        );
        assert_eq!(query("").unwrap(), json!({}));
    }

    #[test]
    fn booleans_are_true_or_false_in_any_case() {
        for (text, flag) in [
            ("TRUE", true),
            ("true", true),
            ("True", true),
            ("FALSE", false),
            ("false", false),
        ] {
            assert_eq!(
                query(&format!("Override={text}")).unwrap()["Override"],
                flag,
                "{text}"
            );
        }
        for text in ["1", "yes", "", "truee"] {
            assert_eq!(
                query(&format!("Override={text}")),
                Err(invalid("Override", "true or false")),
                "{text}"
            );
        }
    }

    #[test]
    fn flattened_numbers_are_parsed_by_kind() {
        assert_eq!(
            query("Limit=-1"),
            Err(invalid("Limit", "a non-negative integer"))
        );
        assert_eq!(
            query("Limit=ten"),
            Err(invalid("Limit", "a non-negative integer"))
        );
        assert_eq!(query("Offset=1.5"), Err(invalid("Offset", "an integer")));
        assert_eq!(
            query("Offset=99999999999999999999"),
            Err(invalid("Offset", "an integer"))
        );
        assert_eq!(query("Ratio=NaN"), Err(invalid("Ratio", "a number")));
        assert_eq!(
            query("Sizes.0=1&Sizes.1=x"),
            Err(invalid("Sizes.1", "an integer"))
        );
        assert_eq!(query("Ratio=2").unwrap()["Ratio"], 2.0);
    }

    #[test]
    fn list_indices_run_from_zero_without_gaps() {
        let gap = invalid("Tags", "a list indexed 0, 1, 2, ... without gaps");
        assert_eq!(query("Tags.1=a"), Err(gap.clone()));
        assert_eq!(query("Tags.0=a&Tags.2=b"), Err(gap));
        assert_eq!(
            query("Filters.0.Name=n&Filters.0.Values.1=v"),
            Err(invalid(
                "Filters.0.Values",
                "a list indexed 0, 1, 2, ... without gaps"
            ))
        );
        for index in ["x", "-1", "01", "+1", "", "99999999999999999999999"] {
            assert_eq!(
                query(&format!("Tags.{index}=a")),
                Err(invalid(
                    &format!("Tags.{index}"),
                    "a list index: 0, 1, 2, ..."
                )),
                "{index}"
            );
        }
        // Indices may come in any order.
        assert_eq!(
            query("Tags.1=b&Tags.0=a").unwrap()["Tags"],
            json!(["a", "b"])
        );
    }

    #[test]
    fn flattened_names_must_fit_the_shape() {
        assert_eq!(query("Bogus=1"), Err(ParamError::unknown("Bogus")));
        assert_eq!(
            query("Filters.0.Bogus=1"),
            Err(ParamError::unknown("Filters.0.Bogus"))
        );
        assert_eq!(
            query("RoutingConfig.AdditionalVersionWeights.0.Nope=1"),
            Err(ParamError::unknown(
                "RoutingConfig.AdditionalVersionWeights.0.Nope"
            ))
        );
        assert_eq!(
            query("Tags=a"),
            Err(invalid(
                "Tags",
                "a list of which each item is a string, given as Tags.0, Tags.1, ..."
            ))
        );
        assert_eq!(
            query("RoutingConfig=x"),
            Err(invalid(
                "RoutingConfig",
                "an object of type RoutingConfig, given as RoutingConfig.<Member>"
            ))
        );
        assert_eq!(
            query("FunctionName.0=x"),
            Err(invalid("FunctionName", "a string"))
        );
        assert_eq!(query("Tags.0.Name=x"), Err(invalid("Tags.0", "a string")));
    }

    #[test]
    fn a_flattened_name_is_given_once() {
        let twice = |path: &str| Err(invalid(path, "given once"));
        assert_eq!(
            query("FunctionName=f&FunctionName=g"),
            twice("FunctionName")
        );
        assert_eq!(query("Tags.0=a&Tags.0=b"), twice("Tags.0"));
        assert_eq!(
            query("Filters.0.Name=a&Filters.0.Name=b"),
            twice("Filters.0.Name")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Whatever is flattened, the result is JSON that `check` finds well typed, or a typed error.
        #[test]
        fn rebuilt_parameters_are_well_typed(
            pairs in proptest::collection::vec(
                (
                    "(FunctionName|Limit|Offset|Override|Order|Status|Tags|Sizes|Ratio|Filters|RoutingConfig|Bogus)(\\.(0|1|2|x|Name|Values|AdditionalVersionWeights|Version|Weight)){0,4}",
                    "(-?[0-9]{1,3}(\\.5)?|true|FALSE|ASC|UP|[a-z]{0,4})",
                ),
                0..10,
            )
        ) {
            let pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> =
                pairs.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()))).collect();
            if let Ok(value) = from_query(pairs, &REQUEST) {
                match check(&value, &REQUEST) {
                    Ok(()) => {}
                    Err(error) => prop_assert!(
                        error.kind == ParamErrorKind::Missing || !error.allowed.is_empty(),
                        "{value} gave {error}"
                    ),
                }
            }
        }

        #[test]
        fn any_names_and_values_give_json_or_an_error(key in "[A-Za-z0-9.]{0,40}", text in ".{0,20}") {
            let _ = from_query([(Cow::Borrowed(key.as_str()), Cow::Borrowed(text.as_str()))], &REQUEST);
            let _ = from_query([(Cow::Borrowed(key.as_str()), Cow::Borrowed(text.as_str()))], &TREE);
        }
    }
}
