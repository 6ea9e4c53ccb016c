"""Child process: a lightweight ``GET /api/v1/plans`` serving ``--total`` plans page by page.

The fake API keeps every plan in memory and filters all of them for every page;
for 100,000 plans this server instead builds each page's payloads from their
numbers on request. Prints ``<base_url>`` on one line, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from aiohttp import web

from ._payloads import plan_payloads


def make_app(total: int) -> web.Application:
    async def list_plans(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        per_page = min(int(request.query.get("per_page", "20")), 100)
        start = (page - 1) * per_page
        count = max(0, min(per_page, total - start))
        body = {
            "success": True,
            "data": {
                "plans": plan_payloads(count, start),
                "pagination": {
                    "page": page,
                    "per_page": per_page,
                    "total": total,
                    "total_pages": -(-total // per_page),
                },
            },
        }
        return web.Response(body=json.dumps(body).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/v1/plans", list_plans)
    return app


async def main(total: int) -> None:
    runner = web.AppRunner(make_app(total), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"http://{host}:{port}/api/v1", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, required=True)
    asyncio.run(main(parser.parse_args().total))
