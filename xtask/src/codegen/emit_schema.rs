//! `schema.rs`: every object and action as `tc_api::schema` data, for code that works on any action at
//! run time.

use std::fmt::Write as _;

use super::header;
use super::model::{Field, Object, Scalar, Service};

pub(crate) fn schema_module(service: &Service) -> String {
    let mut out = header(&service.spec_label);
    let paging = if service.actions.iter().any(|a| a.pagination.is_some()) {
        ", PaginationSchema"
    } else {
        ""
    };
    let _ = write!(
        out,
        "//! The shapes of the `{svc}` {version} actions and objects as data.\n\n\
         use tc_api::schema::{{ActionSchema, Kind, MemberSchema, ObjectSchema{paging}}};\n",
        svc = service.name,
        version = service.version,
    );
    out.push_str("\n/// Every action, sorted by name.\npub static ACTIONS: &[&ActionSchema] = &[");
    for action in &service.actions {
        let _ = write!(out, "&{}, ", action.static_name);
    }
    out.push_str("];\n\n/// The action named `name` (PascalCase, exactly as on the wire).\npub fn action_schema(name: &str) -> Option<&'static ActionSchema> {\nmatch name {\n");
    for action in &service.actions {
        let _ = writeln!(out, "{:?} => Some(&{}),", action.name, action.static_name);
    }
    out.push_str("_ => None,\n}\n}\n");
    for action in &service.actions {
        let pagination = match &action.pagination {
            None => "None".to_owned(),
            Some(p) => {
                let request = service.object(&action.input);
                let response = service.object(&action.output);
                format!(
                    "Some(PaginationSchema {{ offset: {:?}, limit: {:?}, items: {:?}, total: Some({:?}) }})",
                    request.fields[p.offset].wire,
                    request.fields[p.limit].wire,
                    response.fields[p.items].wire,
                    response.fields[p.total].wire,
                )
            }
        };
        let _ = write!(
            out,
            "\n/// `{name}`.\npub static {static_name}: ActionSchema = ActionSchema {{\n\
             metadata: <super::{request} as tc_api::Action>::METADATA,\n\
             title: {title:?},\ndoc: {doc:?},\ndeprecated: {deprecated},\n\
             input: &{input},\noutput: &{output},\npagination: {pagination},\n}};\n",
            name = action.name,
            static_name = action.static_name,
            request = service.object(&action.input).rust_name,
            title = action.title,
            doc = action.doc,
            deprecated = action.deprecated,
            input = service.object(&action.input).static_name,
            output = service.object(&action.output).static_name,
        );
    }
    for object in service.objects.values() {
        object_schema(&mut out, service, object);
    }
    out
}

fn object_schema(out: &mut String, service: &Service, object: &Object) {
    let _ = write!(
        out,
        "\n/// The members of `{name}`.\npub static {static_name}: ObjectSchema = ObjectSchema {{\nname: {name:?},\nmembers: &[\n",
        name = object.spec_name,
        static_name = object.static_name,
    );
    for field in &object.fields {
        member_schema(out, service, field);
    }
    out.push_str("],\n};\n");
}

fn member_schema(out: &mut String, service: &Service, field: &Field) {
    let kind = match &field.scalar {
        Scalar::String | Scalar::Enum(_) => "Kind::String".to_owned(),
        Scalar::Int => "Kind::Int".to_owned(),
        Scalar::UInt => "Kind::UInt".to_owned(),
        Scalar::Float => "Kind::Float".to_owned(),
        Scalar::Bool => "Kind::Bool".to_owned(),
        Scalar::Object(name) => format!("Kind::Object(&{})", service.object(name).static_name),
    };
    let values: Vec<String> = match &field.scalar {
        Scalar::Enum(index) => service.enums[*index]
            .values
            .iter()
            .map(|(wire, _, _)| format!("{wire:?}"))
            .collect(),
        _ => Vec::new(),
    };
    let _ = write!(
        out,
        "MemberSchema {{\nname: {name:?},\ndoc: {doc:?},\nkind: {kind},\nlist: {list},\nrequired: {required},\nnullable: {nullable},\ndeprecated: {deprecated},\nvalues: &[{values}],\n}},\n",
        name = field.wire,
        doc = field.doc,
        list = field.list,
        required = field.required,
        nullable = field.nullable,
        deprecated = field.deprecated,
        values = values.join(", "),
    );
}
