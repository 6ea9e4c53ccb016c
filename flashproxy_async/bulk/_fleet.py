"""provision() on a shared journal: many runs, on many hosts, working on one job at once.

Each run claims an order before it buys it, so the orders of a job shared by several
runs are bought once, whichever run gets them. Orders held by another run, or whose
purchase by a dead run may still be processed, go back to the queue until their
claim or settle window ends; the run buys the others meanwhile.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import anyio
import attrs

from .._generated import Plan
from ._claimed import ClaimLost, Withheld, buy, look_up, needs_lookup
from ._claims import Claim, ClaimStatus
from ._credentials import fill_credentials
from ._journal_base import JournalError, OrderState
from ._orders import PlanOrder
from ._provision import (
    ProgressEvent,
    ProvisionReport,
    Reconcile,
    RunProgress,
    _stopped_for_good,
    preflight_failed,
)
from ._reconcile import ReferenceConflictError, conflict, walk_plans
from ._redis_journal import RedisJournal
from ._workers import stops_the_run

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["provision_shared"]

_FIRST_POLL = 0.02
_LONGEST_POLL = 1.0


async def provision_shared(
    client: AsyncFlashProxy,
    job: list[PlanOrder],
    book: RedisJournal,
    on_progress: Callable[[ProgressEvent], None] | None,
    settle: float,
    reconcile: Reconcile,
) -> ProvisionReport:
    """:func:`provision` on a :class:`RedisJournal` (opened for the run if not open)."""
    if book.is_open:
        return await _SharedRun(client, job, book, on_progress, settle, reconcile).execute()
    async with book.another_run() as run:
        return await _SharedRun(client, job, run, on_progress, settle, reconcile).execute()


@attrs.define
class _Queued:
    order: PlanOrder
    poll: float = _FIRST_POLL


class _SharedRun(RunProgress):
    """One run's share of a job that other runs work on at the same time."""

    def __init__(
        self,
        client: AsyncFlashProxy,
        job: list[PlanOrder],
        book: RedisJournal,
        on_progress: Callable[[ProgressEvent], None] | None,
        settle: float,
        reconcile: Reconcile,
    ) -> None:
        super().__init__(client, job, on_progress, settle, reconcile)
        self.book = book
        # Orders the first walk did not find, with what the journal said before it: a
        # claim that finds them unchanged needs no second look.
        self.absent: dict[str, Claim] = {}
        self.stop = anyio.Event()
        self.unsent: list[str] = []
        self.vouched: list[str] = []
        self._ready: list[tuple[float, int, _Queued]] = []
        self._serial = itertools.count()

    async def execute(self) -> ProvisionReport:
        await self.book.bind(self.client.base_url)
        known = await self.book.snapshot(order.reference for order in self.job)
        pending: list[PlanOrder] = []
        for order in self.job:
            entry = known[order.reference]
            if entry.status is ClaimStatus.DONE and entry.plan is not None:
                self._done(order.reference, entry.plan, "skipped")
            else:
                pending.append(order)
        if pending:
            stopped = await preflight_failed(self.client)
            if stopped is not None:
                self.report.stopped_by = stopped
                self.unsent = [order.reference for order in pending]
                return self._finish()
            await self._first_walk(pending, known)
            await self._work()
        if not _stopped_for_good(self.report.stopped_by):
            self.report.credential_requests = await fill_credentials(
                self.client, self.report.created, self.vouched
            )
        return self._finish()

    def _finish(self) -> ProvisionReport:
        for reference in sorted(self.unsent, key=self.position.__getitem__):
            self.report.not_attempted.append(reference)
            self.emit(reference, "not_attempted")
        return self.report

    def _done(self, reference: str, plan: Plan, outcome: str, *, fetch: bool = True) -> None:
        self.report.created[reference] = plan
        if fetch and outcome in ("skipped", "reconciled"):
            self.vouched.append(reference)
        if outcome == "reconciled":
            self.report.reconciled.append(reference)
        self.emit(reference, outcome)

    async def _first_walk(self, pending: Sequence[PlanOrder], known: dict[str, Claim]) -> None:
        """One walk for every order not done; later claims trust it while nothing changed."""
        if self.reconcile == "always":
            walk = await walk_plans(self.client, [order.reference for order in pending])
            self.report.reconcile_requests += walk.requests
            self._tell(ProgressEvent("", "walked", self.done, len(self.job)))
        else:
            walk = None
        for order in pending:
            plan = walk.found.get(order.reference) if walk is not None else None
            if plan is None:
                self.absent[order.reference] = known[order.reference]
                self._queue(_Queued(order), 0.0)
                continue
            clash = conflict(order, plan)
            if clash is not None:
                await self.book.conflict(known[order.reference], clash)
                self._failed(order.reference, clash)
            else:
                await self.book.created(known[order.reference], plan, via="reconcile")
                self._done(order.reference, plan, "reconciled")

    def _trusts_first_walk(self, claim: Claim) -> bool:
        before = self.absent.get(claim.reference)
        if self.reconcile != "always" or before is None or before.version != claim.version:
            return False  # no walk, or an intent since: the walk cannot speak for it
        # In doubt (a dead run's purchase): looked up now, after its settle window.
        return claim.state in (OrderState.NEW, OrderState.RETRY)

    def _queue(self, item: _Queued, delay: float) -> None:
        heapq.heappush(self._ready, (anyio.current_time() + delay, next(self._serial), item))

    def _failed(self, reference: str, error: BaseException) -> None:
        self.report.failed[reference] = error
        self.emit(reference, "failed", error)

    def _stop(self, error: BaseException) -> None:
        if self.report.stopped_by is None:
            self.report.stopped_by = error
        self.stop.set()

    async def _work(self) -> None:
        workers = max(1, min(int(self.client.limiter.max_concurrent), len(self._ready)))
        async with anyio.create_task_group() as group:
            for _ in range(workers):
                group.start_soon(self._worker)
        self.unsent += [item.order.reference for _, _, item in self._ready]
        self._ready.clear()

    async def _worker(self) -> None:
        while self._ready and not self.stop.is_set():
            ready_at, _, item = heapq.heappop(self._ready)
            wait = ready_at - anyio.current_time()
            if wait > 0:
                heapq.heappush(self._ready, (ready_at, next(self._serial), item))
                await anyio.sleep(min(wait, _LONGEST_POLL))
                continue
            await self._settle(item)

    async def _settle(self, item: _Queued) -> None:
        order = item.order
        try:
            claim = await self.book.claim(order.reference, settle=self.settle)
        except JournalError as exc:
            self._stop(exc)
            self.unsent.append(order.reference)
            return
        if claim.status is ClaimStatus.DONE:
            await self._done_elsewhere(order, claim)
        elif claim.status is ClaimStatus.HELD:
            self._queue(item, min(claim.wait, item.poll))
            item.poll = min(item.poll * 2, _LONGEST_POLL)
        elif claim.status is ClaimStatus.SETTLING:
            self._tell(
                ProgressEvent(
                    "", "settling", self.done, len(self.job), waiting=1, wait_seconds=claim.wait
                )
            )
            self._queue(item, claim.wait)
        else:
            try:
                await self._buy(item, claim)
            finally:
                if claim.status is ClaimStatus.TAKEN:
                    with anyio.CancelScope(shield=True):
                        await self._release(claim)

    async def _release(self, claim: Claim) -> None:
        try:
            await self.book.release(claim)
        except JournalError as exc:
            self._stop(exc)  # the claim lapses after its lease

    async def _done_elsewhere(self, order: PlanOrder, claim: Claim) -> None:
        plan = claim.plan
        if plan is None:
            walk = await walk_plans(self.client, [order.reference])
            self.report.reconcile_requests += walk.requests
            plan = walk.found.get(order.reference)
        if plan is None:
            self._failed(
                order.reference,
                JournalError(
                    f"{self.book.name}: {order.reference!r} is recorded as bought, "
                    "but no plan carries its reference"
                ),
            )
            return
        # Bought by another run meanwhile: that run has its credentials; fetching
        # them here would spend the fleet's budget on every order twice.
        self._done(order.reference, plan, "skipped", fetch=False)

    async def _buy(self, item: _Queued, claim: Claim) -> None:
        order = item.order
        try:
            if not self._trusts_first_walk(claim) and needs_lookup(claim, self.reconcile):
                found, spent = await look_up(self.client, order, self.book, claim)
                self.report.reconcile_requests += spent
                if found is not None:
                    self._done(order.reference, found, "reconciled")
                    return
            plan = await buy(
                self.client, order, self.book, claim, may_send=lambda: not self.stop.is_set()
            )
        except Withheld:
            self.unsent.append(order.reference)
        except ClaimLost:
            self._queue(item, item.poll)
        except JournalError as exc:
            self._stop(exc)
            self.unsent.append(order.reference)
        except ReferenceConflictError as exc:
            self._failed(order.reference, exc)
        except Exception as exc:
            self._failed(order.reference, exc)
            if stops_the_run(exc):
                self._stop(exc)
        else:
            self._done(order.reference, plan, "created")
