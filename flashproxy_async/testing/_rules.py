"""The API documentation's product rules, as the fake server enforces them.

Written from the documentation independently of the client's own checks, so that the two
cannot share a misreading. Nulls count as absent; any other field that a product
does not take is rejected, which catches clients that send junk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from ._catalog import (
    BANDWIDTH_PRODUCTS,
    DEDICATED_MOBILE_EXTEND_DAYS,
    DURATION_DAYS,
    HOURLY_MBPS,
    HYBRID_PRODUCTS,
    MAX_BANDWIDTH_MBPS,
    MIN_BANDWIDTH_MBPS,
    MOBILE_LOCATIONS,
    ONE_HOUR_PRODUCTS,
    PRODUCTS,
    UNLIMITED_EXTEND_DAYS,
)
from ._errors import FakeAPIError, validation_error

CREATE_FIELDS = frozenset(
    {
        "product",
        "bandwidth_gb",
        "duration",
        "billing_type",
        "mbps",
        "bandwidth_mbps",
        "location",
        "quantity",
        "pool",
        "end_user_reference",
    }
)
EXTEND_FIELDS = frozenset({"add_bandwidth_gb", "add_days", "extend_30_days"})


@attrs.define(frozen=True)
class Order:
    """A validated POST /plans body."""

    product: str
    billing_type: str
    bandwidth_gb: float | None = None
    duration: str | None = None
    mbps: int | None = None
    bandwidth_mbps: int | None = None
    location: str | None = None
    quantity: int | None = None
    pool: str | None = None
    end_user_reference: str | None = None


@attrs.define(frozen=True)
class Extension:
    """A validated POST /plans/{id}/extend body."""

    add_bandwidth_gb: float | None = None
    add_days: int | None = None
    extend_30_days: bool = False


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_error("Request body must be a JSON object")
    return {key: value for key, value in body.items() if value is not None}


def positive_number(body: Mapping[str, Any], name: str) -> float:
    value = body.get(name)
    if value is None:
        raise validation_error(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise validation_error(f"{name} must be a number")
    # json.loads reads NaN and Infinity; an int may be too large for a float.
    if not value > 0 or (isinstance(value, float) and math.isinf(value)):
        raise validation_error(f"{name} must be a positive number")
    return value


def integer(body: Mapping[str, Any], name: str, *, minimum: int = 1) -> int:
    value = body.get(name)
    if value is None:
        raise validation_error(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation_error(f"{name} must be an integer")
    if value < minimum:
        raise validation_error(f"{name} must be at least {minimum}")
    return value


def _string(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise validation_error(f"{name} is required")
    if not isinstance(value, str) or not value:
        raise validation_error(f"{name} must be a non-empty string")
    return value


def _reject_extra(body: Mapping[str, Any], allowed: set[str], product: str) -> None:
    for name in sorted(set(body) - allowed):
        raise validation_error(f"{name} is not accepted for product {product}")


def _duration(body: Mapping[str, Any], product: str) -> str:
    duration = _string(body, "duration")
    if duration not in DURATION_DAYS:
        raise validation_error(f"duration must be one of {', '.join(DURATION_DAYS)}")
    if duration == "trial" and product != "unlimited_residential":
        raise validation_error("duration trial is only available for unlimited_residential")
    if duration == "1_hour" and product not in ONE_HOUR_PRODUCTS:
        raise validation_error(f"duration 1_hour is not available for {product}")
    return duration


def validate_create(raw: Any, disabled_products: frozenset[str]) -> Order:
    """Check a POST /plans body against the documented product requirements."""
    body = require_object(raw)
    unknown = sorted(set(body) - CREATE_FIELDS)
    if unknown:
        raise validation_error(f"Unknown field: {unknown[0]}")
    product = _string(body, "product")
    if product not in PRODUCTS:
        raise validation_error(f"Unknown product: {product}")
    if product in disabled_products:
        raise FakeAPIError("PRODUCT_DISABLED", f"Product {product} is not enabled for account")
    reference = body.get("end_user_reference")
    if reference is not None and not isinstance(reference, str):
        raise validation_error("end_user_reference must be a string")
    common = {"product", "end_user_reference"}

    if product in BANDWIDTH_PRODUCTS:
        if body.get("billing_type", "bandwidth") != "bandwidth":
            raise validation_error(f"{product} is billed by bandwidth only")
        _reject_extra(body, common | {"bandwidth_gb", "billing_type"}, product)
        gb = positive_number(body, "bandwidth_gb")
        return Order(product, "bandwidth", bandwidth_gb=gb, end_user_reference=reference)

    if product in HYBRID_PRODUCTS:
        billing_type = _string(body, "billing_type")
        if billing_type == "bandwidth":
            _reject_extra(body, common | {"billing_type", "bandwidth_gb"}, product)
            gb = positive_number(body, "bandwidth_gb")
            return Order(product, "bandwidth", bandwidth_gb=gb, end_user_reference=reference)
        if billing_type == "time":
            _reject_extra(body, common | {"billing_type", "duration", "mbps"}, product)
            duration = _duration(body, product)
            mbps = integer(body, "mbps")
            return Order(
                product, "time", duration=duration, mbps=mbps, end_user_reference=reference
            )
        raise validation_error("billing_type must be bandwidth or time")

    if body.get("billing_type", "time") != "time":
        raise validation_error(f"{product} is billed by time only")

    if product == "unlimited_residential":
        duration = _duration(body, product)
        if duration == "trial":
            _reject_extra(body, common | {"duration", "billing_type"}, product)
            return Order(product, "time", duration=duration, end_user_reference=reference)
        _reject_extra(body, common | {"duration", "bandwidth_mbps", "billing_type"}, product)
        mbps = integer(body, "bandwidth_mbps")
        if not MIN_BANDWIDTH_MBPS <= mbps <= MAX_BANDWIDTH_MBPS:
            raise validation_error(
                f"bandwidth_mbps must be between {MIN_BANDWIDTH_MBPS} and {MAX_BANDWIDTH_MBPS}"
            )
        if duration == "1_hour" and mbps != HOURLY_MBPS:
            raise validation_error(f"Hourly plans are capped at {HOURLY_MBPS} Mbps")
        return Order(
            product, "time", duration=duration, bandwidth_mbps=mbps, end_user_reference=reference
        )

    if product == "dedicated_mobile":
        _reject_extra(body, common | {"duration", "location", "billing_type"}, product)
        duration = _duration(body, product)
        location = _string(body, "location")
        if location not in MOBILE_LOCATIONS:
            raise validation_error(f"location must be one of {', '.join(MOBILE_LOCATIONS)}")
        return Order(
            product, "time", duration=duration, location=location, end_user_reference=reference
        )

    # dedicated_isp
    _reject_extra(body, common | {"quantity", "pool", "billing_type"}, product)
    quantity = integer(body, "quantity")
    pool = _string(body, "pool")
    return Order(product, "time", quantity=quantity, pool=pool, end_user_reference=reference)


def validate_extend(raw: Any, product: str, billing_type: str) -> Extension:
    """Check a POST /plans/{id}/extend body against the documented extend rules."""
    body = require_object(raw)
    unknown = sorted(set(body) - EXTEND_FIELDS)
    if unknown:
        raise validation_error(f"Unknown field: {unknown[0]}")
    if product in BANDWIDTH_PRODUCTS:
        _reject_extra(body, {"add_bandwidth_gb"}, product)
        return Extension(add_bandwidth_gb=positive_number(body, "add_bandwidth_gb"))
    if product in HYBRID_PRODUCTS:
        # POST /plans/{planId}/extend: hybrids take add_bandwidth_gb and/or add_days, but
        # add_bandwidth_gb is documented "for bandwidth-billed hybrid products" only.
        allowed = {"add_days"} | ({"add_bandwidth_gb"} if billing_type == "bandwidth" else set())
        _reject_extra(body, allowed, product)
        if not body:
            raise validation_error("add_bandwidth_gb or add_days is required")
        gb = positive_number(body, "add_bandwidth_gb") if "add_bandwidth_gb" in body else None
        days = integer(body, "add_days") if "add_days" in body else None
        return Extension(add_bandwidth_gb=gb, add_days=days)
    if product in ("unlimited_residential", "dedicated_mobile"):
        _reject_extra(body, {"add_days"}, product)
        days = integer(body, "add_days")
        allowed_days = (
            UNLIMITED_EXTEND_DAYS
            if product == "unlimited_residential"
            else DEDICATED_MOBILE_EXTEND_DAYS
        )
        if days not in allowed_days:
            choices = ", ".join(str(d) for d in sorted(allowed_days))
            raise validation_error(f"add_days for {product} must be one of {choices}")
        return Extension(add_days=days)
    _reject_extra(body, {"extend_30_days"}, product)
    if body.get("extend_30_days") is not True:
        raise validation_error("extend_30_days must be true for dedicated_isp")
    return Extension(extend_30_days=True)


def validate_upgrade(raw: Any, current_mbps: int | None, duration: str | None) -> int:
    """Check a POST /plans/{id}/upgrade body; return the new bandwidth cap."""
    body = require_object(raw)
    _reject_extra(body, {"bandwidth_mbps"}, "unlimited_residential")
    mbps = integer(body, "bandwidth_mbps")
    if duration == "trial":
        raise validation_error("Trial plans cannot be upgraded")
    if duration == "1_hour":
        raise validation_error(f"Hourly plans are capped at {HOURLY_MBPS} Mbps")
    if not MIN_BANDWIDTH_MBPS <= mbps <= MAX_BANDWIDTH_MBPS:
        raise validation_error(
            f"bandwidth_mbps must be between {MIN_BANDWIDTH_MBPS} and {MAX_BANDWIDTH_MBPS}"
        )
    if current_mbps is not None and mbps <= current_mbps:
        raise validation_error("bandwidth_mbps must be higher than the current cap")
    return mbps
