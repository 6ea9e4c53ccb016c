"""The shared fake clock: what the tests that lean on it take for granted."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from _support.clock import Deadlock, FakeClock, run_virtual


async def test_concurrent_sleepers_wake_in_deadline_order_and_time_is_the_longest_sleep() -> None:
    clock = FakeClock()
    start = clock.now
    woke: list[tuple[str, float]] = []

    async def nap(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now - start))

    async with anyio.create_task_group() as tg:
        tg.start_soon(nap, "long", 5.0)
        tg.start_soon(nap, "short", 2.0)
    assert woke == [("short", 2.0), ("long", 5.0)]
    assert clock.sleeps == [5.0, 2.0]


def test_a_cancelled_sleep_does_not_pull_time_forward() -> None:
    clock = FakeClock()
    start = clock.now

    async def main() -> None:
        napper = asyncio.ensure_future(clock.sleep(3600))
        await clock.sleep(1)
        napper.cancel()
        await anyio.Event().wait()

    with pytest.raises(Deadlock):
        run_virtual(clock, main)
    assert clock.now == start + 1


async def test_advance_wakes_the_sleepers_that_are_due_and_only_those() -> None:
    clock = FakeClock()
    soon = asyncio.ensure_future(clock.sleep_until(clock.now + 1))
    later = asyncio.ensure_future(clock.sleep_until(clock.now + 10))
    await asyncio.sleep(0)
    clock.advance(1)
    await asyncio.wait_for(soon, timeout=1)
    assert not later.done()
    later.cancel()


def test_the_wall_clock_moves_with_the_monotonic_one_and_neither_goes_back() -> None:
    clock = FakeClock(start=5.0, wall_at_start=1_700_000_000.0)
    clock.advance(12.5)
    assert (clock(), clock.wall()) == (17.5, 1_700_000_012.5)
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance_to(17.0)


def test_run_reports_a_deadlock_instead_of_hanging() -> None:
    clock = FakeClock()

    async def wait_forever() -> None:
        await anyio.Event().wait()

    with pytest.raises(Deadlock):
        run_virtual(clock, wait_forever)
