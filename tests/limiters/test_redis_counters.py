"""RedisRateLimiter's counters: what this limiter object saw (other processes aside)."""

from __future__ import annotations

from flashproxy_async.limiters import RedisRateLimiter


async def test_counters_count_this_objects_starts_waits_and_429s(
    redis_url: str, limit_key: str
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=50, period=1.0)
    assert (limiter.started, limiter.in_flight, limiter.waiting, limiter.rate_limited) == (
        0,
        0,
        0,
        0,
    )
    async with limiter.slot():
        assert (limiter.started, limiter.in_flight, limiter.waiting) == (1, 1, 0)
    await limiter.pause(0.01)
    assert limiter.rate_limited == 1
    assert limiter.in_flight == 0
    await limiter.aclose()
