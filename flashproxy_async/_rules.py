"""Product rules from the API documentation's POST /plans and extend sections, checked locally.

Pure functions: each raises :class:`RequestValidationError` whose ``rule`` names
the rule broken, and none touches the network. The rule names:

* ``create.duration.trial`` - ``trial`` is only for unlimited_residential.
* ``create.duration.1_hour`` - ``1_hour`` is only for datacenter, shared_isp, the
  IPv6 products, and unlimited_residential at exactly 200 Mbps.
* ``create.<field>.required`` - the product (or billing type) needs the field (the
  first one missing; the message names them all).
* ``create.param.not_allowed`` - the field does not belong to the product.
* ``create.<field>.positive`` - amounts are positive (``quantity`` at least 1).
* ``create.bandwidth_mbps.range`` - unlimited_residential takes 200 to 3000 Mbps.
* ``create.bandwidth_mbps.hourly_cap`` - an hourly unlimited_residential plan is 200 Mbps.
* ``extend.empty`` - nothing to extend by.
* ``extend.<field>.positive`` - amounts are positive.
* ``extend.add_days.values`` - the product's allowed ``add_days``.
* ``extend.add_bandwidth_gb.not_billed`` - bandwidth is not billed on this plan.
* ``extend.extend_30_days.product`` - only dedicated_isp extends by 30-day periods.
* ``extend.param.not_allowed`` - the field does not extend this product.
* ``upgrade.bandwidth_mbps.positive`` / ``upgrade.bandwidth_mbps.range``.
* ``usage_stats.type``, ``usage_stats.naive_datetime``, ``usage_stats.order``,
  ``usage_stats.window`` - the usage-stats time range.
* ``pagination.page``, ``pagination.per_page`` - page numbers and sizes are at least 1.

Readings of the API documentation taken here, where it is silent or at odds with itself:

* Pools 1-5 are bandwidth products (they need ``bandwidth_gb``): the products table
  bills them per GB, though POST /plans's "Bandwidth Products" rule names only
  residential-lite, residential and mobile.
* ``1_hour`` is allowed for unlimited_residential when ``bandwidth_mbps`` is exactly
  200. The Duration text lists 1_hour only for datacenter, shared_isp and the IPv6
  products, but the ``bandwidth_mbps`` text says "Hourly plans capped at 200", which
  only makes sense if unlimited_residential has hourly plans.
* A field that the documentation does not list for a product is rejected, not
  dropped: a server that ignored it would sell something other than what was asked for.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from ._exceptions import RequestValidationError
from ._generated import BillingType, CreatePlanRequest, Duration, ExtendPlanRequest, Product
from ._plan_fields import BANDWIDTH_PRODUCTS, CREATE_PLAN_FIELDS, HYBRID_PRODUCTS, variants_of

__all__ = [
    "BANDWIDTH_PRODUCTS",
    "HYBRID_PRODUCTS",
    "MAX_USAGE_STATS_WINDOW",
    "check_create_plan",
    "check_extend_plan",
    "check_page",
    "check_upgrade_plan",
    "usage_stats_range",
]

_UNLIMITED = Product.unlimited_residential.value
_DEDICATED_MOBILE = Product.dedicated_mobile.value
_DEDICATED_ISP = Product.dedicated_isp.value

#: The API documentation, POST /plans: "bandwidth_mbps ... Range: 200-3000. Hourly plans
#: capped at 200."
UNLIMITED_MBPS_MIN = 200
UNLIMITED_MBPS_MAX = 3000
UNLIMITED_HOURLY_MBPS = 200

#: The API documentation, POST /plans/{planId}/extend: the add_days each product accepts.
UNLIMITED_ADD_DAYS = frozenset({1, 7, 30, 60})
DEDICATED_MOBILE_ADD_DAYS = frozenset({7, 14, 30})

#: The API documentation, GET /plans/{planId}/usage-stats: "window at most 30 days".
MAX_USAGE_STATS_WINDOW = timedelta(days=30)

#: The fields a product may or may not take: all but ``product`` and the reference.
_CREATE_FIELDS_ALL = tuple(
    field.name
    for field in CREATE_PLAN_FIELDS
    if field.name not in ("product", "end_user_reference")
)


def _fail(message: str, rule: str) -> RequestValidationError:
    return RequestValidationError(message, rule=rule)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_positive(value: Any, name: str, rule: str, *, integer: bool = False) -> None:
    if value is None:
        return
    kind_ok = (
        isinstance(value, int) and not isinstance(value, bool) if integer else _is_number(value)
    )
    if not kind_ok or value <= 0:
        kind = "integer" if integer else "number"
        raise _fail(f"{name} must be a positive {kind}, got {value!r}", rule)


def _allowed_fields(request: CreatePlanRequest) -> frozenset[str]:
    """The fields the documentation lists for this product (and billing type or duration)."""
    rows = variants_of(request.product.value)
    if not rows:
        return frozenset(_CREATE_FIELDS_ALL)
    for row in rows:
        if row.matches(request):
            return frozenset(row.fields)
    return frozenset(name for row in rows for name in row.fields)


def _required_fields(request: CreatePlanRequest) -> tuple[str, ...]:
    rows = variants_of(request.product.value)
    for row in rows:
        if row.matches(request):
            return row.required
    # No row applies yet: what is missing is a field that picks the row.
    return tuple(dict.fromkeys(name for row in rows for name in row.when))


def _check_duration(request: CreatePlanRequest) -> None:
    product = request.product.value
    if request.duration == Duration.trial and product != _UNLIMITED:
        raise _fail(
            f"duration 'trial' is only for unlimited_residential, not {product}",
            "create.duration.trial",
        )
    if request.duration == Duration.hours_1 and product not in HYBRID_PRODUCTS | {_UNLIMITED}:
        raise _fail(
            "duration '1_hour' is only for datacenter, shared_isp, ipv6-residential, "
            f"ipv6-datacenter and unlimited_residential at 200 Mbps, not {product}",
            "create.duration.1_hour",
        )


def _check_unlimited_mbps(request: CreatePlanRequest) -> None:
    mbps = request.bandwidth_mbps
    if request.product.value != _UNLIMITED or mbps is None:
        return
    _check_positive(mbps, "bandwidth_mbps", "create.bandwidth_mbps.positive", integer=True)
    if not UNLIMITED_MBPS_MIN <= mbps <= UNLIMITED_MBPS_MAX:
        raise _fail(
            f"bandwidth_mbps must be from {UNLIMITED_MBPS_MIN} to {UNLIMITED_MBPS_MAX}, got {mbps}",
            "create.bandwidth_mbps.range",
        )
    if request.duration == Duration.hours_1 and mbps != UNLIMITED_HOURLY_MBPS:
        raise _fail(
            f"an hourly unlimited_residential plan is capped at {UNLIMITED_HOURLY_MBPS} Mbps, "
            f"got {mbps}",
            "create.bandwidth_mbps.hourly_cap",
        )


def check_create_plan(request: CreatePlanRequest) -> None:
    """Check a POST /plans body against the API documentation's product requirements.

    A product the spec does not list (a pseudo-member) is left to the server.

    Raises:
        RequestValidationError: a rule is broken; ``rule`` names it.
    """
    if not request.product.is_known:
        return
    _check_duration(request)
    missing = [
        name
        for name in _required_fields(request)
        if getattr(request, name) is None or (name == "pool" and not str(request.pool).strip())
    ]
    if missing:
        # Every missing field at once, so a user fixes the call in one go.
        raise _fail(
            f"{request.product.value} needs {' and '.join(missing)}",
            f"create.{missing[0]}.required",
        )
    allowed = _allowed_fields(request)
    extra = [n for n in _CREATE_FIELDS_ALL if getattr(request, n) is not None and n not in allowed]
    if extra:
        raise _fail(
            f"{', '.join(extra)} not accepted for {request.product.value}"
            + (f" with billing_type {request.billing_type.value}" if request.billing_type else "")
            + f"; it takes {', '.join(sorted(allowed))}",
            "create.param.not_allowed",
        )
    _check_positive(request.bandwidth_gb, "bandwidth_gb", "create.bandwidth_gb.positive")
    _check_positive(request.mbps, "mbps", "create.mbps.positive", integer=True)
    _check_positive(request.quantity, "quantity", "create.quantity.positive", integer=True)
    _check_unlimited_mbps(request)


def _check_extend_for_product(
    request: ExtendPlanRequest, product: str, billing_type: BillingType | None
) -> None:
    bandwidth_billed = product in BANDWIDTH_PRODUCTS or (
        product in HYBRID_PRODUCTS and billing_type != BillingType.time
    )
    if request.add_bandwidth_gb is not None and not bandwidth_billed:
        raise _fail(
            f"add_bandwidth_gb applies only where bandwidth is billed, not to this {product} plan",
            "extend.add_bandwidth_gb.not_billed",
        )
    if request.extend_30_days is not None and product != _DEDICATED_ISP:
        raise _fail(
            f"extend_30_days is only for dedicated_isp, not {product}",
            "extend.extend_30_days.product",
        )
    days = request.add_days
    if days is None:
        return
    allowed_days = {_UNLIMITED: UNLIMITED_ADD_DAYS, _DEDICATED_MOBILE: DEDICATED_MOBILE_ADD_DAYS}
    if product in allowed_days and days not in allowed_days[product]:
        raise _fail(
            f"add_days for {product} must be one of "
            f"{', '.join(map(str, sorted(allowed_days[product])))}, got {days}",
            "extend.add_days.values",
        )
    if product in BANDWIDTH_PRODUCTS or product == _DEDICATED_ISP:
        raise _fail(f"add_days does not extend {product}", "extend.param.not_allowed")


def check_extend_plan(
    request: ExtendPlanRequest,
    *,
    product: Product | None = None,
    billing_type: BillingType | None = None,
) -> None:
    """Check a POST /plans/{planId}/extend body.

    The per-product rules apply only when ``product`` is known (the caller passed
    a Plan); with a bare ID the server decides.

    Raises:
        RequestValidationError: a rule is broken; ``rule`` names it.
    """
    if request.extend_30_days is False:
        raise _fail("extend_30_days, when given, must be true", "extend.extend_30_days.true")
    if request.add_bandwidth_gb is None and request.add_days is None and not request.extend_30_days:
        raise _fail("give add_bandwidth_gb, add_days or extend_30_days=True", "extend.empty")
    _check_positive(
        request.add_bandwidth_gb, "add_bandwidth_gb", "extend.add_bandwidth_gb.positive"
    )
    _check_positive(request.add_days, "add_days", "extend.add_days.positive", integer=True)
    if product is not None and product.is_known:
        _check_extend_for_product(request, product.value, billing_type)


def check_upgrade_plan(bandwidth_mbps: int, *, product: Product | None = None) -> None:
    """Check a POST /plans/{planId}/upgrade body.

    Raises:
        RequestValidationError: the cap is not a positive integer, or is outside
            unlimited_residential's 200-3000 Mbps when the plan is one.
    """
    _check_positive(
        bandwidth_mbps, "bandwidth_mbps", "upgrade.bandwidth_mbps.positive", integer=True
    )
    if product == Product.unlimited_residential and not (
        UNLIMITED_MBPS_MIN <= bandwidth_mbps <= UNLIMITED_MBPS_MAX
    ):
        raise _fail(
            f"bandwidth_mbps must be from {UNLIMITED_MBPS_MIN} to {UNLIMITED_MBPS_MAX}, "
            f"got {bandwidth_mbps}",
            "upgrade.bandwidth_mbps.range",
        )


def _unix_seconds(value: datetime | int, name: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive datetime means the machine's local time to .timestamp(), a
            # silent shift of hours; the caller must say which zone is meant.
            raise _fail(
                f"{name} must be timezone-aware (e.g. tzinfo=timezone.utc)",
                "usage_stats.naive_datetime",
            )
        return math.floor(value.timestamp())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _fail(
        f"{name} must be a datetime or Unix seconds (int), got {type(value).__name__}",
        "usage_stats.type",
    )


def usage_stats_range(start: datetime | int, end: datetime | int) -> tuple[int, int]:
    """The ``from`` and ``to`` query values (Unix seconds) for GET usage-stats.

    Raises:
        RequestValidationError: a naive datetime or another type, ``start`` not
            before ``end``, or a window longer than 30 days.
    """
    first, last = _unix_seconds(start, "start"), _unix_seconds(end, "end")
    if first >= last:
        raise _fail(f"start ({first}) must be before end ({last})", "usage_stats.order")
    if last - first > MAX_USAGE_STATS_WINDOW.total_seconds():
        raise _fail(
            f"the window may be at most 30 days, got {(last - first) / 86400:.1f} days",
            "usage_stats.window",
        )
    return first, last


def check_page(page: int | None, per_page: int | None) -> None:
    """Check page numbers and sizes: integers of at least 1 when given.

    Raises:
        RequestValidationError: ``pagination.page`` or ``pagination.per_page``.
    """
    _check_positive(page, "page", "pagination.page", integer=True)
    _check_positive(per_page, "per_page", "pagination.per_page", integer=True)
