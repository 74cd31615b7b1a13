//! Rust names for the spec's names: case conversion, keywords, prelude clashes and collisions.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust 2024's strict and reserved keywords (`gen` included), which need `r#` as identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they take a trailing underscore instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Names of the Rust prelude in the type namespace: a generated type of one of these names would shadow
/// the prelude item in every module that imports it.
const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Names the generated modules define or import besides the spec's types.
pub(crate) const GENERATED_TYPES: &[&str] =
    &["AnyRequest", "ErrorCode", "Serialize", "Deserialize"];

/// Whether `name` is a keyword.
pub(crate) fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// A field or method identifier for a snake_case name, and whether a keyword had to be escaped.
pub(crate) fn escape_keyword(snake: &str) -> (String, bool) {
    if NOT_RAW.contains(&snake) {
        (format!("{snake}_"), true)
    } else if is_keyword(snake) {
        (format!("r#{snake}"), true)
    } else if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        (format!("n{snake}"), false)
    } else {
        (snake.to_owned(), false)
    }
}

/// The snake_case form of a spec name (`ClusterID` -> `cluster_id`).
pub(crate) fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// The SCREAMING_SNAKE form of a spec name (`ListFunctions` -> `LIST_FUNCTIONS`).
pub(crate) fn screaming(name: &str) -> String {
    let shouty = name.to_shouty_snake_case();
    if shouty.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{shouty}")
    } else {
        shouty
    }
}

/// What `#[serde(rename_all = "PascalCase")]` makes of a field identifier, exactly as serde does it:
/// the `r#` prefix dropped, each `_` removed and the letter after it (and the first) upper-cased.
pub(crate) fn serde_pascal(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let mut pascal = String::with_capacity(ident.len());
    let mut capitalize = true;
    for ch in ident.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    pascal
}

/// Whether `name` is already an UpperCamel Rust type name (`WSParams` is, `Topic_Simplification` is not).
fn is_upper_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The type name for a spec name before collisions: the rename if there is one, the spec's own name
/// when it is UpperCamel, else heck's UpperCamel; a prelude name gets `Value` appended.
pub(crate) fn type_name(spec_name: &str, rename: Option<&str>) -> String {
    if let Some(rename) = rename {
        return rename.to_owned();
    }
    let name = if is_upper_camel(spec_name) {
        spec_name.to_owned()
    } else {
        let camel = spec_name.to_upper_camel_case();
        if camel.starts_with(|c: char| c.is_ascii_digit()) || camel.is_empty() {
            format!("N{camel}")
        } else {
            camel
        }
    };
    if PRELUDE.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

/// Whether a type name is all capitals (`APMKV`), which clippy reads as an acronym to spell `Apmkv`.
pub(crate) fn is_all_caps(name: &str) -> bool {
    name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The variant of an error code: each dot-separated segment in UpperCamel, joined
/// (`AuthFailure.MFAFailure` -> `AuthFailureMfaFailure`).
pub(crate) fn error_variant(code: &str) -> String {
    let variant: String = code
        .split('.')
        .map(|segment| segment.to_upper_camel_case())
        .collect();
    if variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
        variant
    } else {
        format!("Code{variant}")
    }
}

/// How a taken name is told apart from the one that took it first.
#[derive(Clone, Copy)]
pub(crate) enum Suffix {
    /// `Name2`, for types and variants.
    Plain,
    /// `name_2` or `NAME_2`, for fields, modules and statics.
    Underscore,
}

/// The names already used in one Rust namespace (a module's types, a struct's fields).
pub(crate) struct Namespace {
    taken: HashSet<String>,
    suffix: Suffix,
}

impl Namespace {
    pub(crate) fn new(suffix: Suffix, reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|name| (*name).to_owned()).collect(),
            suffix,
        }
    }

    /// Takes `name`, or the first free `name` with a numeric suffix; says whether it had to add one.
    pub(crate) fn claim(&mut self, name: &str) -> (String, bool) {
        if self.taken.insert(name.to_owned()) {
            return (name.to_owned(), false);
        }
        let base = name.strip_prefix("r#").unwrap_or(name);
        let mut n = 2;
        loop {
            let candidate = match self.suffix {
                Suffix::Plain => format!("{base}{n}"),
                Suffix::Underscore => format!("{base}_{n}"),
            };
            if self.taken.insert(candidate.clone()) {
                return (candidate, true);
            }
            n += 1;
        }
    }
}

/// A struct field for a wire member: its identifier, and the explicit rename serde needs when its
/// PascalCase form is not the wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldName {
    pub(crate) ident: String,
    pub(crate) rename: Option<String>,
    pub(crate) keyword_escaped: bool,
    pub(crate) collided: bool,
}

