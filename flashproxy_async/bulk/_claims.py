"""Claims: how a journal shared by several runs hands each order to one run at a time.

A run asks for an order (:meth:`ClaimingJournal.claim`) and gets it, or learns that
it is done, held by another run, or settling (a purchase of it may still be
processed). Holding it, the run records its intent before each attempt is sent and
its outcome after; each record names the claim, so that a run whose claim lapsed can
never overrule a newer one.
"""

from __future__ import annotations

import enum
from typing import Protocol

import attrs

from .._generated import Plan
from ._journal_base import OrderState
from ._orders import PlanOrder

__all__ = ["Claim", "ClaimStatus", "ClaimingJournal"]


class ClaimStatus(enum.Enum):
    """What a claim found."""

    DONE = "done"
    """The order has its plan (``Claim.plan``, None if the record no longer reads)."""
    HELD = "held"
    """Another run works on it; ask again within ``Claim.wait`` seconds."""
    SETTLING = "settling"
    """A purchase of it may still be processed; ask again in ``Claim.wait`` seconds."""
    TAKEN = "taken"
    """This run holds it now; ``Claim.state`` says what the journal knew of it."""


@attrs.define
class Claim:
    """One run's hold on one order, or why it has none."""

    reference: str
    status: ClaimStatus
    version: int = 0
    state: OrderState = OrderState.NEW
    wait: float = 0.0
    plan: Plan | None = None
    sent_at: float | None = None
    """When this order's last intent was recorded (Unix seconds), if known."""


class ClaimingJournal(Protocol):
    """What :func:`~flashproxy_async.bulk.purchase_once` needs from a journal."""

    @property
    def name(self) -> str: ...

    async def bind(self, base_url: str) -> None: ...

    async def claim(self, reference: str, *, settle: float) -> Claim: ...

    async def intent(self, claim: Claim, order: PlanOrder) -> bool:
        """Before the purchase waits for the limiter; False: the claim is lost."""
        ...

    async def sending(self, claim: Claim, order: PlanOrder) -> bool:
        """Right before each attempt goes out; False: it must not."""
        ...

    async def created(self, claim: Claim, plan: Plan, *, via: str = "purchase") -> None: ...

    async def failed(
        self, claim: Claim, error: BaseException, *, outcome_unknown: bool
    ) -> None: ...

    async def conflict(self, claim: Claim, error: BaseException) -> None: ...

    async def absent(self, claim: Claim) -> None: ...

    async def withheld(self, claim: Claim) -> None: ...

    async def release(self, claim: Claim) -> None: ...
