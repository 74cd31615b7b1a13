"""Each runtime kind the emulator runs, deployed and invoked through the official Python SDK, unchanged.

Run by tests/tests/official_python_sdk.rs, which starts `scf-emulator --run-code --state-dir DIR` and passes
its endpoint and keys in the environment. For Python3.9, Nodejs16.13 and CustomRuntime (Tencent's bash
sample, verbatim): CreateFunction from a zip, GetFunction until Active, a sync Invoke and an async one
followed with GetAsyncEventStatus and GetFunctionLogs. Then the failures on the Python and Node.js
functions and on a bash Custom Runtime with the same cases: an exception, a timeout, an exit, a
termination and a graceful one; and init failures: a bootstrap that exits, a module that raises on import.
At the end it prints `INSTANCE <pid>` for each warm instance and for a running handler and the process it
started, so the test can check that stopping the emulator ends them. Exits non-zero on the first check that
fails. Without `node` on PATH the Node.js part is skipped, saying so.
"""
import atexit
import base64
import io
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile

from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.scf.v20180416 import models, scf_client

NAMESPACE = "run-code"
# Long enough for a loaded machine, and never reached when the code behaves.
DEADLINE_SECONDS = 120
checks = 0

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture(*path):
    with open(os.path.join(HERE, *path)) as file:
        return file.read()


# Tencent's bash sample, verbatim (tencentyun/scf-demo-repo CustomRuntime-helloworld), as the emulator's own
# tests keep it.
BASH_SAMPLE = os.path.join("..", "..", "crates", "scf-emulator", "tests", "fixtures", "custom-runtime-bash")
BASH_BOOTSTRAP = fixture(BASH_SAMPLE, "bootstrap")
BASH_HANDLER = fixture(BASH_SAMPLE, "index.sh")
# One handler per language for every case; the event says which.
PYTHON_FILES = [("index.py", fixture("..", "fixtures", "handlers", "index.py"), 0o644)]
NODE_FILES = [("index.js", fixture("..", "fixtures", "handlers", "index.js"), 0o644)]
# A Custom Runtime in bash with the same cases.
BASH_CASES_FILES = [("bootstrap", fixture("..", "fixtures", "handlers", "bootstrap"), 0o755)]


def client():
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=os.environ["SCF_ENDPOINT"], protocol="http"))
    keys = credential.Credential(os.environ["SCF_SECRET_ID"], os.environ["SCF_SECRET_KEY"])
    return scf_client.ScfClient(keys, "ap-guangzhou", profile)


def check(condition, what):
    global checks
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def package(files):
    """A zip of (name, text, mode) entries, with the Unix mode bits a `chmod` before `zip` leaves."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text, mode in files:
            entry = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            entry.create_system = 3
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text)
    return base64.b64encode(buffer.getvalue()).decode()


def deploy(name, runtime, files, timeout):
    create = models.CreateFunctionRequest()
    create.Namespace = NAMESPACE
    create.FunctionName = name
    create.Handler = "index.main_handler"
    create.Runtime = runtime
    create.Timeout = timeout
    create.AsyncRunEnable = "TRUE"
    create.Code = models.Code()
    create.Code.ZipFile = package(files)
    scf.CreateFunction(create)
    get = models.GetFunctionRequest()
    get.Namespace = NAMESPACE
    get.FunctionName = name
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (status := scf.GetFunction(get).Status) != "Active":
        check(time.monotonic() < deadline, f"{name} never became Active (still {status})")
        time.sleep(0.1)


def no_retries(name):
    """Failed async events are tried again as the function's async invoke config says (twice a minute
    apart by default); the failure cases below want the first outcome."""
    request = models.UpdateFunctionEventInvokeConfigRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = name
    request.AsyncTriggerConfig = models.AsyncTriggerConfig()
    retry = models.RetryConfig()
    retry.RetryNum = 0
    request.AsyncTriggerConfig.RetryConfig = [retry]
    request.AsyncTriggerConfig.MsgTTL = 21600
    scf.UpdateFunctionEventInvokeConfig(request)


def invoke(name, event):
    """A sync Invoke with the log's tail; its Result."""
    request = models.InvokeRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = name
    request.InvocationType = "RequestResponse"
    request.LogType = "Tail"
    request.ClientContext = json.dumps(event, separators=(",", ":"))
    return scf.Invoke(request).Result


