//! The command line: global options, subcommands and their tccli spellings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Tencent Cloud SCF async events from the shell: invoke, wait, list, terminate; a local emulator; an
/// offline TC3 signer. Credentials come from the default chain (environment, profile file, tccli, TKE
/// OIDC, CVM role), never from flags that land in shell history.
#[derive(Debug, Parser)]
#[command(name = "scf", version, propagate_version = true, after_help = examples())]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The examples after `--help`, naming the emulator's commands only when they are built in.
fn examples() -> String {
    let emulator = cfg!(feature = "emulator");
    let demo = if emulator {
        "\n  scf demo                                        the whole lifecycle against a built-in emulator"
    } else {
        ""
    };
    let local = if emulator {
        "\n  scf emulator --listen 127.0.0.1:9000            a local SCF endpoint"
    } else {
        ""
    };
    format!(
        "Examples:{demo}
  scf invoke --function-name hello --async --wait start an event and wait until it ends
  scf GetAsyncEventStatus --InvokeRequestId ID    tccli spelling of get-async-event-status
  scf list-async-events --function-name hello --all --output table{local}

Exit codes: 0 success, 2 usage, 3 API error, 4 network error, 5 credentials or configuration,
10 wait ended FAILED, 11 wait ended ABORTED, 12 wait timed out."
    )
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// The region.
    #[arg(long, global = true, env = "TENCENTCLOUD_REGION", default_value = scf::DEFAULT_REGION)]
    pub(crate) region: String,
    /// `https://...` or `http://host:port` (an emulator), `regional`, or a root domain such as
    /// `intl.tencentcloudapi.com`. Default: scf.tencentcloudapi.com.
    #[arg(long, global = true, env = "SCF_ENDPOINT")]
    pub(crate) endpoint: Option<String>,
    /// The profile of the credentials file and tccli.
    #[arg(long, global = true, env = "TENCENTCLOUD_PROFILE")]
    pub(crate) profile: Option<String>,
    /// Seconds a whole call may take, retries included.
    #[arg(long, global = true, default_value_t = 60)]
    pub(crate) timeout: u64,
    /// The language of error messages.
    #[arg(long, global = true, value_enum)]
    pub(crate) language: Option<Language>,
    /// How results are printed.
    #[arg(long, global = true, value_enum, default_value_t = Output::Json)]
    pub(crate) output: Output,
    /// Dump requests and responses to stderr, secrets redacted.
    #[arg(long, global = true)]
    pub(crate) debug: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// The content of `Response`, as tccli prints it.
    Json,
    /// Columns.
    Table,
    /// Plain lines.
    Text,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Language {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en-US")]
    EnUs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Where an async event stands.
    #[command(
        alias = "GetAsyncEventStatus",
        after_help = "Example:\n  scf get-async-event-status --invoke-request-id 5f825fd3-a59d-4879-aa28-3ac967c12888"
    )]
    GetAsyncEventStatus {
        /// The event's id (Invoke's FunctionRequestId).
        #[arg(long, alias = "InvokeRequestId")]
        invoke_request_id: String,
    },
    /// Run a function, synchronously or as an async event.
    #[command(
        alias = "Invoke",
        after_help = "Examples:\n  scf invoke --function-name hello --client-context '{\"key\":1}'\n  scf invoke --function-name hello --async --wait"
    )]
    Invoke(InvokeArgs),
    /// List a function's async events.
    #[command(
        alias = "ListAsyncEvents",
        after_help = "Examples:\n  scf list-async-events --function-name hello --status RUNNING --status FAILED\n  scf list-async-events --function-name hello --all --output table"
    )]
    ListAsyncEvents(ListArgs),
    /// Stop a running async event.
    #[command(
        alias = "TerminateAsyncEvent",
        after_help = "Example:\n  scf terminate-async-event --function-name hello --invoke-request-id ID --grace-shutdown"
    )]
    TerminateAsyncEvent {
        /// The function.
        #[arg(long, alias = "FunctionName")]
        function_name: String,
        /// The event.
        #[arg(long, alias = "InvokeRequestId")]
        invoke_request_id: String,
        /// The namespace.
        #[arg(long, alias = "Namespace")]
        namespace: Option<String>,
        /// Send SIGTERM instead of stopping at once.
        #[arg(long, alias = "GraceShutdown")]
        grace_shutdown: bool,
    },
    /// Wait until an async event ends, showing its progress.
    #[command(after_help = "Example:\n  scf wait --invoke-request-id ID --max-wait 600")]
    Wait {
        /// The event.
        #[arg(long, alias = "InvokeRequestId")]
        invoke_request_id: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Print the TC3-HMAC-SHA256 signature of a request, offline, like API Explorer's signature tool.
    #[command(
        after_help = "Example:\n  echo '{\"InvokeRequestId\":\"x\"}' | scf sign --action GetAsyncEventStatus --timestamp 1700000000 --json"
    )]
    Sign(SignArgs),
    /// Run a local SCF emulator.
    #[cfg(feature = "emulator")]
    #[command(
        after_help = "Example:\n  scf emulator --listen 127.0.0.1:9000 --credential AKIDtest:test-key"
    )]
    Emulator(scf_emulator::EmulatorArgs),
    /// Print shell completions.
    #[command(after_help = "Example:\n  scf completions bash > /etc/bash_completion.d/scf")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run the whole async-event lifecycle against a built-in emulator: no credentials or network needed.
    #[cfg(feature = "emulator")]
    Demo,
}

