//! The Python 3 bootstrap with the handlers of `tests/fixtures/bootstraps/python/index.py`.

use serde_json::Value;

use super::super::{Bootstrap, FUNCTION_VARIABLES};
use super::{Ending, Function, assert_context, assert_error_shape, errored, within};

const PYTHON: Bootstrap = Bootstrap::Python3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_dict_is_answered_as_json_dumps_writes_it() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.returns_dict").await else {
            return;
        };
        // json.dumps(ret, ensure_ascii=False): its default separators, non-ASCII kept as is.
        assert_eq!(
            function.returned("r1", r#"{"key":"value"}"#).await,
            r#"{"greeting": "你好", "event": {"key": "value"}, "count": 3}"#
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_string_is_answered_as_a_json_string() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.returns_string").await else {
            return;
        };
        assert_eq!(function.returned("r1", "{}").await, r#""Hello World""#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_is_not_json_reaches_the_handler_as_a_string() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.echoes").await else {
            return;
        };
        assert_eq!(
            function.returned("r1", "plain text").await,
            r#""plain text""#
        );
        assert_eq!(function.returned("r2", "[1, 2]").await, "[1, 2]");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printed_and_logged_lines_are_in_their_own_requests_log() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.prints").await else {
            return;
        };
        let first = function.invoke("req-one", "{}").await;
        let second = function.invoke("req-two", "{}").await;
        // A handler returning None answers null.
        assert_eq!(first.outcome, Ending::Returned(b"null".to_vec()));
        for line in [
            "first line of req-one",
            "second line of req-one",
            "logged at info by req-one",
        ] {
            assert!(first.log.contains(line), "{line:?} not in {:?}", first.log);
        }
        // The root logger is at INFO.
        assert!(!first.log.contains("logged at debug"), "{:?}", first.log);
        assert!(!first.log.contains("req-two"), "{:?}", first.log);
        assert!(
            second.log.contains("second line of req-two"),
            "{:?}",
            second.log
        );
        assert!(!second.log.contains("req-one"), "{:?}", second.log);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_is_a_430_error_with_the_traceback_and_the_instance_stays_usable() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.raises_when_asked").await else {
            return;
        };
        let (error, log) = errored(function.invoke("r-fail", r#"{"fail": true}"#).await);
        assert_error_shape(&error, "r-fail", 430);
        assert_eq!(error["errorMessage"], "user code exception caught");
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(
            trace.starts_with("Traceback (most recent call last):"),
            "{trace}"
        );
        assert!(trace.contains("index.py"), "{trace}");
        assert!(trace.contains("in raises_when_asked"), "{trace}");
        assert!(
            trace.ends_with("ValueError: the handler failed on purpose"),
            "{trace}"
        );
        // The bootstrap's own frames are not the user's business.
        assert!(!trace.contains("bootstrap.py"), "{trace}");
        // The traceback is in the log too.
        assert!(
            log.contains("ValueError: the handler failed on purpose"),
            "{log:?}"
        );
        assert_eq!(function.returned("r-next", "{}").await, r#""recovered""#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_handler_file_is_a_437_error_at_every_invocation() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "missing.main_handler").await else {
            return;
        };
        for request_id in ["r1", "r2"] {
            let (error, log) = errored(function.invoke(request_id, "{}").await);
            assert_error_shape(&error, request_id, 437);
            assert_eq!(error["errorMessage"], "No module named 'missing'");
            assert!(log.contains("No module named 'missing'"), "{log:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_uncallable_function_is_a_437_error() {
    within(async {
        for (handler, message) in [
            ("index.absent", "module 'index' has no attribute 'absent'"),
            (
                "index.not_a_function",
                "'not_a_function' of module 'index' is not callable",
            ),
        ] {
            let Some(mut function) = Function::start(PYTHON, handler).await else {
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
async fn a_module_failing_at_import_is_a_437_error_with_its_traceback() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "broken.main_handler").await else {
            return;
        };
        let (error, log) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 437);
        assert_eq!(error["errorMessage"], "broken at import");
        let trace = error["stackTrace"].as_str().unwrap();
        assert!(trace.contains("broken.py"), "{trace}");
        assert!(trace.ends_with("RuntimeError: broken at import"), "{trace}");
        // The import failed during init, whose output opens the first invocation's log.
        assert!(log.contains("RuntimeError: broken at import"), "{log:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_has_scfs_fields_with_their_types() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.returns_context").await else {
            return;
        };
        let context: Value = serde_json::from_str(&function.returned("ctx-1", "{}").await).unwrap();
        assert_context(&context, "ctx-1");
        // A warm instance gives each invocation its own request id.
        let again: Value = serde_json::from_str(&function.returned("ctx-2", "{}").await).unwrap();
        assert_eq!(again["request_id"], "ctx-2");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decimals_are_answered_as_strings() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.returns_decimal").await else {
            return;
        };
        assert_eq!(function.returned("r1", "{}").await, r#"{"price": "9.99"}"#);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_json_cannot_encode_is_a_430_error() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.returns_unencodable").await else {
            return;
        };
        let (error, _) = errored(function.invoke("r1", "{}").await);
        assert_error_shape(&error, "r1", 430);
        assert_eq!(
            error["stackTrace"],
            "TypeError: Object of type set is not JSON serializable"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_in_a_subdirectory_imports_its_siblings() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "sub/nested.main_handler").await else {
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
async fn the_function_sees_its_variables_but_not_the_bootstraps_own() {
    within(async {
        let Some(mut function) = Function::start(PYTHON, "index.reads_variable").await else {
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
