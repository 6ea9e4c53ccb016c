"""What the fake saw and what it answered, kept for assertions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def _redacted(headers: Mapping[str, str]) -> str:
    return repr(
        {k: ("<redacted>" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}
    )


@attrs.define(eq=False)
class RecordedResponse:
    """The answer the fake sent (or None in ``RecordedRequest.response`` if it dropped)."""

    status: int
    content_type: str
    body: str = attrs.field(repr=False)
    headers: Mapping[str, str] = attrs.field(repr=False)
    fault: str | None = None
    """The injected fault kind that shaped this answer, if any."""

    def json(self) -> Any:
        """The body decoded as JSON (raises ValueError for non-JSON bodies)."""
        return json.loads(self.body)


@attrs.define(eq=False)
class RecordedRequest:
    """A request the fake received. Its repr hides the Authorization header."""

    method: str
    path: str
    """The path below ``/api/v1`` (e.g. ``/plans``); the full path for other URLs."""
    query: Mapping[str, str]
    headers: Mapping[str, str] = attrs.field(repr=_redacted)
    """Case-insensitive; the Authorization header is kept but hidden from repr."""
    body: bytes = attrs.field(repr=False)
    json: Any = None
    """The JSON body, or None when there was none or it did not parse."""
    route: str | None = None
    """The matched route template, e.g. ``/plans/{planId}``."""
    response: RecordedResponse | None = None
    api_key: str | None = attrs.field(default=None, repr=False)

    @property
    def status(self) -> int | None:
        """The status answered, or None if the connection was dropped."""
        return None if self.response is None else self.response.status
