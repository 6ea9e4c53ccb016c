"""The provisioning journal: one JSON object per line, each made durable before use.

Events, in the order an order goes through them:

* ``intent`` - written and fsync'd right before the purchase request is sent, once
  the limiter has let it go;
* ``created`` - the plan that was bought (or found again by reconciliation);
* ``failed`` - the purchase failed; ``outcome_unknown`` says whether it may
  nevertheless have gone through;
* ``absent`` - reconciliation found no plan for an order that was in doubt;
* ``withheld`` - the run stopped before a retry of a purchase turned away unprocessed
  (a 429) went out: nothing was bought.

An order's last event decides its state. A process killed while writing leaves at
most a torn last line, which is ignored on reading: the event it carried was not
yet acted on.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import attrs

from .._converter import structure, unstructure
from .._exceptions import APIError, FlashProxyError
from .._generated import Plan
from ._orders import PlanOrder

__all__ = ["Journal", "JournalEntry", "JournalInUseError", "OrderState"]


class JournalInUseError(OSError):
    """Another provisioning run holds this journal: two runs would buy twice."""


def _lock(handle: TextIO) -> None:
    """Hold an exclusive lock on the journal until it is closed (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalInUseError(
            f"journal {handle.name} is in use by another provisioning run"
        ) from None


_FORMAT_VERSION = 1


class OrderState(enum.Enum):
    """What the journal says about one order."""

    NEW = "new"
    DONE = "done"
    IN_DOUBT = "in_doubt"
    RETRY = "retry"
    """It failed for sure, or reconciliation found no plan: buying is safe."""


@attrs.frozen
class JournalEntry:
    """The last word of the journal on one order."""

    state: OrderState
    plan: Plan | None = None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _plan_without_secrets(plan: Plan) -> dict[str, Any]:
    # The journal is a durable file that outlives the run; proxy passwords stay out of it.
    data: dict[str, Any] = unstructure(attrs.evolve(plan, proxy_password=None))
    connection = data.get("connection")
    if isinstance(connection, dict):
        connection.pop("format", None)
    return data


class Journal:
    """An append-only JSONL journal, opened for one provisioning run."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.entries: dict[str, JournalEntry] = {}
        self._handle: TextIO | None = None

    def _read(self) -> Iterator[tuple[str, JournalEntry]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line from a killed run
                if not isinstance(record, dict) or not isinstance(record.get("reference"), str):
                    continue
                entry = _entry_from_record(record)
                if entry is not None:
                    yield record["reference"], entry

    def open(self) -> None:
        """Lock the journal, read it, and open it for appending.

        Raises:
            JournalInUseError: another run holds the journal.
        """
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handle = os.fdopen(fd, "a", encoding="utf-8")
        try:
            _lock(handle)
        except BaseException:
            handle.close()
            raise
        self.entries = dict(self._read())
        # A torn last line is ended, so that the records appended after it parse.
        if handle.tell() > 0:
            with self.path.open("rb") as reader:
                reader.seek(-1, os.SEEK_END)
                if reader.read(1) != b"\n":
                    handle.write("\n")
        self._handle = handle

    def close(self) -> None:
        """Close the file."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def __enter__(self) -> Journal:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _append(self, record: Mapping[str, Any]) -> None:
        if self._handle is None:
            raise RuntimeError("the journal is not open")
        self._handle.write(json.dumps({"v": _FORMAT_VERSION, "at": _now(), **record}) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def intent(self, order: PlanOrder) -> None:
        """Record, durably, that the purchase for ``order`` is about to be sent."""
        self._append({"event": "intent", "reference": order.reference, "order": _order(order)})
        self.entries[order.reference] = JournalEntry(OrderState.IN_DOUBT)

    def created(self, reference: str, plan: Plan, *, via: str = "purchase") -> None:
        """Record the plan bought for ``reference`` (``via`` "purchase" or "reconcile")."""
        self._append(
            {
                "event": "created",
                "reference": reference,
                "via": via,
                "plan": _plan_without_secrets(plan),
            }
        )
        self.entries[reference] = JournalEntry(OrderState.DONE, plan)

    def failed(self, reference: str, error: BaseException, *, outcome_unknown: bool) -> None:
        """Record a failed purchase, and whether it may have gone through anyway."""
        record: dict[str, Any] = {
            "event": "failed",
            "reference": reference,
            "error": type(error).__name__,
            "message": str(error),
            "outcome_unknown": outcome_unknown,
        }
        if isinstance(error, APIError):
            record.update(status=error.status, code=error.code)
        self._append(record)
        state = OrderState.IN_DOUBT if outcome_unknown else OrderState.RETRY
        self.entries[reference] = JournalEntry(state)

    def absent(self, reference: str) -> None:
        """Record that reconciliation found no plan for an order that was in doubt."""
        self._append({"event": "absent", "reference": reference})
        self.entries[reference] = JournalEntry(OrderState.RETRY)

    def withheld(self, reference: str) -> None:
        """Record that nothing was bought: the run stopped before a retry went out."""
        self._append({"event": "withheld", "reference": reference})
        self.entries[reference] = JournalEntry(OrderState.RETRY)

    def state(self, reference: str) -> JournalEntry:
        """The journal's last word on ``reference``."""
        return self.entries.get(reference, JournalEntry(OrderState.NEW))


def _order(order: PlanOrder) -> dict[str, Any]:
    return {k: v for k, v in attrs.asdict(order).items() if v is not None}


def _entry_from_record(record: Mapping[str, Any]) -> JournalEntry | None:
    event = record.get("event")
    if event == "intent":
        return JournalEntry(OrderState.IN_DOUBT)
    if event == "created":
        try:
            plan = structure(record.get("plan") or {}, Plan, path="journal.plan")
        except FlashProxyError:
            plan = None
        if plan is None or plan.plan_id is None:
            # Bought, but the record no longer reads as a plan (an SDK upgrade changed
            # the model, a hand edit): the API knows which plan it is, by reference.
            return JournalEntry(OrderState.IN_DOUBT)
        return JournalEntry(OrderState.DONE, plan)
    if event == "failed":
        unknown = record.get("outcome_unknown") is not False
        return JournalEntry(OrderState.IN_DOUBT if unknown else OrderState.RETRY)
    if event in ("absent", "withheld"):
        return JournalEntry(OrderState.RETRY)
    return None
