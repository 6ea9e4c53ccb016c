"""A fleet's throughput against the API's limit: worker processes sharing one job on Redis.

Several worker processes, each with its own ``AsyncFlashProxy``, a ``RedisRateLimiter``
on one key and a ``RedisJournal`` on one job, all run ``provision`` on the whole job
against one fake API (``FakeFlashProxy``) that enforces a strict sliding window at a
scaled period and a concurrency cap, answering 429 past either. Each order is bought
by one worker. Prints the steady-state rate of admitted requests (preflights, walks
and purchases) as a fraction of ``rate / period``, the 429s, the peak concurrency,
and the plans bought per order::

    python bench/bench_fleet.py                 # starts redis-server itself
    python bench/bench_fleet.py --redis-url redis://127.0.0.1:6379/0

The ideal is ``period / (period + margin)``: 0.98 with the limiter's default margin.
The test suite runs :func:`measure` and requires no 429 and one plan per order.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._processes_cli import run_script, run_workers
from bench.bench_redis_limiter import throughput_ratio
from flashproxy_async import AsyncFlashProxy
from flashproxy_async.bulk import PlanOrder, RedisJournal, provision
from flashproxy_async.limiters import RedisRateLimiter
from flashproxy_async.testing import FakeFlashProxy

_SCRIPT = str(Path(__file__).resolve())
_DOCUMENTED_PERIOD = 60.0


async def worker(config: dict[str, Any]) -> None:
    """One worker process: waits for "go", provisions the whole job, prints its report."""
    limiter = RedisRateLimiter(
        config["redis_url"],
        key=config["key"],
        rate=config["rate"],
        period=config["period"],
        max_concurrent=config["max_concurrent"],
        margin=config["margin"],
    )
    orders = [PlanOrder(ref, "residential", bandwidth_gb=1) for ref in config["orders"]]
    # No retries: a 429 shows up as a failed order, not only in the fake's count.
    async with (
        AsyncFlashProxy(
            api_key=config["api_key"], base_url=config["base_url"], limiter=limiter, max_retries=0
        ) as client,
        RedisJournal(config["redis_url"], config["job"], lease=5.0) as journal,
    ):
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        report = await provision(client, orders, journal=journal, settle=1.0)
    await limiter.aclose()
    outcome = {"created": len(report.created), "failed": len(report.failed)}
    print(json.dumps(outcome), flush=True)


async def measure(
    redis_url: str,
    *,
    workers: int = 4,
    rate: int = 20,
    period: float = 1.0,
    max_concurrent: int = 5,
    orders: int = 200,
    latency: float = 0.03,
    margin: float | None = None,
) -> dict[str, Any]:
    """Run ``workers`` processes on one job of ``orders`` orders; the figures.

    ``margin`` is the limiter's (None: its default, 2% of ``period``).
    """
    fake = FakeFlashProxy(
        rate=rate,
        period=_DOCUMENTED_PERIOD,
        time_scale=period / _DOCUMENTED_PERIOD,
        max_concurrent=max_concurrent,
    )
    answered: list[float] = []
    fake.add_response_hook(
        lambda record: answered.append(time.monotonic()) if record.status in (200, 201) else None
    )
    # Every purchase is held this long once admitted, so that calls overlap and the cap counts.
    fake.faults.delay(latency, None, method="POST", path="/plans")
    async with fake:
        config = {
            "redis_url": redis_url,
            "key": f"bench:{uuid.uuid4().hex}",
            "job": f"bench:{uuid.uuid4().hex}",
            "rate": rate,
            "period": period,
            "max_concurrent": max_concurrent,
            "margin": margin,
            "orders": [f"fleet-bench/{i}" for i in range(orders)],
            "base_url": fake.base_url,
            "api_key": fake.api_key,
        }
        outputs = await run_workers(_SCRIPT, config, workers)
    failed = 0
    for out, _ in outputs:
        lines = out.decode().strip().splitlines()
        failed += json.loads(lines[-1])["failed"] if lines else 1
    per_order = Counter(plan.end_user_reference for plan in fake.state.plans.values())
    ratio = throughput_ratio(answered, rate, period)
    return {
        "workers": workers,
        "limit": f"{rate}/{period:g}s",
        "max_concurrent": max_concurrent,
        "orders": orders,
        "plans_bought": len(fake.state.plans),
        "orders_bought_more_than_once": sum(1 for n in per_order.values() if n > 1),
        "orders_failed": failed,
        "requests_served": len(answered),
        "rejected_429": fake.stats.rate_limited,
        "peak_concurrency": fake.stats.peak_concurrency,
        "throughput_vs_limit": None if ratio is None else round(ratio, 3),
        "worker_exit_codes": [code for _, code in outputs],
    }


def main() -> None:
    run_script(
        __doc__ or "",
        worker=worker,
        measure=measure,
        count=("orders", 200),
        latency_help="purchase delay, s",
    )


if __name__ == "__main__":
    main()
