//! Custom domains: a host name routed by path to functions, with its protocol, certificate and WAF
//! settings kept as given.
//!
//! The emulator stores the routes and checks what they name; it does not serve requests on the domains
//! (there is no DNS to point at it). Choices where the service's documentation is silent:
//! - `Domain` is a host name: labels of letters, digits and `-` (neither first nor last), at least two,
//!   253 characters at most, no wildcard; bad → `InvalidParameterValue.Domain`. Names compare without case
//!   and are stored in lower case. A domain that exists → `ResourceInUse`; one that does not →
//!   `FailedOperation.Domain.UnExist` (the code GetCustomDomain documents) for Get, Update and Delete.
//! - `Protocol` is `HTTP`, `HTTPS` or `HTTP&HTTPS`; bad → `InvalidParameterValue` naming it. HTTPS needs a
//!   `CertConfig.CertificateId` (the member docs: "有使用HTTPS协议时候必须传"): CreateCustomDomain refuses
//!   its absence with `InvalidParameterValue`, UpdateCustomDomain with `FailedOperation.Ssl`, its only
//!   documented code. Certificates are not looked up; the id is kept as given.
//! - `EndpointsConfig`: at least one route. Each route's namespace, function and `Qualifier` (version or
//!   alias; empty means `$LATEST`) must exist when the route is set (`ResourceNotFound.Namespace`,
//!   `.Function`, `.Qualifier`); a route whose function is deleted later stays, as a dangling route.
//!   `PathMatch` is `/`, `/*`, `/xxx`, `/xxx/a` or `/xxx/*` (the member docs' forms), each at most once per
//!   domain; `PathRewrite` rules have a `Path` of the same form, `Type` `WildcardRules` or `ExactRules`, and
//!   a `Rewrite` starting with `/`. Bad routes → `InvalidParameterValue` naming the member.
//! - `WafConfig.WafOpen` is `OPEN` or `CLOSE`; without a WafConfig a domain answers `WafOpen` `CLOSE`.
//! - ListCustomDomains: `Limit` 1-100 (0 or left out: 20); filters `Domain` (substring), `Protocol`,
//!   `Namespace` and `FunctionName` (a route names it); values of one filter are alternatives, filters all
//!   apply; other names → `InvalidParameterValue.Filters`.

use rusqlite::{Connection, OptionalExtension, Row, params};
use scf_model::{
    CertConf, CreateCustomDomainRequest, CreateCustomDomainResponse, DeleteCustomDomainRequest,
    DeleteCustomDomainResponse, DomainInfo, EndpointsConf, ErrorCode, Filter,
    GetCustomDomainRequest, GetCustomDomainResponse, ListCustomDomainsRequest,
    ListCustomDomainsResponse, Order, Tag, UpdateCustomDomainRequest, UpdateCustomDomainResponse,
    WafConf,
};
use serde::{Deserialize, Serialize};

use super::paging::{by_mod_time, unsigned_page};
use super::{Backend, Call, body, functions, namespace_or_default, versions};
use crate::db::{from_json, to_json};
use crate::failure::Failure;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE custom_domains (
    -- Lower case.
    domain TEXT PRIMARY KEY NOT NULL,
    -- JSON: the Settings.
    settings TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE INDEX custom_domains_by_added ON custom_domains (created, domain);
CREATE INDEX custom_domains_by_modified ON custom_domains (modified, domain);
";

const PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "HTTP&HTTPS"];
const REWRITE_TYPES: &[&str] = &["WildcardRules", "ExactRules"];
const FILTERS: &[&str] = &["Domain", "Protocol", "Namespace", "FunctionName"];
const DOMAIN_MAX_LEN: usize = 253;
const LABEL_MAX_LEN: usize = 63;

/// What a domain is configured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Settings {
    protocol: String,
    endpoints: Vec<EndpointsConf>,
    cert: Option<CertConf>,
    waf: Option<WafConf>,
    tags: Vec<Tag>,
}

