"""Checked by mypy --strict (tests/typing/test_types.py): the types users see."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from flashproxy_async import AsyncFlashProxy, AsyncPaginator, Page, RawResponse
from flashproxy_async.models import Balance, Plan, PoolList
from flashproxy_async.sync import FlashProxy


async def async_surface(client: AsyncFlashProxy, plan_id: str) -> None:
    assert_type(await client.plans.with_raw_response.get(plan_id), RawResponse[Plan])
    assert_type((await client.plans.with_raw_response.get(plan_id)).parse(), Plan)
    assert_type(await client.plans.with_raw_response.list(), RawResponse[Page[Plan]])
    assert_type(client.plans.list(), AsyncPaginator[Plan])
    assert_type(await client.plans.list(), Page[Plan])
    assert_type(await client.plans.list_page(), Page[Plan])
    page = await client.plans.list(page=2, per_page=10)
    assert_type(await page.next_page(), Page[Plan])
    assert_type(list(page), list[Plan])
    async for plan in client.plans.list():
        assert_type(plan, Plan)
    async for each in client.plans.list().iter_pages():
        assert_type(each, Page[Plan])
    assert_type(await client.balance.get(timeout=5, extra_headers={"X-A": "b"}), Balance)
    assert_type(await client.get("/proxies/pools", cast_to=PoolList), PoolList)
    assert_type(await client.get("/balance"), Any)
    assert_type(await client.post("/plans", body={}, cast_to=Plan), Plan)
    assert_type(Plan.from_dict({}), Plan)
    assert_type(plan.to_dict(), dict[str, Any])


def sync_surface(client: FlashProxy) -> None:
    assert_type(client.get("/proxies/pools", cast_to=PoolList), PoolList)
    assert_type(client.post("/plans", body={}, cast_to=Plan), Plan)


async def options_are_checked(client: AsyncFlashProxy) -> None:
    await client.balance.get(timeout="5")  # type: ignore[arg-type]
    await client.balance.get(extra_header={})  # type: ignore[call-arg]
