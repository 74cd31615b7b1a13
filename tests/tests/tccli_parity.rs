//! `scf` against tccli (pinned `tccli==3.1.189.1`, `tencentcloud-sdk-python==3.1.189`): for the same
//! arguments both send the same action and the same JSON body, byte for byte (so key order too); both
//! print the same output for the same answer; and both print the same `--generate-cli-skeleton` for every
//! action of the spec.
//!
//! tccli runs offline through `python/tccli_capture.py`, which records the request instead of sending
//! it and answers with a canned response; `scf` sends to a tiny recording HTTP server in this test that
//! answers the same. It needs tccli installed: `cargo xtask tccli` puts it in a virtual environment under
//! `target/tccli/venv`, and `cargo xtask ci` does that and then runs this test. `SCF_TCCLI_PYTHON` picks
//! another interpreter, `SCF_BIN` another `scf` binary (by default the one next to this test's
//! directory, which `cargo build -p scf-cli` builds).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::Value;

#[path = "support/tccli_python.rs"]
mod tccli_python;

use tccli_python::python;

/// The answer both clients get unless a test says otherwise.
const DEFAULT_RESPONSE: &str = r#"{"RequestId": "fake-request-id"}"#;

fn scf_binary() -> PathBuf {
    if let Some(binary) = std::env::var_os("SCF_BIN") {
        return PathBuf::from(binary);
    }
    // This test runs from target/<profile>/deps; `scf` is built into target/<profile>.
    let exe = std::env::current_exe().unwrap();
    let binary = exe.parent().unwrap().parent().unwrap().join("scf");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p scf-cli` (or set SCF_BIN)",
        binary.display()
    );
    binary
}

/// A fresh, empty directory for one process's HOME and files.
fn scratch() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tccli-parity-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a client sent: the action and the body's bytes.
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    action: String,
    body: String,
}

/// What a client did with one set of arguments.
#[derive(Debug)]
struct Run {
    sent: Vec<Sent>,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// tccli with `args` after `scf`, answered with `response` (the content of `Response`).
fn tccli(args: &[&str], response: &str) -> Run {
    let dir = scratch();
    let capture = dir.join("capture.jsonl");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/tccli_capture.py");
    let output = Command::new(python())
        .arg(script)
        .arg("scf")
        .args(args)
        .env_clear()
        .env("HOME", &dir)
        .env("TCCLI_CAPTURE_FILE", &capture)
        .env("TCCLI_FAKE_RESPONSE", response)
        .output()
        .unwrap();
    let sent = std::fs::read_to_string(&capture)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            Sent {
                action: record["action"].as_str().unwrap().to_owned(),
                body: record["compact_body"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        sent,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code(),
    }
}

/// `scf` with `args`, sending to a recording server that answers with `response`.
fn scf(args: &[&str], response: &str) -> Run {
    let recorder = Recorder::start(response);
    let dir = scratch();
    let output = Command::new(scf_binary())
        .args(["--endpoint", &format!("http://{}", recorder.addr)])
        .args(args)
        .env_clear()
        .env("HOME", &dir)
        .env("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE")
        .env("TENCENTCLOUD_SECRET_KEY", "secret")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        sent: recorder.sent.lock().unwrap().clone(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code(),
    }
}

/// An HTTP server that records each request's action and body and answers every one with a canned
/// `{"Response": ...}`, closing the connection after it.
struct Recorder {
    addr: SocketAddr,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Recorder {
    fn start(response: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let body = format!(r#"{{"Response": {response}}}"#);
        let recorded = Arc::clone(&sent);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                if let Some(request) = read_request(&stream) {
                    recorded.lock().unwrap().push(request);
                }
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { addr, sent }
    }
}

/// One HTTP/1.1 request with a Content-Length body: its X-TC-Action header and its body.
fn read_request(stream: &TcpStream) -> Option<Sent> {
    let mut reader = BufReader::new(stream);
    let mut action = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "x-tc-action" => action = value.trim().to_owned(),
                "content-length" => length = value.trim().parse().ok()?,
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Sent {
        action,
        body: String::from_utf8(body).ok()?,
    })
}

/// Arguments (after `scf`) of one case: tccli's spelling, and the spellings `scf` must treat the same.
struct Case {
    name: &'static str,
    tccli: &'static [&'static str],
    scf_too: &'static [&'static [&'static str]],
}

const CASES: &[Case] = &[
    Case {
        name: "scalars",
        tccli: &["ListFunctions", "--Namespace", "default", "--Limit", "10"],
        scf_too: &[&["list-functions", "--namespace", "default", "--limit", "10"]],
    },
    Case {
        name: "scalars in another order than the spec's",
        tccli: &[
            "ListFunctions",
            "--Order",
            "ASC",
            "--Offset",
            "0",
            "--Limit",
            "10",
        ],
        scf_too: &[&[
            "list-functions",
            "--order",
            "ASC",
            "--offset",
            "0",
            "--limit",
            "10",
        ]],
    },
    Case {
        name: "digits for a string, text beyond ASCII",
        tccli: &[
            "ListFunctions",
            "--SearchKey",
            "123",
            "--Description",
            "函数 \"quoted\"",
        ],
        scf_too: &[],
    },
    Case {
        name: "a list",
        tccli: &[
            "ListAsyncEvents",
            "--FunctionName",
            "f",
            "--Status",
            r#"["RUNNING","FAILED"]"#,
        ],
        scf_too: &[&[
            "list-async-events",
            "--function-name",
            "f",
            "--status",
            r#"["RUNNING","FAILED"]"#,
        ]],
    },
    Case {
        name: "a nested object with members out of order",
        tccli: &[
            "UpdateFunctionConfiguration",
            "--Environment",
            r#"{"Variables":[{"Value":"1","Key":"A"},{"Key":"B","Value":"2"}]}"#,
            "--Timeout",
            "3",
            "--FunctionName",
            "f",
        ],
        scf_too: &[&[
            "update-function-configuration",
            "--environment",
            r#"{"Variables":[{"Value":"1","Key":"A"},{"Key":"B","Value":"2"}]}"#,
            "--Timeout",
            "3",
            "--function-name",
            "f",
        ]],
    },
    Case {
        name: "no parameters",
        tccli: &["GetAccount"],
        scf_too: &[&["get-account"]],
    },
    Case {
        name: "a boolean as t",
        tccli: &[
            "TerminateAsyncEvent",
            "--FunctionName",
            "f",
            "--InvokeRequestId",
            "x",
            "--GraceShutdown",
            "t",
        ],
        scf_too: &[&[
            "terminate-async-event",
            "--function-name",
            "f",
            "--invoke-request-id",
            "x",
            "--grace-shutdown",
            "true",
        ]],
    },
    Case {
        name: "booleans as 0 and TRUE",
        tccli: &[
            "CopyFunction",
            "--FunctionName",
            "f",
            "--NewFunctionName",
            "g",
            "--Override",
            "0",
            "--CopyConfiguration",
            "TRUE",
        ],
        scf_too: &[],
    },
    Case {
        name: "a float given as an integer, an unsigned integer",
        tccli: &[
            "PutProvisionedConcurrencyConfig",
            "--FunctionName",
            "f",
            "--Qualifier",
            "1",
            "--VersionProvisionedConcurrencyNum",
            "2",
            "--TrackingTarget",
            "1",
        ],
        scf_too: &[&[
            "put-provisioned-concurrency-config",
            "--function-name",
            "f",
            "--qualifier",
            "1",
            "--version-provisioned-concurrency-num",
            "2",
            "--tracking-target",
            "1.0",
        ]],
    },
];

fn differences_of(case: &str, args: &[&str], expected: &Sent, differences: &mut Vec<String>) {
    let run = scf(args, DEFAULT_RESPONSE);
    match run.sent.as_slice() {
        [sent] if sent == expected => {}
        sent => differences.push(format!(
            "{case}: scf {args:?} sent {sent:?} (exit {:?}, stderr {}), tccli sent {expected:?}",
            run.code, run.stderr
        )),
    }
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn the_same_arguments_send_the_same_action_and_body() {
    let mut differences = Vec::new();
    for case in CASES {
        let reference = tccli(case.tccli, DEFAULT_RESPONSE);
        assert_eq!(
            reference.code,
            Some(0),
            "{}: tccli failed: {}",
            case.name,
            reference.stderr
        );
        let [expected] = reference.sent.as_slice() else {
            panic!("{}: tccli sent {:?}", case.name, reference.sent);
        };
        differences_of(case.name, case.tccli, expected, &mut differences);
        for args in case.scf_too {
            differences_of(case.name, args, expected, &mut differences);
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn cli_input_json_sends_the_file_as_tccli_does() {
    let dir = scratch();
    let path = dir.join("request.json");
    std::fs::write(
        &path,
        r#"{"Status": ["RUNNING"], "Limit": 5, "FunctionName": "f", "Order": "DESC"}"#,
    )
    .unwrap();
    let file = format!("file://{}", path.display());
    let reference = tccli(
        &["ListAsyncEvents", "--cli-input-json", &file],
        DEFAULT_RESPONSE,
    );
    assert_eq!(reference.code, Some(0), "{}", reference.stderr);
    let plain = path.to_str().unwrap();
    for args in [
        ["ListAsyncEvents", "--cli-input-json", &file],
        ["list-async-events", "--cli-input-json", plain],
    ] {
        let run = scf(&args, DEFAULT_RESPONSE);
        assert_eq!(run.sent, reference.sent, "{args:?}: {}", run.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn the_same_answer_prints_the_same_output() {
    let status =
        r#"{"Result": {"Status": "RUNNING", "Unknown": 1}, "RequestId": "r-1", "Extra": 2}"#;
    let events = r#"{"EventList": [{"InvokeRequestId": "e-1", "Status": "FINISHED", "StartTime": "2024-01-01 00:00:00", "Other": true}], "TotalCount": 1, "RequestId": "r-2"}"#;
    let cases: &[(&str, &[&str])] = &[
        (status, &["GetAsyncEventStatus", "--InvokeRequestId", "e-1"]),
        (
            status,
            &[
                "GetAsyncEventStatus",
                "--InvokeRequestId",
                "e-1",
                "--filter",
                "Result.Status",
            ],
        ),
        (events, &["ListAsyncEvents", "--FunctionName", "f"]),
        (
            events,
            &[
                "ListAsyncEvents",
                "--FunctionName",
                "f",
                "--filter",
                "EventList[].InvokeRequestId",
            ],
        ),
        (
            events,
            &[
                "ListAsyncEvents",
                "--FunctionName",
                "f",
                "--filter",
                "Nothing",
            ],
        ),
        (
            r#"{"TotalCount": 0, "RequestId": "r-3"}"#,
            &["ListFunctions", "--Limit", "1"],
        ),
        (DEFAULT_RESPONSE, &["GetAccount"]),
    ];
    let mut differences = Vec::new();
    for (response, args) in cases {
        let reference = tccli(args, response);
        assert_eq!(reference.code, Some(0), "{args:?}: {}", reference.stderr);
        let run = scf(args, response);
        if run.stdout != reference.stdout || run.code != Some(0) {
            differences.push(format!(
                "{args:?}:\n--- tccli\n{}--- scf (exit {:?}, stderr {})\n{}",
                reference.stdout, run.code, run.stderr, run.stdout
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// tccli names `datetime` members `Timestamp` in skeletons; the schema `scf` reads has only strings.
fn without_tccli_only_type_names(skeleton: &str) -> String {
    skeleton.replace("\"Timestamp\"", "\"String\"")
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn every_skeleton_is_tccli_s() {
    let actions: Vec<&str> = scf::model::ACTIONS
        .iter()
        .map(|action| action.name())
        .collect();
    assert!(actions.len() >= 52, "{actions:?}");
    let differences = Mutex::new(Vec::new());
    // tccli takes about half a second to start, so two at a time.
    std::thread::scope(|scope| {
        for half in actions.chunks(actions.len().div_ceil(2)) {
            let differences = &differences;
            scope.spawn(move || {
                for action in half {
                    let args = [*action, "--generate-cli-skeleton"];
                    let reference = tccli(&args, DEFAULT_RESPONSE);
                    let run = scf(&args, DEFAULT_RESPONSE);
                    let expected = without_tccli_only_type_names(&reference.stdout);
                    if reference.code != Some(0) || run.stdout != expected || !run.sent.is_empty() {
                        differences.lock().unwrap().push(format!(
                            "{action}:\n--- tccli (exit {:?})\n{}--- scf (exit {:?}, sent {:?})\n{}",
                            reference.code, reference.stdout, run.code, run.sent, run.stdout
                        ));
                    }
                }
            });
        }
    });
    let differences = differences.into_inner().unwrap();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