/// A domain as stored.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    domain: String,
    settings: Settings,
    created: u64,
    modified: u64,
}

impl Stored {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Self, Failure>> {
        let settings: String = row.get(1)?;
        Ok(Ok(Self {
            domain: row.get(0)?,
            settings: match from_json(&settings) {
                Ok(settings) => settings,
                Err(failure) => return Ok(Err(failure)),
            },
            created: row.get::<_, i64>(2)? as u64,
            modified: row.get::<_, i64>(3)? as u64,
        }))
    }

    fn waf(&self) -> WafConf {
        self.settings
            .waf
            .clone()
            .unwrap_or_else(|| WafConf::default().waf_open("CLOSE").waf_instance_id(""))
    }

    fn to_info(&self) -> DomainInfo {
        let mut info = DomainInfo::default()
            .domain(self.domain.clone())
            .protocol(self.settings.protocol.clone())
            .endpoints_config(self.settings.endpoints.clone())
            .waf_config(self.waf())
            .tags(self.settings.tags.clone());
        if let Some(cert) = &self.settings.cert {
            info = info.cert_config(cert.clone());
        }
        info
    }

    fn save(&self, connection: &Connection) -> Result<(), Failure> {
        connection
            .prepare_cached(
                "INSERT INTO custom_domains (domain, settings, created, modified) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (domain) DO UPDATE SET settings = excluded.settings, modified = excluded.modified",
            )?
            .execute(params![
                self.domain,
                to_json(&self.settings),
                self.created as i64,
                self.modified as i64,
            ])?;
        Ok(())
    }
}

fn find(connection: &Connection, domain: &str) -> Result<Option<Stored>, Failure> {
    connection
        .prepare_cached(
            "SELECT domain, settings, created, modified FROM custom_domains WHERE domain = ?1",
        )?
        .query_row([domain], Stored::from_row)
        .optional()?
        .transpose()
}

fn require(connection: &Connection, domain: &str) -> Result<Stored, Failure> {
    find(connection, domain)?.ok_or_else(|| {
        Failure::new(
            ErrorCode::FailedOperationDomainUnExist,
            format!("Custom domain `{domain}` does not exist."),
        )
    })
}

/// The domain a request names, checked and in lower case.
fn domain_name(given: Option<&str>) -> Result<String, Failure> {
    let given = given
        .filter(|d| !d.is_empty())
        .ok_or_else(|| Failure::missing("Domain"))?;
    let label_ok = |label: &str| {
        (1..=LABEL_MAX_LEN).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let labels: Vec<&str> = given.split('.').collect();
    if given.len() > DOMAIN_MAX_LEN || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueDomain,
            "Domain",
            "a host name such as `www.example.com`: at least two labels of letters, digits and `-`, no wildcard, at most 253 characters",
        ));
    }
    Ok(given.to_ascii_lowercase())
}

fn check_protocol(protocol: &str) -> Result<(), Failure> {
    if PROTOCOLS.contains(&protocol) {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "Protocol",
            "use HTTP, HTTPS or HTTP&HTTPS",
        ))
    }
}

fn has_certificate(cert: Option<&CertConf>) -> bool {
    cert.and_then(|c| c.certificate_id.as_deref())
        .is_some_and(|id| !id.is_empty())
}

fn check_waf(waf: Option<&WafConf>) -> Result<(), Failure> {
    match waf.and_then(|w| w.waf_open.as_deref()) {
        None | Some("OPEN" | "CLOSE") => Ok(()),
        Some(_) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "WafConfig.WafOpen",
            "use OPEN or CLOSE",
        )),
    }
}

/// `/`, `/*`, `/xxx`, `/xxx/a`, `/xxx/*`: absolute, no empty segment, `*` only as the whole last one.
fn is_path_pattern(path: &str) -> bool {
    if path == "/" || path == "/*" {
        return true;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(i, segment)| {
        !segment.is_empty()
            && !segment.chars().any(|c| c.is_whitespace() || c.is_control())
            && (!segment.contains('*') || (i == last && *segment == "*"))
    })
}

