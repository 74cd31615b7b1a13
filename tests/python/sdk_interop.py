"""The official Tencent Cloud Python SDK against the emulator, through the SDK's own client.

Run by tests/tests/official_python_sdk.rs, which starts the emulator and passes its endpoint and keys in
the environment. Exits non-zero on the first check that fails.
"""
import os
import sys
import time

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.scf.v20180416 import models, scf_client

ENDPOINT = os.environ["SCF_ENDPOINT"]
SECRET_ID = os.environ["SCF_SECRET_ID"]
SECRET_KEY = os.environ["SCF_SECRET_KEY"]
TMP_SECRET_ID = os.environ["SCF_TMP_SECRET_ID"]
TMP_SECRET_KEY = os.environ["SCF_TMP_SECRET_KEY"]
TMP_TOKEN = os.environ["SCF_TMP_TOKEN"]
checks = 0


def client(cred=None, method="POST"):
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=ENDPOINT, protocol="http", reqMethod=method))
    return scf_client.ScfClient(cred or credential.Credential(SECRET_ID, SECRET_KEY), "ap-guangzhou", profile)


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


def status(scf, invoke_request_id):
    request = models.GetAsyncEventStatusRequest()
    request.InvokeRequestId = invoke_request_id
    return scf.GetAsyncEventStatus(request).Result


def invoke_async(scf, context=None):
    request = models.InvokeRequest()
    request.FunctionName = "hello"
    request.InvocationType = "Event"
    if context is not None:
        request.ClientContext = context
    return scf.Invoke(request).Result.FunctionRequestId


scf = client()

# Invoke (Event) returns the event id in Result.FunctionRequestId, and the event runs.
event = invoke_async(scf)
check(len(event) == 36, "Invoke(Event) returns a FunctionRequestId")
result = status(scf, event)
check((result.Status, result.StatusCode, result.InvokeRequestId) == ("RUNNING", 0, event), "new event is RUNNING")

quick = invoke_async(scf, '{"scf_emulator": {"duration_ms": 100}}')
time.sleep(0.4)
result = status(scf, quick)
check((result.Status, result.StatusCode) == ("FINISHED", 200), "a short event finishes on its own")

# ListAsyncEvents over POST and over GET with flattened filters.
listing = models.ListAsyncEventsRequest()
listing.FunctionName = "hello"
listed = scf.ListAsyncEvents(listing)
check(listed.TotalCount >= 2 and event in [e.InvokeRequestId for e in listed.EventList], "ListAsyncEvents lists the event")
listing.Status = ["RUNNING"]
listing.StartTimeInterval = models.TimeInterval()
listing.StartTimeInterval.Start = "2000-01-01 00:00:00"
listing.StartTimeInterval.End = "2099-01-01 00:00:00"
listing.Limit = 100
by_get = client(method="GET").ListAsyncEvents(listing)
ids = [e.InvokeRequestId for e in by_get.EventList]
check(event in ids and quick not in ids, "GET with Status.0 and StartTimeInterval.Start filters")

# TerminateAsyncEvent ends a running event as ABORTED, and refuses an ended one.
terminate = models.TerminateAsyncEventRequest()
terminate.FunctionName = "hello"
terminate.InvokeRequestId = event
check(len(scf.TerminateAsyncEvent(terminate).RequestId) == 36, "TerminateAsyncEvent answers a RequestId")
result = status(scf, event)
check((result.Status, result.StatusCode) == ("ABORTED", 439), "a terminated event is ABORTED")
check(error_code(lambda: scf.TerminateAsyncEvent(terminate)) == "FailedOperation.AsyncEventStatus", "terminating twice fails")
terminate.FunctionName = "no-such-function"
check(error_code(lambda: scf.TerminateAsyncEvent(terminate)) == "ResourceNotFound.Function", "unknown function")
check(error_code(lambda: status(scf, "no-such-event")) == "ResourceNotFound.AsyncEvent", "unknown event")

# Synchronous Invoke.
sync = models.InvokeRequest()
sync.FunctionName = "hello"
sync.ClientContext = '{"scf_emulator": {"duration_ms": 10}}'
result = scf.Invoke(sync).Result
check(result.RetMsg == '"Hello World"' and result.Duration == 10.0, "synchronous Invoke returns the result")

# Signature failures, as the SDK reports them.
wrong_key = client(credential.Credential(SECRET_ID, SECRET_KEY + "x"))
check(error_code(lambda: status(wrong_key, event)) == "AuthFailure.SignatureFailure", "wrong key")
stranger = client(credential.Credential("AKIDnobodyknows", SECRET_KEY))
check(error_code(lambda: status(stranger, event)) == "AuthFailure.SecretIdNotFound", "unknown SecretId")

real_time = time.time
time.time = lambda: real_time() - 301
try:
    check(error_code(lambda: status(scf, event)) == "AuthFailure.SignatureExpire", "clock 301 s slow")
finally:
    time.time = real_time

temporary = client(credential.Credential(TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN))
check(status(temporary, event).Status == "ABORTED", "temporary key with its token")
wrong_token = client(credential.Credential(TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN + "x"))
check(error_code(lambda: status(wrong_token, event)) == "AuthFailure.TokenFailure", "temporary key with another token")

print(f"{checks} checks passed with the official Python SDK")
