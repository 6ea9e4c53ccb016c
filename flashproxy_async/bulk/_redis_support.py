"""Small helpers of the Redis journal: the lazy import, names without passwords, records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .._converter import structure
from .._exceptions import FlashProxyError
from .._generated import Plan

__all__ = [
    "now",
    "plan_from_record",
    "plan_record",
    "text",
    "without_password",
]


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def plan_record(plan: Plan) -> dict[str, Any]:
    from ._journal import _plan_without_secrets  # one rule for what a journal keeps

    return _plan_without_secrets(plan)


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def plan_from_record(record: Any) -> Plan | None:
    raw = text(record) if record else ""
    if not raw:
        return None
    try:
        data = json.loads(raw).get("plan")
        plan = structure(data or {}, Plan, path="journal.plan")
    except (ValueError, AttributeError, FlashProxyError):
        return None
    return plan if plan.plan_id is not None else None
