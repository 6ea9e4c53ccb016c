"""Aggregate throughput of RedisRateLimiter across worker processes, against the limit.

Several worker processes, each with its own ``RedisRateLimiter`` on one key, send
requests to one loopback server that enforces a strict sliding window and counts
concurrency. Prints the steady-state throughput as a fraction of ``rate / period``
(``period`` over the mean gap between an arrival and the one ``rate`` places before
it), plus any 429s and the peak concurrency::

    python bench/bench_redis_limiter.py                 # starts redis-server itself
    python bench/bench_redis_limiter.py --redis-url redis://127.0.0.1:6379/0

The ideal is ``period / (period + margin)``: 0.98 with the default margin.
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
import uuid
from collections import deque
from typing import Any

from aiohttp import ClientSession, web

from flashproxy_async.limiters import RedisRateLimiter


class StrictWindowServer:
    """429 for a request past ``rate`` in any closed window of ``period``; counts concurrency."""

    def __init__(self, rate: int, period: float, latency: float) -> None:
        self.rate, self.period, self.latency = rate, period, latency
        self.arrivals: list[float] = []
        self.rejected = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._window: deque[float] = deque()

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            now = time.monotonic()
            while self._window and now - self._window[0] > self.period:
                self._window.popleft()
            if len(self._window) >= self.rate:
                self.rejected += 1
                return web.json_response({"success": False}, status=429)
            self._window.append(now)
            self.arrivals.append(now)
            await asyncio.sleep(self.latency)
            return web.json_response({"success": True})
        finally:
            self.in_flight -= 1


async def worker(config: dict[str, Any]) -> None:
    limiter = RedisRateLimiter(
        config["redis_url"],
        key=config["key"],
        rate=config["rate"],
        period=config["period"],
        max_concurrent=config["max_concurrent"],
    )
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    async with ClientSession() as session:

        async def one(number: int) -> None:
            async with limiter.slot(), session.get(f"{config['server']}/{number}") as response:
                await response.read()

        await asyncio.gather(*(one(n) for n in range(config["requests"])))
    await limiter.aclose()


async def run(args: argparse.Namespace, redis_url: str) -> dict[str, Any]:
    server = StrictWindowServer(args.rate, args.period, args.latency)
    app = web.Application()
    app.router.add_get("/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    config = {
        "redis_url": redis_url,
        "key": f"bench:{uuid.uuid4().hex}",
        "rate": args.rate,
        "period": args.period,
        "max_concurrent": args.max_concurrent,
        "requests": args.requests // args.workers,
        "server": f"http://{host}:{port}",
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--worker",
            json.dumps(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(args.workers)
    ]
    for proc in procs:
        assert proc.stdout is not None
        await proc.stdout.readline()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    codes = [await proc.wait() for proc in procs]
    await runner.cleanup()

    arrivals = server.arrivals
    gaps = [b - a for a, b in zip(arrivals, arrivals[args.rate :], strict=False)]
    return {
        "workers": args.workers,
        "limit": f"{args.rate}/{args.period:g}s",
        "max_concurrent": args.max_concurrent,
        "requests_served": len(arrivals),
        "rejected_429": server.rejected,
        "peak_concurrency": server.peak_in_flight,
        "throughput_vs_limit": round(args.period / (sum(gaps) / len(gaps)), 3) if gaps else None,
        "worker_exit_codes": codes,
    }


def start_redis() -> tuple[subprocess.Popen[bytes], str, tempfile.TemporaryDirectory[str]]:
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


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        asyncio.run(worker(json.loads(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--period", type=float, default=1.0)
    parser.add_argument("--max-concurrent", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.03, help="server answer delay, s")
    args = parser.parse_args()
    if args.redis_url:
        print(json.dumps(asyncio.run(run(args, args.redis_url))))
        return
    proc, url, workdir = start_redis()
    try:
        print(json.dumps(asyncio.run(run(args, url))))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        workdir.cleanup()


if __name__ == "__main__":
    main()
