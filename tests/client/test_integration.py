"""The client against real aiohttp servers on 127.0.0.1: no mocks between us and the socket."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from _support.clock import FakeClock
from aiohttp import web

import flashproxy_async as fp

from .conftest import API_KEY, RecordingLimiter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    """A tiny API on 127.0.0.1 with a handler per route, recording what it was sent."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.purchases: list[dict[str, Any]] = []
        self.hits: dict[str, int] = {}
        self.release = asyncio.Event()

    def route(self, method: str, path: str, handler: Handler) -> None:
        async def counted(request: web.Request) -> web.StreamResponse:
            key = f"{method} {path}"
            self.hits[key] = self.hits.get(key, 0) + 1
            return await handler(request)

        self.app.router.add_route(method, "/api/v1" + path, counted)

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    async def stop(self) -> None:
        self.release.set()
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    yield srv
    await srv.stop()


def client_for(base_url: str, limiter: RecordingLimiter, **kwargs: Any) -> fp.AsyncFlashProxy:
    client = fp.AsyncFlashProxy(API_KEY, base_url=base_url, limiter=limiter, **kwargs)
    client._transport.sleep = FakeClock().sleep  # no real backoff waits
    return client


async def test_purchase_then_dropped_connection_is_not_resent(
    server: Server, limiter: RecordingLimiter
) -> None:
    async def create_plan(request: web.Request) -> web.StreamResponse:
        server.purchases.append(await request.json())
        # The plan is bought; the answer never arrives.
        assert request.transport is not None
        request.transport.abort()
        return web.json_response({"success": True, "data": {}}, status=201)

    server.route("POST", "/plans", create_plan)
    await server.start()
    async with client_for(server.base_url, limiter, max_retries=5) as client:
        with pytest.raises(fp.APIConnectionError) as info:
            await client._request(
                "POST",
                "/plans",
                json_body={"product": "residential", "bandwidth_gb": 1, "end_user_reference": "u7"},
                state_changing=True,
                end_user_reference="u7",
            )
    assert len(server.purchases) == 1
    assert server.purchases[0]["end_user_reference"] == "u7"
    assert info.value.outcome_unknown
    assert info.value.end_user_reference == "u7"
    assert "may have been processed" in str(info.value)
    assert limiter.acquired == limiter.released == 1


async def test_get_is_retried_against_a_real_server(
    server: Server, limiter: RecordingLimiter
) -> None:
    async def plans(request: web.Request) -> web.StreamResponse:
        if server.hits["GET /plans"] == 1:
            return web.Response(status=503, text="<html>busy</html>", content_type="text/html")
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"
        assert request.query["status"] == "active"
        return web.json_response({"success": True, "data": [{"plan_id": "p"}]})

    server.route("GET", "/plans", plans)
    await server.start()
    async with client_for(server.base_url, limiter) as client:
        data = await client._request("GET", "/plans", params={"status": "active"})
    assert data == [{"plan_id": "p"}]
    assert server.hits["GET /plans"] == 2


async def test_slow_purchase_times_out_once_and_is_outcome_unknown(
    server: Server, limiter: RecordingLimiter
) -> None:
    async def create_plan(request: web.Request) -> web.StreamResponse:
        server.purchases.append(await request.json())
        await server.release.wait()
        return web.json_response({"success": True, "data": {}}, status=201)

    server.route("POST", "/plans", create_plan)
    await server.start()
    async with client_for(
        server.base_url, limiter, max_retries=3, timeout=fp.Timeout(attempt=0.2, connect=5)
    ) as client:
        with pytest.raises(fp.APITimeoutError) as info:
            await client._request("POST", "/plans", json_body={}, state_changing=True)
    assert len(server.purchases) == 1
    assert info.value.outcome_unknown
    assert isinstance(info.value, TimeoutError)


async def test_deadline_covers_a_hanging_get(server: Server, limiter: RecordingLimiter) -> None:
    async def hang(request: web.Request) -> web.StreamResponse:
        await server.release.wait()
        return web.json_response({"success": True, "data": 1})

    server.route("GET", "/balance", hang)
    await server.start()
    async with client_for(server.base_url, limiter, max_retries=5, timeout=30) as client:
        with pytest.raises(fp.APITimeoutError, match="deadline"):
            await client.with_options(deadline=0.2)._request("GET", "/balance")
    assert server.hits["GET /balance"] == 1


async def test_deadline_during_a_purchase_is_outcome_unknown_and_not_resent(
    server: Server, limiter: RecordingLimiter
) -> None:
    async def create_plan(request: web.Request) -> web.StreamResponse:
        server.purchases.append(await request.json())
        await server.release.wait()
        return web.json_response({"success": True, "data": {}}, status=201)

    server.route("POST", "/plans", create_plan)
    await server.start()
    async with client_for(server.base_url, limiter, max_retries=5, timeout=30) as client:
        with pytest.raises(fp.APITimeoutError, match="deadline") as info:
            await client.with_options(deadline=0.2)._request(
                "POST",
                "/plans",
                json_body={"product": "residential", "bandwidth_gb": 1},
                state_changing=True,
                end_user_reference="u8",
            )
    assert len(server.purchases) == 1
    assert info.value.outcome_unknown
    assert info.value.end_user_reference == "u8"
    assert "may have been processed" in str(info.value)


class BlockedLimiter(RecordingLimiter):
    """A limiter that never hands out a slot."""

    async def acquire(self) -> None:
        await asyncio.Event().wait()


async def test_deadline_while_waiting_for_the_limiter_sends_nothing(server: Server) -> None:
    async def create_plan(request: web.Request) -> web.StreamResponse:
        server.purchases.append(await request.json())
        return web.json_response({"success": True, "data": {}}, status=201)

    server.route("POST", "/plans", create_plan)
    await server.start()
    async with client_for(server.base_url, BlockedLimiter(), deadline=0.1) as client:
        with pytest.raises(fp.APITimeoutError) as info:
            await client._request("POST", "/plans", json_body={}, state_changing=True)
    # Nothing left the client, so nothing is in doubt.
    assert not info.value.outcome_unknown
    assert server.purchases == []


async def test_refused_connection_retries_a_purchase(limiter: RecordingLimiter) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now, so every connection is refused.
    base_url = f"http://127.0.0.1:{port}/api/v1"
    async with client_for(base_url, limiter, max_retries=2) as client:
        with pytest.raises(fp.APIConnectionError) as info:
            await client._request("POST", "/plans", json_body={}, state_changing=True)
    assert limiter.acquired == 3
    assert not info.value.outcome_unknown
    assert not isinstance(info.value, fp.APITimeoutError)
