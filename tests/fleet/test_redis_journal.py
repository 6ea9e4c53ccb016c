"""RedisJournal's claims, intents and outcomes, on a real Redis, one script at a time."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import pytest

from flashproxy_async._converter import structure
from flashproxy_async.bulk import JournalError, PlanOrder, RedisJournal
from flashproxy_async.bulk._claims import ClaimStatus
from flashproxy_async.bulk._journal_base import OrderState
from flashproxy_async.models import Plan

if TYPE_CHECKING:
    from redis.asyncio import Redis

ORDER = PlanOrder("shop/1", "residential", bandwidth_gb=1)


@asynccontextmanager
async def two_runs(
    url: str, job: str, *, lease: float = 30.0
) -> AsyncIterator[tuple[RedisJournal, RedisJournal]]:
    async with RedisJournal(url, job, lease=lease) as first, RedisJournal(url, job) as second:
        yield first, second


def claims_key(job: str) -> str:
    return f"flashproxy:journal:{{{job}}}:claims"


async def expire_claim(redis_client: Redis, job: str, reference: str) -> None:
    """What a dead run leaves: a claim whose lease ran out (and, here, long ago)."""
    holder = (await redis_client.hget(claims_key(job), reference) or b"").decode()
    run = holder.split("|")[0] or "dead-run"
    await redis_client.hset(claims_key(job), reference, f"{run}|0")


def plan(reference: str = "shop/1") -> Plan:
    return structure(
        {
            "plan_id": "8b0f8f5e-3c2b-4f7a-9d7e-1f2a3b4c5d6e",
            "product": "residential",
            "status": "active",
            "end_user_reference": reference,
            "proxy_password": "s3cret-pass",
        },
        Plan,
    )


async def test_a_claim_is_held_for_other_runs_until_given_back(redis_url: str, job: str) -> None:
    async with (
        RedisJournal(redis_url, job, lease=5) as first,
        RedisJournal(redis_url, job) as other,
    ):
        mine = await first.claim("shop/1", settle=0)
        assert (mine.status, mine.state) == (ClaimStatus.TAKEN, OrderState.NEW)
        theirs = await other.claim("shop/1", settle=0)
        assert theirs.status is ClaimStatus.HELD
        assert 0 < theirs.wait <= 5
        await first.release(mine)
        assert (await other.claim("shop/1", settle=0)).status is ClaimStatus.TAKEN


async def test_a_dead_runs_intent_settles_from_its_claims_expiry_then_is_handed_out(
    redis_url: str, job: str, redis_client: Redis
) -> None:
    async with (
        RedisJournal(redis_url, job, lease=60) as dead,
        RedisJournal(redis_url, job) as other,
    ):
        claim = await dead.claim("shop/1", settle=30)
        assert await dead.intent(claim, ORDER)
        # Alive, the claim holds the order; dead, it expires, and the order is handed
        # out only once the settle window after that has passed.
        assert (await other.claim("shop/1", settle=30)).status is ClaimStatus.HELD
        await expire_claim(redis_client, job, "shop/1")
        settling = await other.claim("shop/1", settle=30)
        assert settling.status is ClaimStatus.SETTLING
        assert 0 < settling.wait <= 30
        taken = await other.claim("shop/1", settle=0)
        assert (taken.status, taken.state) == (ClaimStatus.TAKEN, OrderState.IN_DOUBT)
        dead._held.clear()


async def test_a_run_that_lost_its_claim_sends_nothing_and_records_no_intent(
    redis_url: str, job: str, redis_client: Redis
) -> None:
    async with two_runs(redis_url, job) as (stalled, other):
        claim = await stalled.claim("shop/1", settle=0)
        await expire_claim(redis_client, job, "shop/1")
        assert (await other.claim("shop/1", settle=0)).status is ClaimStatus.TAKEN
        assert not await stalled.intent(claim, ORDER)
        assert not await stalled.sending(claim, ORDER)
        assert "shop/1" not in stalled.held
        assert await other.events() == []


async def test_an_outcome_never_overrules_a_newer_intent_but_a_plan_always_counts(
    redis_url: str, job: str, redis_client: Redis
) -> None:
    async with two_runs(redis_url, job) as (old, new):
        first = await old.claim("shop/1", settle=0)
        assert await old.intent(first, ORDER)
        await expire_claim(redis_client, job, "shop/1")
        second = await new.claim("shop/1", settle=0)
        await new.absent(second)  # looked up: not there; the claim is kept to buy
        assert await new.intent(second, ORDER)
        # The old run's late "it surely failed" must not clear the newer purchase.
        await old.failed(first, RuntimeError("refused"), outcome_unknown=False)
        assert (await new.snapshot(["shop/1"]))["shop/1"].state is OrderState.IN_DOUBT
        await old.created(first, plan())
        known = (await new.snapshot(["shop/1"]))["shop/1"]
        assert (known.status, known.version) == (ClaimStatus.DONE, 2)
        assert known.plan is not None and known.plan.proxy_password is None
        assert (await new.claim("shop/1", settle=0)).status is ClaimStatus.DONE
        events = await new.events()
    assert [e["event"] for e in events] == ["intent", "absent", "intent", "failed", "created"]
    assert "s3cret-pass" not in repr(events)


async def test_claims_are_renewed_while_the_run_lives(
    redis_url: str, job: str, redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        RedisJournal(redis_url, job, lease=0.3) as alive,
        RedisJournal(redis_url, job) as other,
    ):
        await alive.claim("shop/1", settle=0)
        await alive.claim("shop/2", settle=0)
        await anyio.sleep(1.0)  # three leases: only renewal keeps the claims
        assert (await other.claim("shop/1", settle=0)).status is ClaimStatus.HELD
        # Another run took shop/2 (the claim lapsed, say, in a stall): it is dropped,
        # with a warning, at the next renewal.
        await redis_client.hset(claims_key(job), "shop/2", f"{other.run_id}|99999999999999999")
        with caplog.at_level(logging.WARNING, logger="flashproxy_async.bulk"):
            await anyio.sleep(0.5)  # five renewals
        assert alive.held == {"shop/1"}
    assert "outlived their 0.3 s lease" in caplog.text


async def test_a_job_is_bound_to_one_api(redis_url: str, job: str) -> None:
    async with RedisJournal(redis_url, job) as journal:
        await journal.bind("http://127.0.0.1:1/api/v1")
        await journal.bind("http://127.0.0.1:1/api/v1")
        with pytest.raises(JournalError, match=re.escape("run against http://127.0.0.1:1/api/v1")):
            await journal.bind("http://127.0.0.1:2/api/v1")


async def test_a_redis_client_given_is_left_open(redis_client: Redis, job: str) -> None:
    async with RedisJournal(redis_client, job) as journal:
        assert journal.name == f"Redis journal {job!r} at a Redis client"
        assert journal.is_open
    assert await redis_client.ping()
    assert not journal.is_open


async def test_the_journal_must_be_open_and_opened_once(redis_url: str, job: str) -> None:
    journal = RedisJournal(redis_url, job)
    with pytest.raises(RuntimeError, match="not open"):
        await journal.claim("shop/1", settle=0)
    async with journal:
        with pytest.raises(RuntimeError, match="already open"):
            await journal.__aenter__()


@pytest.mark.parametrize(
    ("job", "lease"), [("", 1.0), ("j", 0), ("j", -1), ("j", float("nan")), ("j", True)]
)
def test_bad_arguments_are_refused(job: str, lease: float) -> None:
    with pytest.raises(ValueError):
        RedisJournal("redis://127.0.0.1:6379/0", job, lease=lease)


def test_the_name_and_repr_never_show_a_redis_password() -> None:
    journal = RedisJournal("redis://user:hunter2@127.0.0.1:6379/0", "j")
    assert "hunter2" not in journal.name + repr(journal)
    assert "redis://user:***@127.0.0.1:6379/0" in journal.name
