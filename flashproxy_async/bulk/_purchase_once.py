"""purchase_once(): one order, one plan, however many workers are handed it."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .._generated import Plan
from ._claimed import ClaimLost, buy, look_up, needs_lookup
from ._claims import Claim, ClaimingJournal, ClaimStatus
from ._credentials import fill_credentials
from ._journal import FileJournal
from ._journal_base import JobHeader, JournalError, JournalInUseError, OrderState
from ._orders import PlanOrder
from ._provision import Reconcile, _check_options, default_settle
from ._reconcile import walk_plans
from ._redis_journal import RedisJournal
from ._validate import validate_orders

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["purchase_once"]

# How often a worker looks again at an order another worker holds: the holder's
# outcome is noticed this late at worst (the wait never exceeds the holder's lease).
_FIRST_POLL = 0.01
_LONGEST_POLL = 1.0
_FILE_JOB = "purchase_once"


class _FileClaims:
    """A file journal seen as claims: holding an order is holding the journal's lock.

    One host only: the lock is this host's, and every call on the journal waits its
    turn. The journal's job is ``purchase_once``, whatever the orders.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._book: FileJournal | None = None

    @property
    def name(self) -> str:
        return str(self.path)

    async def bind(self, base_url: str) -> None:
        self._base_url = base_url

    async def claim(self, reference: str, *, settle: float) -> Claim:
        book = FileJournal(self.path)
        try:
            book.open(JobHeader(_FILE_JOB, self._base_url))
        except JournalInUseError:
            return Claim(reference, ClaimStatus.HELD, wait=_LONGEST_POLL)
        entry = book.state(reference)
        if entry.state is OrderState.DONE and entry.plan is not None:
            book.close()
            return Claim(reference, ClaimStatus.DONE, state=OrderState.DONE, plan=entry.plan)
        if entry.state is OrderState.IN_DOUBT and entry.sent_at is not None:
            wait = entry.sent_at + settle - time.time()
            if wait > 0:
                book.close()
                return Claim(reference, ClaimStatus.SETTLING, state=entry.state, wait=wait)
        self._book = book
        return Claim(reference, ClaimStatus.TAKEN, state=entry.state, sent_at=entry.sent_at)

    def _held(self) -> FileJournal:
        if self._book is None:
            raise RuntimeError(f"journal {self.path}: no order is claimed")
        return self._book

    async def intent(self, claim: Claim, order: PlanOrder) -> bool:
        # Written per attempt, by sending(): the settle window of a file journal runs
        # from the moment an attempt went out.
        self._held()
        return True

    async def sending(self, claim: Claim, order: PlanOrder) -> bool:
        claim.sent_at = time.time()
        self._held().intent(order, sent_at=claim.sent_at)
        claim.state = OrderState.IN_DOUBT
        return True

    async def created(self, claim: Claim, plan: Plan, *, via: str = "purchase") -> None:
        self._held().created(claim.reference, plan, via=via)
        claim.status, claim.state = ClaimStatus.DONE, OrderState.DONE
        await self.release(claim)

    async def failed(self, claim: Claim, error: BaseException, *, outcome_unknown: bool) -> None:
        self._held().failed(claim.reference, error, outcome_unknown=outcome_unknown)
        await self.release(claim)

    async def conflict(self, claim: Claim, error: BaseException) -> None:
        self._held().conflict(claim.reference, error)
        await self.release(claim)

    async def absent(self, claim: Claim) -> None:
        self._held().absent(claim.reference)
        claim.state = OrderState.RETRY

    async def withheld(self, claim: Claim) -> None:
        if claim.state is OrderState.IN_DOUBT:  # an attempt was turned away unprocessed
            self._held().withheld(claim.reference)
        await self.release(claim)

    async def release(self, claim: Claim) -> None:
        book, self._book = self._book, None
        if book is not None:
            book.close()


@asynccontextmanager
async def _opened(
    journal: str | os.PathLike[str] | RedisJournal,
) -> AsyncIterator[ClaimingJournal]:
    """The journal as claims; a RedisJournal not yet open is opened for this call.

    Opened as a run of its own, so that one unopened journal object can be shared by
    every task of a worker process, each call opening and closing its own run.
    """
    if isinstance(journal, str | os.PathLike):
        yield _FileClaims(journal)
    elif journal.is_open:
        yield journal
    else:
        async with journal.another_run() as run:
            yield run


