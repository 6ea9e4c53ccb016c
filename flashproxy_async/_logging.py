"""The ``flashproxy_async`` logger: one debug line per attempt, and ``FLASHPROXY_LOG``.

``FLASHPROXY_LOG=info`` or ``debug`` sends the logger to stderr at that level, set up
once when the client module is imported. Unset (or empty), nothing is configured: the
application's own logging decides, as for any library.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from ._raw_response import request_id_of
from ._redact import MASK, redact

__all__ = ["ENV_VAR", "configure_from_env", "log_attempt", "logger", "masked_query"]

logger = logging.getLogger("flashproxy_async")

ENV_VAR = "FLASHPROXY_LOG"
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SECRET_NAME_PARTS = ("key", "token", "secret", "password", "passwd", "auth", "signature")


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``FLASHPROXY_LOG`` adds; marked so that it is added only once."""


def configure_from_env() -> None:
    """Apply ``FLASHPROXY_LOG`` (``info`` or ``debug``) to the package logger."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        warnings.warn(
            f"{ENV_VAR}={value!r} is not one of {', '.join(_LEVELS)}; ignored",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    logger.setLevel(level)
    if not any(isinstance(handler, _EnvHandler) for handler in logger.handlers):
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)


def masked_query(query: Sequence[tuple[str, str]], secrets: Sequence[str]) -> str:
    """The query string with the values of secret-named parameters masked."""
    pairs = [
        (name, MASK if any(part in name.lower() for part in _SECRET_NAME_PARTS) else value)
        for name, value in query
    ]
    return redact(urlencode(pairs, safe="*"), secrets)


def log_attempt(
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    status: object,
    attempt: int,
    elapsed: float,
    headers: Mapping[str, str],
    secrets: Sequence[str],
) -> None:
    """One debug line for an attempt: its answer (or failure), timing and the request
    id among the answer's ``headers`` (empty for no answer)."""
    # Checked first: building the record is wasted work when DEBUG is off.
    if not logger.isEnabledFor(logging.DEBUG):
        return
    request_id = request_id_of(headers)
    shown_query = masked_query(query, secrets) if query else ""
    logger.debug(
        "%s %s%s -> %s (attempt %d, %.3fs, request id %s)",
        method,
        path,
        f"?{shown_query}" if shown_query else "",
        status,
        attempt,
        elapsed,
        request_id or "-",
        extra={
            "http_method": method,
            "http_path": path,
            "http_query": shown_query,
            "http_status": status,
            "attempt": attempt,
            "elapsed": elapsed,
            "request_id": request_id,
        },
    )
