"""Every operation of openapi.json is served, and its answers match the spec's schemas.

The ``make_fake`` fixture already checks every answer of every test at teardown; this
module makes sure all 32 operations are exercised at least once.
"""

from __future__ import annotations

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy, RecordedRequest, RecordedResponse

from ._openapi_check import check_record, load_spec

pytestmark = pytest.mark.skipif(load_spec() is None, reason="openapi.json not present")


def test_the_fake_serves_exactly_the_spec_operations(fake: FakeFlashProxy) -> None:
    spec = load_spec()
    assert spec is not None
    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = set()
    for route in fake.app.router.routes():
        resource = route.resource
        if resource is None or route.method == "HEAD":
            continue
        served.add((route.method, resource.canonical.removeprefix("/api/v1")))
    assert len(documented) == 32
    assert served == documented


async def test_every_operation_answers_per_schema(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    state = fake.state
    unlimited = state.add_plan("unlimited_residential", bandwidth_mbps=400, duration="30_days")
    mobile = state.add_plan("dedicated_mobile", location="NL", duration="7_days")
    residential = state.add_plan("residential", max_bytes=10**9)
    user = state.add_sub_user("alice", email="alice@example.com")
    async with http.post(
        "plans", json={"product": "dedicated_isp", "quantity": 1, "pool": "ISP_US_SNEAKERS"}
    ) as response:
        isp_id = (await response.json())["data"]["plan_id"]
    calls: list[tuple[str, str, dict[str, object] | None, dict[str, object] | None]] = [
        ("GET", "usage/summary", {"period": "week"}, None),
        ("GET", f"usage/plans/{residential.plan_id}", {"granularity": "hourly"}, None),
        ("GET", "usage/realtime", None, None),
        ("GET", f"servers/{unlimited.plan_id}/monitoring", None, None),
        ("GET", f"servers/{unlimited.plan_id}/stats", None, None),
        ("GET", f"servers/{unlimited.plan_id}/ip", None, None),
        ("POST", f"servers/{mobile.plan_id}/rotate-ip", None, None),
        ("POST", f"servers/{mobile.plan_id}/restart", None, None),
        ("GET", "servers/stock/dedicated-mobile", None, None),
        ("GET", "servers/stock/unlimited-residential-trial", None, None),
        ("GET", "proxies/pools", None, None),
        ("GET", "proxies/stock", None, None),
        ("GET", "proxies/connection-info", None, None),
        ("GET", f"proxies/{mobile.plan_id}/vpn-config", {"format": "wireguard"}, None),
        ("GET", f"proxies/{mobile.plan_id}/ip-reset-link", None, None),
        ("GET", "plans", {"status": "all"}, None),
        ("POST", "plans", None, {"product": "residential", "bandwidth_gb": 1}),
        ("GET", f"plans/{residential.plan_id}", None, None),
        ("GET", f"plans/{isp_id}/proxies", None, None),
        ("GET", f"plans/{residential.plan_id}/usage", None, None),
        ("GET", f"plans/{unlimited.plan_id}/usage-stats", {"from": 0, "to": 3600}, None),
        ("POST", f"plans/{residential.plan_id}/extend", None, {"add_bandwidth_gb": 1}),
        ("POST", f"plans/{unlimited.plan_id}/upgrade", None, {"bandwidth_mbps": 800}),
        ("GET", "balance", None, None),
        ("GET", "balance/pricing", None, None),
        ("GET", "balance/transactions", {"type": "all"}, None),
        ("GET", "geo/countries", {"product_type": "residential"}, None),
        ("GET", "geo/states", {"product_type": "pool3", "country_code": "US"}, None),
        (
            "GET",
            "geo/cities",
            {"product_type": "pool1", "country_code": "US", "state_code": "california"},
            None,
        ),
        ("GET", "geo/asn", {"country_code": "US", "product_type": "mobile"}, None),
        ("GET", "sub-users", {"status": "all"}, None),
        ("GET", f"sub-users/{user.id}", None, None),
    ]
    for method, path, params, body in calls:
        async with http.request(method, path, params=params, json=body) as response:
            assert response.status in (200, 201), (path, await response.text())
    checked = {
        (r.method, r.route) for r in fake.requests if r.route is not None and check_record(r)
    }
    # vpn-config answers text/plain, which has no JSON schema to check.
    assert len(checked) == 31
    assert len({(r.method, r.route) for r in fake.requests}) == 32


async def test_error_answers_match_the_error_schema(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.fail_next(status=500)
    for method, path, body in (
        ("GET", "balance", None),
        ("POST", "plans", {"product": "nope"}),
        ("POST", "plans", {"product": "dedicated_isp", "quantity": 1, "pool": "X"}),
        ("GET", "plans/00000000-0000-4000-8000-000000000000", None),
    ):
        async with http.request(method, path, json=body):
            pass
    errors = [r for r in fake.requests if r.status is not None and r.status >= 400]
    assert [r.status for r in errors] == [500, 400, 400, 404]
    assert all(check_record(r) for r in errors[1:])


def test_the_checker_catches_a_wrong_shape() -> None:
    record = RecordedRequest(
        method="GET",
        path="/balance",
        query={},
        headers={},
        body=b"",
        route="/balance",
        response=RecordedResponse(
            status=200,
            content_type="application/json",
            body='{"success": true, "data": {"balance_cents": "500"}}',
            headers={},
        ),
    )
    with pytest.raises(AssertionError, match="balance_cents"):
        check_record(record)


async def test_every_fake_of_the_suite_has_its_answers_checked(
    fake_answers: list[RecordedRequest],
) -> None:
    async with (
        FakeFlashProxy() as fake,  # built directly, not through make_fake
        aiohttp.ClientSession() as session,
        session.get(fake.base_url + "/balance") as response,
    ):
        assert response.status == 401
    assert [(r.path, r.status) for r in fake_answers] == [("/balance", 401)]
