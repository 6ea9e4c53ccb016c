"""provision(): checks before buying, the stop rules, out of stock, reruns."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from flashproxy_async import (
    AuthenticationError,
    InsufficientBalanceError,
    OutOfStockError,
    PermissionDeniedError,
    ProductDisabledError,
    RequestValidationError,
    TokenBucketLimiter,
)
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.bulk import PlanOrder, ProgressEvent, provision
from flashproxy_async.testing import FakeFlashProxy, RecordedRequest


def residential(reference: str, gb: float = 5) -> PlanOrder:
    return PlanOrder(reference=reference, product="residential", bandwidth_gb=gb)


def posts(fake: FakeFlashProxy) -> list[str]:
    return [r.json["end_user_reference"] for r in fake.requests_for("POST", "/plans")]


def plans_by_reference(fake: FakeFlashProxy) -> dict[str, int]:
    counts: dict[str, int] = {}
    for plan in fake.state.plans.values():
        ref = plan.end_user_reference or ""
        counts[ref] = counts.get(ref, 0) + 1
    return counts


async def test_duplicate_reference_is_refused_before_anything_is_sent(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = [residential("a"), residential("b"), residential("a")]
    with pytest.raises(RequestValidationError, match="repeated: a") as caught:
        await provision(client, orders, journal=tmp_path / "j")
    assert caught.value.rule == "order.reference.unique"
    assert flashproxy_fake.requests == []


async def test_every_order_is_validated_before_the_first_purchase(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = [
        residential("ok-1"),
        PlanOrder(reference="bad", product="residential"),  # no bandwidth_gb
        residential("ok-2"),
    ]
    with pytest.raises(RequestValidationError, match="'bad'"):
        await provision(client, orders, journal=tmp_path / "j")
    unknown = [residential("ok"), PlanOrder(reference="typo", product="residental")]
    with pytest.raises(RequestValidationError, match="unknown product"):
        await provision(client, unknown, journal=tmp_path / "j")
    assert flashproxy_fake.requests_for("POST") == []


async def test_every_order_gets_one_plan_and_progress_is_reported(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    events: list[ProgressEvent] = []
    orders = [residential(f"r{i}") for i in range(10)]
    report = await provision(client, orders, journal=tmp_path / "j", on_progress=events.append)
    assert report.ok
    assert sorted(report.created) == sorted(o.reference for o in orders)
    assert all(plan.end_user_reference == ref for ref, plan in report.created.items())
    assert plans_by_reference(flashproxy_fake) == {o.reference: 1 for o in orders}
    settled = [e for e in events if e.reference]
    assert [e.done for e in settled] == list(range(1, 11))
    assert {e.outcome for e in settled} == {"created"}
    # Before the first purchase, one walk looked every order up: one page, reported.
    walked = [e for e in events if e.outcome == "walked"]
    assert len(walked) == 1 and walked[0].reconcile_requests == report.reconcile_requests == 1


async def test_rerun_skips_done_orders_and_their_plans_carry_credentials(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    journal = tmp_path / "j"
    orders = [residential("a"), residential("b"), residential("c")]
    flashproxy_fake.faults.fail_next(
        1, status=409, code="OUT_OF_STOCK", method="POST", path="/plans"
    )
    first = await provision(client, orders, journal=journal)
    [refused] = first.failed
    flashproxy_fake.requests.clear()
    second = await provision(client, orders, journal=journal)
    assert posts(flashproxy_fake) == [refused]
    assert sorted(second.created) == ["a", "b", "c"]
    done = next(ref for ref in first.created)
    assert second.created[done].plan_id == first.created[done].plan_id
    # Credentials never reach the journal; the run takes them from its walk (or
    # plans.get), so every plan of the report builds its proxy URL on a rerun too.
    assert "proxy_password" not in journal.read_text()
    assert first.created[done].proxy_password not in journal.read_text()
    for plan in second.created.values():
        assert plan.proxy_url().startswith("http://")


async def test_plans_vouched_for_by_the_journal_alone_are_fetched_for_credentials(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    journal = tmp_path / "j"
    orders = [residential("a"), residential("b")]
    await provision(client, orders, journal=journal)
    flashproxy_fake.requests.clear()
    rerun = await provision(client, orders, journal=journal, reconcile="journal")
    assert flashproxy_fake.requests_for("GET", "/plans") == []  # no walk
    assert len(flashproxy_fake.requests_for("GET", "/plans/*")) == 2
    assert rerun.credential_requests == 2
    assert all(plan.proxy_url() for plan in rerun.created.values())


def test_a_plan_without_credentials_says_so_and_how_to_get_them() -> None:
    from flashproxy_async import TargetingError
    from flashproxy_async.models import Plan, PlanStatus, Product

    plan = Plan(
        plan_id=uuid.uuid4(),
        product=Product.residential,
        status=PlanStatus.active,
        proxy_username="u",
    )
    with pytest.raises(TargetingError, match=r"no proxy credentials.*plans\.get") as caught:
        plan.proxy_url()
    assert "product" not in str(caught.value)


async def test_out_of_stock_fails_that_order_and_the_job_continues(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = [
        residential("a"),
        PlanOrder(reference="isp", product="dedicated_isp", pool="ISP_DE_GENERAL", quantity=1),
        PlanOrder(reference="mob", product="dedicated_mobile", duration="7_days", location="UK"),
        residential("b"),
    ]
    flashproxy_fake.state.set_mobile_stock("UK", 0)
    report = await provision(client, orders, journal=tmp_path / "j")
    assert sorted(report.created) == ["a", "b"]
    assert isinstance(report.failed["isp"], OutOfStockError)
    assert isinstance(report.failed["mob"], OutOfStockError)
    assert report.not_attempted == [] and report.in_doubt == []
    # A refusal is definite: the rerun buys it once stock is back.
    flashproxy_fake.state.set_pool_stock("ISP_DE_GENERAL", 5)
    flashproxy_fake.state.set_mobile_stock("UK", 1)
    rerun = await provision(client, orders, journal=tmp_path / "j")
    assert rerun.ok and len(flashproxy_fake.state.plans) == 4


async def test_a_disabled_product_fails_its_orders_only(tmp_path: Path) -> None:
    async with (
        FakeFlashProxy(time_scale=0.001, disabled_products=["mobile"]) as fake,
        AsyncFlashProxy(api_key=fake.api_key, base_url=fake.base_url) as client,
    ):
        orders = [PlanOrder(reference="m", product="mobile", bandwidth_gb=1), residential("r")]
        report = await provision(client, orders, journal=tmp_path / "j")
    assert isinstance(report.failed["m"], ProductDisabledError)
    assert list(report.created) == ["r"] and report.stopped_by is None


async def test_no_purchase_is_sent_after_a_402(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    # Three plans' worth of balance; then every purchase answers 402.
    flashproxy_fake.state.set_balance(3 * 1500)
    concurrency = 3
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        limiter=TokenBucketLimiter(rate=1000, period=1.0, max_concurrent=concurrency),
    ) as client:
        orders = [residential(f"r{i:02}") for i in range(30)]
        report = await provision(client, orders, journal=tmp_path / "j")

    sent = flashproxy_fake.requests_for("POST", "/plans")
    first_402 = next(i for i, r in enumerate(sent) if r.status == 402)
    # Once the client has seen a 402, only the requests then in flight may still arrive.
    assert len(sent) <= first_402 + concurrency
    assert len(report.created) == 3
    assert isinstance(report.stopped_by, InsufficientBalanceError)
    assert all(isinstance(e, InsufficientBalanceError) for e in report.failed.values())
    assert len(report.not_attempted) >= 30 - 3 - concurrency
    assert set(report.created) | set(report.failed) | set(report.not_attempted) == {
        o.reference for o in orders
    }
    assert posts(flashproxy_fake) == [r.json["end_user_reference"] for r in sent]
    assert not set(report.not_attempted) & set(posts(flashproxy_fake))


async def test_orders_waiting_on_the_rate_limit_are_not_sent_after_a_402(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    flashproxy_fake.faults.fail_next(
        1, status=402, code="INSUFFICIENT_BALANCE", method="POST", path="/plans"
    )
    # Two starts per 30 s: the other three workers wait for the rate limit, and the
    # 402 must keep them from sending once their turn comes.
    limiter = TokenBucketLimiter(rate=2, period=30.0, max_concurrent=5)
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, limiter=limiter
    ) as client:
        orders = [residential(f"r{i}") for i in range(10)]
        report = await provision(client, orders, journal=tmp_path / "j")
    assert len(flashproxy_fake.requests_for("POST", "/plans")) <= 2
    assert len(report.not_attempted) >= 8


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [(401, "UNAUTHORIZED", AuthenticationError), (403, "FORBIDDEN", PermissionDeniedError)],
)
async def test_401_and_403_forbidden_stop_the_job(
    client: AsyncFlashProxy,
    flashproxy_fake: FakeFlashProxy,
    tmp_path: Path,
    status: int,
    code: str,
    error: type[Exception],
) -> None:
    flashproxy_fake.faults.fail_next(None, status=status, code=code, method="POST", path="/plans")
    report = await provision(
        client, [residential(f"r{i}") for i in range(12)], journal=tmp_path / "j"
    )
    assert report.created == {}
    assert isinstance(report.stopped_by, error)
    assert len(flashproxy_fake.requests_for("POST")) <= 4  # the client's max_concurrent
    assert len(report.not_attempted) >= 8


async def test_the_intent_is_durable_before_the_purchase_reaches_the_server(
    client: AsyncFlashProxy,
    flashproxy_fake: FakeFlashProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    journal = tmp_path / "j"
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    on_disk_when_answered: dict[str, list[str]] = {}

    def look_at_the_journal(record: RecordedRequest) -> None:
        if record.method == "POST":
            reference = record.json["end_user_reference"]
            lines = [json.loads(line) for line in journal.read_text().splitlines()]
            on_disk_when_answered[reference] = [
                line["event"] for line in lines[1:] if line["reference"] == reference
            ]

    flashproxy_fake.add_response_hook(look_at_the_journal)
    await provision(client, [residential("a"), residential("b")], journal=journal)
    # The server saw each purchase with its intent on disk and its outcome not yet.
    assert on_disk_when_answered == {"a": ["intent"], "b": ["intent"]}
    # Every record was fsync'd: intent and created, for both orders, after the header
    # (fsync'd in its temporary file, then its directory once linked into place).
    assert len(journal.read_text().splitlines()) == 5
    assert len(synced) == 4 + 2


async def test_a_purchase_queued_in_the_limiter_is_not_sent_after_a_402(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    flashproxy_fake.faults.fail_next(
        1, status=402, code="INSUFFICIENT_BALANCE", method="POST", path="/plans"
    )
    period = 3.0
    limiter = TokenBucketLimiter(rate=2, period=period, max_concurrent=5)
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, limiter=limiter
    ) as client:
        # The preflight spends the first permit: the second purchase the job launches
        # has to wait inside the limiter. No walk: it would wait for a permit too.
        started = time.monotonic()
        report = await provision(
            client,
            [residential(f"r{i}") for i in range(6)],
            journal=tmp_path / "j",
            reconcile="journal",
        )
        elapsed = time.monotonic() - started
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    assert isinstance(report.stopped_by, InsufficientBalanceError)
    assert report.created == {}
    assert report.not_attempted == [f"r{i}" for i in range(1, 6)]
    # The queued purchase is called off, not left to wait out the window.
    assert elapsed < period


async def test_a_retry_after_a_429_is_not_sent_once_a_402_was_seen(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    # The first purchase to arrive is turned away with a 429, the second with a 402:
    # the client's retry of the first must not go out after the 402.
    flashproxy_fake.faults.fail_next(
        1, status=429, code="RATE_LIMITED", retry_after=0.2, method="POST", path="/plans"
    )
    flashproxy_fake.faults.fail_next(
        1, status=402, code="INSUFFICIENT_BALANCE", method="POST", path="/plans"
    )
    journal = tmp_path / "j"
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        limiter=TokenBucketLimiter(rate=1000, period=1.0, max_concurrent=2),
    ) as client:
        orders = [residential("a"), residential("b")]
        report = await provision(client, orders, journal=journal)
        sent = flashproxy_fake.requests_for("POST", "/plans")
        assert [r.status for r in sent] == [429, 402]
        turned_away = sent[0].json["end_user_reference"]
        assert report.not_attempted == [turned_away]
        assert isinstance(report.stopped_by, InsufficientBalanceError)
        # Nothing of it was bought, and the journal knows: trusting it, the rerun buys
        # it without a walk.
        flashproxy_fake.requests.clear()
        rerun = await provision(client, orders, journal=journal, reconcile="journal")
    assert rerun.ok and flashproxy_fake.requests_for("GET", "/plans") == []
    assert plans_by_reference(flashproxy_fake) == {"a": 1, "b": 1}
