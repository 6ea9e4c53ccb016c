"""Response bodies more than one test folder answers with."""

from __future__ import annotations

from typing import Any

PROXY_PASSWORD = "pass_xyz789"


def proxy_list_json(plan_id: str) -> dict[str, Any]:
    """A dedicated ISP plan's proxy list, the shape the API documentation shows."""
    return {
        "plan_id": plan_id,
        "product": "dedicated_isp",
        "proxies": [
            {
                "host": "isp.proxyserver.bot",
                "port": 10001,
                "username": "user_abc123",
                "password": PROXY_PASSWORD,
                "full": f"user_abc123:{PROXY_PASSWORD}@isp.proxyserver.bot:10001",
            }
        ],
        "count": 1,
        "source": "provider",
    }
