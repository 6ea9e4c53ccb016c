"""Unlimited-residential provisioning, IP rotation, restarts and server files."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
from _support.clock import FakeClock

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code


def session_for(fake: FakeFlashProxy) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {fake.api_key}"}
    )


async def test_unlimited_server_gets_its_ip_after_the_provisioning_delay(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(clock=clock, provisioning_delay=30, time_scale=1.0)
    async with fake, session_for(fake) as http:
        order = {"product": "unlimited_residential", "duration": "7_days", "bandwidth_mbps": 400}
        _, created, _ = await call(http, "POST", "plans", json=order)
        plan_id = created["data"]["plan_id"]
        status, body, _ = await call(http, "GET", f"servers/{plan_id}/ip")
        assert (status, error_code(body)) == (404, "NOT_FOUND")
        _, monitoring, _ = await call(http, "GET", f"servers/{plan_id}/monitoring")
        assert monitoring["data"]["status"] == "provisioning"
        clock.advance(29.9)
        assert (await call(http, "GET", f"servers/{plan_id}/ip"))[0] == 404
        clock.advance(0.1)
        status, body, _ = await call(http, "GET", f"servers/{plan_id}/ip")
        assert status == 200
        assert body["data"] == {"plan_id": plan_id, "ip": fake.state.plans[plan_id].ip}


async def test_provisioning_rotation_and_restart_delays_are_scaled(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(
        provisioning_delay=30, rotation_delay=10, restart_delay=60, time_scale=0.001
    )
    mobile = fake.state.add_plan("dedicated_mobile", location="NL")
    async with fake, session_for(fake) as http:
        order = {"product": "unlimited_residential", "duration": "trial"}
        _, created, _ = await call(http, "POST", "plans", json=order)
        ready_at = fake.state.plans[created["data"]["plan_id"]].ip_ready_at
        assert ready_at is not None and ready_at - time.monotonic() <= 0.03
        assert (await call(http, "POST", f"servers/{mobile.plan_id}/rotate-ip"))[0] == 200
        assert mobile.next_ip_at is not None and mobile.next_ip_at - time.monotonic() <= 0.01
        assert (await call(http, "POST", f"servers/{mobile.plan_id}/restart"))[0] == 200
        restarting_until = mobile.restarting_until
        assert restarting_until is not None and restarting_until - time.monotonic() <= 0.06


async def test_rotation_is_only_for_dedicated_mobile(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200)
    status, body, _ = await call(http, "POST", f"servers/{plan.plan_id}/rotate-ip")
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")
    assert plan.next_ip is None


async def test_rotation_changes_the_ip_after_the_delay(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(clock=clock, rotation_delay=10, time_scale=1.0)
    plan = fake.state.add_plan("dedicated_mobile", location="NL")
    async with fake, session_for(fake) as http:
        _, before, _ = await call(http, "GET", f"servers/{plan.plan_id}/ip")
        old_ip = before["data"]["ip"]
        status, rotated, _ = await call(http, "POST", f"servers/{plan.plan_id}/rotate-ip")
        assert status == 200 and rotated["data"]["status"] == "rotating"
        status, body, _ = await call(http, "POST", f"servers/{plan.plan_id}/rotate-ip")
        assert (status, error_code(body)) == (400, "VALIDATION_ERROR")
        clock.advance(9)
        assert (await call(http, "GET", f"servers/{plan.plan_id}/ip"))[1]["data"]["ip"] == old_ip
        clock.advance(1)
        _, after, _ = await call(http, "GET", f"servers/{plan.plan_id}/ip")
        assert after["data"]["ip"] != old_ip
        assert (await call(http, "POST", f"servers/{plan.plan_id}/rotate-ip"))[0] == 200


async def test_restart_reports_restarting_then_online(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(clock=clock, restart_delay=60, time_scale=1.0)
    plan = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200)
    async with fake, session_for(fake) as http:
        status, _, _ = await call(http, "POST", f"servers/{plan.plan_id}/restart")
        assert status == 200
        _, stats, _ = await call(http, "GET", f"servers/{plan.plan_id}/stats")
        assert stats["data"]["status"] == "restarting"
        clock.advance(60)
        _, monitoring, _ = await call(http, "GET", f"servers/{plan.plan_id}/monitoring")
        assert monitoring["data"]["status"] == "online"


async def test_server_operations_refuse_other_products(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("residential")
    for method, path in (
        ("GET", "servers/{}/ip"),
        ("POST", "servers/{}/rotate-ip"),
        ("POST", "servers/{}/restart"),
        ("GET", "proxies/{}/vpn-config"),
    ):
        status, body, _ = await call(http, method, path.format(plan.plan_id))
        assert (status, error_code(body)) == (400, "VALIDATION_ERROR"), path


async def test_vpn_config_is_a_plain_text_file(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("dedicated_mobile", location="UK")
    for fmt, marker in (("ovpn", "client\n"), ("wireguard", "[Interface]")):
        async with http.get(f"proxies/{plan.plan_id}/vpn-config", params={"format": fmt}) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/plain"
            assert marker in await resp.text()
    status, body, _ = await call(
        http, "GET", f"proxies/{plan.plan_id}/vpn-config", params={"format": "pptp"}
    )
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")
    _, link, _ = await call(http, "GET", f"proxies/{plan.plan_id}/ip-reset-link")
    assert link["data"]["url"].startswith("https://")


async def test_usage_stats_rules(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    plan = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200)
    legacy = fake.state.add_plan("unlimited_residential", bandwidth_mbps=200, legacy=True)
    other = fake.state.add_plan("residential")
    url = "plans/{}/usage-stats"
    ok_window = {"from": 1_700_000_000, "to": 1_700_086_400}
    status, body, _ = await call(http, "GET", url.format(plan.plan_id), params=ok_window)
    assert status == 200 and body["data"]["series"]
    status, body, _ = await call(http, "GET", url.format(legacy.plan_id), params=ok_window)
    assert (status, error_code(body)) == (400, "NOT_SUPPORTED")
    for target, params in (
        (other, ok_window),
        (plan, {"from": 10, "to": 10}),
        (plan, {"from": 0, "to": 31 * 86400}),
        (plan, {"from": "yesterday", "to": 10}),
        (plan, {"to": 10}),
    ):
        status, body, _ = await call(http, "GET", url.format(target.plan_id), params=params)
        assert (status, error_code(body)) == (400, "VALIDATION_ERROR"), params
