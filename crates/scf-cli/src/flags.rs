//! The flags of an action's members: tccli's PascalCase spelling (`--FunctionName`) and its kebab-case
//! twin (`--function-name`), and how a member's type is named in help and errors.

use heck::ToKebabCase;
use tc_api::schema::{Kind, MemberSchema, ObjectSchema};

/// The long options that are not members: the global options and the extra flags of action commands.
/// A member flag that would be spelled like one of these is left out (tccli's globals are lowercase and its
/// members PascalCase, so `--timeout` stays the global option and `--Timeout` the member).
pub(crate) const RESERVED: &[&str] = &[
    "region",
    "endpoint",
    "profile",
    "timeout",
    "language",
    "output",
    "filter",
    "debug",
    "help",
    "version",
    "cli-input-json",
    "generate-cli-skeleton",
    "all",
    "async",
    "wait",
    "client-context-file",
    "max-wait",
    "min-delay-ms",
    "max-delay-ms",
];

/// The flags that set one member.
#[derive(Debug, Clone)]
pub(crate) struct Flag {
    /// The member.
    pub(crate) member: &'static MemberSchema,
    /// `--FunctionName`, unless reserved.
    pub(crate) pascal: Option<&'static str>,
    /// `--function-name`, unless reserved, the same as the PascalCase name, or taken by an earlier member.
    pub(crate) kebab: Option<String>,
}

impl Flag {
    /// The flags as an error names them: `--FunctionName (--function-name)`.
    pub(crate) fn describe(&self) -> String {
        match (self.pascal, &self.kebab) {
            (Some(pascal), Some(kebab)) => format!("--{pascal} (--{kebab})"),
            (Some(pascal), None) => format!("--{pascal}"),
            (None, Some(kebab)) => format!("--{kebab}"),
            (None, None) => format!("`{}` (only in --cli-input-json)", self.member.name),
        }
    }
}

/// The flags of every member of `input`, in the spec's order.
pub(crate) fn of(input: &'static ObjectSchema) -> Vec<Flag> {
    let mut taken: Vec<String> = Vec::with_capacity(input.members.len() * 2);
    let mut flags = Vec::with_capacity(input.members.len());
    for member in input.members {
        let pascal = (!RESERVED.contains(&member.name)).then_some(member.name);
        taken.push(member.name.to_owned());
        flags.push(Flag {
            member,
            pascal,
            kebab: None,
        });
    }
    for flag in &mut flags {
        let kebab = flag.member.name.to_kebab_case();
        if !RESERVED.contains(&kebab.as_str()) && !taken.contains(&kebab) {
            taken.push(kebab.clone());
            flag.kebab = Some(kebab);
        }
    }
    flags
}

/// The flag of the member named `name` in `input`.
pub(crate) fn of_member(input: &'static ObjectSchema, name: &str) -> Option<Flag> {
    of(input).into_iter().find(|flag| flag.member.name == name)
}

/// Every flag of `input`, for messages: `--FunctionName, --Namespace, ...`.
pub(crate) fn list(input: &'static ObjectSchema) -> String {
    if input.members.is_empty() {
        return "no parameters".to_owned();
    }
    of(input)
        .iter()
        .map(|flag| match flag.pascal {
            Some(pascal) => format!("--{pascal}"),
            None => flag.describe(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of a scalar kind as tccli's skeletons spell it.
pub(crate) fn scalar_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "String",
        Kind::Int | Kind::UInt => "Integer",
        Kind::Float => "Float",
        Kind::Bool => "Boolean",
        Kind::Object(object) => object.name,
    }
}

/// A member's type for people: `Integer`, `a JSON list of String`, `a JSON object of type Environment`.
pub(crate) fn type_name(member: &MemberSchema) -> String {
    match (member.list, member.kind) {
        (false, Kind::Object(object)) => format!("a JSON object of type {}", object.name),
        (false, kind) => scalar_name(kind).to_owned(),
        (true, kind) => format!("a JSON list of {}", scalar_name(kind)),
    }
}

/// The value placeholder in help: `<Integer>`, `<JSON>`.
pub(crate) fn value_name(member: &MemberSchema) -> &'static str {
    if member.list || matches!(member.kind, Kind::Object(_)) {
        "JSON"
    } else {
        scalar_name(member.kind)
    }
}

/// A one-line JSON example of a list or object member: its skeleton.
pub(crate) fn example(member: &MemberSchema) -> String {
    serde_json::to_string(&crate::skeleton::Member::new(member)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::{COLLIDING_REQUEST, LIST_REQUEST};

    #[test]
    fn members_get_both_spellings() {
        let flags = of(&LIST_REQUEST);
        let names: Vec<_> = flags
            .iter()
            .map(|flag| (flag.pascal, flag.kebab.as_deref()))
            .collect();
        assert_eq!(names[0], (Some("FunctionName"), Some("function-name")));
        assert_eq!(flags[0].describe(), "--FunctionName (--function-name)");
        assert!(names.contains(&(Some("InvokeRequestId"), Some("invoke-request-id"))));
    }

    #[test]
    fn a_kebab_spelling_taken_by_a_global_or_an_earlier_member_is_left_out() {
        let flags = of(&COLLIDING_REQUEST);
        let by_name = |name: &str| flags.iter().find(|f| f.member.name == name).cloned();
        let timeout = by_name("Timeout").expect("listed");
        assert_eq!(
            (timeout.pascal, timeout.kebab.as_deref()),
            (Some("Timeout"), None),
            "--timeout stays the global option"
        );
        assert_eq!(timeout.describe(), "--Timeout");
        assert_eq!(
            by_name("ClusterID").and_then(|f| f.kebab).as_deref(),
            Some("cluster-id")
        );
        assert_eq!(
            by_name("ClusterId").and_then(|f| f.kebab),
            None,
            "the first member keeps --cluster-id"
        );
        let output = by_name("output").expect("listed");
        assert_eq!((output.pascal, output.kebab.as_deref()), (None, None));
        assert_eq!(output.describe(), "`output` (only in --cli-input-json)");
    }

    #[test]
    fn types_are_named_like_tccli() {
        let flags = of(&LIST_REQUEST);
        let by_name = |name: &str| {
            flags
                .iter()
                .find(|f| f.member.name == name)
                .map(|f| f.member)
        };
        assert_eq!(type_name(by_name("Limit").expect("member")), "Integer");
        assert_eq!(
            type_name(by_name("Status").expect("member")),
            "a JSON list of String"
        );
        assert_eq!(value_name(by_name("Status").expect("member")), "JSON");
        assert_eq!(example(by_name("Status").expect("member")), r#"["String"]"#);
    }
}
