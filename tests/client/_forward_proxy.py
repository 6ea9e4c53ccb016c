"""A forward HTTP proxy on 127.0.0.1 that records the absolute URLs it is asked for."""

from __future__ import annotations

import aiohttp
from aiohttp import web


class ForwardProxy:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.Response:
        self.seen.append(str(request.url))
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with self._session.request(
            request.method, request.url, headers=headers, data=await request.read()
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() == "x-request-id"}
            return web.Response(
                status=answer.status, body=body, headers=kept, content_type=answer.content_type
            )

    async def __aenter__(self) -> ForwardProxy:
        self._session = aiohttp.ClientSession(trust_env=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None and self._session is not None
        await self._runner.cleanup()
        await self._session.close()
