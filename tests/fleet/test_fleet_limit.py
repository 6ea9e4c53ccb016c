"""Four worker processes on one job, one RedisRateLimiter: the fleet stays inside the limit."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

# bench/ sits beside the package, not inside it; put the repository root on the path.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_fleet import measure  # noqa: E402


async def test_four_workers_on_one_job_send_no_more_than_the_limit(
    redis_url: str, frozen_heap: None
) -> None:
    orders, cap = 40, 5
    # The documented minute scaled to two seconds, with a margin of 10% of it: a
    # machine loaded by other work may hold a granted request that long before it
    # reaches the server, and the server's window is strict. (bench/bench_fleet.py
    # measures the throughput at the limiter's default margin.)
    with anyio.fail_after(120):
        figures = await measure(
            redis_url, workers=4, rate=20, period=2.0, max_concurrent=cap, orders=orders,
            margin=0.2,
        )  # fmt: skip
    print(f"\nFleet benchmark: {figures}")
    assert figures["worker_exit_codes"] == [0, 0, 0, 0], figures
    assert figures["rejected_429"] == 0, figures
    assert figures["orders_failed"] == 0, figures
    assert figures["plans_bought"] == orders, figures
    assert figures["orders_bought_more_than_once"] == 0, figures
    assert figures["peak_concurrency"] <= cap, figures
