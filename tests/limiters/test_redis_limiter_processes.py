"""RedisRateLimiter across processes: one limit at a strict fake; dead workers free slots."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anyio

from flashproxy_async.limiters import RedisRateLimiter

if TYPE_CHECKING:
    from redis.asyncio import Redis

WORKER = Path(__file__).with_name("redis_limiter_worker.py")
# bench/ sits beside the package, not inside it; put the repository root on the path.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_redis_limiter import measure  # noqa: E402


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


async def test_four_worker_processes_with_their_own_clients_share_one_limit(
    redis_url: str, frozen_heap: None
) -> None:
    rate, cap, per_worker = 20, 5, 20
    # The benchmark: four processes, each with its own AsyncFlashProxy and its own
    # RedisRateLimiter on one key, against one fake whose window is the documented
    # minute scaled to a second and whose concurrency cap is the limiter's.
    with anyio.fail_after(120):
        figures = await measure(
            redis_url, workers=4, rate=rate, period=1.0, max_concurrent=cap,
            requests=4 * per_worker,
        )  # fmt: skip
    print(f"\nRedis limiter benchmark: {figures}")
    # Every figure in each message: a failure here has been rare, and must say which.
    assert figures["worker_exit_codes"] == [0, 0, 0, 0], figures
    assert figures["client_outcomes"] == {"ok": 4 * per_worker}, figures
    assert figures["rejected_429"] == 0, figures
    assert figures["peak_concurrency"] <= cap, figures
    assert figures["throughput_vs_limit"] >= 0.9, figures


async def test_the_slots_of_a_sigkilled_worker_come_back_within_the_lease(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    cap, lease = 3, 1.0
    config = {
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
    killed = time.monotonic()
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
    # Back within the lease (plus one poll of the survivor and some scheduling slack).
    assert time.monotonic() - killed < lease + 0.5
    assert survivor.in_flight == cap
    for _ in range(cap):
        await survivor.release()
    await survivor.aclose()