async def purchase_once(
    client: AsyncFlashProxy,
    order: PlanOrder,
    *,
    journal: str | os.PathLike[str] | RedisJournal,
    settle: float | None = None,
    reconcile: Reconcile = "always",
) -> Plan:
    """Return the order's plan, buying it only if no run has, ever.

    However many workers call it for the same reference, at once or one after
    another, on one host (a journal file) or many (a :class:`RedisJournal`), one
    plan is bought. A worker that finds the order held by another waits for that
    one's outcome; an order whose purchase may still be processed (a worker died
    mid-purchase) is waited out for ``settle`` seconds after its intent, then looked
    up by reference before anything is bought. With ``reconcile="always"`` an order
    the journal has not recorded as done is looked up by reference first (one walk
    of the plan list, ``ceil(plans / 100)`` requests): a reference that already has a
    plan in the account is never bought again.

    Args:
        client: an open :class:`AsyncFlashProxy`.
        order: the order; its ``reference`` is its identity in the account.
        journal: a :class:`RedisJournal` (open, or else opened for this call as a
            run of its own, so that concurrent tasks may share one unopened object),
            or the path of a journal file used only by ``purchase_once`` on this host.
        settle: as for :func:`provision`; None means the client's per-attempt
            timeout plus 5 s.
        reconcile: ``"always"``, or ``"journal"`` to trust the journal for orders
            it has never seen (saves the walk; an order bought outside the journal
            is then bought again).

    Returns:
        The order's plan, with its credentials (fetched with ``plans.get`` when the
        plan was bought by another worker).

    Raises:
        RequestValidationError: the order or an option is invalid; nothing was sent.
        ReferenceConflictError: a plan of another product carries the reference.
        JournalError: the journal cannot be used (Redis unreachable, a damaged
            file); no purchase was sent after it.
        FlashProxyError: the purchase or the lookup failed; the journal records
            whether it may have gone through.
    """
    validate_orders([order])
    _check_options(settle, reconcile)
    window = default_settle(client) if settle is None else float(settle)
    async with _opened(journal) as book:
        await book.bind(client.base_url)
        plan = await _settle(client, order, book, window, reconcile)
    if plan.proxy_password is None:
        found = {order.reference: plan}
        await fill_credentials(client, found, [order.reference])
        plan = found[order.reference]
    return plan


async def _settle(
    client: AsyncFlashProxy,
    order: PlanOrder,
    book: ClaimingJournal,
    settle: float,
    reconcile: Reconcile,
) -> Plan:
    poll = _FIRST_POLL
    while True:
        claim = await book.claim(order.reference, settle=settle)
        if claim.status is ClaimStatus.DONE:
            return claim.plan or await _plan_by_reference(client, order, book)
        if claim.status in (ClaimStatus.HELD, ClaimStatus.SETTLING):
            held = claim.status is ClaimStatus.HELD
            await anyio.sleep(min(claim.wait, poll) if held else claim.wait)
            poll = min(poll * 2, _LONGEST_POLL)
            continue
        try:
            if needs_lookup(claim, reconcile):
                found, _ = await look_up(client, order, book, claim)
                if found is not None:
                    return found
            return await buy(client, order, book, claim)
        except ClaimLost:
            continue
        finally:
            if claim.status is ClaimStatus.TAKEN:
                with anyio.CancelScope(shield=True):
                    await book.release(claim)


async def _plan_by_reference(
    client: AsyncFlashProxy, order: PlanOrder, book: ClaimingJournal
) -> Plan:
    """The plan of an order recorded done whose record no longer reads as a plan."""
    walk = await walk_plans(client, [order.reference])
    plan = walk.found.get(order.reference)
    if plan is None:
        raise JournalError(
            f"{book.name}: order {order.reference!r} is recorded as bought, but its record "
            "no longer reads as a plan and no plan carries its reference"
        )
    return plan
