"""Balance, prices, transactions and stock as purchases change them."""

from __future__ import annotations

from typing import Any

import aiohttp

from flashproxy_async.testing import FakeFlashProxy, Prices

from ._helpers import call, error_code

ISP_ORDER = {"product": "dedicated_isp", "quantity": 3, "pool": "ISP_US_SNEAKERS"}


async def test_purchase_debits_the_price_list_and_records_a_transaction(
    make_fake: Any,
) -> None:
    fake: FakeFlashProxy = make_fake(
        balance_cents=10_000, prices=Prices(per_gb_cents={"residential": 250})
    )
    async with (
        fake,
        aiohttp.ClientSession(
            base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {fake.api_key}"}
        ) as http,
    ):
        status, body, _ = await call(
            http, "POST", "plans", json={"product": "residential", "bandwidth_gb": 4}
        )
        assert status == 201
        assert body["data"]["billing"]["cost_cents"] == 1000
        assert body["data"]["billing"]["price_per_gb_cents"] == 250
        assert body["data"]["limits"]["max_bytes"] == 4 * 1024**3
        _, balance, _ = await call(http, "GET", "balance")
        assert balance["data"]["balance_cents"] == 9_000
        assert balance["data"]["balance_formatted"] == "$90.00"
        assert balance["data"]["total_spent_cents"] == 1000
        assert balance["data"]["allocations"]["residential"]["bytes_remaining"] == 4 * 1024**3
        _, listed, _ = await call(http, "GET", "balance/transactions", params={"type": "purchase"})
        (purchase,) = listed["data"]["transactions"]
        assert purchase["amount_cents"] == -1000
        assert purchase["plan_id"] == body["data"]["plan_id"]
        _, everything, _ = await call(http, "GET", "balance/transactions")
        assert [t["type"] for t in everything["data"]["transactions"]] == ["purchase", "topup"]


