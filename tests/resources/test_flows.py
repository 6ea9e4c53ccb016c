"""The documented purchase flows and the server-IP polling helpers."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from _support.clock import FakeClock
from aioresponses import aioresponses

from flashproxy_async import (
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    OutOfStockError,
    PoolOutOfStockError,
    RequestValidationError,
)
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async._converter import structure
from flashproxy_async._generated import Plan, PoolList, ProxyList
from flashproxy_async.resources._stock import check_mobile_stock, check_pool_stock

from ._helpers import PLAN_ID, PROXY_LIST, Sent, error, plan_json, reply, sent

IP_PATH = f"/servers/{PLAN_ID}/ip"


def pools(stock: int, in_stock: bool = True) -> dict[str, Any]:
    return {
        "pools": [
            {
                "pool": "ISP_US_SNEAKERS",
                "inStock": in_stock,
                "stock": stock,
                "title": "US",
                "provider": "ISP",
            },
            {"pool": "SN_DE", "inStock": True, "stock": 256, "title": "DE", "provider": "SN"},
        ],
        "total": 2,
        "in_stock_count": 2,
    }


# Dedicated ISP


async def test_dedicated_isp_flow_checks_stock_buys_and_returns_the_proxies(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/proxies/pools", pools(stock=10))
    reply(api, "POST", "/plans", plan_json(product="dedicated_isp"), status=201)
    reply(api, "GET", f"/plans/{PLAN_ID}/proxies", PROXY_LIST)
    plan, proxies = await client.plans.create_dedicated_isp(
        pool="ISP_US_SNEAKERS", quantity=10, end_user_reference="order-7"
    )
    assert isinstance(plan, Plan) and isinstance(proxies, ProxyList)
    assert proxies.proxies is not None and proxies.proxies[0].host == "isp.proxyserver.bot"
    assert sent(api) == [
        Sent("GET", "/proxies/pools", {}, None),
        Sent(
            "POST",
            "/plans",
            {},
            {
                "product": "dedicated_isp",
                "quantity": 10,
                "pool": "ISP_US_SNEAKERS",
                "end_user_reference": "order-7",
            },
        ),
        Sent("GET", f"/plans/{PLAN_ID}/proxies", {}, None),
    ]


async def test_dedicated_isp_proxy_failure_after_purchase_is_flagged_not_rebought(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/proxies/pools", pools(stock=10))
    reply(api, "POST", "/plans", plan_json(product="dedicated_isp"), status=201)
    error(api, "GET", f"/plans/{PLAN_ID}/proxies", 500, "INTERNAL_ERROR")
    with pytest.raises(InternalServerError) as caught:
        await client.plans.create_dedicated_isp(
            pool="ISP_US_SNEAKERS", quantity=2, end_user_reference="order-8"
        )
    assert caught.value.outcome_unknown is True
    assert caught.value.end_user_reference == "order-8"
    if sys.version_info >= (3, 11):
        assert any(PLAN_ID in note for note in caught.value.__notes__)
    assert [call.method for call in sent(api)] == ["GET", "POST", "GET"]


@pytest.mark.parametrize(("stock", "in_stock"), [(9, True), (50, False), (0, False)])
async def test_dedicated_isp_short_stock_raises_before_buying(
    stock: int, in_stock: bool, client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/proxies/pools", pools(stock=stock, in_stock=in_stock))
    with pytest.raises(PoolOutOfStockError) as caught:
        await client.plans.create_dedicated_isp(pool="ISP_US_SNEAKERS", quantity=10)
    assert caught.value.code == "POOL_OUT_OF_STOCK"
    assert [call.method for call in sent(api)] == ["GET"]


async def test_dedicated_isp_unknown_pool_raises_before_buying(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/proxies/pools", pools(stock=10))
    with pytest.raises(RequestValidationError) as caught:
        await client.plans.create_dedicated_isp(pool="ISP_NOWHERE", quantity=1)
    assert caught.value.rule == "create.pool.unknown"
    assert [call.method for call in sent(api)] == ["GET"]


async def test_dedicated_isp_bad_quantity_sends_nothing(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await client.plans.create_dedicated_isp(pool="ISP_US_SNEAKERS", quantity=0)
    assert caught.value.rule == "create.quantity.positive"
    assert sent(api) == []


# Dedicated mobile


MOBILE_STOCK = {"locations": {"NL": {"available": 0, "in_stock": False}, "UK": {"available": 3}}}


async def test_dedicated_mobile_out_of_stock_raises_before_buying(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/servers/stock/dedicated-mobile", MOBILE_STOCK)
    with pytest.raises(OutOfStockError) as caught:
        await client.plans.create_dedicated_mobile(duration="30_days", location="NL")
    assert caught.value.code == "OUT_OF_STOCK"
    assert [call.method for call in sent(api)] == ["GET"]


async def test_dedicated_mobile_in_stock_buys(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/servers/stock/dedicated-mobile", MOBILE_STOCK)
    reply(api, "POST", "/plans", plan_json(product="dedicated_mobile", location="UK"), status=201)
    plan = await client.plans.create_dedicated_mobile(
        duration="7_days", location="UK", end_user_reference="m-1"
    )
    assert plan.location == "UK"
    assert sent(api)[-1].body == {
        "product": "dedicated_mobile",
        "duration": "7_days",
        "location": "UK",
        "end_user_reference": "m-1",
    }


async def test_dedicated_mobile_bad_duration_sends_nothing(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await client.plans.create_dedicated_mobile(duration="trial", location="UK")
    assert caught.value.rule == "create.duration.trial"
    assert sent(api) == []


@pytest.mark.parametrize(
    "stock",
    [
        {"NL": 0},
        {"NL": False},
        {"locations": [{"location": "nl", "stock": 0}]},
        [{"location": "NL", "inStock": False}],
    ],
)
def test_mobile_stock_shapes_that_say_empty(stock: Any) -> None:
    with pytest.raises(OutOfStockError):
        check_mobile_stock(stock, "NL")


@pytest.mark.parametrize(
    "stock",
    [{"NL": 2}, {"locations": {"NL": {"in_stock": True}}}, {"total": 7}, None, "plenty", []],
)
def test_mobile_stock_that_is_present_or_unreadable_lets_the_purchase_go(stock: Any) -> None:
    check_mobile_stock(stock, "NL")


def test_pool_stock_exactly_covering_the_quantity_passes() -> None:
    check_pool_stock(structure(pools(stock=10), PoolList), "ISP_US_SNEAKERS", 10)


# Waiting for the server IP


async def test_wait_for_ip_polls_through_404s_with_backoff(
    client: AsyncFlashProxy, api: aioresponses, fake_time: FakeClock
) -> None:
    for _ in range(3):
        error(api, "GET", IP_PATH, 404, "NOT_FOUND")
    reply(api, "GET", IP_PATH, {"ip": "203.0.113.9"})
    result = await client.servers.wait_for_ip(
        PLAN_ID,
        timeout=60,
        initial_delay=1,
        max_delay=3,
        sleep=fake_time.sleep,
        clock=fake_time,
    )
    assert result == {"ip": "203.0.113.9"}
    assert fake_time.sleeps == [1, 2, 3]
    assert len(sent(api)) == 4


async def test_wait_for_ip_gives_up_at_the_deadline(
    client: AsyncFlashProxy, api: aioresponses, fake_time: FakeClock
) -> None:
    for _ in range(10):
        error(api, "GET", IP_PATH, 404, "NOT_FOUND")
    started = fake_time.now
    with pytest.raises(APITimeoutError):
        await client.servers.wait_for_ip(
            PLAN_ID,
            timeout=10,
            initial_delay=2,
            max_delay=4,
            sleep=fake_time.sleep,
            clock=fake_time,
        )
    # 2 + 4 + 4 = 10: the last sleep is cut to what is left of the deadline.
    assert fake_time.sleeps == [2, 4, 4]
    assert fake_time.now == started + 10


async def test_wait_for_ip_lets_other_errors_through(
    client: AsyncFlashProxy, api: aioresponses, fake_time: FakeClock
) -> None:
    error(api, "GET", IP_PATH, 400, "VALIDATION_ERROR")
    with pytest.raises(BadRequestError):
        await client.servers.wait_for_ip(PLAN_ID, sleep=fake_time.sleep, clock=fake_time)
    assert fake_time.sleeps == []


async def test_rotate_ip_and_wait_returns_once_the_ip_differs(
    client: AsyncFlashProxy, api: aioresponses, fake_time: FakeClock
) -> None:
    reply(api, "GET", IP_PATH, {"ip": "198.51.100.1"})
    reply(api, "POST", f"/servers/{PLAN_ID}/rotate-ip", {"status": "rotating"})
    reply(api, "GET", IP_PATH, {"ip": "198.51.100.1"})
    error(api, "GET", IP_PATH, 404, "NOT_FOUND")
    reply(api, "GET", IP_PATH, {"ip": "198.51.100.2"})
    result = await client.servers.rotate_ip_and_wait(
        PLAN_ID, initial_delay=1, max_delay=8, sleep=fake_time.sleep, clock=fake_time
    )
    assert result == {"ip": "198.51.100.2"}
    assert fake_time.sleeps == [1, 2]
    assert [call.method for call in sent(api)].count("POST") == 1


async def test_rotate_ip_and_wait_times_out_when_the_ip_stays(
    client: AsyncFlashProxy, api: aioresponses, fake_time: FakeClock
) -> None:
    reply(api, "GET", IP_PATH, "198.51.100.1", repeat=True)
    reply(api, "POST", f"/servers/{PLAN_ID}/rotate-ip", {"status": "rotating"})
    with pytest.raises(APITimeoutError, match="had not changed"):
        await client.servers.rotate_ip_and_wait(
            PLAN_ID,
            timeout=5,
            initial_delay=1,
            max_delay=2,
            sleep=fake_time.sleep,
            clock=fake_time,
        )
    assert sum(fake_time.sleeps) == 5
