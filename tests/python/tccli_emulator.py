#!/usr/bin/env python3
"""Run the pinned tccli, unchanged, against a local emulator.

Usage: python tccli_emulator.py scf CreateNamespace --Namespace ns --endpoint 127.0.0.1:PORT

The real endpoint speaks HTTPS and the emulator plain HTTP, so the SDK's default scheme is set to http;
nothing else of tccli or its SDK is touched. Keys come from TENCENTCLOUD_SECRET_ID/_KEY in the environment.
"""
import sys

from tencentcloud.common.profile import http_profile  # noqa: E402

_init = http_profile.HttpProfile.__init__


def _http_by_default(self, protocol=None, *args, **kwargs):
    _init(self, protocol or "http", *args, **kwargs)


http_profile.HttpProfile.__init__ = _http_by_default

from tccli.main import main  # noqa: E402

sys.argv = ["tccli"] + sys.argv[1:]
sys.exit(main())
