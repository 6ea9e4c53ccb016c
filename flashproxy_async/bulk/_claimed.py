"""Settle one claimed order: look it up by reference when the journal cannot vouch, then buy.

Shared by :func:`~flashproxy_async.bulk.purchase_once` and by provisioning on a
shared journal. The journal records the intent before the purchase is sent, and is
asked once more in a request hook, right before each attempt goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .._generated import Plan
from .._hooks import RequestEvent
from ._claims import Claim, ClaimingJournal
from ._journal_base import JournalError, OrderState
from ._orders import PlanOrder, create_kwargs
from ._reconcile import conflict, walk_plans
from ._workers import outcome_unknown

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["ClaimLost", "Withheld", "buy", "look_up", "needs_lookup"]


class ClaimLost(Exception):
    """The claim lapsed and another run acted on the order: nothing was sent."""


class Withheld(Exception):
    """The run stopped before this purchase went out: nothing was sent."""


def needs_lookup(claim: Claim, reconcile: str) -> bool:
    """Must the plan list be searched before this order is bought?"""
    if claim.state in (OrderState.IN_DOUBT, OrderState.CONFLICT, OrderState.DONE):
        return True  # DONE here means a record that no longer reads as a plan
    return reconcile == "always"


async def look_up(
    client: AsyncFlashProxy, order: PlanOrder, book: ClaimingJournal, claim: Claim
) -> tuple[Plan | None, int]:
    """Search the plan list for the order's reference; record what was found.

    Returns the plan found (None: buying is safe) and the requests the walk spent.

    Raises:
        ReferenceConflictError: a plan of another product carries the reference.
    """
    walk = await walk_plans(client, [order.reference])
    plan = walk.found.get(order.reference)
    if plan is None:
        if claim.state is not OrderState.NEW:
            await book.absent(claim)
        return None, walk.requests
    clash = conflict(order, plan)
    if clash is not None:
        await book.conflict(claim, clash)
        raise clash
    await book.created(claim, plan, via="reconcile")
    return plan, walk.requests


async def buy(
    client: AsyncFlashProxy,
    order: PlanOrder,
    book: ClaimingJournal,
    claim: Claim,
    *,
    may_send: Callable[[], bool] = lambda: True,
) -> Plan:
    """Buy a claimed order, recording the intent before it is sent and the outcome after.

    Raises:
        Withheld: ``may_send()`` said no before the first attempt, or before a retry
            of an attempt the server turned away unprocessed.
        ClaimLost: the claim lapsed before an attempt: nothing more was sent.
        JournalError: the journal could not record the intent: nothing more was sent.
        FlashProxyError: the purchase failed (recorded, in doubt or not).
    """
    if not await book.intent(claim, order):
        raise ClaimLost
    sent = False

    async def launch(event: RequestEvent) -> None:
        # A request hook: runs once the limiter lets the attempt go, right before it
        # is sent, the last moment a stop or a lost claim can hold it back.
        nonlocal sent
        if not may_send():
            await book.withheld(claim)
            raise Withheld
        if not await book.sending(claim, order):
            raise ClaimLost
        sent = True

    hooks = client.event_hooks
    hooks["request"].append(launch)
    guarded = client.with_options(event_hooks=hooks)
    try:
        plan = await guarded.plans.create(**create_kwargs(order))
    except (Withheld, ClaimLost, JournalError):
        raise  # the order stays as the journal last recorded it
    except Exception as exc:
        if sent:
            await book.failed(claim, exc, outcome_unknown=outcome_unknown(exc))
        raise
    await book.created(claim, plan)
    return plan