/// Checks every route and that each names a function version or alias that exists.
fn check_endpoints(connection: &Connection, endpoints: &[EndpointsConf]) -> Result<(), Failure> {
    if endpoints.is_empty() {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "EndpointsConfig",
            "a domain routes at least one path",
        ));
    }
    for (i, endpoint) in endpoints.iter().enumerate() {
        let member = |name: &str| format!("EndpointsConfig.{i}.{name}");
        if !is_path_pattern(&endpoint.path_match) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                &member("PathMatch"),
                "one of the forms /, /*, /xxx, /xxx/a, /xxx/*",
            ));
        }
        if endpoints[..i]
            .iter()
            .any(|earlier| earlier.path_match == endpoint.path_match)
        {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                &member("PathMatch"),
                &format!("`{}` is routed twice", endpoint.path_match),
            ));
        }
        for (j, rule) in endpoint.path_rewrite.iter().flatten().enumerate() {
            let rule_member = |name: &str| member(&format!("PathRewrite.{j}.{name}"));
            if !is_path_pattern(&rule.path) {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    &rule_member("Path"),
                    "one of the forms /, /*, /xxx, /xxx/a, /xxx/*",
                ));
            }
            if !REWRITE_TYPES.contains(&rule.r#type.as_str()) {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    &rule_member("Type"),
                    "use WildcardRules or ExactRules",
                ));
            }
            if !rule.rewrite.starts_with('/') {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    &rule_member("Rewrite"),
                    "a path starting with `/`, such as `/$`",
                ));
            }
        }
        let namespace = namespace_or_default(Some(&endpoint.namespace));
        let function = functions::find(connection, namespace, &endpoint.function_name)?;
        versions::resolve(connection, &function, Some(&endpoint.qualifier))?;
    }
    Ok(())
}

