"""Plan payloads shaped like the API's (and the fake's), generated deterministically."""

from __future__ import annotations

import random
import uuid
from typing import Any

__all__ = ["plan_payload", "plan_payloads"]

_PRODUCTS = (
    ("residential", "bandwidth", "geo.proxyserver.bot", 8080, 1080),
    ("datacenter", "time", "dc.proxyserver.bot", 9080, 9081),
    ("mobile", "bandwidth", "mobile.proxyserver.bot", 7080, 7081),
    ("unlimited_residential", "time", "unlim.proxyserver.bot", 12000, 12000),
)
_STATUSES = ("active", "active", "active", "expired", "cancelled")


def plan_payload(number: int, rng: random.Random | None = None) -> dict[str, Any]:
    """The wire form of plan ``number``: every field of the Plan schema, some null."""
    rng = rng or random.Random(number)
    product, billing, host, port_http, port_socks = _PRODUCTS[number % len(_PRODUCTS)]
    username = f"fp{number:010x}"
    password = f"pw{rng.getrandbits(48):012x}"
    bandwidth = billing == "bandwidth"
    max_bytes = rng.randrange(1, 100) * 1_000_000_000 if bandwidth else None
    return {
        "plan_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "product": product,
        "billing_type": billing,
        "proxy_username": username,
        "proxy_password": password,
        "connection": {
            "hostname": host,
            "port_http": port_http,
            "port_socks": port_socks,
            "format": f"{username}:{password}@{host}:{port_http}",
        },
        "limits": {
            "max_gb": None if max_bytes is None else max_bytes / 1e9,
            "max_bytes": max_bytes,
            "bytes_used": rng.randrange(0, 10**9),
            "bandwidth_mbps": None if bandwidth else 200,
        },
        "location": None if number % 3 else "US",
        "expires_at": None if bandwidth else "2026-12-28T17:59:33Z",
        "status": _STATUSES[number % len(_STATUSES)],
        "created_at": f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}T12:{number % 60:02d}:00Z",
        "billing": {
            "mode": billing,
            "price_per_gb_cents": 300 if bandwidth else None,
            "cost_cents": rng.randrange(0, 100_000),
            "cost_formatted": "$12.34",
        },
        "end_user_reference": None if number % 2 else f"customer-{number}",
    }


def plan_payloads(count: int, start: int = 0) -> list[dict[str, Any]]:
    """``count`` distinct plan payloads, numbered from ``start``."""
    return [plan_payload(number) for number in range(start, start + count)]
