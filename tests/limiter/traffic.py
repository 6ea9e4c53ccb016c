"""Helpers for the limiter tests: a limiter on virtual time, and recorded traffic."""

from __future__ import annotations

import itertools
import math
from typing import TypeVar

from _support.clock import FakeClock

from flashproxy_async import TokenBucketLimiter

T = TypeVar("T")


def make_limiter(
    clock: FakeClock, rate: int = 5, period: float = 10.0, max_concurrent: int = 3
) -> TokenBucketLimiter:
    return TokenBucketLimiter(rate, period, max_concurrent, clock=clock, sleep=clock.sleep)


class Traffic:
    """Requests through one limiter, recording when each started and how many overlapped."""

    def __init__(self, limiter: TokenBucketLimiter, clock: FakeClock) -> None:
        self.limiter = limiter
        self.clock = clock
        self.starts: list[float] = []
        self.order_asked: list[int] = []
        self.order_started: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._numbers = itertools.count()

    async def request(self, arrive_at: float = -math.inf, duration: float = 0.0) -> None:
        await self.clock.sleep_until(arrive_at)
        number = next(self._numbers)
        self.order_asked.append(number)
        async with self.limiter.slot():
            self.starts.append(self.clock())
            self.order_started.append(number)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            assert self.limiter.in_flight <= self.limiter.max_concurrent
            try:
                await self.clock.sleep(duration)
            finally:
                self.in_flight -= 1
