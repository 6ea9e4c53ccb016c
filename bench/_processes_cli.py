"""The command line the multi-process Redis benchmarks share, and the Redis they start.

``bench_redis_limiter.py`` and ``bench_fleet.py`` each run as a script: started plainly
it parses its options, starts a throw-away ``redis-server`` (unless given
``--redis-url``), runs its ``measure`` and prints one JSON line; started with
``--worker CONFIG`` it is one of the worker processes ``measure`` spawns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any


def start_redis() -> tuple[subprocess.Popen[bytes], str, tempfile.TemporaryDirectory[str]]:
    """A ``redis-server`` on a free loopback port, persisting nothing; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found: install it or pass --redis-url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.TemporaryDirectory()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", workdir.name]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0", workdir


async def run_workers(
    script: str, config: dict[str, Any], count: int
) -> list[tuple[bytes, int | None]]:
    """Start ``count`` workers of ``script``, let them go together, and return what
    each printed and its exit code.

    Each worker prints a line when it is ready and starts on a ``go`` line on its
    standard input, so that none starts before the others are up.
    """
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            script,
            "--worker",
            json.dumps(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            await proc.stdout.readline()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        return [((await proc.communicate())[0], proc.returncode) for proc in procs]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


def run_script(
    doc: str,
    *,
    worker: Callable[[dict[str, Any]], Awaitable[None]],
    measure: Callable[..., Awaitable[dict[str, Any]]],
    count: tuple[str, int],
    latency_help: str,
) -> None:
    """Run a worker (``--worker CONFIG``) or the whole benchmark, as the arguments say.

    ``count`` names the benchmark's size option (``requests`` or ``orders``) and its
    default; every other option is common to both benchmarks.
    """
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        asyncio.run(worker(json.loads(sys.argv[2])))
        return
    count_name, count_default = count
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--period", type=float, default=1.0)
    parser.add_argument("--max-concurrent", type=int, default=5)
    parser.add_argument(f"--{count_name}", type=int, default=count_default)
    parser.add_argument("--latency", type=float, default=0.03, help=latency_help)
    options = vars(parser.parse_args())
    redis_url = options.pop("redis_url")
    if redis_url:
        print(json.dumps(asyncio.run(measure(redis_url, **options))))
        return
    proc, url, workdir = start_redis()
    try:
        print(json.dumps(asyncio.run(measure(url, **options))))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        workdir.cleanup()
