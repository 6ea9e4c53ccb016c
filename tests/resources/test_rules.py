"""Every documented product rule of POST /plans and POST /plans/{planId}/extend, checked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from flashproxy_async import RequestValidationError
from flashproxy_async._generated import (
    BillingType,
    CreatePlanRequest,
    DedicatedMobileLocation,
    Duration,
    ExtendPlanRequest,
    Product,
)
from flashproxy_async._rules import (
    check_create_plan,
    check_extend_plan,
    check_page,
    check_upgrade_plan,
    usage_stats_range,
)

BANDWIDTH = [
    "residential-lite",
    "residential",
    "mobile",
    "pool1",
    "pool2",
    "pool3",
    "pool4",
    "pool5",
]
HYBRID = ["datacenter", "shared_isp", "ipv6-residential", "ipv6-datacenter"]


def create(product: str, **fields: Any) -> CreatePlanRequest:
    converted: dict[str, Any] = dict(fields)
    if "duration" in fields:
        converted["duration"] = Duration(fields["duration"])
    if "billing_type" in fields:
        converted["billing_type"] = BillingType(fields["billing_type"])
    if "location" in fields:
        converted["location"] = DedicatedMobileLocation(fields["location"])
    return CreatePlanRequest(product=Product(product), **converted)


def broken_rule(request: CreatePlanRequest) -> str | None:
    with pytest.raises(RequestValidationError) as caught:
        check_create_plan(request)
    return caught.value.rule


VALID = [
    *[create(p, bandwidth_gb=10) for p in BANDWIDTH],
    *[create(p, billing_type="bandwidth", bandwidth_gb=2.5) for p in HYBRID],
    *[create(p, billing_type="time", duration="30_days", mbps=100) for p in HYBRID],
    *[create(p, billing_type="time", duration="1_hour", mbps=100) for p in HYBRID],
    create("unlimited_residential", duration="trial"),
    create("unlimited_residential", duration="30_days", bandwidth_mbps=200),
    create("unlimited_residential", duration="7_days", bandwidth_mbps=3000),
    create("unlimited_residential", duration="1_hour", bandwidth_mbps=200),
    create("dedicated_mobile", duration="30_days", location="NL"),
    create("dedicated_mobile", duration="7_days", location="UK", end_user_reference="c-1"),
    create("dedicated_isp", quantity=1, pool="ISP_US_SNEAKERS"),
]


@pytest.mark.parametrize("request_", VALID, ids=lambda r: r.product.value)
def test_valid_purchases_pass(request_: CreatePlanRequest) -> None:
    check_create_plan(request_)


@pytest.mark.parametrize("product", BANDWIDTH)
def test_bandwidth_products_including_pools_need_bandwidth_gb(product: str) -> None:
    assert broken_rule(create(product)) == "create.bandwidth_gb.required"


@pytest.mark.parametrize("product", HYBRID)
def test_hybrid_products_need_billing_type(product: str) -> None:
    assert broken_rule(create(product, bandwidth_gb=5)) == "create.billing_type.required"


@pytest.mark.parametrize("product", HYBRID)
def test_bandwidth_billed_hybrid_needs_bandwidth_gb(product: str) -> None:
    rule = broken_rule(create(product, billing_type="bandwidth"))
    assert rule == "create.bandwidth_gb.required"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"mbps": 100}, "create.duration.required"),
        ({"duration": "30_days"}, "create.mbps.required"),
    ],
)
def test_time_billed_hybrid_needs_duration_and_mbps(fields: dict[str, Any], rule: str) -> None:
    assert broken_rule(create("datacenter", billing_type="time", **fields)) == rule


def test_time_billed_hybrid_rejects_bandwidth_gb() -> None:
    request = create("shared_isp", billing_type="time", duration="1_day", mbps=10, bandwidth_gb=1)
    assert broken_rule(request) == "create.param.not_allowed"


def test_unlimited_residential_needs_duration() -> None:
    assert broken_rule(create("unlimited_residential", bandwidth_mbps=500)) == (
        "create.duration.required"
    )


def test_full_unlimited_residential_needs_bandwidth_mbps() -> None:
    assert broken_rule(create("unlimited_residential", duration="30_days")) == (
        "create.bandwidth_mbps.required"
    )


@pytest.mark.parametrize("mbps", [199, 3001, 0])
def test_unlimited_bandwidth_mbps_is_200_to_3000(mbps: int) -> None:
    request = create("unlimited_residential", duration="30_days", bandwidth_mbps=mbps)
    assert broken_rule(request) in {"create.bandwidth_mbps.range", "create.bandwidth_mbps.positive"}


def test_hourly_unlimited_residential_is_capped_at_200_mbps() -> None:
    request = create("unlimited_residential", duration="1_hour", bandwidth_mbps=201)
    assert broken_rule(request) == "create.bandwidth_mbps.hourly_cap"


def test_trial_takes_no_bandwidth_mbps() -> None:
    request = create("unlimited_residential", duration="trial", bandwidth_mbps=200)
    assert broken_rule(request) == "create.param.not_allowed"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"location": "NL"}, "create.duration.required"),
        ({"duration": "30_days"}, "create.location.required"),
    ],
)
def test_dedicated_mobile_needs_duration_and_location(fields: dict[str, Any], rule: str) -> None:
    assert broken_rule(create("dedicated_mobile", **fields)) == rule


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"pool": "ISP_US"}, "create.quantity.required"),
        ({"quantity": 2}, "create.pool.required"),
        ({"quantity": 2, "pool": "  "}, "create.pool.required"),
        ({"quantity": 0, "pool": "ISP_US"}, "create.quantity.positive"),
        ({"quantity": True, "pool": "ISP_US"}, "create.quantity.positive"),
    ],
)
def test_dedicated_isp_needs_quantity_of_at_least_one_and_pool(
    fields: dict[str, Any], rule: str
) -> None:
    assert broken_rule(create("dedicated_isp", **fields)) == rule


@pytest.mark.parametrize(
    "request_",
    [
        create("residential", bandwidth_gb=1, duration="trial"),
        create("datacenter", billing_type="time", duration="trial", mbps=10),
        create("dedicated_mobile", duration="trial", location="NL"),
    ],
    ids=lambda r: r.product.value,
)
def test_trial_is_only_for_unlimited_residential(request_: CreatePlanRequest) -> None:
    assert broken_rule(request_) == "create.duration.trial"


@pytest.mark.parametrize(
    "request_",
    [
        create("dedicated_mobile", duration="1_hour", location="UK"),
        create("mobile", bandwidth_gb=1, duration="1_hour"),
    ],
    ids=lambda r: r.product.value,
)
def test_one_hour_is_only_for_the_documented_products(request_: CreatePlanRequest) -> None:
    assert broken_rule(request_) == "create.duration.1_hour"


@pytest.mark.parametrize(
    ("request_", "rule"),
    [
        (create("residential", bandwidth_gb=0), "create.bandwidth_gb.positive"),
        (create("residential", bandwidth_gb=-1.5), "create.bandwidth_gb.positive"),
        (create("residential", bandwidth_gb=float("nan")), "create.bandwidth_gb.positive"),
        (
            create("datacenter", billing_type="time", duration="1_day", mbps=0),
            "create.mbps.positive",
        ),
    ],
)
def test_amounts_are_positive(request_: CreatePlanRequest, rule: str) -> None:
    assert broken_rule(request_) == rule


@pytest.mark.parametrize(
    "request_",
    [
        create("residential", bandwidth_gb=1, pool="ISP_US"),
        create("residential", bandwidth_gb=1, billing_type="bandwidth"),
        create("pool3", bandwidth_gb=1, quantity=3),
        create("dedicated_isp", quantity=1, pool="ISP_US", location="NL"),
        create("dedicated_mobile", duration="7_days", location="NL", bandwidth_gb=1),
        create("datacenter", billing_type="bandwidth", bandwidth_gb=1, mbps=100),
    ],
    ids=lambda r: r.product.value,
)
def test_parameters_that_do_not_belong_to_the_product_are_rejected(
    request_: CreatePlanRequest,
) -> None:
    assert broken_rule(request_) == "create.param.not_allowed"


def test_unknown_product_is_left_to_the_server() -> None:
    check_create_plan(CreatePlanRequest(product=Product("residential-ultra"), bandwidth_gb=1))


# Extend


def extend_rule(product: str | None, billing: str | None = None, **fields: Any) -> str | None:
    with pytest.raises(RequestValidationError) as caught:
        check_extend_plan(
            ExtendPlanRequest(**fields),
            product=Product(product) if product else None,
            billing_type=BillingType(billing) if billing else None,
        )
    return caught.value.rule


@pytest.mark.parametrize(
    ("product", "billing", "fields"),
    [
        ("residential", None, {"add_bandwidth_gb": 5}),
        ("pool2", None, {"add_bandwidth_gb": 0.5}),
        ("datacenter", "bandwidth", {"add_bandwidth_gb": 5, "add_days": 3}),
        ("ipv6-datacenter", "time", {"add_days": 13}),
        *[("unlimited_residential", None, {"add_days": d}) for d in (1, 7, 30, 60)],
        *[("dedicated_mobile", None, {"add_days": d}) for d in (7, 14, 30)],
        ("dedicated_isp", None, {"extend_30_days": True}),
        (None, None, {"add_days": 5}),
    ],
)
def test_valid_extensions_pass(
    product: str | None, billing: str | None, fields: dict[str, Any]
) -> None:
    check_extend_plan(
        ExtendPlanRequest(**fields),
        product=Product(product) if product else None,
        billing_type=BillingType(billing) if billing else None,
    )


@pytest.mark.parametrize("days", [2, 14, 90])
def test_unlimited_residential_add_days_are_1_7_30_60(days: int) -> None:
    assert extend_rule("unlimited_residential", add_days=days) == "extend.add_days.values"


@pytest.mark.parametrize("days", [1, 60])
def test_dedicated_mobile_add_days_are_7_14_30(days: int) -> None:
    assert extend_rule("dedicated_mobile", add_days=days) == "extend.add_days.values"


@pytest.mark.parametrize(
    ("product", "billing"),
    [
        ("unlimited_residential", None),
        ("dedicated_mobile", None),
        ("dedicated_isp", None),
        ("shared_isp", "time"),
    ],
)
def test_add_bandwidth_gb_only_where_bandwidth_is_billed(product: str, billing: str | None) -> None:
    rule = extend_rule(product, billing, add_bandwidth_gb=1)
    assert rule == "extend.add_bandwidth_gb.not_billed"


@pytest.mark.parametrize("product", ["residential", "datacenter", "unlimited_residential"])
def test_extend_30_days_only_for_dedicated_isp(product: str) -> None:
    assert extend_rule(product, extend_30_days=True) == "extend.extend_30_days.product"


@pytest.mark.parametrize("product", ["residential", "dedicated_isp"])
def test_add_days_does_not_extend_bandwidth_products_or_dedicated_isp(product: str) -> None:
    assert extend_rule(product, add_days=30) == "extend.param.not_allowed"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({}, "extend.empty"),
        ({"extend_30_days": False}, "extend.extend_30_days.true"),
        ({"add_days": 0}, "extend.add_days.positive"),
        ({"add_days": 1.5}, "extend.add_days.positive"),
        ({"add_bandwidth_gb": -1}, "extend.add_bandwidth_gb.positive"),
    ],
)
def test_extend_amounts_are_positive_and_something_is_asked(
    fields: dict[str, Any], rule: str
) -> None:
    assert extend_rule(None, **fields) == rule


def test_without_a_product_the_server_decides_add_days() -> None:
    check_extend_plan(ExtendPlanRequest(add_days=2), product=None)


# Upgrade


def test_upgrade_of_unlimited_residential_stays_in_range() -> None:
    check_upgrade_plan(500, product=Product.unlimited_residential)
    with pytest.raises(RequestValidationError) as caught:
        check_upgrade_plan(5000, product=Product.unlimited_residential)
    assert caught.value.rule == "upgrade.bandwidth_mbps.range"


def test_upgrade_bandwidth_must_be_a_positive_integer() -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_upgrade_plan(0)
    assert caught.value.rule == "upgrade.bandwidth_mbps.positive"


# usage-stats range

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_usage_stats_range_accepts_aware_datetimes_and_unix_seconds() -> None:
    assert usage_stats_range(T0, T0 + timedelta(days=30)) == (1735689600, 1735689600 + 30 * 86400)
    assert usage_stats_range(100, 200) == (100, 200)
    offset = timezone(timedelta(hours=2))
    assert usage_stats_range(datetime(2025, 1, 1, 2, tzinfo=offset), 1735689700) == (
        1735689600,
        1735689700,
    )


@pytest.mark.parametrize(
    ("start", "end", "rule"),
    [
        (T0, T0, "usage_stats.order"),
        (T0 + timedelta(seconds=1), T0, "usage_stats.order"),
        (T0, T0 + timedelta(days=30, seconds=1), "usage_stats.window"),
        (datetime(2025, 1, 1), T0 + timedelta(days=1), "usage_stats.naive_datetime"),
        (1.5, 10, "usage_stats.type"),
        (True, 10, "usage_stats.type"),
        ("0", 10, "usage_stats.type"),
    ],
)
def test_usage_stats_range_rules(start: Any, end: Any, rule: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        usage_stats_range(start, end)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("page", "per_page", "rule"),
    [
        (0, None, "pagination.page"),
        (1, 0, "pagination.per_page"),
        (None, -5, "pagination.per_page"),
    ],
)
def test_page_numbers_and_sizes_are_at_least_one(
    page: int | None, per_page: int | None, rule: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_page(page, per_page)
    assert caught.value.rule == rule


def test_every_missing_field_is_named_at_once() -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_create_plan(create("datacenter", billing_type="time"))
    assert "datacenter needs duration and mbps" in str(caught.value)
    assert caught.value.rule == "create.duration.required"
    with pytest.raises(
        RequestValidationError, match="dedicated_mobile needs duration and location"
    ):
        check_create_plan(create("dedicated_mobile"))
