"""An arq worker process for the queue test: ``python queue_worker.py CONFIG``.

CONFIG is JSON: ``redis_url``, ``queue``, ``job``, ``base_url``, ``api_key``. Runs one
arq worker in burst mode (it exits once the queue is empty) whose task buys an order
with ``purchase_once`` on a RedisJournal of ``job``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter
from flashproxy_async.bulk import PlanOrder, RedisJournal, purchase_once

CONFIG: dict[str, Any] = json.loads(sys.argv[1])
JOURNAL = RedisJournal(CONFIG["redis_url"], CONFIG["job"], lease=1.0)


async def startup(ctx: dict[str, Any]) -> None:
    ctx["client"] = AsyncFlashProxy(
        api_key=CONFIG["api_key"],
        base_url=CONFIG["base_url"],
        limiter=TokenBucketLimiter(rate=10_000, period=1.0, max_concurrent=8),
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["client"].close()


async def buy_plan(ctx: dict[str, Any], reference: str, gb: int) -> str:
    order = PlanOrder(reference, "residential", bandwidth_gb=gb)
    plan = await purchase_once(ctx["client"], order, journal=JOURNAL, settle=1.0)
    return str(plan.plan_id)


async def main() -> None:
    worker = Worker(
        functions=[buy_plan],
        queue_name=CONFIG["queue"],
        redis_settings=RedisSettings.from_dsn(CONFIG["redis_url"]),
        burst=True,
        on_startup=startup,
        on_shutdown=shutdown,
        handle_signals=False,
        max_jobs=4,
        poll_delay=0.05,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


if __name__ == "__main__":
    asyncio.run(main())
