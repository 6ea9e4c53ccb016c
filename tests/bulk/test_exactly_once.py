"""Exactly once, whatever the operator does: settle windows, preflight, locks, odd answers.

Each scenario ends with exactly one plan per order, and the money charged equal to
the orders' cost.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from flashproxy_async import (
    APIError,
    AuthenticationError,
    PermissionDeniedError,
    ResponseValidationError,
)
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.bulk import JournalInUseError, PlanOrder, ProgressEvent, provision
from flashproxy_async.testing import FakeFlashProxy

from ._journals import intent, write


def residential(reference: str) -> PlanOrder:
    return PlanOrder(reference=reference, product="residential", bandwidth_gb=5)


def assert_exactly_once(fake: FakeFlashProxy, orders: Sequence[PlanOrder], spent: int) -> None:
    """One plan per order, none lost, and the money charged is what the orders cost."""
    plans = list(fake.state.plans.values())
    assert Counter(p.end_user_reference for p in plans) == Counter(o.reference for o in orders)
    assert spent == sum(p.cost_cents for p in plans) > 0


async def wait_for(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_an_in_doubt_order_is_looked_up_only_once_its_purchase_settled(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    fake = flashproxy_fake
    start = fake.state.balance_cents
    orders = [residential(f"r{i}") for i in range(4)]
    journal = tmp_path / "j"
    # The killed run's purchase of r0 reached the server, which holds it uncommitted
    # (a lookup finds nothing) until the rerun starts waiting for it to settle.
    fake.faults.commit_late(60_000)
    in_flight = asyncio.create_task(
        client.plans.create(product="residential", bandwidth_gb=5, end_user_reference="r0")
    )
    await wait_for(lambda: fake.requests_for("POST", "/plans"))
    write(journal, orders, fake.base_url, intent(orders[0], sent_at=time.time()))

    events: list[ProgressEvent] = []

    def on_progress(event: ProgressEvent) -> None:
        events.append(event)
        if event.outcome == "settling":
            fake.faults.release_held()

    report = await provision(client, orders, journal=journal, settle=2.0, on_progress=on_progress)
    await in_flight

    assert report.ok and report.reconciled == ["r0"]
    assert_exactly_once(fake, orders, start - fake.state.balance_cents)
    [settling] = [e for e in events if e.outcome == "settling"]
    assert settling.waiting == 1 and 0 < (settling.wait_seconds or 0) <= 2.0
    # The other orders were bought while r0 settled, and r0 was looked up after them.
    outcomes = [(e.reference, e.outcome) for e in events if e.reference]
    assert outcomes[-1] == ("r0", "reconciled")
    assert {ref for ref, outcome in outcomes if outcome == "created"} == {"r1", "r2", "r3"}
    assert report.reconcile_requests == 2  # the walk before buying, and the one after


async def test_the_default_settle_window_is_the_attempt_timeout_plus_a_margin(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    from flashproxy_async.bulk._provision import default_settle

    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, timeout=12
    ) as client:
        assert default_settle(client) == 12 + 5


@pytest.mark.parametrize("settle", [-1, float("nan"), "5"])
async def test_a_bad_settle_or_reconcile_is_refused_before_anything_is_sent(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path, settle: Any
) -> None:
    from flashproxy_async import RequestValidationError

    with pytest.raises(RequestValidationError, match="settle"):
        await provision(client, [residential("a")], journal=tmp_path / "j", settle=settle)
    with pytest.raises(RequestValidationError, match="reconcile"):
        await provision(client, [residential("a")], journal=tmp_path / "j", reconcile="never")  # type: ignore[arg-type]
    assert flashproxy_fake.requests == []


async def test_a_wrong_key_stops_at_the_preflight_with_nothing_sent(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = [residential(f"r{i}") for i in range(4)]
    async with AsyncFlashProxy(
        api_key="fp_test_" + "0" * 32, base_url=flashproxy_fake.base_url
    ) as bad:
        report = await provision(bad, orders, journal=tmp_path / "j")
    assert isinstance(report.stopped_by, AuthenticationError)
    assert report.not_attempted == [o.reference for o in orders]
    assert report.created == {} and report.failed == {}
    assert [(r.method, r.path) for r in flashproxy_fake.requests] == [("GET", "/balance")]


async def test_a_suspended_account_stops_at_the_preflight(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    flashproxy_fake.state.suspended = True
    report = await provision(client, [residential("a")], journal=tmp_path / "j")
    assert isinstance(report.stopped_by, PermissionDeniedError)
    assert report.not_attempted == ["a"]
    assert flashproxy_fake.requests_for("POST") == []


async def test_a_second_run_for_the_account_fails_at_once_naming_journal_and_pid(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    flashproxy_fake.faults.delay(0.5, method="POST", path="/plans")
    first_journal, second_journal = tmp_path / "first.journal", tmp_path / "second.journal"
    orders = [residential("a")]
    first = asyncio.create_task(provision(client, orders, journal=first_journal))
    await wait_for(lambda: flashproxy_fake.requests_for("POST", "/plans"))
    with pytest.raises(JournalInUseError) as caught:
        await provision(client, orders, journal=second_journal)
    message = str(caught.value)
    assert str(first_journal) in message and f"pid {os.getpid()}" in message
    assert flashproxy_fake.api_key not in message
    assert not second_journal.exists()
    assert (await first).ok
    assert len(flashproxy_fake.state.plans) == 1


@pytest.mark.parametrize(
    ("body", "processed", "error"),
    [
        ({"success": False}, True, APIError),
        ({"success": False, "error": {"code": "INTERNAL_ERROR", "message": "?"}}, False, APIError),
        ({"success": True, "data": {}}, True, ResponseValidationError),
        ({"success": True}, False, ResponseValidationError),
        ({"success": True, "data": {"plan_id": "9b2f7f4e-3a55-4c1e-8d59-1a2b3c4d5e6f"}}, True,
         ResponseValidationError),
    ],
)  # fmt: skip
async def test_an_odd_2xx_to_a_purchase_is_in_doubt_and_settled_by_the_rerun(
    client: AsyncFlashProxy,
    flashproxy_fake: FakeFlashProxy,
    tmp_path: Path,
    body: dict[str, Any],
    processed: bool,
    error: type[Exception],
) -> None:
    fake = flashproxy_fake
    start = fake.state.balance_cents
    orders = [residential("a"), residential("b")]
    fake.faults.respond(body, status=201, process=processed, method="POST", path="/plans")
    journal = tmp_path / "j"
    first = await provision(client, orders, journal=journal)
    [odd] = first.failed
    failure = first.failed[odd]
    assert isinstance(failure, error) and failure.outcome_unknown  # type: ignore[attr-defined]
    assert failure.end_user_reference == odd  # type: ignore[attr-defined]
    assert first.in_doubt == [odd] and odd not in first.created

    rerun = await provision(client, orders, journal=journal, settle=0)
    assert rerun.ok
    assert (odd in rerun.reconciled) is processed
    assert_exactly_once(fake, orders, start - fake.state.balance_cents)


async def test_a_journal_deleted_mid_run_stops_it_and_the_rerun_buys_nothing_twice(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    from flashproxy_async import TokenBucketLimiter
    from flashproxy_async.bulk import JournalError

    fake = flashproxy_fake
    start = fake.state.balance_cents
    orders = [residential(f"r{i}") for i in range(8)]
    journal = tmp_path / "j"

    def delete_after_the_second(event: ProgressEvent) -> None:
        if event.outcome == "created" and event.done == 2:
            journal.unlink()

    async with AsyncFlashProxy(
        api_key=fake.api_key,
        base_url=fake.base_url,
        limiter=TokenBucketLimiter(rate=1000, period=1.0, max_concurrent=1),
    ) as client:
        first = await provision(
            client, orders, journal=journal, on_progress=delete_after_the_second
        )
        assert isinstance(first.stopped_by, JournalError)
        assert "deleted or replaced" in str(first.stopped_by)
        assert len(first.created) == 2 and len(first.not_attempted) == 6
        rerun = await provision(client, orders, journal=journal)
    assert rerun.ok and sorted(rerun.reconciled) == sorted(first.created)
    assert_exactly_once(fake, orders, start - fake.state.balance_cents)
