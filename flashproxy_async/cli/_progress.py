"""Progress of a provisioning run: a rich live line on a terminal, plain lines in a pipe.

Both read one :class:`Tally` of the run's :class:`~flashproxy_async.bulk.ProgressEvent`s.
An event whose outcome this module does not know is still shown: counted under its
own name when it settles an order, else shown as the run's status, with whatever
fields it carries (a settle window's seconds left, a walk's requests, ...).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

import attrs
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from ..bulk import ProgressEvent

__all__ = ["ORDER_OUTCOMES", "Tally", "make_renderer", "words"]

#: The outcomes that settle an order, in the order the counts are shown.
ORDER_OUTCOMES = ("created", "reconciled", "skipped", "failed", "not_attempted")
#: Settled without a purchase of this run: they say nothing of its pace.
_INSTANT = frozenset({"skipped", "reconciled"})
_EVENT_FIELDS = frozenset({"reference", "outcome", "done", "total", "error"})
_PLAIN_STATUS_EVERY = 5.0  # seconds between two plain lines of one unchanged status


def words(outcome: str) -> str:
    """An outcome as the summary and the progress both write it: ``not attempted``."""
    return outcome.replace("_", " ")


def _describe(event: ProgressEvent) -> str:
    """A status event in words, with every field it carries beyond the common ones."""
    extras = []
    if attrs.has(type(event)):
        for field in attrs.fields(type(event)):
            value = getattr(event, field.name)
            # A field at its default says nothing of this event (no walk yet, ...).
            if field.name not in _EVENT_FIELDS and value is not None and value != field.default:
                shown = f"{value:.1f}" if isinstance(value, float) else str(value)
                extras.append(f"{words(field.name)} {shown}")
    text = words(event.outcome)
    if event.reference:
        text += f" ({event.reference})"
    return text + (": " + ", ".join(extras) if extras else "")


@attrs.define
class Tally:
    """What a run has done so far, in the words of its progress events."""

    total: int
    clock: Callable[[], float] = time.monotonic
    done: int = 0
    counts: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(ORDER_OUTCOMES, 0))
    outcomes: dict[str, str] = attrs.field(factory=dict)
    event_status: str | None = None
    waiting: int = 0
    worked: int = 0
    started: float = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.started = self.clock()

    def record(self, event: ProgressEvent) -> bool:
        """Count an order's outcome (True), or keep a status event as the run's status."""
        if event.done <= self.done and event.outcome not in ORDER_OUTCOMES:
            self.event_status = _describe(event)
            return False
        self.done = max(self.done, event.done)
        self.total = max(self.total, event.total)
        self.counts[event.outcome] = self.counts.get(event.outcome, 0) + 1
        self.outcomes[event.reference] = event.outcome
        self.event_status = None
        if event.outcome not in _INSTANT:
            self.worked += 1
        return True

    def counts_text(self) -> str:
        return ", ".join(f"{n} {words(outcome)}" for outcome, n in self.counts.items())

    def pace_text(self) -> str:
        elapsed = self.clock() - self.started
        if not self.worked or elapsed <= 0:
            return ""
        rate = self.worked / elapsed
        shown = f"{rate:.1f}/s" if rate >= 1 else f"{rate * 60:.0f}/min"
        left = self.total - self.done
        if not left:
            return shown
        seconds = round(left / rate)
        return f"{shown}, ETA {seconds // 60}:{seconds % 60:02d}"

    def status(self, limiter: Any) -> str | None:
        """What the run is waiting on, if anything: the limiter first, else an event's word."""
        waiting = getattr(limiter, "waiting", 0)
        self.waiting = waiting if isinstance(waiting, int) else 0
        if self.waiting and self.done < self.total:
            window = ""
            rate, period = getattr(limiter, "rate", None), getattr(limiter, "period", None)
            if rate is not None and period is not None:
                window = f" ({rate} requests per {period:g} s)"
            return f"waiting on the rate limit{window}: {self.waiting} purchases queued"
        return self.event_status


class Renderer(Protocol):
    """What shows a run's progress: told of each event, ticked while waiting, closed."""

    def event(self, event: ProgressEvent) -> None: ...
    def tick(self) -> None: ...
    def close(self) -> None: ...


class PlainRenderer:
    """Line-oriented progress for pipes and CI logs: a line per tenth, and status changes."""

    def __init__(self, tally: Tally, limiter: Any, stream: TextIO) -> None:
        self._tally, self._limiter, self._stream = tally, limiter, stream
        self._last_tenth = -1
        self._last_status: str | None = None
        self._status_shown_at = -_PLAIN_STATUS_EVERY

    def event(self, event: ProgressEvent) -> None:
        if not self._tally.record(event):
            self.tick()
            return
        tally = self._tally
        tenth = (10 * tally.done) // max(tally.total, 1)
        if tenth != self._last_tenth or tally.done == tally.total:
            self._last_tenth = tenth
            pace = tally.pace_text()
            self._write(
                f"provisioning {tally.done}/{tally.total}: {tally.counts_text()}"
                + (f"; {pace}" if pace else "")
            )
        self.tick()

    def tick(self) -> None:
        status = self._tally.status(self._limiter)
        now = self._tally.clock()
        kind = status.split(":")[0] if status else None
        changed = kind != (self._last_status.split(":")[0] if self._last_status else None)
        due = status != self._last_status and now - self._status_shown_at >= _PLAIN_STATUS_EVERY
        if status and (changed or due):
            self._write(f"provisioning: {status}")
            self._status_shown_at = now
        self._last_status = status

    def close(self) -> None:
        self._stream.flush()

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()


class RichRenderer:
    """A live progress line on a terminal: bar, done/total, counts, rate and ETA, status."""

    def __init__(self, tally: Tally, limiter: Any, console: Console) -> None:
        self._tally, self._limiter = tally, limiter
        self._live = Live(console=console, auto_refresh=False, transient=False)
        self._live.start()
        self.tick()

    def _render(self) -> RenderableType:
        tally = self._tally
        line = Table.grid(padding=(0, 1))
        line.add_row(
            "provisioning",
            ProgressBar(total=max(tally.total, 1), completed=tally.done, width=30),
            f"{tally.done}/{tally.total}",
            tally.counts_text(),
            Text(tally.pace_text(), style="dim"),
        )
        status = tally.status(self._limiter)
        return Group(line, Text(status, style="yellow")) if status else line

    def event(self, event: ProgressEvent) -> None:
        self._tally.record(event)
        self.tick()

    def tick(self) -> None:
        self._live.update(self._render(), refresh=True)

    def close(self) -> None:
        self._live.stop()


def make_renderer(tally: Tally, limiter: Any, stream: TextIO) -> Renderer:
    """Rich on a terminal, plain lines elsewhere."""
    if stream.isatty():
        return RichRenderer(tally, limiter, Console(file=stream))
    return PlainRenderer(tally, limiter, stream)
