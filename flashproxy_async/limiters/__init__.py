"""Rate and concurrency limiters: the interface the transport asks, and its backends.

* :class:`Limiter` - the interface: ``slot()``, ``pause()``, ``aclose()``.
* :class:`TokenBucketLimiter` - the limit in one process (the client's default).
* :class:`RedisRateLimiter` - the limit kept in Redis, shared by processes and hosts
  (``pip install 'flashproxy-async[redis]'``). Importing this package never needs
  the ``redis`` package; creating the limiter does.

Both backends keep the same sliding window of request starts; no limiter knows
anything of HTTP.
"""

from ._base import Limiter
from ._redis import RedisLimiterError, RedisRateLimiter
from ._token_bucket import TokenBucketLimiter

__all__ = ["Limiter", "RedisLimiterError", "RedisRateLimiter", "TokenBucketLimiter"]

# Public objects report the package, not the private module they live in.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
