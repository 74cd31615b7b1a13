//! Every way an init or an invocation ends.

use std::io::ErrorKind;
use std::time::Duration;

use super::super::instance::{Ending, InitFailureKind, Instance};
use super::{Marker, bash_code, code, ends, invocation, number_after, spec, spec_of, within};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_answer_errs_and_leaves_the_instance_usable() {
    within(async {
        let code = bash_code(
            "",
            r#"if [ "$EVENT" = fail ]; then
    curl -sS -X POST --data-binary "failed: $EVENT" "$API/invocation/error"
  else
    curl -sS -X POST --data-binary "ok: $EVENT" "$API/invocation/response"
  fi"#,
        );
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let failed = instance.invoke(invocation("r1", "fail", LONG)).await;
        assert_eq!(failed.outcome, Ending::Errored(b"failed: fail".to_vec()));
        let next = instance.invoke(invocation("r2", "again", LONG)).await;
        assert_eq!(next.outcome, Ending::Returned(b"ok: again".to_vec()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_timeout_an_invocation_is_killed_with_its_group() {
    within(async {
        let code = bash_code("", r#"sleep 1000 & echo "child $!" >&2; wait"#);
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let completed = instance
            .invoke(invocation("r1", "e", Duration::from_secs(1)))
            .await;
        assert_eq!(completed.outcome, Ending::TimedOut);
        let child = number_after(&completed.log, "child");
        assert!(ends(pid).await && ends(child).await);
        assert!(!instance.is_alive());
        // A dead instance answers at once.
        let after = instance.invoke(invocation("r2", "e", LONG)).await;
        assert!(matches!(after.outcome, Ending::Exited(_)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_exiting_mid_invocation_ends_it_as_exited() {
    within(async {
        let code = bash_code("", r#"echo "leaving on $EVENT" >&2; exit 7"#);
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let completed = instance.invoke(invocation("r1", "purpose", LONG)).await;
        assert!(
            matches!(completed.outcome, Ending::Exited(status) if status.code() == Some(7)),
            "{:?}",
            completed.outcome
        );
        assert!(
            completed.log.contains("leaving on purpose"),
            "{:?}",
            completed.log
        );
        assert!(!instance.is_alive());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_exiting_before_ready_fails_init_with_its_output() {
    within(async {
        let code = bash_code("echo 'cannot start' >&2; exit 3", "");
        let failure = Instance::start(spec(&code)).await.unwrap_err();
        assert!(
            matches!(failure.kind, InitFailureKind::Exited(status) if status.code() == Some(3)),
            "{:?}",
            failure.kind
        );
        assert!(failure.log.contains("cannot start"), "{:?}", failure.log);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_never_ready_is_killed_at_the_init_timeout() {
    within(async {
        let code = bash_code(
            r#"echo "waiting $$" >&2; sleep 1000 & echo "child $!" >&2; wait"#,
            "",
        );
        let mut spec = spec(&code);
        spec.init_timeout = Duration::from_secs(1);
        let failure = Instance::start(spec).await.unwrap_err();
        assert!(
            matches!(failure.kind, InitFailureKind::TimedOut),
            "{:?}",
            failure.kind
        );
        let pid = number_after(&failure.log, "waiting");
        let child = number_after(&failure.log, "child");
        assert!(ends(pid).await && ends(child).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_not_executable_program_fails_to_spawn() {
    within(async {
        let code = code(&[("bootstrap", 0o644, "#!/bin/sh\nexit 0\n")]);
        let not_executable = Instance::start(spec(&code)).await.unwrap_err();
        assert!(
            matches!(&not_executable.kind, InitFailureKind::Spawn(e) if e.kind() == ErrorKind::PermissionDenied),
            "{:?}",
            not_executable.kind
        );
        let missing = Instance::start(spec_of(&code, "no-such-bootstrap")).await.unwrap_err();
        assert!(
            matches!(&missing.kind, InitFailureKind::Spawn(e) if e.kind() == ErrorKind::NotFound),
            "{:?}",
            missing.kind
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hard_termination_kills_the_group_at_once() {
    within(async {
        let code = bash_code("", r#"touch "$MARKER"; sleep 1000"#);
        let marker = Marker::new();
        let mut instance = Instance::start(marker.spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let terminator = instance.terminator();
        let (completed, ()) = tokio::join!(instance.invoke(invocation("r1", "e", LONG)), async {
            assert!(marker.appears().await);
            terminator.terminate(None);
        });
        assert_eq!(completed.outcome, Ending::Terminated);
        assert!(ends(pid).await);
        assert!(!instance.is_alive());
        let after = instance.invoke(invocation("r2", "e", LONG)).await;
        assert_eq!(after.outcome, Ending::Terminated);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_termination_lets_a_sigterm_handler_finish() {
    within(async {
        let code = bash_code(
            r#"trap 'echo "got SIGTERM" >&2; exit 0' TERM"#,
            r#"sleep 1000 & touch "$MARKER"; wait $!"#,
        );
        let marker = Marker::new();
        let mut instance = Instance::start(marker.spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let terminator = instance.terminator();
        // A grace this long would outlast the test's deadline: the handler's exit ends it.
        let (completed, ()) = tokio::join!(instance.invoke(invocation("r1", "e", LONG)), async {
            assert!(marker.appears().await);
            terminator.terminate(Some(Duration::from_secs(600)));
        });
        assert_eq!(completed.outcome, Ending::Terminated);
        assert!(completed.log.contains("got SIGTERM"), "{:?}", completed.log);
        assert!(ends(pid).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_ignoring_sigterm_is_killed_after_the_grace() {
    within(async {
        // The trap only prints, and the sleep it interrupts may fail: the script carries on.
        let code = bash_code(
            r#"trap 'echo "ignoring SIGTERM" >&2' TERM"#,
            r#"touch "$MARKER"; while true; do sleep 1 || true; done"#,
        );
        let marker = Marker::new();
        let mut instance = Instance::start(marker.spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let terminator = instance.terminator();
        let (completed, ()) = tokio::join!(instance.invoke(invocation("r1", "e", LONG)), async {
            assert!(marker.appears().await);
            terminator.terminate(Some(Duration::from_secs(2)));
        });
        assert_eq!(completed.outcome, Ending::Terminated);
        // It saw the SIGTERM and carried on, so only the kill after the grace ended it.
        assert!(
            completed.log.contains("ignoring SIGTERM"),
            "{:?}",
            completed.log
        );
        assert!(ends(pid).await);
        assert!(!instance.is_alive());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_sees_the_documented_environment_and_a_tmpdir_of_its_own() {
    within(async {
        let code = bash_code(
            "",
            r#"curl -sS -X POST --data-binary "$(env; echo "PWD_IS=$(pwd)")" "$API/invocation/response""#,
        );
        let mut spec = spec(&code);
        spec.env.push(("GREETING".to_owned(), "hello world".to_owned()));
        let mut instance = Instance::start(spec).await.unwrap();
        let completed = instance.invoke(invocation("r1", "e", LONG)).await;
        let Ending::Returned(env) = completed.outcome else {
            panic!("{:?}", completed.outcome);
        };
        let env = String::from_utf8(env).unwrap();
        let value = |name: &str| {
            env.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_owned)
        };
        assert_eq!(value("SCF_RUNTIME_API").as_deref(), Some("127.0.0.1"));
        assert!(value("SCF_RUNTIME_API_PORT").unwrap().parse::<u16>().is_ok());
        assert_eq!(value("_HANDLER").as_deref(), Some("index.main_handler"));
        assert_eq!(value("LANG").as_deref(), Some("en_US.UTF8"));
        assert_eq!(value("GREETING").as_deref(), Some("hello world"));
        assert_eq!(value("PWD_IS"), Some(code.dir.display().to_string()));
        // Nothing else of the emulator's environment leaks in.
        if std::env::var_os("CARGO_MANIFEST_DIR").is_some() {
            assert_eq!(value("CARGO_MANIFEST_DIR"), None);
        }
        let tmpdir = std::path::PathBuf::from(value("TMPDIR").unwrap());
        assert!(tmpdir.is_dir());
        drop(instance);
        assert!(!tmpdir.exists());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_over_the_limit_ends_the_invocation_as_too_large() {
    within(async {
        let code = bash_code(
            "",
            r#"head -c 7000000 /dev/zero > "$TMPDIR/big"
  curl -sS -X POST --data-binary "@$TMPDIR/big" "$API/invocation/response" >&2"#,
        );
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let completed = instance.invoke(invocation("r1", "e", LONG)).await;
        assert_eq!(completed.outcome, Ending::TooLarge);
        assert!(!instance.is_alive());
    })
    .await;
}
