"""Routes under /plans: list, create, read, extend, upgrade, proxies, usage."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from ._catalog import BYTES_PER_GB, PRODUCTS
from ._errors import FakeAPIError, ok, validation_error
from ._http import choice, json_body, plan_of, query_of, required, state_of
from ._rules import validate_create, validate_extend, validate_upgrade
from ._views import paginate, plan_view

routes = web.RouteTableDef()

_STATUSES = ("active", "expired", "cancelled", "all")
_MAX_STATS_WINDOW = 30 * 86400  # documented: usage-stats window at most 30 days


@routes.get("/plans")
async def list_plans(request: web.Request) -> web.Response:
    state = state_of(request)
    query = query_of(request)
    status = choice(query, "status", _STATUSES, "all")
    product = query.get("product")
    if product is not None and product not in PRODUCTS:
        raise validation_error(f"Unknown product: {product}")
    plans = [
        plan
        for plan in state.plans.values()
        if (status == "all" or plan.current_status() == status)
        and (product is None or plan.product == product)
    ]
    page, pagination = paginate(plans, query)
    return ok({"plans": [plan_view(p, state) for p in page], "pagination": pagination})


@routes.post("/plans")
async def create_plan(request: web.Request) -> web.Response:
    state = state_of(request)
    order = validate_create(await json_body(request), frozenset(state.disabled_products))
    plan = state.purchase(order)
    return ok(plan_view(plan, state), status=201)


@routes.get("/plans/{planId}")
async def get_plan(request: web.Request) -> web.Response:
    return ok(plan_view(plan_of(request), state_of(request)))


@routes.post("/plans/{planId}/extend")
async def extend_plan(request: web.Request) -> web.Response:
    state = state_of(request)
    plan = plan_of(request)
    extension = validate_extend(await json_body(request), plan.product, plan.billing_type)
    return ok(plan_view(state.extend(plan, extension), state))


@routes.post("/plans/{planId}/upgrade")
async def upgrade_plan(request: web.Request) -> web.Response:
    state = state_of(request)
    plan = plan_of(request)
    if plan.product != "unlimited_residential":
        raise validation_error("Only unlimited_residential plans can be upgraded")
    mbps = validate_upgrade(await json_body(request), plan.bandwidth_mbps, plan.duration)
    return ok(plan_view(state.upgrade(plan, mbps), state))


@routes.get("/plans/{planId}/proxies")
async def plan_proxies(request: web.Request) -> web.Response:
    plan = plan_of(request)
    if plan.product != "dedicated_isp":
        raise validation_error("Proxy lists are only available for dedicated_isp plans")
    proxies = [
        {
            "host": p.host,
            "port": p.port,
            "username": p.username,
            "password": p.password,
            "full": f"{p.username}:{p.password}@{p.host}:{p.port}",
        }
        for p in plan.proxies
    ]
    return ok(
        {
            "plan_id": plan.plan_id,
            "product": "dedicated_isp",
            "proxies": proxies,
            "count": len(proxies),
            "source": "provider",
        }
    )


@routes.get("/plans/{planId}/usage")
async def plan_usage(request: web.Request) -> web.Response:
    plan = plan_of(request)
    remaining = None if plan.max_bytes is None else max(plan.max_bytes - plan.bytes_used, 0)
    return ok(
        {
            "plan_id": plan.plan_id,
            "product": plan.product,
            "bytes_used": plan.bytes_used,
            "gb_used": round(plan.bytes_used / BYTES_PER_GB, 6),
            "max_bytes": plan.max_bytes,
            "bytes_remaining": remaining,
            "percent_used": (
                None if not plan.max_bytes else round(100 * plan.bytes_used / plan.max_bytes, 2)
            ),
            "status": plan.current_status(),
        }
    )


def _unix(query: dict[str, str], name: str) -> int:
    try:
        seconds = int(required(query, name))
        dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise validation_error(f"{name} must be Unix seconds within years 1-9999") from None
    return seconds


@routes.get("/plans/{planId}/usage-stats")
async def plan_usage_stats(request: web.Request) -> web.Response:
    plan = plan_of(request)
    query = query_of(request)
    start, end = _unix(query, "from"), _unix(query, "to")
    if start >= end:
        raise validation_error("from must be before to")
    if end - start > _MAX_STATS_WINDOW:
        raise validation_error("The window must be at most 30 days")
    if plan.product != "unlimited_residential":
        raise validation_error("usage-stats is only available for unlimited_residential plans")
    if plan.legacy:
        raise FakeAPIError("NOT_SUPPORTED", "Legacy unlimited residential plans are not supported")
    step = max((end - start) // 24, 1)
    points = [
        {
            "timestamp": dt.datetime.fromtimestamp(t, dt.timezone.utc)
            .isoformat()
            .replace("+00:00", "Z"),
            "bytes_in": 0,
            "bytes_out": 0,
            "connections": 0,
        }
        for t in range(start, end, step)
    ][:24]
    return ok({"plan_id": plan.plan_id, "from": start, "to": end, "series": points})
