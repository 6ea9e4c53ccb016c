"""What every benchmark shares: the figure record, repeated timing, the fake in a subprocess.

Every figure is a ratio against a baseline measured in the same run, on the same
machine, interleaved with it: these machines are noisy, and only ratios survive
the noise. Times are medians over repeated rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "Figure",
    "ServedFake",
    "Skipped",
    "across_processes",
    "interleaved_medians",
    "serve_fake",
]


class Skipped(Exception):
    """A benchmark that cannot run here (a missing module or server); the message says why."""


@attrs.frozen(kw_only=True)
class Figure:
    """One row of the results table.

    ``ratio`` is ``sdk / baseline``. ``goal`` is ``("<=", x)`` or ``(">=", x)`` on the
    ratio, ``("growth <", x)`` on ``sdk - baseline`` (in ``unit``), or None for a figure
    that is only reported; ``met`` follows from it. ``details`` holds the
    raw numbers behind the ratio, for ``results.json``.
    """

    name: str
    baseline_label: str
    baseline: float
    sdk: float
    unit: str
    goal: tuple[str, float] | None
    details: dict[str, Any] = attrs.field(factory=dict)
    extra_ok: bool = True
    """A condition besides the ratio (e.g. zero 429s); the goal is met only with it."""

    @property
    def ratio(self) -> float:
        return self.sdk / self.baseline if self.baseline else float("inf")

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return "reported"
        op, bound = self.goal
        return f"{op} {bound:g} {self.unit}" if op == "growth <" else f"{op} {bound:g}"

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        op, bound = self.goal
        if op == "growth <":
            value_ok = self.sdk - self.baseline < bound
        elif op == "<=":
            value_ok = self.ratio <= bound
        else:
            value_ok = self.ratio >= bound
        return value_ok and self.extra_ok

    def as_json(self) -> dict[str, Any]:
        return {
            "figure": self.name,
            "baseline_label": self.baseline_label,
            "baseline": self.baseline,
            "sdk": self.sdk,
            "unit": self.unit,
            "ratio": round(self.ratio, 4),
            "goal": self.goal_text,
            "met": self.met,
            "details": self.details,
        }


def interleaved_medians(
    rounds: int, contenders: dict[str, Callable[[], float]]
) -> dict[str, float]:
    """Run each contender once per round, in rotating order; the median of each.

    Each contender returns its own measurement (seconds per unit of work). Rotating
    the order keeps a slow start or a thermal drift from landing on one contender.
    """
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(contenders[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


async def interleaved_medians_async(
    rounds: int, contenders: dict[str, Callable[[], Any]]
) -> dict[str, dict[str, float]]:
    """The async form of :func:`interleaved_medians`, for measurements returning dicts.

    Each contender is a coroutine function returning ``{metric: value}``; the median
    of each metric is returned per contender.
    """
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
    names = list(contenders)
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(await contenders[name]())
    return {
        name: {
            metric: statistics.median(sample[metric] for sample in values) for metric in values[0]
        }
        for name, values in samples.items()
    }


_ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """The environment for a ``python -m bench.<module>`` child, from any directory."""
    path = [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join(path)}


#: The flag a benchmark module's ``python -m`` entry takes to be one of
#: :func:`across_processes`' children: it measures once and prints one JSON line.
ONE_PROCESS = "--one-process"


def across_processes(
    module: str, count: int, arguments: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Run ``python -m bench.<module> --one-process ...`` ``count`` times, one after
    another, each child with a hash seed of its own; the JSON line each printed last.

    One process's figure carries the luck of that process's memory layout, which the
    hash seed decides: the same code, measured in fresh processes on an idle machine,
    gave raw aiohttp a CPU cost per call 10% lower for about one hash seed in five, with
    the same instruction count (callgrind) and an SDK cost that did not move. pyperf
    runs its benchmarks in many processes for the same reason. The caller averages over
    the children; each child's hash seed is returned with its result, to rerun one.
    """
    results: list[dict[str, Any]] = []
    for _ in range(count):
        seed = random.randrange(1, 2**32)
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{module}", ONE_PROCESS, *arguments],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
            env={**child_env(), "PYTHONHASHSEED": str(seed)},
        )
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        results.append({"hash_seed": seed, **result})
    return results


@attrs.frozen
class ServedFake:
    """A FakeFlashProxy running in a child process, and the plan it was seeded with."""

    base_url: str
    api_key: str
    plan_id: str


#: The CPU the fake's child process keeps to, when :func:`serve_fake` pins them apart.
CPU_ENV = "FLASHPROXY_BENCH_CPU"


def _two_cpus() -> tuple[int, int] | None:
    """Two CPUs this process may run on, or None (one CPU, or no affinity calls)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else None


@contextlib.asynccontextmanager
async def serve_fake(*, pin: bool = False) -> AsyncIterator[ServedFake]:
    """Run the fake API in a child process, its rate limit out of reach.

    A child process, so that the CPU time the benchmark reads for itself is the
    client's alone, and the server has the other core. With ``pin`` (and two CPUs
    to spare) the client and the fake each keep to one CPU while it runs: left to
    the scheduler, the two meet on one core now and then, and a client's CPU time
    per call then swings by half between rounds of the same code.
    """
    env = child_env()
    cpus = _two_cpus() if pin else None
    if cpus is not None:
        env[CPU_ENV] = str(cpus[1])
    with pinned_thread(cpus[0] if cpus is not None else None):
        async with _fake_process(env) as served:
            yield served


@contextlib.contextmanager
def pinned_thread(cpu: int | None) -> Iterator[None]:
    """Keep the calling thread (and the threads it starts) to ``cpu`` while inside."""
    if cpu is None:
        yield
        return
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


@contextlib.asynccontextmanager
async def _fake_process(env: dict[str, str]) -> AsyncIterator[ServedFake]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench._fake_process",
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        base_url, api_key, plan_id = line.decode().split()
        yield ServedFake(base_url=base_url, api_key=api_key, plan_id=plan_id)
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(process.wait(), timeout=10)


def process_cpu() -> float:
    """CPU seconds this process has used (user and system, all threads)."""
    return time.process_time()
