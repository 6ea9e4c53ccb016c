"""Fault injection: each kind, and matching by method and path."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code

ORDER = {"product": "residential", "bandwidth_gb": 1}


async def test_fail_next_fails_n_matching_requests_unprocessed(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fault = fake.faults.fail_next(
        2, status=503, code="INTERNAL_ERROR", method="POST", path="/plans"
    )
    assert (await call(http, "GET", "plans"))[0] == 200  # other method: untouched
    for _ in range(2):
        status, body, _ = await call(http, "POST", "plans", json=ORDER)
        assert (status, error_code(body)) == (503, "INTERNAL_ERROR")
    assert fake.state.plans == {}
    assert fault.hits == 2
    assert (await call(http, "POST", "plans", json=ORDER))[0] == 201
    assert fake.faults.pending == []


async def test_fail_next_can_send_retry_after(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.fail_next(status=429, code="RATE_LIMITED", retry_after=2)
    fake.faults.fail_next(status=503, retry_after=0.25)
    status, body, headers = await call(http, "GET", "balance")
    assert (status, error_code(body)) == (429, "RATE_LIMITED")
    assert (headers["Retry-After"], body["error"]["retry_after"]) == ("2", 2)
    status, body, headers = await call(http, "GET", "balance")
    assert (status, headers["Retry-After"]) == (503, "0.25")


async def test_path_templates_match_one_segment(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    plan = fake.state.add_plan("residential")
    fake.faults.fail_next(None, path="/api/v1/plans/{planId}")
    assert (await call(http, "GET", f"plans/{plan.plan_id}"))[0] == 500
    assert (await call(http, "GET", f"plans/{plan.plan_id}/usage"))[0] == 200
    assert (await call(http, "GET", f"plans/{plan.plan_id}"))[0] == 500  # n=None: forever
    fake.faults.clear()
    assert (await call(http, "GET", f"plans/{plan.plan_id}"))[0] == 200


async def test_process_then_fail_performs_the_purchase(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.process_then_fail(method="POST", path="/plans")
    status, body, _ = await call(http, "POST", "plans", json={**ORDER, "end_user_reference": "r1"})
    assert (status, error_code(body)) == (500, "INTERNAL_ERROR")
    (plan,) = fake.state.plans.values()
    assert plan.end_user_reference == "r1"
    assert fake.state.transactions[-1].type == "purchase"


async def test_process_then_drop_performs_it_and_closes_the_connection(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.process_then_drop(method="POST", path="/plans")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, "POST", "plans", json=ORDER)
    assert len(fake.state.plans) == 1
    assert fake.stats.dropped_connections == 1
    assert fake.requests_for("POST", "/plans")[0].response is None
    assert (await call(http, "GET", "balance"))[0] == 200  # the server is still fine


async def test_drop_does_not_process(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    fake.faults.drop(method="POST")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, "POST", "plans", json=ORDER)
    assert fake.state.plans == {}


async def test_delay_holds_the_request(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    fake.faults.delay(5.0, path="/balance")
    with pytest.raises(asyncio.TimeoutError):
        await call(http, "GET", "balance", timeout=aiohttp.ClientTimeout(total=0.05))
    assert (await call(http, "GET", "balance"))[0] == 200


async def test_delay_combines_with_a_failure(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    delay = fake.faults.delay(0.01)
    fake.faults.fail_next(status=500)
    assert (await call(http, "GET", "balance"))[0] == 500
    assert delay.hits == 1


async def test_malformed_json(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    fake.faults.malformed_json(path="/plans")
    async with http.get("plans") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        with pytest.raises(ValueError):
            await response.json()
    assert fake.requests[-1].response is not None
    assert fake.requests[-1].response.fault == "malformed_json"


async def test_html_error(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    fake.faults.html_error(status=502)
    async with http.get("balance") as response:
        assert response.status == 502
        assert response.content_type == "text/html"
        assert "<html>" in await response.text()


async def test_faults_apply_after_authentication(fake: FakeFlashProxy) -> None:
    fault = fake.faults.fail_next()
    async with aiohttp.ClientSession(base_url=fake.base_url + "/") as anonymous:
        assert (await call(anonymous, "GET", "balance"))[0] == 401
    assert fault.hits == 0


async def test_a_late_commit_is_invisible_until_its_scaled_time(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.commit_late(300)  # 0.3 s at the fake's time scale
    purchase = asyncio.ensure_future(call(http, "POST", "plans", json=ORDER))
    for _ in range(200):
        if fake.requests_for("POST", "/plans"):
            break
        await asyncio.sleep(0.005)
    assert fake.state.plans == {}  # arrived, not yet committed
    status, _, _ = await purchase
    assert status == 201 and len(fake.state.plans) == 1


async def test_release_held_lets_held_requests_go_at_once(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.faults.delay(60, method="GET", path="/balance")
    held = asyncio.ensure_future(call(http, "GET", "balance"))
    for _ in range(200):
        if fake.requests_for("GET", "/balance"):
            break
        await asyncio.sleep(0.005)
    fake.faults.release_held()
    assert (await asyncio.wait_for(held, 10))[0] == 200


@pytest.mark.parametrize("process", [False, True])
async def test_respond_answers_any_body_with_or_without_processing(
    fake: FakeFlashProxy, http: aiohttp.ClientSession, process: bool
) -> None:
    fake.faults.respond(
        {"success": False}, status=201, process=process, method="POST", path="/plans"
    )
    status, body, _ = await call(http, "POST", "plans", json=ORDER)
    assert (status, body) == (201, {"success": False})
    assert len(fake.state.plans) == int(process)
    fake.faults.respond(b"\x00raw", headers={"X-Odd": "1"}, content_type="text/plain")
    async with http.get("balance") as response:
        assert (response.status, await response.read()) == (200, b"\x00raw")
        assert response.headers["X-Odd"] == "1"
