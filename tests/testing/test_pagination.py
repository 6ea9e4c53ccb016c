"""Pagination and filters of the list endpoints."""

from __future__ import annotations

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code


async def test_plans_are_paged_and_filtered(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    for _ in range(45):
        fake.state.add_plan("residential")
    expired = fake.state.add_plan("mobile")
    fake.state.expire_plan(expired.plan_id)
    _, first, _ = await call(http, "GET", "plans")
    assert len(first["data"]["plans"]) == 20
    assert first["data"]["pagination"] == {"page": 1, "per_page": 20, "total": 46, "total_pages": 3}
    _, last, _ = await call(http, "GET", "plans", params={"page": 3})
    assert len(last["data"]["plans"]) == 6
    _, beyond, _ = await call(http, "GET", "plans", params={"page": 4})
    assert beyond["data"]["plans"] == []
    _, big, _ = await call(http, "GET", "plans", params={"per_page": 100})
    assert len(big["data"]["plans"]) == 46
    seen = {p["plan_id"] for p in first["data"]["plans"]}
    _, second, _ = await call(http, "GET", "plans", params={"page": 2})
    assert seen.isdisjoint(p["plan_id"] for p in second["data"]["plans"])
    _, only, _ = await call(http, "GET", "plans", params={"status": "expired"})
    assert [p["plan_id"] for p in only["data"]["plans"]] == [expired.plan_id]
    _, mobile, _ = await call(http, "GET", "plans", params={"product": "mobile", "status": "all"})
    assert mobile["data"]["pagination"]["total"] == 1
    _, active, _ = await call(http, "GET", "plans", params={"status": "active", "per_page": 1})
    assert active["data"]["pagination"]["total_pages"] == 45
    for _ in range(60):
        fake.state.add_plan("residential")
    # openapi.json sets no maximum: a larger page size is cut to 100, not refused.
    status, capped, _ = await call(http, "GET", "plans", params={"per_page": 500})
    assert status == 200 and len(capped["data"]["plans"]) == 100
    assert capped["data"]["pagination"] == {
        "page": 1,
        "per_page": 100,
        "total": 106,
        "total_pages": 2,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 0},
        {"page": 0},
        {"page": "x"},
        {"status": "gone"},
        {"product": "gold"},
    ],
)
async def test_bad_list_parameters(http: aiohttp.ClientSession, params: dict[str, object]) -> None:
    status, body, _ = await call(http, "GET", "plans", params=params)
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")


async def test_sub_users_are_paged_and_filtered(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    users = [fake.state.add_sub_user(f"user{i}") for i in range(3)]
    fake.state.add_sub_user("blocked", status="suspended")
    _, page, _ = await call(http, "GET", "sub-users", params={"per_page": 2, "status": "active"})
    assert page["data"]["pagination"]["total"] == 3
    assert [u["username"] for u in page["data"]["sub_users"]] == ["user0", "user1"]
    _, one, _ = await call(http, "GET", f"sub-users/{users[2].id}")
    assert one["data"]["username"] == "user2"
    status, body, _ = await call(http, "GET", "sub-users/su_missing")
    assert (status, error_code(body)) == (404, "NOT_FOUND")


async def test_transactions_are_newest_first_and_paged(
    fake: FakeFlashProxy, http: aiohttp.ClientSession
) -> None:
    for cents in range(1, 6):
        fake.state.add_transaction("refund", cents, "refund")
    _, page, _ = await call(http, "GET", "balance/transactions", params={"per_page": 2})
    assert [t["amount_cents"] for t in page["data"]["transactions"]] == [5, 4]
    assert page["data"]["pagination"]["total"] == 6
    status, body, _ = await call(http, "GET", "balance/transactions", params={"type": "gift"})
    assert (status, error_code(body)) == (400, "VALIDATION_ERROR")
