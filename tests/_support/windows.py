"""What a strict sliding-window server would see of recorded request starts."""

from __future__ import annotations


def max_starts_in_any_window(starts: list[float], period: float) -> int:
    """The most starts a strict server sees in a closed window of ``period`` seconds."""
    ordered = sorted(starts)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] > period:
            first += 1
        most = max(most, last - first + 1)
    return most
