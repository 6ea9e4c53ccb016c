"""TokenBucketLimiter with hundreds of waiters: FIFO, the window, and hand-off cancellation."""

from __future__ import annotations

import asyncio

import pytest
from _support.clock import FakeClock, run_virtual
from _support.windows import max_starts_in_any_window
from traffic import Traffic, make_limiter


def test_hundreds_of_gathered_waiters_start_in_call_order_within_the_window() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=40, period=10.0, max_concurrent=7)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        await asyncio.gather(*(traffic.request(duration=0.3) for _ in range(600)))

    run_virtual(clock, main)
    assert traffic.order_started == traffic.order_asked == list(range(600))
    assert max_starts_in_any_window(traffic.starts, 10.0) <= 40
    assert traffic.max_in_flight == 7
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 600)


def test_a_deep_line_bound_by_slots_alone_is_served_in_order() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=10**6, period=1.0, max_concurrent=3)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        await asyncio.gather(*(traffic.request(duration=0.01) for _ in range(500)))

    run_virtual(clock, main)
    assert traffic.order_started == list(range(500))
    assert traffic.max_in_flight == 3


@pytest.mark.parametrize("cancelled_share", [2, 3, 10])
def test_cancelling_most_of_a_deep_line_serves_the_rest_in_order(cancelled_share: int) -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=10**6, period=1.0, max_concurrent=2)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        holders = [asyncio.ensure_future(traffic.request(duration=5.0)) for _ in range(2)]
        waiters = [asyncio.ensure_future(traffic.request(duration=0.1)) for _ in range(400)]
        await clock.sleep(1.0)
        doomed = [task for number, task in enumerate(waiters) if number % cancelled_share]
        for task in doomed:
            task.cancel()
        await asyncio.gather(*doomed, return_exceptions=True)
        assert limiter.waiting == 400 - len(doomed)
        await asyncio.gather(*holders, *waiters, return_exceptions=True)

    run_virtual(clock, main)
    survivors = [2 + n for n in range(400) if n % cancelled_share == 0]
    assert traffic.order_started == [0, 1, *survivors]
    assert (limiter.in_flight, limiter.waiting) == (0, 0)
    assert limiter.started == 2 + len(survivors)


def test_a_turn_handed_to_a_cancelled_waiter_gives_its_rate_permit_back() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=2, period=10.0, max_concurrent=1)
    started: list[tuple[str, float]] = []

    async def take(name: str) -> None:
        async with limiter.slot():
            started.append((name, clock()))

    async def main() -> None:
        await limiter.acquire()  # the first of two permits in this window
        doomed = asyncio.ensure_future(take("doomed"))
        await clock.sleep(1.0)
        following = asyncio.ensure_future(take("next"))
        await clock.sleep(1.0)
        await limiter.release()  # hands the slot and the second permit to "doomed"...
        doomed.cancel()  # ...cancelled before it could run
        await asyncio.gather(doomed, following, return_exceptions=True)

    run_virtual(clock, main)
    # "next" got the permit "doomed" gave back: it started at once, not a period later.
    assert started == [("next", 1002.0)]
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 2)


def test_every_waiter_handed_a_turn_in_one_release_burst_and_cancelled_passes_it_on() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=10**6, period=1.0, max_concurrent=5)
    entered: list[int] = []

    async def take(number: int) -> None:
        async with limiter.slot():
            entered.append(number)

    async def main() -> None:
        for _ in range(5):
            await limiter.acquire()
        tasks = [asyncio.ensure_future(take(number)) for number in range(300)]
        await clock.sleep(1.0)
        for _ in range(5):
            await limiter.release()  # five turns handed out at once...
        for task in tasks[:4]:
            task.cancel()  # ...four of them to waiters cancelled in the same instant
        await asyncio.gather(*tasks, return_exceptions=True)

    run_virtual(clock, main)
    assert entered == list(range(4, 300))
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 5 + 296)


def test_the_head_waiting_on_a_full_window_is_the_only_sleeper() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=5, period=10.0, max_concurrent=50)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        tasks = [asyncio.ensure_future(traffic.request()) for _ in range(200)]
        await clock.sleep(1.0)
        # The first five started; of the 195 waiting on the window one sleeps.
        assert limiter.waiting == 195
        assert clock.sleepers == 1
        await asyncio.gather(*tasks)

    run_virtual(clock, main)
    assert traffic.order_started == list(range(200))
    assert max_starts_in_any_window(traffic.starts, 10.0) <= 5
