//! The generator on the vendored SCF and STS specs.

use std::collections::BTreeSet;

use super::model::{Scalar, Service};
use super::{emit_facade, spec, workspace_root};

fn scf() -> Service {
    service("scf", "v20180416")
}

fn service(name: &str, version: &str) -> Service {
    let root = workspace_root();
    let overrides = spec::read_overrides(&root.join("spec/overrides.toml")).unwrap();
    let common = spec::read_error_codes(&root.join("spec/common/errorcodes.json")).unwrap();
    let label = format!("spec/{name}/{version}/api.json");
    super::load(
        &root.join("spec"),
        name,
        version,
        label,
        &common,
        &overrides,
    )
    .unwrap()
}

#[test]
fn scf_has_52_actions_sorted_with_their_metadata() {
    let scf = scf();
    assert_eq!(scf.actions.len(), 52);
    let names: Vec<&str> = scf.actions.iter().map(|a| a.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let action = |name: &str| scf.actions.iter().find(|a| a.name == name).unwrap();
    let list = action("ListFunctions");
    assert_eq!(
        (list.module.as_str(), list.static_name.as_str()),
        ("list_functions", "LIST_FUNCTIONS")
    );
    assert!(list.idempotent && list.rate_limit.is_none());
    let invoke = action("Invoke");
    assert!(
        !invoke.idempotent,
        "a repeated Invoke is a second invocation"
    );
    assert_eq!(invoke.rate_limit, Some(100));
    assert_eq!(action("GetAsyncEventStatus").rate_limit, Some(20));
    assert!(!action("CreateFunction").idempotent);
    assert!(scf.actions.iter().all(|a| !a.deprecated));
    assert_eq!(
        (scf.name.as_str(), scf.version.as_str()),
        ("scf", "2018-04-16")
    );
}

#[test]
fn exactly_the_seven_scf_actions_page() {
    let scf = scf();
    let paged: BTreeSet<&str> = scf
        .actions
        .iter()
        .filter(|a| a.pagination.is_some())
        .map(|a| a.name.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "ListAsyncEvents",
        "ListFunctions",
        "ListNamespaces",
        "ListLayers",
        "ListTriggers",
        "ListCustomDomains",
        "GetFunctionLogs",
    ]
    .into();
    assert_eq!(paged, expected);
    let list = scf
        .actions
        .iter()
        .find(|a| a.name == "ListFunctions")
        .unwrap();
    let pagination = list.pagination.as_ref().unwrap();
    let response = scf.object(&list.output);
    assert_eq!(response.fields[pagination.items].wire, "Functions");
    assert_eq!(response.fields[pagination.total].wire, "TotalCount");
    assert_eq!(
        scf.object(&list.input).fields[pagination.offset].wire,
        "Offset"
    );
}

#[test]
fn error_codes_are_the_353_of_scf_and_the_common_ones() {
    let root = workspace_root();
    let own = spec::read_error_codes(&root.join("spec/scf/v20180416/errorcodes.json")).unwrap();
    let common = spec::read_error_codes(&root.join("spec/common/errorcodes.json")).unwrap();
    assert_eq!(own.len(), 353);
    let scf = scf();
    let codes: Vec<&str> = scf.error_codes.iter().map(|c| c.code.as_str()).collect();
    let union: BTreeSet<&str> = own.iter().chain(&common).map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        union.iter().copied().collect::<Vec<_>>(),
        "the union, sorted by code"
    );
    assert!(codes.len() > 353);
    let code = |name: &str| scf.error_codes.iter().find(|c| c.code == name).unwrap();
    assert_eq!(
        code("AuthFailure.MFAFailure").variant,
        "AuthFailureMfaFailure"
    );
    assert_eq!(
        code("UnauthorizedOperation.CAM").variant,
        "UnauthorizedOperationCam"
    );
    assert_eq!(
        code("FailedOperation.AsyncEventStatus").variant,
        "FailedOperationAsyncEventStatus"
    );
    // On a shared code the service's own description wins over the common one.
    let shared = own
        .iter()
        .find(|o| common.iter().any(|c| c.code == o.code))
        .unwrap();
    assert_eq!(code(&shared.code).description, shared.description);
}

