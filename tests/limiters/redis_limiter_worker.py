"""A worker process for the RedisRateLimiter tests, run as ``python redis_limiter_worker.py``.

Modes (one JSON argument):

* ``{"mode": "hold", ...}`` - acquire ``slots`` slots, print ``held``, then sleep until
  killed: the lease-expiry test SIGKILLs it.
* ``{"mode": "requests", ...}`` - print ``ready``, wait for a line on stdin, send
  ``requests`` GETs to ``server`` through the limiter at once, print a JSON summary of
  the statuses.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from typing import Any

import aiohttp

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


async def send_requests(config: dict[str, Any]) -> None:
    limiter = make_limiter(config)
    statuses: Counter[int] = Counter()
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    async with aiohttp.ClientSession() as session:

        async def one(number: int) -> None:
            async with limiter.slot(), session.get(f"{config['server']}/r/{number}") as response:
                await response.read()
                statuses[response.status] += 1

        await asyncio.gather(*(one(n) for n in range(config["requests"])))
    await limiter.aclose()
    print(json.dumps({"statuses": dict(statuses)}), flush=True)


def main() -> None:
    config = json.loads(sys.argv[1])
    asyncio.run(hold(config) if config["mode"] == "hold" else send_requests(config))


if __name__ == "__main__":
    main()
