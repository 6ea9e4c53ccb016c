"""RedisRateLimiter in one process: window, slots, pause and cancellation, on a real Redis.

Several limiter objects on one key stand in for several processes: they share
nothing but Redis. Periods are scaled down; no assertion depends on how fast the
machine is.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, cast

import anyio
import pytest
from _support.windows import max_starts_in_any_window

from flashproxy_async import FlashProxyError, Limiter
from flashproxy_async.limiters import RedisLimiterError, RedisRateLimiter
from flashproxy_async.limiters._window import default_margin

if TYPE_CHECKING:
    from redis.asyncio import Redis


def keys(key: str) -> tuple[str, str, str]:
    base = f"flashproxy:limiter:{{{key}}}"
    return f"{base}:starts", f"{base}:holders", f"{base}:pause"


async def start_times_us(client: Redis, key: str) -> list[int]:
    starts = cast(
        "list[tuple[bytes, float]]", await client.zrange(keys(key)[0], 0, -1, withscores=True)
    )
    return sorted(int(score) for _, score in starts)


async def test_is_a_limiter_with_the_documented_defaults(redis_url: str, limit_key: str) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key)
    assert isinstance(limiter, Limiter)
    assert (limiter.rate, limiter.period, limiter.max_concurrent) == (100, 60.0, 20)
    # The same margin as the in-process limiter: one rule, kept in one place.
    assert limiter.margin == default_margin(60.0)
    assert limiter.key == limit_key
    assert "RedisRateLimiter(key=" in repr(limiter)
    assert RedisRateLimiter.__module__ == "flashproxy_async.limiters"
    await limiter.aclose()


async def test_no_window_holds_more_than_rate_starts_across_limiters(
    redis_url: str, limit_key: str, redis_client: Redis, frozen_heap: None
) -> None:
    rate, period = 6, 0.4
    limiters = [
        RedisRateLimiter(redis_url, key=limit_key, rate=rate, period=period, max_concurrent=6)
        for _ in range(3)
    ]
    local_starts: list[float] = []

    async def request(limiter: RedisRateLimiter) -> None:
        async with limiter.slot():
            local_starts.append(time.monotonic())
            await asyncio.sleep(0.005)

    await asyncio.gather(*(request(limiters[n % 3]) for n in range(30)))
    for limiter in limiters:
        await limiter.aclose()

    assert len(local_starts) == 30
    assert max_starts_in_any_window(local_starts, period) <= rate
    # Redis's own record: each start is period + margin after the one rate places before.
    redis_starts = await start_times_us(redis_client, limit_key)
    spacing_us = (period + limiters[0].margin) * 1e6
    assert all(b - a >= spacing_us for a, b in zip(redis_starts, redis_starts[rate:], strict=False))


async def test_concurrency_never_passes_the_cap_across_limiters(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    cap = 4
    limiters = [
        RedisRateLimiter(redis_url, key=limit_key, rate=1000, period=1.0, max_concurrent=cap)
        for _ in range(3)
    ]
    in_flight = peak = 0

    async def request(limiter: RedisRateLimiter) -> None:
        nonlocal in_flight, peak
        async with limiter.slot():
            in_flight += 1
            peak = max(peak, in_flight)
            assert await redis_client.zcard(keys(limit_key)[1]) <= cap
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(request(limiters[n % 3]) for n in range(40)))
    for limiter in limiters:
        await limiter.aclose()
    assert peak <= cap
    assert await redis_client.zcard(keys(limit_key)[1]) == 0


async def test_a_pause_in_one_limiter_holds_every_limiter_then_paces(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    rate, period = 5, 0.5
    seen_429 = RedisRateLimiter(redis_url, key=limit_key, rate=rate, period=period)
    other = RedisRateLimiter(redis_url, key=limit_key, rate=rate, period=period)

    await seen_429.pause(0.3)
    not_before = int(await redis_client.hget(keys(limit_key)[2], "not_before") or 0)
    for _ in range(4):
        async with other.slot():
            pass
    starts = await start_times_us(redis_client, limit_key)
    assert starts[0] >= not_before
    step_us = period / rate * 1e6
    assert all(b - a >= step_us for a, b in itertools.pairwise(starts))
    await seen_429.aclose()
    await other.aclose()


async def test_a_shorter_pause_does_not_shorten_a_longer_one(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=5, period=1.0)
    await limiter.pause(5.0)
    long_deadline = await redis_client.hget(keys(limit_key)[2], "not_before")
    await limiter.pause(0.1)
    await limiter.pause(-3.0)
    assert await redis_client.hget(keys(limit_key)[2], "not_before") == long_deadline
    with pytest.raises(ValueError, match="finite"):
        await limiter.pause(float("nan"))
    await limiter.aclose()


async def test_cancelled_waiters_take_nothing(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=100, period=10.0, max_concurrent=1)
    await limiter.acquire()
    waiters = [asyncio.create_task(limiter.acquire()) for _ in range(10)]
    await asyncio.sleep(0.05)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await limiter.release()

    starts_key, holders_key, _ = keys(limit_key)
    assert await redis_client.zcard(holders_key) == 0
    assert await redis_client.zcard(starts_key) == 1
    with anyio.fail_after(5):
        async with limiter.slot():
            assert await redis_client.zcard(holders_key) == 1
    await limiter.aclose()


async def test_a_cancellation_storm_leaves_the_limit_as_free_as_before(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=10_000, period=10.0, max_concurrent=2)
    rng = random.Random(11)

    async def request() -> None:
        async with limiter.slot():
            await asyncio.sleep(rng.uniform(0, 0.003))

    async def cancelled_at_random() -> None:
        if rng.random() < 0.5:
            with anyio.move_on_after(rng.uniform(0, 0.01)):
                await request()
        else:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(request(), rng.uniform(0, 0.01))

    await asyncio.gather(*(cancelled_at_random() for _ in range(200)))
    # aclose waits for the undoing of grants that raced a cancellation.
    await limiter.aclose()

    starts_key, holders_key, _ = keys(limit_key)
    assert limiter.in_flight == 0
    assert await redis_client.zcard(holders_key) == 0
    assert await redis_client.zcard(starts_key) == limiter.started


async def test_a_cancelled_holder_frees_its_slot(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=100, period=10.0, max_concurrent=1)
    inside = asyncio.Event()

    async def hold_forever() -> None:
        async with limiter.slot():
            inside.set()
            await asyncio.sleep(3600)

    holder = asyncio.create_task(hold_forever())
    await inside.wait()
    holder.cancel()
    await asyncio.gather(holder, return_exceptions=True)
    assert await redis_client.zcard(keys(limit_key)[1]) == 0
    with anyio.fail_after(5):
        await limiter.acquire()
    await limiter.release()
    await limiter.aclose()


async def test_a_slot_held_longer_than_its_lease_is_renewed(redis_url: str, limit_key: str) -> None:
    holder = RedisRateLimiter(
        redis_url, key=limit_key, rate=100, period=10.0, max_concurrent=1, lease=0.3
    )
    other = RedisRateLimiter(redis_url, key=limit_key, rate=100, period=10.0, max_concurrent=1)
    await holder.acquire()
    with anyio.move_on_after(4 * holder.lease) as waited:
        await other.acquire()
    assert waited.cancelled_caught, "the slot was lost although its holder renewed it"
    await holder.release()
    with anyio.fail_after(5):
        await other.acquire()
    await other.release()
    await holder.aclose()
    await other.aclose()


async def test_release_without_acquire_is_an_error(redis_url: str, limit_key: str) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key)
    with pytest.raises(RuntimeError, match="without a matching acquire"):
        await limiter.release()
    await limiter.aclose()


async def test_a_closed_limiter_refuses_to_acquire(redis_url: str, limit_key: str) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key)
    await limiter.aclose()
    await limiter.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await limiter.acquire()


async def test_a_given_client_is_left_open(
    redis_url: str, limit_key: str, redis_client: Redis
) -> None:
    limiter = RedisRateLimiter(redis_client, key=limit_key, rate=5, period=1.0)
    async with limiter.slot():
        pass
    await limiter.aclose()
    assert await redis_client.ping()


async def test_an_unreachable_redis_raises_a_limiter_error(limit_key: str) -> None:
    with socket.socket() as unused:
        # Bound but never listening: connecting is refused at once.
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0", key=limit_key)
        with pytest.raises(RedisLimiterError) as caught:
            await limiter.acquire()
    assert isinstance(caught.value, FlashProxyError)
    assert caught.value.__cause__ is not None
    await limiter.aclose()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"key": ""}, ValueError),
        ({"key": "k", "rate": 0}, ValueError),
        ({"key": "k", "rate": 2.5}, TypeError),
        ({"key": "k", "max_concurrent": True}, TypeError),
        ({"key": "k", "period": 0}, ValueError),
        ({"key": "k", "period": float("inf")}, ValueError),
        ({"key": "k", "lease": -1}, ValueError),
        ({"key": "k", "margin": -0.1}, ValueError),
        ({"key": "k", "poll_interval": 0}, ValueError),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        RedisRateLimiter("redis://127.0.0.1:1/0", **kwargs)  # type: ignore[arg-type]


def test_importing_the_package_never_needs_redis() -> None:
    code = (
        "import sys; import flashproxy_async, flashproxy_async.limiters; "
        "assert 'redis' not in sys.modules, 'redis was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_missing_redis_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r"flashproxy-async\[redis\]"):
        RedisRateLimiter("redis://127.0.0.1:1/0", key="k")


async def test_a_release_that_cannot_reach_redis_warns_and_leaves_it_to_the_lease(
    redis_url: str, limit_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    import redis.exceptions

    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=5, period=1.0)
    await limiter.acquire()

    async def unreachable(**_: object) -> int:
        raise redis.exceptions.ConnectionError("Redis went away")

    limiter._release_script = unreachable  # type: ignore[assignment]
    with caplog.at_level("WARNING", logger="flashproxy_async.limiters"):
        await limiter.release()
    assert limiter.in_flight == 0
    assert "returns when its lease runs out" in caplog.text
    await limiter.aclose()


async def test_a_lease_lost_while_held_is_reported(
    redis_url: str, limit_key: str, redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=5, period=1.0, lease=0.15)
    with caplog.at_level("WARNING", logger="flashproxy_async.limiters"):
        await limiter.acquire()
        # As if another process had reclaimed the lease after this one stalled.
        await redis_client.delete(keys(limit_key)[1])
        for _ in range(100):
            if "outlived their" in caplog.text:
                break
            await asyncio.sleep(limiter.lease / 3)
    assert "outlived their" in caplog.text
    await limiter.release()
    await limiter.aclose()


async def test_starts_leases_and_pauses_follow_redis_time_not_the_host_clock(
    redis_url: str, limit_key: str, redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This host's wall clock runs an hour ahead of the others': nothing the limiter
    # records in Redis may follow it, or the hosts would disagree about the window.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600.0)

    async def redis_now_us() -> int:
        seconds, micros = await redis_client.time()
        return int(seconds) * 1_000_000 + int(micros)

    limiter = RedisRateLimiter(redis_url, key=limit_key, rate=5, period=1.0, lease=2.0)
    before = await redis_now_us()
    await limiter.acquire()
    await limiter.pause(0.5)
    after = await redis_now_us()

    _, holders_key, pause_key = keys(limit_key)
    (start,) = await start_times_us(redis_client, limit_key)
    ((_, lease_end),) = cast(
        "list[tuple[bytes, float]]", await redis_client.zrange(holders_key, 0, -1, withscores=True)
    )
    not_before = int(await redis_client.hget(pause_key, "not_before") or 0)
    assert before <= start <= after
    assert before + 2_000_000 <= lease_end <= after + 2_000_000
    assert before + 500_000 <= not_before <= after + 500_000
    await limiter.release()
    await limiter.aclose()