#[test]
fn types_are_renamed_typed_and_boxed_as_the_contract_says() {
    let scf = scf();
    let result = scf.object("Result");
    assert_eq!(
        result.rust_name, "InvokeResult",
        "std's Result is not shadowed"
    );
    let field = |object: &str, wire: &str| {
        scf.object(object)
            .fields
            .iter()
            .find(|f| f.wire == wire)
            .unwrap()
    };
    let function_request_id = field("Result", "FunctionRequestId");
    assert!(function_request_id.plain && function_request_id.required);
    let request_id = field("InvokeResponse", "RequestId");
    assert!(
        !request_id.plain,
        "the spec does not mark RequestId output_required"
    );
    let status = field("ListAsyncEventsRequest", "Status");
    assert!(status.list && matches!(status.scalar, Scalar::Enum(_)));
    assert_eq!(scf.field_type(status), "Option<Vec<EventStatus>>");
    assert_eq!(
        scf.field_type(field("InvokeRequest", "FunctionName")),
        "String"
    );
    assert!(field("Trigger", "BindStatus").deprecated);
    let labels = field("NamespaceResourceEnvTKE", "NodeSelector");
    assert_eq!(scf.field_type(labels), "Option<Vec<K8SLabel>>");
    let cluster = field("NamespaceResourceEnvTKE", "ClusterID");
    assert_eq!(
        (cluster.ident.as_str(), cluster.rename.as_deref()),
        ("cluster_id", Some("ClusterID"))
    );
    assert!(
        cluster.plain,
        "required on both sides of a type used on both"
    );
    let keyword = scf
        .objects
        .values()
        .flat_map(|o| &o.fields)
        .find(|f| f.wire == "Type")
        .unwrap();
    assert_eq!(keyword.ident, "r#type");
    assert_eq!(scf.stats.boxes, 0, "SCF has no recursive types");
}

#[test]
fn facade_marks_required_members_by_their_index() {
    let scf = scf();
    let text = emit_facade::facade(&scf, "scf_model");
    let invoke = text
        .split("impl<C> crate::RequestBuilder<scf_model::InvokeRequest, C> {")
        .nth(1)
        .unwrap();
    let invoke = &invoke[..invoke.find("impl<C>").unwrap()];
    assert!(
        invoke.contains("request.function_name(function_name)).provided(0)"),
        "{invoke}"
    );
    assert!(
        invoke.contains("request.qualifier(qualifier))\n"),
        "{invoke}"
    );
    assert!(
        invoke.contains("impl Into<scf_model::InvocationType>"),
        "{invoke}"
    );
    assert_eq!(
        text.matches("pub fn list_functions(&self)").count(),
        2,
        "async and blocking"
    );
    assert_eq!(emit_facade::builder_method("send"), "send_member");
    assert_eq!(emit_facade::builder_method("limit"), "limit");
}

#[test]
fn sts_is_generated_with_its_own_overrides() {
    let sts = service("sts", "v20180813");
    assert_eq!(sts.actions.len(), 7);
    let assume = sts.actions.iter().find(|a| a.name == "AssumeRole").unwrap();
    assert!(assume.idempotent && assume.rate_limit == Some(600));
    let codes: Vec<&str> = sts.error_codes.iter().map(|c| c.code.as_str()).collect();
    assert!(codes.contains(&"FailedOperation.CheckMFAError") && codes.contains(&"InternalError"));
    let mfa = sts
        .error_codes
        .iter()
        .find(|c| c.code == "FailedOperation.CheckMFAError")
        .unwrap();
    assert_eq!(mfa.variant, "FailedOperationCheckMfaError");
}
