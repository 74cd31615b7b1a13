#!/usr/bin/env python3
"""Run tccli offline and record the request it would send instead of sending it.

Usage: python tccli_capture.py scf ListFunctions --Namespace default --Limit 10

For each request tccli makes, one JSON line is appended to $TCCLI_CAPTURE_FILE (stderr without it):
  {"action": ..., "version": ..., "body": {...}, "compact_body": "..."}
where compact_body is the body written again with no spaces, keys in tccli's order and text as it is, so
that it can be compared byte for byte with what another client sends. tccli then prints its normal
output for the canned answer $TCCLI_FAKE_RESPONSE (default {"RequestId": "fake-request-id"}), the
content of "Response". The exit code is tccli's own (0, 252 for argparse errors, 255 for others).

Run it with HOME set to an empty directory, so that no tccli configuration of the user is read.
"""
import json
import os
import sys

os.environ.setdefault("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE")
os.environ.setdefault("TENCENTCLOUD_SECRET_KEY", "secret")
os.environ.setdefault("TENCENTCLOUD_REGION", "ap-guangzhou")

from tencentcloud.common.http import request as sdk_http  # noqa: E402


class FakeResponse(object):
    status_code = 200
    reason = "OK"
    headers = {"Content-Type": "application/json"}

    def __init__(self, payload):
        self.content = json.dumps({"Response": payload})
        self.text = self.content


def fake_send_request(self, req):
    headers = req.header
    body = json.loads(req.data) if req.data else None
    record = {
        "action": headers.get("X-TC-Action"),
        "version": headers.get("X-TC-Version"),
        "body": body,
        "compact_body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path = os.environ.get("TCCLI_CAPTURE_FILE")
    if path:
        with open(path, "a") as capture:
            capture.write(line)
    else:
        sys.stderr.write(line)
    fake = os.environ.get("TCCLI_FAKE_RESPONSE", '{"RequestId": "fake-request-id"}')
    return FakeResponse(json.loads(fake))


sdk_http.ApiRequest.send_request = fake_send_request

from tccli.main import main  # noqa: E402

sys.argv = ["tccli"] + sys.argv[1:]
sys.exit(main())
