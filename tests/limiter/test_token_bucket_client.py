"""Guarantees 6 and 7 through AsyncFlashProxy, on virtual time.

A 429 with Retry-After pauses every task that shares the limiter until then: the
others wait instead of each drawing a 429 of its own, the retry takes its turn at the
limiter like a first attempt, and the queue comes back paced, not in a burst.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from typing import Any

from _support.clock import FakeClock, run_virtual
from aioresponses import CallbackResult
from client.conftest import API_KEY, BASE_URL, Mocked, _CompatResponse, err, ok

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter

RATE, PERIOD = 10, 10.0
LATENCY = 1.0
RETRY_AFTER = 30


def test_a_429_pauses_every_task_until_retry_after_and_none_draws_its_own() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(RATE, PERIOD, 4, clock=clock, sleep=clock.sleep)
    arrivals: list[tuple[float, int]] = []
    limited_until = -math.inf

    async def server(url: Any, **kwargs: Any) -> CallbackResult:
        # The key's window is already full elsewhere: the first request is turned away,
        # and so is any other that arrives before the Retry-After it was given runs out.
        nonlocal limited_until
        arrived = clock()
        if not arrivals:
            limited_until = arrived + LATENCY + RETRY_AFTER
        status = 429 if arrived < limited_until else 200
        arrivals.append((arrived, status))
        await clock.sleep(LATENCY)
        if status == 429:
            headers = {"Retry-After": str(RETRY_AFTER)}
            return CallbackResult(
                status=429,
                payload=err("RATE_LIMITED"),
                headers=headers,
                response_class=_CompatResponse,
            )
        return CallbackResult(payload=ok({"n": len(arrivals)}), response_class=_CompatResponse)

    async def main() -> list[Any]:
        async with AsyncFlashProxy(API_KEY, base_url=BASE_URL, limiter=limiter) as client:
            client._transport.sleep = clock.sleep
            client._transport.clock = clock
            start = clock.now
            first = asyncio.ensure_future(client._request("GET", "/balance"))
            await clock.sleep_until(start + LATENCY + 1)  # its 429 has been answered
            assert arrivals == [(start, 429)]
            others = [client._request("GET", "/balance") for _ in range(5)]
            return await asyncio.gather(first, *others)

    with Mocked() as mocked:
        mocked.get(f"{BASE_URL}/balance", callback=server, repeat=True)
        results = run_virtual(clock, main)

    assert len(results) == 6
    assert [status for _, status in arrivals] == [429] + [200] * 6
    later = [at for at, _ in arrivals[1:]]
    assert min(later) >= limited_until
    # Back from the pause one period / rate apart, not all at once.
    assert all(b - a >= PERIOD / RATE - 1e-9 for a, b in itertools.pairwise(later))
    # Six calls, seven starts: the retry went through the limiter too.
    assert limiter.started == 7
    assert (limiter.in_flight, limiter.waiting) == (0, 0)
