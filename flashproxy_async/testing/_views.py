"""How the fake's state looks on the wire."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, TypeVar

from ._catalog import BYTES_PER_GB, HOSTS
from ._errors import validation_error
from ._pricing import format_cents
from ._state import FakePlan, FakePool, FakeState, FakeSubUser, FakeTransaction

T = TypeVar("T")

DEFAULT_PER_PAGE = 20
# fake-only: larger pages are cut to this size. openapi.json sets no maximum, so a
# bigger per_page is valid and must not be refused.
MAX_PER_PAGE = 100


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def connection(plan: FakePlan) -> dict[str, Any]:
    host, port_http, port_socks, suffix = HOSTS[plan.product]
    return {
        "hostname": host,
        "port_http": port_http,
        "port_socks": port_socks,
        "format": f"{plan.proxy_username}{suffix}:{plan.proxy_password}@{host}:{port_http}",
    }


def plan_view(plan: FakePlan, state: FakeState) -> dict[str, Any]:
    per_gb = state.prices.gb(plan.product) if plan.billing_type == "bandwidth" else None
    return {
        "plan_id": plan.plan_id,
        "product": plan.product,
        "billing_type": plan.billing_type,
        "proxy_username": plan.proxy_username,
        "proxy_password": plan.proxy_password,
        "connection": connection(plan),
        "limits": {
            "max_gb": None if plan.max_bytes is None else round(plan.max_bytes / BYTES_PER_GB, 6),
            "max_bytes": plan.max_bytes,
            "bytes_used": plan.bytes_used,
            "bandwidth_mbps": plan.bandwidth_mbps if plan.bandwidth_mbps is not None else plan.mbps,
        },
        "location": plan.location,
        "expires_at": iso(plan.expires_at),
        "status": plan.current_status(),
        "created_at": iso(plan.created_at),
        "billing": {
            "mode": plan.billing_type,
            "price_per_gb_cents": per_gb,
            "cost_cents": plan.cost_cents,
            "cost_formatted": format_cents(plan.cost_cents),
        },
        "end_user_reference": plan.end_user_reference,
    }


def pool_view(pool: FakePool) -> dict[str, Any]:
    return {
        "pool": pool.pool,
        "inStock": pool.stock > 0,
        "stock": pool.stock,
        "title": pool.title,
        "provider": pool.provider,
        "isSubnet": pool.provider == "SN",
    }


def transaction_view(transaction: FakeTransaction) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "type": transaction.type,
        "amount_cents": transaction.amount_cents,
        "amount_formatted": format_cents(transaction.amount_cents),
        "balance_after_cents": transaction.balance_after_cents,
        "description": transaction.description,
        "plan_id": transaction.plan_id,
        "created_at": iso(transaction.created_at),
    }


def sub_user_view(user: FakeSubUser, state: FakeState) -> dict[str, Any]:
    spent = sum(state.plans[p].cost_cents for p in user.plan_ids if p in state.plans)
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "status": user.status,
        "created_at": iso(user.created_at),
        "plans_count": len(user.plan_ids),
        "total_spent_cents": spent,
    }


def allocation(state: FakeState, product: str) -> dict[str, Any]:
    remaining = sum(
        max((plan.max_bytes or 0) - plan.bytes_used, 0)
        for plan in state.plans.values()
        if plan.product == product and plan.current_status() == "active"
    )
    return {"gb_remaining": round(remaining / BYTES_PER_GB, 6), "bytes_remaining": remaining}


def balance_view(state: FakeState) -> dict[str, Any]:
    return {
        "balance_cents": state.balance_cents,
        "balance_formatted": format_cents(state.balance_cents),
        "allocations": {
            product: allocation(state, product)
            for product in ("residential", "residential-lite", "mobile")
        },
        "total_spent_cents": state.total_spent_cents,
        "total_spent_formatted": format_cents(state.total_spent_cents),
    }


def _page_number(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_error(f"{name} must be an integer") from None
    if value < 1:
        raise validation_error(f"{name} must be at least 1")
    return value


def paginate(items: Sequence[T], query: dict[str, str]) -> tuple[Sequence[T], dict[str, int]]:
    """Slice ``items`` by the page and per_page query parameters."""
    page = _page_number(query, "page", 1)
    per_page = min(_page_number(query, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    start = (page - 1) * per_page
    pagination = {
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "total_pages": math.ceil(len(items) / per_page),
    }
    return items[start : start + per_page], pagination
