"""The wire format: query encoding, and unwrapping the ``{"success", "data"}`` envelope."""

from __future__ import annotations

import codecs
import email.policy
import enum
import functools
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from email.parser import HeaderParser
from typing import Any, NamedTuple, TypeVar

from ._converter import structure
from ._exceptions import RequestValidationError, ResponseValidationError, api_error_from_response
from ._redact import snippet
from ._retry import parse_retry_after

__all__ = ["Reply", "decode_reply", "encode_params", "media_type"]

T = TypeVar("T")


class Reply(NamedTuple):
    """An HTTP answer, read in full; no aiohttp object outlives the attempt.

    A named tuple rather than a frozen attrs class: one is built per request, and the
    frozen class's ``__init__`` cost 3 us of it (``python -m bench``).
    """

    status: int
    #: Looked up by lower-case name; aiohttp's own headers, case-insensitive, as sent.
    headers: Mapping[str, str]
    text: str
    content_type: str


def encode_params(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters as wire strings; None values are dropped, sequences repeat the key.

    Raises:
        RequestValidationError: a value of a type that has no query-string form.
    """
    pairs: list[tuple[str, str]] = []
    if not params:
        return pairs
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, encoded) for v in values if (encoded := _encode(name, v)) is not None)
    return pairs


def _encode(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise RequestValidationError(
        f"query parameter {name!r} has no query-string form ({type(value).__name__})",
        rule="params",
    )


def decode_reply(
    reply: Reply,
    *,
    cast_to: type[T] | None,
    text_ok: bool,
    secrets: Sequence[str],
    wall_clock: Callable[[], float],
) -> Any:
    """Unwrap a reply's envelope, or raise the APIError it stands for.

    ``wall_clock`` is read only for an error's ``Retry-After`` date.
    """
    success = 200 <= reply.status < 300
    if success and text_ok and "json" not in reply.content_type:
        return reply.text
    try:
        body: Any = json.loads(reply.text)
    except ValueError:
        # A blank body is no JSON either; only then is the text copied to look.
        if not reply.text.strip():
            body = None
        elif not success:
            body = reply.text
        else:
            raise ResponseValidationError(
                f"expected a JSON body from a {reply.status} response "
                f"({reply.content_type or 'no content type'}): "
                f"{snippet(reply.text, secrets)}",
                path="$",
                body=reply.text,
            ) from None
    # The answer nearly every call gets, decided first.
    if success and type(body) is dict and body.get("success") is True:
        data = body.get("data")
        if cast_to is None:
            return data
        if data is None:
            raise ResponseValidationError(
                f"a {reply.status} success envelope without data: {snippet(reply.text, secrets)}",
                path="data",
                body=body,
            )
        return structure(data, cast_to, path="data")
    if not success or (isinstance(body, dict) and body.get("success") is False):
        raise api_error_from_response(
            reply.status,
            body if body is not None else reply.text,
            reply.headers,
            retry_after=parse_retry_after(reply.headers.get("retry-after"), wall_clock()),
            secrets=secrets,
        )
    if body is None and reply.status == 204:
        return None if cast_to is None else structure(None, cast_to, path="data")
    raise ResponseValidationError(
        f"expected a {{success, data}} envelope: {snippet(reply.text, secrets)}",
        path="$",
        body=body,
    )


@functools.lru_cache(maxsize=16)
def media_type(header: str | None) -> tuple[str, str]:
    """``(content type, codec)`` of a Content-Type header: ``("application/json", "utf-8")``.

    Read as aiohttp reads it (the e-mail parser, HTTP policy), once per distinct value:
    an API sends one or two, and aiohttp's own properties parse it again for every
    response. Without a header, or with a charset Python has no codec for, the body is
    read as UTF-8, the JSON default.
    """
    if header is None:
        return "application/octet-stream", "utf-8"
    message = HeaderParser(policy=email.policy.HTTP).parsestr(f"Content-Type: {header}")
    content_type = str(message.get("content-type", "")).lower().partition(";")[0].strip()
    if content_type.count("/") != 1:
        # What a type that does not parse stands for in HTTP (e-mail's is text/plain).
        content_type = "application/octet-stream"
    charset = message.get_content_charset()
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        codec = "utf-8"
    return content_type, codec
