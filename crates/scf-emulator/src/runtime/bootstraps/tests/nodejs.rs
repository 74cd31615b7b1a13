//! The Node.js bootstrap with the handlers of `tests/fixtures/bootstraps/nodejs/index.js`.

use serde_json::Value;

use super::super::{Bootstrap, FUNCTION_VARIABLES};
use super::{Ending, Function, assert_context, assert_error_shape, errored, within};

const NODE: Bootstrap = Bootstrap::Nodejs;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_object_is_answered_as_json_stringify_writes_it() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.returnsObject").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", r#"{"key":"value"}"#).await,
            r#"{"greeting":"你好","event":{"key":"value"},"count":3}"#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_string_is_answered_as_a_json_string() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.returnsString").await else {
            return;
        };
        assert_eq!(function.returned("r1", "{}").await, r#""Hello World""#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_is_not_json_reaches_the_handler_as_a_string() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.echoes").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", "plain text").await,
            r#""plain text""#
        );
        assert_eq!(function.returned("r2", "[1, 2]").await, "[1,2]");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_lines_are_in_their_own_requests_log() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.logs").await else {
            return;
        };
        let first = function.invoke("req-one", "{}").await;
        let second = function.invoke("req-two", "{}").await;
        for line in [
            "first line of req-one",
            "second line of req-one",
            "written by req-one",
        ] {
            assert!(first.log.contains(line), "{line:?} not in {:?}", first.log);
        }
        assert!(!first.log.contains("req-two"), "{:?}", first.log);
        assert!(
            second.log.contains("written by req-two"),
            "{:?}",
            second.log
        );
        assert!(!second.log.contains("req-one"), "{:?}", second.log);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thrown_error_is_a_430_error_with_its_stack_and_the_instance_stays_usable() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.throwsWhenAsked").await else {
            return;
        };
        let (error, log) = errored(function.invoke("r-fail", r#"{"fail":true}"#).await);
        assert_error_shape(&error, "r-fail", 430);
        assert_eq!(error["errorMessage"], "user code exception caught");
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(
            trace.starts_with("Error: the handler failed on purpose"),
            "{trace}"
        );
        assert!(trace.contains("index.js"), "{trace}");
        // The bootstrap's own frames are not the user's business.
        assert!(!trace.contains("bootstrap.js"), "{trace}");
        assert!(
            log.contains("Error: the handler failed on purpose"),
            "{log:?}"
        );
        assert_eq!(function.returned("r-next", "{}").await, r#""recovered""#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_handler_file_is_a_437_error_at_every_invocation() {
    within(async {
        let Some(mut function) = Function::start(NODE, "missing.main_handler").await else {
            return;
        };
        for request_id in ["r1", "r2"] {
            let (error, _) = errored(function.invoke(request_id, "{}").await);
            assert_error_shape(&error, request_id, 437);
            let message = error["errorMessage"].as_str().unwrap();
            assert!(message.starts_with("Cannot find module '"), "{message}");
            assert!(message.ends_with("/missing'"), "{message}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_function_or_a_non_function_export_is_a_437_error() {
    within(async {
        for (handler, message) in [
            ("index.absent", "module 'index' has no attribute 'absent'"),
            (
                "index.notAFunction",
                "'notAFunction' of module 'index' is not a function",
            ),
        ] {
            let Some(mut function) = Function::start(NODE, handler).await else {
                return;
            };
            let (error, _) = errored(function.invoke("r1", "{}").await);
            assert_error_shape(&error, "r1", 437);
            assert_eq!(error["errorMessage"], message);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_failing_at_load_is_a_437_error_with_its_stack() {
    within(async {
        let Some(mut function) = Function::start(NODE, "broken.main_handler").await else {
            return;
        };
        let (error, log) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 437);
        assert_eq!(error["errorMessage"], "broken at load");
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(trace.contains("broken.js"), "{trace}");
        // The load failed during init, whose output opens the first invocation's log.
        assert!(log.contains("Error: broken at load"), "{log:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_has_scfs_fields_with_their_types() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.returnsContext").await else {
            return;
        };
        let answer: Value = serde_json::from_str(&function.returned("ctx-1", "{}").await).unwrap();
        assert_context(&answer["context"], "ctx-1");
        assert_eq!(answer["remaining"], "number");
        assert_eq!(answer["waits"], true);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_handler_answers_what_its_promise_resolves_to() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.asyncReturns").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", r#"{"n":1}"#).await,
            r#"{"async":true,"event":{"n":1}}"#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_handler_that_rejects_is_a_430_error() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.asyncRejects").await else {
            return;
        };
        let (error, _) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 430);
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(
            trace.starts_with("TypeError: rejected on purpose"),
            "{trace}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_callback_call_answers_and_later_ones_are_ignored() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.callsBack").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", r#"{"n":1}"#).await,
            r#"{"via":"callback","event":{"n":1}}"#
        );
        // The ignored second call did not leak into the next invocation.
        assert_eq!(
            function.returned("r2", r#"{"n":2}"#).await,
            r#"{"via":"callback","event":{"n":2}}"#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_error_is_a_430_error() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.callsBackWithError").await else {
            return;
        };
        let (error, _) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 430);
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(
            trace.starts_with("Error: callback error on purpose"),
            "{trace}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_neither_returns_nor_calls_back_answers_null_once_its_work_is_done() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.returnsNothing").await else {
            return;
        };
        let completed = function.invoke("r1", "{}").await;
        assert_eq!(completed.outcome, Ending::Returned(b"null".to_vec()));
        // Its pending timer ran first.
        assert!(
            completed.log.contains("timer ran before the answer"),
            "{:?}",
            completed.log
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncaught_exception_or_unhandled_rejection_is_the_invocations_error() {
    within(async {
        for (handler, message) in [
            ("index.throwsFromTimer", "Error: thrown from a timer"),
            (
                "index.rejectsUnhandled",
                "Error: nobody handled this rejection",
            ),
        ] {
            let Some(mut function) = Function::start(NODE, handler).await else {
                return;
            };
            let (error, _) = errored(function.invoke("r1", "{}").await);
            assert_error_shape(&error, "r1", 430);
            let trace = error["stackTrace"].as_str().unwrap();
            assert!(trace.starts_with(message), "{handler}: {trace}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_json_cannot_encode_is_a_430_error() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.returnsCircular").await else {
            return;
        };
        let (error, _) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 430);
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(
            trace.starts_with("stringify response to json failed: Converting circular structure"),
            "{trace}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_in_a_subdirectory_requires_its_siblings() {
    within(async {
        let Some(mut function) = Function::start(NODE, "sub/nested.main_handler").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", "{}").await,
            r#""sibling of nested""#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_es_module_handler_is_imported() {
    within(async {
        let Some(mut function) = Function::start(NODE, "esm/index.main_handler").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", r#"{"n":1}"#).await,
            r#"{"esm":{"n":1}}"#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_sees_its_variables_but_not_the_bootstraps_own() {
    within(async {
        let Some(mut function) = Function::start(NODE, "index.readsVariable").await else {
            return;
        };
        let read = |name: &str| format!(r#"{{"name":"{name}"}}"#);
        assert_eq!(
            function.returned("r1", &read("GREETING")).await,
            r#""hello""#
        );
        assert_eq!(
            function
                .returned("r2", &read("TENCENTCLOUD_SECRETID"))
                .await,
            r#""AKIDtemporary""#
        );
        assert_eq!(
            function.returned("r3", &read(FUNCTION_VARIABLES)).await,
            "null"
        );
    })
    .await;
}
