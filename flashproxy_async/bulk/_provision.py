"""provision(): buy a batch of plans: journaled, reconciled, settled, stopped on account errors."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import anyio
import attrs

from .._exceptions import (
    AuthenticationError,
    FlashProxyError,
    PermissionDeniedError,
    ProductDisabledError,
    RequestValidationError,
)
from .._generated import Plan
from ._credentials import fill_credentials
from ._host_lock import HostLock
from ._journal import FileJournal
from ._journal_base import (
    JobHeader,
    JournalEntry,
    JournalError,
    OrderState,
    ProvisionJournal,
    job_id,
)
from ._orders import PlanOrder
from ._reconcile import conflict, walk_plans
from ._redis_journal import RedisJournal
from ._validate import validate_orders
from ._workers import outcome_unknown, run_workers

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["ProgressEvent", "ProvisionReport", "provision"]

Reconcile = Literal["always", "journal"]

# A purchase the server received at the very end of an attempt's timeout still needs a
# moment to commit before a lookup can see it.
_SETTLE_MARGIN = 5.0
_SETTLE_WITHOUT_TIMEOUT = 120.0

# Orders the journal itself doubts: looked up whatever ``reconcile`` says.
_DOUBTFUL = (OrderState.IN_DOUBT, OrderState.CONFLICT)

# Injectable for tests: the wall clock intents are stamped with, and the settle wait.
wall_clock: Callable[[], float] = time.time
sleep: Callable[[float], Any] = anyio.sleep


@attrs.frozen
class ProgressEvent:
    """One step of a provisioning run, passed to ``on_progress``.

    Attributes:
        reference: the order this is about ("" for ``settling`` and ``walked``).
        outcome: ``"created"``, ``"reconciled"`` (found from an earlier run),
            ``"skipped"`` (done in an earlier run), ``"failed"`` or
            ``"not_attempted"``; or, without settling an order, ``"settling"`` (the
            run waits ``wait_seconds`` for ``waiting`` in-doubt orders of a killed
            run to settle) and ``"walked"`` (a reconciliation walk ended).
        done: orders settled so far, this one included.
        total: orders in the job.
        error: the error, for ``"failed"``.
        waiting: in-doubt orders the run waits for, for ``"settling"``.
        wait_seconds: how long it waits, for ``"settling"``.
        reconcile_requests: requests the reconciliation walks spent so far.
    """

    reference: str
    outcome: str
    done: int
    total: int
    error: BaseException | None = None
    waiting: int = 0
    wait_seconds: float | None = None
    reconcile_requests: int = 0


@attrs.define
class ProvisionReport:
    """What a provisioning run ended with.

    Attributes:
        created: reference -> plan, for every order that has its plan, including
            plans bought by earlier runs. Each carries its credentials, so
            ``plan.proxy_url()`` works on a rerun too (plans read back from the
            journal take them from the reconciliation walk, or from ``plans.get``).
        failed: reference -> error, for orders that failed in this run.
        not_attempted: references never sent, because the run stopped first
            (402, 401 or 403 FORBIDDEN), in job order.
        reconciled: references found bought by an earlier run (or another job).
        stopped_by: the error that stopped the run, if one did.
        reconcile_requests: requests the reconciliation walks spent (GET /plans pages).
        credential_requests: ``plans.get`` calls made for journal plans' credentials.
    """

    created: dict[str, Plan] = attrs.field(factory=dict)
    failed: dict[str, BaseException] = attrs.field(factory=dict)
    not_attempted: list[str] = attrs.field(factory=list)
    reconciled: list[str] = attrs.field(factory=list)
    stopped_by: BaseException | None = None
    reconcile_requests: int = 0
    credential_requests: int = 0

    @property
    def in_doubt(self) -> list[str]:
        """Failed orders that may have been bought anyway; a rerun reconciles them."""
        return [ref for ref, error in self.failed.items() if outcome_unknown(error)]

    @property
    def ok(self) -> bool:
        """True when every order has its plan."""
        return not self.failed and not self.not_attempted


def default_settle(client: AsyncFlashProxy) -> float:
    """The client's per-attempt timeout plus a margin: no purchase is processed longer."""
    attempt = client.timeout.attempt
    return (_SETTLE_WITHOUT_TIMEOUT if attempt is None else attempt) + _SETTLE_MARGIN


