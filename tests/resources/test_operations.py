"""Every one of the 32 operations: the method, path, query and body sent, and the type returned."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from aioresponses import aioresponses

from codegen._coverage import stale_operations, uncovered_operations
from codegen._generate import SPEC_PATH
from flashproxy_async import InternalServerError, RequestValidationError
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async._generated import (
    Balance,
    Plan,
    PlanStatus,
    PoolList,
    Product,
    ProxyList,
    UsagePeriod,
)
from flashproxy_async.resources import (
    Page,
    resources_of,
)

from ._helpers import BASE, PLAN_ID, PROXY_LIST, Sent, error, plan_json, reply, sent

RESOURCE_CLASSES = list(resources_of(AsyncFlashProxy).values())

ONE_PAGE = {"page": 1, "per_page": 2, "total": 1, "total_pages": 1}
POOLS = {
    "pools": [
        {"pool": "ISP_US_SNEAKERS", "inStock": True, "stock": 40, "title": "US", "provider": "ISP"}
    ],
    "total": 1,
    "in_stock_count": 1,
}
BALANCE = {"balance_cents": 500000, "allocations": {"residential-lite": {"gb_remaining": 2.5}}}
FREE_FORM = {"anything": [1, 2, 3]}
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


async def collect(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]


def is_free_form(result: Any) -> bool:
    return bool(result == FREE_FORM)


@attrs.frozen
class Case:
    operation_id: str
    call: Callable[[AsyncFlashProxy], Awaitable[Any]]
    method: str
    path: str
    data: Any
    check: Callable[[Any], bool]
    query: dict[str, str] = attrs.field(factory=dict)
    body: Any = None
    text: str | None = None


CASES = [
    Case(
        "listPlans",
        lambda c: collect(c.plans.list(status="active", product=Product.mobile, per_page=2)),
        "GET",
        "/plans",
        {"plans": [plan_json()], "pagination": ONE_PAGE},
        lambda r: len(r) == 1 and isinstance(r[0], Plan),
        query={"page": "1", "per_page": "2", "status": "active", "product": "mobile"},
    ),
    Case(
        "listPlans",
        lambda c: c.plans.list_page(page=3, per_page=2, status="all"),
        "GET",
        "/plans",
        {"plans": [plan_json()], "pagination": {**ONE_PAGE, "page": 3}},
        lambda r: isinstance(r, Page) and isinstance(r.items[0], Plan) and r.pagination.page == 3,
        query={"page": "3", "per_page": "2", "status": "all"},
    ),
    Case(
        "createPlan",
        lambda c: c.plans.create(product="residential", bandwidth_gb=10, end_user_reference="o-1"),
        "POST",
        "/plans",
        plan_json(),
        lambda r: isinstance(r, Plan) and str(r.plan_id) == PLAN_ID,
        body={"product": "residential", "bandwidth_gb": 10, "end_user_reference": "o-1"},
    ),
    Case(
        "getPlan",
        lambda c: c.plans.get(PLAN_ID),
        "GET",
        f"/plans/{PLAN_ID}",
        plan_json(),
        lambda r: isinstance(r, Plan) and r.proxy_password == "secret-pass",
    ),
    Case(
        "getPlanProxies",
        lambda c: c.plans.proxies(uuid.UUID(PLAN_ID)),
        "GET",
        f"/plans/{PLAN_ID}/proxies",
        PROXY_LIST,
        lambda r: isinstance(r, ProxyList) and r.count == 1 and r.proxies[0].port == 10001,
    ),
    Case(
        "getPlanUsage",
        lambda c: c.plans.usage(PLAN_ID),
        "GET",
        f"/plans/{PLAN_ID}/usage",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getPlanUsageStats",
        lambda c: c.plans.usage_stats(PLAN_ID, start=T0, end=1735689600 + 3600),
        "GET",
        f"/plans/{PLAN_ID}/usage-stats",
        FREE_FORM,
        is_free_form,
        query={"from": "1735689600", "to": "1735693200"},
    ),
    Case(
        "extendPlan",
        lambda c: c.plans.extend(PLAN_ID, add_days=7),
        "POST",
        f"/plans/{PLAN_ID}/extend",
        plan_json(),
        lambda r: isinstance(r, Plan),
        body={"add_days": 7},
    ),
    Case(
        "upgradePlan",
        lambda c: c.plans.upgrade(PLAN_ID, bandwidth_mbps=500),
        "POST",
        f"/plans/{PLAN_ID}/upgrade",
        FREE_FORM,
        is_free_form,
        body={"bandwidth_mbps": 500},
    ),
    Case(
        "getUsageSummary",
        lambda c: c.usage.summary(period=UsagePeriod.month),
        "GET",
        "/usage/summary",
        FREE_FORM,
        is_free_form,
        query={"period": "month"},
    ),
    Case(
        "getPlanUsageDetail",
        lambda c: c.usage.plan(PLAN_ID, granularity="daily"),
        "GET",
        f"/usage/plans/{PLAN_ID}",
        FREE_FORM,
        is_free_form,
        query={"granularity": "daily"},
    ),
    Case(
        "getRealtimeUsage",
        lambda c: c.usage.realtime(),
        "GET",
        "/usage/realtime",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getServerMonitoring",
        lambda c: c.servers.monitoring(PLAN_ID),
        "GET",
        f"/servers/{PLAN_ID}/monitoring",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getServerStats",
        lambda c: c.servers.stats(PLAN_ID),
        "GET",
        f"/servers/{PLAN_ID}/stats",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getServerIp",
        lambda c: c.servers.ip(PLAN_ID),
        "GET",
        f"/servers/{PLAN_ID}/ip",
        {"ip": "1.2.3.4"},
        lambda r: r == {"ip": "1.2.3.4"},
    ),
    Case(
        "rotateServerIp",
        lambda c: c.servers.rotate_ip(PLAN_ID),
        "POST",
        f"/servers/{PLAN_ID}/rotate-ip",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "restartServer",
        lambda c: c.servers.restart(PLAN_ID),
        "POST",
        f"/servers/{PLAN_ID}/restart",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getDedicatedMobileStock",
        lambda c: c.servers.dedicated_mobile_stock(),
        "GET",
        "/servers/stock/dedicated-mobile",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getUnlimitedResidentialTrialStock",
        lambda c: c.servers.unlimited_residential_trial_stock(),
        "GET",
        "/servers/stock/unlimited-residential-trial",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "listPools",
        lambda c: c.proxies.pools(type="isp", country="US"),
        "GET",
        "/proxies/pools",
        POOLS,
        lambda r: isinstance(r, PoolList) and r.pools[0].in_stock and r.in_stock_count == 1,
        query={"type": "isp", "country": "US"},
    ),
    Case(
        "getProxyStock",
        lambda c: c.proxies.stock(),
        "GET",
        "/proxies/stock",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getConnectionInfo",
        lambda c: c.proxies.connection_info(),
        "GET",
        "/proxies/connection-info",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getVpnConfig",
        lambda c: c.proxies.vpn_config(PLAN_ID, format="wireguard"),
        "GET",
        f"/proxies/{PLAN_ID}/vpn-config",
        None,
        lambda r: r == "[Interface]\nPrivateKey = x\n",
        query={"format": "wireguard"},
        text="[Interface]\nPrivateKey = x\n",
    ),
    Case(
        "getIpResetLink",
        lambda c: c.proxies.ip_reset_link(PLAN_ID),
        "GET",
        f"/proxies/{PLAN_ID}/ip-reset-link",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "getBalance",
        lambda c: c.balance.get(),
        "GET",
        "/balance",
        BALANCE,
        lambda r: isinstance(r, Balance) and r.allocations.residential_lite.gb_remaining == 2.5,
    ),
    Case(
        "getPricing",
        lambda c: c.balance.pricing(),
        "GET",
        "/balance/pricing",
        FREE_FORM,
        is_free_form,
    ),
    Case(
        "listTransactions",
        lambda c: collect(c.balance.transactions(type="topup", per_page=2)),
        "GET",
        "/balance/transactions",
        {"transactions": [{"id": "t1", "amount_cents": 100}], "pagination": ONE_PAGE},
        lambda r: r == [{"id": "t1", "amount_cents": 100}],
        query={"page": "1", "per_page": "2", "type": "topup"},
    ),
    Case(
        "listTransactions",
        lambda c: c.balance.transactions_page(page=2),
        "GET",
        "/balance/transactions",
        {"transactions": [{"id": "t2"}], "pagination": ONE_PAGE},
        lambda r: isinstance(r, Page) and r.items == [{"id": "t2"}],
        query={"page": "2"},
    ),
    Case(
        "getGeoCountries",
        lambda c: c.geo.countries(product_type="residential-lite"),
        "GET",
        "/geo/countries",
        FREE_FORM,
        is_free_form,
        query={"product_type": "residential-lite"},
    ),
    Case(
        "getGeoStates",
        lambda c: c.geo.states(product_type="pool3", country_code="US"),
        "GET",
        "/geo/states",
        FREE_FORM,
        is_free_form,
        query={"product_type": "pool3", "country_code": "US"},
    ),
    Case(
        "getGeoCities",
        lambda c: c.geo.cities(product_type="pool1", country_code="US", state_code="california"),
        "GET",
        "/geo/cities",
        FREE_FORM,
        is_free_form,
        query={"product_type": "pool1", "country_code": "US", "state_code": "california"},
    ),
    Case(
        "getGeoAsn",
        lambda c: c.geo.asn(country_code="US"),
        "GET",
        "/geo/asn",
        FREE_FORM,
        is_free_form,
        query={"country_code": "US"},
    ),
    Case(
        "listSubUsers",
        lambda c: collect(c.sub_users.list(status="suspended")),
        "GET",
        "/sub-users",
        {"sub_users": [{"id": "s1"}], "pagination": ONE_PAGE},
        lambda r: r == [{"id": "s1"}],
        query={"page": "1", "status": "suspended"},
    ),
    Case(
        "listSubUsers",
        lambda c: c.sub_users.list_page(per_page=5),
        "GET",
        "/sub-users",
        {"sub_users": [{"id": "s1"}], "pagination": None},
        lambda r: isinstance(r, Page) and r.items == [{"id": "s1"}] and r.pagination is None,
        query={"page": "1", "per_page": "5"},
    ),
    Case(
        "getSubUser",
        lambda c: c.sub_users.get("su_42"),
        "GET",
        "/sub-users/su_42",
        FREE_FORM,
        is_free_form,
    ),
]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{case.operation_id}-{i}" for i, case in enumerate(CASES)]
)
async def test_operation_sends_the_request_and_returns_its_type(
    case: Case, client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, case.method, case.path, case.data, text=case.text)
    result = await case.call(client)
    assert sent(api) == [Sent(case.method, case.path, case.query, case.body)]
    assert case.check(result), result


def operations_of(spec: dict[str, Any]) -> set[str]:
    return {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_operation_in_openapi_has_a_method() -> None:
    # The spec-coverage test of docs/spec-bump.md: after a spec bump it names each
    # operation that still lacks a method, and each method whose operation is gone.
    assert uncovered_operations(SPEC_PATH, RESOURCE_CLASSES) == []
    assert stale_operations(SPEC_PATH, RESOURCE_CLASSES) == []


def test_every_operation_is_exercised_by_the_table(openapi_spec: dict[str, Any]) -> None:
    assert {case.operation_id for case in CASES} == operations_of(openapi_spec)


def test_arguments_are_keyword_only_except_the_path_id() -> None:
    for cls in RESOURCE_CLASSES:
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            parameters = list(inspect.signature(member).parameters.values())[1:]
            positional = [
                p.name
                for p in parameters
                if p.kind in (inspect.Parameter.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            assert positional in ([], ["plan_id"], ["id"]), f"{cls.__name__}.{name}: {positional}"


STATE_CHANGING = [
    (
        "POST",
        "/plans",
        lambda c: c.plans.create(product="mobile", bandwidth_gb=1, end_user_reference="r-9"),
    ),
    ("POST", f"/plans/{PLAN_ID}/extend", lambda c: c.plans.extend(PLAN_ID, add_days=7)),
    ("POST", f"/plans/{PLAN_ID}/upgrade", lambda c: c.plans.upgrade(PLAN_ID, bandwidth_mbps=400)),
    ("POST", f"/servers/{PLAN_ID}/rotate-ip", lambda c: c.servers.rotate_ip(PLAN_ID)),
    ("POST", f"/servers/{PLAN_ID}/restart", lambda c: c.servers.restart(PLAN_ID)),
]


@pytest.mark.parametrize(
    ("method", "path", "call"), STATE_CHANGING, ids=[p for _, p, _ in STATE_CHANGING]
)
async def test_state_changing_calls_are_sent_once_despite_retries(
    method: str,
    path: str,
    call: Callable[[AsyncFlashProxy], Awaitable[Any]],
    api: aioresponses,
) -> None:
    error(api, method, path, 500, "INTERNAL_ERROR")
    reply(api, method, path, plan_json())
    async with AsyncFlashProxy(api_key="fp_test_" + "k" * 32, base_url=BASE, max_retries=3) as c:
        with pytest.raises(InternalServerError) as caught:
            await call(c)
    assert len(sent(api)) == 1
    assert caught.value.outcome_unknown is True
    if path == "/plans":
        assert caught.value.end_user_reference == "r-9"


def test_every_post_operation_is_in_the_state_changing_table(
    openapi_spec: dict[str, Any],
) -> None:
    posts = {path for path, item in openapi_spec["paths"].items() if "post" in item}
    assert {p.replace(PLAN_ID, "{planId}") for _, p, _ in STATE_CHANGING} == posts


def test_resources_are_attributes_of_the_client(client: AsyncFlashProxy) -> None:
    attached = {
        type(getattr(client, name))
        for name in ("plans", "usage", "servers", "proxies", "balance", "geo", "sub_users")
    }
    assert attached == set(RESOURCE_CLASSES)


async def test_path_id_accepts_a_plan(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", f"/plans/{PLAN_ID}/usage", FREE_FORM)
    plan = Plan(plan_id=uuid.UUID(PLAN_ID), product=Product.residential, status=PlanStatus.active)
    await client.plans.usage(plan)
    assert sent(api)[0].path == f"/plans/{PLAN_ID}/usage"


async def test_vpn_config_returns_json_data_when_the_server_sends_json(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", f"/proxies/{PLAN_ID}/vpn-config", {"config": "x"})
    assert await client.proxies.vpn_config(PLAN_ID) == {"config": "x"}
    assert sent(api)[0].query == {}


async def test_sub_user_id_is_quoted_as_one_path_segment(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/sub-users/a%2Fb", FREE_FORM)
    await client.sub_users.get("a/b")
    # url.path decodes %2F, so only the raw path tells one segment from two.
    assert [url.raw_path for _, url in api.requests] == ["/api/v1/sub-users/a%2Fb"]


@pytest.mark.parametrize(
    ("call", "rule"),
    [
        (lambda c: c.plans.get("not-a-uuid"), "plan_id.uuid"),
        (lambda c: c.servers.ip(12345), "plan_id.type"),
        (lambda c: c.usage.summary(period="year"), "period.enum"),
        (lambda c: c.usage.plan(PLAN_ID, granularity="minutely"), "granularity.enum"),
        (lambda c: c.proxies.pools(type="subnets"), "type.enum"),
        (lambda c: c.proxies.vpn_config(PLAN_ID, format="ipsec"), "format.enum"),
        (lambda c: c.geo.countries(product_type="pool1"), "product_type.enum"),
        (lambda c: c.geo.states(product_type="pool1", country_code=""), "country_code.required"),
        (lambda c: c.sub_users.get(" "), "id.required"),
        (lambda c: c.plans.create(product="residential-ultra", bandwidth_gb=1), "product.enum"),
        (
            lambda c: c.plans.create(product="dedicated_mobile", duration="30_days", location="DE"),
            "location.enum",
        ),
        (lambda c: c.plans.create(product="residential"), "create.bandwidth_gb.required"),
        (lambda c: c.plans.list_page(page=0), "pagination.page"),
        (lambda c: c.plans.usage_stats(PLAN_ID, start=10, end=5), "usage_stats.order"),
        (lambda c: c.plans.extend(PLAN_ID), "extend.empty"),
        (
            lambda c: c.plans.extend(
                Plan(
                    plan_id=uuid.UUID(PLAN_ID),
                    product=Product.dedicated_mobile,
                    status=PlanStatus.active,
                ),
                add_days=60,
            ),
            "extend.add_days.values",
        ),
        (lambda c: c.plans.upgrade(PLAN_ID, bandwidth_mbps=-1), "upgrade.bandwidth_mbps.positive"),
    ],
)
async def test_bad_input_raises_before_any_request(
    call: Callable[[AsyncFlashProxy], Awaitable[Any]],
    rule: str,
    client: AsyncFlashProxy,
    api: aioresponses,
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await call(client)
    assert caught.value.rule == rule
    assert sent(api) == []


def test_iterators_validate_their_arguments_when_called(client: AsyncFlashProxy) -> None:
    with pytest.raises(RequestValidationError):
        client.plans.list(status="deleted")
    with pytest.raises(RequestValidationError):
        client.balance.transactions(per_page=0)
    with pytest.raises(RequestValidationError):
        client.sub_users.list(status="gone")
