"""The resources end to end against the stateful fake API (loopback, scaled time)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from flashproxy_async import APITimeoutError, OutOfStockError, PoolOutOfStockError
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.resources import servers
from flashproxy_async.testing import FakeFlashProxy


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    # Provisioning (30 s) and rotation (10 s) delays shrink to tens of milliseconds.
    return {"time_scale": 0.002, "balance_cents": 10_000_000}


@pytest.fixture
async def live(flashproxy_fake: FakeFlashProxy) -> AsyncIterator[AsyncFlashProxy]:
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key, base_url=flashproxy_fake.base_url
    ) as client:
        yield client


async def test_plans_walk_every_page_of_the_fake(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    bought = [
        str((await live.plans.create(product="residential", bandwidth_gb=1)).plan_id)
        for _ in range(5)
    ]
    walked = [str(plan.plan_id) async for plan in live.plans.list(per_page=2)]
    assert sorted(walked) == sorted(bought)
    page = await live.plans.list_page(page=3, per_page=2)
    assert len(page.items) == 1
    assert page.pagination is not None and page.pagination.total_pages == 3
    kinds = [t.get("type") async for t in live.balance.transactions(per_page=2)]
    assert kinds.count("purchase") == 5


async def test_dedicated_isp_flow_against_the_fake(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    flashproxy_fake.state.set_pool_stock("ISP_TEST", 3)
    plan, proxies = await live.plans.create_dedicated_isp(pool="ISP_TEST", quantity=3)
    assert proxies.plan_id == plan.plan_id
    assert proxies.proxies is not None and len(proxies.proxies) == 3
    with pytest.raises(PoolOutOfStockError):
        await live.plans.create_dedicated_isp(pool="ISP_TEST", quantity=1)
    assert len(flashproxy_fake.state.plans) == 1


async def test_dedicated_mobile_stock_is_checked_against_the_fake(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    flashproxy_fake.state.set_mobile_stock("NL", 0)
    with pytest.raises(OutOfStockError):
        await live.plans.create_dedicated_mobile(duration="30_days", location="NL")
    assert flashproxy_fake.state.plans == {}
    flashproxy_fake.state.set_mobile_stock("UK", 1)
    plan = await live.plans.create_dedicated_mobile(duration="7_days", location="UK")
    assert plan.location == "UK"


async def test_unlimited_residential_ip_wait_against_the_fake(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    plan = await live.plans.create(
        product="unlimited_residential", duration="30_days", bandwidth_mbps=500
    )
    first = await live.servers.wait_for_ip(plan, timeout=5, initial_delay=0.01, max_delay=0.05)
    assert first["ip"] == flashproxy_fake.state.plans[str(plan.plan_id)].ip
    assert flashproxy_fake.requests_for("GET", "/servers/*/ip")[0].status == 404


async def test_dedicated_mobile_rotation_against_the_fake(live: AsyncFlashProxy) -> None:
    plan = await live.plans.create_dedicated_mobile(duration="7_days", location="NL")
    first = await live.servers.ip(plan)
    # The 10 s rotation delay is scaled to 20 ms: a 5 s timeout fails if it is not.
    rotated = await live.servers.rotate_ip_and_wait(
        plan, timeout=5, initial_delay=0.01, max_delay=0.05
    )
    assert rotated["ip"] != first["ip"]


async def test_a_hung_ip_poll_does_not_outlast_the_waits_timeout(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "LAST_LOOK", 0.05)
    plan = await live.plans.create(
        product="unlimited_residential", duration="30_days", bandwidth_mbps=500
    )
    flashproxy_fake.faults.delay(30, None, method="GET", path="/servers/*/ip")
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match=r"gave up after 0\.2 s: the last look"):
        await live.servers.wait_for_ip(plan, timeout=0.2, initial_delay=0.01)
    # The first poll hangs: it is given up at the wait's 0.2 s, not the fake's 30 s.
    assert time.monotonic() - started < 2.0


async def test_the_clients_own_deadline_still_bounds_each_poll(
    live: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    plan = await live.plans.create(
        product="unlimited_residential", duration="30_days", bandwidth_mbps=500
    )
    flashproxy_fake.faults.delay(30, None, method="GET", path="/servers/*/ip")
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="deadline"):
        await live.with_options(deadline=0.2).servers.wait_for_ip(plan, timeout=60)
    assert time.monotonic() - started < 2.0
