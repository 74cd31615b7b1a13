//! One subcommand per action of the spec, built at run time from its schema: named as tccli names it
//! (`ListFunctions`) and in kebab case (`list-functions`), with one flag per request member in both
//! spellings, and the action's description and each member's type, requiredness and values as help.
//!
//! Only the actions named on the command line get their flags; the others are listed by name and title,
//! so that starting `scf` costs the same whichever action it runs.

use std::ffi::OsString;

use clap::{Arg, ArgAction, Args, Command};
use heck::ToKebabCase;
use tc_api::schema::{ActionSchema, Kind, MemberSchema};

use crate::args::WaitArgs;
use crate::flags::{self, Flag};

/// The id of `--cli-input-json`.
pub(crate) const CLI_INPUT_JSON: &str = "cli-input-json";
/// The id of `--generate-cli-skeleton`.
pub(crate) const GENERATE_CLI_SKELETON: &str = "generate-cli-skeleton";
/// The id of `--all`, on paginated actions.
pub(crate) const ALL: &str = "all";
/// The id of Invoke's `--async`.
pub(crate) const ASYNC: &str = "async";
/// The id of Invoke's `--wait`.
pub(crate) const WAIT: &str = "wait";
/// The id of Invoke's `--client-context-file`.
pub(crate) const CLIENT_CONTEXT_FILE: &str = "client-context-file";

/// The heading of the members' flags in help, apart from the options every command takes.
const PARAMETERS: &str = "Parameters";

/// The action whose conveniences `--async`, `--wait` and `--client-context-file` extend.
pub(crate) const INVOKE: &str = "Invoke";

/// `list-functions` for `ListFunctions`.
pub(crate) fn kebab_name(action: &ActionSchema) -> String {
    action.name().to_kebab_case()
}

/// The action spelled `name` in either spelling.
pub(crate) fn find(
    actions: &'static [&'static ActionSchema],
    name: &str,
) -> Option<&'static ActionSchema> {
    actions
        .iter()
        .copied()
        .find(|action| action.name() == name || kebab_name(action) == name)
}

/// The subcommands of every action: full for the actions `args` name, listed by name for the others.
pub(crate) fn subcommands(
    actions: &'static [&'static ActionSchema],
    args: &[OsString],
) -> Vec<Command> {
    actions
        .iter()
        .map(|action| {
            let kebab = kebab_name(action);
            let named = args
                .iter()
                .any(|arg| arg == action.name() || arg.to_str() == Some(kebab.as_str()));
            if named { full(action) } else { listed(action) }
        })
        .collect()
}

/// An action's subcommand with its names and title only, for `scf --help`.
pub(crate) fn listed(action: &'static ActionSchema) -> Command {
    let mut about = action.title.to_owned();
    if action.deprecated {
        about.push_str(" (deprecated)");
    }
    Command::new(kebab_name(action))
        .visible_alias(action.name())
        .about(about)
}

/// An action's subcommand with every flag and all of its help.
pub(crate) fn full(action: &'static ActionSchema) -> Command {
    let mut command = listed(action)
        .long_about(long_about(action))
        .after_help(examples(action));
    for flag in flags::of(action.input) {
        if let Some(arg) = member_arg(&flag) {
            command = command.arg(arg);
        }
    }
    command = command
        .arg(
            Arg::new(CLI_INPUT_JSON)
                .long(CLI_INPUT_JSON)
                .value_name("file://PATH")
                .help(
                    "Read the parameters from a JSON file (file://PATH, a path, or - for stdin), in \
                     the shape --generate-cli-skeleton prints; flags given too override its members",
                ),
        )
        .arg(
            Arg::new(GENERATE_CLI_SKELETON)
                .long(GENERATE_CLI_SKELETON)
                .num_args(0..=1)
                .value_name("input")
                .default_missing_value("input")
                .value_parser(["input"])
                .help("Print a JSON template of the parameters and send nothing"),
        );
    if action.pagination.is_some() {
        command = command.arg(
            Arg::new(ALL)
                .long(ALL)
                .action(ArgAction::SetTrue)
                .help("Walk every page and print all items in one response"),
        );
    }
    if action.name() == INVOKE {
        command = invoke_extras(command);
    }
    command
}

