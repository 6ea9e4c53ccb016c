"""Per-call options: the keyword arguments every API method takes for that call alone.

``client.balance.get(timeout=5, extra_headers={"X-Trace": "..."})`` overrides the
client's settings for one call, without a ``with_options`` copy. The extras let a
caller send what the SDK does not know yet: a header, a query parameter, a body field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import attrs

from ._config import Timeout, check_deadline, check_max_retries
from ._exceptions import RequestValidationError

__all__ = [
    "CallOptions",
    "apply_call_options",
    "merged_body",
    "merged_headers",
    "merged_query",
    "reads",
]

#: Headers the caller may not set: the key that is sent is always the client's own.
_PROTECTED_HEADERS = frozenset({"authorization"})


class CallOptions(TypedDict, total=False):
    """The per-call keyword arguments of every API method.

    Attributes:
        extra_headers: Headers to add to this call. ``Authorization`` is refused:
            the key sent is always the client's.
        extra_query: Query parameters to add (or replace) on this call.
        extra_body: JSON members merged into the body after the local checks of
            the typed arguments (POST only).
        timeout: Seconds per attempt, a ``Timeout``, or None, for this call.
        deadline: Seconds the whole call may take, retries included, or None.
        max_retries: Retries after the first attempt, for this call.
    """

    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, Any]
    extra_body: Mapping[str, Any]
    timeout: float | Timeout | None
    deadline: float | None
    max_retries: int


_KNOWN = frozenset(CallOptions.__annotations__)


def _checked_headers(headers: Any) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        raise TypeError(f"extra_headers must be a mapping, got {type(headers).__name__}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("extra_headers names and values must be strings")
        if name.lower() in _PROTECTED_HEADERS:
            raise RequestValidationError(
                "extra_headers cannot set Authorization: the client sends its own key",
                rule="extra_headers.authorization",
            )
        checked[name] = value
    return checked


def _checked_mapping(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping, got {type(value).__name__}")
    return dict(value)


def apply_call_options(base: Any, call: Mapping[str, Any]) -> Any:
    """``base`` (a transport ``RequestOptions``) with this call's options applied.

    Raises:
        TypeError: an unknown option, or one of the wrong type.
        ValueError: an option out of range.
        RequestValidationError: ``extra_headers`` tries to set ``Authorization``.
    """
    if not call:
        return base
    unknown = set(call) - _KNOWN
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    if "timeout" in call:
        changes["timeout"] = Timeout.coerce(call["timeout"])
    if "deadline" in call:
        changes["deadline"] = check_deadline(call["deadline"])
    if "max_retries" in call:
        changes["max_retries"] = check_max_retries(call["max_retries"])
    if "extra_headers" in call:
        changes["extra_headers"] = _checked_headers(call["extra_headers"])
    if "extra_query" in call:
        changes["extra_query"] = _checked_mapping("extra_query", call["extra_query"])
    if "extra_body" in call:
        changes["extra_body"] = _checked_mapping("extra_body", call["extra_body"])
    return attrs.evolve(base, **changes)


def merged_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """The client's headers with ``extra`` on top; a name given in both is replaced."""
    if not extra:
        return dict(base)
    replaced = {name.lower() for name in extra}
    headers = {name: value for name, value in base.items() if name.lower() not in replaced}
    headers.update(extra)
    return headers


def merged_query(
    params: Mapping[str, Any] | None, extra: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The typed parameters with ``extra`` on top."""
    return {**(params or {}), **extra} if extra else params


def merged_body(
    method: str, body: Mapping[str, Any] | None, extra: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The checked body with ``extra`` merged in last.

    Raises:
        RequestValidationError: ``extra_body`` on a GET, which has no body.
    """
    if not extra:
        return body
    if method == "GET":
        raise RequestValidationError("extra_body cannot be sent with a GET", rule="extra_body.get")
    return {**(body or {}), **extra}


def reads(options: CallOptions) -> CallOptions:
    """A flow's options for its reads: all but ``extra_body``, which is the purchase's."""
    kept = dict(options)
    kept.pop("extra_body", None)
    return kept  # type: ignore[return-value]
