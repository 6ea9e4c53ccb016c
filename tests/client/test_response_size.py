"""Bounded responses: read in chunks, counted after decompression, within the timeout.

A loopback server sends a gzip bomb, an oversized body and a body that trickles in;
the client stops at ``max_response_bytes`` without holding the body in memory.
"""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import anyio
import pytest
from aiohttp import web

import flashproxy_async as fp

MIB = 1024 * 1024
KEY = "fp_test_" + "a" * 32


def gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, made chunk by chunk (about size/1000 bytes)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MIB)
    parts = [packer.compress(chunk) for _ in range(size // MIB)]
    parts.append(packer.flush())
    return b"".join(parts)


BOMB = gzip_of_zeros(256 * MIB)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def bomb(request: web.Request) -> web.Response:
        return web.Response(
            body=BOMB,
            status=201 if request.method == "POST" else 200,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        chunk = b" " * MIB
        try:
            for _ in range(50):
                await response.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            for _ in range(100):
                await response.write(b" ")
                await asyncio.sleep(0.1)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    app = web.Application()
    app.router.add_route("*", "/api/v1/balance", bomb)
    app.router.add_route("*", "/api/v1/plans", bomb)
    app.router.add_get("/api/v1/plans/{plan_id}", big)
    app.router.add_get("/api/v1/usage/realtime", trickle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/api/v1"
    await runner.cleanup()


async def test_a_gzip_bomb_is_cut_off_at_the_cap_with_little_memory(server: str) -> None:
    async with fp.AsyncFlashProxy(api_key=KEY, base_url=server, max_retries=0) as client:
        tracemalloc.start()
        try:
            with pytest.raises(fp.ResponseTooLargeError) as caught:
                await client.balance.get()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(caught.value, fp.ResponseValidationError)
    assert caught.value.limit == 16 * MIB
    assert "after decompression" in str(caught.value)
    assert peak < 4 * 16 * MIB  # 256 MiB inflated; a small multiple of the cap held


async def test_a_bomb_answering_a_purchase_is_outcome_unknown(server: str) -> None:
    async with fp.AsyncFlashProxy(
        api_key=KEY, base_url=server, max_retries=2, max_response_bytes=MIB
    ) as client:
        with pytest.raises(fp.ResponseTooLargeError) as caught:
            await client.plans.create(
                product="residential", bandwidth_gb=1, end_user_reference="ref-9"
            )
    assert caught.value.outcome_unknown and caught.value.end_user_reference == "ref-9"


async def test_a_50_mb_body_is_not_read_whole(server: str) -> None:
    async with fp.AsyncFlashProxy(
        api_key=KEY, base_url=server, max_retries=0, max_response_bytes=2 * MIB
    ) as client:
        with pytest.raises(fp.ResponseTooLargeError, match=str(2 * MIB)):
            await client.plans.get("9b2f7f4e-3a55-4c1e-8d59-1a2b3c4d5e6f")


async def test_reading_the_body_is_inside_the_attempt_timeout(server: str) -> None:
    async with fp.AsyncFlashProxy(
        api_key=KEY, base_url=server, max_retries=0, timeout=0.3
    ) as client:
        with pytest.raises(fp.APITimeoutError):
            await client.usage.realtime()


def test_max_response_bytes_must_be_a_positive_int() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_response_bytes"):
            fp.AsyncFlashProxy(api_key=KEY, max_response_bytes=bad)  # type: ignore[arg-type]


async def test_the_blocking_client_has_the_same_cap(server: str) -> None:
    from flashproxy_async.sync import FlashProxy

    def call() -> None:
        with FlashProxy(
            api_key=KEY, base_url=server, max_retries=0, max_response_bytes=MIB
        ) as client:
            client.balance.get()

    with pytest.raises(fp.ResponseTooLargeError):
        await anyio.to_thread.run_sync(call)
