"""The in-process limiter: ``rate`` starts per ``period``, ``max_concurrent`` in flight.

One FIFO line of tickets goes through two stages. A ticket first waits for a
concurrency slot; once it has one it joins the permit queue, in the order the slots
were handed out, and only the ticket at the head of that queue waits on the clock for
its rate permit. The permit is therefore the last thing taken before the request is
sent, and requests start in the order :meth:`TokenBucketLimiter.acquire` was called.

Nothing loop-bound outlives one ``acquire``: each waiting ticket makes its own
``anyio.Event`` inside the running loop. The limiter is not thread-safe; share one
object between clients in one event loop, not between threads.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import anyio
import anyio.lowlevel

from ._base import WindowLimiter
from ._window import StartWindow

__all__ = ["TokenBucketLimiter"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class _Ticket:
    """One call to ``acquire``; woken when it reaches the head of the permit queue."""

    __slots__ = ("event", "has_slot")

    def __init__(self) -> None:
        self.event: anyio.Event | None = None
        self.has_slot = False


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
        # OrderedDicts as FIFO queues: O(1) append, pop from the front, and removal of a
        # cancelled ticket from anywhere, so a cancellation storm stays linear.
        self._slot_queue: OrderedDict[_Ticket, None] = OrderedDict()
        self._permit_queue: OrderedDict[_Ticket, None] = OrderedDict()
        self._holders = 0
        self._started = 0
        self._rate_limited = 0

    @property
    def in_flight(self) -> int:
        """Requests that have acquired and not yet released."""
        return self._holders

    @property
    def waiting(self) -> int:
        """Tasks inside :meth:`acquire`, waiting for a slot or for their rate permit."""
        return len(self._slot_queue) + len(self._permit_queue)

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
        """Wait for a concurrency slot, then for a rate permit; take both.

        Waiters are served in call order. Cancelled while waiting, it takes nothing,
        and whatever it was about to be handed passes to the next waiter. It is always
        a cancellation point; like ``asyncio.Semaphore`` (and anyio's ``fast_acquire``),
        it does not yield to other tasks when a slot and a permit are free at once.
        """
        # No leading checkpoint(): that yield was 5 us of an 11 us uncontended
        # acquire+release (python -m bench); the permit wait below still takes a
        # pending cancellation before anything is granted.
        ticket = _Ticket()
        if not self._slot_queue and self._slots_taken() < self._max_concurrent:
            self._join_permit_queue(ticket)
        else:
            self._slot_queue[ticket] = None
        try:
            await self._wait_for_permit(ticket)
        except BaseException:
            self._withdraw(ticket)
            raise

    async def release(self) -> None:
        """Give back the concurrency slot taken by :meth:`acquire`.

        Raises:
            RuntimeError: More releases than acquires.
        """
        if self._holders == 0:
            raise RuntimeError("release() called without a matching acquire()")
        self._holders -= 1
        self._hand_out_slots()

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

    def _slots_taken(self) -> int:
        # Tickets in the permit queue already hold their slot.
        return self._holders + len(self._permit_queue)

    def _join_permit_queue(self, ticket: _Ticket) -> None:
        ticket.has_slot = True
        self._permit_queue[ticket] = None
        if len(self._permit_queue) == 1:
            self._wake(ticket)

    def _hand_out_slots(self) -> None:
        while self._slot_queue and self._slots_taken() < self._max_concurrent:
            ticket, _ = self._slot_queue.popitem(last=False)
            self._join_permit_queue(ticket)

    def _is_head(self, ticket: _Ticket) -> bool:
        return bool(self._permit_queue) and next(iter(self._permit_queue)) is ticket

    def _wake(self, ticket: _Ticket) -> None:
        if ticket.event is not None:
            ticket.event.set()

    def _wake_head(self) -> None:
        if self._permit_queue:
            self._wake(next(iter(self._permit_queue)))

    async def _wait_for_permit(self, ticket: _Ticket) -> None:
        while not self._is_head(ticket):
            ticket.event = anyio.Event()
            await ticket.event.wait()
        # Only the head watches the clock. A pause() during its sleep moves the deadline
        # later, never earlier, so waking up and looking again is enough.
        while True:
            # Woken and cancelled in the same instant, anyio delivers the cancellation at
            # the next checkpoint; take it here, so a cancelled waiter takes nothing.
            await anyio.lowlevel.checkpoint_if_cancelled()
            now = self._clock()
            earliest = self._window.earliest_start()
            if earliest <= now:
                break
            await self._sleep(earliest - now)
        self._window.record(now)
        self._started += 1
        del self._permit_queue[ticket]
        self._holders += 1
        self._wake_head()

    def _withdraw(self, ticket: _Ticket) -> None:
        """Undo a cancelled ``acquire``: pass on whatever the ticket was handed."""
        if not ticket.has_slot:
            del self._slot_queue[ticket]
            return
        was_head = self._is_head(ticket)
        del self._permit_queue[ticket]
        if was_head:
            self._wake_head()
        self._hand_out_slots()
