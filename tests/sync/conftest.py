"""Fixtures for the blocking client: the fake API on a thread of its own, and clients.

Blocking calls stall the thread that makes them, so the fake cannot share the test's
thread (or loop). It runs on a blocking portal of its own, on 127.0.0.1, and stays
reachable from child processes the tests start or fork.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from flashproxy_async import TokenBucketLimiter
from flashproxy_async.sync import FlashProxy
from flashproxy_async.testing import FakeFlashProxy

#: Long enough that a test which wrongly waited for the end of a held request fails
#: by its timeouts instead of passing late; the fake ends held requests when it closes.
HOLD_SECONDS = 120.0


async def wait_until_cancelled(cancelled: threading.Event) -> None:
    """Wait for ever; when the wait is cancelled, set ``cancelled`` and let it end."""
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        cancelled.set()
        raise


class ThreadedFake:
    """A started FakeFlashProxy whose loop runs on its own thread."""

    def __init__(self, fake: FakeFlashProxy) -> None:
        self.fake = fake
        self.api_key = fake.api_key
        self.base_url = fake.base_url
        self._arrivals: queue.Queue[tuple[str, str]] = queue.Queue()
        take = fake.faults.take

        def noting_take(method: str, path: str) -> Any:
            # Faults.take runs once per admitted request, as it arrives.
            self._arrivals.put((method, path))
            return take(method, path)

        fake.faults.take = noting_take  # type: ignore[method-assign]

    def wait_for_arrival(self, method: str, path_prefix: str, timeout: float = 30.0) -> None:
        """Block until a request for ``method path_prefix...`` reaches the fake."""
        while True:
            got_method, got_path = self._arrivals.get(timeout=timeout)
            if got_method == method and got_path.startswith(path_prefix):
                return

    def hold(self, method: str, path: str) -> None:
        """Hold the next matching request until the fake closes."""
        self.fake.faults.delay(HOLD_SECONDS, method=method, path=path)

    def count(self, method: str, path: str) -> int:
        return len(self.fake.requests_for(method, path))


@pytest.fixture
def fake_options() -> dict[str, Any]:
    """No rate limit to speak of: these tests are about threads, not about the limit."""
    return {"rate": 1_000_000, "max_concurrent": 100}


@pytest.fixture
def threaded_fake(fake_options: dict[str, Any]) -> Iterator[ThreadedFake]:
    with start_blocking_portal() as portal:
        fake = FakeFlashProxy(**fake_options)
        portal.call(fake.start)
        try:
            yield ThreadedFake(fake)
        finally:
            portal.call(fake.close)


MakeClient = Callable[..., FlashProxy]


@pytest.fixture
def make_client(threaded_fake: ThreadedFake) -> Iterator[MakeClient]:
    """Build FlashProxy clients on the threaded fake; every one is closed afterwards."""
    made: list[FlashProxy] = []

    def factory(**kwargs: Any) -> FlashProxy:
        kwargs.setdefault("base_url", threaded_fake.base_url)
        kwargs.setdefault(
            "limiter", TokenBucketLimiter(rate=1_000_000, period=1.0, max_concurrent=20)
        )
        client = FlashProxy(kwargs.pop("api_key", threaded_fake.api_key), **kwargs)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> FlashProxy:
    return make_client()


def portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "flashproxy-portal"]


def portal_thread_of(client: FlashProxy) -> threading.Thread:
    thread = client._view.runner._state.current()._thread
    assert thread is not None, "the client has not started its portal"
    return thread
