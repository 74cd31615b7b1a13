//! The official bash sample of SCF's Custom Runtime docs, unchanged.

use std::time::Duration;

use super::super::instance::{Ending, Instance};
use super::{code, invocation, spec, within};

/// `CustomRuntime-helloworld/bootstrap` of tencentyun/scf-demo-repo, verbatim.
const BOOTSTRAP: &str = include_str!("../../../tests/fixtures/custom-runtime-bash/bootstrap");

/// `CustomRuntime-helloworld/index.sh`, verbatim.
const INDEX_SH: &str = include_str!("../../../tests/fixtures/custom-runtime-bash/index.sh");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_bash_sample_answers_two_events_on_one_warm_instance() {
    within(async {
        let code = code(&[
            ("bootstrap", 0o755, BOOTSTRAP),
            ("index.sh", 0o755, INDEX_SH),
        ]);
        let mut instance = Instance::start(spec(&code)).await.unwrap();
        let pid = instance.pid().unwrap();
        let first = instance
            .invoke(invocation(
                "req-1",
                r#"{"key":"value"}"#,
                Duration::from_secs(60),
            ))
            .await;
        assert_eq!(
            first.outcome,
            Ending::Returned(br#"Echoing request: '{"key":"value"}'"#.to_vec())
        );
        let second = instance
            .invoke(invocation("req-2", "second-event", Duration::from_secs(60)))
            .await;
        assert_eq!(
            second.outcome,
            Ending::Returned(b"Echoing request: 'second-event'".to_vec())
        );
        // The handler's stderr line is in its own request's log only.
        assert!(first.log.contains(r#"{"key":"value"}"#), "{:?}", first.log);
        assert!(!first.log.contains("second-event"), "{:?}", first.log);
        assert!(second.log.contains("second-event"), "{:?}", second.log);
        assert!(!second.log.contains("key"), "{:?}", second.log);
        // The same process served both, and it is measured.
        assert!(instance.is_alive());
        assert_eq!(instance.pid(), Some(pid));
        assert!(first.mem_usage > 0 && second.mem_usage > 0);
    })
    .await;
}
