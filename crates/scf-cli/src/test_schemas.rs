//! Small hand-made schemas in the shapes SCF's spec has, for the unit tests of the argument layer.

use tc_api::ActionMetadata;
use tc_api::schema::{ActionSchema, Kind, MemberSchema, ObjectSchema, PaginationSchema};

pub(crate) const fn member(
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

const fn documented(member: MemberSchema, doc: &'static str) -> MemberSchema {
    MemberSchema { doc, ..member }
}

pub(crate) static LIST_REQUEST: ObjectSchema = ObjectSchema {
    name: "ListThingsRequest",
    members: &[
        documented(
            member("FunctionName", Kind::String, false, true, &[]),
            "函数名称",
        ),
        member("InvokeRequestId", Kind::String, false, false, &[]),
        member("Status", Kind::String, true, false, &[]),
        member("Limit", Kind::UInt, false, false, &[]),
        member("Offset", Kind::UInt, false, false, &[]),
        documented(
            member("Order", Kind::String, false, false, &["ASC", "DESC"]),
            "以升序还是降序的方式返回结果",
        ),
        member("Weight", Kind::Float, false, false, &[]),
        member("GraceShutdown", Kind::Bool, false, false, &[]),
    ],
};

static THING: ObjectSchema = ObjectSchema {
    name: "Thing",
    members: &[
        member("Name", Kind::String, false, true, &[]),
        member("Size", Kind::Int, false, false, &[]),
    ],
};

pub(crate) static LIST_RESPONSE: ObjectSchema = ObjectSchema {
    name: "ListThingsResponse",
    members: &[
        member("Things", Kind::Object(&THING), true, true, &[]),
        member("TotalCount", Kind::UInt, false, true, &[]),
        member("RequestId", Kind::String, false, true, &[]),
    ],
};

pub(crate) static LIST_THINGS: ActionSchema = ActionSchema {
    metadata: ActionMetadata::new_static("scf", "2018-04-16", "ListThings", true, None),
    title: "列出东西",
    doc: "返回函数的东西列表。",
    deprecated: false,
    input: &LIST_REQUEST,
    output: &LIST_RESPONSE,
    pagination: Some(PaginationSchema {
        offset: "Offset",
        limit: "Limit",
        items: "Things",
        total: Some("TotalCount"),
    }),
};

static VARIABLE: ObjectSchema = ObjectSchema {
    name: "Variable",
    members: &[
        member("Key", Kind::String, false, false, &[]),
        member("Value", Kind::String, false, false, &[]),
    ],
};

static ENVIRONMENT: ObjectSchema = ObjectSchema {
    name: "Environment",
    members: &[member(
        "Variables",
        Kind::Object(&VARIABLE),
        true,
        false,
        &[],
    )],
};

pub(crate) static ENVIRONMENT_REQUEST: ObjectSchema = ObjectSchema {
    name: "UpdateThingRequest",
    members: &[
        member("FunctionName", Kind::String, false, true, &[]),
        member("Environment", Kind::Object(&ENVIRONMENT), false, false, &[]),
    ],
};

static NODE: ObjectSchema = ObjectSchema {
    name: "Node",
    members: &[
        member("Name", Kind::String, false, true, &[]),
        member("Children", Kind::Object(&NODE), true, false, &[]),
    ],
};

pub(crate) static TREE_REQUEST: ObjectSchema = ObjectSchema {
    name: "PlantTreeRequest",
    members: &[member("Root", Kind::Object(&NODE), false, false, &[])],
};

static STATUS: ObjectSchema = ObjectSchema {
    name: "Status",
    members: &[
        member("Status", Kind::String, false, true, &[]),
        member("StatusCode", Kind::Int, false, true, &[]),
        member("InvokeRequestId", Kind::String, false, true, &[]),
    ],
};

pub(crate) static STATUS_RESPONSE: ObjectSchema = ObjectSchema {
    name: "GetStatusResponse",
    members: &[
        member("Result", Kind::Object(&STATUS), false, true, &[]),
        member("RequestId", Kind::String, false, true, &[]),
    ],
};

pub(crate) static COLLIDING_REQUEST: ObjectSchema = ObjectSchema {
    name: "CollideRequest",
    members: &[
        member("Timeout", Kind::Int, false, false, &[]),
        member("ClusterID", Kind::String, false, false, &[]),
        member("ClusterId", Kind::String, false, false, &[]),
        member("output", Kind::String, false, false, &[]),
    ],
};

static EMPTY: ObjectSchema = ObjectSchema {
    name: "GetNothingRequest",
    members: &[],
};

static EMPTY_RESPONSE: ObjectSchema = ObjectSchema {
    name: "GetNothingResponse",
    members: &[member("RequestId", Kind::String, false, true, &[])],
};

pub(crate) static GET_NOTHING: ActionSchema = ActionSchema {
    metadata: ActionMetadata::new_static("scf", "2018-04-16", "GetNothing", true, None),
    title: "什么也不取",
    doc: "",
    deprecated: false,
    input: &EMPTY,
    output: &EMPTY_RESPONSE,
    pagination: None,
};

/// The actions of the tests, sorted by name like a generated `ACTIONS`.
pub(crate) static ACTIONS: &[&ActionSchema] = &[&GET_NOTHING, &INVOKE_THING, &LIST_THINGS];

static INVOKE_REQUEST: ObjectSchema = ObjectSchema {
    name: "InvokeRequest",
    members: &[
        member("FunctionName", Kind::String, false, true, &[]),
        member(
            "InvocationType",
            Kind::String,
            false,
            false,
            &["RequestResponse", "Event"],
        ),
        member("ClientContext", Kind::String, false, false, &[]),
        member("Namespace", Kind::String, false, false, &[]),
    ],
};

static INVOKE_RESULT: ObjectSchema = ObjectSchema {
    name: "Result",
    members: &[member("FunctionRequestId", Kind::String, false, true, &[])],
};

static INVOKE_RESPONSE: ObjectSchema = ObjectSchema {
    name: "InvokeResponse",
    members: &[
        member("Result", Kind::Object(&INVOKE_RESULT), false, true, &[]),
        member("RequestId", Kind::String, false, true, &[]),
    ],
};

pub(crate) static INVOKE_THING: ActionSchema = ActionSchema {
    metadata: ActionMetadata::new_static("scf", "2018-04-16", "Invoke", false, None),
    title: "运行函数",
    doc: "该接口用于运行函数。",
    deprecated: false,
    input: &INVOKE_REQUEST,
    output: &INVOKE_RESPONSE,
    pagination: None,
};
