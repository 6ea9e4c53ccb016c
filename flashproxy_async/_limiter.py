"""The limiter interface the transport talks to.

The transport knows three things about a limiter: take a slot (a concurrency
slot, then a rate permit right before sending), give the slot back, and "the
server said 429: pause everyone for this long". In-process and shared (Redis)
backends implement the same interface.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

__all__ = ["Limiter"]


class Limiter(abc.ABC):
    """A rate and concurrency limit for one API key."""

    rate: int
    period: float
    max_concurrent: int

    @abc.abstractmethod
    async def acquire(self) -> None:
        """Wait for a concurrency slot, then for a rate permit; take both.

        Cancelled while waiting, it takes nothing.
        """

    @abc.abstractmethod
    async def release(self) -> None:
        """Give back the concurrency slot taken by :meth:`acquire`."""

    @abc.abstractmethod
    async def pause(self, seconds: float) -> None:
        """The server answered 429: let no request start for ``seconds`` from now."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to close by default
        """Release any resources held by the backend."""

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the duration of one attempt; released even on cancellation."""
        await self.acquire()
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                await self.release()
