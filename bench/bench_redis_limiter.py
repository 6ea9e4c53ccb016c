"""Aggregate throughput of RedisRateLimiter across worker processes, against the limit.

Several worker processes, each with its own ``AsyncFlashProxy`` client and its own
``RedisRateLimiter`` on one key, call ``balance.get()`` on one fake API
(``FakeFlashProxy``), which enforces a strict sliding window at a scaled period and
a concurrency cap, answering 429 past either. Prints the steady-state throughput as
a fraction of ``rate / period`` (``period`` over the mean gap between an arrival and
the one ``rate`` places before it), the 429s the fake sent and its peak concurrency::

    python bench/bench_redis_limiter.py                 # starts redis-server itself
    python bench/bench_redis_limiter.py --redis-url redis://127.0.0.1:6379/0

The ideal is ``period / (period + margin)``: 0.98 with the default margin. The test
suite runs :func:`measure` and requires >= 0.9, no 429 and the cap kept.
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
from flashproxy_async import AsyncFlashProxy
from flashproxy_async.limiters import RedisRateLimiter
from flashproxy_async.testing import FakeFlashProxy

_SCRIPT = str(Path(__file__).resolve())
# The fake's window is the documented minute, scaled down to ``period`` seconds.
_DOCUMENTED_PERIOD = 60.0


async def worker(config: dict[str, Any]) -> None:
    """One worker process: its own client and limiter; waits for "go", then calls."""
    limiter = RedisRateLimiter(
        config["redis_url"],
        key=config["key"],
        rate=config["rate"],
        period=config["period"],
        max_concurrent=config["max_concurrent"],
    )
    outcomes: Counter[str] = Counter()
    # No retries: a 429 shows up here as an error, not only in the fake's count.
    async with AsyncFlashProxy(
        api_key=config["api_key"], base_url=config["base_url"], limiter=limiter, max_retries=0
    ) as client:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

        async def one() -> None:
            try:
                await client.balance.get()
            except Exception as exc:
                outcomes[type(exc).__name__] += 1
            else:
                outcomes["ok"] += 1

        await asyncio.gather(*(one() for _ in range(config["requests"])))
    await limiter.aclose()
    print(json.dumps(dict(outcomes)), flush=True)


def throughput_ratio(arrivals: list[float], rate: int, period: float) -> float | None:
    """Achieved rate over the limit, in steady state (1.0 is the limit)."""
    gaps = [b - a for a, b in zip(arrivals, arrivals[rate:], strict=False)]
    return period / (sum(gaps) / len(gaps)) if gaps else None


async def measure(
    redis_url: str,
    *,
    workers: int = 4,
    rate: int = 20,
    period: float = 1.0,
    max_concurrent: int = 5,
    requests: int = 200,
    latency: float = 0.03,
) -> dict[str, Any]:
    """Run ``workers`` processes against one fake at ``rate`` per ``period``; the figures."""
    fake = FakeFlashProxy(
        rate=rate,
        period=_DOCUMENTED_PERIOD,
        time_scale=period / _DOCUMENTED_PERIOD,
        max_concurrent=max_concurrent,
    )
    answered: list[float] = []
    fake.add_response_hook(
        lambda record: answered.append(time.monotonic()) if record.status == 200 else None
    )
    # Every call is held this long once admitted, so that calls overlap and the cap counts.
    fake.faults.delay(latency, None, method="GET", path="/balance")
    async with fake:
        config = {
            "redis_url": redis_url,
            "key": f"bench:{uuid.uuid4().hex}",
            "rate": rate,
            "period": period,
            "max_concurrent": max_concurrent,
            "requests": requests // workers,
            "base_url": fake.base_url,
            "api_key": fake.api_key,
        }
        outputs = await run_workers(_SCRIPT, config, workers)
    outcomes: Counter[str] = Counter()
    for out, _ in outputs:
        lines = out.decode().strip().splitlines()
        outcomes.update(json.loads(lines[-1]) if lines else {"no report": 1})
    # Answers come a constant ``latency`` after admission: the gaps are the admissions'.
    ratio = throughput_ratio(answered, rate, period)
    return {
        "workers": workers,
        "limit": f"{rate}/{period:g}s",
        "max_concurrent": max_concurrent,
        "requests_sent": config["requests"] * workers,
        "requests_served": len(answered),
        "client_outcomes": dict(outcomes),
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
        count=("requests", 200),
        latency_help="server answer delay, s",
    )


if __name__ == "__main__":
    main()