def invoke_async(name, event):
    """An async Invoke; its event's id."""
    request = models.InvokeRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = name
    request.InvocationType = "Event"
    request.ClientContext = json.dumps(event, separators=(",", ":"))
    return scf.Invoke(request).Result.FunctionRequestId


def wait_for_end(event_id):
    """Follows the event with GetAsyncEventStatus until it ends; its status and status code."""
    request = models.GetAsyncEventStatusRequest()
    request.InvokeRequestId = event_id
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (result := scf.GetAsyncEventStatus(request).Result).Status == "RUNNING":
        check(time.monotonic() < deadline, f"event {event_id} still RUNNING")
        time.sleep(0.1)
    return result.Status, result.StatusCode


def function_log(name, request_id):
    """The one FunctionLog GetFunctionLogs keeps for request_id."""
    request = models.GetFunctionLogsRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = name
    request.FunctionRequestId = request_id
    logs = scf.GetFunctionLogs(request)
    check(logs.TotalCount == 1 and len(logs.Data) == 1, f"one log of {request_id}, not {logs.TotalCount}")
    check(logs.Data[0].RequestId == request_id, f"the log is {request_id}'s")
    return logs.Data[0]


def terminate(name, event_id, graceful):
    request = models.TerminateAsyncEventRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = name
    request.InvokeRequestId = event_id
    request.GraceShutdown = graceful
    scf.TerminateAsyncEvent(request)


