"""The request pipeline: record, authenticate, rate-limit, inject faults, dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from ._errors import FakeAPIError, error_response
from ._faults import API_PREFIX, FaultKind, Faults
from ._http import STATE_KEY
from ._ratelimit import FakeStats, RateLimiter
from ._records import RecordedRequest, RecordedResponse
from ._routes_account import routes as account_routes
from ._routes_plans import routes as plan_routes
from ._routes_servers import routes as server_routes
from ._state import FakeState

logger = logging.getLogger("flashproxy_async.testing")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ResponseHook = Callable[[RecordedRequest], None]

_MALFORMED_BODY = '{"success": true, "data": {"plan_id": "'
_HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>{status} Bad Gateway</title></head>"
    "<body><h1>{status} Bad Gateway</h1><hr><center>nginx</center></body></html>"
)


class Pipeline:
    """Everything between the socket and a route handler."""

    def __init__(
        self,
        *,
        state: FakeState,
        faults: Faults,
        limiter: RateLimiter,
        stats: FakeStats,
        api_keys: set[str],
        integer_retry_after: Callable[[], bool],
        time_scale: float = 1.0,
        record_requests: bool = True,
    ) -> None:
        self.time_scale = time_scale
        self.record_requests = record_requests
        self.state = state
        self.faults = faults
        self.limiter = limiter
        self.stats = stats
        self.api_keys = api_keys
        self.integer_retry_after = integer_retry_after
        self.requests: list[RecordedRequest] = []
        self.response_hooks: list[ResponseHook] = []
        self.closing = asyncio.Event()
        """Set on close so injected delays end at once instead of holding up shutdown."""

    def build_app(self) -> web.Application:
        api = web.Application()
        api[STATE_KEY] = self.state
        for table in (plan_routes, account_routes, server_routes):
            api.add_routes(table)

        @web.middleware
        async def pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self.middleware(request, handler)

        app = web.Application(middlewares=[pipeline])
        app[STATE_KEY] = self.state
        app.add_subapp(API_PREFIX, api)
        return app

    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        record = await self._record(request)
        self.stats.requests += 1
        fault_kind: str | None = None
        try:
            response, fault_kind = await self._handle(request, handler, record)
        except FakeAPIError as exc:
            response = exc.to_response()
        if response is None:
            self.stats.dropped_connections += 1
            if request.transport is not None:
                request.transport.close()
            response = web.Response(status=500)
        else:
            # Every answer carries an id, so that clients can show and report one.
            response.headers.setdefault("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
            record.response = _recorded(response, fault_kind)
        for hook in self.response_hooks:
            hook(record)
        return response

    async def _record(self, request: web.Request) -> RecordedRequest:
        body = await request.read()
        parsed: Any = None
        if body:
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
        path = request.path
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else None
        record = RecordedRequest(
            method=request.method,
            path=path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path,
            query=dict(request.query),
            headers=CIMultiDict(request.headers),
            body=body,
            json=parsed,
            route=route[len(API_PREFIX) :] if route and route.startswith(API_PREFIX) else route,
        )
        if self.record_requests:
            self.requests.append(record)
        return record

    def _authenticate(self, request: web.Request, record: RecordedRequest) -> str:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key.strip() not in self.api_keys:
            self.stats.unauthorized += 1
            raise FakeAPIError("UNAUTHORIZED", "Invalid or missing API key")
        record.api_key = key.strip()
        if self.state.suspended:
            raise FakeAPIError("FORBIDDEN", "Account suspended")
        return record.api_key

    def _retry_after(self, seconds: float) -> tuple[str, float]:
        if self.integer_retry_after():
            return str(max(1, math.ceil(seconds))), seconds
        return f"{max(seconds, 0.001):.3f}", seconds

    async def _handle(
        self, request: web.Request, handler: Handler, record: RecordedRequest
    ) -> tuple[web.StreamResponse | None, str | None]:
        key = self._authenticate(request, record)
        rejection = self.limiter.admit(key)
        if rejection is not None:
            header, seconds = self._retry_after(rejection.retry_after)
            message = (
                "Too many requests"
                if rejection.reason == "rate"
                else "Too many concurrent requests"
            )
            raise FakeAPIError(
                "RATE_LIMITED",
                message,
                headers={"Retry-After": header},
                extra={"retry_after": round(seconds, 6)},
            )
        try:
            return await self._dispatch(request, handler, record)
        finally:
            self.limiter.release(key)

    async def _hold(self, seconds: float) -> None:
        # Ends early on close, so that shutdown is not held up, or when a test releases it.
        await _first_of(seconds, self.closing, self.faults.released)

    async def _dispatch(
        self, request: web.Request, handler: Handler, record: RecordedRequest
    ) -> tuple[web.StreamResponse | None, str | None]:
        delay, fault = self.faults.take(request.method, record.path)
        if delay is not None:
            seconds = delay.seconds
            if delay.kind is FaultKind.COMMIT_LATE:
                seconds *= self.time_scale
            await self._hold(seconds)
        if fault is None:
            return await _call(handler, request), None
        kind = fault.kind
        if kind is FaultKind.FAIL:
            headers: dict[str, str] = {}
            extra: dict[str, float] = {}
            if fault.retry_after is not None:
                # As the test asked: whole seconds stay an integer, fractions stay fractions.
                seconds = fault.retry_after
                headers["Retry-After"] = f"{seconds:g}"
                extra["retry_after"] = seconds
            response = error_response(
                fault.status, fault.code, fault.message, headers=headers, extra=extra
            )
            return response, kind
        if kind is FaultKind.DROP:
            return None, kind
        if kind is FaultKind.MALFORMED_JSON:
            return web.Response(
                status=fault.status, text=_MALFORMED_BODY, content_type="application/json"
            ), kind
        if kind is FaultKind.RESPOND:
            if fault.process:
                await _call(handler, request)
            response = web.Response(status=fault.status, body=fault.body, headers=fault.headers)
            response.content_type = fault.content_type
            return response, kind
        if kind is FaultKind.HTML_ERROR:
            page = _HTML_PAGE.format(status=fault.status)
            return web.Response(status=fault.status, text=page, content_type="text/html"), kind
        await _call(handler, request)
        if kind is FaultKind.PROCESS_THEN_DROP:
            return None, kind
        return error_response(fault.status, fault.code, fault.message), kind


async def _first_of(seconds: float, *events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _call(handler: Handler, request: web.Request) -> web.StreamResponse:
    try:
        return await handler(request)
    except FakeAPIError as exc:
        return exc.to_response()
    except web.HTTPException as exc:
        if exc.status == 404:
            return error_response(404, "NOT_FOUND", f"No route for {request.path}")
        # Keep aiohttp's headers: a 405 must say which methods the path takes (Allow).
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, "VALIDATION_ERROR", exc.reason, headers=allow)
    except Exception:
        logger.exception("flashproxy fake: handler failed for %s %s", request.method, request.path)
        return error_response(500, "INTERNAL_ERROR", "Internal server error")


def _recorded(response: web.StreamResponse, fault_kind: str | None) -> RecordedResponse:
    body = ""
    if isinstance(response, web.Response) and isinstance(response.body, bytes):
        body = response.body.decode("utf-8", "replace")
    return RecordedResponse(
        status=response.status,
        content_type=response.content_type,
        body=body,
        headers=CIMultiDict(response.headers),
        fault=fault_kind,
    )
