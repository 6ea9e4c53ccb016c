"""The file journal: a header line, then one JSON record a line, each fsync'd before use.

The header names the job and the API base URL (never the key)::

    {"flashproxy_journal": "provision", "format": 2, "job": "9f2c...", "base_url": "..."}

Records, in the order an order goes through them:

* ``intent`` - written and fsync'd right before the purchase request is sent, once
  the limiter has let it go, with ``sent_at`` (Unix seconds) for the settle window;
* ``created`` - the plan that was bought (or found again by reconciliation);
* ``failed`` - the purchase failed; ``outcome_unknown`` says whether it may
  nevertheless have gone through;
* ``conflict`` - a plan of another product carries the order's reference;
* ``absent`` - reconciliation found no plan for the order;
* ``withheld`` - the run stopped before a retry of a purchase turned away unprocessed
  (a 429) went out: nothing was bought.

An order's last record decides its state. A process killed while writing leaves at
most a torn last line: the record it carried was not yet acted on, so it is cut off
when the journal is next opened. A damaged line anywhere else refuses the journal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .._converter import structure, unstructure
from .._exceptions import APIError, FlashProxyError
from .._generated import Plan
from ._host_lock import HostLock
from ._journal_base import (
    JobHeader,
    JournalEntry,
    JournalError,
    JournalInUseError,
    OrderState,
)
from ._orders import PlanOrder

__all__ = ["FileJournal", "Journal"]

_KIND = "provision"
_FORMAT_VERSION = 2
_EVENTS = frozenset({"intent", "created", "failed", "conflict", "absent", "withheld"})


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _plan_without_secrets(plan: Plan) -> dict[str, Any]:
    # The journal is a durable file that outlives the run; proxy passwords stay out of it.
    data: dict[str, Any] = unstructure(attrs.evolve(plan, proxy_password=None))
    connection = data.get("connection")
    if isinstance(connection, dict):
        connection.pop("format", None)
    return data


def _lock_file(fd: int, path: Path) -> None:
    """Hold an exclusive lock on the journal until it is closed (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalInUseError(f"journal {path} is in use by another provisioning run") from None


class FileJournal:
    """A journal of one job in a local file, held by one run at a time.

    Args:
        path: the journal file; created (with its header) if it does not exist.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.header = JobHeader(job="", base_url="")
        self.entries: dict[str, JournalEntry] = {}
        self._fd: int | None = None
        self._host_lock: HostLock | None = None

    @property
    def name(self) -> str:
        return str(self.path)

    def open(self, header: JobHeader) -> None:
        """Lock the journal, check its header against ``header``, read it, open it for appending.

        Raises:
            JournalInUseError: another run holds the journal.
            JournalError: the file is not a journal of this job, or is damaged.
            OSError: the file cannot be created or read.
        """
        self.header = header
        if self.path.is_dir():
            raise JournalError(f"journal {self.path}: is a directory, not a journal file")
        lock = HostLock.for_journal(self.path)
        lock.acquire(journal=self.name)
        try:
            if not self.path.exists():
                self._create()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
            try:
                _lock_file(fd, self.path)
                entries, good_length = self._read(fd)
                if good_length < os.fstat(fd).st_size:
                    os.ftruncate(fd, good_length)  # the torn last line of a killed run
                    os.fsync(fd)
            except BaseException:
                os.close(fd)
                raise
        except BaseException:
            lock.release()
            raise
        self.entries = entries
        self._fd = fd
        self._host_lock = lock

    def _create(self) -> None:
        # Written aside, then linked into place: a crash never leaves an empty or
        # headerless journal of ours, and a file that appeared meanwhile is not clobbered.
        header = {
            "flashproxy_journal": _KIND,
            "format": _FORMAT_VERSION,
            "job": self.header.job,
            "base_url": self.header.base_url,
            "created_at": _now(),
        }
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (json.dumps(header) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _read(self, fd: int) -> tuple[dict[str, JournalEntry], int]:
        """Every order's state, and the length of the file without a torn last line."""
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        if not data.strip():
            raise JournalError(
                f"journal {self.path}: the file is empty, so it is not a journal (a new "
                "journal is only ever created where no file exists)"
            )
        lines = data.split(b"\n")
        torn_tail = lines.pop()  # b"" when the file ends with a newline
        self._check_header(lines[0] if lines else torn_tail, line=1)
        entries: dict[str, JournalEntry] = {}
        for number, raw in enumerate(lines[1:], start=2):
            self._apply(entries, self._record(raw, number), number)
        good_length = len(data) - len(torn_tail)
        if torn_tail and lines:
            try:
                record = self._record(torn_tail, len(lines) + 1)
            except JournalError:
                return entries, good_length
            self._apply(entries, record, len(lines) + 1)
            good_length = len(data)
        return entries, good_length

    def _parse(self, raw: bytes, number: int) -> Any:
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise JournalError(f"journal {self.path}:{number}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise JournalError(
                f"journal {self.path}:{number}: not a JSON record ({exc.msg})"
            ) from None

    def _check_header(self, raw: bytes, *, line: int) -> None:
        try:
            header = self._parse(raw, line)
        except JournalError:
            header = None
        if not isinstance(header, dict) or header.get("flashproxy_journal") != _KIND:
            raise JournalError(
                f"journal {self.path}:{line}: not a provisioning journal (it does not "
                "start with a journal header); pass a new path, or the journal of this job"
            )
        if header.get("format") != _FORMAT_VERSION:
            raise JournalError(
                f"journal {self.path}:{line}: format {header.get('format')!r}, this "
                f"version reads format {_FORMAT_VERSION}"
            )
        if header.get("job") != self.header.job:
            raise JournalError(
                f"journal {self.path}:{line}: the journal of another job (job "
                f"{header.get('job')}; these orders are job {self.header.job}); give each "
                "job its own journal"
            )
        if header.get("base_url") != self.header.base_url:
            raise JournalError(
                f"journal {self.path}:{line}: written against {header.get('base_url')}, "
                f"this run uses {self.header.base_url}"
            )

    def _record(self, raw: bytes, number: int) -> Mapping[str, Any]:
        record = self._parse(raw, number)
        if (
            not isinstance(record, dict)
            or record.get("event") not in _EVENTS
            or not isinstance(record.get("reference"), str)
        ):
            raise JournalError(f"journal {self.path}:{number}: not a journal record")
        return record

    def _apply(self, entries: dict[str, JournalEntry], record: Mapping[str, Any], n: int) -> None:
        reference: str = record["reference"]
        previous = entries.get(reference)
        entry = _entry_from_record(record, previous)
        if entry is None:
            raise JournalError(f"journal {self.path}:{n}: a damaged {record['event']} record")
        entries[reference] = entry

    def close(self) -> None:
        """Close the file and release its locks."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        lock, self._host_lock = self._host_lock, None
        if lock is not None:
            lock.release()

    def _append(self, record: Mapping[str, Any]) -> None:
        if self._fd is None:
            raise RuntimeError("the journal is not open")
        try:
            replaced = os.stat(self.path).st_ino != os.fstat(self._fd).st_ino
        except FileNotFoundError:
            replaced = True
        if replaced:
            # Records written now would land in a file nobody will read.
            raise JournalError(f"journal {self.path}: deleted or replaced during the run")
        line = json.dumps({"v": _FORMAT_VERSION, "at": _now(), **record}) + "\n"
        os.write(self._fd, line.encode())
        os.fsync(self._fd)

    def intent(self, order: PlanOrder, *, sent_at: float) -> None:
        """Record, durably, that the purchase for ``order`` is about to be sent."""
        self._append(
            {
                "event": "intent",
                "reference": order.reference,
                "sent_at": sent_at,
                "order": _order(order),
            }
        )
        self.entries[order.reference] = JournalEntry(OrderState.IN_DOUBT, sent_at=sent_at)

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
        previous = self.entries.get(reference)
        if outcome_unknown:
            sent_at = previous.sent_at if previous is not None else None
            self.entries[reference] = JournalEntry(OrderState.IN_DOUBT, sent_at=sent_at)
        else:
            self.entries[reference] = JournalEntry(OrderState.RETRY)

    def conflict(self, reference: str, error: BaseException) -> None:
        """Record that a plan of another product carries ``reference``."""
        self._append({"event": "conflict", "reference": reference, "message": str(error)})
        self.entries[reference] = JournalEntry(OrderState.CONFLICT)

    def absent(self, reference: str) -> None:
        """Record that reconciliation found no plan for the order."""
        self._append({"event": "absent", "reference": reference})
        self.entries[reference] = JournalEntry(OrderState.RETRY)

    def withheld(self, reference: str) -> None:
        """Record that nothing was bought: the run stopped before a retry went out."""
        self._append({"event": "withheld", "reference": reference})
        self.entries[reference] = JournalEntry(OrderState.RETRY)

    def state(self, reference: str) -> JournalEntry:
        """The journal's last word on ``reference``."""
        return self.entries.get(reference, JournalEntry(OrderState.NEW))


Journal = FileJournal


def _order(order: PlanOrder) -> dict[str, Any]:
    return {k: v for k, v in attrs.asdict(order).items() if v is not None}


def _entry_from_record(
    record: Mapping[str, Any], previous: JournalEntry | None
) -> JournalEntry | None:
    event = record["event"]
    if event == "intent":
        sent_at = record.get("sent_at")
        if not isinstance(sent_at, int | float) or isinstance(sent_at, bool):
            return None
        return JournalEntry(OrderState.IN_DOUBT, sent_at=float(sent_at))
    if event == "created":
        if not isinstance(record.get("plan"), dict):
            return None
        try:
            plan = structure(record["plan"], Plan, path="journal.plan")
        except FlashProxyError:
            plan = None
        if plan is None or plan.plan_id is None:
            # Bought, but the record no longer reads as a plan (an SDK upgrade changed
            # the model, a hand edit): the API knows which plan it is, by reference.
            return JournalEntry(OrderState.IN_DOUBT)
        return JournalEntry(OrderState.DONE, plan)
    if event == "failed":
        if record.get("outcome_unknown") is False:
            return JournalEntry(OrderState.RETRY)
        return JournalEntry(
            OrderState.IN_DOUBT, sent_at=previous.sent_at if previous is not None else None
        )
    if event == "conflict":
        return JournalEntry(OrderState.CONFLICT)
    return JournalEntry(OrderState.RETRY)
