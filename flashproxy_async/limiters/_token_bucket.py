"""The in-process limiter: ``rate`` starts per ``period``, ``max_concurrent`` in flight.

Waiters queue in one FIFO line, each on a bare future, and are handed a slot and a rate
permit together, directly, by whoever frees them: a release, or the waiter at the head
of the line once the window opens. A waiter handed its turn is woken already holding it,
so waking costs what ``asyncio.Semaphore`` costs however long the line (it logs its
start again when it runs, if the loop's backlog held it up). Only the head
watches the clock, and only when a slot is free but the window is not: one sleep at a
time, never one timer per waiter. The permit is still the last thing taken before the
request is sent, and requests start in the order :meth:`TokenBucketLimiter.acquire` was
called.

Nothing loop-bound outlives one ``acquire``: each waiter makes its future in the running
loop. The limiter is asyncio's (as aiohttp is), and not thread-safe; share one object
between clients in one event loop, not between threads.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

import anyio
import anyio.lowlevel

from ._base import WindowLimiter
from ._cancel import checkpoint_if_cancelled, in_anyio_scope
from ._window import StartWindow

__all__ = ["TokenBucketLimiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: A waiter's future resolves to the start time it was granted, or to this: "you are
#: the head of the line and a slot is yours once the window opens; watch the clock".
_WATCH_THE_CLOCK = None
#: Cancelled waiters are left in the line and skipped when reached (removing one from
#: the middle of a deque is a scan); the line is rebuilt once most of it is such.
_COMPACT_AT = 64
#: Seconds between a turn's hand-over and its start past which the logged start moves.
_RESTAMP_AFTER = 0.001


class TokenBucketLimiter(WindowLimiter):
    """At most ``rate`` request starts in any ``period`` seconds, ``max_concurrent`` in flight.

    Despite the name, the rate limit is a sliding-window log, not a refilling bucket: a
    request starts only once the start ``rate`` places before it is ``period + margin``
    old. A server counting a strict sliding window never sees more than ``rate``, and a
    long job still sustains ``period / (period + margin)`` of the rate (98% with the
    default margin for periods of 1 s and more).

    Waiters are served first come, first served. A waiter cancelled before
    :meth:`acquire` returns takes nothing; a holder cancelled inside :meth:`slot` gives
    its slot back. :meth:`pause` holds every start until its deadline, then lets the
    next ``rate`` requests start ``period / rate`` apart rather than in a burst.

    One limiter may be shared by several clients using the same API key in one event
    loop. It is not thread-safe.

    Args:
        rate: Most request starts in any window of ``period`` seconds.
        period: Window length in seconds.
        max_concurrent: Most requests in flight at once.
        margin: Extra seconds beyond ``period`` between a start and the one ``rate``
            starts before it, so that requests sent ``period`` apart cannot arrive
            closer. Defaults to 2% of ``period``, and at least 20 ms.
        clock: Monotonic clock in seconds; defaults to :func:`time.monotonic`.
        sleep: Coroutine function that sleeps for a number of seconds; defaults to
            :func:`anyio.sleep`. Tests inject a virtual clock and sleep together.

    Raises:
        TypeError: ``rate`` or ``max_concurrent`` is not an ``int``.
        ValueError: ``rate`` or ``max_concurrent`` is below 1, or ``period`` or
            ``margin`` is not a finite number (``period`` above 0, ``margin`` 0 or more).
    """

    # release() has no await in it: nothing can interrupt it.
    release_may_suspend = False

    def __init__(
        self,
        rate: int = 100,
        period: float = 60.0,
        max_concurrent: int = 20,
        *,
        margin: float | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(rate=rate, period=period, max_concurrent=max_concurrent, margin=margin)
        self._clock: Clock = time.monotonic if clock is None else clock
        self._sleep: Sleep = anyio.sleep if sleep is None else sleep
        self._window = StartWindow(self._rate, self._period, self._margin)
        self._line: deque[asyncio.Future[float | None]] = deque()
        # The waiter watching the clock: out of the line, first to be served.
        self._head: asyncio.Future[float | None] | None = None
        self._waiting = 0
        self._holders = 0
        self._started = 0
        self._rate_limited = 0
        self._slot = _Slot(self)

    @property
    def in_flight(self) -> int:
        """Requests that have acquired and not yet released."""
        return self._holders

    @property
    def waiting(self) -> int:
        """Tasks inside :meth:`acquire`, waiting for a slot or for their rate permit."""
        return self._waiting

    @property
    def started(self) -> int:
        """Rate permits granted since creation: the number of requests let start."""
        return self._started

    @property
    def paused_until(self) -> float | None:
        """The clock time (of ``clock``) before which no request starts, after a 429;
        None when no pause is set or it has passed."""
        until = self._window.not_before
        return until if until > self._clock() else None

    @property
    def rate_limited(self) -> int:
        """429 answers seen: the number of :meth:`pause` calls since creation."""
        return self._rate_limited

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(rate={self._rate}, period={self._period}, "
            f"max_concurrent={self._max_concurrent}, in_flight={self.in_flight}, "
            f"waiting={self.waiting})"
        )

    async def acquire(self) -> None:
        """Wait for a concurrency slot and a rate permit; take both.

        Waiters are served in call order. Cancelled while waiting, it takes nothing,
        and whatever it was about to be handed passes to the next waiter. It is always
        a cancellation point; like ``asyncio.Semaphore`` (and anyio's ``fast_acquire``),
        it does not yield to other tasks when a slot and a permit are free at once.
        """
        if not self._waiting and self._holders < self._max_concurrent:
            # No leading yield: it was 5 us of an 11 us uncontended acquire+release
            # (python -m bench). A pending cancellation is still taken here.
            if in_anyio_scope():
                await anyio.lowlevel.checkpoint_if_cancelled()
            now = self._clock()
            if self._window.earliest_start() <= now:
                self._grant(now)
                return
        turn: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        self._waiting += 1
        if self._holders < self._max_concurrent:
            self._hand_over()
        try:
            granted_at = await turn
            if granted_at is _WATCH_THE_CLOCK:
                await self._watch_the_clock()
                return
            # Handed its turn and cancelled in the same instant, anyio delivers the
            # cancellation at the next checkpoint; take it here, so that a cancelled
            # waiter takes nothing.
            if in_anyio_scope():
                await anyio.lowlevel.checkpoint_if_cancelled()
        except BaseException:
            self._withdraw(turn)
            raise
        # The turn was logged when it was handed over; the request starts now, after
        # every task that was ready before this one has run (milliseconds, under 400
        # gathered calls): log that, or the margin pays for the loop's backlog. A lag
        # under a millisecond (a twentieth of the smallest margin) is left as it is,
        # which spares the common case the move.
        now = self._clock()
        if now - granted_at > _RESTAMP_AFTER:
            self._window.restamp(granted_at, now)

    async def release(self) -> None:
        """Give back the concurrency slot taken by :meth:`acquire`.

        Raises:
            RuntimeError: More releases than acquires.
        """
        self._release_now()

    def slot(self) -> _Slot:
        """Hold a slot for the duration of one attempt; released even on cancellation.

        Use as ``async with limiter.slot(): ...``.
        """
        return self._slot

    def _release_now(self) -> None:
        if self._holders == 0:
            raise RuntimeError("release() called without a matching acquire()")
        self._holders -= 1
        if self._waiting:
            self._hand_over()

    async def pause(self, seconds: float) -> None:
        """The server answered 429: let no request start for ``seconds`` from now.

        Requests already in flight are not touched. A later deadline extends the pause;
        an earlier one does not shorten it. After the deadline the next ``rate`` requests
        start ``period / rate`` apart, so they do not refill the server's window at once.

        Args:
            seconds: Pause length, usually the Retry-After value; negative counts as 0.

        Raises:
            ValueError: ``seconds`` is NaN or infinite.
        """
        if not math.isfinite(seconds):
            raise ValueError(f"pause seconds must be finite, got {seconds!r}")
        self._rate_limited += 1
        self._window.pause(self._clock() + max(seconds, 0.0))

    async def aclose(self) -> None:
        """Nothing to release: the in-process limiter holds no resources.

        It stays usable, since other clients sharing it may still be running.
        """

    def _grant(self, now: float) -> None:
        self._window.record(now)
        self._started += 1
        self._holders += 1

    def _hand_over(self) -> None:
        """Serve the line while slots are free: grant each turn directly, or, when the
        window is full, make the first waiter the head that watches the clock."""
        line, window, clock = self._line, self._window, self._clock
        while line and self._holders < self._max_concurrent and self._head is None:
            turn = line.popleft()
            if turn.done():  # cancelled while in line
                continue
            now = clock()
            if window.earliest_start() > now:
                self._head = turn
                turn.set_result(_WATCH_THE_CLOCK)
                return
            # _grant(), inline: this loop is most of the cost of a waited acquire.
            window.record(now)
            self._started += 1
            self._holders += 1
            self._waiting -= 1
            turn.set_result(now)

    async def _watch_the_clock(self) -> None:
        # Slots are granted only through the head while there is one, so the slot it
        # was promised stays free while it sleeps. A pause() during the sleep moves the
        # deadline later, never earlier, so waking up and looking again is enough.
        while True:
            await checkpoint_if_cancelled()
            now = self._clock()
            earliest = self._window.earliest_start()
            if earliest <= now:
                break
            await self._sleep(earliest - now)
        self._head = None
        self._waiting -= 1
        self._grant(now)
        self._hand_over()

    def _withdraw(self, turn: asyncio.Future[float | None]) -> None:
        """Undo a cancelled ``acquire``: pass on whatever the waiter was handed."""
        if turn is self._head:
            self._head = None
            self._waiting -= 1
        elif turn.cancelled() or not turn.done():
            turn.cancel()
            self._waiting -= 1
            self._forget_cancelled()
            return
        else:  # granted, and cancelled before it could run: give the grant back
            granted_at = turn.result()
            assert granted_at is not None
            self._window.unrecord(granted_at)
            self._started -= 1
            self._holders -= 1
        self._hand_over()

    def _forget_cancelled(self) -> None:
        # Every waiter still inside acquire() is counted in _waiting, whether its turn
        # is in the line or (the head) out of it; the rest of the line is cancelled.
        line = self._line
        live = self._waiting - (self._head is not None)
        if not live:
            line.clear()
        elif len(line) > 2 * live + _COMPACT_AT:
            self._line = deque(turn for turn in line if not turn.done())


class _Slot:
    """``async with limiter.slot()`` for this limiter: one per limiter, since it holds
    nothing per use. Two coroutine frames fewer a request than the generic slot:
    entering returns :meth:`~TokenBucketLimiter.acquire`'s own coroutine, and leaving
    releases in place (nothing in it can suspend, so it needs no cancel shield)."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: TokenBucketLimiter) -> None:
        self._limiter = limiter

    def __aenter__(self) -> Coroutine[Any, Any, None]:
        return self._limiter.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._limiter._release_now()
