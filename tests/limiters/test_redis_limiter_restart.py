"""RedisRateLimiter after Redis lost its state (a flush, a restart): the window counts as full.

The starts Redis forgot may still be in the server's window. A limiter that knew the
state and finds it gone starts nothing for one full window, then paces its starts
``period / rate`` apart: four workers hitting a strict fake see no 429, through a
flush and through a restart.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

from flashproxy_async import AsyncFlashProxy
from flashproxy_async.limiters import RedisLimiterError, RedisRateLimiter
from flashproxy_async.testing import FakeFlashProxy

if TYPE_CHECKING:
    from redis.asyncio import Redis

RATE, PERIOD, CAP = 10, 1.0, 4


def starts_key(key: str) -> str:
    return f"flashproxy:limiter:{{{key}}}:starts"


async def redis_time_us(client: Redis) -> int:
    seconds, micros = await client.time()
    return int(seconds) * 1_000_000 + int(micros)


async def test_after_a_flush_nothing_starts_for_a_window_then_starts_are_paced(
    redis_url: str, limit_key: str, redis_client: Redis, frozen_heap: None
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=RATE, period=PERIOD)
    try:
        for _ in range(RATE):
            async with limiter.slot():
                pass
        flushed_at = await redis_time_us(redis_client)
        await redis_client.flushdb()
        with anyio.fail_after(10):
            for _ in range(4):
                async with limiter.slot():
                    pass
        scores = await redis_client.zrange(starts_key(limit_key), 0, -1, withscores=True)
        after = sorted(int(score) for _, score in scores)
    finally:
        await limiter.aclose()
    assert len(after) == 4
    assert after[0] - flushed_at >= PERIOD * 1_000_000
    step_us = PERIOD / RATE * 1_000_000
    assert all(b - a >= step_us for a, b in itertools.pairwise(after))


async def test_a_fresh_key_is_not_paused(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=RATE, period=60.0)
    try:
        with anyio.fail_after(5):  # a pause would hold the first start for a minute
            for _ in range(RATE):
                async with limiter.slot():
                    pass
    finally:
        await limiter.aclose()


async def run_workers(
    fake: FakeFlashProxy,
    make_limiter: Callable[[], RedisRateLimiter],
    calls: int,
    disrupt: Callable[[], Awaitable[None]],
    *,
    after: int,
) -> dict[str, int]:
    """Four workers, each with its own client and limiter; ``disrupt`` once ``after`` calls."""
    counts = {"ok": 0, "limiter_errors": 0}
    reached, disrupted = anyio.Event(), anyio.Event()

    async def worker() -> None:
        limiter = make_limiter()
        client = AsyncFlashProxy(
            api_key=fake.api_key, base_url=fake.base_url, limiter=limiter, max_retries=0
        )
        try:
            done = 0
            while done < calls:
                try:
                    await client.balance.get()
                except RedisLimiterError:
                    # Fails closed while Redis is down: nothing was sent.
                    counts["limiter_errors"] += 1
                    await anyio.sleep(0.05)
                    continue
                done += 1
                counts["ok"] += 1
                if counts["ok"] >= after:
                    reached.set()
        finally:
            await client.close()
            await limiter.aclose()

    async def disruptor() -> None:
        await reached.wait()
        await disrupt()
        disrupted.set()

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            group.start_soon(disruptor)
            for _ in range(4):
                group.start_soon(worker)
    assert disrupted.is_set()
    return counts


async def test_four_workers_see_no_429_through_a_flush(
    redis_url: str, limit_key: str, redis_client: Redis, frozen_heap: None
) -> None:
    async with FakeFlashProxy(rate=RATE, period=PERIOD, max_concurrent=CAP) as fake:

        async def flush() -> None:
            await redis_client.flushdb()

        counts = await run_workers(
            fake,
            lambda: RedisRateLimiter(
                redis_url, key=limit_key, rate=RATE, period=PERIOD, max_concurrent=CAP
            ),
            calls=6,
            disrupt=flush,
            after=RATE + 3,
        )
        assert counts["ok"] == 24
        assert fake.stats.rate_limited == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisProcess:
    """A redis-server of the test's own, which it can restart (its state is then lost)."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not on PATH")
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisProcess(binary, Path(workdir))
        server.start()
        try:
            yield server
        finally:
            server.stop()


async def test_four_workers_see_no_429_through_a_restart(
    own_redis: RedisProcess, limit_key: str, frozen_heap: None
) -> None:
    async with FakeFlashProxy(rate=RATE, period=PERIOD, max_concurrent=CAP) as fake:

        async def restart() -> None:
            own_redis.stop()
            await asyncio.sleep(0.05)  # down for a moment: the workers must fail closed
            await anyio.to_thread.run_sync(own_redis.start)

        counts = await run_workers(
            fake,
            lambda: RedisRateLimiter(
                own_redis.url, key=limit_key, rate=RATE, period=PERIOD, max_concurrent=CAP
            ),
            calls=6,
            disrupt=restart,
            after=RATE + 3,  # mid-burst: the window holds starts Redis will forget
        )
        assert counts["ok"] == 24
        assert fake.stats.rate_limited == 0
