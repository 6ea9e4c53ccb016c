"""FLASHPROXY_LOG: set at import of the client, in a child process so that this
process's logging is untouched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import asyncio
from flashproxy_async import AsyncFlashProxy
from flashproxy_async.testing import FakeFlashProxy

async def main():
    async with FakeFlashProxy() as fake:
        async with AsyncFlashProxy(fake.api_key, base_url=fake.base_url) as client:
            await client.get("/balance", params={"api_token": "tok-s3cret", "page": 2})
            print("key", fake.api_key)

asyncio.run(main())
"""


def run(level: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FLASHPROXY_LOG"}
    if level is not None:
        env["FLASHPROXY_LOG"] = level
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )


def test_debug_logs_each_attempt_with_a_masked_query_status_and_request_id() -> None:
    result = run("debug")
    assert result.returncode == 0, result.stderr
    key = result.stdout.split()[-1]
    (line,) = [line for line in result.stderr.splitlines() if "GET /balance" in line]
    assert "DEBUG flashproxy_async: GET /balance?api_token=***&page=2 -> 200" in line
    assert "attempt 1" in line
    assert "request id req_" in line
    assert "tok-s3cret" not in result.stderr
    assert key not in result.stderr


def test_info_shows_no_debug_lines() -> None:
    result = run("INFO")
    assert result.returncode == 0, result.stderr
    assert "GET /balance" not in result.stderr


@pytest.mark.parametrize("level", [None, ""])
def test_unset_changes_nothing(level: str | None) -> None:
    result = run(level)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_an_unknown_level_warns_and_configures_nothing() -> None:
    result = run("loud")
    assert "FLASHPROXY_LOG='loud'" in result.stderr
    assert "GET /balance" not in result.stderr
