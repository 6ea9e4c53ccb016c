"""Generated attrs models and the converter: wire names, types, secrets, errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import attrs
import pytest
from _support.payloads import PROXY_PASSWORD, proxy_list_json

from flashproxy_async import ResponseValidationError
from flashproxy_async._converter import structure, unstructure
from flashproxy_async._generated import (
    Balance,
    CreatePlanRequest,
    ErrorResponse,
    ExtendPlanRequest,
    Plan,
    PlanPage,
    Pool,
    PoolList,
    Product,
    ProxyList,
    UpgradePlanRequest,
)

PLAN_ID = "3f2e8a6c-1b1e-4c5e-9a55-1e2d3c4b5a69"
PASSWORD = "pw-Zq81xTopSecret"

PLAN: dict[str, Any] = {
    "plan_id": PLAN_ID,
    "product": "pool1",
    "billing_type": "bandwidth",
    "proxy_username": "user_abc123",
    "proxy_password": PASSWORD,
    "connection": {
        "hostname": "v3-resi-us.proxyserver.bot",
        "port_http": 10000,
        "port_socks": 11000,
        "format": f"user_abc123:{PASSWORD}@v3-resi-us.proxyserver.bot:10000",
    },
    "limits": {"max_gb": 10.0, "max_bytes": 10737418240, "bytes_used": 1024, "bandwidth_mbps": 200},
    "location": "NL",
    "expires_at": "2026-12-28T10:00:00Z",
    "status": "active",
    "created_at": "2026-11-28T10:00:00Z",
    "billing": {
        "mode": "per_gb",
        "price_per_gb_cents": 80,
        "cost_cents": 800,
        "cost_formatted": "$8.00",
    },
    "end_user_reference": "customer-42",
}
POOL_LIST: dict[str, Any] = {
    "pools": [
        {
            "pool": "ISP_US_SNEAKERS",
            "inStock": True,
            "stock": 120,
            "title": "US Sneakers ISP",
            "provider": "ISP",
            "isSubnet": False,
        }
    ],
    "total": 1,
    "in_stock_count": 1,
}
PROXY_LIST = proxy_list_json(PLAN_ID)
BALANCE: dict[str, Any] = {
    "balance_cents": 500000,
    "balance_formatted": "$5,000.00",
    "allocations": {
        "residential": {"gb_remaining": 12.5, "bytes_remaining": 13421772800},
        "residential-lite": {"gb_remaining": 3.0, "bytes_remaining": 3221225472},
        "mobile": {"gb_remaining": 1.5, "bytes_remaining": 1610612736},
    },
    "total_spent_cents": 12345,
    "total_spent_formatted": "$123.45",
}
PLAN_PAGE: dict[str, Any] = {
    "plans": [PLAN],
    "pagination": {"page": 1, "per_page": 20, "total": 1, "total_pages": 1},
}
CREATE: dict[str, Any] = {
    "product": "dedicated_isp",
    "quantity": 5,
    "pool": "ISP_US_SNEAKERS",
    "end_user_reference": "customer-42",
}
EXTEND: dict[str, Any] = {"add_bandwidth_gb": 2.5, "add_days": 7, "extend_30_days": True}
UPGRADE: dict[str, Any] = {"bandwidth_mbps": 500}
ERROR: dict[str, Any] = {
    "success": False,
    "error": {"code": "POOL_OUT_OF_STOCK", "message": "Insufficient stock"},
}

EXAMPLES = [
    (Plan, PLAN),
    (PoolList, POOL_LIST),
    (ProxyList, PROXY_LIST),
    (Balance, BALANCE),
    (PlanPage, PLAN_PAGE),
    (CreatePlanRequest, CREATE),
    (ExtendPlanRequest, EXTEND),
    (UpgradePlanRequest, UPGRADE),
    (ErrorResponse, ERROR),
]


@pytest.mark.parametrize(("cls", "payload"), EXAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_documented_shapes_round_trip_to_identical_json(cls: type[Any], payload: Any) -> None:
    model = structure(payload, cls)
    assert json.dumps(unstructure(model), sort_keys=True) == json.dumps(payload, sort_keys=True)


def test_residential_lite_allocation_survives_decode_and_encode() -> None:
    # The generator's default output renames this key and silently drops its data.
    balance = structure(BALANCE, Balance)
    assert balance.allocations is not None
    assert balance.allocations.residential_lite is not None
    assert balance.allocations.residential_lite.gb_remaining == 3.0
    assert "residential-lite" in unstructure(balance)["allocations"]


def test_camel_case_wire_names_map_to_snake_case() -> None:
    pool = structure(POOL_LIST, PoolList).pools[0]  # type: ignore[index]
    assert (pool.in_stock, pool.is_subnet) == (True, False)
    assert set(unstructure(pool)) >= {"inStock", "isSubnet"}


def test_formats_become_python_types() -> None:
    plan = structure(PLAN, Plan)
    assert plan.plan_id == UUID(PLAN_ID)
    assert plan.created_at == datetime(2026, 11, 28, 10, tzinfo=timezone.utc)
    assert plan.limits is not None and isinstance(plan.limits.max_bytes, int)


def test_timestamps_with_offsets_or_without_are_timezone_aware() -> None:
    plan = structure(dict(PLAN, created_at="2026-11-28T12:00:00+02:00"), Plan)
    naive = structure(dict(PLAN, created_at="2026-11-28T10:00:00"), Plan)
    assert plan.created_at == naive.created_at == datetime(2026, 11, 28, 10, tzinfo=timezone.utc)


def test_enums_compare_equal_to_strings_and_tolerate_new_values() -> None:
    plan = structure(dict(PLAN, product="pool9", status="paused"), Plan)
    assert plan.product == "pool9" and plan.status == "paused"
    assert plan.product is not None and not plan.product.is_known
    assert Product.pool1 == "pool1" and f"{Product.pool1}" == "pool1"
    assert Product.pool1.is_known
    assert "pool9" not in Product.known_values() and "pool1" in Product.known_values()


@pytest.mark.parametrize("missing", ["absent", "null"])
def test_absent_and_null_optional_fields_decode_to_none(missing: str) -> None:
    payload = {key: value for key, value in PLAN.items() if key != "end_user_reference"}
    if missing == "null":
        payload["end_user_reference"] = None
        payload["limits"] = dict(PLAN["limits"], max_gb=None)
    plan = structure(payload, Plan)
    assert plan.end_user_reference is None


def test_unset_optional_fields_are_left_out_of_request_bodies() -> None:
    body = unstructure(CreatePlanRequest(product=Product.residential, bandwidth_gb=5))
    assert body == {"product": "residential", "bandwidth_gb": 5}


def test_unknown_response_fields_do_not_break_decoding() -> None:
    payload = dict(PLAN, brand_new_field={"nested": True})
    payload["limits"] = dict(PLAN["limits"], another_new=1)
    assert structure(payload, Plan).plan_id == UUID(PLAN_ID)


@pytest.mark.parametrize(
    "model",
    [structure(PLAN, Plan), structure(PROXY_LIST, ProxyList)],
    ids=["plan", "proxy-list"],
)
def test_secrets_are_left_out_of_repr(model: Any) -> None:
    text = repr(model)
    assert PASSWORD not in text and PROXY_PASSWORD not in text
    assert "user_abc123" in text


def test_secret_fields_stay_readable_as_attributes() -> None:
    plan = structure(PLAN, Plan)
    assert plan.proxy_password == PASSWORD
    assert plan.connection is not None and PASSWORD in (plan.connection.format or "")


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"limits": dict(PLAN["limits"], bytes_used="1024")}, "data.limits.bytes_used"),
        ({"limits": dict(PLAN["limits"], bytes_used=True)}, "data.limits.bytes_used"),
        ({"limits": dict(PLAN["limits"], bandwidth_mbps=200.5)}, "data.limits.bandwidth_mbps"),
        ({"plan_id": "not-a-uuid"}, "data.plan_id"),
        ({"created_at": 1732788000}, "data.created_at"),
        ({"product": 7}, "data.product"),
    ],
)
def test_a_body_that_does_not_fit_names_the_field_path(patch: dict[str, Any], path: str) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        structure(dict(PLAN, **patch), Plan)
    assert caught.value.path == path
    assert path in str(caught.value)


def test_field_paths_use_wire_names_inside_lists() -> None:
    bad = {"pools": [POOL_LIST["pools"][0], dict(POOL_LIST["pools"][0], inStock="yes")]}
    with pytest.raises(ResponseValidationError) as caught:
        structure(bad, PoolList)
    assert caught.value.path == "data.pools[1].inStock"


def test_missing_required_field_is_named() -> None:
    pool = {key: value for key, value in POOL_LIST["pools"][0].items() if key != "title"}
    with pytest.raises(ResponseValidationError) as caught:
        structure(pool, Pool, path="data.pools[0]")
    assert caught.value.path == "data.pools[0].title"


def test_models_hold_only_data() -> None:
    for cls, _ in EXAMPLES:
        assert attrs.has(cls)
        public = {name for name in vars(cls) if not name.startswith("_")}
        own_fields = {field.name for field in attrs.fields(cls)}
        assert public <= own_fields | {"proxy_url"}, cls
