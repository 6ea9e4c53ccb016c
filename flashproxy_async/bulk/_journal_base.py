"""What provisioning needs from a journal, whatever keeps it (a file, Redis).

A journal belongs to one job: its header names the job (derived from the orders'
references and products) and the API base URL. A journal of another job, or
anything that is not a journal, is refused before anything is sent.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from typing import Protocol

import attrs

from .._exceptions import FlashProxyError
from .._generated import Plan
from ._orders import PlanOrder

__all__ = [
    "JobHeader",
    "JournalEntry",
    "JournalError",
    "JournalInUseError",
    "OrderState",
    "ProvisionJournal",
    "job_id",
]


class JournalError(FlashProxyError):
    """A journal that cannot be used: not a journal, another job's, damaged, or in use.

    The message names the journal (its file, and the line where one is at fault).
    Raised before anything is sent; nothing is written to the journal.
    """


class JournalInUseError(JournalError, OSError):
    """Another provisioning run holds this journal or this account: two runs would buy twice."""


class OrderState(enum.Enum):
    """What the journal says about one order."""

    NEW = "new"
    DONE = "done"
    IN_DOUBT = "in_doubt"
    RETRY = "retry"
    """It failed for sure, or reconciliation found no plan: buying is safe."""
    CONFLICT = "conflict"
    """A plan of another product carries the reference: never bought, looked up again."""


@attrs.frozen
class JournalEntry:
    """The last word of the journal on one order.

    ``sent_at`` is the wall-clock time (Unix seconds) the last purchase attempt was
    sent, for an order in doubt: the settle window counts from it.
    """

    state: OrderState
    plan: Plan | None = None
    sent_at: float | None = None


@attrs.frozen
class JobHeader:
    """What a journal's header says: which job, against which API. Never the key."""

    job: str
    base_url: str


def job_id(orders: Iterable[PlanOrder]) -> str:
    """The job's identity: a digest of its references and products, in any order."""
    pairs = sorted((order.reference, order.product) for order in orders)
    digest = hashlib.sha256(json.dumps(pairs, separators=(",", ":")).encode())
    return digest.hexdigest()[:32]


class ProvisionJournal(Protocol):
    """The operations :func:`~flashproxy_async.bulk.provision` performs on a journal.

    ``open`` takes the journal's lock, checks its header against the job and reads
    every order's state, raising :class:`JournalError` when any of that fails; each
    record method makes its record durable before it returns.
    """

    @property
    def name(self) -> str:
        """How messages name this journal (its path, its Redis key)."""
        ...

    def open(self, header: JobHeader) -> None: ...

    def close(self) -> None: ...

    def state(self, reference: str) -> JournalEntry: ...

    def intent(self, order: PlanOrder, *, sent_at: float) -> None: ...

    def created(self, reference: str, plan: Plan, *, via: str = "purchase") -> None: ...

    def failed(self, reference: str, error: BaseException, *, outcome_unknown: bool) -> None: ...

    def conflict(self, reference: str, error: BaseException) -> None: ...

    def absent(self, reference: str) -> None: ...

    def withheld(self, reference: str) -> None: ...
