"""The limiter's arithmetic, property-tested without any waiting."""

from __future__ import annotations

import itertools
import math

import pytest
from _support.windows import max_starts_in_any_window
from hypothesis import given
from hypothesis import strategies as st

from flashproxy_async.limiters._window import StartWindow, default_margin

rates = st.integers(min_value=1, max_value=25)
periods = st.floats(min_value=0.05, max_value=120.0)
arrival_lists = st.lists(st.floats(min_value=0.0, max_value=500.0), min_size=1, max_size=150)


def run_fifo(window: StartWindow, arrivals: list[float]) -> list[float]:
    """Start each request as early as the window allows, in arrival order."""
    starts: list[float] = []
    for arrival in sorted(arrivals):
        start = max(arrival, window.earliest_start(), starts[-1] if starts else -math.inf)
        window.record(start)
        starts.append(start)
    return starts


@given(rate=rates, period=periods, arrivals=arrival_lists)
def test_no_window_of_period_holds_more_than_rate_starts(
    rate: int, period: float, arrivals: list[float]
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    starts = run_fifo(window, arrivals)
    assert max_starts_in_any_window(starts, period) <= rate
    for earlier, later in zip(starts, starts[rate:], strict=False):
        assert later - earlier >= period + default_margin(period) - 1e-9


@given(rate=rates, period=periods, arrivals=arrival_lists)
def test_a_request_waits_only_for_the_start_rate_places_before_it(
    rate: int, period: float, arrivals: list[float]
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    ordered = sorted(arrivals)
    starts = run_fifo(window, ordered)
    for i, (arrival, start) in enumerate(zip(ordered, starts, strict=True)):
        bounds = [arrival]
        if i >= 1:
            bounds.append(starts[i - 1])
        if i >= rate:
            bounds.append(starts[i - rate] + window.spacing)
        assert start == max(bounds)


@given(rate=rates, period=periods, batches=st.integers(min_value=1, max_value=6))
def test_a_backlog_goes_out_rate_per_spacing_with_no_time_lost(
    rate: int, period: float, batches: int
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    starts = run_fifo(window, [0.0] * (rate * batches))
    assert starts[-1] == pytest.approx((batches - 1) * window.spacing)
    assert max_starts_in_any_window(starts, period) == rate


@given(period=st.floats(min_value=0.4, max_value=86_400.0))
def test_default_margin_keeps_95_percent_of_the_rate(period: float) -> None:
    margin = default_margin(period)
    assert margin >= 0.01 * period
    assert margin >= 0.020
    assert period / (period + margin) >= 0.95


@given(
    rate=rates,
    period=periods,
    before=arrival_lists,
    pause_at=st.floats(min_value=0.0, max_value=500.0),
    pause_for=st.floats(min_value=0.0, max_value=200.0),
    after=st.integers(min_value=1, max_value=80),
)
def test_after_a_pause_starts_resume_at_the_deadline_paced_not_in_a_burst(
    rate: int,
    period: float,
    before: list[float],
    pause_at: float,
    pause_for: float,
    after: int,
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    earlier = [start for start in run_fifo(window, before) if start <= pause_at]
    window = StartWindow(rate, period, default_margin(period))
    for start in earlier:
        window.record(start)
    deadline = pause_at + pause_for
    window.pause(deadline)

    backlog = [pause_at] * after
    starts = run_fifo(window, backlog)

    assert starts[0] >= deadline
    step = period / rate
    for previous, start in itertools.pairwise(starts[:rate]):
        assert start - previous >= step - 1e-9
    assert max_starts_in_any_window(earlier + starts, period) <= rate


@given(
    rate=rates,
    period=periods,
    deadlines=st.lists(st.floats(min_value=0.0, max_value=500.0), min_size=1, max_size=5),
)
def test_an_earlier_deadline_never_shortens_a_pause(
    rate: int, period: float, deadlines: list[float]
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    for deadline in deadlines:
        window.pause(deadline)
    assert window.not_before == max(deadlines)
    assert window.earliest_start() >= max(deadlines)


def test_a_fresh_window_lets_rate_requests_start_at_once() -> None:
    window = StartWindow(3, 10.0, 0.1)
    for _ in range(3):
        assert window.earliest_start() == -math.inf
        window.record(5.0)
    assert window.earliest_start() == pytest.approx(15.1)


@given(
    rate=rates,
    period=periods,
    before=arrival_lists,
    paused=st.booleans(),
    extra=st.integers(min_value=0, max_value=30),
)
def test_unrecording_the_last_start_restores_when_the_next_may_start(
    rate: int, period: float, before: list[float], paused: bool, extra: int
) -> None:
    window = StartWindow(rate, period, default_margin(period))
    starts = run_fifo(window, before)
    if paused:
        window.pause(starts[-1] + 1.0)
        starts += run_fifo(window, [starts[-1]] * extra)
    expected = window.earliest_start()
    at = max(expected, starts[-1])
    window.record(at)
    window.unrecord(at)
    # The clock never runs back: from ``at`` on, the window answers as before.
    assert max(window.earliest_start(), at) == max(expected, at)


def test_a_start_moved_to_when_it_really_began_holds_the_next_ones_back_from_then() -> None:
    window = StartWindow(2, 10.0, 0.5)
    window.record(1.0)
    window.record(2.0)
    window.restamp(1.0, 3.0)  # granted at 1.0, began at 3.0
    assert window.earliest_start() == pytest.approx(2.0 + 10.5)
    window.record(12.5)
    assert window.earliest_start() == pytest.approx(3.0 + 10.5)
