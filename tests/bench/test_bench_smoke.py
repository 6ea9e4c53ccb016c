"""Each benchmark runs at a tiny size and returns well-formed figures (never timed here)."""

from __future__ import annotations

import importlib
import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pydantic", reason="the bench extra is not installed")
pytest.importorskip("psutil", reason="the bench extra is not installed")

# bench/ sits beside the package, not inside it; ``pytest`` alone may not put the
# repository root on the path.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import __main__ as runner  # noqa: E402
from bench._common import Figure, Skipped  # noqa: E402

MODULES = [
    "bench_call_overhead",
    "bench_decode",
    "bench_limiter",
    "bench_memory",
    "bench_sync",
    "bench_provision",
]


def _check(figure: Any) -> None:
    assert isinstance(figure, Figure)
    assert figure.name and figure.baseline_label and figure.unit
    assert math.isfinite(figure.baseline) and figure.baseline > 0
    assert math.isfinite(figure.sdk) and figure.sdk > 0
    assert figure.met in (True, False, None)
    assert (figure.met is None) == (figure.goal is None)
    json.dumps(figure.as_json())


@pytest.mark.parametrize("name", MODULES)
def test_each_benchmark_runs_small_and_returns_figures(name: str) -> None:
    module: Any = importlib.import_module(f"bench.{name}")
    try:
        figures = module.run(smoke=True)
    except Skipped as exc:
        pytest.skip(str(exc))
    assert figures
    for figure in figures:
        _check(figure)


def test_the_limiter_benchmark_counts_429s_and_requires_none() -> None:
    from bench import bench_limiter

    throughput, overhead, deep = bench_limiter.run(smoke=True)
    assert throughput.details["rate_limited_429"] == 0
    assert throughput.goal == (">=", 0.95)
    assert overhead.goal is None
    assert deep.goal == ("<=", 1.5)
    assert set(deep.details["us_per_acquire"]) == {"limiter", "semaphore", "no_lock"}


def test_the_provisioning_benchmark_counts_every_request_the_job_sent_by_kind() -> None:
    from bench import bench_provision

    (figure,) = bench_provision.run(smoke=True)
    details = figure.details
    assert details["created"] == details["orders"] == 12
    assert details["rate_limited_429"] == 0
    assert details["requests"] == sum(details["requests_by_route"].values())
    per_order = details["requests_per_order"]
    assert per_order["purchases"] == 1.0
    # Each kind's figure is rounded to 3 decimals: the sum may be off by that, per order.
    rounding = 0.0005 * len(per_order) * details["orders"]
    assert sum(per_order.values()) * details["orders"] == pytest.approx(
        details["requests"], abs=rounding
    )
    assert figure.goal == (">=", 0.95)


def test_the_per_call_figures_are_the_mean_over_processes_with_their_own_hash_seeds() -> None:
    from bench import bench_call_overhead

    figures = bench_call_overhead.run(smoke=True)
    details = figures[0].details
    per_process = details["ratio_per_process"]
    assert details["processes"] == len(per_process) == 2
    assert len({p["hash_seed"] for p in per_process}) == 2
    for figure in figures:
        metric = "cpu" if "CPU" in figure.name else "wall"
        raw, sdk = ("raw_gathered", "sdk_gathered") if "gathered" in figure.name else ("raw", "sdk")
        us = details["us_per_call"]
        assert figure.baseline == pytest.approx(us[raw][metric], abs=0.05)
        assert figure.sdk == pytest.approx(us[sdk][metric], abs=0.05)


def test_the_memory_benchmark_walks_every_plan() -> None:
    from bench import bench_memory

    (figure,) = bench_memory.run(smoke=True)
    assert figure.details["plans"] == 250
    assert figure.goal == ("growth <", 50.0)


def test_the_table_names_every_figure_and_every_problem() -> None:
    figures = [
        Figure(
            name="x per call",
            baseline_label="raw",
            baseline=2.0,
            sdk=3.0,
            unit="us",
            goal=("<=", 1.25),
        ),
        Figure(
            name="growth",
            baseline_label="before",
            baseline=40,
            sdk=41,
            unit="MB",
            goal=("growth <", 50.0),
        ),
    ]
    text = runner.table(figures, {"bench_sync": "skipped: not there"})
    assert "x per call" in text and "1.500" in text and "NO" in text
    assert "growth < 50 MB" in text and "yes" in text
    assert "bench_sync: skipped: not there" in text


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
@pytest.mark.parametrize("name", runner.SCRIPTS)
def test_each_multi_process_benchmark_runs_small_and_gives_one_figure(name: str) -> None:
    (figure,) = runner._script_figures(name, smoke=True)
    _check(figure)
    assert figure.goal == (">=", 0.9)
    details = figure.details
    assert details["worker_exit_codes"] == [0] * details["workers"]
    if name == "bench_fleet":
        assert details["plans_bought"] == details["orders"]
