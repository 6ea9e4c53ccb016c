"""The error envelope the fake answers with, and the exception its handlers raise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

# The API documentation's "Error Codes" table, plus NOT_SUPPORTED from usage-stats.
STATUS_OF_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "INSUFFICIENT_BALANCE": 402,
    "FORBIDDEN": 403,
    "PRODUCT_DISABLED": 403,
    "NOT_FOUND": 404,
    "INVALID_POOL": 400,
    "POOL_OUT_OF_STOCK": 409,
    "OUT_OF_STOCK": 409,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "NOT_SUPPORTED": 400,
}


class FakeAPIError(Exception):
    """Raised inside the fake to answer with an error envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_OF_CODE.get(code, 500)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def to_response(self) -> web.Response:
        return error_response(
            self.status, self.code, self.message, headers=self.headers, extra=self.extra
        )


def validation_error(message: str) -> FakeAPIError:
    return FakeAPIError("VALIDATION_ERROR", message)


def not_found(what: str) -> FakeAPIError:
    return FakeAPIError("NOT_FOUND", f"{what} not found")


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> web.Response:
    error: dict[str, Any] = {"code": code, "message": message, **(extra or {})}
    return web.json_response(
        {"success": False, "error": error}, status=status, headers=dict(headers or {})
    )


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response({"success": True, "data": data}, status=status)
