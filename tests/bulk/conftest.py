"""A fast fake and a client talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.testing import FakeFlashProxy


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    return {"time_scale": 0.001}


@pytest.fixture
async def client(flashproxy_fake: FakeFlashProxy) -> AsyncIterator[AsyncFlashProxy]:
    async with AsyncFlashProxy(
        api_key=flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        limiter=TokenBucketLimiter(rate=1000, period=1.0, max_concurrent=4),
    ) as client:
        yield client
