"""A real task queue (arq, on the same Redis) delivers every order twice: each is bought once."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import anyio
import pytest

from flashproxy_async.testing import FakeFlashProxy

arq = pytest.importorskip("arq")

WORKER = Path(__file__).with_name("queue_worker.py")
ORDERS = {f"queue/{i}": 1 + i % 3 for i in range(24)}


async def test_three_worker_processes_on_a_queue_delivering_each_order_twice_buy_it_once(
    flashproxy_fake: FakeFlashProxy, redis_url: str, job: str
) -> None:
    from arq.connections import RedisSettings, create_pool

    queue = f"{job}:queue"
    pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=queue)
    try:
        for reference, gb in ORDERS.items():
            for delivery in ("first", "again"):
                # arq keeps a job's id (and result) for an hour, across queues: ids of
                # this test's own, so that no earlier run's job hides one of these.
                job_id = f"{job}:{reference}:{delivery}"
                assert await pool.enqueue_job("buy_plan", reference, gb, _job_id=job_id)
    finally:
        await pool.aclose()
    flashproxy_fake.faults.delay(0.02, None, method="POST", path="/plans")
    config = {"redis_url": redis_url, "queue": queue, "job": job}
    config |= {"base_url": flashproxy_fake.base_url, "api_key": flashproxy_fake.api_key}
    workers = [
        await asyncio.create_subprocess_exec(sys.executable, str(WORKER), json.dumps(config))
        for _ in range(3)
    ]
    with anyio.fail_after(120):
        codes = [await worker.wait() for worker in workers]
    assert codes == [0, 0, 0]
    bought = Counter(plan.end_user_reference for plan in flashproxy_fake.state.plans.values())
    assert bought == Counter(dict.fromkeys(ORDERS, 1))
    spent = sum(
        flashproxy_fake.state.prices.bandwidth_cost("residential", gb) for gb in ORDERS.values()
    )
    assert flashproxy_fake.state.total_spent_cents == spent
