"""The API documentation's product rules for POST /plans, extend and upgrade."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code

VALID_ORDERS: list[dict[str, Any]] = [
    {"product": "residential-lite", "bandwidth_gb": 1},
    {"product": "residential", "bandwidth_gb": 2.5, "end_user_reference": "cust-1"},
    {"product": "mobile", "bandwidth_gb": 1, "billing_type": "bandwidth"},
    *({"product": f"pool{n}", "bandwidth_gb": 1} for n in range(1, 6)),
    {"product": "datacenter", "billing_type": "bandwidth", "bandwidth_gb": 10},
    {"product": "datacenter", "billing_type": "time", "duration": "1_hour", "mbps": 100},
    {"product": "shared_isp", "billing_type": "time", "duration": "7_days", "mbps": 50},
    {"product": "ipv6-residential", "billing_type": "time", "duration": "1_hour", "mbps": 10},
    {"product": "ipv6-datacenter", "billing_type": "bandwidth", "bandwidth_gb": 3},
    {"product": "unlimited_residential", "duration": "trial"},
    {"product": "unlimited_residential", "duration": "30_days", "bandwidth_mbps": 3000},
    {"product": "unlimited_residential", "duration": "1_hour", "bandwidth_mbps": 200},
    {"product": "dedicated_mobile", "duration": "7_days", "location": "NL"},
    {"product": "dedicated_isp", "quantity": 2, "pool": "ISP_US_SNEAKERS"},
    {"product": "residential", "bandwidth_gb": 1, "duration": None},  # null is absent
]

INVALID_ORDERS: list[dict[str, Any]] = [
    {},
    {"product": "gold"},
    {"product": "residential"},
    {"product": "residential", "bandwidth_gb": 0},
    {"product": "residential", "bandwidth_gb": -1},
    {"product": "residential", "bandwidth_gb": "5"},  # curl examples send strings
    {"product": "residential", "bandwidth_gb": True},
    {"product": "pool3"},  # pools are bandwidth products
    {"product": "residential", "bandwidth_gb": 1, "duration": "30_days"},
    {"product": "residential", "bandwidth_gb": 1, "colour": "red"},
    {"product": "datacenter", "bandwidth_gb": 1},  # billing_type required
    {"product": "datacenter", "billing_type": "monthly", "bandwidth_gb": 1},
    {"product": "datacenter", "billing_type": "time", "duration": "1_day"},  # mbps missing
    {"product": "datacenter", "billing_type": "time", "mbps": 100},  # duration missing
    {"product": "datacenter", "billing_type": "time", "duration": "1_day", "mbps": "100"},
    {"product": "shared_isp", "billing_type": "time", "duration": "trial", "mbps": 100},
    {"product": "ipv6_residential", "billing_type": "bandwidth", "bandwidth_gb": 1},
    {"product": "unlimited_residential", "duration": "30_days"},
    {"product": "unlimited_residential", "duration": "30_days", "bandwidth_mbps": 199},
    {"product": "unlimited_residential", "duration": "30_days", "bandwidth_mbps": 3001},
    {"product": "unlimited_residential", "duration": "1_hour", "bandwidth_mbps": 400},
    {"product": "unlimited_residential", "duration": "2_days", "bandwidth_mbps": 400},
    {"product": "unlimited_residential", "duration": "trial", "bandwidth_mbps": 200},
    {"product": "dedicated_mobile", "duration": "7_days"},
    {"product": "dedicated_mobile", "duration": "7_days", "location": "DE"},
    {"product": "dedicated_mobile", "duration": "1_hour", "location": "NL"},
    {"product": "dedicated_mobile", "duration": "trial", "location": "UK"},
    {"product": "dedicated_isp", "pool": "ISP_US_SNEAKERS"},
    {"product": "dedicated_isp", "quantity": 0, "pool": "ISP_US_SNEAKERS"},
    {"product": "dedicated_isp", "quantity": 1.5, "pool": "ISP_US_SNEAKERS"},
    {"product": "dedicated_isp", "quantity": 1},
    {"product": "residential", "bandwidth_gb": 1, "end_user_reference": 7},
]


@pytest.mark.parametrize("order", VALID_ORDERS, ids=lambda o: "-".join(map(str, o.values())))
async def test_valid_orders_create_plans(
    fake: FakeFlashProxy, http: aiohttp.ClientSession, order: dict[str, Any]
) -> None:
    status, body, _ = await call(http, "POST", "plans", json=order)
    assert status == 201, body
    plan = body["data"]
    assert plan["product"] == order["product"]
    assert plan["status"] == "active"
    assert plan["plan_id"] in fake.state.plans
    assert plan["end_user_reference"] == order.get("end_user_reference")


@pytest.mark.parametrize("order", INVALID_ORDERS, ids=lambda o: "-".join(map(str, o.values())))
async def test_invalid_orders_are_rejected_without_charge(
    fake: FakeFlashProxy, http: aiohttp.ClientSession, order: dict[str, Any]
) -> None:
    balance = fake.state.balance_cents
    status, body, _ = await call(http, "POST", "plans", json=order)
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR"), body
    assert fake.state.plans == {}
    assert fake.state.balance_cents == balance


async def test_non_object_body_is_rejected(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "POST", "plans", json=["residential"])
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")


async def test_disabled_product_is_forbidden(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(disabled_products=["mobile", "dedicated_isp"])
    async with (
        fake,
        aiohttp.ClientSession(
            base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {fake.api_key}"}
        ) as http,
    ):
        status, body, _ = await call(http, "POST", "plans", json={"product": "mobile"})
        assert (status, error_code(body)) == (403, "PRODUCT_DISABLED")
        status, body, _ = await call(http, "GET", "proxies/pools")
        assert (status, error_code(body)) == (403, "PRODUCT_DISABLED")
        status, _, _ = await call(
            http, "POST", "plans", json={"product": "residential", "bandwidth_gb": 1}
        )
        assert status == 201


EXTEND_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("residential", {}, {"add_bandwidth_gb": 5}, True),
    ("residential", {}, {"add_days": 5}, False),
    ("residential", {}, {"add_bandwidth_gb": 0}, False),
    ("residential", {}, {}, False),
    ("datacenter", {"billing_type": "bandwidth"}, {"add_bandwidth_gb": 1, "add_days": 3}, True),
    ("datacenter", {"billing_type": "time"}, {"add_days": 3}, True),
    ("datacenter", {"billing_type": "time"}, {"add_bandwidth_gb": 1}, False),
    ("ipv6-datacenter", {"billing_type": "time"}, {"add_days": 0}, False),
    ("unlimited_residential", {"bandwidth_mbps": 400}, {"add_days": 7}, True),
    ("unlimited_residential", {"bandwidth_mbps": 400}, {"add_days": 14}, False),
    ("dedicated_mobile", {}, {"add_days": 14}, True),
    ("dedicated_mobile", {}, {"add_days": 60}, False),
    ("dedicated_isp", {"quantity": 2}, {"extend_30_days": True}, True),
    ("dedicated_isp", {"quantity": 2}, {"extend_30_days": False}, False),
    ("dedicated_isp", {"quantity": 2}, {"add_days": 30}, False),
]


@pytest.mark.parametrize(("product", "fields", "body", "accepted"), EXTEND_CASES)
async def test_extend_rules(
    fake: FakeFlashProxy,
    http: aiohttp.ClientSession,
    product: str,
    fields: dict[str, Any],
    body: dict[str, Any],
    accepted: bool,
) -> None:
    plan = fake.state.add_plan(product, **fields)
    before = (plan.max_bytes, plan.expires_at, fake.state.balance_cents)
    status, answer, _ = await call(http, "POST", f"plans/{plan.plan_id}/extend", json=body)
    if accepted:
        assert status == 200, answer
        assert (plan.max_bytes, plan.expires_at) != before[:2]
        assert fake.state.balance_cents < before[2]
        assert fake.state.transactions[-1].type == "extend"
    else:
        assert (status, error_code(answer)) == (400, "VALIDATION_ERROR")
        assert (plan.max_bytes, plan.expires_at, fake.state.balance_cents) == before


async def test_extend_adds_bytes_and_days(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    _, created, _ = await call(
        http,
        "POST",
        "plans",
        json={"product": "dedicated_mobile", "duration": "7_days", "location": "UK"},
    )
    plan = fake.state.plans[created["data"]["plan_id"]]
    expiry = plan.expires_at
    assert expiry is not None
    status, body, _ = await call(
        http, "POST", f"plans/{plan.plan_id}/extend", json={"add_days": 30}
    )
    assert status == 200
    assert plan.expires_at is not None and (plan.expires_at - expiry).days == 30
    assert body["data"]["expires_at"].endswith("Z")


async def test_upgrade_rules(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    plan = fake.state.add_plan("unlimited_residential", bandwidth_mbps=400, duration="30_days")
    hourly = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200, duration="1_hour")
    other = fake.state.add_plan("residential")
    for target, body in (
        (plan, {"bandwidth_mbps": 400}),  # not higher
        (plan, {"bandwidth_mbps": 3500}),
        (hourly, {"bandwidth_mbps": 400}),  # hourly plans are capped at 200
        (other, {"bandwidth_mbps": 400}),
    ):
        status, answer, _ = await call(http, "POST", f"plans/{target.plan_id}/upgrade", json=body)
        assert (status, error_code(answer)) == (400, "VALIDATION_ERROR")
    balance = fake.state.balance_cents
    status, answer, _ = await call(
        http, "POST", f"plans/{plan.plan_id}/upgrade", json={"bandwidth_mbps": 1000}
    )
    assert status == 200
    assert answer["data"]["limits"]["bandwidth_mbps"] == 1000
    assert fake.state.balance_cents < balance
