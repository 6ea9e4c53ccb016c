"""The ``redis`` package, imported only when a Redis-backed feature is built.

Importing ``flashproxy_async`` (or its limiters and bulk areas) never needs the
``redis`` extra; ``RedisRateLimiter`` and ``RedisJournal`` call these when created.
"""

from __future__ import annotations

from typing import Any

__all__ = ["import_redis", "redis_error"]


def import_redis(feature: str) -> Any:
    """``redis.asyncio``, or an ImportError saying which extra ``feature`` needs."""
    try:
        import redis.asyncio
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            f"{feature} needs the 'redis' package: pip install 'flashproxy-async[redis]'"
        ) from exc
    return redis.asyncio


def redis_error() -> type[Exception]:
    """The base class of redis-py's errors."""
    import redis.exceptions

    return redis.exceptions.RedisError
