"""Fixtures for the fake's own tests: a fast fake and a plain aiohttp session.

Every answer these fakes send is checked against openapi.json by the suite-wide
fixture in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

FakeFactory = Callable[..., FakeFlashProxy]


@pytest.fixture
async def make_fake() -> AsyncIterator[FakeFactory]:
    """Build fakes with test-friendly defaults; close them afterwards."""
    fakes: list[FakeFlashProxy] = []

    def factory(**options: Any) -> FakeFlashProxy:
        options.setdefault("time_scale", 0.001)
        fake = FakeFlashProxy(**options)
        fakes.append(fake)
        return fake

    yield factory
    for fake in fakes:
        await fake.close()


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