def _check_options(settle: float | None, reconcile: str) -> None:
    if reconcile not in ("always", "journal"):
        raise RequestValidationError(
            f"reconcile must be 'always' or 'journal', got {reconcile!r}", rule="reconcile"
        )
    if settle is not None and (
        isinstance(settle, bool)
        or not isinstance(settle, int | float)
        or not math.isfinite(settle)
        or settle < 0
    ):
        raise RequestValidationError(
            f"settle must be a number of seconds, 0 or more, got {settle!r}", rule="settle"
        )


async def provision(
    client: AsyncFlashProxy,
    orders: Iterable[PlanOrder],
    *,
    journal: str | os.PathLike[str] | ProvisionJournal | RedisJournal,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    settle: float | None = None,
    reconcile: Reconcile = "always",
) -> ProvisionReport:
    """Buy one plan per order, exactly once across crashes, reruns and lost journals.

    Before anything is sent: references are checked for uniqueness and every order
    against the product rules; the account's lock on this host and the journal's
    lock are taken; the journal's header must name this job and base URL. Then one
    ``balance.get()`` checks the key (a 401 or 403 FORBIDDEN ends the run with
    every order not attempted), and, with ``reconcile="always"``, one walk of the
    plan list looks up every order the journal does not record as done: a plan
    found under the order's reference is that order's plan (reported as
    reconciled); one of another product is a conflict, and nothing is bought for it.

    An order a killed run left in doubt is not looked up, nor bought, until
    ``settle`` seconds have passed since its intent was sent; the run buys the other
    orders meanwhile, and reports ``"settling"`` progress.

    Purchases run on ``client.limiter.max_concurrent`` workers, paced by the
    client's limiter. After a 402, 401 or 403 FORBIDDEN no new purchase is sent,
    and the unsent orders are reported as not attempted.

    Args:
        client: an open :class:`AsyncFlashProxy`.
        orders: the job; each ``reference`` is sent as ``end_user_reference``, and is
            the order's identity in the account.
        journal: the journal file (created with its header if missing), a journal
            object, or a :class:`RedisJournal` shared by runs on many hosts (no host
            lock then: each order is claimed in Redis before it is bought; orders
            bought meanwhile by another run are reported without their credentials).
        on_progress: called with a :class:`ProgressEvent` at each step.
        settle: seconds an in-doubt order waits after its intent before it is looked
            up; None means the client's per-attempt timeout plus 5 s.
        reconcile: ``"always"`` (look up every order not recorded done) or
            ``"journal"`` (trust the journal: only orders it records in doubt are
            looked up; a lost or replaced journal then buys again).

    Returns:
        A :class:`ProvisionReport`.

    Raises:
        RequestValidationError: a duplicate reference, an invalid order or option;
            nothing was sent.
        JournalError: the journal is not this job's journal, is damaged, or another
            run holds it or the account (the message names the journal, and the
            holder's pid); nothing was sent.
        FlashProxyError: the preflight or a reconciliation walk failed; nothing was
            bought after it.
    """
    job = list(orders)
    validate_orders(job)
    _check_options(settle, reconcile)
    window = default_settle(client) if settle is None else float(settle)
    if isinstance(journal, RedisJournal):
        # Shared by runs on many hosts: claims in Redis, not this host's locks, keep
        # them apart.
        from ._fleet import provision_shared

        return await provision_shared(client, job, journal, on_progress, window, reconcile)
    book: ProvisionJournal = (
        FileJournal(journal) if isinstance(journal, str | os.PathLike) else journal
    )
    account = HostLock.for_account(client.base_url, client.key_fingerprint)
    account.acquire(journal=book.name)
    try:
        book.open(JobHeader(job_id(job), client.base_url))
        try:
            run = _Run(client, job, book, on_progress, window, reconcile)
            return await run.execute()
        finally:
            book.close()
    finally:
        account.release()


