"""Virtual time for limiter tests: a clock and a sleep that never wait for real.

`VirtualClock.run(main)` runs `main` and, whenever every other task is blocked,
advances time to the next sleeper's wake-up time and wakes it. A minute of limiter
traffic takes milliseconds, and the outcome does not depend on the machine's speed.
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


class Deadlock(AssertionError):
    """Every task is blocked and nobody sleeps: nothing can ever happen again."""


class VirtualClock:
    """A clock (``clock()``) and a ``sleep`` that advance only under :meth:`run`."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if delay <= 0:
            await anyio.lowlevel.checkpoint()
            return
        wake = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._order), wake))
        await wake.wait()

    async def sleep_until(self, deadline: float) -> None:
        await self.sleep(deadline - self.now)

    async def run(self, main: Callable[[], Awaitable[T]]) -> T:
        """Run ``main()`` to completion, advancing time whenever all tasks are blocked."""

        async def wrapped() -> T:
            return await main()

        task = asyncio.ensure_future(wrapped())
        try:
            while True:
                await _all_other_tasks_blocked()
                if task.done():
                    return task.result()
                if not self._sleepers:
                    raise Deadlock("every task is blocked and none is sleeping")
                self.now = max(self.now, self._sleepers[0][0])
                while self._sleepers and self._sleepers[0][0] <= self.now:
                    heapq.heappop(self._sleepers)[2].set()
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


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
