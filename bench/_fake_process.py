"""Child process: serve FakeFlashProxy with no effective rate limit, seeded with one plan.

Prints ``<base_url> <api_key> <plan_id>`` on one line, then serves until SIGTERM.
With ``FLASHPROXY_BENCH_CPU`` set, it runs on that CPU alone.
"""

from __future__ import annotations

import asyncio
import os
import signal

from flashproxy_async.testing import FakeFlashProxy

from ._common import CPU_ENV


async def main() -> None:
    cpu = os.environ.get(CPU_ENV)
    if cpu is not None:
        os.sched_setaffinity(0, {int(cpu)})
    # Not recording: a record per request grows the heap, and the collector's pauses
    # would slow the fake down as a benchmark goes on.
    fake = FakeFlashProxy(rate=10**9, period=1.0, max_concurrent=10**6, record_requests=False)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with fake:
        plan = fake.state.add_plan("residential", bytes_used=123_456)
        print(fake.base_url, fake.api_key, plan.plan_id, flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
