"""Fault injection: make chosen requests fail, hang, drop or answer garbage."""

from __future__ import annotations

import asyncio
import enum
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

API_PREFIX = "/api/v1"


class FaultKind(str, enum.Enum):
    """What a fault does to the request it matches."""

    FAIL = "fail"
    """Answer an error without performing the operation."""
    PROCESS_THEN_FAIL = "process_then_fail"
    """Perform the operation, then answer an error instead of its result."""
    DROP = "drop"
    """Close the connection without performing the operation or answering."""
    PROCESS_THEN_DROP = "process_then_drop"
    """Perform the operation, then close the connection without answering."""
    DELAY = "delay"
    """Wait before handling (while holding a concurrency slot)."""
    MALFORMED_JSON = "malformed_json"
    """Answer a truncated JSON body with a JSON content type."""
    HTML_ERROR = "html_error"
    """Answer an HTML error page, as a proxy or load balancer would."""
    COMMIT_LATE = "commit_late"
    """Perform the operation only some (scaled) time after the request arrived."""
    RESPOND = "respond"
    """Answer a body of any shape, with or without performing the operation."""


PathPattern = str | re.Pattern[str] | None


def compile_path(pattern: PathPattern) -> re.Pattern[str] | None:
    """Turn ``/plans/{planId}/extend``, ``/plans/*`` or ``/plans/**`` into a regex.

    ``{name}`` and ``*`` match one path segment, ``**`` any rest of the path. The
    ``/api/v1`` prefix is optional. A compiled regex is used as it is (fullmatch).
    """
    if pattern is None or isinstance(pattern, re.Pattern):
        return pattern
    if pattern.startswith(API_PREFIX):
        pattern = pattern[len(API_PREFIX) :]
    parts: list[str] = []
    for token in re.split(r"(\{[^/}]+\}|\*\*|\*)", pattern):
        if token == "**":
            parts.append(".*")
        elif token == "*" or (token.startswith("{") and token.endswith("}")):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


@attrs.define(eq=False)
class Fault:
    """One injected fault. ``remaining`` is None for "every matching request"."""

    kind: FaultKind
    remaining: int | None = 1
    method: str | None = None
    path: re.Pattern[str] | None = attrs.field(default=None, converter=compile_path)
    status: int = 500
    code: str = "INTERNAL_ERROR"
    message: str = "Injected fault"
    seconds: float = 0.0
    retry_after: float | None = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = attrs.field(factory=dict)
    process: bool = False
    hits: int = 0
    """How many requests this fault has affected."""

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.fullmatch(path) is not None

    def consume(self) -> None:
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1


