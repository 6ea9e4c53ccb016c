"""The purchase workers: a fixed pool, journaled at the last moment, stopped on account errors."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import anyio

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
from .._hooks import RequestEvent
from ._journal_base import JournalError, ProvisionJournal
from ._orders import PlanOrder, create_kwargs

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy
    from ._provision import ProvisionReport

__all__ = ["Emit", "outcome_unknown", "run_workers", "stops_the_run"]

Emit = Callable[[str, str, "BaseException | None"], None]


def outcome_unknown(error: BaseException) -> bool:
    """May the purchase have gone through? When unsure, yes: a rerun then looks first."""
    if isinstance(error, FlashProxyError) and error.outcome_unknown:
        return True
    if isinstance(error, RequestValidationError):
        return False
    # A 4xx answer is a refusal; anything else (5xx, a dropped connection, a body that
    # did not decode, a bug) may follow a purchase that went through.
    return not (isinstance(error, APIError) and not isinstance(error, InternalServerError))


def stops_the_run(error: BaseException) -> bool:
    """402, 401 and 403 FORBIDDEN hold for every order; PRODUCT_DISABLED for one product."""
    if isinstance(error, ProductDisabledError):
        return False
    return isinstance(error, (InsufficientBalanceError, AuthenticationError, PermissionDeniedError))


class _Withheld(Exception):
    """The run stopped before this purchase went out: nothing was sent."""


async def run_workers(
    client: AsyncFlashProxy,
    orders: Sequence[PlanOrder],
    book: ProvisionJournal,
    report: ProvisionReport,
    emit: Emit,
    *,
    wall_clock: Callable[[], float],
) -> list[str]:
    """Buy ``orders``; return the references never sent, in job order."""
    queue = deque(orders)
    workers = max(1, min(int(client.limiter.max_concurrent), len(queue)))
    withheld: list[str] = []
    stop = anyio.Event()
    # Purchases whose first attempt still waits in the limiter: a stop calls them off.
    # A purchase leaves this set the moment before it is sent; a retry after a 429 is
    # held back by launch() instead.
    unsent: set[anyio.CancelScope] = set()

    def stop_the_run(error: BaseException) -> None:
        if report.stopped_by is None:
            report.stopped_by = error
        stop.set()
        for scope in unsent:
            scope.cancel()

    def record(write: Callable[[], None]) -> None:
        # A journal that can no longer be written stops the run; what was bought is
        # still reported, and the next run's reconciliation walk finds it.
        try:
            write()
        except JournalError as exc:
            stop_the_run(exc)

    async def purchase(order: PlanOrder) -> None:
        intent_written = False

        def launch(event: RequestEvent) -> None:
            # A request hook: runs right before each attempt is sent, past the
            # limiter's wait, the last moment a stop can hold the purchase back.
            nonlocal intent_written
            if stop.is_set():
                if intent_written:  # an earlier attempt was turned away unprocessed
                    record(functools.partial(book.withheld, order.reference))
                raise _Withheld
            unsent.discard(scope)
            try:
                book.intent(order, sent_at=wall_clock())
            except JournalError as exc:
                stop_the_run(exc)
                raise _Withheld from exc
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
                unknown = outcome_unknown(exc)
                record(
                    functools.partial(book.failed, order.reference, exc, outcome_unknown=unknown)
                )
                report.failed[order.reference] = exc
                if stops_the_run(exc):
                    stop_the_run(exc)
                emit(order.reference, "failed", exc)
                return
            finally:
                unsent.discard(scope)
            record(functools.partial(book.created, order.reference, plan))
            report.created[order.reference] = plan
            emit(order.reference, "created", None)
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
    return sorted([*withheld, *(o.reference for o in queue)], key=position.__getitem__)
