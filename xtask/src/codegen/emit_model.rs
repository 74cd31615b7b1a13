//! The model's Rust: one module per action, the data types, the open enums, `AnyRequest` and `mod.rs`.

use std::fmt::Write as _;

use super::docs::doc_comment;
use super::header;
use super::model::{Action, Field, Module, Object, OpenEnum, Scalar, Service};
use super::naming;

/// `(file name, unformatted text)` of every model file but `schema.rs` and `error_code.rs`.
pub(crate) fn model_files(service: &Service) -> Vec<(String, String)> {
    let mut files = vec![
        ("mod.rs".to_owned(), mod_rs(service)),
        ("any_request.rs".to_owned(), any_request(service)),
        ("types.rs".to_owned(), types_module(service)),
    ];
    for action in &service.actions {
        files.push((
            format!("{}.rs", action.module),
            action_module(service, action),
        ));
    }
    files
}

fn mod_rs(service: &Service) -> String {
    let mut out = header(&service.spec_label);
    let _ = writeln!(
        out,
        "\n/// The service's short name, which is also the signing scope's service.\n\
         pub const SERVICE: &str = {:?};\n\
         /// The API version.\n\
         pub const VERSION: &str = {:?};\n",
        service.name, service.version
    );
    out.push_str("mod any_request;\nmod error_code;\npub mod schema;\nmod types;\n");
    for action in &service.actions {
        let _ = writeln!(out, "mod {};", action.module);
    }
    out.push_str("\npub use any_request::AnyRequest;\npub use error_code::ErrorCode;\npub use schema::{ACTIONS, action_schema};\n");
    for action in &service.actions {
        let names: Vec<&str> = [&action.input, &action.output]
            .into_iter()
            .map(|name| service.object(name))
            .filter(|object| object.module == Module::Action(action.module.clone()))
            .map(|object| object.rust_name.as_str())
            .collect();
        if !names.is_empty() {
            let _ = writeln!(out, "pub use {}::{{{}}};", action.module, names.join(", "));
        }
    }
    let types: Vec<&str> = service
        .data_types()
        .map(|o| o.rust_name.as_str())
        .chain(service.enums.iter().map(|e| e.name.as_str()))
        .collect();
    if !types.is_empty() {
        let _ = writeln!(out, "pub use types::{{{}}};", types.join(", "));
    }
    out
}

fn action_module(service: &Service, action: &Action) -> String {
    let module = Module::Action(action.module.clone());
    let objects: Vec<&Object> = [&action.input, &action.output]
        .into_iter()
        .map(|name| service.object(name))
        .filter(|object| object.module == module)
        .collect();
    let mut out = header(&service.spec_label);
    out.push('\n');
    imports(&mut out, service, &module, &objects);
    for object in &objects {
        out.push('\n');
        let fallback = if object.spec_name == action.input {
            format!("The request of `{}`.", action.name)
        } else {
            format!("The response of `{}`.", action.name)
        };
        struct_def(&mut out, service, object, &fallback);
    }
    let request = service.object(&action.input);
    let response = service.object(&action.output);
    let _ = write!(
        out,
        "\nimpl tc_api::Action for {request} {{\n\
         const METADATA: tc_api::ActionMetadata = tc_api::ActionMetadata::new_static(super::SERVICE, super::VERSION, {name:?}, {idempotent}, {rate});\n\
         const SCHEMA: &'static tc_api::schema::ActionSchema = &super::schema::{schema};\n\
         type Response = {response};\n\
         }}\n",
        request = request.rust_name,
        response = response.rust_name,
        name = action.name,
        idempotent = action.idempotent,
        rate = action
            .rate_limit
            .map_or("None".to_owned(), |r| format!("Some({r})")),
        schema = action.static_name,
    );
    if let Some(pagination) = &action.pagination {
        paginated(&mut out, service, action, pagination);
    }
    out
}

