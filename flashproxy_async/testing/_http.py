"""Helpers the route handlers share."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

from ._errors import validation_error
from ._state import FakePlan, FakeState

STATE_KEY = web.AppKey("flashproxy_fake_state", FakeState)


def state_of(request: web.Request) -> FakeState:
    return request.app[STATE_KEY]


def query_of(request: web.Request) -> dict[str, str]:
    return dict(request.query)


async def json_body(request: web.Request) -> Any:
    """The decoded JSON body (None if empty); 400 VALIDATION_ERROR if it does not parse."""
    raw = await request.read()  # aiohttp caches the body the pipeline already read
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise validation_error("Request body is not valid JSON") from None


def plan_of(request: web.Request) -> FakePlan:
    """The plan named by the planId path parameter (400 if not a UUID, 404 if unknown)."""
    raw = request.match_info["planId"]
    try:
        uuid.UUID(raw)
    except ValueError:
        raise validation_error("planId must be a UUID") from None
    return state_of(request).plan(raw)


def choice(query: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name, default)
    if value not in allowed:
        raise validation_error(f"{name} must be one of {', '.join(allowed)}")
    return value


def required(query: dict[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise validation_error(f"{name} is required")
    return value
