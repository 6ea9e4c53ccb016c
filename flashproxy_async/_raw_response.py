"""Raw responses: the status, headers and request id behind a call's result.

``await client.plans.with_raw_response.get(plan_id)`` runs the plain method while a
context variable collects what the transport saw of its (last) successful answer,
and returns it as a :class:`RawResponse` whose :meth:`~RawResponse.parse` gives the
result the plain method returns. No resource method knows about it.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, ParamSpec, TypeVar

import attrs

__all__ = ["Headers", "RawResponse", "RawView", "note_reply", "request_id_of", "to_raw"]

T = TypeVar("T")
P = ParamSpec("P")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The server's request id among lower-case response headers, if it sent one."""
    return headers.get("x-request-id") or headers.get("request-id")


class Headers(Mapping[str, str]):
    """Response headers, looked up by name in any case."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = {name.lower(): value for name, value in headers.items()}

    def __getitem__(self, name: str) -> str:
        return self._headers[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._headers

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __repr__(self) -> str:
        return f"Headers({self._headers!r})"


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """What came back for one call, besides its result.

    Attributes:
        status: the HTTP status of the answer.
        headers: the response headers, looked up in any case.
        request_id: the server's ``x-request-id`` (or ``request-id``), if sent.
        elapsed: seconds the call took, retries and limiter waits included.
        attempts: attempts made, 1 when the first one succeeded.
        text: the response body as received.

    For a method that makes several requests (``plans.create_dedicated_isp``),
    these describe the last one.
    """

    status: int
    headers: Headers
    request_id: str | None
    elapsed: float
    attempts: int
    text: str = attrs.field(repr=False)
    parsed: T = attrs.field(repr=False, alias="parsed")

    def parse(self) -> T:
        """The result the plain method returns for this call."""
        return self.parsed


@attrs.define
class _Seen:
    status: int = 0
    headers: Mapping[str, str] = attrs.Factory(dict)
    text: str = ""
    attempts: int = 0
    elapsed: float = 0.0


_collector: contextvars.ContextVar[_Seen | None] = contextvars.ContextVar(
    "flashproxy_raw_response", default=None
)


def note_reply(
    status: int, headers: Mapping[str, str], text: str, attempts: int, elapsed: float
) -> None:
    """Called by the transport for each successful answer; kept only under ``to_raw``."""
    seen = _collector.get()
    if seen is not None:
        seen.status, seen.headers, seen.text = status, headers, text
        seen.attempts, seen.elapsed = attempts, elapsed


def to_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """``method`` returning a :class:`RawResponse` of its result.

    A paginated list (awaitable to its first page) gives ``RawResponse[Page[...]]``.
    """

    @functools.wraps(method)
    async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        seen = _Seen()
        token = _collector.set(seen)
        try:
            result = await method(*args, **kwargs)
        finally:
            _collector.reset(token)
        return RawResponse(
            status=seen.status,
            headers=Headers(seen.headers),
            request_id=request_id_of(seen.headers),
            elapsed=seen.elapsed,
            attempts=seen.attempts,
            text=seen.text,
            parsed=result,
        )

    return raw


class RawView:
    """``resource.with_raw_response``: each method of the resource, returning a
    :class:`RawResponse`.

    Subclasses list the methods for type checkers (``self.get = to_raw(plans.get)``);
    a method they do not list is still reachable, typed ``Any``.
    """

    def __init__(self, resource: Any) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._resource, name)
        if not callable(method):
            raise AttributeError(name)
        wrapped = to_raw(method)
        self.__dict__[name] = wrapped
        return wrapped

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._resource).__name__}>"