async def test_insufficient_balance_changes_nothing(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.state.set_balance(100)
    pools_before = fake.state.pools["ISP_US_SNEAKERS"].stock
    status, body, _ = await call(http, "POST", "plans", json=ISP_ORDER)
    assert (status, error_code(body)) == (402, "INSUFFICIENT_BALANCE")
    assert fake.state.balance_cents == 100
    assert fake.state.plans == {}
    assert fake.state.pools["ISP_US_SNEAKERS"].stock == pools_before


async def test_pool_purchase_decrements_stock_and_lists_proxies(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    _, before, _ = await call(http, "GET", "proxies/pools", params={"type": "isp", "country": "US"})
    assert [p["pool"] for p in before["data"]["pools"]] == ["ISP_US_SNEAKERS"]
    assert before["data"]["pools"][0]["stock"] == 50
    status, body, _ = await call(http, "POST", "plans", json=ISP_ORDER)
    assert status == 201
    assert body["data"]["billing"]["cost_cents"] == 3 * 300
    _, after, _ = await call(http, "GET", "proxies/pools", params={"type": "isp", "country": "US"})
    assert after["data"]["pools"][0]["stock"] == 47
    status, proxies, _ = await call(http, "GET", f"plans/{body['data']['plan_id']}/proxies")
    assert status == 200
    assert proxies["data"]["count"] == 3
    item = proxies["data"]["proxies"][0]
    assert item["full"] == f"{item['username']}:{item['password']}@{item['host']}:{item['port']}"


async def test_pool_errors(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "POST", "plans", json={**ISP_ORDER, "pool": "ISP_NOWHERE"})
    assert (status, error_code(body)) == (400, "INVALID_POOL")
    fake.state.set_pool_stock("ISP_US_SNEAKERS", 2)
    status, body, _ = await call(http, "POST", "plans", json=ISP_ORDER)
    assert (status, error_code(body)) == (409, "POOL_OUT_OF_STOCK")
    _, pools, _ = await call(http, "GET", "proxies/pools", params={"type": "subnet"})
    assert [p["isSubnet"] for p in pools["data"]["pools"]] == [True]
    _, pools, _ = await call(http, "GET", "proxies/pools")
    assert pools["data"]["in_stock_count"] == pools["data"]["total"] - 1


async def test_proxies_of_a_non_isp_plan_is_a_validation_error(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("residential")
    status, body, _ = await call(http, "GET", f"plans/{plan.plan_id}/proxies")
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")


async def test_dedicated_mobile_stock_per_location(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.state.set_mobile_stock("UK", 1)
    order = {"product": "dedicated_mobile", "duration": "30_days", "location": "UK"}
    assert (await call(http, "POST", "plans", json=order))[0] == 201
    status, body, _ = await call(http, "POST", "plans", json=order)
    assert (status, error_code(body)) == (409, "OUT_OF_STOCK")
    _, stock, _ = await call(http, "GET", "servers/stock/dedicated-mobile")
    assert stock["data"]["locations"]["UK"] == {"available": 0, "in_stock": False}
    assert stock["data"]["locations"]["NL"]["available"] == 5


async def test_trial_stock_and_free_trial(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.state.set_trial_stock(1)
    order = {"product": "unlimited_residential", "duration": "trial"}
    status, body, _ = await call(http, "POST", "plans", json=order)
    assert status == 201 and body["data"]["billing"]["cost_cents"] == 0
    status, body, _ = await call(http, "GET", "servers/stock/unlimited-residential-trial")
    assert body["data"] == {"available": False, "stock": 0}
    status, body, _ = await call(http, "POST", "plans", json=order)
    assert (status, error_code(body)) == (409, "OUT_OF_STOCK")


async def test_hourly_is_an_eighth_of_a_day(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(prices=Prices(per_day_cents={"datacenter": 800}))
    async with (
        fake,
        aiohttp.ClientSession(
            base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {fake.api_key}"}
        ) as http,
    ):
        order = {"product": "datacenter", "billing_type": "time", "duration": "1_hour", "mbps": 100}
        _, body, _ = await call(http, "POST", "plans", json=order)
        assert body["data"]["billing"]["cost_cents"] == 100
        _, pricing, _ = await call(http, "GET", "balance/pricing")
        assert pricing["data"]["products"]["datacenter"]["price_per_day_cents"] == 800


async def test_usage_counters_follow_state(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("residential-lite", max_bytes=1000)
    fake.state.record_usage(plan.plan_id, 250)
    _, usage, _ = await call(http, "GET", f"plans/{plan.plan_id}/usage")
    assert usage["data"]["bytes_used"] == 250
    assert usage["data"]["bytes_remaining"] == 750
    _, summary, _ = await call(http, "GET", "usage/summary", params={"period": "all"})
    assert summary["data"]["total_bytes"] == 250
    _, got, _ = await call(http, "GET", f"plans/{plan.plan_id}")
    assert got["data"]["limits"]["bytes_used"] == 250
    _, balance, _ = await call(http, "GET", "balance")
    assert balance["data"]["allocations"]["residential-lite"]["bytes_remaining"] == 750


async def test_extend_and_upgrade_beyond_the_balance_are_refused_unchanged(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    residential = fake.state.add_plan("residential", max_bytes=1000)
    unlimited = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200, duration="30_days")
    fake.state.set_balance(1)
    transactions = len(fake.state.transactions)
    for plan, action, body in (
        (residential, "extend", {"add_bandwidth_gb": 50}),
        (unlimited, "upgrade", {"bandwidth_mbps": 3000}),
    ):
        status, answer, _ = await call(http, "POST", f"plans/{plan.plan_id}/{action}", json=body)
        assert (status, error_code(answer)) == (402, "INSUFFICIENT_BALANCE")
    assert (residential.max_bytes, unlimited.bandwidth_mbps) == (1000, 200)
    assert fake.state.balance_cents == 1
    assert len(fake.state.transactions) == transactions


async def test_amounts_beyond_any_balance_are_refused_not_crashed_on(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    # openapi.json sets no maximum; float or integer overflow once answered 500.
    plan = fake.state.add_plan("residential", max_bytes=1000)
    hourly = fake.state.add_plan("datacenter", billing_type="time", mbps=100)
    for path, body in (
        (
            "plans",
            {"product": "datacenter", "billing_type": "time", "duration": "1_day", "mbps": 10**400},
        ),
        ("plans", {"product": "residential", "bandwidth_gb": 8e9}),  # $24bn
        (f"plans/{plan.plan_id}/extend", {"add_bandwidth_gb": 8e9}),
    ):
        status, answer, _ = await call(http, "POST", path, json=body)
        assert (status, error_code(answer)) == (402, "INSUFFICIENT_BALANCE"), body
    # What a plan cannot hold is a 400: bytes past int64 (openapi.json), expiry past 9999.
    fake.state.set_balance(10**30)
    for path, body in (
        ("plans", {"product": "residential", "bandwidth_gb": 1e308}),
        ("plans", {"product": "residential", "bandwidth_gb": 9e9}),
        (f"plans/{plan.plan_id}/extend", {"add_bandwidth_gb": 1e308}),
        (f"plans/{hourly.plan_id}/extend", {"add_days": 3_000_000}),  # past year 9999
        (f"plans/{hourly.plan_id}/extend", {"add_days": 10**400}),
    ):
        status, answer, _ = await call(http, "POST", path, json=body)
        assert (status, error_code(answer)) == (400, "VALIDATION_ERROR"), body
    status, answer, _ = await call(
        http,
        "POST",
        "plans",
        data=b'{"product": "residential", "bandwidth_gb": Infinity}',
        headers={"Content-Type": "application/json"},
    )
    assert (status, error_code(answer)) == (400, "VALIDATION_ERROR")
    unlimited = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200)
    status, answer, _ = await call(
        http,
        "GET",
        f"plans/{unlimited.plan_id}/usage-stats",
        params={"from": 10**15, "to": 10**15 + 60},
    )
    assert (status, error_code(answer)) == (400, "VALIDATION_ERROR")
    assert fake.state.plans.keys() == {plan.plan_id, hourly.plan_id, unlimited.plan_id}
    assert plan.max_bytes == 1000
