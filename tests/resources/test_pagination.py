"""Walking paginated lists: the documented shape, bare lists, no pagination, and stop rules."""

from __future__ import annotations

from typing import Any

import pytest
from aioresponses import aioresponses

from flashproxy_async import ResponseValidationError
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async._generated import Plan
from flashproxy_async.resources import Page
from flashproxy_async.resources._pagination import parse_page

from ._helpers import plan_json, reply, sent


def ids(n: int, start: int = 0) -> list[str]:
    return [f"00000000-0000-4000-8000-{i:012d}" for i in range(start, start + n)]


def plans_page(plan_ids: list[str], page: int | None = None, total_pages: int | None = None) -> Any:
    data: dict[str, Any] = {"plans": [plan_json(plan_id=i) for i in plan_ids]}
    if page is not None:
        data["pagination"] = {"page": page, "per_page": 2, "total_pages": total_pages}
    return data


def pages_requested(api: aioresponses) -> list[str]:
    return [call.query.get("page", "") for call in sent(api)]


async def walk(client: AsyncFlashProxy, **kwargs: Any) -> list[str]:
    return [str(plan.plan_id) async for plan in client.plans.list(**kwargs)]


async def test_documented_shape_walks_every_page_and_stops_at_total_pages(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    for number, chunk in enumerate([ids(2, 0), ids(2, 2), ids(1, 4)], start=1):
        reply(api, "GET", "/plans", plans_page(chunk, number, 3))
    assert await walk(client, per_page=2) == ids(5)
    assert pages_requested(api) == ["1", "2", "3"]


async def test_total_pages_is_trusted_over_a_full_last_page(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/plans", plans_page(ids(2, 0), 1, 2))
    reply(api, "GET", "/plans", plans_page(ids(2, 2), 2, 2))
    assert await walk(client, per_page=2) == ids(4)
    assert pages_requested(api) == ["1", "2"]


async def test_total_pages_is_trusted_over_a_short_page(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/plans", plans_page(ids(1, 0), 1, 2))
    reply(api, "GET", "/plans", plans_page(ids(1, 1), 2, 2))
    assert await walk(client, per_page=2) == ids(2)


async def test_a_server_capping_per_page_is_walked_to_the_end(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    # Asked for 5 a page, the server sends 2 and says so, without total_pages.
    for number, chunk in enumerate([ids(2, 0), ids(2, 2), ids(1, 4)], start=1):
        data = {"plans": [plan_json(plan_id=i) for i in chunk]}
        data["pagination"] = {"page": number, "per_page": 2}
        reply(api, "GET", "/plans", data)
    assert await walk(client, per_page=5) == ids(5)
    assert pages_requested(api) == ["1", "2", "3"]


async def test_bare_list_ends_at_a_short_page(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/plans", [plan_json(plan_id=i) for i in ids(2, 0)])
    reply(api, "GET", "/plans", [plan_json(plan_id=i) for i in ids(1, 2)])
    assert await walk(client, per_page=2) == ids(3)
    assert pages_requested(api) == ["1", "2"]


async def test_without_pagination_or_per_page_the_first_page_sets_the_size(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/plans", plans_page(ids(3, 0)))
    reply(api, "GET", "/plans", plans_page(ids(3, 3)))
    reply(api, "GET", "/plans", plans_page(ids(1, 6)))
    assert await walk(client) == ids(7)
    assert pages_requested(api) == ["1", "2", "3"]


async def test_an_empty_page_ends_the_walk(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/plans", plans_page(ids(2, 0)))
    reply(api, "GET", "/plans", plans_page([]))
    assert await walk(client, per_page=2) == ids(2)
    assert pages_requested(api) == ["1", "2"]


async def test_an_empty_first_page_yields_nothing(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/plans", plans_page([], 1, 0))
    assert await walk(client) == []
    assert pages_requested(api) == ["1"]


async def test_a_server_ignoring_page_stops_at_the_repeat(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/plans", plans_page(ids(2, 0)), repeat=True)
    assert await walk(client, per_page=2) == ids(2)
    assert pages_requested(api) == ["1", "2"]


async def test_a_cycling_server_stops_when_any_earlier_page_repeats(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    for chunk in (ids(2, 0), ids(2, 2), ids(2, 0), ids(2, 2)):
        reply(api, "GET", "/plans", plans_page(chunk))
    assert await walk(client, per_page=2) == ids(4)
    assert pages_requested(api) == ["1", "2", "3"]


async def test_pages_are_fetched_lazily(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/plans", plans_page(ids(2, 0), 1, 5))
    reply(api, "GET", "/plans", plans_page(ids(2, 2), 2, 5))
    iterator = client.plans.list(per_page=2)
    first = await anext(iterator)
    await anext(iterator)
    assert str(first.plan_id) == ids(1)[0]
    assert pages_requested(api) == ["1"]
    await anext(iterator)
    assert pages_requested(api) == ["1", "2"]


async def test_filters_are_sent_on_every_page(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/plans", plans_page(ids(2, 0), 1, 2))
    reply(api, "GET", "/plans", plans_page(ids(2, 2), 2, 2))
    await walk(client, per_page=2, status="expired", product="pool1")
    assert {(c.query["status"], c.query["product"]) for c in sent(api)} == {("expired", "pool1")}


async def test_transactions_and_sub_users_walk_the_same_way(
    client: AsyncFlashProxy, api: aioresponses
) -> None:
    reply(api, "GET", "/balance/transactions", [{"id": 1}, {"id": 2}])
    reply(api, "GET", "/balance/transactions", [{"id": 3}])
    reply(api, "GET", "/sub-users", {"sub_users": [{"id": "a"}], "pagination": {"total_pages": 1}})
    assert [t["id"] async for t in client.balance.transactions(per_page=2)] == [1, 2, 3]
    assert [u["id"] async for u in client.sub_users.list()] == ["a"]


async def test_list_page_reads_a_bare_list(client: AsyncFlashProxy, api: aioresponses) -> None:
    reply(api, "GET", "/plans", [plan_json()])
    page = await client.plans.list_page()
    assert isinstance(page, Page)
    assert isinstance(page.items[0], Plan)
    assert page.pagination is None


def test_a_differently_named_sole_list_is_tolerated() -> None:
    page: Page[dict[str, Any]] = parse_page({"items": [{"id": 1}], "count": 1}, "sub_users", None)
    assert page.items == [{"id": 1}]


@pytest.mark.parametrize("data", [None, {"total": 3}, {"a": [], "b": []}, "text"])
def test_data_without_an_item_list_is_a_response_error(data: Any) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page(data, "plans", Plan)
    assert caught.value.path == "data.plans"


def test_a_bad_item_names_its_position() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        parse_page({"plans": [plan_json(), {"plan_id": 5}]}, "plans", Plan)
    assert caught.value.path == "data.plans[1].plan_id"
