"""The reconciliation walk: find orders' plans by reference, in one pass over the plan list."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import attrs

from .._exceptions import FlashProxyError
from .._generated import Plan
from .._hooks import RequestEvent
from ._orders import PlanOrder

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["ReferenceConflictError", "Walk", "walk_plans"]

_PAGE_SIZE = 100  # the API's largest page: the fewest requests per walk


class ReferenceConflictError(FlashProxyError):
    """A plan of another product already carries the order's reference: nothing is bought.

    A reference is an order's identity in the account; compose references so that
    two different orders never share one (for example ``customer-42/2026-12-01/1``).

    Attributes:
        reference: the order's reference.
        plan: the plan found under it.
    """

    def __init__(self, reference: str, wanted: str, plan: Plan) -> None:
        found = plan.product.value if plan.product is not None else "unknown"
        super().__init__(
            f"order {reference!r} is for {wanted}, but plan {plan.plan_id} ({found}) already "
            "carries this reference; nothing was bought for it. Give the order a reference "
            "of its own"
        )
        self.reference = reference
        self.plan = plan


@attrs.define
class Walk:
    """What one walk of the plan list found, and what it cost."""

    found: dict[str, Plan] = attrs.field(factory=dict)
    requests: int = 0


async def walk_plans(
    client: AsyncFlashProxy, wanted: Collection[str], *, also: Collection[str] = ()
) -> Walk:
    """Find the plans of ``wanted`` references in one walk of the plan list.

    The walk stops as soon as every wanted reference is found; references in
    ``also`` (orders the journal already vouches for) are picked up on the way, for
    their credentials, but never make the walk longer. Not filtered by status (a
    short plan bought by a killed run may have expired since) nor by product (a plan
    of another product under the same reference is a conflict, and must be seen).
    """
    walk = Walk()
    if not wanted:
        return walk

    def count(event: RequestEvent) -> None:
        walk.requests += 1

    hooks = client.event_hooks
    hooks["request"].append(count)
    counted = client.with_options(event_hooks=hooks)
    missing = set(wanted)
    extra = set(also) - missing
    async for plan in counted.plans.list(per_page=_PAGE_SIZE):
        reference = plan.end_user_reference
        if reference is None or reference in walk.found:
            continue
        if reference in missing:
            missing.discard(reference)
            walk.found[reference] = plan
            if not missing:
                break
        elif reference in extra:
            walk.found[reference] = plan
    return walk


def conflict(order: PlanOrder, plan: Plan) -> ReferenceConflictError | None:
    """The conflict when ``plan``, found under the order's reference, is another product."""
    if plan.product is not None and plan.product.value == order.product:
        return None
    return ReferenceConflictError(order.reference, order.product, plan)
