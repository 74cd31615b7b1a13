"""The bootstrap the SCF emulator ships for Python 3 event functions.

It speaks SCF's Custom Runtime API (POST /runtime/init/ready, GET /runtime/invocation/next,
POST /runtime/invocation/response, POST /runtime/invocation/error) and calls the handler named by
_HANDLER (`file.function` or `dir/file.function`) as `main_handler(event, context)`, as SCF's own
Python runtime does. Standard library only; Python 3.8 or later.
"""

import decimal
import http.client
import importlib.util
import json
import logging
import os
import sys
import time
import traceback

# A refused connection means the emulator's runtime API is gone; a few retries cover a restart race.
CONNECT_ATTEMPTS = 5
CONNECT_RETRY_DELAY_SECONDS = 0.2

# The emulator names the function's own variables here (comma-separated): SCF fills the context's
# `environment` and `environ` from the function's configuration, which the process cannot tell apart
# from the platform's variables. No configurable variable starts with an underscore.
FUNCTION_VARIABLES = "_SCF_FUNCTION_VARIABLES"
BOOTSTRAP_FILE = os.path.abspath(__file__)


class RuntimeApi:
    """A client of the runtime API on one keep-alive connection, reopened when it breaks."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.connection = None

    def request(self, method, path, body=None):
        """Sends one request and returns (headers, body bytes); exits when the API is unreachable."""
        refused = 0
        broken = 0
        while True:
            if self.connection is None:
                # No timeout: /next blocks until an event arrives, however long that takes.
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                headers = {"Content-Type": "application/json"} if body is not None else {}
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                return response, data
            except ConnectionRefusedError:
                self.close()
                refused += 1
                if refused >= CONNECT_ATTEMPTS:
                    fatal("runtime API at %s:%s refused the connection" % (self.host, self.port))
                time.sleep(CONNECT_RETRY_DELAY_SECONDS)
            except (http.client.HTTPException, OSError) as error:
                # A kept-alive connection the server closed fails once; a fresh one decides.
                self.close()
                broken += 1
                if broken >= 2:
                    fatal("runtime API request %s %s failed: %s" % (method, path, error))

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def fatal(message):
    """Ends the instance: without its runtime API there is nothing left to serve."""
    sys.stderr.write("bootstrap: %s\n" % message)
    sys.stderr.flush()
    sys.exit(1)


def function_environment():
    """The function's own variables and SCF_NAMESPACE, as SCF puts them in the context."""
    names = set(os.environ.pop(FUNCTION_VARIABLES, "").split(","))
    names.add("SCF_NAMESPACE")
    return {name: os.environ[name] for name in sorted(names) if name in os.environ}


