"""The default limits against a real loopback server that counts a strict sliding window.

The requests go through AsyncFlashProxy, so every layer between a call and the socket
is covered: two clients with one API key share one limiter.
"""

from __future__ import annotations

import asyncio

from strict_server import StrictWindowServer, warm_up

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter

API_KEY = "fp_test_loopbackLimiter"


async def test_400_requests_at_once_draw_no_429_and_never_pass_20_in_flight() -> None:
    # The documented 100 per minute and 20 in flight, with the period scaled to 3 s. The
    # margin is not scaled with it: at the real period the default margin is 1.2 s, at
    # 3 s it would be 60 ms, less than twenty requests sharing this test's event loop with
    # the server take from their permits to the server's clock under coverage (429s seen
    # on a 2-core machine). 0.25 s keeps the test about the window and the cap.
    limiter = TokenBucketLimiter(rate=100, period=3.0, max_concurrent=20, margin=0.25)

    async with StrictWindowServer(rate=100, period=3.0) as server:
        # max_retries=0: a 429 raises instead of being retried out of sight.
        first, second = (
            AsyncFlashProxy(
                API_KEY, base_url=f"{server.url}/api/v1", limiter=limiter, max_retries=0
            )
            for _ in range(2)
        )
        async with first, second:
            # Warm connections keep the test about the limiter, not connection setup:
            # see strict_server's docstring.
            for client in (first, second):
                await warm_up(client._transport._get_session(), server.url)
            results = await asyncio.gather(
                *(
                    (first if i % 2 else second)._request("GET", "/plans", params={"i": i})
                    for i in range(400)
                )
            )

    assert server.rejected == 0
    assert results == [{}] * 400
    assert server.served == 400
    assert server.max_concurrency <= 20
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 400)
