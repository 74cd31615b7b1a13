//! The client facade (`crates/scf/src/generated.rs`): a method per action on both clients, and a setter
//! per request member on the action's `RequestBuilder`.

use std::fmt::Write as _;

use super::docs::doc_comment;
use super::emit_model::method_attributes;
use super::header;
use super::model::{Action, Service};

/// Methods `RequestBuilder` has by hand; a member setter of the same name is renamed.
const BUILDER_METHODS: &[&str] = &[
    "from_parts",
    "from_request",
    "into_paginator",
    "into_parts",
    "into_request",
    "map",
    "new",
    "provided",
    "request",
    "send",
];

/// The builder's setter for a field identifier: the identifier, unless the builder already has it.
pub(crate) fn builder_method(ident: &str) -> String {
    if BUILDER_METHODS.contains(&ident) {
        format!("{ident}_member")
    } else {
        ident.to_owned()
    }
}

/// The facade for `service`, whose model crate is `model_crate` (`scf_model`).
pub(crate) fn facade(service: &Service, model_crate: &str) -> String {
    let mut out = header(&service.spec_label);
    for client in ["crate::Client", "crate::blocking::Client"] {
        let _ = writeln!(out, "\nimpl {client} {{");
        for action in &service.actions {
            client_method(&mut out, service, action, client, model_crate);
        }
        out.push_str("}\n");
    }
    for action in &service.actions {
        builder_setters(&mut out, service, action, model_crate);
    }
    out
}

fn action_doc(action: &Action) -> String {
    let mut doc = format!("`{}`", action.name);
    if !action.title.is_empty() {
        let _ = write!(doc, ": {}", action.title);
    }
    if !action.doc.is_empty() && action.doc != action.title {
        let _ = write!(doc, "\n\n{}", action.doc);
    }
    doc
}

fn client_method(
    out: &mut String,
    service: &Service,
    action: &Action,
    client: &str,
    model_crate: &str,
) {
    out.push_str(&doc_comment(&action_doc(action), ""));
    if action.deprecated {
        out.push_str("#[deprecated]\n");
    }
    let _ = writeln!(
        out,
        "pub fn {method}(&self) -> crate::RequestBuilder<{model_crate}::{request}, {client}> {{\ncrate::RequestBuilder::new(self.clone())\n}}\n",
        method = action.module,
        request = service.object(&action.input).rust_name,
    );
}

fn builder_setters(out: &mut String, service: &Service, action: &Action, model_crate: &str) {
    let request = service.object(&action.input);
    if request.fields.is_empty() {
        return;
    }
    out.push('\n');
    if request.fields.iter().any(|f| f.deprecated) {
        out.push_str("#[allow(deprecated)]\n");
    }
    let _ = writeln!(
        out,
        "impl<C> crate::RequestBuilder<{model_crate}::{}, C> {{",
        request.rust_name
    );
    let mut required_index = 0u32;
    for field in &request.fields {
        out.push_str(&doc_comment(&field.doc, &format!("Sets `{}`.", field.wire)));
        method_attributes(out, field);
        let provided = if field.required {
            let provided = format!(".provided({required_index})");
            required_index += 1;
            provided
        } else {
            String::new()
        };
        let ty = service.setter_type(field, &format!("{model_crate}::"));
        let _ = writeln!(
            out,
            "pub fn {method}(self, {ident}: {ty}) -> Self {{\nself.map(|request| request.{ident}({ident})){provided}\n}}\n",
            method = builder_method(&field.ident),
            ident = field.ident,
        );
    }
    out.push_str("}\n");
}