def load_handler(handler_name, code_dir):
    """Imports the handler's file and returns (function, None), or (None, (message, trace))."""
    module_path, dot, function_name = handler_name.rpartition(".")
    if not dot or not module_path or not function_name:
        message = "handler %r is not of the form file.function" % handler_name
        return None, (message, message)
    file_path = os.path.join(code_dir, module_path + ".py")
    module_name = os.path.basename(module_path)
    if not os.path.isfile(file_path):
        message = "No module named '%s'" % module_name
        return None, (message, "%s: %s.py not found in %s" % (message, module_path, code_dir))
    # Sibling imports of a handler in a subdirectory resolve as they would for a script there.
    handler_dir = os.path.dirname(file_path)
    if handler_dir not in sys.path:
        sys.path.insert(0, handler_dir)
    try:
        spec = importlib.util.spec_from_file_location(module_name, file_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(module_name, None)
        trace = format_exception(error)
        return None, (str(error) or type(error).__name__, trace)
    if not hasattr(module, function_name):
        message = "module '%s' has no attribute '%s'" % (module_name, function_name)
        return None, (message, message)
    function = getattr(module, function_name)
    if not callable(function):
        message = "'%s' of module '%s' is not callable" % (function_name, module_name)
        return None, (message, message)
    return function, None


def is_bootstrap_frame(file_name):
    return file_name.startswith("<frozen ") or os.path.abspath(file_name) == BOOTSTRAP_FILE


def format_exception(error):
    """The traceback of `error` without the bootstrap's own frames, as SCF shows it."""
    tb = error.__traceback__
    while tb is not None and is_bootstrap_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    lines = traceback.format_exception(type(error), error, tb)
    return "".join(lines).rstrip("\n")


def encode_default(value):
    """Lets json.dumps write Decimal values as strings, as SCF's runtime does."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def encode(value):
    return json.dumps(value, ensure_ascii=False, default=encode_default)


def header_int(response, name):
    try:
        return int(response.getheader(name, "0"))
    except ValueError:
        return 0


def build_context(response, environment):
    return {
        "memory_limit_in_mb": header_int(response, "memory_limit_in_mb"),
        "time_limit_in_ms": header_int(response, "time_limit_in_ms"),
        "request_id": response.getheader("request_id", ""),
        "environment": json.dumps(environment, ensure_ascii=False, separators=(",", ":")),
        "environ": ";".join("%s=%s" % item for item in environment.items()),
        "function_version": os.environ.get("SCF_FUNCTIONVERSION", ""),
        "function_name": os.environ.get("SCF_FUNCTIONNAME", ""),
        "namespace": os.environ.get("SCF_NAMESPACE", ""),
        "tencentcloud_region": os.environ.get("TENCENTCLOUD_REGION", ""),
        "tencentcloud_appid": os.environ.get("TENCENTCLOUD_APPID", ""),
        "tencentcloud_uin": os.environ.get("TENCENTCLOUD_UIN", ""),
    }


def decode_event(body):
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def error_body(status_code, message, request_id, trace):
    return json.dumps(
        {
            "errorCode": -1,
            "errorMessage": message,
            "requestId": request_id,
            "stackTrace": trace,
            "statusCode": status_code,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def flush_output():
    # Output must reach the pipe before the push ends the invocation it belongs to.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def use_utf8_output():
    # The function's locale may be missing on this machine; logs are UTF-8 either way.
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def configure_logging():
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(logging.StreamHandler(sys.stdout))


def fail(api, request_id, trace):
    """Reports a user code exception: the traceback goes to the log and into the error (430)."""
    sys.stderr.write(trace + "\n")
    flush_output()
    failure = error_body(430, "user code exception caught", request_id, trace)
    api.request("POST", "/runtime/invocation/error", failure)


def main():
    use_utf8_output()
    configure_logging()
    # The bootstrap's own directory must not shadow the function's modules.
    bootstrap_dir = os.path.dirname(BOOTSTRAP_FILE)
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != bootstrap_dir]

    host = os.environ.get("SCF_RUNTIME_API", "127.0.0.1")
    port = os.environ.get("SCF_RUNTIME_API_PORT")
    if not port:
        fatal("SCF_RUNTIME_API_PORT is not set")
    api = RuntimeApi(host, port)
    code_dir = os.getcwd()
    environment = function_environment()

    handler, load_error = load_handler(os.environ.get("_HANDLER", ""), code_dir)
    if load_error is not None:
        # SCF reports a handler it cannot load at each invocation (status 437), not at init.
        sys.stderr.write(load_error[1] + "\n")
    flush_output()
    api.request("POST", "/runtime/init/ready", b" ")

    while True:
        response, body = api.request("GET", "/runtime/invocation/next")
        if response.status != 200:
            fatal("runtime API answered %d to /runtime/invocation/next" % response.status)
        context = build_context(response, environment)
        request_id = context["request_id"]
        if load_error is not None:
            message, trace = load_error
            sys.stderr.write(message + "\n")
            flush_output()
            api.request("POST", "/runtime/invocation/error", error_body(437, message, request_id, trace))
            continue
        try:
            returned = handler(decode_event(body), context)
        except Exception as error:
            fail(api, request_id, format_exception(error))
            continue
        try:
            result = encode(returned).encode("utf-8")
        except (TypeError, ValueError) as error:
            # The traceback would show json's internals; what failed to encode is the point.
            trace = "".join(traceback.format_exception_only(type(error), error)).rstrip("\n")
            fail(api, request_id, trace)
            continue
        flush_output()
        api.request("POST", "/runtime/invocation/response", result)


if __name__ == "__main__":
    main()
