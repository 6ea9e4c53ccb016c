"""aiohttp sends the decoded credentials of a ``proxy_url`` as Proxy-Authorization."""

from __future__ import annotations

import base64

import aiohttp
from aiohttp import web

from flashproxy_async.targeting import StickySessions


async def test_aiohttp_proxy_receives_the_targeted_username_and_raw_password() -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Proxy-Authorization", ""))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        sessions = StickySessions(
            "pool4", "user", "p@ss:w/rd", country="us", state="New York",
            host="127.0.0.1", port=port,
        )  # fmt: skip
        async with aiohttp.ClientSession() as http:
            for _ in range(2):
                async with http.get("http://target.invalid/", proxy=sessions.next_url()) as resp:
                    assert await resp.text() == "ok"
    finally:
        await runner.cleanup()
    credentials = [base64.b64decode(h.removeprefix("Basic ")).decode() for h in seen]
    assert len(credentials) == 2 and credentials[0] != credentials[1]
    for pair in credentials:
        username, _, password = pair.partition(":")
        assert username.startswith("user-package-pool4-country-us-state-ny-session-")
        assert password == "p@ss:w/rd"
