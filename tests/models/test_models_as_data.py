"""Models as data: to_dict/to_json/from_dict in wire form, unknown fields kept and
written back, through both clients against the fake."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs
import pytest
from anyio.from_thread import start_blocking_portal

import flashproxy_async._generated as generated
from flashproxy_async import AsyncFlashProxy, ResponseValidationError
from flashproxy_async._model_support import Model
from flashproxy_async.models import Allocation, Balance, Plan, Pool
from flashproxy_async.sync import FlashProxy
from flashproxy_async.testing import FakeFlashProxy
from tests.conftest import REPO_ROOT

SPEC = json.loads((REPO_ROOT / "openapi.json").read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
UNKNOWN = {"addedLater": {"nested": [1, "two"]}}


def _filler(schema: dict[str, Any]) -> Any:
    """A value of a required property the documentation gives no example for."""
    if "$ref" in schema:
        target = schema["$ref"].rsplit("/", 1)[-1]
        return _filler(SCHEMAS[target]) if "enum" in SCHEMAS[target] else _example_object(target)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    return {"string": "x", "integer": 1, "number": 1.5, "boolean": True, "array": []}.get(kind, {})


def _example_object(name: str) -> dict[str, Any]:
    schema = SCHEMAS[name]
    properties: dict[str, Any] = schema.get("properties", {})
    example = {key: spec["example"] for key, spec in properties.items() if "example" in spec}
    for key in schema.get("required", []):
        example.setdefault(key, _filler(properties[key]))
    return example


DOCUMENTED = sorted(
    name
    for name, schema in SCHEMAS.items()
    if any("example" in spec for spec in schema.get("properties", {}).values())
)


def test_the_documented_examples_are_found() -> None:
    assert {"Balance", "Pool", "ProxyItem"} <= set(DOCUMENTED)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_documented_example_round_trips_with_an_unknown_field(name: str) -> None:
    cls: type[Model] = getattr(generated, name)
    wire = {**_example_object(name), **UNKNOWN}
    model = cls.from_dict(wire)
    assert dict(model.extra_fields) == UNKNOWN
    assert model.to_dict() == wire
    assert json.loads(model.to_json()) == wire
    assert cls.from_dict(model.to_dict()) == model


def test_wire_names_uuids_and_datetimes_are_json_ready() -> None:
    plan_id = uuid.uuid4()
    plan = Plan(
        plan_id=plan_id,
        product=generated.Product.residential_lite,
        status=generated.PlanStatus.active,
    )
    plan.created_at = datetime.fromisoformat("2026-03-01T12:00:00+00:00")
    assert plan.to_dict() == {
        "plan_id": str(plan_id),
        "product": "residential-lite",
        "status": "active",
        "created_at": "2026-03-01T12:00:00Z",
    }
    pool = Pool.from_dict(
        {"pool": "P", "inStock": True, "stock": 3, "title": "t", "provider": "ISP"}
    )
    assert pool.in_stock is True
    assert pool.to_dict()["inStock"] is True
    balance = Balance.from_dict({"allocations": {"residential-lite": {"gb_remaining": 1.0}}})
    assert balance.allocations is not None
    assert balance.to_dict() == {"allocations": {"residential-lite": {"gb_remaining": 1.0}}}


def test_unknown_fields_are_kept_at_every_level_and_are_read_only() -> None:
    wire = {"balance_cents": 5, "newTop": 1, "allocations": {"mobile": {"newDeep": "y"}}}
    balance = Balance.from_dict(wire)
    assert balance.extra_fields == {"newTop": 1}
    assert balance.allocations is not None and balance.allocations.mobile is not None
    assert balance.allocations.mobile.extra_fields == {"newDeep": "y"}
    assert balance.to_dict() == wire
    with pytest.raises(TypeError):
        balance.extra_fields["newTop"] = 2  # type: ignore[index]
    assert Allocation(gb_remaining=1.0).extra_fields == {}


def test_from_dict_reports_the_field_that_does_not_fit() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        Balance.from_dict({"balance_cents": "5"})
    assert caught.value.path == "Balance.balance_cents"


def test_every_generated_model_is_a_model() -> None:
    for name in generated.__all__:
        value = getattr(generated, name)
        if isinstance(value, type) and attrs.has(value):
            assert issubclass(value, Model), name


async def test_a_plan_from_the_fake_round_trips_through_the_async_client(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    async with AsyncFlashProxy(flashproxy_fake.api_key, base_url=flashproxy_fake.base_url) as c:
        plan = await c.plans.create(product="residential", bandwidth_gb=1)
        raw = await c.plans.with_raw_response.get(plan)
    # to_dict leaves out what is unset, as requests do; the fake sends some nulls.
    assert raw.parse().to_dict() == _without_nulls(json.loads(raw.text)["data"])
    assert json.loads(plan.to_json())["plan_id"] == str(plan.plan_id)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


@pytest.fixture
def flashproxy_fake_thread() -> Iterator[tuple[str, str]]:
    """The fake on a loop thread of its own, since blocking calls stall this one."""
    with start_blocking_portal() as portal:
        fake = FakeFlashProxy()
        portal.call(fake.start)
        try:
            yield fake.api_key, fake.base_url
        finally:
            portal.call(fake.close)


def test_a_plan_from_the_fake_round_trips_through_the_blocking_client(
    flashproxy_fake_thread: tuple[str, str],
) -> None:
    api_key, base_url = flashproxy_fake_thread
    with FlashProxy(api_key, base_url=base_url) as client:
        plan = client.plans.create(product="residential", bandwidth_gb=1)
        again = Plan.from_dict(json.loads(plan.to_json()))
    assert again == plan
