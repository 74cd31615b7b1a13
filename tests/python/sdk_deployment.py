"""A whole deployment through the official Tencent Cloud Python SDK, unchanged, against the emulator binary.

Run by tests/tests/official_python_sdk.rs, which starts `scf-emulator --state-dir DIR` and passes its endpoint
and keys in the environment. Half-way it asks the test to restart the emulator on the same state directory
(a line `RESTART` on stdout, answered with the new endpoint on stdin), so the rest of the workflow runs on what
the first process stored. Exits non-zero on the first check that fails.
"""
import base64
import io
import os
import sys
import time
import zipfile

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.scf.v20180416 import models, scf_client

SECRET_ID = os.environ["SCF_SECRET_ID"]
SECRET_KEY = os.environ["SCF_SECRET_KEY"]
NAMESPACE = "deploy-ns"
FUNCTION = "resize-images"
checks = 0


def client(endpoint):
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=endpoint, protocol="http"))
    return scf_client.ScfClient(credential.Credential(SECRET_ID, SECRET_KEY), "ap-guangzhou", profile)


def check(condition, what):
    global checks
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def error_code(call):
    try:
        call()
    except TencentCloudSDKException as error:
        return error.get_code()
    return None


def package(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.py", source)
    return base64.b64encode(buffer.getvalue()).decode()


def get_function(scf, qualifier=None):
    request = models.GetFunctionRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = FUNCTION
    if qualifier is not None:
        request.Qualifier = qualifier
    return scf.GetFunction(request)


def wait_active(scf, what):
    """Polls GetFunction as deployment tools do; returns the statuses seen."""
    seen = []
    for _ in range(200):
        status = get_function(scf).Status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "Active":
            return seen
        time.sleep(0.05)
    check(False, f"{what}: the function never became Active (saw {seen})")


scf = client(os.environ["SCF_ENDPOINT"])

# A namespace of its own.
request = models.CreateNamespaceRequest()
request.Namespace = NAMESPACE
request.Description = "deployment test"
scf.CreateNamespace(request)
check(error_code(lambda: scf.CreateNamespace(request)) == "ResourceInUse.Namespace", "a namespace is created once")

# A function from a zip, polled until Active.
create = models.CreateFunctionRequest()
create.Namespace = NAMESPACE
create.FunctionName = FUNCTION
create.Handler = "index.main_handler"
create.Runtime = "Python3.9"
create.AsyncRunEnable = "TRUE"
create.Code = models.Code()
create.Code.ZipFile = package("def main_handler(event, context):\n    return 'v1'\n")
scf.CreateFunction(create)
seen = wait_active(scf, "after CreateFunction")
check(seen[0] == "Creating" and seen[-1] == "Active", f"Creating, then Active: {seen}")
check(error_code(lambda: scf.CreateFunction(create)) == "ResourceInUse.Function", "a function is created once")

# A version and an alias on it.
publish = models.PublishVersionRequest()
publish.Namespace = NAMESPACE
publish.FunctionName = FUNCTION
publish.Description = "first release"
version = scf.PublishVersion(publish).FunctionVersion
check(version == "1", f"the first published version is 1, not {version}")
alias = models.CreateAliasRequest()
alias.Namespace = NAMESPACE
alias.FunctionName = FUNCTION
alias.Name = "live"
alias.FunctionVersion = version
scf.CreateAlias(alias)

# The state so far outlives the emulator process.
print("RESTART", flush=True)
scf = client(sys.stdin.readline().strip())
check(get_function(scf, "live").FunctionVersion == "1", "after a restart the alias still names version 1")

# An async invocation through the alias, followed until it ends, then listed.
invoke = models.InvokeRequest()
invoke.Namespace = NAMESPACE
invoke.FunctionName = FUNCTION
invoke.Qualifier = "live"
invoke.InvocationType = "Event"
invoke.ClientContext = '{"scf_emulator": {"duration_ms": 300}}'
event = scf.Invoke(invoke).Result.FunctionRequestId
check(len(event) == 36, "Invoke(Event) through the alias returns a FunctionRequestId")
status = models.GetAsyncEventStatusRequest()
status.InvokeRequestId = event
for _ in range(200):
    result = scf.GetAsyncEventStatus(status).Result
    if result.Status != "RUNNING":
        break
    time.sleep(0.05)
check((result.Status, result.StatusCode) == ("FINISHED", 200), f"the event finishes: {result.Status}")
listing = models.ListAsyncEventsRequest()
listing.Namespace = NAMESPACE
listing.FunctionName = FUNCTION
listed = scf.ListAsyncEvents(listing)
check([e.InvokeRequestId for e in listed.EventList] == [event], "ListAsyncEvents lists the one event")
check(listed.EventList[0].Status == "FINISHED", "the listed event is FINISHED")

# New code: Updating, then Active; the published version keeps the old code.
update = models.UpdateFunctionCodeRequest()
update.Namespace = NAMESPACE
update.FunctionName = FUNCTION
update.Handler = "index.main_handler"
update.ZipFile = package("def main_handler(event, context):\n    return 'v2'\n")
scf.UpdateFunctionCode(update)
seen = wait_active(scf, "after UpdateFunctionCode")
check(seen[0] == "Updating" and seen[-1] == "Active", f"Updating, then Active: {seen}")
def code_sha256(qualifier):
    request = models.GetFunctionAddressRequest()
    request.Namespace = NAMESPACE
    request.FunctionName = FUNCTION
    request.Qualifier = qualifier
    return scf.GetFunctionAddress(request).CodeSha256


latest, released = code_sha256("$LATEST"), code_sha256("1")
check(len(latest) == 64 and len(released) == 64 and latest != released, "the update changed $LATEST only")

# Deleting the function removes it, its version and its alias; then the namespace can go.
delete = models.DeleteFunctionRequest()
delete.Namespace = NAMESPACE
delete.FunctionName = FUNCTION
scf.DeleteFunction(delete)
check(error_code(lambda: get_function(scf)) == "ResourceNotFound.Function", "a deleted function is gone")
check(error_code(lambda: scf.Invoke(invoke)) == "ResourceNotFound.Function", "a deleted function cannot be invoked")
drop = models.DeleteNamespaceRequest()
drop.Namespace = NAMESPACE
scf.DeleteNamespace(drop)

print(f"deployment: {checks} checks passed")
