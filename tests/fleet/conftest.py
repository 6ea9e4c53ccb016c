"""A real Redis for the shared-journal tests, a fast fake, and a client talking to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from limiters.conftest import frozen_heap, redis_client, redis_url  # one Redis for every test

from flashproxy_async import AsyncFlashProxy, TokenBucketLimiter
from flashproxy_async.testing import FakeFlashProxy

__all__ = ["frozen_heap", "redis_client", "redis_url"]


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    return {"time_scale": 0.001}


@pytest.fixture
def job(request: pytest.FixtureRequest) -> str:
    """A job of its own for each test, so tests sharing one Redis never meet."""
    return f"test:{request.node.name}:{os.urandom(4).hex()}"


@pytest.fixture
async def client(flashproxy_fake: FakeFlashProxy) -> AsyncIterator[AsyncFlashProxy]:
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        limiter=TokenBucketLimiter(rate=1000, period=1.0, max_concurrent=8),
        timeout=5.0,
    ) as client:
        yield client