/// `impl tc_api::Paginated`, converting between the spec's integer types and the paginator's `u64`.
fn paginated(
    out: &mut String,
    service: &Service,
    action: &Action,
    pagination: &super::model::Pagination,
) {
    let request = service.object(&action.input);
    let response = service.object(&action.output);
    let offset = &request.fields[pagination.offset];
    let items = &response.fields[pagination.items];
    let total = &response.fields[pagination.total];
    let signed = |field: &Field| field.scalar == super::model::Scalar::Int;
    let get = match (offset.plain, signed(offset)) {
        (true, true) => format!("u64::try_from(self.{}).unwrap_or(0)", offset.ident),
        (true, false) => format!("self.{}", offset.ident),
        (false, true) => format!(
            "self.{}.map_or(0, |offset| u64::try_from(offset).unwrap_or(0))",
            offset.ident
        ),
        (false, false) => format!("self.{}.unwrap_or(0)", offset.ident),
    };
    let value = if signed(offset) {
        "i64::try_from(offset).unwrap_or(i64::MAX)"
    } else {
        "offset"
    };
    let set = if offset.plain {
        value.to_owned()
    } else {
        format!("Some({value})")
    };
    let items_expr = if items.plain {
        format!("response.{}", items.ident)
    } else {
        format!("response.{}.unwrap_or_default()", items.ident)
    };
    let total_expr = match (total.plain, signed(total)) {
        (true, true) => format!("u64::try_from(response.{}).ok()", total.ident),
        (true, false) => format!("Some(response.{})", total.ident),
        (false, true) => format!(
            "response.{}.and_then(|total| u64::try_from(total).ok())",
            total.ident
        ),
        (false, false) => format!("response.{}", total.ident),
    };
    let deprecated = [offset, items, total].iter().any(|f| f.deprecated);
    let allow = if deprecated {
        "#[allow(deprecated)]\n"
    } else {
        ""
    };
    let _ = write!(
        out,
        "\n{allow}impl tc_api::Paginated for {request} {{\n\
         type Item = {item};\n\
         \nfn offset(&self) -> u64 {{ {get} }}\n\
         \nfn set_offset(&mut self, offset: u64) {{ self.{offset_ident} = {set}; }}\n\
         \n\
         fn into_page(response: Self::Response) -> tc_api::Page<Self::Item> {{\n\
         tc_api::Page {{ items: {items_expr}, total: {total_expr} }}\n\
         }}\n\
         }}\n",
        request = request.rust_name,
        item = service.scalar_type(&items.scalar),
        offset_ident = offset.ident,
    );
}

fn types_module(service: &Service) -> String {
    let objects: Vec<&Object> = service.data_types().collect();
    let mut out = header(&service.spec_label);
    out.push('\n');
    imports(&mut out, service, &Module::Types, &objects);
    for object in &objects {
        out.push('\n');
        let fallback = format!(
            "The `{}` object of the `{}` API.",
            object.spec_name, service.name
        );
        struct_def(&mut out, service, object, &fallback);
    }
    for open in &service.enums {
        out.push('\n');
        open_enum(&mut out, open);
    }
    out
}

/// `use` lines for serde and for the types of other modules.
fn imports(out: &mut String, service: &Service, module: &Module, objects: &[&Object]) {
    if !objects.is_empty() {
        out.push_str("use serde::{Deserialize, Serialize};\n");
    }
    let names = service.imports(module, objects);
    if !names.is_empty() {
        let names: Vec<String> = names.into_iter().collect();
        let _ = writeln!(out, "\nuse super::{{{}}};", names.join(", "));
    }
}