pub(super) fn create_custom_domain(
    backend: &Backend,
    request: &CreateCustomDomainRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let domain = domain_name(Some(&request.domain))?;
    check_protocol(&request.protocol)?;
    if request.protocol != "HTTP" && !has_certificate(request.cert_config.as_ref()) {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "CertConfig.CertificateId",
            &format!("protocol {} needs a certificate", request.protocol),
        ));
    }
    check_waf(request.waf_config.as_ref())?;
    backend.db.write(|tx| {
        if find(tx, &domain)?.is_some() {
            return Err(Failure::new(
                ErrorCode::ResourceInUse,
                format!("Custom domain `{domain}` already exists."),
            ));
        }
        check_endpoints(tx, &request.endpoints_config)?;
        Stored {
            domain: domain.clone(),
            settings: Settings {
                protocol: request.protocol.clone(),
                endpoints: request.endpoints_config.clone(),
                cert: request.cert_config.clone(),
                waf: request.waf_config.clone(),
                tags: request.tags.clone().unwrap_or_default(),
            },
            created: call.now,
            modified: call.now,
        }
        .save(tx)
    })?;
    Ok(body(
        CreateCustomDomainResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn get_custom_domain(
    backend: &Backend,
    request: &GetCustomDomainRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let domain = domain_name(request.domain.as_deref())?;
    let stored = backend.db.read(|c| require(c, &domain))?;
    let mut response = GetCustomDomainResponse::default()
        .domain(stored.domain.clone())
        .protocol(stored.settings.protocol.clone())
        .endpoints_config(stored.settings.endpoints.clone())
        .waf_config(stored.waf())
        .tags(stored.settings.tags.clone())
        .request_id(call.request_id);
    if let Some(cert) = stored.settings.cert {
        response = response.cert_config(cert);
    }
    Ok(body(response))
}

/// Whether `stored` passes every filter: values of one filter are alternatives.
fn matches(stored: &Stored, filters: &[Filter]) -> bool {
    let routes = &stored.settings.endpoints;
    filters.iter().all(|filter| {
        filter
            .values
            .iter()
            .any(|value| match filter.name.as_str() {
                "Domain" => stored.domain.contains(&value.to_ascii_lowercase()),
                "Protocol" => stored.settings.protocol == *value,
                "Namespace" => routes
                    .iter()
                    .any(|r| namespace_or_default(Some(&r.namespace)) == value),
                _ => routes.iter().any(|r| r.function_name == *value),
            })
    })
}

pub(super) fn list_custom_domains(
    backend: &Backend,
    request: &ListCustomDomainsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (offset, limit) = unsigned_page(request.offset, request.limit, "from 1 to 100")?;
    let by = if by_mod_time(request.order_by.as_deref())? {
        "modified"
    } else {
        "created"
    };
    // Values outside ASC and DESC were refused by the schema before the request was read.
    let direction = if request.order == Some(Order::Ascending) {
        "ASC"
    } else {
        "DESC"
    };
    let filters = request.filters.as_deref().unwrap_or_default();
    if let Some(filter) = filters.iter().find(|f| !FILTERS.contains(&f.name.as_str())) {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueFilters,
            "Filters.Name",
            &format!("`{}` is not one of {}", filter.name, FILTERS.join(", ")),
        ));
    }
    let domains = backend.db.read(|c| {
        let mut statement = c.prepare_cached(&format!(
            "SELECT domain, settings, created, modified FROM custom_domains \
             ORDER BY {by} {direction}, domain {direction}"
        ))?;
        let rows = statement.query_map([], Stored::from_row)?;
        let mut domains = Vec::new();
        for row in rows {
            domains.push(row??);
        }
        Ok(domains)
    })?;
    let matching: Vec<&Stored> = domains.iter().filter(|d| matches(d, filters)).collect();
    let page: Vec<DomainInfo> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|stored| stored.to_info())
        .collect();
    Ok(body(
        ListCustomDomainsResponse::default()
            .total(matching.len() as u64)
            .domains(page)
            .request_id(call.request_id),
    ))
}

pub(super) fn update_custom_domain(
    backend: &Backend,
    request: &UpdateCustomDomainRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let domain = domain_name(Some(&request.domain))?;
    if let Some(protocol) = &request.protocol {
        check_protocol(protocol)?;
    }
    check_waf(request.waf_config.as_ref())?;
    backend.db.write(|tx| {
        let mut stored = require(tx, &domain)?;
        let settings = &mut stored.settings;
        if let Some(protocol) = &request.protocol {
            settings.protocol.clone_from(protocol);
        }
        if let Some(cert) = &request.cert_config {
            settings.cert = Some(cert.clone());
        }
        if settings.protocol != "HTTP" && !has_certificate(settings.cert.as_ref()) {
            return Err(Failure::new(
                ErrorCode::FailedOperationSsl,
                format!(
                    "Custom domain `{domain}` serves {} but has no certificate; give CertConfig.CertificateId.",
                    settings.protocol
                ),
            ));
        }
        if let Some(waf) = &request.waf_config {
            settings.waf = Some(waf.clone());
        }
        if let Some(endpoints) = &request.endpoints_config {
            check_endpoints(tx, endpoints)?;
            settings.endpoints.clone_from(endpoints);
        }
        stored.modified = call.now;
        stored.save(tx)
    })?;
    Ok(body(
        UpdateCustomDomainResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn delete_custom_domain(
    backend: &Backend,
    request: &DeleteCustomDomainRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let domain = domain_name(request.domain.as_deref())?;
    backend.db.write(|tx| {
        require(tx, &domain)?;
        tx.prepare_cached("DELETE FROM custom_domains WHERE domain = ?1")?
            .execute([&domain])?;
        Ok(())
    })?;
    Ok(body(
        DeleteCustomDomainResponse::default().request_id(call.request_id),
    ))
}
