//! The model of one service as the emitters see it: every spec name resolved to a Rust name, every member
//! to a Rust type, with the facts the spec leaves to inference (requiredness per side, boxing, paging).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::naming::{self, Namespace, Suffix};
use super::spec::{ErrorCodeSpec, MemberSpec, ObjectSpec, Overrides, ServiceInput, Usage};

/// One service, ready to emit.
pub(crate) struct Service {
    /// `spec/scf/v20180416/api.json`, for the first line of every file.
    pub(crate) spec_label: String,
    /// `scf`.
    pub(crate) name: String,
    /// `2018-04-16`.
    pub(crate) version: String,
    /// Sorted by name.
    pub(crate) actions: Vec<Action>,
    /// Every object: requests, responses and data types, by spec name.
    pub(crate) objects: BTreeMap<String, Object>,
    pub(crate) enums: Vec<OpenEnum>,
    /// Sorted by code.
    pub(crate) error_codes: Vec<ErrorCode>,
    pub(crate) stats: Stats,
}

/// What resolving the names had to do, for the all-services report.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stats {
    /// Fields whose snake_case name another field of the struct had.
    pub(crate) field_collisions: usize,
    /// Types whose name another type (or a generated item) had.
    pub(crate) type_collisions: usize,
    /// Modules, schema statics and error code variants whose name was taken.
    pub(crate) other_collisions: usize,
    /// Types named otherwise than in the spec: by `type_renames` or away from a prelude name.
    pub(crate) renamed_types: usize,
    pub(crate) boxes: usize,
    pub(crate) keywords: usize,
    /// One line per collision resolved: `service: what -> name`.
    pub(crate) resolved: Vec<String>,
}

impl Stats {
    pub(crate) fn collisions(&self) -> usize {
        self.field_collisions + self.type_collisions + self.other_collisions
    }

    pub(crate) fn add(&mut self, other: &Stats) {
        self.field_collisions += other.field_collisions;
        self.type_collisions += other.type_collisions;
        self.other_collisions += other.other_collisions;
        self.renamed_types += other.renamed_types;
        self.boxes += other.boxes;
        self.keywords += other.keywords;
        self.resolved.extend(other.resolved.iter().cloned());
    }

    /// Counts a name that had to be changed to `resolved` because `what` was taken.
    fn collided(&mut self, kind: Collision, what: &str, resolved: &str) {
        match kind {
            Collision::Field => self.field_collisions += 1,
            Collision::Type => self.type_collisions += 1,
            Collision::Other => self.other_collisions += 1,
        }
        self.resolved.push(format!("{what} -> {resolved}"));
    }
}

#[derive(Clone, Copy)]
enum Collision {
    Field,
    Type,
    Other,
}

pub(crate) struct Action {
    /// `ListFunctions`.
    pub(crate) name: String,
    /// The `AnyRequest` variant.
    pub(crate) variant: String,
    /// The module and the client method (`list_functions`).
    pub(crate) module: String,
    /// The `ActionSchema` static (`LIST_FUNCTIONS`).
    pub(crate) static_name: String,
    pub(crate) title: String,
    pub(crate) doc: String,
    pub(crate) deprecated: bool,
    pub(crate) idempotent: bool,
    pub(crate) rate_limit: Option<u32>,
    /// Spec names of the request and response objects.
    pub(crate) input: String,
    pub(crate) output: String,
    pub(crate) pagination: Option<Pagination>,
}

/// Offset paging: the request's `Offset`, the response's list and its total.
pub(crate) struct Pagination {
    /// Index of `Offset` and `Limit` among the request's fields.
    pub(crate) offset: usize,
    pub(crate) limit: usize,
    /// Index of the list and of the total among the response's fields.
    pub(crate) items: usize,
    pub(crate) total: usize,
}

/// Where a type is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Module {
    Types,
    Action(String),
}

/// Which side of a call a type travels on; it decides which fields are plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
    Both,
}

pub(crate) struct Object {
    pub(crate) spec_name: String,
    pub(crate) rust_name: String,
    /// The `ObjectSchema` static.
    pub(crate) static_name: String,
    pub(crate) module: Module,
    pub(crate) doc: String,
    pub(crate) fields: Vec<Field>,
}

