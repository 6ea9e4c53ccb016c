"""Credentials for plans the journal vouches for: it never stores proxy passwords."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING

import anyio

from .._exceptions import FlashProxyError
from .._generated import Plan
from .._hooks import RequestEvent

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["fill_credentials"]

logger = logging.getLogger("flashproxy_async.bulk")


async def fill_credentials(
    client: AsyncFlashProxy, created: dict[str, Plan], references: Collection[str]
) -> int:
    """Fetch, with ``plans.get``, each of ``references`` whose plan lacks its password.

    Replaces the plans in ``created`` in place and returns the requests spent. A plan
    that cannot be fetched keeps its journal copy; its ``proxy_url()`` then says so.
    """
    missing = [
        ref
        for ref in references
        if ref in created
        and created[ref].proxy_password is None
        and created[ref].plan_id is not None
    ]
    if not missing:
        return 0
    spent = 0

    def count(event: RequestEvent) -> None:
        nonlocal spent
        spent += 1

    hooks = client.event_hooks
    hooks["request"].append(count)
    counted = client.with_options(event_hooks=hooks)
    slots = anyio.Semaphore(max(1, int(client.limiter.max_concurrent)))

    async def fetch(reference: str) -> None:
        plan_id = created[reference].plan_id
        assert plan_id is not None  # filtered above
        async with slots:
            try:
                created[reference] = await counted.plans.get(plan_id)
            except FlashProxyError as exc:
                logger.warning("could not fetch the credentials of plan %s: %s", plan_id, exc)

    async with anyio.create_task_group() as group:
        for reference in missing:
            group.start_soon(fetch, reference)
    return spent
