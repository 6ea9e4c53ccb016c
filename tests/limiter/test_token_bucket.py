"""TokenBucketLimiter under virtual time: window, concurrency, order, pause, limits."""

from __future__ import annotations

import itertools
import math

import anyio
import pytest
from _support.clock import FakeClock, run_virtual
from _support.windows import max_starts_in_any_window
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from traffic import Traffic, make_limiter

import flashproxy_async
from flashproxy_async import TokenBucketLimiter


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rate=st.integers(min_value=1, max_value=8),
    max_concurrent=st.integers(min_value=1, max_value=6),
    period=st.floats(min_value=0.5, max_value=100.0),
    requests=st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=3.0), st.floats(min_value=0.0, max_value=2.0)),
        min_size=1,
        max_size=40,
    ),
)
def test_random_traffic_keeps_window_concurrency_and_order(
    rate: int, max_concurrent: int, period: float, requests: list[tuple[float, float]]
) -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate, period, max_concurrent, clock=clock, sleep=clock.sleep)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for arrive, duration in requests:
                tg.start_soon(traffic.request, clock.now + arrive * period, duration * period)

    run_virtual(clock, main)

    assert len(traffic.starts) == len(requests)
    assert max_starts_in_any_window(traffic.starts, period) <= rate
    assert traffic.max_in_flight <= max_concurrent
    assert traffic.order_started == traffic.order_asked
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, len(requests))


def test_a_backlog_sustains_the_rate_less_only_the_margin() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=100, period=60.0, max_concurrent=20)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(traffic.request, -math.inf, 0.5)

    run_virtual(clock, main)

    # No time lost: each start comes exactly period + margin after the one 100 before
    # it, so the long-run rate is 100 per 61.2 s, 98% of the documented rate.
    spacing = 60.0 + limiter.margin
    for earlier, later in zip(traffic.starts, traffic.starts[100:], strict=False):
        assert later - earlier == pytest.approx(spacing)
    elapsed = traffic.starts[-1] - traffic.starts[0]
    assert 900 / elapsed >= 0.95 * 100 / 60.0
    assert max_starts_in_any_window(traffic.starts, 60.0) == 100


def test_waiters_start_in_the_order_they_asked_even_across_both_stages() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=2, period=1.0, max_concurrent=2)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for i in range(30):
                # Staggered arrivals and durations so both the slot queue and the permit
                # queue hold waiters at once.
                tg.start_soon(traffic.request, clock.now + 0.01 * i, 0.3 + 0.7 * (i % 3))

    run_virtual(clock, main)
    assert traffic.order_started == list(range(30))


def test_pause_holds_every_task_until_the_deadline_then_paces() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=10, period=5.0, max_concurrent=4)
    traffic = Traffic(limiter, clock)
    paused_at = 0.0

    async def main() -> None:
        nonlocal paused_at
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(traffic.request, -math.inf, 30.0)  # in flight through the pause
            await clock.sleep(1.0)
            paused_at = clock()
            await limiter.pause(20.0)
            await limiter.pause(5.0)  # an earlier deadline does not shorten the pause
            for i in range(25):
                tg.start_soon(traffic.request, paused_at + 0.5 * i, 0.1)

    run_virtual(clock, main)

    before, after = traffic.starts[:3], traffic.starts[3:]
    assert all(start < paused_at for start in before)
    assert len(after) == 25
    assert min(after) == pytest.approx(paused_at + 20.0)
    # No burst after the pause: the next `rate` starts come period / rate apart.
    gaps = [b - a for a, b in itertools.pairwise(after[:10])]
    assert min(gaps) >= 5.0 / 10 - 1e-9
    assert max_starts_in_any_window(traffic.starts, 5.0) <= 10


def test_pause_reaches_a_head_already_asleep_on_the_window() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=1, period=10.0, max_concurrent=2)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(traffic.request)
            tg.start_soon(traffic.request)  # asleep until the window frees at ~10.1
            await clock.sleep(1.0)
            await limiter.pause(30.0)

    run_virtual(clock, main)
    assert traffic.starts[1] - traffic.starts[0] == pytest.approx(31.0)


def test_a_pause_of_no_time_or_negative_time_still_paces() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=4, period=4.0, max_concurrent=4)
    traffic = Traffic(limiter, clock)

    async def main() -> None:
        await limiter.pause(-3.0)
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(traffic.request)

    start = clock()
    run_virtual(clock, main)
    assert traffic.starts == pytest.approx([start, start + 1, start + 2, start + 3])


def test_one_limiter_shared_by_two_clients_counts_both() -> None:
    clock = FakeClock()
    limiter = make_limiter(clock, rate=5, period=10.0, max_concurrent=2)
    client_a, client_b = Traffic(limiter, clock), Traffic(limiter, clock)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(client_a.request, -math.inf, 1.0)
                tg.start_soon(client_b.request, -math.inf, 1.0)

    run_virtual(clock, main)
    both = client_a.starts + client_b.starts
    assert max_starts_in_any_window(both, 10.0) == 5
    assert limiter.started == 20


async def test_defaults_are_the_documented_limits() -> None:
    limiter = TokenBucketLimiter()
    assert (limiter.rate, limiter.period, limiter.max_concurrent) == (100, 60.0, 20)
    assert limiter.margin == pytest.approx(1.2)
    assert isinstance(limiter, flashproxy_async.Limiter)
    assert repr(limiter) == (
        "TokenBucketLimiter(rate=100, period=60.0, max_concurrent=20, in_flight=0, waiting=0)"
    )
    async with limiter.slot():
        assert limiter.in_flight == 1
        assert "in_flight=1" in repr(limiter)
    assert limiter.in_flight == 0


def test_limits_are_read_only() -> None:
    limiter = TokenBucketLimiter()
    with pytest.raises(AttributeError):
        limiter.rate = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        limiter.max_concurrent = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"rate": 0}, ValueError),
        ({"rate": 2.5}, TypeError),
        ({"rate": True}, TypeError),
        ({"max_concurrent": 0}, ValueError),
        ({"max_concurrent": "20"}, TypeError),
        ({"period": 0.0}, ValueError),
        ({"period": math.inf}, ValueError),
        ({"period": math.nan}, ValueError),
        ({"margin": -0.1}, ValueError),
    ],
)
def test_invalid_limits_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        TokenBucketLimiter(**kwargs)  # type: ignore[arg-type]


async def test_release_without_acquire_is_refused() -> None:
    with pytest.raises(RuntimeError):
        await TokenBucketLimiter().release()


async def test_pause_refuses_a_nan_or_infinite_length() -> None:
    limiter = TokenBucketLimiter()
    for seconds in (math.nan, math.inf):
        with pytest.raises(ValueError):
            await limiter.pause(seconds)


async def test_aclose_leaves_a_shared_limiter_usable() -> None:
    limiter = TokenBucketLimiter(rate=10, period=1.0)
    await limiter.aclose()
    async with limiter.slot():
        assert limiter.in_flight == 1
    assert limiter.started == 1
