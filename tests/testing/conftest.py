"""Fixtures for the fake's own tests: a fast fake, a plain aiohttp session, and a
check of every answer against openapi.json at teardown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy, RecordedRequest

from ._openapi_check import check_record

FakeFactory = Callable[..., FakeFlashProxy]


@pytest.fixture
async def make_fake() -> AsyncIterator[FakeFactory]:
    """Start fakes with test-friendly defaults; validate all their answers afterwards."""
    fakes: list[FakeFlashProxy] = []
    seen: list[RecordedRequest] = []

    def factory(**options: Any) -> FakeFlashProxy:
        options.setdefault("time_scale", 0.001)
        fake = FakeFlashProxy(**options)
        fake.add_response_hook(seen.append)
        fakes.append(fake)
        return fake

    yield factory
    for fake in fakes:
        await fake.close()
    for record in seen:
        check_record(record)


@pytest.fixture
async def fake(make_fake: FakeFactory) -> FakeFlashProxy:
    started = make_fake()
    await started.start()
    return started


@pytest.fixture
async def http(fake: FakeFlashProxy) -> AsyncIterator[aiohttp.ClientSession]:
    """A session authenticated against ``fake``, with URLs relative to its base URL."""
    async with aiohttp.ClientSession(
        base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {fake.api_key}"}
    ) as session:
        yield session
