//! The shapes of a service's actions as data: what a generated model knows about its own types, for code
//! that works on any action at run time (a CLI building its commands, a server checking a request).

use crate::action::ActionMetadata;

/// One action: its calling rules, documentation, and the shapes of its request and response.
#[derive(Debug)]
pub struct ActionSchema {
    /// Service, version, name, idempotency and rate limit.
    pub metadata: ActionMetadata,
    /// The spec's short title of the action.
    pub title: &'static str,
    /// The spec's description of the action.
    pub doc: &'static str,
    /// Whether the spec marks the action deprecated.
    pub deprecated: bool,
    /// The members of the request (`<Action>Request`).
    pub input: &'static ObjectSchema,
    /// The members of the response (`<Action>Response`), `RequestId` included.
    pub output: &'static ObjectSchema,
    /// How the action pages its results, when it does.
    pub pagination: Option<PaginationSchema>,
}

impl ActionSchema {
    /// The action's name, PascalCase (`ListFunctions`).
    pub fn name(&self) -> &str {
        &self.metadata.action
    }
}

/// An object type: a request, a response, or a data type used in them.
#[derive(Debug)]
pub struct ObjectSchema {
    /// The type's name in the spec (`AsyncEvent`).
    pub name: &'static str,
    /// Its members, in the spec's order.
    pub members: &'static [MemberSchema],
}

impl ObjectSchema {
    /// The member spelled `name` on the wire.
    pub fn member(&self, name: &str) -> Option<&'static MemberSchema> {
        self.members.iter().find(|member| member.name == name)
    }
}

/// One member of an object type.
#[derive(Debug)]
pub struct MemberSchema {
    /// The name on the wire, PascalCase as the spec spells it (`ClusterID`).
    pub name: &'static str,
    /// The spec's description.
    pub doc: &'static str,
    /// The type of the value, or of each item of a list.
    pub kind: Kind,
    /// Whether the value is a JSON array of `kind`.
    pub list: bool,
    /// In a request, whether the caller must send it; in a response, whether the service always sends it.
    pub required: bool,
    /// Whether the service may send `null` for it.
    pub nullable: bool,
    /// Whether the spec marks it disabled.
    pub deprecated: bool,
    /// The values the service accepts, for a string member whose values are known; empty otherwise.
    pub values: &'static [&'static str],
}

/// The type of a member's value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A JSON string (dates, times and binary data are strings too).
    String,
    /// A JSON integer that may be negative (`int64`).
    Int,
    /// A JSON integer that is never negative (`uint64`).
    UInt,
    /// A JSON number.
    Float,
    /// `true` or `false`.
    Bool,
    /// A JSON object of the given type.
    Object(&'static ObjectSchema),
}

impl Kind {
    /// What a value of this kind is, for messages (`an integer`, `a JSON object of type Filter`).
    pub fn describe(&self) -> String {
        match self {
            Self::String => "a string".to_owned(),
            Self::Int => "an integer".to_owned(),
            Self::UInt => "a non-negative integer".to_owned(),
            Self::Float => "a number".to_owned(),
            Self::Bool => "true or false".to_owned(),
            Self::Object(object) => format!("an object of type {}", object.name),
        }
    }
}

/// Offset paging: which request members move through the pages and which response member holds the total.
#[derive(Debug, Clone, Copy)]
pub struct PaginationSchema {
    /// The request member that skips items (`Offset`).
    pub offset: &'static str,
    /// The request member that sizes a page (`Limit`).
    pub limit: &'static str,
    /// The response member that lists a page's items.
    pub items: &'static str,
    /// The response member that counts the items of all pages, when there is one.
    pub total: Option<&'static str>,
}
