"""Limiters shared by several processes, for one API key used from many places.

* :class:`RedisRateLimiter` - the limit kept in Redis (``pip install
  'flashproxy-async[redis]'``). Importing this package never needs the ``redis``
  package; creating the limiter does.
"""

from ._redis import RedisLimiterError, RedisRateLimiter

__all__ = ["RedisLimiterError", "RedisRateLimiter"]

# Public objects report the package, not the private module they live in.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
