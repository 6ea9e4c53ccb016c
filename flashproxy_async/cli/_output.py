"""Tables, JSON and the progress bar, drawn with the standard library only."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .._converter import unstructure
from .._redact import MASK

__all__ = ["ProgressBar", "print_json", "print_table", "public_data"]

_SECRET_FIELDS = frozenset({"proxy_password", "password", "full", "format"})


def public_data(model: Any) -> Any:
    """A model as JSON-ready data with every password masked.

    The CLI prints proxy credentials only where asked for them (``proxy-url``).
    """
    return _mask(unstructure(model))


def _mask(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: (MASK if key in _SECRET_FIELDS and value is not None else _mask(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_mask(item) for item in data]
    return data


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """Print ``data`` as indented JSON."""
    print(json.dumps(data, indent=2, default=str), file=stream or sys.stdout)


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], stream: TextIO | None = None
) -> None:
    """Print rows as a plain aligned table."""
    out = stream or sys.stdout
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    print(line, file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


class ProgressBar:
    """A one-line progress bar on stderr.

    On a terminal it redraws in place; elsewhere (a pipe, a CI log) it prints a
    line at most every tenth of the job, so logs stay short.
    """

    _WIDTH = 30

    def __init__(self, total: int, *, label: str = "provisioning", stream: TextIO | None = None):
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self.counts: dict[str, int] = {}
        self._interactive = self.stream.isatty()
        self._last_tenth = -1

    def update(self, done: int, outcome: str) -> None:
        """Record that ``done`` orders have settled, the last one with ``outcome``."""
        self.done = done
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        tenth = (10 * done) // max(self.total, 1)
        if self._interactive:
            self.stream.write("\r" + self._line())
            self.stream.flush()
        elif tenth != self._last_tenth or done == self.total:
            self._last_tenth = tenth
            self.stream.write(self._line() + "\n")
            self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self._interactive and self.done:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = round(self._WIDTH * fraction)
        bar = "#" * filled + "-" * (self._WIDTH - filled)
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.counts.items()))
        return f"{self.label} [{bar}] {self.done}/{self.total}  {counts}"
