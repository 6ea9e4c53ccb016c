"""Every product and every limit the spec states is known to each hand-written layer.

A product added to the spec's ``Product`` enum passes the regenerated models, but
until each layer learns it, the local rules let it through unchecked, ``proxy_url()``
raises on its plans and the fake refuses it. These tests fail naming the layer and
the file to change. Limits the spec states (``minimum``/``maximum``, the allowed
``add_days`` per product) must equal the ones the local rules and the fake enforce.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from codegen._generate import SPEC_PATH
from codegen._spec_walk import load_spec
from flashproxy_async import _rules
from flashproxy_async._generated import Product
from flashproxy_async._plan_fields import PRODUCT_VARIANTS
from flashproxy_async.targeting import PROXY_ENDPOINTS
from flashproxy_async.targeting._rules import SPECS as TARGETING_SPECS
from flashproxy_async.testing import _catalog as fake_catalog

SPEC_PRODUCTS = frozenset(Product.known_values())


def _spec() -> dict[str, Any]:
    return load_spec(SPEC_PATH)


def _create_property(name: str) -> dict[str, Any]:
    prop: dict[str, Any] = _spec()["components"]["schemas"]["CreatePlanRequest"]["properties"][name]
    return prop


LAYERS = {
    "the local rules (PRODUCT_VARIANTS in flashproxy_async/_plan_fields.py)": frozenset(
        product for row in PRODUCT_VARIANTS for product in row.products
    ),
    "the proxy endpoints (PROXY_ENDPOINTS in flashproxy_async/targeting/_endpoints.py)": (
        frozenset(PROXY_ENDPOINTS)
    ),
    "the targeting grammar (SPECS in flashproxy_async/targeting/_rules.py)": frozenset(
        TARGETING_SPECS
    ),
    "the fake's catalogue (PRODUCTS in flashproxy_async/testing/_catalog.py)": frozenset(
        fake_catalog.PRODUCTS
    ),
    "the fake's hosts (HOSTS in flashproxy_async/testing/_catalog.py)": frozenset(
        fake_catalog.HOSTS
    ),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_every_spec_product_is_known_to(layer: str) -> None:
    known = LAYERS[layer]
    missing = sorted(SPEC_PRODUCTS - known)
    assert not missing, f"products {missing} are in openapi.json but not in {layer}"
    stale = sorted(known - SPEC_PRODUCTS)
    assert not stale, f"products {stale} are in {layer} but openapi.json no longer has them"


def test_the_unlimited_bandwidth_range_is_the_specs() -> None:
    prop = _create_property("bandwidth_mbps")
    stated = (prop.get("minimum"), prop.get("maximum"))
    assert stated == (_rules.UNLIMITED_MBPS_MIN, _rules.UNLIMITED_MBPS_MAX), (
        "UNLIMITED_MBPS_MIN/MAX in flashproxy_async/_rules.py differ from openapi.json's "
        f"CreatePlanRequest.bandwidth_mbps range {stated}"
    )
    fake = (fake_catalog.MIN_BANDWIDTH_MBPS, fake_catalog.MAX_BANDWIDTH_MBPS)
    assert fake == stated, (
        "MIN/MAX_BANDWIDTH_MBPS in flashproxy_async/testing/_catalog.py differ from "
        f"openapi.json's range {stated}"
    )


def _stated_add_days() -> dict[str, frozenset[int]]:
    """``For <product>: must be 1, 7, 30, or 60`` in the add_days description."""
    prop = _spec()["components"]["schemas"]["ExtendPlanRequest"]["properties"]["add_days"]
    stated = {}
    for product, values in re.findall(r"For (\w+): must be ([\d, or]+)", prop["description"]):
        stated[product] = frozenset(int(n) for n in re.findall(r"\d+", values))
    return stated


def test_the_add_days_sets_are_the_specs() -> None:
    stated = _stated_add_days()
    assert set(stated) == {"unlimited_residential", "dedicated_mobile"}, stated
    ours = {
        "unlimited_residential": (_rules.UNLIMITED_ADD_DAYS, fake_catalog.UNLIMITED_EXTEND_DAYS),
        "dedicated_mobile": (
            _rules.DEDICATED_MOBILE_ADD_DAYS,
            fake_catalog.DEDICATED_MOBILE_EXTEND_DAYS,
        ),
    }
    for product, values in stated.items():
        local, fake = ours[product]
        assert local == values, (
            f"add_days for {product}: flashproxy_async/_rules.py has {sorted(local)}, "
            f"openapi.json states {sorted(values)}"
        )
        assert fake == values, (
            f"add_days for {product}: flashproxy_async/testing/_catalog.py has "
            f"{sorted(fake)}, openapi.json states {sorted(values)}"
        )


def test_the_usage_stats_window_is_the_specs() -> None:
    operation = _spec()["paths"]["/plans/{planId}/usage-stats"]["get"]
    text = " ".join([operation.get("description", ""), operation.get("summary", "")])
    days = re.findall(r"(\d+) days", text)
    assert days, "openapi.json no longer states the usage-stats window in days"
    assert _rules.MAX_USAGE_STATS_WINDOW.days == int(days[0]), (
        "MAX_USAGE_STATS_WINDOW in flashproxy_async/_rules.py differs from openapi.json's "
        f"{days[0]} days"
    )
