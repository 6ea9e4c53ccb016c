"""A real AsyncFlashProxy, and aioresponses standing in for the network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aioresponses import aioresponses

from flashproxy_async._client import AsyncFlashProxy

from ._helpers import BASE


@pytest.fixture
async def client() -> AsyncIterator[AsyncFlashProxy]:
    async with AsyncFlashProxy(api_key="fp_test_" + "k" * 32, base_url=BASE, max_retries=0) as c:
        yield c


@pytest.fixture
def api() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked
