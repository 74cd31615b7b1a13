//! How the emulator serves each action, one module per kind of resource, each owning its tables in the
//! store. The modules document the service's rules the emulator applies and, where the service's
//! documentation is silent, what the emulator chose; they export nothing.

pub mod code;
pub mod concurrency;
pub mod domains;
pub mod events;
pub mod functions;
pub mod invocations;
pub mod layers;
pub mod namespaces;
mod paging;
pub mod triggers;
pub mod versions;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use scf_model::{AnyRequest, ErrorCode};
use serde::Serialize;
use tc_api::Envelope;

use crate::config::Config;
use crate::db::{Db, StateError};
use crate::failure::Failure;
use crate::runtime::runner::Runner;

/// What every action needs to know about the request.
pub(crate) struct Call<'a> {
    pub(crate) now: u64,
    pub(crate) region: Option<&'a str>,
    pub(crate) request_id: &'a str,
    /// The request's `Host` header: the address the client reached the emulator at.
    pub(crate) host: Option<&'a str>,
}

/// The state behind the actions.
#[derive(Debug)]
pub(crate) struct Backend {
    pub(crate) config: Config,
    pub(crate) db: Arc<Db>,
    pub(crate) visibility_delay_ms: AtomicU64,
    /// Runs the functions' code when the configuration asks for it.
    pub(crate) runner: Option<Arc<Runner>>,
}

impl Backend {
    /// Opens the store and adds what the configuration declares and the store lacks; `runner` runs
    /// the functions' code, if the configuration asks for that.
    pub(crate) fn open(
        config: Config,
        now: u64,
        runner: Option<Runner>,
    ) -> Result<Self, StateError> {
        let db = Db::open(config.state_dir.as_deref())?;
        let backend = Self {
            config,
            db: Arc::new(db),
            visibility_delay_ms: AtomicU64::new(0),
            runner: runner.map(Arc::new),
        };
        backend.seed(now)?;
        backend
            .db
            .write(|tx| invocations::end_orphans(tx, now))
            .map_err(backend.start_failed("end the invocations a stopped emulator left running"))?;
        if let Some(runner) = &backend.runner {
            runner
                .keep_code_of(|| backend.db.read(functions::row_ids))
                .map_err(backend.start_failed("remove the code of deleted functions"))?;
        }
        Ok(backend)
    }

    fn seed(&self, now: u64) -> Result<(), StateError> {
        self.db
            .write(|tx| {
                namespaces::seed(tx, &self.config, now)?;
                functions::seed(tx, &self.config, now)
            })
            .map_err(self.start_failed("add the configured resources"))
    }

