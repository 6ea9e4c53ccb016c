"""Worker processes sharing one job on a RedisJournal: killed, restarted, cut off from Redis."""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter
from flashproxy_async.bulk import JournalError, PlanOrder, RedisJournal, provision
from flashproxy_async.testing import FakeFlashProxy

from ._processes import RedisServer, finish, run_until_killed, start_worker

ORDERS = [(f"fleet/{i}", 1 + i % 3) for i in range(40)]


def cost_of(fake: FakeFlashProxy, orders: list[tuple[str, int]]) -> int:
    return sum(fake.state.prices.bandwidth_cost("residential", gb) for _, gb in orders)


def bought(fake: FakeFlashProxy) -> Counter[str | None]:
    return Counter(plan.end_user_reference for plan in fake.state.plans.values())


def shard(worker: int) -> list[tuple[str, int]]:
    # Overlapping: every order is in the shards of two workers.
    return [ORDERS[(10 * worker + k) % len(ORDERS)] for k in range(20)]


async def test_four_workers_killed_at_random_and_restarted_buy_each_order_once(
    redis_url: str, job: str
) -> None:
    chance = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(chance)
    kills: list[int] = []
    reports: list[dict[str, Any]] = []
    async with FakeFlashProxy(time_scale=0.001) as fake:
        # Every purchase is processed 50 ms after it arrives: kills land mid-purchase.
        fake.faults.delay(0.05, None, method="POST", path="/plans")
        base = {"redis_url": redis_url, "job": job, "lease": 0.5, "settle": 0.5}
        base |= {"base_url": fake.base_url, "api_key": fake.api_key}

        async def supervise(worker: int) -> None:
            config = {**base, "orders": shard(worker)}
            killed = 0
            while True:
                process = await start_worker(config)
                if killed < 3 and await run_until_killed(process, rng.uniform(0.02, 0.4)):
                    killed += 1
                    continue
                reports.append(await finish(process))
                kills.append(killed)
                return

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for worker in range(4):
                    group.start_soon(supervise, worker)

        context = f"random.Random({chance}), kills {kills}"
        async with RedisJournal(redis_url, job) as journal:
            print(context, Counter((e["event"], e.get("via")) for e in await journal.events()))
        assert all(report["failed"] == {} for report in reports), (context, reports)
        assert all(report["not_attempted"] == [] for report in reports), (context, reports)
        assert bought(fake) == Counter(dict.fromkeys((ref for ref, _ in ORDERS), 1)), context
        assert fake.state.total_spent_cents == cost_of(fake, ORDERS), context


def journal_length(url: str, job: str) -> int:
    import redis

    with redis.Redis.from_url(url) as raw:
        return int(raw.llen(f"flashproxy:journal:{{{job}}}:events"))


async def test_redis_stopped_mid_run_sends_no_purchase_and_loses_no_record(
    tmp_path: Path, job: str
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    orders = [PlanOrder(ref, "residential", bandwidth_gb=gb) for ref, gb in ORDERS]
    try:
        async with FakeFlashProxy(time_scale=0.001) as fake:
            fake.faults.delay(0.05, None, method="POST", path="/plans")
            posts = lambda: len(fake.requests_for("POST", "/plans"))  # noqa: E731
            async with AsyncFlashProxy(
                api_key=fake.api_key,
                base_url=fake.base_url,
                limiter=TokenBucketLimiter(rate=10_000, period=1.0, max_concurrent=4),
            ) as client:
                # Redis stays down longer than the lease, which bounds how long an
                # outcome waits for Redis to come back: the run must stop.
                lease, outage = 0.5, 1.0
                journal = RedisJournal(server.url, job, lease=lease)
                eight_bought = anyio.Event()
                fake.add_response_hook(
                    lambda _: eight_bought.set() if len(fake.state.plans) >= 8 else None
                )
                written: list[int] = []

                sent_while_down: list[str] = []

                async def cut_redis_off() -> None:
                    await eight_bought.wait()
                    written.append(journal_length(server.url, job))
                    server.kill()
                    sent_before = posts()
                    await anyio.sleep(outage)
                    sent_while_down.extend(
                        request.json["end_user_reference"]
                        for request in fake.requests_for("POST", "/plans")[sent_before:]
                    )
                    server.start()
                    written.append(journal_length(server.url, job))

                with anyio.fail_after(60):
                    async with anyio.create_task_group() as group:
                        group.start_soon(cut_redis_off)
                        first = await provision(client, orders, journal=journal, settle=0.3)
                assert isinstance(first.stopped_by, JournalError), first
                assert first.not_attempted
                # What Redis acknowledged before it died is all there after its restart,
                # and nothing was written meanwhile.
                assert written[1] == written[0] > 0
                async with journal:
                    first_run_events = await journal.events()
                # No purchase was decided while Redis was down: the few that went out
                # then had their intent recorded before it died (they waited for their
                # start in the limiter), no more than the purchases in flight at once.
                intended = {e["reference"] for e in first_run_events if e["event"] == "intent"}
                assert set(sent_while_down) <= intended
                assert len(sent_while_down) <= 4

                second = await provision(client, orders, journal=journal, settle=0.3)
            assert second.ok, second
            async with journal:
                events = await journal.events()
        created = Counter(e["reference"] for e in events if e["event"] == "created")
        assert created == Counter(dict.fromkeys((ref for ref, _ in ORDERS), 1))
        assert bought(fake) == Counter(dict.fromkeys((ref for ref, _ in ORDERS), 1))
        assert fake.state.total_spent_cents == cost_of(fake, ORDERS)
    finally:
        server.kill()
