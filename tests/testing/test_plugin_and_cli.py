"""The flashproxy_fake pytest fixture and the standalone server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    return {"balance_cents": 1234, "time_scale": 0.01}


async def test_fixture_yields_a_started_configured_fake(flashproxy_fake: FakeFlashProxy) -> None:
    async with aiohttp.ClientSession(
        base_url=flashproxy_fake.base_url + "/",
        headers={"Authorization": f"Bearer {flashproxy_fake.api_key}"},
    ) as http:
        status, body, _ = await call(http, "GET", "balance")
    assert status == 200
    assert body["data"]["balance_cents"] == 1234


def test_plugin_loads_through_the_entry_point(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import aiohttp

            async def test_uses_fixture(flashproxy_fake):
                headers = {"Authorization": f"Bearer {flashproxy_fake.api_key}"}
                async with aiohttp.ClientSession(headers=headers) as session:
                    async with session.get(flashproxy_fake.base_url + "/plans") as response:
                        assert response.status == 200
            """
        )
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child needs POSIX")
async def test_standalone_server_serves_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "flashproxy_async.testing",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        url_line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        key_line = (await process.stdout.readline()).decode()
        assert url_line.strip().endswith(f"http://localhost:{port}/api/v1")
        key = key_line.split(":", 1)[1].strip()
        assert key.startswith("fp_test_")
        await process.stdout.readline()
        export_line = (await process.stdout.readline()).decode().strip()
        assert export_line == (
            f"export FLASHPROXY_BASE_URL=http://localhost:{port}/api/v1 FLASHPROXY_API_KEY={key}"
        )
        async with (
            aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http,
            http.get(f"http://127.0.0.1:{port}/api/v1/balance") as response,
        ):
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    assert process.returncode == 0, err
    assert b"Stopped." in out
    assert b"Traceback" not in err
