"""The limiter: throughput at the limit of a strict server, and the cost of one acquire.

Throughput: the SDK sends ``periods * rate + 1`` calls through its default
:class:`TokenBucketLimiter` to the fake API configured as a strict sliding window
(``rate`` per ``period``, scaled down from 100 a minute to 100 per 2 s). At the
limit the job ideally takes ``periods * period`` (``rate`` calls start at once, then
``rate`` more every period); the figure is ideal / measured, with every 429 the
server sent counted. Goal: >= 0.95 of ideal, and zero 429.

Overhead: ``async with limiter.slot()`` uncontended, with the rate out of reach,
against ``async with asyncio.Semaphore``. Reported only.

Deep queue: 500 tasks gathered at once, each taking ``slot()`` 20 times in a row
(``max_concurrent`` 10, rate out of reach) and holding it across one yield, so about
490 wait at every moment; against the same through an ``asyncio.Semaphore(10)``. What
is compared is the cost of waiting and handing over: each side's time per
acquire+release less that of the same tasks yielding as often with no lock at all, all
three interleaved in one run. Goal: <= 1.5.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.testing import FakeFlashProxy

from ._common import Figure, interleaved_medians_async

GOAL = 0.95
DEEP_QUEUE_GOAL = 1.5


async def throughput(*, rate: int, period: float, periods: int, concurrency: int) -> Figure:
    calls = periods * rate + 1
    async with FakeFlashProxy(rate=rate, period=period, max_concurrent=concurrency) as fake:
        plan = fake.state.add_plan("residential")
        limiter = TokenBucketLimiter(rate=rate, period=period, max_concurrent=concurrency)
        async with AsyncFlashProxy(
            api_key=fake.api_key, base_url=fake.base_url, limiter=limiter
        ) as client:
            queue: asyncio.Queue[None] = asyncio.Queue()
            for _ in range(calls):
                queue.put_nowait(None)

            async def worker() -> None:
                while not queue.empty():
                    queue.get_nowait()
                    await client.plans.get(plan.plan_id)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
        rejected = fake.stats.rate_limited
        peak = fake.stats.peak_concurrency
    ideal = periods * period
    return Figure(
        name=f"limiter throughput, {rate}/{period:g}s strict window",
        baseline_label=f"ideal: {calls} calls in {ideal:g}s",
        # Throughput is inverse to time: the ratio ideal/measured is sdk/baseline here.
        baseline=1 / ideal,
        sdk=1 / elapsed,
        unit="jobs/s",
        goal=(">=", GOAL),
        extra_ok=rejected == 0,
        details={
            "calls": calls,
            "elapsed_s": round(elapsed, 3),
            "ideal_s": ideal,
            "rate_limited_429": rejected,
            "peak_concurrency": peak,
            "margin_s": limiter.margin,
        },
    )


async def acquire_overhead(*, acquires: int, rounds: int) -> Figure:
    limiter = TokenBucketLimiter(rate=10**9, period=1.0, max_concurrent=20)
    semaphore = asyncio.Semaphore(20)

    async def with_limiter() -> dict[str, float]:
        started = time.perf_counter()
        for _ in range(acquires):
            async with limiter.slot():
                pass
        return {"s": (time.perf_counter() - started) / acquires}

    async def with_semaphore() -> dict[str, float]:
        started = time.perf_counter()
        for _ in range(acquires):
            async with semaphore:
                pass
        return {"s": (time.perf_counter() - started) / acquires}

    medians = await interleaved_medians_async(
        rounds, {"limiter": with_limiter, "semaphore": with_semaphore}
    )
    return Figure(
        name="limiter acquire+release",
        baseline_label="asyncio.Semaphore",
        baseline=medians["semaphore"]["s"] * 1e6,
        sdk=medians["limiter"]["s"] * 1e6,
        unit="us",
        goal=None,
        details={"acquires_per_round": acquires, "rounds": rounds},
    )


async def deep_queue(*, waiters: int, concurrent: int, rounds: int, cycles: int = 20) -> Figure:
    async def gathered(hold: Callable[[], Any]) -> dict[str, float]:
        async def one() -> None:
            for _ in range(cycles):
                async with hold():
                    await asyncio.sleep(0)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(waiters)))
        return {"s": (time.perf_counter() - started) / (waiters * cycles)}

    async def with_limiter() -> dict[str, float]:
        limiter = TokenBucketLimiter(rate=10**9, period=1.0, max_concurrent=concurrent)
        return await gathered(limiter.slot)

    async def with_semaphore() -> dict[str, float]:
        semaphore = asyncio.Semaphore(concurrent)
        return await gathered(lambda: semaphore)

    async def with_nothing() -> dict[str, float]:
        return await gathered(contextlib.nullcontext)

    medians = await interleaved_medians_async(
        rounds, {"limiter": with_limiter, "semaphore": with_semaphore, "nothing": with_nothing}
    )
    limiter_us, semaphore_us, nothing_us = (
        medians[name]["s"] * 1e6 for name in ("limiter", "semaphore", "nothing")
    )
    return Figure(
        name=f"limiter acquire+release, {waiters} waiters",
        baseline_label=f"asyncio.Semaphore, {waiters} waiters",
        # A floor of a tenth of a microsecond keeps a noisy round from dividing by ~0.
        baseline=max(semaphore_us - nothing_us, 0.1),
        sdk=max(limiter_us - nothing_us, 0.1),
        unit="us",
        goal=("<=", DEEP_QUEUE_GOAL),
        details={
            "waiters": waiters,
            "cycles_per_waiter": cycles,
            "max_concurrent": concurrent,
            "rounds": rounds,
            "us_per_acquire": {
                "limiter": round(limiter_us, 2),
                "semaphore": round(semaphore_us, 2),
                "no_lock": round(nothing_us, 2),
            },
        },
    )


def run(smoke: bool = False) -> list[Figure]:
    if smoke:
        return [
            asyncio.run(throughput(rate=5, period=0.2, periods=1, concurrency=2)),
            asyncio.run(acquire_overhead(acquires=50, rounds=1)),
            asyncio.run(deep_queue(waiters=30, concurrent=3, rounds=1, cycles=2)),
        ]
    return [
        asyncio.run(throughput(rate=100, period=2.0, periods=4, concurrency=20)),
        asyncio.run(acquire_overhead(acquires=20_000, rounds=7)),
        asyncio.run(deep_queue(waiters=500, concurrent=10, rounds=15)),
    ]
