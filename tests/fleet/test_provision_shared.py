"""provision() on a RedisJournal, in one process: runs sharing a job, stops, lookups."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import anyio

from flashproxy_async import AsyncFlashProxy, AuthenticationError, InsufficientBalanceError
from flashproxy_async.bulk import (
    PlanOrder,
    ProgressEvent,
    RedisJournal,
    ReferenceConflictError,
    provision,
)
from flashproxy_async.testing import FakeFlashProxy

if TYPE_CHECKING:
    from redis.asyncio import Redis

ORDERS = [PlanOrder(f"job/{i}", "residential", bandwidth_gb=1) for i in range(12)]


def bought(fake: FakeFlashProxy) -> Counter[str | None]:
    return Counter(plan.end_user_reference for plan in fake.state.plans.values())


async def test_two_runs_on_one_job_at_once_buy_each_order_once(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    flashproxy_fake.faults.delay(0.02, None, method="POST", path="/plans")
    reports = []

    async def run(orders: list[PlanOrder]) -> None:
        reports.append(await provision(client, orders, journal=RedisJournal(redis_url, job)))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            group.start_soon(run, ORDERS)
            group.start_soon(run, ORDERS[::-1])
    assert bought(flashproxy_fake) == Counter({order.reference: 1 for order in ORDERS})
    assert all(report.ok and len(report.created) == len(ORDERS) for report in reports)
    # A third run finds the job done: nothing bought, every plan with its credentials.
    again = await provision(client, ORDERS, journal=RedisJournal(redis_url, job))
    assert len(flashproxy_fake.state.plans) == len(ORDERS)
    assert again.ok and again.credential_requests == len(ORDERS)
    assert all(plan.proxy_password for plan in again.created.values())


async def test_an_order_already_in_the_account_is_reconciled_and_a_conflict_is_not_bought(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    await client.plans.create(product="residential", bandwidth_gb=1, end_user_reference="job/0")
    await client.plans.create(product="mobile", bandwidth_gb=1, end_user_reference="job/1")
    events: list[ProgressEvent] = []
    report = await provision(
        client, ORDERS[:4], journal=RedisJournal(redis_url, job), on_progress=events.append
    )
    assert report.reconciled == ["job/0"]
    assert isinstance(report.failed["job/1"], ReferenceConflictError)
    assert sorted(report.created) == ["job/0", "job/2", "job/3"]
    assert bought(flashproxy_fake) == {"job/0": 1, "job/1": 1, "job/2": 1, "job/3": 1}
    assert report.reconcile_requests == 1
    assert "walked" in [event.outcome for event in events]


async def test_trusting_the_journal_skips_the_walk(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    async with RedisJournal(redis_url, job) as journal:  # an open journal is used as it is
        report = await provision(client, ORDERS[:3], journal=journal, reconcile="journal")
    assert report.ok
    assert flashproxy_fake.requests_for("GET", "/plans") == []


async def test_a_bad_key_stops_the_run_before_anything_is_bought(
    flashproxy_fake: FakeFlashProxy, redis_url: str, job: str
) -> None:
    async with AsyncFlashProxy(api_key="fp_live_wrong", base_url=flashproxy_fake.base_url) as bad:
        report = await provision(bad, ORDERS[:3], journal=RedisJournal(redis_url, job))
    assert isinstance(report.stopped_by, AuthenticationError)
    assert report.not_attempted == ["job/0", "job/1", "job/2"]
    assert flashproxy_fake.requests_for("POST", "/plans") == []


async def test_a_402_stops_every_new_purchase(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    price = flashproxy_fake.state.prices.bandwidth_cost("residential", 1)
    flashproxy_fake.state.set_balance(3 * price)
    report = await provision(client, ORDERS, journal=RedisJournal(redis_url, job))
    assert isinstance(report.stopped_by, InsufficientBalanceError)
    assert len(report.created) == 3
    posts = len(flashproxy_fake.requests_for("POST", "/plans"))
    # Only purchases already past the limiter when the 402 came went out.
    assert posts <= 3 + client.limiter.max_concurrent
    assert len(report.not_attempted) + len(report.failed) + 3 == len(ORDERS)
    # The orders never sent are free for a later run: it buys them once funds are back.
    flashproxy_fake.state.set_balance(100 * price)
    rerun = await provision(client, ORDERS, journal=RedisJournal(redis_url, job))
    assert rerun.ok
    assert bought(flashproxy_fake) == Counter({order.reference: 1 for order in ORDERS})


async def test_a_dead_runs_purchase_is_waited_out_then_found_not_bought_again(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    # A run sends job/0's purchase and dies: the server commits it 300 ms later (scaled).
    flashproxy_fake.faults.commit_late(300)
    dead = RedisJournal(redis_url, job, lease=0.3)
    async with dead:
        claim = await dead.claim("job/0", settle=0.5)
        assert await dead.intent(claim, ORDERS[0])
        with anyio.move_on_after(0.05):
            await client.plans.create(
                product="residential", bandwidth_gb=1, end_user_reference="job/0"
            )
        dead._held.clear()  # a dead process renews nothing, releases nothing
    events: list[ProgressEvent] = []
    with anyio.fail_after(30):
        report = await provision(
            client,
            ORDERS[:3],
            journal=RedisJournal(redis_url, job, lease=0.3),
            settle=0.5,
            on_progress=events.append,
        )
    assert report.ok and report.reconciled == ["job/0"]
    assert "settling" in [event.outcome for event in events]
    assert bought(flashproxy_fake) == {"job/0": 1, "job/1": 1, "job/2": 1}


async def test_a_done_record_that_no_longer_reads_is_found_by_reference_not_bought(
    flashproxy_fake: FakeFlashProxy,
    client: AsyncFlashProxy,
    redis_url: str,
    job: str,
    redis_client: Redis,
) -> None:
    await provision(client, ORDERS[:2], journal=RedisJournal(redis_url, job))
    await redis_client.hset(f"flashproxy:journal:{{{job}}}:record", "job/0", "not json")
    report = await provision(
        client, ORDERS[:2], journal=RedisJournal(redis_url, job), reconcile="journal"
    )
    assert report.ok and sorted(report.created) == ["job/0", "job/1"]
    assert len(flashproxy_fake.state.plans) == 2
