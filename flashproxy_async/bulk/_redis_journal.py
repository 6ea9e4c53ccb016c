"""A journal in Redis, shared by every process and host that works on one job.

Each order is claimed by one run at a time, under a lease the run renews while it
lives; the intent is recorded (with Redis's time) in the same atomic step that checks
the claim, before the purchase is sent, and the outcome after. Every step is a Lua
script (:mod:`._redis_scripts`), so two runs never both decide to buy.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Awaitable, Iterable, Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import attrs

from .._exceptions import APIError
from .._generated import Plan
from .._redis_import import import_redis, redis_error
from . import _redis_scripts as scripts
from ._claims import Claim, ClaimStatus
from ._journal_base import JournalError, OrderState
from ._orders import PlanOrder
from ._redis_support import (
    now,
    plan_from_record,
    plan_record,
    text,
    without_password,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisJournal"]

logger = logging.getLogger("flashproxy_async.bulk")

T = TypeVar("T")

_US = 1_000_000
_DEFAULT_LEASE = 30.0
_DEFAULT_PREFIX = "flashproxy:journal"
# Connecting or answering slower than this means Redis is down, not busy.
_SOCKET_TIMEOUT = 5.0
# The share of a lease during which a claim is surely still held, on this host's clock:
# the rest allows for the round trip that set it and for clocks that run at other rates.
_SURE_SHARE = 0.8
_FIRST_RETRY = 0.05
_LONGEST_RETRY = 1.0
_STATES = {state.value: state for state in OrderState}


class RedisJournal:
    """A journal of one job, in Redis, that any number of runs may work on at once.

    Pass it wherever a journal goes: ``provision(client, orders,
    journal=RedisJournal(url, job))``, ``purchase_once(client, order, journal=...)``;
    either opens it for the call when it is not open. Opened as an async context
    manager (``async with RedisJournal(url, job) as journal:``), it is one run that
    renews its claims in a background task while open. README's "Many workers" has
    whole examples.

    Each order is claimed by one run at a time. A run renews its claims every
    ``lease / 3`` seconds; a run that dies loses them ``lease`` seconds later at
    most, and an order it may have bought is then left alone for the settle window
    after that, and looked up by reference, before anyone buys it. A run that could
    not renew a claim in time (a stalled event loop) sends nothing more under it.

    Redis must keep what it is told: see "Many workers" in the README for
    persistence (AOF) and eviction advice. The journal works on asyncio (the redis
    client is asyncio-only).

    Args:
        url: A Redis URL (``redis://host:6379/0``, ``rediss://...``, ``unix://...``),
            or a ``redis.asyncio.Redis`` client (left open on exit).
        job: The job's name: every run given the same name shares its orders.
        lease: Seconds a claim stays held without renewal.
        prefix: Prefix of the Redis keys, ``{prefix}:{{job}}:...``.

    Raises:
        ImportError: The ``redis`` extra is not installed.
        ValueError: ``job`` is empty, or ``lease`` is not a positive number.
    """

    def __init__(
        self,
        url: str | Redis,
        job: str,
        *,
        lease: float = _DEFAULT_LEASE,
        prefix: str = _DEFAULT_PREFIX,
    ) -> None:
        if not isinstance(job, str) or not job:
            raise ValueError(f"job must be a non-empty string, got {job!r}")
        if isinstance(lease, bool) or not isinstance(lease, int | float):
            raise ValueError(f"lease must be a number of seconds, got {lease!r}")
        if not math.isfinite(lease) or lease <= 0:
            raise ValueError(f"lease must be a positive number of seconds, got {lease!r}")
        self.job = job
        self.lease = float(lease)
        self._url = url
        self._where = without_password(url) if isinstance(url, str) else "a Redis client"
        self._prefix = prefix
        base = f"{prefix}:{{{job}}}"
        self._header_key = f"{base}:header"
        self._keys = [f"{base}:{part}" for part in ("state", "version", "sent", "claims")]
        self._record_key = f"{base}:record"
        self._events_key = f"{base}:events"
        self._run = uuid.uuid4().hex
        # reference -> the local (monotonic) time until which the claim is surely ours.
        self._held: dict[str, float] = {}
        self._redis: Redis | None = None
        self._stack: AsyncExitStack | None = None
        self._scripts: dict[str, Any] = {}

    @property
    def name(self) -> str:
        """How messages name this journal (never with a Redis password)."""
        return f"Redis journal {self.job!r} at {self._where}"

    @property
    def run_id(self) -> str:
        """This journal object's run: the holder named in its claims."""
        return self._run

    @property
    def held(self) -> frozenset[str]:
        """References this run holds a claim on."""
        return frozenset(self._held)

    @property
    def is_open(self) -> bool:
        """Inside ``async with``."""
        return self._stack is not None

    def another_run(self) -> RedisJournal:
        """A journal of the same job, not yet open, with a run of its own."""
        return RedisJournal(self._url, self.job, lease=self.lease, prefix=self._prefix)

    def __repr__(self) -> str:
        return f"RedisJournal(job={self.job!r}, at={self._where!r}, lease={self.lease})"

    async def __aenter__(self) -> RedisJournal:
        """Connect and start renewing claims.

        Raises:
            JournalError: Redis cannot be reached.
        """
        if self._stack is not None:
            raise RuntimeError(f"{self.name} is already open")
        redis_asyncio = import_redis("RedisJournal")
        async with AsyncExitStack() as stack:
            if isinstance(self._url, str):
                client = redis_asyncio.Redis.from_url(
                    self._url,
                    socket_timeout=_SOCKET_TIMEOUT,
                    socket_connect_timeout=_SOCKET_TIMEOUT,
                )
                stack.push_async_callback(client.aclose)
            else:
                client = self._url
            self._redis = client
            self._scripts = {
                name: client.register_script(getattr(scripts, name))
                for name in ("CLAIM", "INTENT", "OUTCOME", "RELEASE", "RENEW", "HEADER")
            }
            self._scripts["SNAPSHOT"] = client.register_script(scripts.SNAPSHOT)
            await self._call(client.ping())
            group = await stack.enter_async_context(anyio.create_task_group())
            group.start_soon(self._renew_while_open)
            stack.callback(group.cancel_scope.cancel)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop renewing, give back the claims still held, disconnect."""
        stack, self._stack = self._stack, None
        if stack is None:
            return
        try:
            if self._held:
                with anyio.CancelScope(shield=True), anyio.move_on_after(_SOCKET_TIMEOUT):
                    await self._release_or_let_lapse(sorted(self._held))
        finally:
            # The renewal task is cancelled and the group told the body ended well, so
            # that the body's own exception comes out as it is, not in a group.
            await stack.__aexit__(None, None, None)
            self._redis = None

    def _client(self) -> Redis:
        if self._redis is None:
            raise RuntimeError(f"{self.name} is not open: use it as 'async with'")
        return self._redis

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except redis_error() as exc:
            raise JournalError(f"{self.name}: {type(exc).__name__}: {exc}") from exc

    async def _script(self, name: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        self._client()
        return await self._call(self._scripts[name](keys=list(keys), args=list(args)))

    def _event(self, event: str, reference: str, **fields: Any) -> str:
        record = {"at": now(), "run": self._run, "event": event, "reference": reference}
        return json.dumps({**record, **fields})

    async def bind(self, base_url: str) -> None:
        """Record (first run) or check (every later run) the API this job buys from.

        Raises:
            JournalError: the job was run against another base URL, or Redis cannot
                be reached.
        """
        header = json.dumps(
            {"flashproxy_journal": "provision", "job": self.job, "base_url": base_url}
        )
        stored = json.loads(text(await self._script("HEADER", [self._header_key], [header])))
        if stored.get("base_url") != base_url:
            raise JournalError(
                f"{self.name}: the job was run against {stored.get('base_url')}, this run "
                f"uses {base_url}; give each API its own job"
            )

    async def claim(self, reference: str, *, settle: float) -> Claim:
        """Take ``reference`` for this run, unless it is done, held, or settling.

        Args:
            reference: the order's reference.
            settle: seconds after an intent during which the purchase may still be
                processed: an order in doubt is not handed out before they pass.

        Raises:
            JournalError: Redis cannot be reached.
        """
        args = [reference, self._run, math.ceil(self.lease * _US), math.ceil(settle * _US)]
        asked_at = anyio.current_time()
        verdict, version, wait_us, extra = await self._script(
            "CLAIM", [*self._keys, self._record_key], args
        )
        version, wait = int(version), max(int(wait_us), 0) / _US
        if verdict == scripts.DONE:
            return Claim(
                reference, ClaimStatus.DONE, version, OrderState.DONE, plan=plan_from_record(extra)
            )
        if verdict == scripts.HELD:
            return Claim(reference, ClaimStatus.HELD, version, wait=wait)
        if verdict == scripts.SETTLING:
            return Claim(reference, ClaimStatus.SETTLING, version, OrderState.IN_DOUBT, wait=wait)
        self._held[reference] = asked_at + self.lease * _SURE_SHARE
        return Claim(reference, ClaimStatus.TAKEN, version, _STATES[text(extra)])

    async def intent(self, claim: Claim, order: PlanOrder) -> bool:
        """Record the purchase for a claimed order, before it waits for the limiter.

        Returns False, recording nothing, when the claim was lost (its lease ran out
        and another run took the order, or acted on it): the purchase must not go out.

        The purchase may go out later, after the limiter's wait (a round trip to Redis
        at that moment would delay a start the limiter has already counted): an order
        in doubt is only looked at again ``settle`` seconds after its claim expires,
        and :meth:`sending` lets nothing out once the claim may have expired.

        Raises:
            JournalError: Redis cannot be reached; the purchase must not go out.
        """
        order_record = {k: v for k, v in attrs.asdict(order).items() if v is not None}
        record = json.dumps({"event": "intent", "order": order_record})
        event = self._event("intent", claim.reference, order=order_record)
        args = [claim.reference, self._run, math.ceil(self.lease * _US), claim.version, record]
        asked_at = anyio.current_time()
        ok, version, sent_us = await self._script(
            "INTENT", [*self._keys, self._record_key, self._events_key], [*args, event]
        )
        if not ok:
            self._held.pop(claim.reference, None)
            return False
        self._held[claim.reference] = asked_at + self.lease * _SURE_SHARE
        claim.version, claim.sent_at = int(version), int(sent_us) / _US
        claim.state = OrderState.IN_DOUBT
        return True

    async def sending(self, claim: Claim, order: PlanOrder) -> bool:
        """May an attempt go out now? Only while the claim is surely still this run's."""
        return self._held.get(claim.reference, 0.0) > anyio.current_time()

    async def created(self, claim: Claim, plan: Plan, *, via: str = "purchase") -> None:
        """Record the plan bought (or found, ``via="reconcile"``) for a claimed order."""
        fields = {"via": via, "plan": plan_record(plan)}
        await self._outcome(claim, OrderState.DONE, "created", fields)

    async def failed(self, claim: Claim, error: BaseException, *, outcome_unknown: bool) -> None:
        """Record a failed purchase, and whether it may have gone through anyway."""
        fields: dict[str, Any] = {
            "error": type(error).__name__,
            "message": str(error),
            "outcome_unknown": outcome_unknown,
        }
        if isinstance(error, APIError):
            fields.update(status=error.status, code=error.code)
        state = OrderState.IN_DOUBT if outcome_unknown else OrderState.RETRY
        await self._outcome(claim, state, "failed", fields)

    async def conflict(self, claim: Claim, error: BaseException) -> None:
        """Record that a plan of another product carries the order's reference."""
        await self._outcome(claim, OrderState.CONFLICT, "conflict", {"message": str(error)})

    async def absent(self, claim: Claim) -> None:
        """Record that a lookup found no plan; the claim is kept, to buy it next."""
        await self._outcome(claim, OrderState.RETRY, "absent", {}, release=False)

    async def withheld(self, claim: Claim) -> None:
        """Record that nothing was sent: the run stopped before the retry went out."""
        await self._outcome(claim, OrderState.RETRY, "withheld", {})

    async def release(self, claim: Claim) -> None:
        """Give a claim back without recording anything (nothing was sent under it)."""
        if claim.reference in self._held:
            await self._release([claim.reference])

    async def _release_or_let_lapse(self, references: Sequence[str]) -> None:
        try:
            await self._release(references)
        except JournalError as exc:
            logger.warning("%s; its claims lapse in %s s", exc, self.lease)

    async def _release(self, references: Sequence[str]) -> None:
        await self._script("RELEASE", [self._keys[3]], [self._run, *references])
        for reference in references:
            self._held.pop(reference, None)

    async def _outcome(
        self,
        claim: Claim,
        state: OrderState,
        event: str,
        fields: dict[str, Any],
        *,
        release: bool = True,
    ) -> None:
        record = json.dumps({"event": event, **fields})
        args = [claim.reference, self._run, state.value, claim.version, record]
        args += [self._event(event, claim.reference, **fields), "1" if release else "0"]
        applied, _ = await self._outlasting_outages(
            "OUTCOME", [*self._keys, self._record_key, self._events_key], args
        )
        if release:
            self._held.pop(claim.reference, None)
        if applied:
            claim.state = state
        if state is OrderState.DONE:
            claim.status = ClaimStatus.DONE

    async def _outlasting_outages(self, name: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        # An outcome comes after a purchase went out: worth waiting up to a lease for a
        # Redis restart, rather than leaving the order in doubt for a later lookup.
        delay = _FIRST_RETRY
        with anyio.move_on_after(self.lease) as scope:
            while True:
                try:
                    return await self._script(name, keys, args)
                except JournalError as exc:
                    logger.warning("%s; retrying in %.2f s", exc, delay)
                    await anyio.sleep(delay)
                    delay = min(delay * 2, _LONGEST_RETRY)
        assert scope.cancelled_caught
        return await self._script(name, keys, args)

    async def snapshot(self, references: Iterable[str]) -> dict[str, Claim]:
        """What the journal knows of each reference now (no claim is taken).

        Each :class:`Claim` has ``status`` DONE (with its plan) or TAKEN (meaning
        only "not done"), its ``state``, ``version`` and ``sent_at``.
        """
        refs = list(references)
        flat = await self._script("SNAPSHOT", [*self._keys[:3], self._record_key], refs)
        out: dict[str, Claim] = {}
        for i, ref in enumerate(refs):
            state_text, version, sent, record = (text(v) for v in flat[4 * i : 4 * i + 4])
            state = _STATES.get(state_text, OrderState.NEW)
            status = ClaimStatus.DONE if state is OrderState.DONE else ClaimStatus.TAKEN
            plan = plan_from_record(record) if state is OrderState.DONE else None
            sent_at = int(sent) / _US if int(sent) else None
            out[ref] = Claim(ref, status, int(version), state, plan=plan, sent_at=sent_at)
        return out

    async def events(self) -> list[dict[str, Any]]:
        """Every record written to this job's journal, oldest first."""
        raw = await self._call(self._client().lrange(self._events_key, 0, -1))  # type: ignore[arg-type]
        return [json.loads(text(item)) for item in raw]

    async def _renew_while_open(self) -> None:
        while True:
            await anyio.sleep(self.lease / 3)
            held = sorted(self._held)
            if not held:
                continue
            asked_at = anyio.current_time()
            try:
                lost = await self._script(
                    "RENEW", [self._keys[3]], [self._run, math.ceil(self.lease * _US), *held]
                )
            except JournalError as exc:
                logger.warning("could not renew claims in %s: %s", self.name, exc)
                continue
            lost_refs = {text(ref) for ref in lost}
            for reference in held:
                if reference in lost_refs:
                    self._held.pop(reference, None)
                elif reference in self._held:
                    self._held[reference] = asked_at + self.lease * _SURE_SHARE
            if lost_refs:
                logger.warning(
                    "%d claim(s) in %s outlived their %s s lease without renewal (a stalled "
                    "event loop?); other runs may work on them now: %s",
                    len(lost_refs),
                    self.name,
                    self.lease,
                    ", ".join(sorted(lost_refs)),
                )