/// The flag of one member, in both spellings; `None` when neither is free.
fn member_arg(flag: &Flag) -> Option<Arg> {
    let member = flag.member;
    let (long, alias) = match (flag.pascal, &flag.kebab) {
        (Some(pascal), kebab) => (pascal.to_owned(), kebab.clone()),
        (None, Some(kebab)) => (kebab.clone(), None),
        (None, None) => return None,
    };
    let mut arg = Arg::new(member.name)
        .long(long)
        .help_heading(PARAMETERS)
        .value_name(flags::value_name(member))
        .action(ArgAction::Set)
        // `--Offset -1` is a value, as in tccli; other text that starts with `-` goes as `--Flag=-text`.
        .allow_negative_numbers(true)
        .help(short_help(member))
        .long_help(long_help(member));
    if let Some(alias) = alias {
        arg = arg.visible_alias(alias);
    }
    Some(arg)
}

/// Invoke's conveniences: start an async event, wait for it with live progress, read the event from a
/// file.
fn invoke_extras(command: Command) -> Command {
    let command =
        command
            .arg(Arg::new(ASYNC).long(ASYNC).action(ArgAction::SetTrue).help(
                "Start an async event (--InvocationType Event) and print its InvokeRequestId",
            ))
            .arg(
                Arg::new(WAIT)
                    .long(WAIT)
                    .action(ArgAction::SetTrue)
                    .requires(ASYNC)
                    .help("With --async: wait until the event ends, showing its progress"),
            )
            .arg(
                Arg::new(CLIENT_CONTEXT_FILE)
                    .long(CLIENT_CONTEXT_FILE)
                    .value_name("PATH")
                    .conflicts_with("ClientContext")
                    .help("Read the event (--ClientContext) from a file, or - for stdin"),
            );
    WaitArgs::augment_args(command)
}

/// The first line of a member's description, and its type.
fn short_help(member: &MemberSchema) -> String {
    let first = member
        .doc
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty());
    match first {
        Some(line) => format!("{line} {}", facts(member)),
        None => facts(member),
    }
}

/// A member's whole description, and its type.
fn long_help(member: &MemberSchema) -> String {
    let doc = member.doc.trim();
    if doc.is_empty() {
        facts(member)
    } else {
        format!("{doc}\n{}", facts(member))
    }
}

/// `[Integer, required, one of: ASC, DESC]`.
fn facts(member: &MemberSchema) -> String {
    let mut facts = vec![flags::type_name(member)];
    if member.required {
        facts.push("required".to_owned());
    }
    if !member.values.is_empty() {
        facts.push(format!("one of: {}", member.values.join(", ")));
    }
    if member.list || matches!(member.kind, Kind::Object(_)) {
        facts.push(format!("e.g. '{}'", flags::example(member)));
    }
    if member.deprecated {
        facts.push("deprecated".to_owned());
    }
    format!("[{}]", facts.join(", "))
}

fn long_about(action: &ActionSchema) -> String {
    let mut text = format!("{}\n\n{}", action.title, action.doc.trim());
    if action.deprecated {
        text.push_str("\n\nDeprecated by the service.");
    }
    text.trim_end().to_owned()
}

