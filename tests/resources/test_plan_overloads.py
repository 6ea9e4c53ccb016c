"""The typed overloads of plans.create and plans.extend, held to the run-time rules.

Both come from one table, ``PRODUCT_VARIANTS``: each row has exactly one overload
with the same products, selector values and required fields, and a call built from
an overload passes the local rules while dropping any of its required fields fails
them. The blocking client's overloads are the async ones.
"""

from __future__ import annotations

import enum
import inspect
import typing
from typing import Any

import attrs
import pytest
import typing_extensions

from flashproxy_async._call_options import CallOptions
from flashproxy_async._exceptions import RequestValidationError
from flashproxy_async._generated import CreatePlanRequest, Product
from flashproxy_async._plan_fields import CREATE_PLAN_FIELDS, PRODUCT_VARIANTS, ProductVariant
from flashproxy_async._rules import check_create_plan
from flashproxy_async.resources import AsyncPlans
from flashproxy_async.sync import SyncPlans

#: Names the resources import only for type checkers, for get_type_hints.
TYPE_CHECKING_NAMES = {"Unpack": typing_extensions.Unpack, "CallOptions": CallOptions}

get_overloads = getattr(typing, "get_overloads", None)
pytestmark = pytest.mark.skipif(get_overloads is None, reason="typing.get_overloads needs 3.11")

ALWAYS_OPTIONAL = {"end_user_reference"}
#: A valid value per field where the row does not pin one.
SAMPLES: dict[str, Any] = {
    "bandwidth_gb": 5.0,
    "duration": "30_days",
    "mbps": 100,
    "bandwidth_mbps": 300,
    "location": "NL",
    "quantity": 2,
    "pool": "pool-a",
}


@attrs.frozen
class Overload:
    products: frozenset[str]
    when: dict[str, frozenset[str]]
    required: frozenset[str]
    optional: frozenset[str]


def _literal_values(hint: Any) -> frozenset[str] | None:
    if typing.get_origin(hint) is not typing.Literal:
        return None
    return frozenset(v.value if isinstance(v, enum.Enum) else v for v in typing.get_args(hint))


def _overload(function: Any) -> Overload:
    hints = typing.get_type_hints(function, localns=TYPE_CHECKING_NAMES)
    parameters = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    products = _literal_values(hints["product"])
    assert products is not None, "an overload's product must be a Literal"
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
    when = {
        name: values
        for name in required - {"product"}
        if (values := _literal_values(hints[name])) is not None
    }
    optional = {p.name for p in parameters if p.default is not inspect.Parameter.empty}
    return Overload(products, when, frozenset(required - {"product"}), frozenset(optional))


def _create_overloads(cls: type) -> list[Overload]:
    assert get_overloads is not None
    return [_overload(function) for function in get_overloads(cls.create)]


def _row_of(overload: Overload) -> ProductVariant:
    matching = [
        row
        for row in PRODUCT_VARIANTS
        if row.products == overload.products and dict(row.when) == overload.when
    ]
    assert len(matching) == 1, f"no one table row for the overload {overload}"
    return matching[0]


def test_every_table_row_has_one_create_overload_with_its_fields() -> None:
    overloads = _create_overloads(AsyncPlans)
    assert len(overloads) == len(PRODUCT_VARIANTS)
    for overload in overloads:
        row = _row_of(overload)
        assert overload.required == set(row.fields), row.name
        assert overload.optional == ALWAYS_OPTIONAL, row.name


def test_every_product_the_spec_lists_has_an_overload() -> None:
    covered = set().union(*(overload.products for overload in _create_overloads(AsyncPlans)))
    missing = Product.known_values() - covered
    assert not missing, (
        f"products {sorted(missing)} have no plans.create overload: add a row to "
        "PRODUCT_VARIANTS (flashproxy_async/_plan_fields.py), its Literal to "
        "resources/_plan_types.py and an overload to AsyncPlans.create"
    )


def _call_of(overload: Overload) -> dict[str, Any]:
    values = {name: min(values) for name, values in overload.when.items()}
    return {**{n: SAMPLES[n] for n in overload.required - values.keys()}, **values}


@pytest.mark.parametrize("row", PRODUCT_VARIANTS, ids=lambda row: row.name)
def test_a_call_an_overload_allows_passes_the_rules_and_each_field_is_needed(
    row: ProductVariant,
) -> None:
    overload = next(o for o in _create_overloads(AsyncPlans) if _row_of(o) == row)
    call = _call_of(overload)
    for product in sorted(row.products):
        check_create_plan(CreatePlanRequest(product=Product(product), **_typed(call)))
        for name in overload.required:
            with pytest.raises(RequestValidationError) as caught:
                reduced = {k: v for k, v in call.items() if k != name}
                check_create_plan(CreatePlanRequest(product=Product(product), **_typed(reduced)))
            assert caught.value.rule.endswith(".required"), (row.name, name)


def _typed(call: dict[str, Any]) -> dict[str, Any]:
    kinds = {field.name: field for field in CREATE_PLAN_FIELDS}
    return {
        name: kinds[name].enum(value) if kinds[name].enum is not None else value
        for name, value in call.items()
    }


def test_the_blocking_client_has_the_same_create_overloads() -> None:
    assert _create_overloads(SyncPlans) == _create_overloads(AsyncPlans)


def test_every_extend_overload_requires_exactly_one_thing_to_add() -> None:
    assert get_overloads is not None
    adds = {"add_bandwidth_gb", "add_days", "extend_30_days"}
    required_sets = []
    for function in get_overloads(AsyncPlans.extend):
        parameters = inspect.signature(function).parameters.values()
        required_sets.append(
            {p.name for p in parameters if p.default is inspect.Parameter.empty} & adds
        )
    assert sorted(map(sorted, required_sets)) == [[name] for name in sorted(adds)]
