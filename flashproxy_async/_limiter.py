"""The limiter interface the transport talks to.

The transport knows three things about a limiter: take a slot (a concurrency
slot, then a rate permit right before sending), give the slot back, and "the
server said 429: pause everyone for this long". In-process and shared (Redis)
backends implement the same interface.
"""

from __future__ import annotations

import abc
from types import TracebackType

import anyio

__all__ = ["Limiter"]


class Limiter(abc.ABC):
    """A rate and concurrency limit for one API key."""

    rate: int
    period: float
    max_concurrent: int
    #: False when :meth:`release` never suspends, so that no cancellation can stop it
    #: part-way and :meth:`slot` may skip the cancel shield (5 us a request).
    release_may_suspend: bool = True

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

    def slot(self) -> _Slot:
        """Hold a slot for the duration of one attempt; released even on cancellation.

        Use as ``async with limiter.slot(): ...``.
        """
        return _Slot(self)


class _Slot:
    """``async with limiter.slot()``: acquire on entry, release (shielded) on exit.

    A class rather than an ``@asynccontextmanager`` generator: it is entered on every
    request, and the generator machinery cost 4 us of it (``python -m bench``).
    """

    __slots__ = ("_limiter",)

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        await self._limiter.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._limiter.release_may_suspend:
            await self._limiter.release()
            return
        # Shielded: a cancelled holder must still give its slot back.
        with anyio.CancelScope(shield=True):
            await self._limiter.release()
