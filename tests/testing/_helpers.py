"""Small helpers for talking to the fake with plain aiohttp."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp


async def call(
    session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any, Mapping[str, str]]:
    """Send one request; return status, decoded JSON body and headers."""
    async with session.request(method, path.lstrip("/"), **kwargs) as response:
        body = await response.json(content_type=None)
        return response.status, body, response.headers


def error_code(body: Any) -> str:
    assert body["success"] is False
    code: str = body["error"]["code"]
    return code
