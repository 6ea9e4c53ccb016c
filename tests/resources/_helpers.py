"""Helpers to answer requests with aioresponses and read what the client sent."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import aiohttp
import attrs
from _support.payloads import proxy_list_json
from aioresponses import aioresponses

BASE = "https://api.test/api/v1"
PLAN_ID = "3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b"
PROXY_LIST = proxy_list_json(PLAN_ID)


class CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 builds responses without aiohttp 3.14's ``stream_writer``."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@attrs.frozen
class Sent:
    """One request as it left the client."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


def url_pattern(path: str) -> re.Pattern[str]:
    """Match ``path`` under BASE with any query string."""
    return re.compile("^" + re.escape(BASE + path) + r"(\?.*)?$")


def reply(
    api: aioresponses,
    method: str,
    path: str,
    data: Any = None,
    *,
    status: int = 200,
    envelope: Any = None,
    text: str | None = None,
    repeat: bool = False,
) -> None:
    """Answer ``method path`` with the envelope around ``data``, a whole ``envelope``,
    or plain ``text``."""
    if text is not None:
        api.add(
            url_pattern(path),
            method,
            status=status,
            body=text,
            content_type="text/plain",
            response_class=CompatResponse,
        )
        return
    payload = {"success": True, "data": data} if envelope is None else envelope
    api.add(
        url_pattern(path),
        method,
        status=status,
        payload=payload,
        repeat=repeat,
        response_class=CompatResponse,
    )


def error(api: aioresponses, method: str, path: str, status: int, code: str) -> None:
    body = {"success": False, "error": {"code": code, "message": code.lower()}}
    api.add(url_pattern(path), method, status=status, payload=body, response_class=CompatResponse)


def sent(api: aioresponses) -> list[Sent]:
    """Every request aioresponses saw, in order of each distinct URL's first use."""
    calls: list[Sent] = []
    for (method, url), requests in api.requests.items():
        for call in requests:
            raw = call.kwargs.get("data")
            calls.append(
                Sent(
                    method=method,
                    path=url.path.removeprefix("/api/v1"),
                    query=dict(url.query),
                    body=None if raw is None else json.loads(raw),
                )
            )
    return calls


def plan_json(plan_id: str = PLAN_ID, **fields: Any) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "product": "residential",
        "billing_type": "bandwidth",
        "proxy_username": "user_1",
        "proxy_password": "secret-pass",
        "status": "active",
        "expires_at": "2025-02-01T00:00:00Z",
        "created_at": "2025-01-01T00:00:00Z",
        **fields,
    }