/// A struct with its serde attributes, and its setters.
fn struct_def(out: &mut String, service: &Service, object: &Object, fallback: &str) {
    out.push_str(&doc_comment(&object.doc, fallback));
    out.push_str("#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]\n#[non_exhaustive]\n#[serde(rename_all = \"PascalCase\")]\n");
    if naming::is_all_caps(&object.rust_name) {
        out.push_str("#[allow(clippy::upper_case_acronyms)]\n");
    }
    let _ = writeln!(out, "pub struct {} {{", object.rust_name);
    for field in &object.fields {
        out.push_str(&doc_comment(
            &field.doc,
            &format!("The `{}` member.", field.wire),
        ));
        if field.deprecated {
            out.push_str("#[deprecated]\n");
        }
        let _ = writeln!(out, "#[serde({})]", serde_attributes(field).join(", "));
        let _ = writeln!(out, "pub {}: {},", field.ident, service.field_type(field));
    }
    out.push_str("}\n");
    if object.fields.is_empty() {
        return;
    }
    out.push('\n');
    if object.fields.iter().any(|f| f.deprecated) {
        out.push_str("#[allow(deprecated)]\n");
    }
    let _ = writeln!(out, "impl {} {{", object.rust_name);
    for field in &object.fields {
        out.push_str(&doc_comment(&field.doc, &format!("Sets `{}`.", field.wire)));
        method_attributes(out, field);
        let value = if field.boxed {
            format!("Box::new({}.into())", field.ident)
        } else if field.scalar == Scalar::UInt && !field.list {
            field.ident.clone()
        } else {
            format!("{}.into()", field.ident)
        };
        let value = if field.plain {
            value
        } else {
            format!("Some({value})")
        };
        let _ = writeln!(
            out,
            "pub fn {ident}(mut self, {ident}: {ty}) -> Self {{\nself.{ident} = {value};\nself\n}}\n",
            ident = field.ident,
            ty = service.setter_type(field, ""),
        );
    }
    out.push_str("}\n");
}

/// `#[deprecated]` and the clippy allowances a setter named like its field may need.
pub(crate) fn method_attributes(out: &mut String, field: &Field) {
    if field.deprecated {
        out.push_str("#[deprecated]\n");
    }
    let name = field.ident.strip_prefix("r#").unwrap_or(&field.ident);
    // A setter is named like its member, so a member named `IsEnabled` or `ToAddress` gives a
    // consuming `is_enabled(self, ..)` that clippy would read as a misnamed method.
    if ["as_", "from_", "into_", "is_", "to_"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        out.push_str("#[allow(clippy::wrong_self_convention)]\n");
    }
    const TRAIT_METHODS: &[&str] = &[
        "add",
        "bitand",
        "bitor",
        "bitxor",
        "borrow",
        "borrow_mut",
        "clone",
        "cmp",
        "default",
        "deref",
        "deref_mut",
        "div",
        "drop",
        "eq",
        "from_iter",
        "from_str",
        "hash",
        "index",
        "index_mut",
        "into_iter",
        "mul",
        "neg",
        "next",
        "not",
        "rem",
        "shl",
        "shr",
        "sub",
    ];
    if TRAIT_METHODS.contains(&name) {
        out.push_str("#[allow(clippy::should_implement_trait)]\n");
    }
}

/// The serde attributes of a field: its rename, and how it is read and written.
fn serde_attributes(field: &Field) -> Vec<String> {
    let mut attributes = Vec::new();
    if let Some(wire) = &field.rename {
        attributes.push(format!("rename = {wire:?}"));
    }
    if !field.plain {
        attributes.push("default".to_owned());
    }
    if field.is_int() {
        attributes.push("deserialize_with = \"tc_api::de::int\"".to_owned());
    } else if field.plain {
        attributes.push("deserialize_with = \"tc_api::de::or_default\"".to_owned());
    }
    if !field.plain {
        attributes.push("skip_serializing_if = \"Option::is_none\"".to_owned());
    }
    attributes
}