/// Names the fields of one struct, in order, so that no two get the same identifier.
pub(crate) fn field_names<'a>(wire_names: impl IntoIterator<Item = &'a str>) -> Vec<FieldName> {
    let mut fields = Namespace::new(Suffix::Underscore, &[]);
    wire_names
        .into_iter()
        .map(|wire| {
            let (escaped, keyword_escaped) = escape_keyword(&snake(wire));
            let (ident, collided) = fields.claim(&escaped);
            let rename = (serde_pascal(&ident) != wire).then(|| wire.to_owned());
            FieldName {
                ident,
                rename,
                keyword_escaped,
                collided,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(wire: &str) -> FieldName {
        field_names([wire]).remove(0)
    }

    #[test]
    fn acronyms_get_an_explicit_rename_that_round_trips() {
        for (wire, ident) in [
            ("ClusterID", "cluster_id"),
            ("MsgTTL", "msg_ttl"),
            ("WSParams", "ws_params"),
            ("TKE", "tke"),
            ("OFFLINE", "offline"),
        ] {
            let field = one(wire);
            assert_eq!(field.ident, ident);
            assert_eq!(field.rename.as_deref(), Some(wire));
        }
        for wire in ["FunctionName", "Namespace", "K8sLabel", "Ipv6Address"] {
            let field = one(wire);
            assert_eq!(field.rename, None, "{wire} round-trips through serde");
            assert_eq!(serde_pascal(&field.ident), wire);
        }
    }

    #[test]
    fn keywords_are_raw_or_suffixed() {
        assert_eq!(one("Type").ident, "r#type");
        assert_eq!(one("Type").rename, None, "serde drops r# before PascalCase");
        assert_eq!(one("Override").ident, "r#override");
        assert_eq!(one("Gen").ident, "r#gen");
        let own = one("Self");
        assert_eq!(own.ident, "self_");
        assert_eq!(own.rename.as_deref(), None, "serde reads self_ as Self");
        assert_eq!(one("Super").ident, "super_");
        assert!(one("Match").keyword_escaped && !one("Name").keyword_escaped);
    }

    #[test]
    fn snake_case_collisions_get_a_numeric_suffix_and_a_rename() {
        let fields = field_names(["DnsFormat", "DNSFormat", "Dns_Format"]);
        let idents: Vec<_> = fields.iter().map(|f| f.ident.as_str()).collect();
        assert_eq!(idents, ["dns_format", "dns_format_2", "dns_format_3"]);
        assert_eq!(fields[0].rename, None);
        assert_eq!(fields[1].rename.as_deref(), Some("DNSFormat"));
        assert_eq!(fields[2].rename.as_deref(), Some("Dns_Format"));
        assert!(!fields[0].collided && fields[1].collided && fields[2].collided);
        let ids = field_names(["RequestId", "RequestID"]);
        assert_eq!(
            (ids[0].ident.as_str(), ids[1].ident.as_str()),
            ("request_id", "request_id_2")
        );
    }

    #[test]
    fn type_names_keep_the_spec_unless_renamed_or_not_camel() {
        assert_eq!(type_name("Result", Some("InvokeResult")), "InvokeResult");
        assert_eq!(type_name("WSParams", None), "WSParams");
        assert_eq!(
            type_name("NamespaceResourceEnvTKE", None),
            "NamespaceResourceEnvTKE"
        );
        assert_eq!(
            type_name("Topic_Simplification", None),
            "TopicSimplification"
        );
        assert_eq!(
            type_name("Iterator", None),
            "IteratorValue",
            "prelude names are not shadowed"
        );
        let mut types = Namespace::new(Suffix::Plain, GENERATED_TYPES);
        assert_eq!(types.claim("ErrorCode"), ("ErrorCode2".to_owned(), true));
        assert_eq!(types.claim("Function"), ("Function".to_owned(), false));
        assert_eq!(types.claim("Function"), ("Function2".to_owned(), true));
        assert!(is_all_caps("APMKV") && !is_all_caps("WSParams") && !is_all_caps("A"));
    }

    #[test]
    fn error_variants_join_camel_segments() {
        assert_eq!(
            error_variant("AuthFailure.MFAFailure"),
            "AuthFailureMfaFailure"
        );
        assert_eq!(
            error_variant("FailedOperation.AsyncEventStatus"),
            "FailedOperationAsyncEventStatus"
        );
        assert_eq!(
            error_variant("UnauthorizedOperation.CAM"),
            "UnauthorizedOperationCam"
        );
        assert_eq!(error_variant("InternalError"), "InternalError");
        assert_eq!(screaming("ListFunctions"), "LIST_FUNCTIONS");
    }
}
