"""A worker process for the RedisRateLimiter tests, run as ``python redis_limiter_worker.py``.

With one JSON argument (``redis_url``, ``key``, ``rate``, ``period``, ``max_concurrent``,
``lease``, ``slots``): acquire ``slots`` slots, print ``held``, then sleep until killed.
The lease-expiry test SIGKILLs it. (The multi-process throughput test runs the
benchmark's workers, ``bench/bench_redis_limiter.py``.)
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from flashproxy_async.limiters import RedisRateLimiter


def make_limiter(config: dict[str, Any]) -> RedisRateLimiter:
    return RedisRateLimiter(
        config["redis_url"],
        key=config["key"],
        rate=config["rate"],
        period=config["period"],
        max_concurrent=config["max_concurrent"],
        lease=config.get("lease", 30.0),
    )


async def hold(config: dict[str, Any]) -> None:
    limiter = make_limiter(config)
    for _ in range(config["slots"]):
        await limiter.acquire()
    print("held", flush=True)
    await asyncio.sleep(3600)


def main() -> None:
    config = json.loads(sys.argv[1])
    asyncio.run(hold(config))


if __name__ == "__main__":
    main()