def wait_for_marker(path):
    """The pids the handler wrote into `path` once it runs: its own, then any it started."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not os.path.exists(path) or os.path.getsize(path) == 0:
        check(time.monotonic() < deadline, f"the handler never wrote {path}")
        time.sleep(0.05)
    with open(path) as marker:
        return [int(pid) for pid in marker.read().split()]


def has_ended(pid):
    """Gone, or a zombie nobody reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_for_process_end(pid):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not has_ended(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def error_of(result):
    """The ErrMsg of a failed sync Invoke, decoded."""
    check(result.ErrMsg != "", f"a failed invocation has an ErrMsg: {result}")
    return json.loads(result.ErrMsg)


def check_measured(result, what):
    check(result.Duration > 0 and result.BillDuration > 0, f"{what}: Duration and BillDuration measured: {result}")
    check(result.MemUsage > 0, f"{what}: MemUsage measured: {result}")


def check_kind(name, runtime, files, returned, printed):
    """Deploys `name`; a sync and an async invocation succeed, `returned(event, result)` checks the RetMsg,
    and `printed(request_id, event)` is what the handler printed."""
    deploy(name, runtime, files, timeout=300)
    event = {"echo": runtime}
    result = invoke(name, event)
    check(result.ErrMsg == "", f"{runtime}: sync Invoke succeeds: {result.ErrMsg}")
    returned(event, result)
    check(printed(result.FunctionRequestId, event) in result.Log, f"{runtime}: the Tail log holds the output: {result.Log}")
    check_measured(result, runtime)

    event = {"echo": f"{runtime} async"}
    event_id = invoke_async(name, event)
    check(len(event_id) == 36, f"{runtime}: async Invoke returns the event's id")
    check(wait_for_end(event_id) == ("FINISHED", 200), f"{runtime}: the async event FINISHED with 200")
    log = function_log(name, event_id)
    check((log.RetCode, log.InvokeFinished) == (0, 1), f"{runtime}: its log says it succeeded: {log.RetCode}")
    check(printed(event_id, event) in log.Log, f"{runtime}: GetFunctionLogs holds the event's output: {log.Log}")


def returned_json(runtime, name):
    def check_returned(event, result):
        value = json.loads(result.RetMsg)
        expected = {"runtime": runtime, "echo": event["echo"], "function": name}
        check({key: value.get(key) for key in expected} == expected, f"{name}: RetMsg is the return: {value}")

    return check_returned


scf = client()
namespace = models.CreateNamespaceRequest()
namespace.Namespace = NAMESPACE
scf.CreateNamespace(namespace)

# Python: the shipped bootstrap calls index.main_handler.
check_kind(
    "py-kinds",
    "Python3.9",
    PYTHON_FILES,
    returned_json("python", "py-kinds"),
    lambda request_id, event: f"python echo {request_id}",
)

# Node.js: an async handler.
node = shutil.which("node") is not None
if node:
    check_kind(
        "node-kinds",
        "Nodejs16.13",
        NODE_FILES,
        returned_json("node", "node-kinds"),
        lambda request_id, event: f"node echo {request_id}",
    )
else:
    print("skipped Node.js: `node` is not on PATH, so the Nodejs16.13 function cannot run")


# CustomRuntime: the bootstrap answers with plain text, which is the RetMsg as it is.
def bash_returned(event, result):
    echoed = json.dumps(event, separators=(",", ":"))
    check(result.RetMsg == f"Echoing request: '{echoed}'", f"bash: RetMsg is the pushed text: {result.RetMsg}")


check_kind(
    "bash-kinds",
    "CustomRuntime",
    [("bootstrap", BASH_BOOTSTRAP, 0o755), ("index.sh", BASH_HANDLER, 0o755)],
    bash_returned,
    # The handler echoes the event to stderr.
    lambda request_id, event: json.dumps(event, separators=(",", ":")),
)

def check_failures(name, runtime, files, language, raised):
    """The failures on `name`, already deployed from `files`: an exception (`raised` is what its log
    shows), a timeout, an exit, a termination and a graceful one."""
    no_retries(name)
    # An exception: ErrMsg holds the exception, status 430, sync and async.
    result = invoke(name, {"action": "raise"})
    error = error_of(result)
    if runtime == "CustomRuntime":
        # What the bootstrap posted to /runtime/invocation/error, as it is.
        check(error == {"errorMessage": f"{language} refuses"}, f"{name}: ErrMsg is what was posted: {error}")
    else:
        check(error.get("statusCode") == 430, f"{name}: an exception is status 430: {error}")
        check(f"{language} refuses" in error.get("stackTrace", ""), f"{name}: ErrMsg holds the exception: {error}")
    check(result.RetMsg == "", f"{name}: a failed invocation returns nothing: {result.RetMsg}")
    check(raised in result.Log, f"{name}: the Tail log holds the traceback: {result.Log}")
    event_id = invoke_async(name, {"action": "raise"})
    check(wait_for_end(event_id) == ("FAILED", 430), f"{name}: an async exception FAILED with 430")
    log = function_log(name, event_id)
    check(log.RetCode not in (0, 2, 3) and log.InvokeFinished == 1, f"{name}: its log says it failed: {log.RetCode}")
    check(raised in log.Log, f"{name}: GetFunctionLogs holds the traceback: {log.Log}")

    # Past the function's Timeout (1 s): killed, status 433.
    slow = f"{name}-slow"
    deploy(slow, runtime, files, timeout=1)
    no_retries(slow)
    error = error_of(invoke(slow, {"action": "sleep", "seconds": 60}))
    check(error.get("statusCode") == 433, f"{slow}: a timeout is status 433: {error}")
    event_id = invoke_async(slow, {"action": "sleep", "seconds": 60})
    check(wait_for_end(event_id) == ("FAILED", 433), f"{slow}: an async timeout FAILED with 433")

    # The process exiting mid-invocation: status 439.
    error = error_of(invoke(name, {"action": "exit"}))
    check(error.get("statusCode") == 439, f"{name}: an exit is status 439: {error}")
    event_id = invoke_async(name, {"action": "exit"})
    check(wait_for_end(event_id) == ("FAILED", 439), f"{name}: an async exit FAILED with 439")
    check(f"{language} exit" in function_log(name, event_id).Log, f"{name}: the exited request's output is kept")

    # TerminateAsyncEvent: the sleeping handler's process is killed and the event is ABORTED. The handler
    # traps SIGTERM, which only GraceShutdown sends before the kill.
    for graceful in (False, True):
        marker = os.path.join(markers, f"{name}-graceful-{graceful}")
        event_id = invoke_async(name, {"action": "trap", "seconds": 60, "marker": marker})
        [pid] = wait_for_marker(marker)
        terminate(name, event_id, graceful)
        status, _ = wait_for_end(event_id)
        what = f"{name} (GraceShutdown {graceful})"
        check(status == "ABORTED", f"{what}: a terminated event is ABORTED, not {status}")
        check(wait_for_process_end(pid), f"{what}: the terminated handler's process {pid} ended")
        log = function_log(name, event_id)
        check(log.RetCode == 3, f"{what}: its log says it was interrupted: {log.RetCode}")
        check(f"{language} trap {event_id}" in log.Log, f"{what}: the terminated request's output is kept: {log.Log}")
        got_sigterm = f"{language} got SIGTERM" in log.Log
        check(got_sigterm == graceful, f"{what}: SIGTERM came first only with GraceShutdown: {log.Log}")


markers = tempfile.mkdtemp(prefix="scf-run-code-")
# A failed check exits at once; the markers go either way.
atexit.register(shutil.rmtree, markers, ignore_errors=True)
check_failures("py-kinds", "Python3.9", PYTHON_FILES, "python", "ValueError: python refuses")
if node:
    check_failures("node-kinds", "Nodejs16.13", NODE_FILES, "node", "Error: node refuses")
deploy("bash-cases", "CustomRuntime", BASH_CASES_FILES, timeout=300)
check_failures("bash-cases", "CustomRuntime", BASH_CASES_FILES, "bash", "bash raise")


def check_init_failure(name, runtime, files, status_code, printed):
    """`name` cannot start its code: `status_code` in ErrMsg and the event, sync and async, and each of
    `printed` in the Tail log and GetFunctionLogs."""
    deploy(name, runtime, files, timeout=30)
    no_retries(name)
    result = invoke(name, {})
    check(error_of(result).get("statusCode") == status_code, f"{name}: status {status_code}: {result.ErrMsg}")
    check(all(text in result.Log for text in printed), f"{name}: the Tail log holds {printed}: {result.Log}")
    event_id = invoke_async(name, {})
    check(wait_for_end(event_id) == ("FAILED", status_code), f"{name}: the async event FAILED with {status_code}")
    log = function_log(name, event_id).Log
    check(all(text in log for text in printed), f"{name}: GetFunctionLogs holds {printed}: {log}")


# Init failures: a Custom Runtime that exits before it is ready (405), a Python module that raises on
# import (437, its handler cannot be loaded).
crashing = fixture("..", "fixtures", "init-failures", "bootstrap")
check_init_failure("bash-init-crash", "CustomRuntime", [("bootstrap", crashing, 0o755)], 405,
                   ["loading config", "config missing"])
failing_import = fixture("..", "fixtures", "init-failures", "index.py")
check_init_failure("py-import-fails", "Python3.9", [("index.py", failing_import, 0o644)], 437,
                   ["no config at import"])

# The processes alive now, for the test to check that stopping the emulator ends them: the warm instances,
# and a handler still running with a process it started.
for name in ["py-kinds"] + (["node-kinds"] if node else []):
    result = invoke(name, {"echo": "last"})
    check(result.ErrMsg == "", f"{name} still answers: {result.ErrMsg}")
    print(f"INSTANCE {json.loads(result.RetMsg)['pid']}", flush=True)
marker = os.path.join(markers, "hold")
invoke_async("py-kinds", {"action": "hold", "seconds": 600, "marker": marker})
for pid in wait_for_marker(marker):
    print(f"INSTANCE {pid}", flush=True)

print(f"run code: {checks} checks passed")