/// A call in each spelling, with the required members.
fn examples(action: &'static ActionSchema) -> String {
    let required: Vec<Flag> = flags::of(action.input)
        .into_iter()
        .filter(|flag| flag.member.required)
        .collect();
    let pascal: String = required
        .iter()
        .filter_map(|flag| {
            flag.pascal
                .map(|name| format!(" --{name} <{}>", flags::value_name(flag.member)))
        })
        .collect();
    let kebab: String = required
        .iter()
        .filter_map(|flag| {
            flag.kebab
                .as_ref()
                .map(|name| format!(" --{name} <{}>", flags::value_name(flag.member)))
        })
        .collect();
    let name = action.name();
    let kebab_name = kebab_name(action);
    let mut text = format!(
        "Examples:\n  scf {name}{pascal}\n  scf {kebab_name}{kebab}\n  scf {kebab_name} \
         --generate-cli-skeleton > request.json; scf {kebab_name} --cli-input-json file://request.json"
    );
    if action.pagination.is_some() {
        text.push_str(&format!("\n  scf {kebab_name}{kebab} --all --output table"));
    }
    if name == INVOKE {
        text.push_str(&format!(
            "\n  scf {kebab_name}{kebab} --async --wait     start an async event and wait until it ends"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_schemas::{ACTIONS, GET_NOTHING, LIST_THINGS};

    fn parse(args: &[&str]) -> Result<clap::ArgMatches, clap::Error> {
        let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
        Command::new("scf")
            .subcommands(subcommands(ACTIONS, &argv))
            .try_get_matches_from(argv)
    }

    #[test]
    fn actions_are_found_in_either_spelling() {
        assert_eq!(find(ACTIONS, "ListThings").unwrap().name(), "ListThings");
        assert_eq!(find(ACTIONS, "list-things").unwrap().name(), "ListThings");
        assert!(find(ACTIONS, "listthings").is_none());
        assert!(find(ACTIONS, "LIST-THINGS").is_none());
    }

    #[test]
    fn both_spellings_of_commands_and_flags_parse() {
        for args in [
            ["scf", "ListThings", "--FunctionName", "f", "--Limit", "10"],
            [
                "scf",
                "list-things",
                "--function-name",
                "f",
                "--limit",
                "10",
            ],
            ["scf", "list-things", "--FunctionName", "f", "--limit", "10"],
        ] {
            let matches = parse(&args).unwrap();
            let (name, sub) = matches.subcommand().unwrap();
            assert_eq!(name, "list-things");
            assert_eq!(sub.get_one::<String>("FunctionName").unwrap(), "f");
            assert_eq!(sub.get_one::<String>("Limit").unwrap(), "10");
        }
    }

    #[test]
    fn a_negative_number_is_a_value_not_a_flag() {
        let matches = parse(&["scf", "list-things", "--offset", "-1"]).unwrap();
        let (_, sub) = matches.subcommand().unwrap();
        assert_eq!(sub.get_one::<String>("Offset").unwrap(), "-1");
    }

    #[test]
    fn an_unknown_flag_is_a_usage_error() {
        let error = parse(&["scf", "ListThings", "--Bogus", "1"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::UnknownArgument);
        assert_eq!(error.exit_code(), 2);
        let error = parse(&["scf", "ListThings", "--Limit", "1", "--Limit", "2"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn only_named_actions_get_their_flags() {
        let argv: Vec<OsString> = ["scf", "get-nothing"].iter().map(OsString::from).collect();
        let commands = subcommands(ACTIONS, &argv);
        let flags = |name: &str| {
            commands
                .iter()
                .find(|c| c.get_name() == name)
                .unwrap()
                .get_arguments()
                .count()
        };
        assert_eq!(flags("list-things"), 0);
        assert_eq!(
            flags("get-nothing"),
            2,
            "--cli-input-json and --generate-cli-skeleton"
        );
        assert!(
            full(&LIST_THINGS)
                .get_arguments()
                .any(|a| a.get_id() == ALL)
        );
        assert!(
            !full(&GET_NOTHING)
                .get_arguments()
                .any(|a| a.get_id() == ALL)
        );
    }

    #[test]
    fn help_shows_the_description_types_and_values() {
        let mut command = Command::new("scf").subcommand(full(&LIST_THINGS));
        let help = command
            .find_subcommand_mut("list-things")
            .unwrap()
            .render_long_help()
            .to_string();
        for expected in [
            "列出东西",
            "返回函数的东西列表。",
            "--FunctionName <String>",
            "[alias: --function-name]",
            "函数名称\n          [String, required]",
            "[a JSON list of String, e.g. '[\"String\"]']",
            "[String, one of: ASC, DESC]",
            "--Weight <Float>",
            "--GraceShutdown <Boolean>",
            "--all",
            "scf ListThings --FunctionName <String>",
            "scf list-things --function-name <String>",
        ] {
            assert!(help.contains(expected), "{expected:?} not in:\n{help}");
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        Command::new("scf")
            .subcommands(ACTIONS.iter().map(|action| full(action)))
            .debug_assert();
    }
}
