"""Child process: serve FakeFlashProxy as a strict window; on SIGTERM, print its record.

``python -m bench._provision_fake RATE PERIOD MAX_CONCURRENT BALANCE_CENTS`` prints
``<base_url> <api_key>`` on one line and serves; on SIGTERM it prints one JSON line,
``{"requests": [[method, route, status], ...], "window_429": n, "concurrency_429": n}``
for every request received, and exits.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from flashproxy_async.testing import FakeFlashProxy


async def main(rate: int, period: float, max_concurrent: int, balance_cents: int) -> None:
    fake = FakeFlashProxy(
        rate=rate, period=period, max_concurrent=max_concurrent, balance_cents=balance_cents
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with fake:
        print(fake.base_url, fake.api_key, flush=True)
        await stop.wait()
        record = {
            "requests": [[r.method, r.route or r.path, r.status] for r in fake.requests],
            "window_429": fake.stats.window_rejections,
            "concurrency_429": fake.stats.concurrency_rejections,
        }
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    rate, period, max_concurrent, balance = sys.argv[1:5]
    asyncio.run(main(int(rate), float(period), int(max_concurrent), int(balance)))
