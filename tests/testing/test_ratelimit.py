"""The server-side rate limit: strict sliding window and concurrency cap."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from _support.clock import FakeClock

from flashproxy_async.testing import FakeFlashProxy

from ._helpers import call, error_code


def session_for(fake: FakeFlashProxy, key: str | None = None) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {key or fake.api_key}"}
    )


async def test_window_is_strict_and_sliding(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(rate=3, period=60, clock=clock, time_scale=1.0)
    async with fake, session_for(fake) as http:
        start = clock.now
        for offset in (0, 10, 20):
            clock.advance_to(start + offset)
            assert (await call(http, "GET", "balance"))[0] == 200
        clock.advance_to(start + 59.5)
        status, body, headers = await call(http, "GET", "balance")
        assert (status, error_code(body)) == (429, "RATE_LIMITED")
        assert headers["Retry-After"] == "1"  # whole seconds, at least 1
        assert body["error"]["retry_after"] == 0.5
        clock.advance_to(start + 60)  # the first admission leaves the window
        assert (await call(http, "GET", "balance"))[0] == 200
        status, body, headers = await call(http, "GET", "balance")
        assert status == 429
        assert headers["Retry-After"] == "10"  # until the 10 s admission leaves
    assert fake.stats.rate_limited == fake.stats.window_rejections == 2


async def test_rejections_do_not_use_budget_and_keys_are_separate(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(rate=1, period=1, clock=clock, time_scale=1.0)
    other = fake.add_api_key()
    async with fake, session_for(fake) as http, session_for(fake, other) as second:
        assert (await call(http, "GET", "balance"))[0] == 200
        for _ in range(3):
            assert (await call(http, "GET", "balance"))[0] == 429
        assert (await call(second, "GET", "balance"))[0] == 200
        clock.advance(1)
        assert (await call(http, "GET", "balance"))[0] == 200


async def test_scaled_period_gives_fractional_retry_after(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(rate=2, period=60, time_scale=0.002)  # 0.12 s window
    async with fake, session_for(fake) as http:
        assert (await call(http, "GET", "balance"))[0] == 200
        assert (await call(http, "GET", "balance"))[0] == 200
        status, body, headers = await call(http, "GET", "balance")
        assert status == 429
        retry_after = float(headers["Retry-After"])
        assert 0 < retry_after <= 0.12
        await asyncio.sleep(body["error"]["retry_after"])
        assert (await call(http, "GET", "balance"))[0] == 200


async def test_concurrency_cap(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(max_concurrent=2)
    fake.faults.delay(0.2, n=None, path="/plans")
    async with fake, session_for(fake) as http:
        slow = [asyncio.create_task(call(http, "GET", "plans")) for _ in range(2)]
        while fake.stats.in_flight < 2:  # noqa: ASYNC110 - the fake exposes no event for this
            await asyncio.sleep(0.005)
        status, body, headers = await call(http, "GET", "balance")
        assert (status, error_code(body)) == (429, "RATE_LIMITED")
        assert "Retry-After" in headers
        assert [r[0] for r in await asyncio.gather(*slow)] == [200, 200]
        assert (await call(http, "GET", "balance"))[0] == 200
    assert fake.stats.peak_concurrency == 2
    assert fake.stats.concurrency_rejections == 1
    assert fake.stats.in_flight == 0


async def test_reset_rate_limit(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake(rate=1, period=3600, time_scale=1.0)
    async with fake, session_for(fake) as http:
        assert (await call(http, "GET", "balance"))[0] == 200
        assert (await call(http, "GET", "balance"))[0] == 429
        fake.reset_rate_limit()
        assert (await call(http, "GET", "balance"))[0] == 200


async def test_defaults_are_the_documented_100_per_minute(make_fake: Any) -> None:
    clock = FakeClock()
    fake: FakeFlashProxy = make_fake(clock=clock, time_scale=1.0)
    async with fake, session_for(fake) as http:
        for _ in range(100):
            assert (await call(http, "GET", "balance"))[0] == 200
        status, body, headers = await call(http, "GET", "balance")
        assert (status, error_code(body), headers["Retry-After"]) == (429, "RATE_LIMITED", "60")
        clock.advance(59.9)
        assert (await call(http, "GET", "balance"))[0] == 429
        clock.advance(0.1)
        assert (await call(http, "GET", "balance"))[0] == 200


async def test_default_concurrency_cap_is_the_documented_20(make_fake: Any) -> None:
    fake: FakeFlashProxy = make_fake()
    fake.faults.delay(0.3, n=None, path="/plans")
    async with fake, session_for(fake) as http:
        slow = [asyncio.create_task(call(http, "GET", "plans")) for _ in range(20)]
        while fake.stats.in_flight < 20:  # noqa: ASYNC110 - the fake exposes no event for this
            await asyncio.sleep(0.005)
        status, body, headers = await call(http, "GET", "balance")
        assert (status, error_code(body)) == (429, "RATE_LIMITED")
        assert float(headers["Retry-After"]) > 0
        assert [r[0] for r in await asyncio.gather(*slow)] == [200] * 20
    assert fake.stats.peak_concurrency == 20
