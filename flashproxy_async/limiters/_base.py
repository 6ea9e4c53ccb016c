"""The limiter interface the transport talks to.

The transport knows three things about a limiter: take a slot (a concurrency
slot, then a rate permit right before sending), give the slot back, and "the
server said 429: pause everyone for this long". In-process and shared (Redis)
backends implement the same interface.
"""

from __future__ import annotations

import abc
import contextlib
import math
import operator
from types import TracebackType

import anyio

from ._window import default_margin

__all__ = ["Limiter", "WindowLimiter", "finite_number", "positive_int"]


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

    def slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold a slot for the duration of one attempt; released even on cancellation.

        Use as ``async with limiter.slot(): ...``.
        """
        return _Slot(self)


class WindowLimiter(Limiter):
    """A limiter whose rate, period, concurrency and margin are checked once, at
    construction, and never change: changing them under waiting callers would break
    the guarantees.

    Raises:
        TypeError: ``rate`` or ``max_concurrent`` is not an ``int``.
        ValueError: ``rate`` or ``max_concurrent`` is below 1, or ``period`` or
            ``margin`` is not a finite number (``period`` above 0, ``margin`` 0 or more).
    """

    def __init__(
        self, *, rate: int, period: float, max_concurrent: int, margin: float | None
    ) -> None:
        self._rate = positive_int("rate", rate)
        self._max_concurrent = positive_int("max_concurrent", max_concurrent)
        self._period = finite_number("period", period, above_zero=True)
        self._margin = finite_number(
            "margin", default_margin(self._period) if margin is None else margin, above_zero=False
        )

    @property
    def rate(self) -> int:  # type: ignore[override]
        """Most request starts in any window of :attr:`period` seconds."""
        return self._rate

    @property
    def period(self) -> float:  # type: ignore[override]
        """Window length in seconds."""
        return self._period

    @property
    def max_concurrent(self) -> int:  # type: ignore[override]
        """Most requests in flight at once (for a shared limiter, across all its users)."""
        return self._max_concurrent

    @property
    def margin(self) -> float:
        """Seconds left beyond :attr:`period` between a start and the one ``rate`` before it."""
        return self._margin


def positive_int(name: str, value: int) -> int:
    """``value`` as an int of 1 or more, or a TypeError/ValueError naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be 1 or more, got {value!r}")
    return number


def finite_number(name: str, value: float, *, above_zero: bool) -> float:
    """``value`` as a finite float, 0 or more (above 0 if ``above_zero``), or a ValueError."""
    number = float(value)
    if not math.isfinite(number) or number < 0 or (above_zero and number == 0):
        bound = "above 0" if above_zero else "0 or more"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return number


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