pub(crate) struct Field {
    pub(crate) wire: String,
    pub(crate) ident: String,
    pub(crate) rename: Option<String>,
    pub(crate) doc: String,
    pub(crate) scalar: Scalar,
    pub(crate) list: bool,
    /// Plain `T`, required on every side the type is used on; otherwise `Option<T>`.
    pub(crate) plain: bool,
    /// `Box<T>`, an object edge inside a cycle.
    pub(crate) boxed: bool,
    /// The schema's `required`: the caller must send it, or the service always sends it.
    pub(crate) required: bool,
    pub(crate) nullable: bool,
    pub(crate) deprecated: bool,
}

impl Field {
    /// Whether `tc_api::de::int` reads the field.
    pub(crate) fn is_int(&self) -> bool {
        matches!(self.scalar, Scalar::Int | Scalar::UInt)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar {
    String,
    Int,
    UInt,
    Float,
    Bool,
    /// An object, by spec name.
    Object(String),
    /// An open enum of the overrides, by index.
    Enum(usize),
}

/// An enumeration of `spec/overrides.toml`, kept open with an `Unknown(String)` variant.
pub(crate) struct OpenEnum {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// `(wire, variant, doc)`.
    pub(crate) values: Vec<(String, String, String)>,
}

pub(crate) struct ErrorCode {
    pub(crate) code: String,
    pub(crate) variant: String,
    pub(crate) description: String,
}

impl Service {
    /// The object of a spec name; the model only holds names it has resolved.
    pub(crate) fn object(&self, spec_name: &str) -> &Object {
        &self.objects[spec_name]
    }

    /// The data types: every object that is not a request or response, in name order.
    pub(crate) fn data_types(&self) -> impl Iterator<Item = &Object> {
        self.objects.values().filter(|o| o.module == Module::Types)
    }

    /// The Rust type of one value of `scalar` (an item, for a list).
    pub(crate) fn scalar_type(&self, scalar: &Scalar) -> String {
        self.scalar_type_in(scalar, "")
    }

    /// The type of one value of `scalar`, a model type prefixed with `path` (`scf_model::`).
    fn scalar_type_in(&self, scalar: &Scalar, path: &str) -> String {
        match scalar {
            Scalar::String => "String".to_owned(),
            Scalar::Int => "i64".to_owned(),
            Scalar::UInt => "u64".to_owned(),
            Scalar::Float => "f64".to_owned(),
            Scalar::Bool => "bool".to_owned(),
            Scalar::Object(name) => format!("{path}{}", self.object(name).rust_name),
            Scalar::Enum(index) => format!("{path}{}", self.enums[*index].name),
        }
    }

    /// The field's type without `Option` (`Vec<Filter>`, `Box<JobConfig>`, `i64`).
    pub(crate) fn value_type(&self, field: &Field) -> String {
        let item = self.scalar_type(&field.scalar);
        if field.list {
            format!("Vec<{item}>")
        } else if field.boxed {
            format!("Box<{item}>")
        } else {
            item
        }
    }

    /// The field's declared type.
    pub(crate) fn field_type(&self, field: &Field) -> String {
        let value = self.value_type(field);
        if field.plain {
            value
        } else {
            format!("Option<{value}>")
        }
    }

    /// What a setter of the field takes: `impl Into<Vec<T>>` for lists, `impl Into<T>` otherwise, with
    /// model types prefixed with `path`; a `u64` is taken as such, since a literal (`900`) would otherwise
    /// be an `i32`, which does not convert to `u64`.
    pub(crate) fn setter_type(&self, field: &Field, path: &str) -> String {
        let item = self.scalar_type_in(&field.scalar, path);
        if field.list {
            format!("impl Into<Vec<{item}>>")
        } else if field.scalar == Scalar::UInt {
            item
        } else {
            format!("impl Into<{item}>")
        }
    }

    /// The Rust names a module refers to that another module defines.
    pub(crate) fn imports(&self, module: &Module, objects: &[&Object]) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for object in objects {
            for field in &object.fields {
                match &field.scalar {
                    Scalar::Object(name) => {
                        let target = self.object(name);
                        if &target.module != module {
                            names.insert(target.rust_name.clone());
                        }
                    }
                    Scalar::Enum(index) if *module != Module::Types => {
                        names.insert(self.enums[*index].name.clone());
                    }
                    _ => {}
                }
            }
        }
        names
    }
}

/// Resolves one service's spec against the overrides.
pub(crate) fn resolve(input: &ServiceInput, overrides: &Overrides) -> Result<Service, String> {
    let api = &input.api;
    let name = api.metadata.service_short_name.clone();
    let service_overrides = overrides.services.get(&name);
    let mut stats = Stats::default();

    for action in service_overrides.iter().flat_map(|s| s.actions.keys()) {
        if !api.actions.contains_key(action) {
            return Err(format!(
                "overrides name action {name}.{action}, which the spec lacks"
            ));
        }
    }

    // Which module each object lives in: a request or response in its action's, the rest in types.
    let mut modules = Namespace::new(
        Suffix::Underscore,
        &["any_request", "error_code", "schema", "types"],
    );
    let mut action_modules = Vec::new();
    let mut placement: HashMap<&str, Module> = HashMap::new();
    for (action, spec) in &api.actions {
        for object in [&spec.input, &spec.output] {
            if !api.objects.contains_key(object) {
                return Err(format!(
                    "action {action} names object {object}, which the spec lacks"
                ));
            }
        }
        let mut snake = naming::snake(action);
        if naming::is_keyword(&snake) {
            snake.push_str("_action");
        }
        let (module, collided) = modules.claim(&snake);
        if collided {
            stats.collided(
                Collision::Other,
                &format!("{name}: module of {action}"),
                &module,
            );
        }
        for object in [&spec.input, &spec.output] {
            placement
                .entry(object.as_str())
                .or_insert_with(|| Module::Action(module.clone()));
        }
        action_modules.push(module);
    }

    // Type names: requests and responses first, then data types.
    let mut types = Namespace::new(Suffix::Plain, naming::GENERATED_TYPES);
    let mut rust_names: HashMap<&str, String> = HashMap::new();
    let ordered_objects = api
        .actions
        .values()
        .flat_map(|a| [a.input.as_str(), a.output.as_str()])
        .chain(api.objects.keys().map(String::as_str));
    let mut claim_type = |spec_name: &str, stats: &mut Stats| {
        let rename = overrides.type_renames.get(spec_name).map(String::as_str);
        let base = naming::type_name(spec_name, rename);
        stats.renamed_types += usize::from(base != spec_name);
        let (rust, collided) = types.claim(&base);
        if collided {
            stats.collided(Collision::Type, &format!("{name}: type {spec_name}"), &rust);
        }
        rust
    };
    let mut enums = Vec::new();
    let mut enum_members: HashMap<&str, usize> = HashMap::new();
    let mut object_order = Vec::new();
    for spec_name in ordered_objects {
        if !rust_names.contains_key(spec_name) {
            object_order.push(spec_name);
            let rust = claim_type(spec_name, &mut stats);
            rust_names.insert(spec_name, rust);
        }
    }
    // Enums are claimed after every object so that a spec type keeps its name; a clash is an
    // overrides mistake and is reported rather than renamed.
    for (index, spec) in service_overrides.iter().flat_map(|s| &s.enums).enumerate() {
        if rust_names.values().any(|rust| rust == &spec.name)
            || naming::GENERATED_TYPES.contains(&spec.name.as_str())
        {
            return Err(format!(
                "override enum {} clashes with a generated type of {name}",
                spec.name
            ));
        }
        for member in &spec.members {
            if enum_members.insert(member.as_str(), index).is_some() {
                return Err(format!("override member {member} has two enums"));
            }
        }
        enums.push(OpenEnum {
            name: spec.name.clone(),
            doc: spec.doc.clone(),
            values: spec
                .values
                .iter()
                .map(|v| (v.wire.clone(), v.name.clone(), v.doc.clone()))
                .collect(),
        });
    }

    // Schema statics: actions keep their SCREAMING name; objects take what is left.
    let mut statics = Namespace::new(Suffix::Underscore, &["ACTIONS"]);
    let mut action_statics = Vec::new();
    for action in api.actions.keys() {
        let (static_name, collided) = statics.claim(&naming::screaming(action));
        if collided {
            stats.collided(
                Collision::Other,
                &format!("{name}: schema of {action}"),
                &static_name,
            );
        }
        action_statics.push(static_name);
    }

    let boxed_edges = cyclic_edges(&api.objects);
    let mut objects = BTreeMap::new();
    let mut used_enum_members = 0;
    for spec_name in object_order {
        let spec = &api.objects[spec_name];
        let module = placement.get(spec_name).cloned().unwrap_or(Module::Types);
        let side = match (&module, spec.usage) {
            (Module::Action(_), _) => {
                if api.actions.values().any(|a| a.input == spec_name) {
                    Side::Request
                } else {
                    Side::Response
                }
            }
            (Module::Types, Some(Usage::In)) => Side::Request,
            (Module::Types, Some(Usage::Out)) => Side::Response,
            (Module::Types, _) => Side::Both,
        };
        let (static_name, collided) = statics.claim(&naming::screaming(spec_name));
        if collided {
            stats.collided(
                Collision::Other,
                &format!("{name}: schema of {spec_name}"),
                &static_name,
            );
        }
        let names = naming::field_names(spec.members.iter().map(|m| m.name.as_str()));
        let mut fields = Vec::with_capacity(names.len());
        for (member, field_name) in spec.members.iter().zip(names) {
            if field_name.collided {
                let what = format!("{name}: field {spec_name}.{}", member.name);
                stats.collided(Collision::Field, &what, &field_name.ident);
            }
            stats.keywords += usize::from(field_name.keyword_escaped);
            let key = format!("{spec_name}.{}", member.name);
            let enum_index = enum_members.get(key.as_str()).copied();
            used_enum_members += usize::from(enum_index.is_some());
            let boxed = boxed_edges.contains(&(spec_name.to_owned(), member.member.clone()))
                && member.kind == "object";
            stats.boxes += usize::from(boxed);
            fields.push(field(
                spec_name,
                member,
                field_name,
                side,
                enum_index,
                boxed,
                &api.objects,
            )?);
        }
        objects.insert(
            spec_name.to_owned(),
            Object {
                spec_name: spec_name.to_owned(),
                rust_name: rust_names[spec_name].clone(),
                static_name,
                module,
                doc: spec.document.clone().unwrap_or_default(),
                fields,
            },
        );
    }
    let enum_member_count: usize =
        enums_members_total(service_overrides.map(|s| s.enums.as_slice()));
    if used_enum_members != enum_member_count {
        let unknown: Vec<_> = enum_members
            .keys()
            .filter(|key| {
                let (object, member) = key.split_once('.').unwrap_or((key, ""));
                !api.objects
                    .get(object)
                    .is_some_and(|o| o.members.iter().any(|m| m.name == member))
            })
            .collect();
        return Err(format!(
            "override enum members not in the {name} spec: {unknown:?}"
        ));
    }

    let mut actions = Vec::new();
    for ((action, spec), (module, static_name)) in api
        .actions
        .iter()
        .zip(action_modules.into_iter().zip(action_statics))
    {
        let action_override = service_overrides.and_then(|s| s.actions.get(action));
        let idempotent = action_override
            .and_then(|o| o.idempotent)
            .unwrap_or_else(|| {
                overrides
                    .idempotent_prefixes
                    .iter()
                    .any(|prefix| action.starts_with(prefix.as_str()))
            });
        let pagination = pagination(&objects[&spec.input], &objects[&spec.output]);
        actions.push(Action {
            name: action.clone(),
            variant: naming::type_name(action, None),
            module,
            static_name,
            title: spec.name.clone().unwrap_or_default(),
            doc: spec.document.clone().unwrap_or_default(),
            deprecated: spec
                .status
                .as_deref()
                .is_some_and(|status| status != "online"),
            idempotent,
            rate_limit: action_override.and_then(|o| o.rate_limit),
            input: spec.input.clone(),
            output: spec.output.clone(),
            pagination,
        });
    }

    let error_codes = error_codes(
        &name,
        &input.common_error_codes,
        &input.error_codes,
        &mut stats,
    );
    Ok(Service {
        spec_label: input.spec_label.clone(),
        name,
        version: api.metadata.api_version.clone(),
        actions,
        objects,
        enums,
        error_codes,
        stats,
    })
}

fn enums_members_total(enums: Option<&[super::spec::EnumOverride]>) -> usize {
    enums
        .unwrap_or_default()
        .iter()
        .map(|e| e.members.len())
        .sum()
}

/// One member as a field: its Rust type and whether it is plain on the sides its type is used on.
fn field(
    object: &str,
    member: &MemberSpec,
    name: naming::FieldName,
    side: Side,
    enum_index: Option<usize>,
    boxed: bool,
    objects: &BTreeMap<String, ObjectSpec>,
) -> Result<Field, String> {
    let at = || format!("{object}.{}", member.name);
    let scalar_of = |kind: &str, item: &str| -> Result<Scalar, String> {
        Ok(match (kind, item) {
            ("string" | "binary", _) => Scalar::String,
            ("int", "uint64") => Scalar::UInt,
            ("int", _) => Scalar::Int,
            ("float", _) => Scalar::Float,
            ("bool", _) => Scalar::Bool,
            ("object", name) if objects.contains_key(name) => Scalar::Object(name.to_owned()),
            _ => return Err(format!("{}: unknown type {kind}/{item}", at())),
        })
    };
    let (mut scalar, list) = if member.kind == "list" {
        let item_kind = match member.member.as_str() {
            "string" | "datetime" | "datetime_iso" | "date" | "binary" => "string",
            "int64" | "uint64" => "int",
            "float" => "float",
            "bool" => "bool",
            _ => "object",
        };
        (scalar_of(item_kind, &member.member)?, true)
    } else {
        (scalar_of(&member.kind, &member.member)?, false)
    };
    if let Some(index) = enum_index {
        if scalar != Scalar::String {
            return Err(format!("{}: an override enum needs a string member", at()));
        }
        scalar = Scalar::Enum(index);
    }
    let nullable = member.value_allowed_null.unwrap_or(false);
    let sent = member.required.unwrap_or(false);
    let returned = member.output_required.unwrap_or(false) || sent;
    let (required, plain) = match side {
        Side::Request => (sent, sent),
        Side::Response => (returned, returned && !nullable),
        Side::Both => (sent && returned, sent && returned && !nullable),
    };
    Ok(Field {
        wire: member.name.clone(),
        ident: name.ident,
        rename: name.rename,
        doc: member.document.clone().unwrap_or_default(),
        scalar,
        list,
        // A boxed edge is optional, so a value of the type can end and its Default terminates.
        plain: plain && !boxed,
        boxed,
        required,
        nullable,
        deprecated: member.disabled.unwrap_or(false),
    })
}

/// The `(from, to)` object edges, not through lists, that lie on a cycle: these need a `Box`.
fn cyclic_edges(objects: &BTreeMap<String, ObjectSpec>) -> BTreeSet<(String, String)> {
    let edges = |name: &str| -> Vec<&str> {
        objects[name]
            .members
            .iter()
            .filter(|m| m.kind == "object" && objects.contains_key(&m.member))
            .map(|m| m.member.as_str())
            .collect()
    };
    let component = strongly_connected(objects.keys().map(String::as_str), edges);
    let mut cyclic = BTreeSet::new();
    for name in objects.keys() {
        for target in edges(name) {
            if component[name.as_str()] == component[target] {
                cyclic.insert((name.clone(), target.to_owned()));
            }
        }
    }
    cyclic
}

/// Tarjan's algorithm, iterative: the component index of every node.
fn strongly_connected<'a>(
    nodes: impl Iterator<Item = &'a str>,
    edges: impl Fn(&str) -> Vec<&'a str>,
) -> HashMap<&'a str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut component: HashMap<&str, usize> = HashMap::new();
    let mut components = 0;
    for root in nodes {
        if index.contains_key(root) {
            continue;
        }
        let mut work: Vec<(&str, Vec<&str>, usize)> = Vec::new();
        let visit = |node: &'a str,
                     index: &mut HashMap<&'a str, usize>,
                     low: &mut HashMap<&'a str, usize>| {
            let n = index.len();
            index.insert(node, n);
            low.insert(node, n);
        };
        visit(root, &mut index, &mut low);
        stack.push(root);
        on_stack.insert(root);
        work.push((root, edges(root), 0));
        while let Some((node, targets, next)) = work.last_mut() {
            let node = *node;
            if let Some(&target) = targets.get(*next) {
                *next += 1;
                if !index.contains_key(target) {
                    visit(target, &mut index, &mut low);
                    stack.push(target);
                    on_stack.insert(target);
                    work.push((target, edges(target), 0));
                } else if on_stack.contains(target) {
                    let low_node = low[node].min(index[target]);
                    low.insert(node, low_node);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _, _)) = work.last() {
                let low_parent = low[parent].min(low[node]);
                low.insert(parent, low_parent);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member, components);
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

/// The paging of an action: the request has an integer `Offset` and `Limit`, and the response exactly
/// one list and an integer `TotalCount` or `Total`.
fn pagination(request: &Object, response: &Object) -> Option<Pagination> {
    let int_field = |object: &Object, wire: &str| {
        object
            .fields
            .iter()
            .position(|f| f.wire == wire && f.is_int() && !f.list)
    };
    let offset = int_field(request, "Offset")?;
    let limit = int_field(request, "Limit")?;
    let total = int_field(response, "TotalCount").or_else(|| int_field(response, "Total"))?;
    let mut lists = response.fields.iter().enumerate().filter(|(_, f)| f.list);
    let (items, _) = lists.next()?;
    if lists.next().is_some() {
        return None;
    }
    Some(Pagination {
        offset,
        limit,
        items,
        total,
    })
}

/// The common codes and the service's, the service's description winning, sorted by code, each with a
/// variant name no other code has.
fn error_codes(
    service: &str,
    common: &[ErrorCodeSpec],
    own: &[ErrorCodeSpec],
    stats: &mut Stats,
) -> Vec<ErrorCode> {
    let mut by_code: BTreeMap<&str, &str> = BTreeMap::new();
    for spec in common.iter().chain(own) {
        by_code.insert(&spec.code, &spec.description);
    }
    let mut variants = Namespace::new(Suffix::Plain, &["Other"]);
    by_code
        .into_iter()
        .map(|(code, description)| {
            let (variant, collided) = variants.claim(&naming::error_variant(code));
            if collided {
                stats.collided(
                    Collision::Other,
                    &format!("{service}: error code {code}"),
                    &variant,
                );
            }
            ErrorCode {
                code: code.to_owned(),
                variant,
                description: description.to_owned(),
            }
        })
        .collect()
}

/// Fails when two items of one Rust namespace still share a name: the check that resolution worked.
pub(crate) fn verify_unique(service: &Service) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    let module_types = service
        .objects
        .values()
        .map(|o| o.rust_name.as_str())
        .chain(service.enums.iter().map(|e| e.name.as_str()))
        .chain(naming::GENERATED_TYPES.iter().copied());
    for name in module_types {
        if !seen.insert(name) {
            return Err(format!("{}: two types named {name}", service.name));
        }
    }
    let unique = |what: &str, names: Vec<&str>| -> Result<(), String> {
        let mut seen = BTreeSet::new();
        match names.into_iter().find(|name| !seen.insert(*name)) {
            Some(name) => Err(format!("{}: two {what} named {name}", service.name)),
            None => Ok(()),
        }
    };
    for object in service.objects.values() {
        unique(
            &format!("fields of {}", object.rust_name),
            object.fields.iter().map(|f| f.ident.as_str()).collect(),
        )?;
        unique(
            &format!("wire names of {}", object.rust_name),
            object.fields.iter().map(|f| f.wire.as_str()).collect(),
        )?;
    }
    unique(
        "modules",
        service.actions.iter().map(|a| a.module.as_str()).collect(),
    )?;
    unique(
        "variants of AnyRequest",
        service.actions.iter().map(|a| a.variant.as_str()).collect(),
    )?;
    unique(
        "schema statics",
        service
            .actions
            .iter()
            .map(|a| a.static_name.as_str())
            .chain(service.objects.values().map(|o| o.static_name.as_str()))
            .chain(["ACTIONS"])
            .collect(),
    )?;
    unique(
        "variants of ErrorCode",
        service
            .error_codes
            .iter()
            .map(|c| c.variant.as_str())
            .chain(["Other"])
            .collect(),
    )?;
    Ok(())
}
