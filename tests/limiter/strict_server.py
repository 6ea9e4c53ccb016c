"""A loopback HTTP server that enforces a strict sliding window and counts concurrency.

Reusable by any integration test that must prove the SDK never trips a strict rate
limit::

    async with StrictWindowServer(rate=100, period=3.0) as server:
        ...  # send requests to server.url + "/any/path"
    assert server.rejected == 0
    assert server.max_concurrency <= 20

Every path answers. A request that would make more than ``rate`` arrivals within any
``period`` seconds (the window is closed at both ends, the strictest reading) gets a
429 in the API's error envelope with a Retry-After header; rejected requests do not
count toward the window.

Warm the client's connection pool first with :func:`warm_up` (its path is not
counted). A scaled period scales the limiter's margin (60 ms at 3 s) but not the cost
of opening 20 connections in one event loop: the first burst on a cold pool left up to
25 ms between permit and send under coverage, ~0.5 ms on warm connections, and more
on a loaded machine, enough to draw 429s that a real 60 s period (margin 1.2 s) never
would.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from types import TracebackType

from aiohttp import ClientSession, web

__all__ = ["WARM_UP_PATH", "StrictWindowServer", "warm_up"]

WARM_UP_PATH = "/__warm_up"


class StrictWindowServer:
    """An aiohttp.web server on 127.0.0.1 that enforces ``rate`` per ``period``."""

    def __init__(self, rate: int, period: float, *, latency: float = 0.02) -> None:
        self.rate = rate
        self.period = period
        self.latency = latency
        self.served = 0
        self.rejected = 0
        self.max_concurrency = 0
        self.arrivals: list[float] = []
        self.log: list[tuple[float, str, int]] = []
        self._window: deque[float] = deque()
        self._concurrency = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> StrictWindowServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if request.path == WARM_UP_PATH:
            await asyncio.sleep(self.latency)
            return web.json_response({"success": True, "data": {}})
        while self._window and now - self._window[0] > self.period:
            self._window.popleft()
        if len(self._window) >= self.rate:
            self.rejected += 1
            self.log.append((now, request.path_qs, 429))
            retry_after = math.ceil(self._window[0] + self.period - now)
            return web.json_response(
                {
                    "success": False,
                    "error": {"code": "RATE_LIMITED", "message": "Too many requests"},
                },
                status=429,
                headers={"Retry-After": str(max(retry_after, 1))},
            )
        self._window.append(now)
        self.arrivals.append(now)
        self.log.append((now, request.path_qs, 200))
        self._concurrency += 1
        self.max_concurrency = max(self.max_concurrency, self._concurrency)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self._concurrency -= 1
        self.served += 1
        return web.json_response({"success": True, "data": {}})


async def warm_up(session: ClientSession, base_url: str, connections: int = 20) -> None:
    """Open ``connections`` keep-alive connections in ``session`` to the server, uncounted."""

    async def one() -> None:
        async with session.get(base_url + WARM_UP_PATH) as response:
            await response.read()

    await asyncio.gather(*(one() for _ in range(connections)))