class RunProgress:
    """What every kind of run keeps: its job, its report, and the progress it tells."""

    def __init__(
        self,
        client: AsyncFlashProxy,
        job: list[PlanOrder],
        on_progress: Callable[[ProgressEvent], None] | None,
        settle: float,
        reconcile: Reconcile,
    ) -> None:
        self.client = client
        self.job = job
        self.on_progress = on_progress
        self.settle = settle
        self.reconcile = reconcile
        self.report = ProvisionReport()
        self.done = 0
        self.position = {order.reference: i for i, order in enumerate(job)}

    def emit(self, reference: str, outcome: str, error: BaseException | None = None) -> None:
        self.done += 1
        self._tell(ProgressEvent(reference, outcome, self.done, len(self.job), error))

    def _tell(self, event: ProgressEvent) -> None:
        if self.on_progress is not None:
            self.on_progress(attrs.evolve(event, reconcile_requests=self.report.reconcile_requests))


async def preflight_failed(client: AsyncFlashProxy) -> BaseException | None:
    """One balance read before the first purchase: a bad key costs no order.

    Returns the 401 or 403 FORBIDDEN that ends the run, or None to go on.
    """
    try:
        await client.balance.get()
    except (AuthenticationError, PermissionDeniedError) as exc:
        if isinstance(exc, ProductDisabledError):
            raise
        return exc
    return None


