"""One rate limit shared by every process and host that uses an API key, kept in Redis.

The limit belongs to the API key, not to the process: ten workers each running an
in-process limiter send ten times the allowed rate. :class:`RedisRateLimiter` keeps
the window, the concurrency slots and the 429 pause in Redis, changed only by the
atomic Lua scripts in :mod:`._scripts`, with Redis's ``TIME`` as the only clock.

Waiting is polling: a waiter that finds the window full sleeps exactly as long as the
script says; one that finds every slot taken polls with a short backoff, since a slot
comes back when another process releases it, at no time known in advance. Inside one
limiter object only the longest-waiting task polls, so waiters of one process are
served first come, first served and Redis sees one poller per process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import random
import uuid
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .._exceptions import FlashProxyError
from .._redis_import import import_redis, redis_error
from . import _scripts
from ._base import WindowLimiter, finite_number

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisLimiterError", "RedisRateLimiter"]

logger = logging.getLogger("flashproxy_async.limiters")

T = TypeVar("T")

_US = 1_000_000
_FIRST_POLL = 0.005
# How long a slot-waiter may sleep between polls, at most, by default. A slot freed by
# another process is noticed this late at worst; at the documented 100 a minute (one
# start every 0.6 s) that costs nothing measurable.
_DEFAULT_POLL_INTERVAL = 0.05
_DEFAULT_LEASE = 30.0
_DEFAULT_PREFIX = "flashproxy:limiter"
# Connecting or answering slower than this means Redis is down, not busy.
_SOCKET_TIMEOUT = 10.0
_GENERATION_TTL_MS = 86_400_000


class RedisLimiterError(FlashProxyError):
    """Redis could not be reached, or refused a limiter command; the cause is chained."""


class RedisRateLimiter(WindowLimiter):
    """``rate`` starts per ``period`` and ``max_concurrent`` in flight, across processes.

    Every limiter created with the same Redis and the same ``key``, in any process on
    any host, shares one limit, with the guarantees of
    :class:`~flashproxy_async.TokenBucketLimiter`:

    * In any window of ``period`` seconds at most ``rate`` requests start: a request
      starts only once the start ``rate`` places before it is ``period + margin`` old,
      checked and recorded atomically by a Lua script, on Redis's clock (``TIME``), so
      clock skew between hosts does not matter.
    * At most ``max_concurrent`` requests are in flight. Each slot is a lease in Redis,
      renewed by a background task of this limiter while it is held. A process that
      dies loses its slots when their lease runs out, at most ``lease`` seconds later.
      A process that stalls longer than ``lease`` (a blocked event loop) loses them too,
      and a warning is logged.
    * :meth:`pause` (a 429 seen by any process) stops every start in every process
      until its deadline; after it the next ``rate`` requests start ``period / rate``
      apart instead of in a burst.
    * A slot and a start permit are taken together in one script, or neither: a slot
      is never held idle while its request waits for the window.
    * A waiter cancelled in :meth:`acquire` takes nothing; a holder cancelled inside
      :meth:`~flashproxy_async.Limiter.slot` gives its slot back.

    Fairness: inside one limiter object, waiters are served first come, first served.
    Between processes it is best effort: each process's longest waiter polls Redis, and
    whichever asks first once a permit frees gets it. No process is locked out, but a
    process nearer to Redis may win more often.

    Every process sharing ``key`` must use the same ``rate``, ``period`` and
    ``max_concurrent``; the limiter does not check. The limiter works on asyncio (the
    redis client is asyncio-only) and belongs to one event loop, like the client that
    uses it. Call :meth:`aclose` when done.

    Args:
        url: A Redis URL (``redis://host:6379/0``, ``rediss://...``, ``unix://...``), or
            an existing ``redis.asyncio.Redis`` client, which :meth:`aclose` leaves
            open. A client must be created without ``decode_responses``.
        key: Names the shared limit: every limiter with the same ``key`` shares it. Use
            a name for the API key (not the API key itself: it is stored in Redis).
        rate: Most request starts in any window of ``period`` seconds.
        period: Window length in seconds.
        max_concurrent: Most requests in flight at once, across all processes.
        lease: Seconds a slot stays held without renewal; the slots of a dead process
            return at most this long after it died. Renewed every ``lease / 3``.
        margin: Extra seconds beyond ``period`` between a start and the one ``rate``
            starts before it. Defaults to 2% of ``period``, and at least 20 ms.
        poll_interval: Longest sleep, in seconds, between two looks for a free slot.
        prefix: Prefix of the Redis keys, which are ``{prefix}:{{key}}:starts``,
            ``...:holders`` and ``...:pause``.

    Raises:
        ImportError: The ``redis`` extra is not installed.
        TypeError: ``rate`` or ``max_concurrent`` is not an ``int``.
        ValueError: A number is out of range, or ``key`` is empty.
    """

    def __init__(
        self,
        url: str | Redis,
        *,
        key: str,
        rate: int = 100,
        period: float = 60.0,
        max_concurrent: int = 20,
        lease: float = _DEFAULT_LEASE,
        margin: float | None = None,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        prefix: str = _DEFAULT_PREFIX,
    ) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError(f"key must be a non-empty string, got {key!r}")
        super().__init__(rate=rate, period=period, max_concurrent=max_concurrent, margin=margin)
        self._lease = finite_number("lease", lease, above_zero=True)
        self._poll_interval = finite_number("poll_interval", poll_interval, above_zero=True)
        self._key = key

        redis_asyncio = import_redis("RedisRateLimiter")
        if isinstance(url, str):
            self._redis: Redis = redis_asyncio.Redis.from_url(
                url, socket_timeout=_SOCKET_TIMEOUT, socket_connect_timeout=_SOCKET_TIMEOUT
            )
            self._owns_client = True
        else:
            self._redis = url
            self._owns_client = False

        # One hash tag, so that a Redis Cluster keeps the three keys on one slot.
        base = f"{prefix}:{{{key}}}"
        self._starts_key = f"{base}:starts"
        self._holders_key = f"{base}:holders"
        self._pause_key = f"{base}:pause"
        self._generation_key = f"{base}:generation"
        self._acquire_script = self._redis.register_script(_scripts.ACQUIRE)
        self._release_script = self._redis.register_script(_scripts.RELEASE)
        self._withdraw_script = self._redis.register_script(_scripts.WITHDRAW)
        self._renew_script = self._redis.register_script(_scripts.RENEW)
        self._pause_script = self._redis.register_script(_scripts.PAUSE)

        # Integer microseconds, rounded against the caller: never a shorter spacing.
        self._spacing_us = math.ceil((self._period + self._margin) * _US)
        self._step_us = math.ceil(self._period / self._rate * _US)
        self._lease_us = math.ceil(self._lease * _US)

        self._instance = uuid.uuid4().hex
        # The window state this limiter last saw; "" until its first acquire.
        self._generation = ""
        # Kept well past any window, so that only a loss (not idleness) removes it.
        self._generation_ttl_ms = max(math.ceil(4 * self._spacing_us / 1000), _GENERATION_TTL_MS)
        self._serial = itertools.count()
        self._held: list[str] = []
        self._started = 0
        self._turn = asyncio.Lock()
        self._renewer: asyncio.Task[None] | None = None
        self._unfinished: set[asyncio.Future[Any]] = set()
        self._closed = False
        self._waiting = 0
        self._rate_limited = 0

    @property
    def lease(self) -> float:
        """Seconds a slot stays held in Redis without renewal."""
        return self._lease

    @property
    def key(self) -> str:
        """The name of the shared limit."""
        return self._key

    @property
    def in_flight(self) -> int:
        """Slots held by this limiter object (not by the other processes)."""
        return len(self._held)

    @property
    def started(self) -> int:
        """Requests this limiter object has let start since creation."""
        return self._started

    @property
    def waiting(self) -> int:
        """Tasks of this limiter object inside :meth:`acquire`."""
        return self._waiting

    @property
    def rate_limited(self) -> int:
        """429 answers this limiter object was told of (its :meth:`pause` calls)."""
        return self._rate_limited

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(key={self._key!r}, rate={self._rate}, "
            f"period={self._period}, max_concurrent={self._max_concurrent}, "
            f"in_flight={self.in_flight})"
        )

    async def acquire(self) -> None:
        """Wait until a slot and a start permit are free in Redis; take both at once.

        Cancelled while waiting, it takes nothing: a grant that raced the cancellation
        is undone in the background (:meth:`aclose` waits for that).

        Raises:
            RedisLimiterError: Redis could not be reached or refused the script.
            RuntimeError: The limiter is closed.
        """
        self._check_open()
        self._waiting += 1
        try:
            await self._acquire()
        finally:
            self._waiting -= 1
        self._start_renewer()

    async def _acquire(self) -> None:
        async with self._turn:
            poll = _FIRST_POLL
            while True:
                member = f"{self._instance}:{next(self._serial)}"
                status, wait_us = await self._try_take(member)
                if status == _scripts.GRANTED:
                    break
                wait = max(wait_us, 0) / _US
                if status == _scripts.WAIT_FOR_SLOT:
                    # Jitter keeps the pollers of several processes out of lockstep.
                    wait = min(wait, poll * random.uniform(0.5, 1.0))
                    poll = min(poll * 2, self._poll_interval)
                await asyncio.sleep(wait)
            self._held.append(member)
            self._started += 1

    async def release(self) -> None:
        """Give back a slot taken by :meth:`acquire`.

        If Redis cannot be reached, a warning is logged and the slot returns when its
        lease runs out; nothing is raised, so a failed release never hides the error
        of the request it ends.

        Raises:
            RuntimeError: More releases than acquires.
        """
        if not self._held:
            raise RuntimeError("release() called without a matching acquire()")
        member = self._held.pop()
        try:
            await self._finish_even_if_cancelled(
                self._release_script(keys=[self._holders_key], args=[member])
            )
        except redis_error() as exc:
            logger.warning(
                "could not release a slot of %r in Redis (%s); it returns when its lease "
                "runs out, in at most %s s",
                self._key,
                exc,
                self._lease,
            )

    async def pause(self, seconds: float) -> None:
        """The server answered 429: no process sharing :attr:`key` starts for ``seconds``.

        Requests already in flight are not touched. A later deadline extends the pause;
        an earlier one does not shorten it. After the deadline the next ``rate``
        requests start ``period / rate`` apart.

        Args:
            seconds: Pause length, usually the Retry-After value; negative counts as 0.

        Raises:
            ValueError: ``seconds`` is NaN or infinite.
            RedisLimiterError: Redis could not be reached or refused the script.
        """
        if not math.isfinite(seconds):
            raise ValueError(f"pause seconds must be finite, got {seconds!r}")
        self._rate_limited += 1
        pause_us = math.ceil(max(seconds, 0.0) * _US)
        await self._call(
            self._pause_script(
                keys=[self._pause_key], args=[pause_us, self._rate, 2 * self._spacing_us]
            )
        )

    async def aclose(self) -> None:
        """Stop renewing leases, finish pending clean-ups, close the Redis client if owned.

        Slots still held when it is called are no longer renewed and return when their
        lease runs out. Calling it again does nothing.
        """
        if self._closed:
            return
        self._closed = True
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.wait([self._renewer])
            self._renewer = None
        if self._unfinished:
            await asyncio.wait(self._unfinished)
        if self._owns_client:
            await self._redis.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} for {self._key!r} is closed")

    async def _try_take(self, member: str) -> tuple[int, int]:
        take = asyncio.ensure_future(
            self._acquire_script(
                keys=[self._starts_key, self._holders_key, self._pause_key, self._generation_key],
                args=[
                    self._rate,
                    self._spacing_us,
                    self._step_us,
                    self._max_concurrent,
                    self._lease_us,
                    member,
                    self._generation,
                    uuid.uuid4().hex,
                    self._generation_ttl_ms,
                ],
            )
        )
        try:
            status, wait_us, generation = await self._call(asyncio.shield(take))
        except asyncio.CancelledError:
            # The script may already have run: undo its grant, if any, so that a
            # cancelled waiter takes nothing.
            self._keep_until_done(asyncio.ensure_future(self._withdraw_if_granted(take, member)))
            raise
        generation = generation.decode() if isinstance(generation, bytes) else str(generation)
        if self._generation and generation != self._generation:
            logger.warning(
                "the limiter state of %r in Redis was lost (a restart or a flush); no "
                "request starts for one window, then they go out paced",
                self._key,
            )
        self._generation = generation
        return int(status), int(wait_us)

    async def _withdraw_if_granted(self, take: Awaitable[Sequence[int]], member: str) -> None:
        try:
            status, *_ = await take
            if status == _scripts.GRANTED:
                await self._withdraw_script(
                    keys=[self._starts_key, self._holders_key], args=[member]
                )
        except redis_error() as exc:
            logger.warning(
                "could not undo a cancelled acquire of %r in Redis (%s); its slot returns "
                "when its lease runs out",
                self._key,
                exc,
            )

    async def _finish_even_if_cancelled(self, call: Awaitable[T]) -> T:
        task = asyncio.ensure_future(call)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            self._keep_until_done(task)
            raise

    def _keep_until_done(self, task: asyncio.Future[Any]) -> None:
        # A reference keeps the task from being collected mid-flight; aclose waits for it.
        self._unfinished.add(task)
        task.add_done_callback(self._forget_unfinished)

    def _forget_unfinished(self, task: asyncio.Future[Any]) -> None:
        self._unfinished.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("limiter clean-up for %r failed: %s", self._key, task.exception())

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except redis_error() as exc:
            raise RedisLimiterError(
                f"Redis limiter for {self._key!r}: {type(exc).__name__}: {exc}"
            ) from exc

    def _start_renewer(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(
                self._renew_while_held(), name=f"RedisRateLimiter({self._key!r}) lease renewal"
            )

    async def _renew_while_held(self) -> None:
        while self._held:
            await asyncio.sleep(self._lease / 3)
            members = list(self._held)
            if not members:
                return
            try:
                missing = await self._renew_script(
                    keys=[self._holders_key], args=[self._lease_us, *members]
                )
            except redis_error() as exc:
                logger.warning("could not renew leases of %r in Redis: %s", self._key, exc)
                continue
            lost = [m for m in (b.decode() for b in missing) if m in self._held]
            if lost:
                logger.warning(
                    "%d slot(s) of %r outlived their %s s lease without renewal (a stalled "
                    "event loop?); other processes may already use them",
                    len(lost),
                    self._key,
                    self._lease,
                )
