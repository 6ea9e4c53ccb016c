"""Client configuration: timeouts, defaults, base URLs and the API key checks.

Everything here is checked when the client is built, so a bad key or an unsafe URL
costs no request.
"""

from __future__ import annotations

import ipaddress
import math
import os
import urllib.request
from typing import Final, Literal
from urllib.parse import urlsplit

import attrs

from ._exceptions import RequestValidationError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "Timeout",
    "resolve_api_key",
    "resolve_base_url",
]

PRODUCTION_BASE_URL: Final = "https://rapi.flashproxy.com/api/v1"
SANDBOX_BASE_URL: Final = "https://rapi.flashproxy.com/sandbox/api/v1"
API_KEY_ENV: Final = "FLASHPROXY_API_KEY"
BASE_URL_ENV: Final = "FLASHPROXY_BASE_URL"
LIVE_PREFIX: Final = "fp_live_"
TEST_PREFIX: Final = "fp_test_"

DEFAULT_MAX_RETRIES: Final = 2
# Far above any documented answer (a page of 100 plans is tens of KB), far below harm.
DEFAULT_MAX_RESPONSE_BYTES: Final = 16 * 1024 * 1024


def _check_seconds(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds or None, got {type(value).__name__}")
    seconds = float(value)
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{name} must be a finite number of seconds above 0, got {value!r}")
    return seconds


def _check_attempt(value: float | None) -> float | None:
    return _check_seconds("attempt", value)


def _check_connect(value: float | None) -> float | None:
    return _check_seconds("connect", value)


# Hashed on every attempt (the aiohttp timeout is looked up by it): cache the hash.
@attrs.frozen(cache_hash=True)
class Timeout:
    """Time limits for one attempt of a request.

    A plain number given as ``timeout`` to the client is the per-attempt limit, with
    the default connect limit (or the number itself, when smaller).

    Attributes:
        attempt: Seconds one attempt may take, from connecting to reading the whole
            body. None means no limit.
        connect: Seconds to get a connection (including waiting for a pooled one).
            None means no separate limit.

    Raises:
        TypeError: a limit is not a number.
        ValueError: a limit is not finite or not above 0.
    """

    attempt: float | None = attrs.field(default=60.0, converter=_check_attempt)
    connect: float | None = attrs.field(default=10.0, converter=_check_connect)

    @classmethod
    def coerce(cls, value: float | Timeout | None) -> Timeout:
        """Turn what users may pass as ``timeout`` into a :class:`Timeout`."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(attempt=None, connect=None)
        attempt = _check_seconds("timeout", value)
        assert attempt is not None  # None handled above
        return cls(attempt=attempt, connect=min(attempt, DEFAULT_TIMEOUT.connect or attempt))


DEFAULT_TIMEOUT: Final = Timeout()


def check_deadline(value: float | None) -> float | None:
    """Validate a per-call deadline in seconds."""
    return _check_seconds("deadline", value)


def check_max_retries(value: int) -> int:
    """Validate ``max_retries``: an int, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_retries must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"max_retries must be 0 or more, got {value}")
    return value


def resolve_api_key(api_key: str | None) -> str:
    """The API key given, else ``FLASHPROXY_API_KEY``; checked without echoing it.

    Raises:
        RequestValidationError: no key, or one that is not a FlashProxy key.
    """
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise RequestValidationError(
            f"no API key: pass api_key= or set the {API_KEY_ENV} environment variable",
            rule="api_key",
        )
    if not isinstance(key, str):
        raise RequestValidationError("the API key must be a str", rule="api_key")
    # The message never includes the key: this error is often logged.
    if not key.startswith((LIVE_PREFIX, TEST_PREFIX)) or len(key) == len(LIVE_PREFIX):
        raise RequestValidationError(
            f"the API key must start with {LIVE_PREFIX!r} (production) or "
            f"{TEST_PREFIX!r} (sandbox)",
            rule="api_key",
        )
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise RequestValidationError(
            "the API key contains whitespace or non-printable characters", rule="api_key"
        )
    return key


def key_mode(api_key: str) -> Literal["live", "test"]:
    """``live`` for a production key, ``test`` for a sandbox key."""
    return "live" if api_key.startswith(LIVE_PREFIX) else "test"


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."} or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(base_url: str | None, api_key: str) -> str:
    """The base URL given, else ``FLASHPROXY_BASE_URL``, else the one the key's mode implies.

    Raises:
        RequestValidationError: the URL is not http(s), or a live key would travel over
            plain http to a host that is not loopback.
    """
    url = base_url if base_url is not None else os.environ.get(BASE_URL_ENV)
    if not url:
        url = PRODUCTION_BASE_URL if key_mode(api_key) == "live" else SANDBOX_BASE_URL
    url = url.rstrip("/")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise RequestValidationError("base_url must not carry credentials", rule="base_url")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RequestValidationError(
            f"base_url must be an absolute http(s) URL, got {url!r}", rule="base_url"
        )
    if parts.query or parts.fragment:
        raise RequestValidationError("base_url must not carry a query or fragment", rule="base_url")
    if parts.scheme == "http" and key_mode(api_key) == "live" and not _is_loopback(parts.hostname):
        raise RequestValidationError(
            f"refusing to send a live API key over plain http to {parts.hostname!r}; use https",
            rule="base_url",
        )
    return url


def proxy_from_env(url: str) -> str | None:
    """The proxy ``HTTP_PROXY``/``HTTPS_PROXY`` name for ``url``, unless ``NO_PROXY``
    exempts its host (the rules of :mod:`urllib.request`, as requests and httpx use)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    if urllib.request.proxy_bypass(parts.hostname):
        return None
    return proxy
