"""A provisioning worker process for the shared-journal tests: ``python fleet_worker.py CONFIG``.

CONFIG is JSON: ``redis_url``, ``job``, ``base_url``, ``api_key``, ``orders`` (a list
of ``[reference, bandwidth_gb]``), ``lease``, ``settle``, and optionally ``limit``
(``key``, ``rate``, ``period``, ``max_concurrent``) for a RedisRateLimiter on the same
Redis. Prints ``started``, then the report as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter
from flashproxy_async.bulk import PlanOrder, RedisJournal, provision
from flashproxy_async.limiters import Limiter, RedisRateLimiter


def make_limiter(config: dict[str, Any]) -> Limiter:
    limit = config.get("limit")
    if limit is None:
        return TokenBucketLimiter(rate=10_000, period=1.0, max_concurrent=4)
    return RedisRateLimiter(
        config["redis_url"],
        key=limit["key"],
        rate=limit["rate"],
        period=limit["period"],
        max_concurrent=limit["max_concurrent"],
    )


async def work(config: dict[str, Any]) -> None:
    orders = [
        PlanOrder(reference=ref, product="residential", bandwidth_gb=gb)
        for ref, gb in config["orders"]
    ]
    limiter = make_limiter(config)
    journal = RedisJournal(config["redis_url"], config["job"], lease=config["lease"])
    async with AsyncFlashProxy(
        api_key=config["api_key"],
        base_url=config["base_url"],
        limiter=limiter,
        timeout=5.0,
        max_retries=config.get("max_retries", 2),
    ) as client:
        print("started", flush=True)
        report = await provision(client, orders, journal=journal, settle=config["settle"])
    if isinstance(limiter, RedisRateLimiter):
        await limiter.aclose()
    print(
        json.dumps(
            {
                "created": sorted(report.created),
                "failed": {ref: repr(error) for ref, error in report.failed.items()},
                "not_attempted": report.not_attempted,
                "stopped_by": repr(report.stopped_by) if report.stopped_by else None,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(work(json.loads(sys.argv[1])))
