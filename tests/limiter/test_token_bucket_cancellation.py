"""TokenBucketLimiter cancellation: a cancelled waiter takes nothing, a holder gives back."""

from __future__ import annotations

import asyncio
import math

import anyio
import pytest
from _support.clock import FakeClock, run_virtual
from _support.windows import max_starts_in_any_window
from traffic import Traffic, make_limiter


def test_a_cancellation_storm_leaves_the_limiter_as_free_as_before() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=4, period=10.0, max_concurrent=3)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        holders = [asyncio.ensure_future(traffic.request(duration=1e6)) for _ in range(3)]
        permit_waiters = [asyncio.ensure_future(traffic.request(duration=1e6)) for _ in range(2)]
        slot_waiters = [asyncio.ensure_future(traffic.request()) for _ in range(40)]
        await clock.sleep(1.0)
        assert (limiter.in_flight, limiter.waiting) == (3, 42)

        for task in holders + permit_waiters + slot_waiters[::2]:
            task.cancel()
        await asyncio.gather(*holders, *permit_waiters, return_exceptions=True)
        survivors = slot_waiters[1::2]
        await asyncio.gather(*survivors)
        await asyncio.gather(*slot_waiters, return_exceptions=True)

    run_virtual(clock, main)

    # The 3 holders took their permits before the storm; of the 42 waiters only the
    # 20 survivors ever started: a cancelled waiter takes nothing.
    assert limiter.started == 3 + 20 == len(traffic.starts)
    assert (limiter.in_flight, limiter.waiting) == (0, 0)
    assert max_starts_in_any_window(traffic.starts, 10.0) <= 4

    # As free as a new limiter: max_concurrent slots at once, and the window only
    # remembers real starts.
    fresh_traffic = Traffic(limiter, clock)

    async def again() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(fresh_traffic.request, -math.inf, 1e3)

    run_virtual(clock, again)
    assert fresh_traffic.max_in_flight == 3


@pytest.mark.parametrize("cancel_with", ["anyio-scope", "asyncio-task"])
def test_a_slot_handed_to_a_waiter_cancelled_in_the_same_instant_passes_on(
    cancel_with: str,
) -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=100, period=1.0, max_concurrent=1)
    entered: list[str] = []

    async def take(name: str) -> None:
        async with limiter.slot():
            entered.append(name)

    async def doomed(scope: anyio.CancelScope) -> None:
        with scope:
            await take("doomed")

    async def main() -> None:
        scope = anyio.CancelScope()
        await limiter.acquire()
        doomed_task = asyncio.ensure_future(doomed(scope))
        await clock.sleep(1.0)
        next_task = asyncio.ensure_future(take("next"))
        await clock.sleep(1.0)
        assert limiter.waiting == 2
        await limiter.release()  # hands the only slot to "doomed"...
        if cancel_with == "anyio-scope":  # ...which is cancelled before it can run
            scope.cancel()
        else:
            doomed_task.cancel()
        await asyncio.gather(doomed_task, next_task, return_exceptions=True)

    run_virtual(clock, main)
    assert entered == ["next"]
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 2)


def test_a_permit_turn_handed_to_a_waiter_cancelled_in_the_same_instant_passes_on() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=1, period=10.0, max_concurrent=5)
    started: list[tuple[str, float]] = []

    async def take(name: str) -> None:
        async with limiter.slot():
            started.append((name, clock()))

    async def main() -> None:
        first = asyncio.ensure_future(take("first"))  # gets the only permit at once
        await clock.sleep(0.1)
        second = asyncio.ensure_future(take("second"))  # head of the permit queue, sleeping
        await clock.sleep(0.1)
        third = asyncio.ensure_future(take("third"))
        await clock.sleep(0.1)
        assert limiter.waiting == 2
        second.cancel()  # the head, asleep until the window frees
        await asyncio.gather(first, second, third, return_exceptions=True)

    run_virtual(clock, main)
    assert [name for name, _ in started] == ["first", "third"]
    assert started[1][1] - started[0][1] == pytest.approx(10.0 + limiter.margin)
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 2)


def test_a_waiter_woken_as_head_and_cancelled_at_once_does_not_stall_the_queue() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=10, period=1.0, max_concurrent=5)
    started: list[str] = []

    async def main() -> None:
        await limiter.pause(5.0)  # everyone queues in the permit queue
        async with anyio.create_task_group() as tg:
            scope = anyio.CancelScope()

            async def head() -> None:
                await limiter.acquire()
                started.append("head")
                scope.cancel()  # "doomed" became head in this same instant
                await limiter.release()

            async def doomed() -> None:
                with scope:
                    async with limiter.slot():
                        started.append("doomed")

            async def last() -> None:
                async with limiter.slot():
                    started.append("last")

            for task in (head, doomed, last):
                tg.start_soon(task)
                await clock.sleep(0.01)

    run_virtual(clock, main)
    assert started == ["head", "last"]
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 2)
