"""Bearer authentication, account suspension and the error envelope."""

from __future__ import annotations

import aiohttp

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code


async def test_missing_bearer_is_unauthorized(fake: FakeFlashProxy) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(fake.base_url + "/balance") as response,
    ):
        body = await response.json()
    assert response.status == 401
    assert body == {
        "success": False,
        "error": {"code": "UNAUTHORIZED", "message": "Invalid or missing API key"},
    }
    assert fake.stats.unauthorized == 1


async def test_wrong_key_and_wrong_scheme_are_unauthorized(fake: FakeFlashProxy) -> None:
    for header in (f"Bearer {fake.api_key}x", f"Basic {fake.api_key}", fake.api_key):
        async with (
            aiohttp.ClientSession(headers={"Authorization": header}) as session,
            session.get(fake.base_url + "/balance") as response,
        ):
            assert response.status == 401, header
    assert fake.stats.unauthorized == 3


async def test_test_key_and_extra_keys_are_accepted(fake: FakeFlashProxy) -> None:
    assert fake.api_key.startswith("fp_test_")
    assert len(fake.api_key) == len("fp_test_") + 32
    other = fake.add_api_key()
    async with aiohttp.ClientSession(
        base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {other}"}
    ) as session:
        status, body, _ = await call(session, "GET", "balance")
    assert status == 200 and body["success"] is True


async def test_suspended_account_is_forbidden(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    fake.state.suspended = True
    status, body, _ = await call(http, "GET", "plans")
    assert (status, error_code(body)) == (403, "FORBIDDEN")


async def test_unknown_route_and_unknown_plan_are_not_found(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "GET", "nothing/here")
    assert (status, error_code(body)) == (404, "NOT_FOUND")
    status, body, _ = await call(http, "GET", "plans/9b2f6a1e-8f57-4a39-9d55-1b0a4c1c7d11")
    assert (status, error_code(body)) == (404, "NOT_FOUND")
    status, body, _ = await call(http, "GET", "plans/not-a-uuid")
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")


async def test_invalid_json_body_is_a_validation_error(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(
        http, "POST", "plans", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")


async def test_repr_hides_the_key(fake: FakeFlashProxy, http: aiohttp.ClientSession) -> None:
    await call(http, "GET", "balance")
    assert fake.api_key not in repr(fake)
    assert fake.api_key not in repr(fake.requests)
    assert fake.requests[0].headers["Authorization"] == f"Bearer {fake.api_key}"