/// An open enum: the known values as variants, anything else kept verbatim.
fn open_enum(out: &mut String, open: &OpenEnum) {
    let name = &open.name;
    out.push_str(&doc_comment(&open.doc, &format!("The values of `{name}`.")));
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum {name} {{"
    );
    for (wire, variant, doc) in &open.values {
        out.push_str(&doc_comment(doc, &format!("`{wire}`.")));
        let _ = writeln!(out, "{variant},");
    }
    out.push_str("/// A value this version does not know, kept verbatim.\nUnknown(String),\n}\n\n");
    let _ = writeln!(out, "impl {name} {{");
    out.push_str("/// Every value this version knows.\npub const KNOWN: &'static [Self] = &[");
    for (_, variant, _) in &open.values {
        let _ = write!(out, "Self::{variant}, ");
    }
    out.push_str("];\n\n/// The value as the service spells it.\npub fn as_str(&self) -> &str {\nmatch self {\n");
    for (wire, variant, _) in &open.values {
        let _ = writeln!(out, "Self::{variant} => {wire:?},");
    }
    out.push_str("Self::Unknown(other) => other,\n}\n}\n\n/// The value the service means by `text`; an unknown one is kept verbatim.\npub fn parse(text: &str) -> Self {\nmatch text {\n");
    for (wire, variant, _) in &open.values {
        let _ = writeln!(out, "{wire:?} => Self::{variant},");
    }
    out.push_str("other => Self::Unknown(other.to_owned()),\n}\n}\n}\n");
    let _ = write!(
        out,
        "\nimpl Default for {name} {{\nfn default() -> Self {{\nSelf::Unknown(String::new())\n}}\n}}\n\
         \nimpl std::fmt::Display for {name} {{\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\nf.write_str(self.as_str())\n}}\n}}\n\
         \nimpl From<&str> for {name} {{\nfn from(text: &str) -> Self {{\nSelf::parse(text)\n}}\n}}\n\
         \nimpl serde::Serialize for {name} {{\nfn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\nserializer.serialize_str(self.as_str())\n}}\n}}\n\
         \nimpl<'de> serde::Deserialize<'de> for {name} {{\nfn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\nlet text = <String as serde::Deserialize>::deserialize(deserializer)?;\nOk(Self::parse(&text))\n}}\n}}\n"
    );
}

fn any_request(service: &Service) -> String {
    let mut out = header(&service.spec_label);
    let _ = write!(
        out,
        "\n/// The request of any `{svc}` action, read from the action's name and its JSON members.\n\
         #[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\n#[allow(clippy::large_enum_variant)]\npub enum AnyRequest {{\n",
        svc = service.name
    );
    for action in &service.actions {
        out.push_str(&doc_comment(&action.title, &format!("`{}`.", action.name)));
        let _ = writeln!(
            out,
            "{}(super::{}),",
            action.variant,
            service.object(&action.input).rust_name
        );
    }
    out.push_str(
        "}\n\nimpl AnyRequest {\n\
         /// Reads `value` as the request of `action` (PascalCase, as on the wire); `None` when the service has no such action.\n\
         pub fn from_value(action: &str, value: serde_json::Value) -> Option<Result<AnyRequest, serde_json::Error>> {\n\
         let request = match action {\n",
    );
    for action in &service.actions {
        let _ = writeln!(
            out,
            "{:?} => serde_json::from_value(value).map(Self::{}),",
            action.name, action.variant
        );
    }
    out.push_str(
        "_ => return None,\n};\nSome(request)\n}\n\n\
         /// The schema of the request's action.\n\
         pub fn schema(&self) -> &'static tc_api::schema::ActionSchema {\n",
    );
    match_variants(&mut out, service, |action| {
        format!(
            "Self::{}(_) => &super::schema::{},",
            action.variant, action.static_name
        )
    });
    // Generic, so each caller's visitor is compiled for the actions it is used with, not the model.
    out.push_str(
        "}\n\n\
         /// Runs `visitor` on the typed request, so code generic over [`tc_api::Action`] (parsing the \
         action's response, sending it) serves a request known only at run time.\n\
         pub fn visit<V: tc_api::ActionVisitor>(&self, visitor: V) -> V::Output {\n",
    );
    match_variants(&mut out, service, |action| {
        format!(
            "Self::{}(request) => visitor.visit(request),",
            action.variant
        )
    });
    // Serialized as the inner request, so a body built through it keeps the spec's member order.
    out.push_str(
        "}\n}\n\nimpl serde::Serialize for AnyRequest {\n\
         fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n",
    );
    match_variants(&mut out, service, |action| {
        format!(
            "Self::{}(request) => serde::Serialize::serialize(request, serializer),",
            action.variant
        )
    });
    out.push_str("}\n}\n");
    out
}

/// `match self { ... }` with one arm per action, for a method of `AnyRequest`.
fn match_variants(out: &mut String, service: &Service, arm: impl Fn(&Action) -> String) {
    out.push_str("match self {\n");
    for action in &service.actions {
        out.push_str(&arm(action));
        out.push('\n');
    }
    if service.actions.is_empty() {
        out.push_str("_ => unreachable!(\"a service without actions has no requests\"),\n");
    }
    out.push_str("}\n");
}
