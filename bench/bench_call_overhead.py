"""Per-call cost of ``client.plans.get`` against raw aiohttp GET plus ``json.loads``.

Both sides call the same fake API (a child process, so that this process's CPU time
is the client's alone) at the same concurrency, over a connection pool of the same
size. The SDK runs with its real :class:`TokenBucketLimiter`, its rate set out of
reach, so the figure includes acquiring and releasing a slot but never a wait.

Goal: SDK / raw <= 1.25, for wall time per call and for CPU time per call.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy

from ._common import Figure, interleaved_medians_async, serve_fake

GOAL = 1.25
CONCURRENCY = 10


async def _timed(
    calls: int, concurrency: int, call: Callable[[], Awaitable[Any]]
) -> dict[str, float]:
    """Run ``calls`` calls from ``concurrency`` tasks; wall and CPU seconds per call."""
    share, rest = divmod(calls, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    cpu_before, wall_before = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(share + (i < rest)) for i in range(concurrency)))
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    return {"wall": wall / calls, "cpu": cpu / calls}


async def measure(*, calls: int, rounds: int, concurrency: int = CONCURRENCY) -> list[Figure]:
    async with serve_fake() as fake:
        url = f"{fake.base_url}/plans/{fake.plan_id}"
        headers = {"Authorization": f"Bearer {fake.api_key}", "Accept": "application/json"}
        limiter = TokenBucketLimiter(rate=10**9, period=1.0, max_concurrent=concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            AsyncFlashProxy(
                api_key=fake.api_key, base_url=fake.base_url, limiter=limiter
            ) as client,
        ):

            async def raw_call() -> Any:
                async with session.get(url, headers=headers) as response:
                    body = await response.read()
                return json.loads(body)["data"]

            async def sdk_call() -> Any:
                return await client.plans.get(fake.plan_id)

            async def raw() -> dict[str, float]:
                return await _timed(calls, concurrency, raw_call)

            async def sdk() -> dict[str, float]:
                return await _timed(calls, concurrency, sdk_call)

            # Warm-up: open the pools and build the converter's structuring functions.
            await _timed(max(calls // 4, concurrency), concurrency, raw_call)
            await _timed(max(calls // 4, concurrency), concurrency, sdk_call)
            medians = await interleaved_medians_async(rounds, {"raw": raw, "sdk": sdk})

    details = {
        "calls_per_round": calls,
        "rounds": rounds,
        "concurrency": concurrency,
        "raw_us_per_call": {k: round(v * 1e6, 1) for k, v in medians["raw"].items()},
        "sdk_us_per_call": {k: round(v * 1e6, 1) for k, v in medians["sdk"].items()},
    }
    label = f"aiohttp GET + json.loads, {concurrency} tasks"
    return [
        Figure(
            name="plans.get wall per call",
            baseline_label=label,
            baseline=medians["raw"]["wall"] * 1e6,
            sdk=medians["sdk"]["wall"] * 1e6,
            unit="us",
            goal=("<=", GOAL),
            details=details,
        ),
        Figure(
            name="plans.get CPU per call",
            baseline_label=label,
            baseline=medians["raw"]["cpu"] * 1e6,
            sdk=medians["sdk"]["cpu"] * 1e6,
            unit="us",
            goal=("<=", GOAL),
            details=details,
        ),
    ]


def run(smoke: bool = False) -> list[Figure]:
    if smoke:
        return asyncio.run(measure(calls=20, rounds=1, concurrency=2))
    return asyncio.run(measure(calls=1500, rounds=7))
