"""Per-call cost of ``client.plans.get`` against raw aiohttp GET plus ``json.loads``.

Both sides call the same fake API (a child process, so that this process's CPU time
is the client's alone) at the same concurrency, over a connection pool of the same
size. The SDK runs with its real :class:`TokenBucketLimiter`, its rate set out of
reach, so the figure includes acquiring and releasing a slot but never a wait on the
clock.

Two shapes of load:

- workers: 10 tasks, each awaiting one call at a time;
- gathered: every call of a round gathered at once, 10 in flight; raw aiohttp queues
  behind an ``asyncio.Semaphore(10)``, the SDK behind its limiter (``max_concurrent``
  10), so the deep queue is part of the figure. This is how scrapers and jobs call.

Each figure is the mean over several fresh processes (:func:`._common.across_processes`),
each with its own hash seed: within one process the rounds agree, but between processes
raw aiohttp's own cost moves by a tenth with the memory layout.

Goal: SDK / raw <= 1.15, for wall time per call and for CPU time per call, both shapes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy

from ._common import ONE_PROCESS, Figure, across_processes, interleaved_medians_async, serve_fake

GOAL = 1.15
CONCURRENCY = 10
#: Calls gathered at once in one round of the gathered shape.
GATHERED = 600
#: Fresh processes the figures are averaged over, and rounds in each.
PROCESSES = 7
ROUNDS = 4


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


async def _timed_gathered(calls: int, call: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    """Gather ``calls`` calls at once; whatever bounds concurrency is inside ``call``."""
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    await asyncio.gather(*(call() for _ in range(calls)))
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    return {"wall": wall / calls, "cpu": cpu / calls}


async def measure(
    *, calls: int, gathered: int, rounds: int, concurrency: int = CONCURRENCY
) -> dict[str, dict[str, float]]:
    """Seconds per call (``wall``, ``cpu``) of each contender, medians over ``rounds``."""
    async with serve_fake(pin=True) as fake:
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

            semaphore = asyncio.Semaphore(concurrency)

            async def raw_queued_call() -> Any:
                async with semaphore:
                    return await raw_call()

            contenders = {
                "raw": lambda: _timed(calls, concurrency, raw_call),
                "sdk": lambda: _timed(calls, concurrency, sdk_call),
                "raw_gathered": lambda: _timed_gathered(gathered, raw_queued_call),
                "sdk_gathered": lambda: _timed_gathered(gathered, sdk_call),
            }
            # Warm-up: open the pools and build the converter's structuring functions.
            for contender in contenders.values():
                await contender()
            return await interleaved_medians_async(rounds, contenders)


def figures(
    processes: list[dict[str, Any]], *, calls: int, gathered: int, rounds: int, concurrency: int
) -> list[Figure]:
    """The four figures from each process's medians: the mean over the processes."""

    def mean_us(contender: str, metric: str) -> float:
        return statistics.fmean(p["medians"][contender][metric] for p in processes) * 1e6

    details = {
        "calls_per_round": {"workers": calls, "gathered": gathered},
        "processes": len(processes),
        "rounds_per_process": rounds,
        "concurrency": concurrency,
        "us_per_call": {
            contender: {metric: round(mean_us(contender, metric), 1) for metric in values}
            for contender, values in processes[0]["medians"].items()
        },
        "ratio_per_process": [
            {
                "hash_seed": p["hash_seed"],
                **{
                    f"{sdk}_{metric}": round(
                        p["medians"][sdk][metric] / p["medians"][raw][metric], 3
                    )
                    for raw, sdk in (("raw", "sdk"), ("raw_gathered", "sdk_gathered"))
                    for metric in ("wall", "cpu")
                },
            }
            for p in processes
        ],
    }
    shapes = [
        ("", f"aiohttp GET + json.loads, {concurrency} tasks", "raw", "sdk"),
        (
            f", {gathered} gathered",
            f"aiohttp behind asyncio.Semaphore({concurrency}), {gathered} gathered",
            "raw_gathered",
            "sdk_gathered",
        ),
    ]
    return [
        Figure(
            name=f"plans.get {label} per call{suffix}",
            baseline_label=baseline_label,
            baseline=mean_us(raw, metric),
            sdk=mean_us(sdk, metric),
            unit="us",
            goal=("<=", GOAL),
            details=details,
        )
        for suffix, baseline_label, raw, sdk in shapes
        for metric, label in (("wall", "wall"), ("cpu", "CPU"))
    ]


def _sizes(smoke: bool) -> dict[str, int]:
    if smoke:
        return {"calls": 20, "gathered": 20, "rounds": 1, "concurrency": 2}
    return {"calls": 1500, "gathered": GATHERED, "rounds": ROUNDS, "concurrency": CONCURRENCY}


def run(smoke: bool = False) -> list[Figure]:
    sizes = _sizes(smoke)
    arguments = ["--smoke"] if smoke else []
    processes = across_processes("bench_call_overhead", 2 if smoke else PROCESSES, arguments)
    return figures(processes, **sizes)


def _one_process(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(ONE_PROCESS, action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    medians = asyncio.run(measure(**_sizes(args.smoke)))
    print(json.dumps({"medians": medians}))


if __name__ == "__main__":
    _one_process(sys.argv[1:])