class Faults:
    """Faults waiting for requests, reached as ``fake.faults``.

    Every method takes ``n`` (how many matching requests to affect; None for all),
    ``method`` (e.g. "POST"; None for any) and ``path`` (relative to ``/api/v1``, see
    :func:`compile_path`; None for any), and returns the :class:`Fault`, whose ``hits``
    counts the requests it affected. The first matching fault of the non-delay kinds
    wins; a delay (or a late commit) combines with it. Faults apply after authentication
    and the rate limit.
    """

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.released = asyncio.Event()
        """Set for a moment by :meth:`release_held`: every held request goes on."""

    def _add(self, fault: Fault) -> Fault:
        self.pending.append(fault)
        return fault

    def fail_next(
        self,
        n: int | None = 1,
        *,
        status: int = 500,
        code: str = "INTERNAL_ERROR",
        message: str = "Injected fault",
        retry_after: float | None = None,
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Answer the next ``n`` matching requests with an error envelope, unprocessed.

        ``retry_after`` adds a Retry-After header (useful with status 429 or 503).
        """
        return self._add(
            Fault(
                FaultKind.FAIL,
                n,
                method,
                path,
                status=status,
                code=code,
                message=message,
                retry_after=retry_after,
            )
        )

    def process_then_fail(
        self,
        n: int | None = 1,
        *,
        status: int = 500,
        code: str = "INTERNAL_ERROR",
        message: str = "Injected fault after processing",
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Perform the next ``n`` matching operations (a purchase is made), then fail."""
        return self._add(
            Fault(
                FaultKind.PROCESS_THEN_FAIL,
                n,
                method,
                path,
                status=status,
                code=code,
                message=message,
            )
        )

    def drop(
        self, n: int | None = 1, *, method: str | None = None, path: PathPattern = None
    ) -> Fault:
        """Close the connection of the next ``n`` matching requests, unprocessed."""
        return self._add(Fault(FaultKind.DROP, n, method, path))

    def process_then_drop(
        self, n: int | None = 1, *, method: str | None = None, path: PathPattern = None
    ) -> Fault:
        """Perform the next ``n`` matching operations, then close the connection."""
        return self._add(Fault(FaultKind.PROCESS_THEN_DROP, n, method, path))

    def delay(
        self,
        seconds: float,
        n: int | None = 1,
        *,
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Hold the next ``n`` matching requests for ``seconds`` (not scaled) first."""
        return self._add(Fault(FaultKind.DELAY, n, method, path, seconds=seconds))

    def commit_late(
        self,
        seconds: float,
        n: int | None = 1,
        *,
        method: str | None = "POST",
        path: PathPattern = "/plans",
    ) -> Fault:
        """Perform the next ``n`` matching operations ``seconds`` (scaled) after arrival.

        Until then the purchase is invisible (a lookup does not find it), as on a server
        still processing it; it commits even if the client has gone away meanwhile.
        """
        return self._add(Fault(FaultKind.COMMIT_LATE, n, method, path, seconds=seconds))

    def respond(
        self,
        body: bytes | str | Any,
        n: int | None = 1,
        *,
        status: int = 200,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        process: bool = False,
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Answer the next ``n`` matching requests with ``body`` as it is given.

        ``body`` is sent as is when bytes or str, else JSON-encoded. ``process=True``
        performs the operation first (a purchase is made), then answers ``body``.
        ``headers`` are added (for example ``Content-Encoding`` for a body that is
        already compressed).
        """
        if isinstance(body, str):
            raw = body.encode()
        elif isinstance(body, bytes):
            raw = body
        else:
            raw = json.dumps(body).encode()
        return self._add(
            Fault(
                FaultKind.RESPOND,
                n,
                method,
                path,
                status=status,
                body=raw,
                content_type=content_type,
                headers=dict(headers or {}),
                process=process,
            )
        )

    def malformed_json(
        self,
        n: int | None = 1,
        *,
        status: int = 200,
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Answer the next ``n`` matching requests with truncated JSON, unprocessed."""
        return self._add(Fault(FaultKind.MALFORMED_JSON, n, method, path, status=status))

    def html_error(
        self,
        n: int | None = 1,
        *,
        status: int = 502,
        method: str | None = None,
        path: PathPattern = None,
    ) -> Fault:
        """Answer the next ``n`` matching requests with an HTML error page, unprocessed."""
        return self._add(Fault(FaultKind.HTML_ERROR, n, method, path, status=status))

    def release_held(self) -> None:
        """End the wait of every request held right now by a delay or a late commit."""
        self.released.set()
        self.released.clear()  # the waiters already woken go on; later ones wait again

    def clear(self) -> None:
        """Remove every pending fault."""
        self.pending.clear()

    def take(self, method: str, path: str) -> tuple[Fault | None, Fault | None]:
        """Consume the delay and the outcome fault that apply to a request."""
        delay: Fault | None = None
        outcome: Fault | None = None
        for fault in self.pending:
            if not fault.matches(method, path):
                continue
            if fault.kind in (FaultKind.DELAY, FaultKind.COMMIT_LATE):
                delay = delay or fault
            elif outcome is None:
                outcome = fault
        for chosen in (delay, outcome):
            if chosen is not None:
                chosen.consume()
        self.pending = [f for f in self.pending if f.remaining is None or f.remaining > 0]
        return delay, outcome
