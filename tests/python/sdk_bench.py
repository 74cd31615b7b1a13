"""GetAsyncEventStatus through the official Python SDK, back to back, for the benchmark report.

Run by tests/benches/python_sdk.rs with the emulator's endpoint, keys and an event id in the environment.
Prints one JSON line: the calls completed after the warm-up, and their median and 99th-percentile latency.
"""
import json
import os
import time

from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.scf.v20180416 import models, scf_client

profile = ClientProfile(httpProfile=HttpProfile(endpoint=os.environ["SCF_ENDPOINT"], protocol="http"))
scf = scf_client.ScfClient(
    credential.Credential(os.environ["SCF_SECRET_ID"], os.environ["SCF_SECRET_KEY"]), "ap-guangzhou", profile
)
request = models.GetAsyncEventStatusRequest()
request.InvokeRequestId = os.environ["SCF_INVOKE_REQUEST_ID"]
warm_up = float(os.environ["SCF_WARM_UP_SECS"])
run = float(os.environ["SCF_RUN_SECS"])

latencies = []
start = time.perf_counter()
while time.perf_counter() - start < warm_up + run:
    sent = time.perf_counter()
    status = scf.GetAsyncEventStatus(request).Result.Status
    assert status == "RUNNING", status
    if time.perf_counter() - start > warm_up:
        latencies.append(time.perf_counter() - sent)
latencies.sort()
print(json.dumps({
    "calls": len(latencies),
    "p50_us": latencies[len(latencies) // 2] * 1e6,
    "p99_us": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e6,
}))
