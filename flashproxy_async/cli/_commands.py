"""The commands that call the API once or walk a list: balance, plans, pools, proxy-url."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Literal

from .._generated import Plan, ProxyItem
from ..targeting import proxy_url
from ._output import print_json, print_table, public_data

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["plan_rows", "run_api_command", "static_ip_urls"]

_PLAN_HEADERS = ("plan_id", "product", "status", "expires_at", "reference")


def plan_rows(plans: list[Plan]) -> list[tuple[object, ...]]:
    """Table rows for plans; credentials are never part of them."""
    return [
        (p.plan_id, p.product, p.status, p.expires_at, p.end_user_reference or "") for p in plans
    ]


def static_ip_urls(
    proxies: list[ProxyItem], *, scheme: Literal["http", "socks5"] = "http"
) -> list[str]:
    """Proxy URLs for a dedicated ISP plan's static IPs, each with its own credentials."""
    return [
        proxy_url("dedicated_isp", p.username, p.password, scheme=scheme, host=p.host, port=p.port)
        for p in proxies
    ]


def _show_plan(plan: Plan, as_json: bool) -> None:
    if as_json:
        print_json(public_data(plan))
    else:
        print_table(_PLAN_HEADERS, plan_rows([plan]))


async def _balance(client: AsyncFlashProxy, args: argparse.Namespace, as_json: bool) -> int:
    balance = await client.balance.get()
    if as_json:
        print_json(public_data(balance))
    else:
        print(f"Balance: {balance.balance_formatted}  (spent: {balance.total_spent_formatted})")
    return 0


async def _plans(client: AsyncFlashProxy, args: argparse.Namespace, as_json: bool) -> int:
    action = args.plans_command
    if action == "list":
        plans = [p async for p in client.plans.list(status=args.status, product=args.product)]
        if as_json:
            print_json([public_data(p) for p in plans])
        else:
            print_table(_PLAN_HEADERS, plan_rows(plans))
        return 0
    if action == "get":
        _show_plan(await client.plans.get(args.plan_id), as_json)
        return 0
    if action == "create":
        options: dict[str, Any] = {
            name: getattr(args, name)
            for name in (
                "bandwidth_gb",
                "duration",
                "billing_type",
                "mbps",
                "bandwidth_mbps",
                "location",
                "quantity",
                "pool",
            )
        }
        plan = await client.plans.create(
            product=args.product, end_user_reference=args.reference, **options
        )
        _show_plan(plan, as_json)
        return 0
    plan = await client.plans.get(args.plan_id)  # its product lets the extend rules apply
    extended = await client.plans.extend(
        plan,
        add_days=args.add_days,
        add_bandwidth_gb=args.add_bandwidth_gb,
        extend_30_days=args.extend_30_days,
    )
    _show_plan(extended, as_json)
    return 0


async def _pools(client: AsyncFlashProxy, args: argparse.Namespace, as_json: bool) -> int:
    pools = await client.proxies.pools(type=args.pool_type, country=args.country)
    if as_json:
        print_json(public_data(pools))
        return 0
    rows = [
        (p.pool, p.title, p.provider, p.stock, "yes" if p.in_stock else "no")
        for p in pools.pools or []
    ]
    print_table(("pool", "title", "provider", "stock", "in_stock"), rows)
    return 0


async def _proxy_url(client: AsyncFlashProxy, args: argparse.Namespace, as_json: bool) -> int:
    plan = await client.plans.get(args.plan_id)
    if plan.product == "dedicated_isp":
        # Static IPs: each has its own credentials, from the plan's proxy list.
        listing = await client.plans.proxies(plan)
        urls = static_ip_urls(listing.proxies or [], scheme=args.scheme)
    else:
        targeting = {
            name: getattr(args, name)
            for name in ("country", "state", "city", "zip_code", "asn", "session", "session_time")
            if getattr(args, name) is not None
        }
        urls = [plan.proxy_url(scheme=args.scheme, port_index=args.port_index, **targeting)]
    if as_json:
        print_json({"plan_id": str(plan.plan_id), "urls": urls})
    else:
        print("\n".join(urls))
    return 0


_HANDLERS = {"balance": _balance, "plans": _plans, "pools": _pools, "proxy-url": _proxy_url}


async def run_api_command(client: AsyncFlashProxy, args: argparse.Namespace, as_json: bool) -> int:
    """Run one of the simple commands; return its exit status."""
    return await _HANDLERS[args.command](client, args, as_json)
