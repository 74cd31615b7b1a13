//! The official bash sample of SCF's Custom Runtime docs, unchanged.

use std::time::Duration;

use super::super::instance::{Ending, Instance};
use super::{code, invocation, spec, within};

/// `CustomRuntime-helloworld/bootstrap` of tencentyun/scf-demo-repo, verbatim.
const BOOTSTRAP: &str = r#"#!/bin/bash

set -euo pipefail

# Initialization - load function handler
source ./"$(echo $_HANDLER | cut -d. -f1).sh"

# Info custom runtime ready
curl -d " " -X POST -s "http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/init/ready"

# Processing
while true
do
  HEADERS="$(mktemp)"
  # Get an event. The HTTP request will block until one is received
  EVENT_DATA=$(curl -sS -LD "$HEADERS" -X GET -s "http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/invocation/next")

  # Execute the handler function from the script
  RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA")

  # Send the response
  curl -X POST -s "http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/invocation/response"  -d "$RESPONSE"
done
"#;

/// `CustomRuntime-helloworld/index.sh`, verbatim.
const INDEX_SH: &str = r#"function main_handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  RESPONSE="Echoing request: '$EVENT_DATA'"

  echo $RESPONSE
}
"#;

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
