"""Pytest plugin: the ``flashproxy_fake`` fixture.

Registered through the ``pytest11`` entry point, so it loads at every pytest start-up
of a project that installs flashproxy-async. It must import cheaply and never fail:
the fake itself is imported only when the fixture runs.

Override ``flashproxy_fake_options`` to configure the fake::

    @pytest.fixture
    def flashproxy_fake_options():
        return {"time_scale": 0.01, "balance_cents": 1_000}
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from ._server import FakeFlashProxy

_F = TypeVar("_F", bound=Callable[..., Any])

if TYPE_CHECKING:

    def _async_fixture(fixture: _F) -> _F: ...

else:
    try:
        import pytest_asyncio

        _async_fixture = pytest_asyncio.fixture
    except ImportError:  # pragma: no cover - the fixture then needs another async plugin
        _async_fixture = pytest.fixture


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    """Keyword arguments for the ``flashproxy_fake`` fixture's FakeFlashProxy."""
    return {}


@_async_fixture
async def flashproxy_fake(
    flashproxy_fake_options: dict[str, Any],
) -> AsyncIterator[FakeFlashProxy]:
    """A started FakeFlashProxy on a free loopback port, closed after the test."""
    from ._server import FakeFlashProxy

    async with FakeFlashProxy(**flashproxy_fake_options) as fake:
        yield fake
