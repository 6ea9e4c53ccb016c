"""purchase_once: one plan per order, however many workers call it, with either journal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from flashproxy_async import AsyncFlashProxy, InsufficientBalanceError
from flashproxy_async.bulk import (
    JournalError,
    PlanOrder,
    RedisJournal,
    ReferenceConflictError,
    purchase_once,
)
from flashproxy_async.bulk._journal import FileJournal
from flashproxy_async.bulk._journal_base import JobHeader
from flashproxy_async.testing import FakeFlashProxy

if TYPE_CHECKING:
    from redis.asyncio import Redis


def order(reference: str = "shop/42/1", gb: float = 2) -> PlanOrder:
    return PlanOrder(reference=reference, product="residential", bandwidth_gb=gb)


async def events_of(journal: RedisJournal) -> list[dict[str, Any]]:
    async with journal:
        return await journal.events()


def bought(fake: FakeFlashProxy) -> Counter[str | None]:
    return Counter(plan.end_user_reference for plan in fake.state.plans.values())


async def test_eight_workers_at_once_buy_one_plan_on_a_redis_journal(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    # Each worker with its own journal object (its own run), as separate processes would.
    flashproxy_fake.faults.delay(0.2, method="POST", path="/plans")
    plans = []

    async def worker() -> None:
        async with RedisJournal(redis_url, job, lease=1.0) as journal:
            plans.append(await purchase_once(client, order(), journal=journal, settle=0.5))

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(worker)
    assert bought(flashproxy_fake) == {"shop/42/1": 1}
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    assert {str(plan.plan_id) for plan in plans} == set(flashproxy_fake.state.plans)
    # Every worker gets the plan with its credentials, not the journal's copy.
    assert all(plan.proxy_password for plan in plans)


async def test_a_second_delivery_returns_the_plan_without_buying(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    journal = RedisJournal(redis_url, job, lease=1.0)
    first = await purchase_once(client, order(), journal=journal)
    again = await purchase_once(client, order(), journal=journal)
    assert again.plan_id == first.plan_id
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    events = [event["event"] for event in await events_of(journal)]
    assert events == ["intent", "created"]


async def test_a_reference_that_already_has_a_plan_is_never_bought_again(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    journal = RedisJournal(redis_url, job, lease=1.0)
    outside = await client.plans.create(
        product="residential", bandwidth_gb=2, end_user_reference="shop/42/1"
    )
    plan = await purchase_once(client, order(), journal=journal)
    assert plan.plan_id == outside.plan_id
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    assert [e["via"] for e in await events_of(journal) if e["event"] == "created"] == ["reconcile"]


async def test_trusting_the_journal_skips_the_lookup_of_a_new_order(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    journal = RedisJournal(redis_url, job, lease=1.0)
    await purchase_once(client, order(), journal=journal, reconcile="journal")
    assert flashproxy_fake.requests_for("GET", "/plans") == []


async def test_a_plan_of_another_product_under_the_reference_is_a_conflict(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    journal = RedisJournal(redis_url, job, lease=1.0)
    await client.plans.create(product="mobile", bandwidth_gb=1, end_user_reference="shop/42/1")
    with pytest.raises(ReferenceConflictError):
        await purchase_once(client, order(), journal=journal)
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    assert [e["event"] for e in await events_of(journal)] == ["conflict"]


async def test_an_in_doubt_order_of_a_dead_worker_is_settled_then_found_not_bought(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, redis_url: str, job: str
) -> None:
    # A worker sends the purchase and dies before its outcome: the server commits it
    # 0.3 s later. Its claim lapses after the lease (0.3 s); the order then waits out the
    # settle window (1 s after the intent) before it is looked up, and is found.
    flashproxy_fake.faults.delay(0.3, method="POST", path="/plans")
    dead = RedisJournal(redis_url, job, lease=0.3)
    async with dead:
        claim = await dead.claim("shop/42/1", settle=1.0)
        assert await dead.intent(claim, order())
        sending = anyio.Event()

        async def killed_mid_purchase() -> None:
            with anyio.move_on_after(0.05):
                sending.set()
                await client.plans.create(
                    product="residential", bandwidth_gb=2, end_user_reference="shop/42/1"
                )

        async with anyio.create_task_group() as group:
            group.start_soon(killed_mid_purchase)
        dead._held.clear()  # a dead process renews nothing, releases nothing
    assert flashproxy_fake.state.plans == {}  # not committed yet
    async with RedisJournal(redis_url, job, lease=0.3) as journal:
        with anyio.fail_after(10):
            plan = await purchase_once(client, order(), journal=journal, settle=1.0)
    assert bought(flashproxy_fake) == {"shop/42/1": 1}
    assert str(plan.plan_id) in flashproxy_fake.state.plans
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1


async def test_redis_unreachable_sends_no_purchase(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy
) -> None:
    with pytest.raises(JournalError, match=re.escape("Redis journal 'j' at redis://127.0.0.1:1/0")):
        await purchase_once(
            client, order(), journal=RedisJournal("redis://127.0.0.1:1/0", "j"), settle=0
        )
    assert flashproxy_fake.requests == []


async def test_file_journal_workers_on_one_host_buy_one_plan(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, tmp_path: Path
) -> None:
    flashproxy_fake.faults.delay(0.1, method="POST", path="/plans")
    path = tmp_path / "once.journal"
    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(lambda: purchase_once(client, order(), journal=path))
    again = await purchase_once(client, order(), journal=path)
    assert bought(flashproxy_fake) == {"shop/42/1": 1}
    assert str(again.plan_id) in flashproxy_fake.state.plans
    assert again.proxy_password


def test_importing_bulk_does_not_import_redis() -> None:
    code = "import sys, flashproxy_async.bulk; assert 'redis' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_a_refused_purchase_on_a_file_journal_is_raised_and_may_be_bought_later(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, tmp_path: Path
) -> None:
    path = tmp_path / "once.journal"
    flashproxy_fake.state.set_balance(0)
    with pytest.raises(InsufficientBalanceError):
        await purchase_once(client, order(), journal=path)
    flashproxy_fake.state.set_balance(100_000)
    plan = await purchase_once(client, order(), journal=path)
    assert bought(flashproxy_fake) == {"shop/42/1": 1}
    assert str(plan.plan_id) in flashproxy_fake.state.plans
    events = [json.loads(line).get("event") for line in path.read_text().splitlines()[1:]]
    assert events == ["intent", "failed", "absent", "intent", "created"]


async def test_an_in_doubt_order_on_a_file_journal_is_settled_then_looked_up(
    flashproxy_fake: FakeFlashProxy, client: AsyncFlashProxy, tmp_path: Path
) -> None:
    path = tmp_path / "once.journal"
    # A worker died right after it sent the purchase; the server never got it.
    book = FileJournal(path)
    book.open(JobHeader("purchase_once", client.base_url))
    book.intent(order(), sent_at=time.time())
    book.close()
    with anyio.fail_after(10):
        plan = await purchase_once(client, order(), journal=path, settle=0.3)
    assert bought(flashproxy_fake) == {"shop/42/1": 1}
    assert str(plan.plan_id) in flashproxy_fake.state.plans
    assert len(flashproxy_fake.requests_for("GET", "/plans")) == 1


async def test_a_redis_record_that_no_longer_reads_is_found_by_reference(
    flashproxy_fake: FakeFlashProxy,
    client: AsyncFlashProxy,
    redis_url: str,
    job: str,
    redis_client: Redis,
) -> None:
    first = await purchase_once(client, order(), journal=RedisJournal(redis_url, job))
    await redis_client.hset(f"flashproxy:journal:{{{job}}}:record", "shop/42/1", "{}")
    again = await purchase_once(client, order(), journal=RedisJournal(redis_url, job))
    assert again.plan_id == first.plan_id
    # Recorded as bought, yet no plan carries the reference (deleted by hand, say).
    flashproxy_fake.state.plans.clear()
    with pytest.raises(JournalError, match="recorded as bought"):
        await purchase_once(client, order(), journal=RedisJournal(redis_url, job))
