//! The command line: global options, subcommands and their tccli spellings.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use tc_api::schema::ActionSchema;

use crate::action_command;

/// Tencent Cloud SCF from the shell: every action of the API in tccli's spelling
/// (`scf ListFunctions --Limit 10`) or in kebab case (`scf list-functions --limit 10`), async events
/// invoked and waited for, a local emulator, an offline TC3 signer. Credentials come from the default
/// chain (environment, profile file, tccli, TKE OIDC, CVM role), never from flags that land in shell
/// history.
#[derive(Debug, Parser)]
#[command(name = "scf", version, after_help = examples())]
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
  scf wait-function --function-name hello         wait until a new or updated function is Active
  scf GetAsyncEventStatus --InvokeRequestId ID    tccli's spelling of get-async-event-status
  scf list-async-events --function-name hello --all --output table
  scf list-functions --filter 'Functions[].FunctionName'
  scf help ListFunctions                          an action's description and parameters{local}

Exit codes: 0 success, 2 usage or bad parameters (nothing sent), 3 API error (and a function that
ended *Failed), 4 network error, 5 credentials or configuration, 10 wait ended FAILED, 11 wait ended
ABORTED, 12 wait timed out."
    )
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
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
    /// A JMESPath expression applied to the result before printing (`Functions[].FunctionName`); a
    /// result of null prints nothing. Objects it selects have their keys sorted, not in the spec's order.
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub(crate) filter: Option<String>,
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

/// The commands that are not actions of the API; those are built from the spec at run time.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Wait until an async event ends, showing its progress.
    #[command(after_help = "Example:\n  scf wait --invoke-request-id ID --max-wait 600")]
    Wait {
        /// The event.
        #[arg(long, alias = "InvokeRequestId")]
        invoke_request_id: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Wait until a function is Active after it was created, updated or published, showing its
    /// progress, and print it as `get-function` does. A *Failed status ends it with exit code 3.
    #[command(
        after_help = "Example:\n  scf wait-function --function-name hello --qualifier 2 --max-wait 300"
    )]
    WaitFunction {
        /// The function.
        #[arg(long, alias = "FunctionName")]
        function_name: String,
        /// Its namespace; `default` when left out.
        #[arg(long, alias = "Namespace")]
        namespace: Option<String>,
        /// Its version or alias; `$LATEST` when left out.
        #[arg(long, alias = "Qualifier")]
        qualifier: Option<String>,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Print the TC3-HMAC-SHA256 signature of a request, offline, like API Explorer's signature tool.
    #[command(
        after_help = "Example:\n  echo '{\"InvokeRequestId\":\"x\"}' | scf sign --action GetAsyncEventStatus --timestamp 1700000000 --json"
    )]
    Sign(Box<SignArgs>),
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

/// The whole command line: the commands above and one subcommand per action, with flags for the actions
/// that `args` names (see [`crate::action_command::subcommands`]).
pub(crate) fn command(
    actions: &'static [&'static ActionSchema],
    args: &[std::ffi::OsString],
) -> clap::Command {
    Cli::command().subcommands(action_command::subcommands(actions, args))
}

/// The whole command line with every action's flags, for shell completions.
pub(crate) fn command_with_every_flag(actions: &'static [&'static ActionSchema]) -> clap::Command {
    Cli::command().subcommands(actions.iter().map(|action| action_command::full(action)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::RESERVED;
    use crate::test_schemas::ACTIONS;

    #[test]
    fn the_command_line_definition_is_consistent() {
        command_with_every_flag(ACTIONS).debug_assert();
    }

    #[test]
    fn member_flags_avoid_every_other_long_option() {
        let command = command_with_every_flag(ACTIONS);
        let mut longs: Vec<&str> = command
            .get_arguments()
            .filter_map(clap::Arg::get_long)
            .collect();
        longs.extend(["help", "version"]);
        let invoke = crate::action_command::full(&crate::test_schemas::INVOKE_THING);
        longs.extend(
            invoke
                .get_arguments()
                .filter(|arg| !arg.get_id().as_str().starts_with(char::is_uppercase))
                .filter_map(clap::Arg::get_long),
        );
        for long in longs {
            assert!(
                RESERVED.contains(&long),
                "--{long} is not in flags::RESERVED"
            );
        }
    }
}
