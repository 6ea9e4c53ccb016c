"""Event hooks: user code the transport calls around each attempt.

``AsyncFlashProxy(event_hooks={"request": [...], "response": [...]})``. A hook is a
function or a coroutine function taking one event. Request hooks run once the attempt
holds its limiter slot, immediately before it is sent: an exception a hook raises
propagates to the caller and that attempt is not sent, which is how bulk provisioning
journals its intent before each purchase goes out. Response hooks run when an answer
has been read, before it is decoded. Events are frozen and carry headers with every
secret masked: a hook never sees the API key.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import attrs

from ._redact import MASK, redact

__all__ = ["EventHooks", "RequestEvent", "ResponseEvent", "masked_headers"]

_E = TypeVar("_E")

RequestHook = Callable[["RequestEvent"], Awaitable[None] | None]
ResponseHook = Callable[["ResponseEvent"], Awaitable[None] | None]


@attrs.frozen
class RequestEvent:
    """An attempt about to be sent.

    Attributes:
        method: ``GET`` or ``POST``.
        url: the full URL, query included.
        headers: the request headers, secrets masked.
        attempt: 1 for the first attempt, 2 for the first retry, ...
    """

    method: str
    url: str
    headers: Mapping[str, str]
    attempt: int


@attrs.frozen
class ResponseEvent:
    """An answer read in full, before it is decoded.

    Attributes:
        method: ``GET`` or ``POST``.
        url: the full URL, query included.
        status: the HTTP status.
        headers: the response headers (lower-case names), secrets masked.
        elapsed: seconds from sending to the last byte read.
        request_id: the server's ``x-request-id`` (or ``request-id``), if it sent one.
        attempt: as for :class:`RequestEvent`.
    """

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    elapsed: float
    request_id: str | None
    attempt: int


@attrs.frozen
class EventHooks:
    """The hooks of one client, normalised from the user's mapping."""

    request: tuple[RequestHook, ...] = ()
    response: tuple[ResponseHook, ...] = ()

    @classmethod
    def coerce(
        cls, hooks: Mapping[str, Iterable[Callable[..., object]]] | EventHooks | None
    ) -> EventHooks:
        """Check a ``{"request": [...], "response": [...]}`` mapping.

        Raises:
            ValueError: a key other than ``request`` and ``response``.
            TypeError: a hook that is not callable.
        """
        if hooks is None:
            return cls()
        if isinstance(hooks, EventHooks):
            return hooks
        unknown = set(hooks) - {"request", "response"}
        if unknown:
            raise ValueError(f"event_hooks takes 'request' and 'response', not {sorted(unknown)!r}")
        found: dict[str, tuple[Callable[..., object], ...]] = {}
        for name in ("request", "response"):
            listed = tuple(hooks.get(name, ()))
            for hook in listed:
                if not callable(hook):
                    raise TypeError(f"event_hooks[{name!r}] holds {hook!r}, which is not callable")
            found[name] = listed
        return cls(request=found["request"], response=found["response"])  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, list[Callable[..., object]]]:
        """The hooks as a fresh mapping, to extend and pass to ``with_options``."""
        return {"request": list(self.request), "response": list(self.response)}


async def run_hooks(hooks: Sequence[Callable[[_E], object]], event: _E) -> None:
    """Call each hook in order, awaiting the coroutine ones; the first error propagates."""
    for hook in hooks:
        result = hook(event)
        if inspect.isawaitable(result):
            await result


#: Header names whose values are masked outright; an extra header a caller adds
#: (``X-Upstream-Token``) is masked as the key is when its name says secret.
_SECRET_HEADER = re.compile(r"(?i)auth|token|secret|api[-_]?key|password|cookie|session")


def masked_headers(headers: Mapping[str, str], secrets: Sequence[str]) -> dict[str, str]:
    """Headers safe to hand to user code: secret-named ones masked, the rest redacted."""
    return {
        name: MASK if _SECRET_HEADER.search(name) else redact(value, secrets)
        for name, value in headers.items()
    }
