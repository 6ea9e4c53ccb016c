"""The limiter's counters for metrics: started, in_flight, waiting, paused_until, 429s."""

from __future__ import annotations

import anyio
import pytest

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter
from flashproxy_async.testing import FakeFlashProxy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_counters_follow_acquire_release_and_pause() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate=10, period=1.0, max_concurrent=1, clock=clock)
    assert (limiter.started, limiter.in_flight, limiter.waiting) == (0, 0, 0)
    assert limiter.paused_until is None and limiter.rate_limited == 0
    await limiter.acquire()
    assert (limiter.started, limiter.in_flight) == (1, 1)
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire)
        await anyio.wait_all_tasks_blocked()
        assert limiter.waiting == 1
        await limiter.release()
    assert (limiter.started, limiter.in_flight, limiter.waiting) == (2, 1, 0)
    await limiter.release()
    await limiter.pause(5.0)
    assert limiter.paused_until == 105.0
    assert limiter.rate_limited == 1
    clock.now = 105.5
    assert limiter.paused_until is None
    assert limiter.rate_limited == 1


@pytest.fixture
def flashproxy_fake_options() -> dict[str, object]:
    return {"rate": 1_000_000, "max_concurrent": 100}


async def test_a_429_from_the_server_is_counted_by_the_clients_limiter(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    flashproxy_fake.faults.fail_next(
        1, status=429, code="RATE_LIMITED", retry_after=0.01, method="GET", path="/balance"
    )
    limiter = TokenBucketLimiter(rate=1000, period=1.0)
    async with AsyncFlashProxy(
        flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, limiter=limiter
    ) as client:
        await client.balance.get()
    assert limiter.rate_limited == 1
    assert limiter.started == 2
    assert limiter.in_flight == 0
