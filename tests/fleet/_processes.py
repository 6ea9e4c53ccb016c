"""Start, kill and restart fleet worker processes; a Redis server of a test's own."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

WORKER = Path(__file__).with_name("fleet_worker.py")


async def start_worker(config: dict[str, Any]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), json.dumps(config), stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    assert (await process.stdout.readline()).strip() == b"started"
    return process


async def finish(process: asyncio.subprocess.Process) -> dict[str, Any]:
    out, _ = await process.communicate()
    assert process.returncode == 0, out
    report: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return report


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def run_until_killed(process: asyncio.subprocess.Process, after: float) -> bool:
    """SIGKILL ``process`` ``after`` seconds from now unless it ended first; True if killed."""
    with anyio.move_on_after(after):
        await process.wait()
        return False
    await kill(process)
    return True


class RedisServer:
    """A redis-server with an append-only file fsync'd on every write, to stop and restart."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI") == "true":
                pytest.fail("redis-server is not on PATH; CI must run the Redis restart tests")
            pytest.skip("redis-server is not on PATH")
        self.binary = binary
        self.directory = directory
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        with redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1) as client:
            while True:
                try:
                    client.ping()  # answers only once the append-only file is loaded
                    return
                except (redis.ConnectionError, redis.BusyLoadingError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)

    def kill(self) -> None:
        """Stop it at once (SIGKILL): what it acknowledged is in the append-only file."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
