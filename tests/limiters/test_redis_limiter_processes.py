"""RedisRateLimiter across processes: one limit at a strict server; dead workers free slots."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anyio
from aiohttp import web

from flashproxy_async.limiters import RedisRateLimiter

if TYPE_CHECKING:
    from redis.asyncio import Redis

WORKER = Path(__file__).with_name("redis_limiter_worker.py")


class StrictWindowServer:
    """Loopback aiohttp server: 429 for a request past ``rate`` in any closed ``period``.

    Counts concurrency and records every admitted arrival.
    """

    def __init__(self, rate: int, period: float, latency: float) -> None:
        self.rate, self.period, self.latency = rate, period, latency
        self.arrivals: list[float] = []
        self.rejected = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._window: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> StrictWindowServer:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            now = time.monotonic()
            while self._window and now - self._window[0] > self.period:
                self._window.popleft()
            if len(self._window) >= self.rate:
                self.rejected += 1
                return web.json_response(
                    {"success": False, "error": {"code": "RATE_LIMITED"}},
                    status=429,
                    headers={"Retry-After": "1"},
                )
            self._window.append(now)
            self.arrivals.append(now)
            await asyncio.sleep(self.latency)
            return web.json_response({"success": True, "data": {}})
        finally:
            self.in_flight -= 1


def throughput_ratio(arrivals: list[float], rate: int, period: float) -> float:
    """Achieved rate over the limit, in steady state: ``period`` over the mean gap
    between an arrival and the one ``rate`` places before it (1.0 is the limit)."""
    gaps = [b - a for a, b in zip(arrivals, arrivals[rate:], strict=False)]
    return period / (sum(gaps) / len(gaps))


async def start_worker(config: dict[str, Any]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        json.dumps(config),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def read_line(worker: asyncio.subprocess.Process) -> str:
    assert worker.stdout is not None
    return (await worker.stdout.readline()).decode().strip()


async def test_four_worker_processes_never_trip_a_strict_server(
    redis_url: str, limit_key: str
) -> None:
    rate, period, cap, per_worker = 20, 1.0, 5, 15
    async with StrictWindowServer(rate, period, latency=0.03) as server:
        config = {
            "mode": "requests",
            "redis_url": redis_url,
            "key": limit_key,
            "rate": rate,
            "period": period,
            "max_concurrent": cap,
            "requests": per_worker,
            "server": server.url,
        }
        workers = [await start_worker(config) for _ in range(4)]
        try:
            with anyio.fail_after(60):
                assert [await read_line(w) for w in workers] == ["ready"] * 4
                for worker in workers:
                    assert worker.stdin is not None
                    worker.stdin.write(b"go\n")
                    await worker.stdin.drain()
                summaries = [json.loads(await read_line(w)) for w in workers]
                codes = [await w.wait() for w in workers]
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()

    assert codes == [0, 0, 0, 0]
    assert all(s["statuses"] == {"200": per_worker} for s in summaries), summaries
    assert server.rejected == 0
    assert len(server.arrivals) == 4 * per_worker
    assert server.peak_in_flight <= cap
    ratio = throughput_ratio(server.arrivals, rate, period)
    print(f"\naggregate throughput of 4 processes: {ratio:.3f} of {rate}/{period:g}s")


async def test_the_slots_of_a_sigkilled_worker_come_back_within_the_lease(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    cap, lease = 3, 1.0
    config = {
        "mode": "hold",
        "redis_url": redis_url,
        "key": limit_key,
        "rate": 100,
        "period": 10.0,
        "max_concurrent": cap,
        "lease": lease,
        "slots": cap,
    }
    worker = await start_worker(config)
    try:
        with anyio.fail_after(30):
            assert await read_line(worker) == "held"
    finally:
        if worker.returncode is None:
            os.kill(worker.pid, signal.SIGKILL)
        await worker.wait()
    assert worker.returncode == -signal.SIGKILL

    holders_key = f"flashproxy:limiter:{{{limit_key}}}:holders"
    killed_at_s, killed_at_us = await redis_client.time()
    leases = cast(
        "list[tuple[bytes, float]]", await redis_client.zrange(holders_key, 0, -1, withscores=True)
    )
    assert len(leases) == cap
    # Every slot the dead worker held expires at most one lease after it died.
    assert max(score for _, score in leases) <= killed_at_s * 1e6 + killed_at_us + lease * 1e6

    survivor = RedisRateLimiter(
        redis_url, key=limit_key, rate=100, period=10.0, max_concurrent=cap, lease=lease
    )
    with anyio.fail_after(10 * lease):
        for _ in range(cap):
            await survivor.acquire()
    assert survivor.in_flight == cap
    for _ in range(cap):
        await survivor.release()
    await survivor.aclose()
