"""One fake clock for every test that needs time: a monotonic clock, a wall clock and a sleep.

Time moves only when something moves it, so no test waits for real and none depends on
the machine's speed:

- ``clock.advance(seconds)`` / ``clock.advance_to(moment)``: the test moves it by hand;
- ``await clock.sleep(seconds)``: the sleeper waits until every task is blocked, then time
  jumps to the earliest sleeper's deadline and wakes it. Serial code sees its sleep pass at
  once; concurrent sleepers wake in deadline order, as they would in real time;
- ``await clock.run(main)``: the same, driven by the caller until ``main`` finishes, and
  a :class:`Deadlock` instead of a hang when every task waits and nobody sleeps.

Pass ``clock`` wherever code takes a monotonic clock, ``clock.sleep`` where it takes a
sleep, and ``clock.wall`` where it takes ``time.time`` (a Retry-After date, say).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import anyio.lowlevel

T = TypeVar("T")

WALL_AT_START = 1_700_000_000.0


class Deadlock(AssertionError):
    """Every task is blocked and nobody sleeps: nothing can ever happen again."""


class FakeClock:
    """Monotonic time (``clock()``), wall time (``clock.wall()``) and a virtual ``sleep``."""

    def __init__(self, start: float = 1000.0, wall_at_start: float = WALL_AT_START) -> None:
        self._now = start
        self._wall_offset = wall_at_start - start
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self._driven_by_run = False

    @property
    def now(self) -> float:
        return self._now

    def __call__(self) -> float:
        return self._now

    @property
    def sleepers(self) -> int:
        """Tasks asleep on this clock right now."""
        return len(self._sleepers)

    def wall(self) -> float:
        """Seconds since the epoch, moving with the monotonic clock."""
        return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        self.advance_to(self._now + seconds)

    def advance_to(self, moment: float) -> None:
        if moment < self._now:
            raise ValueError(f"a monotonic clock does not go back ({moment} < {self._now})")
        self._now = moment
        while self._sleepers and self._sleepers[0][0] <= self._now:
            heapq.heappop(self._sleepers)[2].set()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        wake = anyio.Event()
        entry = (self._now + seconds, next(self._order), wake)
        heapq.heappush(self._sleepers, entry)
        if not self._driven_by_run and (self._driver is None or self._driver.done()):
            self._driver = asyncio.ensure_future(self._wake_sleepers_when_all_blocked())
        try:
            await wake.wait()
        finally:
            # A cancelled sleeper must not pull time forward to a deadline nobody waits for.
            if entry in self._sleepers:
                self._sleepers.remove(entry)
                heapq.heapify(self._sleepers)

    async def sleep_until(self, deadline: float) -> None:
        await self.sleep(deadline - self._now)

    async def run(self, main: Callable[[], Awaitable[T]]) -> T:
        """Run ``main()`` to completion, advancing time whenever all tasks are blocked."""

        async def wrapped() -> T:
            return await main()

        self._driven_by_run = True
        task = asyncio.ensure_future(wrapped())
        try:
            while True:
                await _all_other_tasks_blocked()
                if task.done():
                    return task.result()
                if not self._sleepers:
                    raise Deadlock("every task is blocked and none is sleeping")
                self._wake_the_earliest()
        finally:
            self._driven_by_run = False
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _wake_sleepers_when_all_blocked(self) -> None:
        while self._sleepers and not self._driven_by_run:
            await _all_other_tasks_blocked()
            self._wake_the_earliest()

    def _wake_the_earliest(self) -> None:
        if self._sleepers:
            self.advance_to(max(self._now, self._sleepers[0][0]))


def run_virtual(clock: FakeClock, main: Callable[[], Awaitable[T]]) -> T:
    """``asyncio.run(main())`` on the clock's virtual time, from synchronous test code."""
    return asyncio.run(clock.run(main))


async def _all_other_tasks_blocked() -> None:
    # anyio.wait_all_tasks_blocked() makes the same check on tasks but sleeps 0.1 s real
    # time between looks, and misses callbacks still queued (a finished child's done
    # callback that will wake its task group). Both private attributes are asyncio's
    # own; this helper is test-only.
    loop = asyncio.get_running_loop()
    this_task = asyncio.current_task()
    while True:
        await asyncio.sleep(0)
        if loop._ready:  # type: ignore[attr-defined]
            continue
        for task in asyncio.all_tasks():
            if task is this_task or task.done():
                continue
            waiter = task._fut_waiter  # type: ignore[attr-defined]
            if waiter is None or waiter.done():
                break
        else:
            return
