"""TokenBucketLimiter against a real loopback server that counts a strict sliding window."""

from __future__ import annotations

import asyncio

import aiohttp
from strict_server import StrictWindowServer, warm_up

from flashproxy_async import TokenBucketLimiter


async def test_400_requests_at_once_draw_no_429_and_never_pass_20_in_flight() -> None:
    # The documented 100 per minute and 20 in flight, with the period scaled to 3 s.
    limiter = TokenBucketLimiter(rate=100, period=3.0, max_concurrent=20)
    in_flight = 0
    max_in_flight = 0

    async def get(session: aiohttp.ClientSession, url: str) -> int:
        nonlocal in_flight, max_in_flight
        async with limiter.slot():
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
            try:
                async with session.get(url) as response:
                    await response.read()
                    return response.status
            finally:
                in_flight -= 1

    async with (
        StrictWindowServer(rate=100, period=3.0) as server,
        # Two sessions stand for two clients sharing one limiter (and one API key).
        aiohttp.ClientSession() as first,
        aiohttp.ClientSession() as second,
    ):
        # Warm connections keep the test about the limiter, not connection setup: see
        # strict_server's docstring.
        await warm_up(first, server.url)
        await warm_up(second, server.url)
        statuses = await asyncio.gather(
            *(get(first if i % 2 else second, f"{server.url}/plans?i={i}") for i in range(400))
        )

    assert server.rejected == 0
    assert statuses == [200] * 400
    assert server.served == 400
    assert max_in_flight <= 20
    assert server.max_concurrency <= 20
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 400)
