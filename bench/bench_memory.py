"""Memory while iterating 100,000 plans through ``client.plans.list(per_page=100)``.

The pages come from a lightweight server in a child process (its memory is not
ours). RSS is read before the walk (after one warm-up page, so that imports,
the session and the converter's functions are already in it) and after every
page; the figure is the peak growth. Goal: growth < 50 MB: the walk streams.
For scale, the RSS a list of all the decoded plans needs is reported too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import subprocess
import sys
from collections.abc import AsyncIterator

import psutil

from flashproxy_async import TokenBucketLimiter
from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async._generated import Plan

from ._common import Figure, child_env

GOAL_MB = 50.0
MB = 1024 * 1024


@contextlib.asynccontextmanager
async def page_server(total: int) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench._page_server",
        "--total",
        str(total),
        stdout=subprocess.PIPE,
        env=child_env(),
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        yield line.decode().strip()
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(process.wait(), timeout=10)


async def measure(*, total: int, per_page: int = 100) -> Figure:
    me = psutil.Process()
    async with page_server(total) as base_url:
        limiter = TokenBucketLimiter(rate=10**9, period=1.0, max_concurrent=4)
        async with AsyncFlashProxy(
            api_key="fp_test_" + "0" * 32, base_url=base_url, limiter=limiter
        ) as client:
            await client.plans.list_page(page=1, per_page=per_page)
            gc.collect()
            before = me.memory_info().rss
            peak = before
            seen = 0
            async for _plan in client.plans.list(per_page=per_page):
                seen += 1
                if seen % per_page == 0:
                    peak = max(peak, me.memory_info().rss)
            peak = max(peak, me.memory_info().rss)
            assert seen == total, f"walked {seen} of {total} plans"
            # For scale: what holding a tenth of the plans costs.
            gc.collect()
            held_before = me.memory_info().rss
            held: list[Plan] = []
            async for plan in client.plans.list(per_page=per_page):
                held.append(plan)
                if len(held) >= total // 10:
                    break
            held_growth = (me.memory_info().rss - held_before) / MB
            del held
    growth = (peak - before) / MB
    return Figure(
        name=f"RSS growth walking {total:,} plans",
        baseline_label="RSS before the walk",
        baseline=before / MB,
        sdk=peak / MB,
        unit="MB",
        goal=("growth <", GOAL_MB),
        details={
            "plans": seen,
            "per_page": per_page,
            "rss_before_mb": round(before / MB, 1),
            "rss_peak_mb": round(peak / MB, 1),
            "growth_mb": round(growth, 2),
            "goal_growth_mb": GOAL_MB,
            "holding_a_tenth_in_a_list_mb": round(held_growth, 1),
        },
    )


def run(smoke: bool = False) -> list[Figure]:
    figure = asyncio.run(measure(total=250 if smoke else 100_000))
    return [figure]
