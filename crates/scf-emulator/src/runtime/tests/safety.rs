//! Handlers that flood their output, fork, or outlive their instance never block the emulator or others.

use std::time::Duration;

use super::super::instance::{Ending, Instance};
use super::super::output::TRUNCATED;
use super::{Marker, bash_code, ends, invocation, spec, within};

const LONG: Duration = Duration::from_secs(120);

/// Answers each event with `echo: <event>`.
fn echo_code() -> super::Code {
    bash_code(
        "",
        r#"curl -sS -X POST --data-binary "echo: $EVENT" "$API/invocation/response""#,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_handler_is_capped_and_does_not_block_another_instance() {
    within(async {
        let flood_code = bash_code("", r#"touch "$MARKER"; yes"#);
        let marker = Marker::new();
        let mut flood_spec = marker.spec(&flood_code);
        flood_spec.output_cap = 16 * 1024;
        let mut flooding = Instance::start(flood_spec).await.unwrap();
        let echo_code = echo_code();
        let mut other = Instance::start(spec(&echo_code)).await.unwrap();
        let terminator = flooding.terminator();
        let (flooded, answered) =
            tokio::join!(flooding.invoke(invocation("f", "e", LONG)), async {
                assert!(marker.appears().await);
                // The flood runs until this other instance has answered.
                let answered = other.invoke(invocation("o", "hello", LONG)).await;
                terminator.terminate(None);
                answered
            });
        assert_eq!(answered.outcome, Ending::Returned(b"echo: hello".to_vec()));
        assert_eq!(flooded.outcome, Ending::Terminated);
        assert!(
            flooded.log.ends_with(TRUNCATED),
            "{:?}",
            &flooded.log[flooded.log.len().saturating_sub(80)..]
        );
        assert!(flooded.log.len() <= 16 * 1024 + 1 + TRUNCATED.len());
        assert!(flooded.log.starts_with("y\ny\n"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_flooding_then_answering_returns_with_its_output_capped() {
    within(async {
        let code = bash_code(
            "",
            r#"(yes | head -c 5000000) || true
  curl -sS -X POST --data-binary "done" "$API/invocation/response""#,
        );
        let mut spec = spec(&code);
        spec.output_cap = 4096;
        let mut instance = Instance::start(spec).await.unwrap();
        let first = instance.invoke(invocation("r1", "e", LONG)).await;
        assert_eq!(first.outcome, Ending::Returned(b"done".to_vec()));
        assert!(first.log.ends_with(TRUNCATED));
        assert!(first.log.len() <= 4096 + 1 + TRUNCATED.len());
        // The next request's output starts anew.
        let second = instance.invoke(invocation("r2", "e", LONG)).await;
        assert_eq!(second.outcome, Ending::Returned(b"done".to_vec()));
        assert!(second.log.ends_with(TRUNCATED) && second.log.starts_with("y\n"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forked_child_dies_with_its_instance_when_it_is_killed() {
    within(async {
        // The first event forks a child that keeps the output pipes open and answers with its pid; the
        // second event sleeps past its timeout.
        let code = bash_code(
            "",
            r#"if [ "$EVENT" = fork ]; then
    sleep 1000 &
    curl -sS -X POST --data-binary "$!" "$API/invocation/response"
  else
    sleep 1000
  fi"#,
        );
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let forked = instance.invoke(invocation("r1", "fork", LONG)).await;
        let Ending::Returned(child) = forked.outcome else {
            panic!("{:?}", forked.outcome);
        };
        let child: u32 = String::from_utf8(child).unwrap().parse().unwrap();
        assert!(!super::is_gone(child));
        let timed_out = instance
            .invoke(invocation("r2", "wait", Duration::from_secs(1)))
            .await;
        assert_eq!(timed_out.outcome, Ending::TimedOut);
        assert!(ends(pid).await && ends(child).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_instance_kills_its_process_and_children() {
    within(async {
        let code = bash_code(
            "sleep 1000 &\nCHILD=$!",
            r#"curl -sS -X POST --data-binary "$CHILD" "$API/invocation/response""#,
        );
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let answered = instance.invoke(invocation("r1", "e", LONG)).await;
        let Ending::Returned(child) = answered.outcome else {
            panic!("{:?}", answered.outcome);
        };
        let child: u32 = String::from_utf8(child).unwrap().parse().unwrap();
        assert!(!super::is_gone(pid) && !super::is_gone(child));
        drop(instance);
        assert!(ends(pid).await && ends(child).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invocation_dropped_midway_leaves_the_instance_dead() {
    within(async {
        let code = bash_code("", "sleep 1000");
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let abandoned = tokio::time::timeout(
            Duration::from_millis(200),
            instance.invoke(invocation("r1", "e", LONG)),
        )
        .await;
        assert!(abandoned.is_err());
        assert!(!instance.is_alive());
        drop(instance);
        assert!(ends(pid).await);
    })
    .await;
}
