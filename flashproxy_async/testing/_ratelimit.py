"""The server side of the rate limit: a strict sliding window and a concurrency cap."""

from __future__ import annotations

import collections
from collections.abc import Callable

import attrs


@attrs.define
class FakeStats:
    """Counters the tests can read from ``fake.stats``."""

    requests: int = 0
    """Every request received, including rejected ones."""
    rate_limited: int = 0
    """429 RATE_LIMITED answers sent (window and concurrency together)."""
    window_rejections: int = 0
    concurrency_rejections: int = 0
    unauthorized: int = 0
    in_flight: int = 0
    peak_concurrency: int = 0
    dropped_connections: int = 0


@attrs.define(frozen=True)
class Rejection:
    """Why a request was refused, and how long until it would be admitted."""

    reason: str
    retry_after: float


class RateLimiter:
    """At most ``rate`` admissions in any ``period`` and ``max_concurrent`` in flight, per key.

    The window is strict: a request is admitted only when fewer than ``rate`` admissions
    happened in the last ``period`` seconds. Rejected requests use no budget.
    """

    def __init__(
        self,
        *,
        rate: int,
        period: float,
        max_concurrent: int,
        clock: Callable[[], float],
        stats: FakeStats,
    ) -> None:
        self.rate = rate
        self.period = period
        self.max_concurrent = max_concurrent
        self._clock = clock
        self._stats = stats
        self._admitted: dict[str, collections.deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    def admit(self, key: str) -> Rejection | None:
        """Take a window slot and a concurrency slot for ``key``, or say why not."""
        now = self._clock()
        window = self._admitted.setdefault(key, collections.deque())
        while window and window[0] <= now - self.period:
            window.popleft()
        if len(window) >= self.rate:
            self._stats.window_rejections += 1
            self._stats.rate_limited += 1
            return Rejection("rate", window[0] + self.period - now)
        in_flight = self._in_flight.get(key, 0)
        if in_flight >= self.max_concurrent:
            self._stats.concurrency_rejections += 1
            self._stats.rate_limited += 1
            # No slot frees at a known time; suggest the mean spacing of the window.
            return Rejection("concurrency", self.period / max(self.rate, 1))
        window.append(now)
        self._in_flight[key] = in_flight + 1
        self._stats.in_flight += 1
        self._stats.peak_concurrency = max(self._stats.peak_concurrency, self._stats.in_flight)
        return None

    def release(self, key: str) -> None:
        """Give back the concurrency slot ``admit`` took."""
        self._in_flight[key] -= 1
        self._stats.in_flight -= 1

    def reset(self) -> None:
        """Forget every admission, as if the window had passed."""
        self._admitted.clear()
