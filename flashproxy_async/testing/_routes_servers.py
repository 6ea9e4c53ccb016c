"""Routes for servers and proxies: stock, pools, IPs, rotation, restarts, configs."""

from __future__ import annotations

import secrets

from aiohttp import web

from ._catalog import HOSTS, MOBILE_LOCATIONS
from ._errors import FakeAPIError, ok, validation_error
from ._http import choice, plan_of, query_of, state_of
from ._state import FakePlan, random_ip
from ._views import pool_view

routes = web.RouteTableDef()

_SERVER_PRODUCTS = ("unlimited_residential", "dedicated_mobile")


def _server_plan(request: web.Request, products: tuple[str, ...] = _SERVER_PRODUCTS) -> FakePlan:
    plan = plan_of(request)
    if plan.product not in products:
        raise validation_error(f"This operation is not available for {plan.product} plans")
    return plan


def _server_status(request: web.Request, plan: FakePlan) -> str:
    state = state_of(request)
    if state.server_ip(plan) is None:
        return "provisioning"
    if plan.restarting_until is not None and state.clock() < plan.restarting_until:
        return "restarting"
    if plan.next_ip is not None:
        return "rotating"
    return "online"


@routes.get("/servers/stock/dedicated-mobile")
async def dedicated_mobile_stock(request: web.Request) -> web.Response:
    stock = state_of(request).mobile_stock
    locations = {
        loc: {"available": stock.get(loc, 0), "in_stock": stock.get(loc, 0) > 0}
        for loc in MOBILE_LOCATIONS
    }
    return ok({"locations": locations, "total_available": sum(stock.values())})


@routes.get("/servers/stock/unlimited-residential-trial")
async def trial_stock(request: web.Request) -> web.Response:
    available = state_of(request).trial_stock
    return ok({"available": available > 0, "stock": available})


@routes.get("/servers/{planId}/ip")
async def server_ip(request: web.Request) -> web.Response:
    plan = _server_plan(request)
    ip = state_of(request).server_ip(plan)
    if ip is None:
        raise FakeAPIError("NOT_FOUND", "Server is still provisioning, retry in a few seconds")
    return ok({"plan_id": plan.plan_id, "ip": ip})


@routes.post("/servers/{planId}/rotate-ip")
async def rotate_ip(request: web.Request) -> web.Response:
    state = state_of(request)
    # The API documentation: "Get new IP for dedicated mobile proxy."
    plan = _server_plan(request, ("dedicated_mobile",))
    if state.server_ip(plan) is None:
        raise validation_error("Server is still provisioning")
    if plan.next_ip is not None:
        raise validation_error("A rotation is already in progress")
    plan.next_ip = random_ip()
    plan.next_ip_at = state.clock() + state.rotation_delay
    return ok(
        {
            "plan_id": plan.plan_id,
            "status": "rotating",
            "old_ip": plan.ip,
            "estimated_seconds": state.rotation_delay,
        }
    )


@routes.post("/servers/{planId}/restart")
async def restart(request: web.Request) -> web.Response:
    state = state_of(request)
    plan = _server_plan(request)
    plan.restarting_until = state.clock() + state.restart_delay
    return ok(
        {"plan_id": plan.plan_id, "status": "restarting", "estimated_seconds": state.restart_delay}
    )


@routes.get("/servers/{planId}/monitoring")
async def monitoring(request: web.Request) -> web.Response:
    plan = _server_plan(request)
    status = _server_status(request, plan)
    return ok(
        {
            "plan_id": plan.plan_id,
            "status": status,
            "online": status in ("online", "rotating"),
            "ip": state_of(request).server_ip(plan),
        }
    )


@routes.get("/servers/{planId}/stats")
async def server_stats(request: web.Request) -> web.Response:
    plan = _server_plan(request)
    return ok(
        {
            "plan_id": plan.plan_id,
            "bytes_used": plan.bytes_used,
            "bandwidth_mbps": plan.bandwidth_mbps,
            "status": _server_status(request, plan),
        }
    )


@routes.get("/proxies/pools")
async def pools(request: web.Request) -> web.Response:
    state = state_of(request)
    query = query_of(request)
    kind = query.get("type")
    if kind is not None and kind not in ("isp", "subnet"):
        raise validation_error("type must be isp or subnet")
    if "dedicated_isp" in state.disabled_products:
        raise FakeAPIError("PRODUCT_DISABLED", "Product dedicated_isp is not enabled for account")
    country = query.get("country")
    selected = [
        pool
        for pool in state.pools.values()
        if (kind is None or (pool.provider == "SN") == (kind == "subnet"))
        and (country is None or pool.country.upper() == country.upper())
    ]
    return ok(
        {
            "pools": [pool_view(p) for p in selected],
            "total": len(selected),
            "in_stock_count": sum(1 for p in selected if p.stock > 0),
        }
    )


@routes.get("/proxies/stock")
async def proxy_stock(request: web.Request) -> web.Response:
    pools = state_of(request).pools.values()
    return ok(
        {
            "pools": [{"pool": p.pool, "stock": p.stock, "inStock": p.stock > 0} for p in pools],
            "total_stock": sum(p.stock for p in pools),
        }
    )


@routes.get("/proxies/connection-info")
async def connection_info(request: web.Request) -> web.Response:
    products = {
        product: {"hostname": host, "port_http": http, "port_socks": socks}
        for product, (host, http, socks, _) in HOSTS.items()
    }
    return ok({"products": products})


@routes.get("/proxies/{planId}/vpn-config")
async def vpn_config(request: web.Request) -> web.Response:
    plan = _server_plan(request)
    kind = choice(query_of(request), "format", ("ovpn", "wireguard"), "ovpn")
    host = HOSTS[plan.product][0]
    if kind == "ovpn":
        text = (
            f"client\ndev tun\nproto udp\nremote {host} 1194\n"
            f"auth-user-pass\n# plan {plan.plan_id}\n"
        )
    else:
        text = (
            f"[Interface]\nPrivateKey = {secrets.token_urlsafe(32)}\nAddress = 10.8.0.2/32\n\n"
            f"[Peer]\nPublicKey = {secrets.token_urlsafe(32)}\nEndpoint = {host}:51820\n"
            "AllowedIPs = 0.0.0.0/0\n"
        )
    filename = f"{plan.plan_id}.{'ovpn' if kind == 'ovpn' else 'conf'}"
    return web.Response(
        text=text,
        content_type="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@routes.get("/proxies/{planId}/ip-reset-link")
async def ip_reset_link(request: web.Request) -> web.Response:
    plan = _server_plan(request, ("dedicated_mobile",))
    token = secrets.token_urlsafe(16)
    return ok({"plan_id": plan.plan_id, "url": f"https://reset.proxyserver.bot/{token}"})
