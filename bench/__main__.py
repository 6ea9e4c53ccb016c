"""Run every benchmark, print the table, write ``bench/results.json``.

python -m bench                  # everything (a few minutes on 2 cores)
python -m bench --only decode    # modules whose name contains "decode"
python -m bench --smoke          # tiny sizes: checks that each runs, not its speed
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._common import Figure, Skipped

# Memory first: later benchmarks grow the heap, and a grown heap hides growth.
MODULES = [
    "bench_memory",
    "bench_call_overhead",
    "bench_decode",
    "bench_limiter",
    "bench_sync",
    "bench_provision",
]
RESULTS = Path(__file__).with_name("results.json")
#: The benchmarks that run as scripts of their own (worker processes sharing Redis).
SCRIPTS = ["bench_redis_limiter", "bench_fleet"]


def _script_result(name: str, size: list[str]) -> dict[str, Any]:
    """Run ``bench/<name>.py``; the JSON line it prints last."""
    script = Path(__file__).with_name(f"{name}.py")
    if shutil.which("redis-server") is None:
        raise Skipped("redis-server is not installed")
    done = subprocess.run(
        [sys.executable, str(script), *size],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _script_figures(name: str, smoke: bool) -> list[Figure]:
    """A multi-process benchmark's JSON line as one figure: throughput against the limit."""
    small = ["--rate", "10", "--period", "0.5"]
    if name == "bench_redis_limiter":
        result = _script_result(name, ["--requests", "40", *small] if smoke else [])
        label = f"Redis limiter throughput, {result['workers']} processes"
        exactly_once = True
    else:
        result = _script_result(name, ["--orders", "20", *small] if smoke else [])
        label = f"fleet provisioning throughput, {result['workers']} processes on one job"
        exactly_once = (
            result.get("orders_bought_more_than_once") == 0 and result.get("orders_failed") == 0
        )
    return [
        Figure(
            name=label,
            baseline_label=f"the limit, {result['limit']}",
            baseline=1.0,
            sdk=float(result.get("throughput_vs_limit") or 0.0),
            unit="x limit",
            goal=(">=", 0.9),  # the README's table states this bar
            extra_ok=exactly_once
            and result.get("rejected_429") == 0
            and result.get("peak_concurrency", 0) <= result.get("max_concurrent", 0),
            details=result,
        )
    ]


def run_all(only: str | None, smoke: bool) -> tuple[list[Figure], dict[str, str]]:
    figures: list[Figure] = []
    problems: dict[str, str] = {}
    names = [*MODULES, *SCRIPTS]
    for name in names:
        if only and only not in name:
            continue
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            if name in SCRIPTS:
                found = _script_figures(name, smoke)
            else:
                module: Any = importlib.import_module(f"bench.{name}")
                found = module.run(smoke=smoke)
        except Skipped as exc:
            problems[name] = f"skipped: {exc}"
            print(f"  {problems[name]}", file=sys.stderr)
            continue
        except Exception as exc:  # one broken benchmark must not hide the others
            problems[name] = f"failed: {type(exc).__name__}: {exc}"
            print(f"  {problems[name]}", file=sys.stderr)
            continue
        figures.extend(found)
        print(f"  done in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return figures, problems


def table(figures: list[Figure], problems: dict[str, str]) -> str:
    header = ("figure", "baseline", "base", "SDK", "unit", "ratio", "goal", "met?")
    rows = [header]
    for f in figures:
        met = {True: "yes", False: "NO", None: "-"}[f.met]
        rows.append(
            (
                f.name,
                f.baseline_label,
                f"{f.baseline:.4g}",
                f"{f.sdk:.4g}",
                f.unit,
                f"{f.ratio:.3f}",
                f.goal_text,
                met,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += [f"{name}: {why}" for name, why in problems.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for checking")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures, problems = run_all(args.only, args.smoke)
    print(table(figures, problems))
    RESULTS.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "smoke": args.smoke,
                "seconds": round(time.perf_counter() - started, 1),
                "figures": [f.as_json() for f in figures],
                "problems": problems,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")
    failed = any(why.startswith("failed") for why in problems.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
