"""provision(): buy a batch of plans, journaled, reconciled, and stopped on account errors."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from .._exceptions import (
    APIError,
    AuthenticationError,
    FlashProxyError,
    InsufficientBalanceError,
    InternalServerError,
    PermissionDeniedError,
    ProductDisabledError,
    RequestValidationError,
)
from .._generated import (
    BillingType,
    CreatePlanRequest,
    DedicatedMobileLocation,
    Duration,
    Plan,
    Product,
)
from .._hooks import RequestEvent
from .._rules import check_create_plan
from ._journal import Journal, OrderState
from ._orders import PlanOrder, create_kwargs

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["ProgressEvent", "ProvisionReport", "provision"]

_RECONCILE_PAGE_SIZE = 100  # the API's largest page: the fewest requests per walk


@attrs.frozen
class ProgressEvent:
    """One step of a provisioning run, passed to ``on_progress``.

    Attributes:
        reference: the order this is about.
        outcome: ``"created"``, ``"reconciled"`` (found from an earlier run),
            ``"skipped"`` (done in an earlier run), ``"failed"`` or ``"not_attempted"``.
        done: orders settled so far, this one included.
        total: orders in the job.
        error: the error, for ``"failed"``.
    """

    reference: str
    outcome: str
    done: int
    total: int
    error: BaseException | None = None


@attrs.define
class ProvisionReport:
    """What a provisioning run ended with.

    Attributes:
        created: reference -> plan, for every order that has its plan, including
            plans bought by earlier runs of the same journal. Plans read back from
            the journal carry no proxy password (it is never written to disk):
            fetch them with ``client.plans.get(plan.plan_id)`` for credentials.
        failed: reference -> error, for orders that failed in this run.
        not_attempted: references never sent, because the run stopped first
            (402, 401 or 403 FORBIDDEN), in job order.
        reconciled: references found bought by an earlier, interrupted run.
        stopped_by: the error that stopped the run, if one did.
    """

    created: dict[str, Plan] = attrs.field(factory=dict)
    failed: dict[str, BaseException] = attrs.field(factory=dict)
    not_attempted: list[str] = attrs.field(factory=list)
    reconciled: list[str] = attrs.field(factory=list)
    stopped_by: BaseException | None = None

    @property
    def in_doubt(self) -> list[str]:
        """Failed orders that may have been bought anyway; a rerun reconciles them."""
        return [ref for ref, error in self.failed.items() if _outcome_unknown(error)]

    @property
    def ok(self) -> bool:
        """True when every order has its plan."""
        return not self.failed and not self.not_attempted


def _outcome_unknown(error: BaseException) -> bool:
    """May the purchase have gone through? When unsure, yes: a rerun then looks first."""
    if isinstance(error, FlashProxyError) and error.outcome_unknown:
        return True
    if isinstance(error, RequestValidationError):
        return False
    # A 4xx answer is a refusal; anything else (5xx, a dropped connection, a body that
    # did not decode, a bug) may follow a purchase that went through.
    return not (isinstance(error, APIError) and not isinstance(error, InternalServerError))


def _stops_the_run(error: BaseException) -> bool:
    """402, 401 and 403 FORBIDDEN hold for every order; PRODUCT_DISABLED for one product."""
    if isinstance(error, ProductDisabledError):
        return False
    return isinstance(error, (InsufficientBalanceError, AuthenticationError, PermissionDeniedError))


def _known(value: str | None, enum: type[Any], field: str, reference: str) -> Any:
    if value is None:
        return None
    if value not in enum.known_values():
        raise RequestValidationError(
            f"order {reference!r}: unknown {field} {value!r}; expected one of "
            f"{', '.join(sorted(enum.known_values()))}",
            rule=f"order.{field}.unknown",
        )
    return enum(value)


def validate_orders(orders: Sequence[PlanOrder]) -> None:
    """Check a job before anything is bought: unique references, every order valid.

    Raises:
        RequestValidationError: a reference is empty or repeated, or an order breaks
            a product rule; the message names the order.
    """
    seen: set[str] = set()
    duplicates: list[str] = []
    for order in orders:
        if not order.reference.strip():
            raise RequestValidationError("an order has an empty reference", rule="order.reference")
        if order.reference in seen and order.reference not in duplicates:
            duplicates.append(order.reference)
        seen.add(order.reference)
    if duplicates:
        raise RequestValidationError(
            f"references must be unique within a job; repeated: {', '.join(duplicates)}",
            rule="order.reference.unique",
        )
    for order in orders:
        ref = order.reference
        request = CreatePlanRequest(
            product=_known(order.product, Product, "product", ref),
            bandwidth_gb=order.bandwidth_gb,
            duration=_known(order.duration, Duration, "duration", ref),
            billing_type=_known(order.billing_type, BillingType, "billing_type", ref),
            mbps=order.mbps,
            bandwidth_mbps=order.bandwidth_mbps,
            location=_known(order.location, DedicatedMobileLocation, "location", ref),
            quantity=order.quantity,
            pool=order.pool,
            end_user_reference=ref,
        )
        try:
            check_create_plan(request)
        except RequestValidationError as exc:
            raise RequestValidationError(f"order {ref!r}: {exc}", rule=exc.rule) from None


async def provision(
    client: AsyncFlashProxy,
    orders: Iterable[PlanOrder],
    *,
    journal: str | os.PathLike[str],
    on_progress: Callable[[ProgressEvent], None] | None = None,
) -> ProvisionReport:
    """Buy one plan per order, safely across crashes and reruns.

    Before anything is bought, references are checked for uniqueness and every
    order is checked against the product rules. The journal (JSONL, fsync'd)
    records the intent before each purchase is sent and its outcome after. A
    rerun with the same journal skips orders already done, and looks for the
    in-doubt ones (sent, outcome unknown) in one walk of the plan list, matching
    ``end_user_reference``, before buying any of them again.

    Purchases run on ``client.limiter.max_concurrent`` workers, paced by the client's
    limiter. After a 402, 401 or 403 FORBIDDEN no new purchase is
    sent, not even one already waiting in the limiter (it is called off), and the
    unsent orders are reported as not attempted. An out-of-stock
    order, a disabled product or any other refusal fails that order alone.

    Args:
        client: an open :class:`AsyncFlashProxy`.
        orders: the job; each ``reference`` is sent as ``end_user_reference``.
        journal: the journal file; created if missing, appended to if not.
        on_progress: called with a :class:`ProgressEvent` as each order settles.

    Returns:
        A :class:`ProvisionReport`.

    Raises:
        RequestValidationError: a duplicate reference or an invalid order; nothing
            was bought.
        FlashProxyError: the reconciliation walk failed; nothing was bought.
        OSError: the journal cannot be written, or another run holds it (two runs
            on one journal could buy twice).

    Rerun an interrupted job once its last requests have settled: a purchase the
    server is still working on when the rerun looks for it would be bought again.
    """
    job = list(orders)
    validate_orders(job)
    report = ProvisionReport()
    total = len(job)
    done = 0

    def settle(reference: str, outcome: str, error: BaseException | None = None) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(ProgressEvent(reference, outcome, done, total, error))

    with Journal(journal) as book:
        pending: list[PlanOrder] = []
        in_doubt: list[PlanOrder] = []
        for order in job:
            entry = book.state(order.reference)
            if entry.state is OrderState.DONE and entry.plan is not None:
                report.created[order.reference] = entry.plan
                settle(order.reference, "skipped")
            elif entry.state is OrderState.IN_DOUBT:
                in_doubt.append(order)
            else:
                pending.append(order)

        if in_doubt:
            found = await _find_plans(client, in_doubt)
            for order in in_doubt:
                plan = found.get(order.reference)
                if plan is None:
                    book.absent(order.reference)
                    pending.append(order)
                else:
                    book.created(order.reference, plan, via="reconcile")
                    report.created[order.reference] = plan
                    report.reconciled.append(order.reference)
                    settle(order.reference, "reconciled")
            position = {order.reference: i for i, order in enumerate(job)}
            pending.sort(key=lambda order: position[order.reference])

        await _run_workers(client, pending, book, report, settle)
    return report


async def _find_plans(client: AsyncFlashProxy, orders: Sequence[PlanOrder]) -> dict[str, Plan]:
    """One walk of the plan list, for every in-doubt order at once."""
    wanted = {order.reference for order in orders}
    products = {order.product for order in orders}
    # Filter by product where one product covers them all. Not by status: a 1_hour plan
    # bought by the killed run may have expired since, and missing it would buy twice.
    filters: dict[str, Any] = {"per_page": _RECONCILE_PAGE_SIZE}
    if len(products) == 1:
        filters["product"] = next(iter(products))
    found: dict[str, Plan] = {}
    async for plan in client.plans.list(**filters):
        reference = plan.end_user_reference
        if reference in wanted and reference not in found:
            found[reference] = plan
            if len(found) == len(wanted):
                break
    return found


class _Withheld(Exception):
    """The run stopped before this purchase went out: nothing was sent."""


async def _run_workers(
    client: AsyncFlashProxy,
    orders: Sequence[PlanOrder],
    book: Journal,
    report: ProvisionReport,
    settle: Callable[[str, str, BaseException | None], None],
) -> None:
    queue = deque(orders)
    workers = max(1, min(int(client.limiter.max_concurrent), len(queue)))
    withheld: list[str] = []
    stop = anyio.Event()
    # Purchases whose first attempt still waits in the limiter: a stop calls them off.
    # A purchase leaves this set the moment before it is sent; a retry after a 429 is
    # held back by launch() instead.
    unsent: set[anyio.CancelScope] = set()

    def stop_the_run(error: BaseException) -> None:
        report.stopped_by = error
        stop.set()
        for scope in unsent:
            scope.cancel()

    async def purchase(order: PlanOrder) -> None:
        intent_written = False

        def launch(event: RequestEvent) -> None:
            # A request hook: runs right before each attempt is sent, past the
            # limiter's wait, the last moment a stop can hold the purchase back.
            nonlocal intent_written
            if stop.is_set():
                if intent_written:  # an earlier attempt was turned away unprocessed
                    book.withheld(order.reference)
                raise _Withheld
            unsent.discard(scope)
            book.intent(order)
            intent_written = True

        hooks = client.event_hooks
        hooks["request"].append(launch)
        guarded = client.with_options(event_hooks=hooks)
        with anyio.CancelScope() as scope:
            unsent.add(scope)
            try:
                plan = await guarded.plans.create(**create_kwargs(order))
            except _Withheld:
                withheld.append(order.reference)
                return
            except Exception as exc:
                unknown = _outcome_unknown(exc)
                book.failed(order.reference, exc, outcome_unknown=unknown)
                report.failed[order.reference] = exc
                if _stops_the_run(exc) and not stop.is_set():
                    stop_the_run(exc)
                settle(order.reference, "failed", exc)
                return
            finally:
                unsent.discard(scope)
            book.created(order.reference, plan)
            report.created[order.reference] = plan
            settle(order.reference, "created", None)
        if scope.cancelled_caught:  # called off while it waited: nothing was sent
            withheld.append(order.reference)

    async def worker() -> None:
        while queue and not stop.is_set():
            await purchase(queue.popleft())

    if queue:
        async with anyio.create_task_group() as group:
            for _ in range(workers):
                group.start_soon(worker)
    position = {order.reference: i for i, order in enumerate(orders)}
    for reference in sorted([*withheld, *(o.reference for o in queue)], key=position.__getitem__):
        report.not_attempted.append(reference)
        settle(reference, "not_attempted", None)