    /// The start-up error of a failed `step`, which completes "cannot ...".
    fn start_failed(&self, step: &'static str) -> impl FnOnce(Failure) -> StateError + '_ {
        move |failure| StateError::starting(self.db.location(), step, failure.message)
    }

    /// How many async events the store holds, expired ones not yet swept included.
    pub(crate) fn event_count(&self) -> usize {
        self.db.read(events::held).map_or(0, |held| held as usize)
    }

    pub(crate) fn retention_ms(&self) -> u64 {
        self.config.retention_secs.saturating_mul(1_000)
    }

    /// Runs the action of `request` and returns the whole response body.
    pub(crate) async fn call(
        &self,
        request: &AnyRequest,
        call: &Call<'_>,
    ) -> Result<Vec<u8>, Failure> {
        match request {
            AnyRequest::CreateNamespace(request) => {
                namespaces::create_namespace(self, request, call)
            }
            AnyRequest::DeleteNamespace(request) => {
                namespaces::delete_namespace(self, request, call)
            }
            AnyRequest::ListNamespaces(request) => namespaces::list_namespaces(self, request, call),
            AnyRequest::UpdateNamespace(request) => {
                namespaces::update_namespace(self, request, call)
            }
            AnyRequest::CreateFunction(request) => functions::create_function(self, request, call),
            AnyRequest::GetFunction(request) => functions::get_function(self, request, call),
            AnyRequest::ListFunctions(request) => functions::list_functions(self, request, call),
            AnyRequest::UpdateFunctionCode(request) => {
                functions::update_function_code(self, request, call)
            }
            AnyRequest::UpdateFunctionConfiguration(request) => {
                functions::update_function_configuration(self, request, call)
            }
            AnyRequest::CopyFunction(request) => functions::copy_function(self, request, call),
            AnyRequest::DeleteFunction(request) => functions::delete_function(self, request, call),
            AnyRequest::GetFunctionAddress(request) => {
                functions::get_function_address(self, request, call)
            }
            AnyRequest::PublishVersion(request) => versions::publish_version(self, request, call),
            AnyRequest::ListVersionByFunction(request) => {
                versions::list_version_by_function(self, request, call)
            }
            AnyRequest::DeleteFunctionVersion(request) => {
                versions::delete_function_version(self, request, call)
            }
            AnyRequest::CreateAlias(request) => versions::create_alias(self, request, call),
            AnyRequest::GetAlias(request) => versions::get_alias(self, request, call),
            AnyRequest::ListAliases(request) => versions::list_aliases(self, request, call),
            AnyRequest::UpdateAlias(request) => versions::update_alias(self, request, call),
            AnyRequest::DeleteAlias(request) => versions::delete_alias(self, request, call),
            AnyRequest::CreateTrigger(request) => triggers::create_trigger(self, request, call),
            AnyRequest::DeleteTrigger(request) => triggers::delete_trigger(self, request, call),
            AnyRequest::ListTriggers(request) => triggers::list_triggers(self, request, call),
            AnyRequest::UpdateTrigger(request) => triggers::update_trigger(self, request, call),
            AnyRequest::UpdateTriggerStatus(request) => {
                triggers::update_trigger_status(self, request, call)
            }
            AnyRequest::PublishLayerVersion(request) => {
                layers::publish_layer_version(self, request, call)
            }
            AnyRequest::GetLayerVersion(request) => layers::get_layer_version(self, request, call),
            AnyRequest::ListLayers(request) => layers::list_layers(self, request, call),
            AnyRequest::ListLayerVersions(request) => {
                layers::list_layer_versions(self, request, call)
            }
            AnyRequest::DeleteLayerVersion(request) => {
                layers::delete_layer_version(self, request, call)
            }
            AnyRequest::CreateCustomDomain(request) => {
                domains::create_custom_domain(self, request, call)
            }
            AnyRequest::GetCustomDomain(request) => domains::get_custom_domain(self, request, call),
            AnyRequest::ListCustomDomains(request) => {
                domains::list_custom_domains(self, request, call)
            }
            AnyRequest::UpdateCustomDomain(request) => {
                domains::update_custom_domain(self, request, call)
            }
            AnyRequest::DeleteCustomDomain(request) => {
                domains::delete_custom_domain(self, request, call)
            }
            AnyRequest::PutReservedConcurrencyConfig(request) => {
                concurrency::put_reserved_concurrency_config(self, request, call)
            }
            AnyRequest::GetReservedConcurrencyConfig(request) => {
                concurrency::get_reserved_concurrency_config(self, request, call)
            }
            AnyRequest::DeleteReservedConcurrencyConfig(request) => {
                concurrency::delete_reserved_concurrency_config(self, request, call)
            }
            AnyRequest::PutProvisionedConcurrencyConfig(request) => {
                concurrency::put_provisioned_concurrency_config(self, request, call)
            }
            AnyRequest::GetProvisionedConcurrencyConfig(request) => {
                concurrency::get_provisioned_concurrency_config(self, request, call)
            }
            AnyRequest::DeleteProvisionedConcurrencyConfig(request) => {
                concurrency::delete_provisioned_concurrency_config(self, request, call)
            }
            AnyRequest::PutTotalConcurrencyConfig(request) => {
                concurrency::put_total_concurrency_config(self, request, call)
            }
            AnyRequest::GetAccount(request) => concurrency::get_account(self, request, call),
            AnyRequest::GetFunctionEventInvokeConfig(request) => {
                concurrency::get_function_event_invoke_config(self, request, call)
            }
            AnyRequest::UpdateFunctionEventInvokeConfig(request) => {
                concurrency::update_function_event_invoke_config(self, request, call)
            }
            AnyRequest::Invoke(request) => invocations::invoke(self, request, call).await,
            AnyRequest::InvokeFunction(request) => {
                invocations::invoke_function(self, request, call).await
            }
            AnyRequest::GetRequestStatus(request) => {
                invocations::get_request_status(self, request, call)
            }
            AnyRequest::GetFunctionLogs(request) => {
                invocations::get_function_logs(self, request, call)
            }
            AnyRequest::GetAsyncEventStatus(request) => {
                events::get_async_event_status(self, request, call)
            }
            AnyRequest::ListAsyncEvents(request) => events::list_async_events(self, request, call),
            AnyRequest::TerminateAsyncEvent(request) => {
                events::terminate_async_event(self, request, call)
            }
            // A newer spec's action, until the emulator learns it.
            other => Err(unsupported(other.schema().name())),
        }
    }
}

/// The answer of an action this emulator does not serve (none, once every module is complete).
pub(crate) fn unsupported(action: &str) -> Failure {
    Failure::new(
        ErrorCode::UnsupportedOperation,
        format!("The emulator does not implement the action `{action}` yet."),
    )
}

/// `{"Response": response}` as bytes.
pub(crate) fn body<T: Serialize>(response: T) -> Vec<u8> {
    // Room for a usual answer up front, so writing it never grows the buffer.
    let mut bytes = Vec::with_capacity(512);
    // Serialising these plain structs cannot fail; an empty body would show up at once in any test.
    match serde_json::to_writer(&mut bytes, &Envelope { response }) {
        Ok(()) => bytes,
        Err(_) => Vec::new(),
    }
}

/// The namespace a request names, `default` when it names none.
pub(crate) fn namespace_or_default(namespace: Option<&str>) -> &str {
    match namespace {
        Some(namespace) if !namespace.is_empty() => namespace,
        _ => namespaces::DEFAULT,
    }
}

/// The longest description a namespace, version, alias, trigger or layer keeps.
const MAX_DESCRIPTION: usize = 1000;

/// Fails with `InvalidParameterValue.Description` when `description` is over the documented length.
pub(crate) fn check_description(description: &str) -> Result<(), Failure> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueDescription,
            "Description",
            "at most 1000 characters",
        ));
    }
    Ok(())
}

/// Fails with `code` unless `status` is `Active`, saying that `subject` (such as ``Function `hello` ``)
/// is `status` and that `then` may be done once it is Active.
pub(crate) fn require_active(
    subject: &str,
    status: &str,
    code: ErrorCode,
    then: &str,
) -> Result<(), Failure> {
    if status != "Active" {
        return Err(Failure::new(
            code,
            format!("{subject} is {status}; {then} once it is Active."),
        ));
    }
    Ok(())
}