#[derive(Debug, Args)]
pub(crate) struct InvokeArgs {
    /// The function.
    #[arg(long, alias = "FunctionName")]
    pub(crate) function_name: String,
    /// The namespace.
    #[arg(long, alias = "Namespace")]
    pub(crate) namespace: Option<String>,
    /// The version or alias.
    #[arg(long, alias = "Qualifier")]
    pub(crate) qualifier: Option<String>,
    /// The event, as JSON.
    #[arg(long, alias = "ClientContext", conflicts_with = "client_context_file")]
    pub(crate) client_context: Option<String>,
    /// The event, from a file (`-` for stdin).
    #[arg(long)]
    pub(crate) client_context_file: Option<PathBuf>,
    /// Return the log of a synchronous call.
    #[arg(long)]
    pub(crate) tail_log: bool,
    /// Start an async event (InvocationType Event) and print its InvokeRequestId.
    #[arg(long = "async")]
    pub(crate) asynchronous: bool,
    /// With --async: wait until the event ends.
    #[arg(long, requires = "asynchronous")]
    pub(crate) wait: bool,
    #[command(flatten)]
    pub(crate) wait_options: WaitArgs,
}

#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 900)]
    pub(crate) max_wait: u64,
    /// The first delay between polls, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub(crate) min_delay_ms: u64,
    /// The longest delay between polls, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) max_delay_ms: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The function.
    #[arg(long, alias = "FunctionName")]
    pub(crate) function_name: String,
    /// The namespace.
    #[arg(long, alias = "Namespace")]
    pub(crate) namespace: Option<String>,
    /// Only this version.
    #[arg(long, alias = "Qualifier")]
    pub(crate) qualifier: Option<String>,
    /// Only these statuses (repeatable).
    #[arg(long, alias = "Status")]
    pub(crate) status: Vec<String>,
    /// Only these invocation types (repeatable).
    #[arg(long, alias = "InvokeType")]
    pub(crate) invoke_type: Vec<String>,
    /// Only this event.
    #[arg(long, alias = "InvokeRequestId")]
    pub(crate) invoke_request_id: Option<String>,
    /// ASC or DESC.
    #[arg(long, alias = "Order")]
    pub(crate) order: Option<String>,
    /// StartTime or EndTime.
    #[arg(long, alias = "Orderby")]
    pub(crate) orderby: Option<String>,
    /// Events to skip.
    #[arg(long, alias = "Offset")]
    pub(crate) offset: Option<u64>,
    /// Events per page (at most 100).
    #[arg(long, alias = "Limit")]
    pub(crate) limit: Option<u64>,
    /// Every page, not just one.
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The service.
    #[arg(long, default_value = "scf")]
    pub(crate) service: String,
    /// The action, sent as X-TC-Action.
    #[arg(long)]
    pub(crate) action: String,
    /// The API version, sent as X-TC-Version.
    #[arg(long, default_value = "2018-04-16")]
    pub(crate) api_version: String,
    /// The Host header; `<service>.tencentcloudapi.com` by default.
    #[arg(long)]
    pub(crate) host: Option<String>,
    /// GET or POST.
    #[arg(long, default_value = "POST")]
    pub(crate) method: String,
    /// The raw query string, for GET.
    #[arg(long, default_value = "")]
    pub(crate) query: String,
    /// The Content-Type; by default application/json for POST, application/x-www-form-urlencoded for GET.
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// Unix seconds; now by default.
    #[arg(long)]
    pub(crate) timestamp: Option<u64>,
    /// Another header to sign, `name:value` (repeatable).
    #[arg(long = "header")]
    pub(crate) headers: Vec<String>,
    /// The body, from a file (`-` for stdin; stdin is read when the method is POST and no file is given).
    #[arg(long)]
    pub(crate) body_file: Option<PathBuf>,
    /// The SecretId; the default chain's otherwise.
    #[arg(long, requires = "secret_key_env")]
    pub(crate) secret_id: Option<String>,
    /// The name of an environment variable holding the SecretKey for --secret-id.
    #[arg(long)]
    pub(crate) secret_key_env: Option<String>,
    /// Print canonical_request, string_to_sign and authorization as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
