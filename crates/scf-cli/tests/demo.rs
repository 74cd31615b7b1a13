//! `scf demo` as a subprocess: the whole async-event lifecycle, then a Python function's own code run
//! by the demo's emulator when `python3` is on the demo's PATH, or one line saying why that step is
//! skipped. The emulator runs inside the demo's process, so its PATH is the one that counts.

#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SKIPPED: &str = "6. Skipped running a Python function's own code: `python3` is not on PATH.";

/// `scf demo` with nothing in its environment but `path` as PATH and HOME; its exit code, stdout, stderr.
fn demo(path: &OsStr) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scf"));
    command.arg("demo").env_clear().env("PATH", path);
    if let Some(home) = std::env::var_os("HOME") {
        command.env("HOME", home);
    }
    let output = command.stdin(Stdio::null()).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn python3_on(path: &OsStr) -> bool {
    std::env::split_paths(path).any(|dir| dir.join("python3").is_file())
}

/// A directory of its own, empty: a PATH without python3 (or anything else).
fn empty_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `text` with every run of digits, hex letters, dots and dashes that holds a digit replaced by `#`:
/// ports, ids, versions, durations and poll counts vary from run to run, the words around them do not.
fn without_numbers(text: &str) -> String {
    let is_part = |c: char| c.is_ascii_hexdigit() || c == '.' || c == '-';
    let flush = |run: &mut String, normalized: &mut String| {
        if run.chars().any(|c| c.is_ascii_digit()) {
            normalized.push('#');
        } else {
            normalized.push_str(run);
        }
        run.clear();
    };
    let mut normalized = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_part(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut normalized);
            normalized.push(c);
        }
    }
    flush(&mut run, &mut normalized);
    normalized
}

/// README's sample of the demo's output: the `text` block that ends with its `Done:` line.
fn readme_sample() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(readme).unwrap();
    readme
        .split("```text\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .find(|block| block.contains("\nDone: invoked"))
        .expect("README shows no sample of the demo's output")
        .to_owned()
}

#[test]
fn without_python3_the_demo_runs_the_whole_lifecycle_and_skips_the_code_step_in_one_line() {
    let path = empty_dir("demo-path-without-python3");
    let (code, stdout, stderr) = demo(path.as_os_str());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("FINISHED") && stdout.contains("ABORTED") && stdout.contains("TotalCount"),
        "{stdout}"
    );
    let skipped: Vec<&str> = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("6."))
        .collect();
    assert_eq!(skipped, [SKIPPED], "{stdout}");
    assert!(!stdout.contains("hello-python"), "{stdout}");
    assert!(
        stdout
            .trim_end()
            .ends_with("Done: invoked, waited, listed, terminated."),
        "{stdout}"
    );
}

#[test]
fn with_python3_the_demo_runs_a_python_function_and_prints_its_log_as_readme_shows() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    assert!(
        python3_on(&path),
        "this test needs python3 on PATH, as the emulator's run_code tests do"
    );
    let (code, stdout, stderr) = demo(&path);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!stdout.contains(SKIPPED), "{stdout}");

    let step = stdout
        .split_once("\n6. ")
        .map(|(_, step)| step)
        .unwrap_or_else(|| panic!("no step 6:\n{stdout}"));
    let id = step
        .lines()
        .find_map(|line| line.trim().strip_prefix("InvokeRequestId "))
        .unwrap_or_else(|| panic!("no InvokeRequestId:\n{step}"));
    assert!(
        step.contains("ended FINISHED with status code 200"),
        "{step}"
    );
    // The log is that event's: framed by its id, holding the handler's own print line.
    let log: Vec<&str> = step
        .lines()
        .filter_map(|line| line.strip_prefix("   | "))
        .collect();
    assert_eq!(
        log.first(),
        Some(&format!("START RequestId:{id}").as_str()),
        "{step}"
    );
    assert!(
        log.iter()
            .any(|line| line.starts_with("Hello from Python 3.") && line.ends_with(" to hi")),
        "{step}"
    );
    assert!(
        log.contains(&format!("END RequestId:{id}").as_str()),
        "{step}"
    );
    assert!(
        step.contains(r#"RetMsg {"greeting": "hi back", "memory_limit_in_mb": 128}"#),
        "{step}"
    );
    assert!(
        stdout
            .trim_end()
            .ends_with("Done: invoked, waited, listed, terminated, ran Python code."),
        "{stdout}"
    );

    // README's sample is this output, numbers aside: its lines come in this order.
    let output = without_numbers(&stdout);
    let mut output_lines = output.lines();
    for line in without_numbers(&readme_sample()).lines() {
        assert!(
            output_lines.any(|shown| shown == line),
            "README's sample line `{line}` is not in the demo's output (numbers aside):\n{stdout}"
        );
    }
}

#[test]
fn numbers_are_left_out_and_the_words_around_them_kept() {
    assert_eq!(
        without_numbers(
            "Started it at http://127.0.0.1:40679, Python3.9, Hello from Python 3.11.7"
        ),
        "Started it at http://#:#, Python#, Hello from Python #"
    );
    assert_eq!(
        without_numbers(
            "RequestId:de98f457-7d85-4113-b642-2a68905b3bd6 Memory:128MB MemUsage:21.2MB"
        ),
        "RequestId:# Memory:#MB MemUsage:#MB"
    );
    assert_eq!(
        without_numbers("hello-python is Active"),
        "hello-python is Active"
    );
}
