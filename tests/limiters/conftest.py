"""A real Redis for the RedisRateLimiter tests.

``FLASHPROXY_TEST_REDIS_URL`` names one (``.ci/run`` starts one and sets it);
otherwise a ``redis-server`` binary on PATH is started on a free loopback port for
the session. Without either the tests skip, with the reason. They fail instead of
skipping where they must run: under ``CI=true``, or when ``FLASHPROXY_TEST_REDIS_URL``
asks for a Redis that does not answer.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from redis.asyncio import Redis

_HOW_TO_GET_REDIS = (
    "install redis-server (apt-get install redis-server) or set FLASHPROXY_TEST_REDIS_URL "
    "to run the RedisRateLimiter tests"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the RedisRateLimiter tests")
    if os.environ.get("FLASHPROXY_TEST_REDIS_URL"):
        pytest.fail(f"{reason}; FLASHPROXY_TEST_REDIS_URL asks for the RedisRateLimiter tests")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_answering(url: str, deadline: float) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a Redis server that answers, for the whole session."""
    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("the redis package is missing: pip install 'flashproxy-async[redis]'")
    url = os.environ.get("FLASHPROXY_TEST_REDIS_URL")
    if url:
        try:
            _wait_until_answering(url, time.monotonic() + 5)
        except Exception as exc:
            _unavailable(f"FLASHPROXY_TEST_REDIS_URL={url} does not answer: {exc}")
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable(f"redis-server is not on PATH: {_HOW_TO_GET_REDIS}")
        return
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"redis://127.0.0.1:{port}/0"
            _wait_until_answering(url, time.monotonic() + 10)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def limit_key(request: pytest.FixtureRequest) -> str:
    """A key of its own for each test, so tests sharing one Redis never meet."""
    return f"test:{request.node.name}:{os.urandom(4).hex()}"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A raw asyncio Redis client, for looking at the limiter's keys."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """Keep full garbage collections short while a test times requests at a scaled period.

    The heap the earlier tests filled makes a full collection take tens of ms, longer
    than the limiter's 20 ms margin at a period of a second or less: a collection between
    a grant and the moment the test (or the in-process fake) notes it can bring two
    starts a period apart closer in the record. Frozen, the old objects are not scanned.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
