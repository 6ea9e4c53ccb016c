"""Per-call cost of the blocking shim against the async client, one call at a time.

Both call ``plans.get`` on the same fake API (a child process) sequentially, the way
blocking code calls; CPU time counts every thread of this process, so the shim's
portal thread is included. Goal: sync / async <= 1.30, wall and CPU per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy

from ._common import Figure, ServedFake, Skipped, interleaved_medians, serve_fake

GOAL = 1.30


@contextlib.contextmanager
def _served_fake() -> Iterator[ServedFake]:
    """The fake child process, held open from a thread while blocking code runs here."""
    ready = threading.Event()
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    served: list[ServedFake] = []

    async def hold() -> None:
        nonlocal stop, loop
        stop, loop = asyncio.Event(), asyncio.get_running_loop()
        async with serve_fake() as fake:
            served.append(fake)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(hold(),), daemon=True)
    thread.start()
    if not ready.wait(timeout=30):
        raise RuntimeError("the fake API did not start")
    try:
        yield served[0]
    finally:
        assert loop is not None and stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)


def _limiter() -> TokenBucketLimiter:
    return TokenBucketLimiter(rate=10**9, period=1.0, max_concurrent=4)


def measure(*, calls: int, rounds: int) -> list[Figure]:
    try:
        sync_module: Any = importlib.import_module("flashproxy_async.sync")
    except ImportError as exc:
        raise Skipped(f"flashproxy_async.sync is not available yet ({exc})") from None
    results: dict[str, list[dict[str, float]]] = {"sync": [], "async": []}
    with _served_fake() as fake:

        def timed_sync(client: Any) -> dict[str, float]:
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(calls):
                client.plans.get(fake.plan_id)
            return {
                "wall": (time.perf_counter() - wall) / calls,
                "cpu": (time.process_time() - cpu) / calls,
            }

        async def timed_async() -> dict[str, float]:
            async with AsyncFlashProxy(
                api_key=fake.api_key, base_url=fake.base_url, limiter=_limiter()
            ) as client:
                for _ in range(max(calls // 10, 5)):  # warm-up: connection, converter
                    await client.plans.get(fake.plan_id)
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(calls):
                    await client.plans.get(fake.plan_id)
                return {
                    "wall": (time.perf_counter() - wall) / calls,
                    "cpu": (time.process_time() - cpu) / calls,
                }

        with sync_module.FlashProxy(
            api_key=fake.api_key, base_url=fake.base_url, limiter=_limiter()
        ) as sync_client:
            for _ in range(max(calls // 10, 5)):
                sync_client.plans.get(fake.plan_id)

            def run_sync() -> float:
                results["sync"].append(timed_sync(sync_client))
                return results["sync"][-1]["wall"]

            def run_async() -> float:
                results["async"].append(asyncio.run(timed_async()))
                return results["async"][-1]["wall"]

            interleaved_medians(rounds, {"sync": run_sync, "async": run_async})
    medians = {
        name: {metric: statistics.median(s[metric] for s in values) for metric in ("wall", "cpu")}
        for name, values in results.items()
    }
    details = {
        "calls_per_round": calls,
        "rounds": rounds,
        "us_per_call": {
            name: {k: round(v * 1e6, 1) for k, v in values.items()}
            for name, values in medians.items()
        },
    }
    return [
        Figure(
            name=f"sync plans.get {metric} per call",
            baseline_label="async client, sequential",
            baseline=medians["async"][metric] * 1e6,
            sdk=medians["sync"][metric] * 1e6,
            unit="us",
            goal=("<=", GOAL),
            details=details,
        )
        for metric in ("wall", "cpu")
    ]


def run(smoke: bool = False) -> list[Figure]:
    if smoke:
        return measure(calls=10, rounds=1)
    return measure(calls=1000, rounds=5)
