"""Request recording, response hooks, seeding helpers and lifecycle."""

from __future__ import annotations

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy, RecordedRequest

from ._helpers import call


async def test_every_request_is_recorded(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    order = {"product": "mobile", "bandwidth_gb": 1, "end_user_reference": "abc"}
    await call(http, "POST", "plans", json=order, headers={"X-Request-Id": "r-1"})
    await call(http, "GET", "plans", params={"status": "active", "page": "1"})
    plan_id = next(iter(fake.state.plans))
    await call(http, "GET", f"plans/{plan_id}")
    first, second, third = fake.requests
    assert (first.method, first.path, first.json) == ("POST", "/plans", order)
    assert first.headers["X-Request-Id"] == "r-1"
    assert first.status == 201
    assert second.query == {"status": "active", "page": "1"}
    assert third.route == "/plans/{planId}"
    assert fake.requests_for("POST", "/plans") == [first]
    assert fake.requests_for(path="/plans/*") == [third]
    assert fake.requests_for("get") == [second, third]
    assert first.api_key == fake.api_key


async def test_a_fake_told_not_to_record_serves_and_counts_but_keeps_nothing() -> None:
    seen: list[RecordedRequest] = []
    async with (
        FakeFlashProxy(record_requests=False) as fake,
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {fake.api_key}"}) as http,
    ):
        fake.add_response_hook(seen.append)
        for _ in range(3):
            async with http.get(f"{fake.base_url}/balance") as response:
                assert response.status == 200
        assert fake.requests == [] and fake.requests_for("GET") == []
        assert fake.stats.requests == 3
        # Hooks still see every answer: only the list is not kept.
        assert [record.status for record in seen] == [200, 200, 200]


async def test_response_hook_sees_each_answer(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    seen: list[RecordedRequest] = []
    fake.add_response_hook(seen.append)
    await call(http, "GET", "balance")
    (record,) = seen
    assert record.response is not None
    assert record.response.json()["data"]["balance_cents"] == fake.state.balance_cents


async def test_start_and_close_without_context_manager() -> None:
    fake = FakeFlashProxy()
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    await fake.start()
    try:
        assert fake.base_url == f"http://127.0.0.1:{fake.port}/api/v1"
        with pytest.raises(RuntimeError):
            await fake.start()
        async with (
            aiohttp.ClientSession() as session,
            session.get(fake.base_url + "/balance") as response,
        ):
            assert response.status == 401
    finally:
        await fake.close()
        await fake.close()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(fake.base_url + "/balance")


async def test_seeded_state_is_served(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    plan = fake.state.add_plan("datacenter", billing_type="time", mbps=100, location=None)
    fake.state.cancel_plan(plan.plan_id)
    _, body, _ = await call(http, "GET", f"plans/{plan.plan_id}")
    assert body["data"]["status"] == "cancelled"
    assert body["data"]["billing_type"] == "time"
    assert body["data"]["connection"]["hostname"] == "dc.proxyserver.bot"
    assert plan.proxy_password not in repr(plan)
