"""The create-plan table is the spec's, and every layer that takes plan fields has them.

``CREATE_PLAN_FIELDS`` is read from the generated ``CreatePlanRequest``; a field the
spec adds shows up there at once, and these tests name each layer that has yet to
take it: ``plans.create`` and the bulk order class (its CSV/JSONL columns follow
the table by themselves).
"""

from __future__ import annotations

import inspect

import attrs

from flashproxy_async._generated import CreatePlanRequest
from flashproxy_async._plan_fields import CREATE_PLAN_FIELDS, PRODUCT_VARIANTS, plan_field
from flashproxy_async.bulk import PlanOrder
from flashproxy_async.bulk._orders import _PARSERS
from flashproxy_async.resources import AsyncPlans

TABLE = [field.name for field in CREATE_PLAN_FIELDS]


def test_the_table_is_the_generated_request() -> None:
    assert [field.name for field in attrs.fields(CreatePlanRequest)] == TABLE
    assert plan_field("product").required
    assert plan_field("bandwidth_mbps").flag == "--bandwidth-mbps"


def test_plans_create_takes_every_field_of_the_table() -> None:
    parameters = inspect.signature(AsyncPlans.create).parameters
    missing = [name for name in TABLE if name not in parameters]
    assert not missing, (
        f"AsyncPlans.create (flashproxy_async/resources/plans.py) lacks {missing}: add the "
        "keyword and put it in the overloads of the product rows that take it"
    )


def test_the_bulk_order_class_and_its_columns_follow_the_table() -> None:
    order_fields = [field.name for field in attrs.fields(PlanOrder) if field.name != "reference"]
    expected = [name for name in TABLE if name != "end_user_reference"]
    assert order_fields == expected, (
        "PlanOrder (flashproxy_async/bulk/_orders.py) must have one field per create-plan "
        f"field of the spec; it has {order_fields}, the spec {expected}"
    )
    assert list(_PARSERS) == ["reference", *expected]


def test_every_row_names_fields_of_the_table() -> None:
    for row in PRODUCT_VARIANTS:
        unknown = set(row.fields) - set(TABLE)
        assert not unknown, f"row {row.name!r} of PRODUCT_VARIANTS names {unknown}"
