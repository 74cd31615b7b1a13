//! The shipped bootstraps, run by the real `python3` and `node` as instances of the emulator's runtime
//! API. The handlers are fixtures in `tests/fixtures/bootstraps/`. A test is skipped, saying so, only
//! when its interpreter is not on `PATH`. Every wait has a generous deadline and no test measures
//! time, so they hold on a loaded machine.

#![allow(clippy::unwrap_used)]

mod install;
mod nodejs;
mod python;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::super::instance::{Completed, Ending, Instance, InstanceSpec, Invocation};
use super::{Bootstrap, install};

/// The longest any one test may take before it counts as hung.
const TEST_DEADLINE: Duration = Duration::from_secs(180);

/// The timeout each test invocation gets: long enough never to be reached.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The memory limit the tests give their instances, so the context can be checked against it.
const MEMORY_LIMIT_MB: u64 = 256;

/// Runs `future`, failing the test if it outlives [`TEST_DEADLINE`].
async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_DEADLINE, future)
        .await
        .expect("the test hung")
}

/// The fixture directory holding the handlers of `bootstrap`.
fn fixtures(bootstrap: Bootstrap) -> PathBuf {
    let language = match bootstrap {
        Bootstrap::Python3 => "python",
        Bootstrap::Nodejs => "nodejs",
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bootstraps")
        .join(language)
}

/// Whether `program` is a file in one of `PATH`'s directories.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The variables a function runs with: its own (`GREETING`, `TZ`) plus SCF's built-ins.
fn function_variables() -> Vec<(String, String)> {
    [
        ("GREETING", "hello"),
        ("TZ", "Asia/Shanghai"),
        ("SCF_FUNCTIONNAME", "orders"),
        ("SCF_FUNCTIONVERSION", "$LATEST"),
        ("SCF_NAMESPACE", "shop"),
        ("TENCENTCLOUD_REGION", "ap-guangzhou"),
        ("TENCENTCLOUD_APPID", "1250000000"),
        ("TENCENTCLOUD_UIN", "100000000001"),
        ("TENCENTCLOUD_SECRETID", "AKIDtemporary"),
        ("TENCENTCLOUD_SECRETKEY", "temporary-secret-key"),
        ("TENCENTCLOUD_SESSIONTOKEN", "temporary-token"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}

/// One instance running a fixture handler through a shipped bootstrap.
struct Function {
    instance: Instance,
    // The installed scripts stay until the instance is gone.
    _scripts: tempfile::TempDir,
}

impl Function {
    /// Starts `handler` of `bootstrap`'s fixtures; `None`, after saying so, when the interpreter is
    /// missing.
    async fn start(bootstrap: Bootstrap, handler: &str) -> Option<Self> {
        if !on_path(bootstrap.interpreter()) {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "skipped: `{}` is not on PATH, so the {:?} bootstrap cannot run",
                    bootstrap.interpreter(),
                    bootstrap
                );
            }
            return None;
        }
        let scripts = tempfile::tempdir().unwrap();
        let installed = install(scripts.path()).unwrap();
        let (program, args) = installed.command(bootstrap);
        let code_dir = fixtures(bootstrap);
        let variables = function_variables();
        let own = variables
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !key.starts_with("SCF_") && !key.starts_with("TENCENTCLOUD_"));
        let mut env = bootstrap.environment(&code_dir, own);
        env.extend(variables);
        let spec = InstanceSpec {
            program,
            args,
            code_dir,
            handler: handler.to_owned(),
            env,
            init_timeout: Duration::from_secs(60),
            memory_limit_mb: MEMORY_LIMIT_MB,
            output_cap: 64 * 1024,
        };
        match Instance::start(spec).await {
            Ok(instance) => Some(Self {
                instance,
                _scripts: scripts,
            }),
            Err(failure) => panic!(
                "{handler} did not start: {:?}\n{}",
                failure.kind, failure.log
            ),
        }
    }

    /// Invokes the handler with `event` as request `request_id`.
    async fn invoke(&mut self, request_id: &str, event: &str) -> Completed {
        self.instance
            .invoke(Invocation {
                request_id: request_id.to_owned(),
                event: event.as_bytes().to_vec(),
                timeout: INVOCATION_TIMEOUT,
            })
            .await
    }

    /// Invokes the handler and returns what it answered, failing unless it returned.
    async fn returned(&mut self, request_id: &str, event: &str) -> String {
        let completed = self.invoke(request_id, event).await;
        match completed.outcome {
            Ending::Returned(body) => String::from_utf8(body).unwrap(),
            other => panic!("expected a response, got {other:?}\n{}", completed.log),
        }
    }
}

/// The error JSON of an invocation that must have errored, and its log.
fn errored(completed: Completed) -> (Value, String) {
    match completed.outcome {
        Ending::Errored(body) => (serde_json::from_slice(&body).unwrap(), completed.log),
        other => panic!("expected an error, got {other:?}\n{}", completed.log),
    }
}

/// Checks the fields every error of the bootstraps has, with SCF's `statusCode`.
fn assert_error_shape(error: &Value, request_id: &str, status_code: i64) {
    assert_eq!(error["errorCode"], -1, "{error}");
    assert_eq!(error["requestId"], request_id, "{error}");
    assert_eq!(error["statusCode"], status_code, "{error}");
    assert!(error["errorMessage"].is_string(), "{error}");
    assert!(error["stackTrace"].is_string(), "{error}");
}

/// The context a handler returned as JSON, checked for SCF's fields with their types and for the
/// values the instance was started with.
fn assert_context(context: &Value, request_id: &str) {
    assert_eq!(context["memory_limit_in_mb"], MEMORY_LIMIT_MB, "{context}");
    assert_eq!(
        context["time_limit_in_ms"],
        INVOCATION_TIMEOUT.as_millis() as u64,
        "{context}"
    );
    assert_eq!(context["request_id"], request_id, "{context}");
    assert_eq!(context["function_name"], "orders", "{context}");
    assert_eq!(context["function_version"], "$LATEST", "{context}");
    assert_eq!(context["namespace"], "shop", "{context}");
    assert_eq!(context["tencentcloud_region"], "ap-guangzhou", "{context}");
    assert_eq!(context["tencentcloud_appid"], "1250000000", "{context}");
    assert_eq!(context["tencentcloud_uin"], "100000000001", "{context}");
    // `environment` is a JSON string and `environ` a `K=V;K=V` string of the function's own
    // variables and SCF_NAMESPACE: never the platform's, never the credentials.
    let environment: Value =
        serde_json::from_str(context["environment"].as_str().unwrap()).unwrap();
    assert_eq!(
        environment,
        serde_json::json!({"GREETING": "hello", "SCF_NAMESPACE": "shop", "TZ": "Asia/Shanghai"}),
        "{context}"
    );
    assert_eq!(
        context["environ"], "GREETING=hello;SCF_NAMESPACE=shop;TZ=Asia/Shanghai",
        "{context}"
    );
}
