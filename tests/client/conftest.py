"""Fixtures for the client core tests: a recording limiter, fake sleep and a client factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from _support.clock import FakeClock
from aioresponses import aioresponses

from flashproxy_async import AsyncFlashProxy, Limiter

#: The tail is unique, so a search for it finds the key wherever it leaked.
KEY_TAIL = "Zq9xSECRETTAIL7w"
API_KEY = f"fp_test_{KEY_TAIL}"
BASE_URL = "https://api.test/api/v1"


def url(path: str) -> str:
    return BASE_URL + path


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def err(code: str, message: str = "nope") -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message}}


class RecordingLimiter(Limiter):
    """Counts acquisitions and records pauses; never waits."""

    def __init__(self, max_concurrent: int = 20) -> None:
        self.rate = 100
        self.period = 60.0
        self.max_concurrent = max_concurrent
        self.acquired = 0
        self.released = 0
        self.pauses: list[float] = []

    async def acquire(self) -> None:
        self.acquired += 1

    async def release(self) -> None:
        self.released += 1

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.fixture
def limiter() -> RecordingLimiter:
    return RecordingLimiter()


MakeClient = Callable[..., AsyncFlashProxy]


@pytest.fixture
async def make_client(limiter: RecordingLimiter, fake_time: FakeClock) -> AsyncIterator[MakeClient]:
    """Build clients with the recording limiter, fake time and jitter fixed at 1.0."""
    made: list[AsyncFlashProxy] = []

    def factory(**kwargs: Any) -> AsyncFlashProxy:
        kwargs.setdefault("base_url", BASE_URL)
        kwargs.setdefault("limiter", limiter)
        client = AsyncFlashProxy(kwargs.pop("api_key", API_KEY), **kwargs)
        transport = client._transport
        transport.sleep = fake_time.sleep
        transport.clock = fake_time
        transport.wall_clock = fake_time.wall
        transport.retry_policy.random = lambda: 1.0
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.close()


class _CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 builds responses without aiohttp 3.14's ``stream_writer``."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


class Mocked(aioresponses):
    """aioresponses whose every canned response works with the installed aiohttp."""

    def add(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_class", _CompatResponse)
        super().add(*args, **kwargs)


@pytest.fixture
def mocked() -> Iterator[Mocked]:
    with Mocked() as m:
        yield m
