"""Routes for the account: balance, usage, sub-users and geo lists."""

from __future__ import annotations

from aiohttp import web

from ._catalog import (
    BYTES_PER_GB,
    GEO_ASNS,
    GEO_CITIES,
    GEO_COUNTRIES,
    GEO_STATES,
    HYBRID_PRODUCTS,
    PRODUCTS,
)
from ._errors import not_found, ok, validation_error
from ._http import choice, plan_of, query_of, required, state_of
from ._views import balance_view, iso, paginate, sub_user_view, transaction_view

routes = web.RouteTableDef()

_TRANSACTION_TYPES = ("topup", "purchase", "extend", "refund", "adjustment", "all")
_GEO_PRODUCTS = (
    "residential",
    "residential-lite",
    "mobile",
    "datacenter",
    "shared_isp",
    "ipv6-residential",
    "ipv6-datacenter",
)


@routes.get("/balance")
async def balance(request: web.Request) -> web.Response:
    return ok(balance_view(state_of(request)))


@routes.get("/balance/pricing")
async def pricing(request: web.Request) -> web.Response:
    prices = state_of(request).prices
    products = {
        product: {
            "price_per_gb_cents": prices.gb(product) if product != "dedicated_isp" else None,
            "price_per_day_cents": (
                prices.day(product)
                if product in HYBRID_PRODUCTS | {"unlimited_residential", "dedicated_mobile"}
                else None
            ),
        }
        for product in sorted(PRODUCTS)
    }
    products["dedicated_isp"]["price_per_ip_30_days"] = prices.per_ip_30_days_cents
    return ok(
        {
            "currency": "USD",
            "products": products,
            "price_per_ip_30_days": prices.per_ip_30_days_cents,
        }
    )


@routes.get("/balance/transactions")
async def transactions(request: web.Request) -> web.Response:
    query = query_of(request)
    kind = choice(query, "type", _TRANSACTION_TYPES, "all")
    items = [t for t in reversed(state_of(request).transactions) if kind == "all" or t.type == kind]
    page, pagination = paginate(items, query)
    return ok({"transactions": [transaction_view(t) for t in page], "pagination": pagination})


@routes.get("/usage/summary")
async def usage_summary(request: web.Request) -> web.Response:
    period = choice(query_of(request), "period", ("today", "week", "month", "all"), "month")
    plans = list(state_of(request).plans.values())
    by_product: dict[str, int] = {}
    for plan in plans:
        by_product[plan.product] = by_product.get(plan.product, 0) + plan.bytes_used
    total = sum(by_product.values())
    return ok(
        {
            "period": period,
            "total_bytes": total,
            "total_gb": round(total / BYTES_PER_GB, 6),
            "plans_count": len(plans),
            "active_plans": sum(1 for p in plans if p.current_status() == "active"),
            "by_product": by_product,
        }
    )


@routes.get("/usage/plans/{planId}")
async def usage_plan(request: web.Request) -> web.Response:
    plan = plan_of(request)
    granularity = choice(query_of(request), "granularity", ("hourly", "daily", "weekly"), "daily")
    return ok(
        {
            "plan_id": plan.plan_id,
            "granularity": granularity,
            "total_bytes": plan.bytes_used,
            "series": [{"timestamp": iso(plan.created_at), "bytes": plan.bytes_used}],
        }
    )


@routes.get("/usage/realtime")
async def usage_realtime(request: web.Request) -> web.Response:
    plans = state_of(request).plans.values()
    active = [p for p in plans if p.current_status() == "active"]
    return ok(
        {
            "active_plans": len(active),
            "active_connections": 0,
            "bytes_per_second": 0,
            "plans": [{"plan_id": p.plan_id, "bytes_used": p.bytes_used} for p in active],
        }
    )


@routes.get("/sub-users")
async def sub_users(request: web.Request) -> web.Response:
    state = state_of(request)
    query = query_of(request)
    status = choice(query, "status", ("active", "suspended", "all"), "all")
    users = [u for u in state.sub_users.values() if status == "all" or u.status == status]
    page, pagination = paginate(users, query)
    return ok({"sub_users": [sub_user_view(u, state) for u in page], "pagination": pagination})


@routes.get("/sub-users/{id}")
async def sub_user(request: web.Request) -> web.Response:
    state = state_of(request)
    user = state.sub_users.get(request.match_info["id"])
    if user is None:
        raise not_found("Sub-user")
    return ok({**sub_user_view(user, state), "plan_ids": list(user.plan_ids)})


@routes.get("/geo/countries")
async def countries(request: web.Request) -> web.Response:
    product = choice(query_of(request), "product_type", _GEO_PRODUCTS, "")
    items = [{"code": code, "name": name} for code, name in GEO_COUNTRIES]
    return ok({"product_type": product, "countries": items, "total": len(items)})


def _country(query: dict[str, str]) -> str:
    code = required(query, "country_code").upper()
    if code not in {c for c, _ in GEO_COUNTRIES}:
        raise validation_error(f"Unknown country_code: {code}")
    return code


@routes.get("/geo/states")
async def states(request: web.Request) -> web.Response:
    query = query_of(request)
    product = required(query, "product_type")
    country = _country(query)
    items = [{"code": code, "name": name} for code, name in GEO_STATES.get(country, ())]
    if product == "pool3":
        # "Per-Pool Feature Comparison": pool 3 writes states with a us_ prefix, pool 4
        # with two letters.
        items = [{**s, "code": f"{country.lower()}_{s['code']}"} for s in items]
    return ok({"country_code": country, "states": items, "total": len(items)})


@routes.get("/geo/cities")
async def cities(request: web.Request) -> web.Response:
    query = query_of(request)
    required(query, "product_type")
    country = _country(query)
    state = query.get("state_code")
    items = [
        {"code": code, "name": name, "state_code": in_state}
        for code, name, in_state in GEO_CITIES.get(country, ())
        if state is None or in_state == state.lower().removeprefix("us_")
    ]
    return ok({"country_code": country, "cities": items, "total": len(items)})


@routes.get("/geo/asn")
async def asns(request: web.Request) -> web.Response:
    country = _country(query_of(request))
    items = [{"asn": asn, "name": name} for asn, name in GEO_ASNS.get(country, ())]
    return ok({"country_code": country, "asns": items, "total": len(items)})