class _Run(RunProgress):
    """One provisioning run on a journal of this host."""

    def __init__(
        self,
        client: AsyncFlashProxy,
        job: list[PlanOrder],
        book: ProvisionJournal,
        on_progress: Callable[[ProgressEvent], None] | None,
        settle: float,
        reconcile: Reconcile,
    ) -> None:
        super().__init__(client, job, on_progress, settle, reconcile)
        self.book = book

    def _in_order(self, orders: Iterable[PlanOrder]) -> list[PlanOrder]:
        return sorted(orders, key=lambda order: self.position[order.reference])

    async def execute(self) -> ProvisionReport:
        lookups: list[PlanOrder] = []
        buys: list[PlanOrder] = []
        for order in self.job:
            entry = self.book.state(order.reference)
            if entry.state is OrderState.DONE and entry.plan is not None:
                self.report.created[order.reference] = entry.plan
                self.emit(order.reference, "skipped")
            elif self.reconcile == "always" or entry.state in _DOUBTFUL:
                lookups.append(order)
            else:
                buys.append(order)
        vouched = list(self.report.created)
        needs_requests = (
            lookups or buys or not all(map(_has_credentials, self.report.created.values()))
        )
        if needs_requests and not await self._preflight(lookups + buys):
            return self.report
        deferred = await self._look_up(lookups, buys, also=vouched, first=True)
        unsent = await self._buy_while_settling(self._in_order(buys), deferred)
        if deferred:
            unsent += await self._settled(deferred)
        if not _stopped_for_good(self.report.stopped_by):
            self.report.credential_requests = await fill_credentials(
                self.client, self.report.created, vouched
            )
        for reference in sorted(unsent, key=self.position.__getitem__):
            self.report.not_attempted.append(reference)
            self.emit(reference, "not_attempted")
        return self.report

    async def _settled(self, deferred: Sequence[PlanOrder]) -> list[str]:
        """Look the settled orders up again; buy those still absent. Return the unsent."""
        if _stopped_for_good(self.report.stopped_by):
            return [order.reference for order in deferred]
        later: list[PlanOrder] = []
        try:
            await self._look_up(deferred, later, also=(), first=False)
        except FlashProxyError as exc:
            # The purchases made so far stay reported; these stay in doubt in the
            # journal, for the next run to look up.
            for order in deferred:
                self.report.failed[order.reference] = exc
                self.emit(order.reference, "failed", exc)
            return []
        if self.report.stopped_by is not None:
            return [order.reference for order in later]
        return await run_workers(
            self.client, self._in_order(later), self.book, self.report, self.emit,
            wall_clock=wall_clock,
        )  # fmt: skip

    async def _preflight(self, pending: Sequence[PlanOrder]) -> bool:
        stopped = await preflight_failed(self.client)
        if stopped is None:
            return True
        self.report.stopped_by = stopped
        for order in pending:
            self.report.not_attempted.append(order.reference)
            self.emit(order.reference, "not_attempted")
        return False

    async def _look_up(
        self,
        orders: Sequence[PlanOrder],
        buys: list[PlanOrder],
        *,
        also: Sequence[str],
        first: bool,
    ) -> list[PlanOrder]:
        """Walk the plan list for ``orders``; return the in-doubt ones still settling."""
        if not orders:
            return []
        walk = await walk_plans(self.client, [order.reference for order in orders], also=also)
        self.report.reconcile_requests += walk.requests
        self._tell(ProgressEvent("", "walked", self.done, len(self.job)))
        for reference in also:
            if reference in walk.found:
                self.report.created[reference] = walk.found[reference]
        now = wall_clock()
        deferred: list[PlanOrder] = []
        for order in orders:
            plan = walk.found.get(order.reference)
            entry = self.book.state(order.reference)
            if plan is not None:
                self._found(order, plan)
            elif first and _settling(entry, now, self.settle):
                deferred.append(order)
            else:
                if entry.state is not OrderState.NEW:
                    self.book.absent(order.reference)
                buys.append(order)
        return deferred

    def _found(self, order: PlanOrder, plan: Plan) -> None:
        clash = conflict(order, plan)
        if clash is not None:
            self.book.conflict(order.reference, clash)
            self.report.failed[order.reference] = clash
            self.emit(order.reference, "failed", clash)
            return
        self.book.created(order.reference, plan, via="reconcile")
        self.report.created[order.reference] = plan
        self.report.reconciled.append(order.reference)
        self.emit(order.reference, "reconciled")

    async def _buy_while_settling(
        self, buys: list[PlanOrder], deferred: Sequence[PlanOrder]
    ) -> list[str]:
        unsent: list[str] = []

        async def buy() -> None:
            unsent.extend(
                await run_workers(
                    self.client, buys, self.book, self.report, self.emit, wall_clock=wall_clock
                )
            )

        async def wait() -> None:
            sent = [self.book.state(o.reference).sent_at or 0.0 for o in deferred]
            seconds = max(0.0, max(sent) + self.settle - wall_clock())
            self._tell(
                ProgressEvent(
                    "", "settling", self.done, len(self.job),
                    waiting=len(deferred), wait_seconds=seconds,
                )
            )  # fmt: skip
            await sleep(seconds)

        async with anyio.create_task_group() as group:
            group.start_soon(buy)
            if deferred:
                group.start_soon(wait)
        return unsent


def _settling(entry: JournalEntry, now: float, settle: float) -> bool:
    """Sent by a run that may have been killed less than ``settle`` seconds ago."""
    sent_at = entry.sent_at
    return entry.state is OrderState.IN_DOUBT and sent_at is not None and now < sent_at + settle


def _stopped_for_good(error: BaseException | None) -> bool:
    """401, 403 FORBIDDEN or a journal gone: nothing more this run does can be trusted."""
    if isinstance(error, JournalError):
        return True
    return isinstance(error, AuthenticationError | PermissionDeniedError) and not isinstance(
        error, ProductDisabledError
    )


def _has_credentials(plan: Plan) -> bool:
    return plan.proxy_password is not None
