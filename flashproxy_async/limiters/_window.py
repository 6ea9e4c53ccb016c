"""When may the next request start? The arithmetic of the limiter, with no waiting in it.

The limiter keeps a log of the last ``rate`` start times. A new request may start once
the oldest of them is ``period + margin`` old, so any window of ``period`` seconds holds
at most ``rate`` starts, however a strict server slides its window. A plain token bucket
of capacity ``rate`` would admit nearly ``2 * rate`` in its first period (aiolimiter's
``AsyncLimiter(100, 60)`` does, by design), which a strict server answers with 429s.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["StartWindow", "default_margin"]

# A margin under 1% of the period, or under ~20 ms, drew 429s from a strict loopback
# server at scaled periods: requests sent `period` apart can
# arrive less than `period` apart. 1% was still not enough at 100 per 3 s under
# coverage: the first burst of 20 opens 20 connections, which delayed its last request
# by up to ~26 ms (~40 ms on a busy machine) against under 1 ms for the same burst on
# warm connections a period later.
# 2% keeps 98% of the rate.
_MARGIN_FRACTION = 0.02
_MARGIN_FLOOR = 0.020


def default_margin(period: float) -> float:
    """The gap left beyond ``period`` between a start and the one ``rate`` starts before it."""
    return max(_MARGIN_FRACTION * period, _MARGIN_FLOOR)


class StartWindow:
    """The last ``rate`` start times and a pause deadline; says when the next may start.

    Times are read from whatever clock the caller uses; this class never reads one.
    """

    __slots__ = (
        "_not_before",
        "_rate",
        "_since_pause",
        "_spacing",
        "_starts",
        "_step",
    )

    def __init__(self, rate: int, period: float, margin: float) -> None:
        self._rate = rate
        self._spacing = period + margin
        self._step = period / rate
        self._starts: deque[float] = deque(maxlen=rate)
        self._not_before = -math.inf
        # Starts since the last pause; the first ``rate`` of them are paced. A count
        # rather than a countdown, so that :meth:`unrecord` can undo exactly.
        self._since_pause = rate

    @property
    def spacing(self) -> float:
        """The least time between a start and the one ``rate`` starts after it."""
        return self._spacing

    @property
    def not_before(self) -> float:
        """The pause deadline: no start before it (``-inf`` if never paused)."""
        return self._not_before

    def earliest_start(self) -> float:
        """The earliest time the next request may start (``-inf``: at once)."""
        earliest = self._not_before
        starts = self._starts
        if len(starts) == self._rate:
            earliest = max(earliest, starts[0] + self._spacing)
        if self._since_pause < self._rate and starts:
            earliest = max(earliest, starts[-1] + self._step)
        return earliest

    def record(self, at: float) -> None:
        """Log a start at ``at``; the caller has checked ``at >= earliest_start()``."""
        self._starts.append(at)
        self._since_pause += 1

    def restamp(self, at: float, now: float) -> None:
        """Move the start logged at ``at`` to ``now``, when it really began: ``now`` is
        no earlier than any start logged, so the log stays in order."""
        self._forget(at)
        self._starts.append(now)

    def unrecord(self, at: float) -> None:
        """Forget the start logged at ``at``: it was granted to a waiter cancelled before
        it could send.

        A start the full log pushed out when ``at`` was recorded stays forgotten: it was
        already ``spacing`` old at ``at``, so it can hold back no later start.
        """
        self._forget(at)
        if at >= self._not_before:  # logged after the last pause: it counted as paced
            self._since_pause -= 1

    def _forget(self, at: float) -> None:
        # From the right: the start is one of the few logged since it was granted.
        starts = self._starts
        for index in range(len(starts) - 1, -1, -1):
            if starts[index] == at:
                del starts[index]
                return

    def pause(self, until: float) -> None:
        """No start before ``until``; after it, the next ``rate`` start ``period / rate`` apart.

        A 429 says the server's window is full, whatever our log says (another process
        may share the key). Letting every queued request start at ``until``, or the
        moment our own log frees up, would refill the server's window at once and draw
        the next 429. Pacing at the documented average rate cannot.
        """
        self._not_before = max(self._not_before, until)
        self._since_pause = 0
