"""Property-based checks, in the spirit of schemathesis (which is not a dependency here).

* The fake answers any request that openapi.json allows, on every operation, with
  an answer the spec documents: no 5xx, a body that fits the schema, and a refused
  purchase, extension or upgrade leaves the account as it was.
* The client's local product rules and the fake's, written apart from each other,
  agree on every POST /plans and extend body the schemas allow.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flashproxy_async import RequestValidationError
from flashproxy_async._generated import BillingType, ExtendPlanRequest, Plan, PlanStatus, Product
from flashproxy_async._rules import check_extend_plan
from flashproxy_async.resources import AsyncPlans
from flashproxy_async.testing import FakeFlashProxy
from flashproxy_async.testing._errors import FakeAPIError
from flashproxy_async.testing._rules import validate_create, validate_extend

from ._openapi_check import check_record, load_spec
from ._schema_strategies import from_schema, resolve

pytestmark = pytest.mark.skipif(load_spec() is None, reason="openapi.json not present")

SPEC: dict[str, Any] = load_spec() or {"paths": {}, "components": {"schemas": {}}}

BANDWIDTH_ONLY = ("residential-lite", "residential", "mobile", *(f"pool{n}" for n in range(1, 6)))
HYBRIDS = ("datacenter", "shared_isp", "ipv6-residential", "ipv6-datacenter")

#: Realistic values mixed into free-text parameters, so that requests get past lookups.
HINTS: dict[str, list[str]] = {
    "country_code": ["US", "GB", "DE", "NL"],
    "country": ["US", "UK", "DE"],
    "product_type": ["residential", "mobile", "pool1", "pool3", "pool4"],
    "state_code": ["california", "us_california", "ca"],
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post")
    ]


OPERATIONS = _operations()


# -- the fake against the spec ------------------------------------------------------


class Server:
    """One fake, its own event loop and an authenticated session, for a whole run."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        # $1bn: a lot of purchases, yet too little to overflow an int64 byte count in total.
        self.fake = FakeFlashProxy(rate=10**9, balance_cents=10**11, time_scale=0.001)
        self.loop.run_until_complete(self.fake.start())
        self.session = self.loop.run_until_complete(self._open_session())
        state = self.fake.state
        state.set_pool_stock("ISP_US_SNEAKERS", 10**6)
        for location in ("NL", "UK"):
            state.set_mobile_stock(location, 10**6)
        state.set_trial_stock(10**6)
        self.plan_ids = [
            state.add_plan("residential", max_bytes=10**9).plan_id,
            state.add_plan("datacenter", billing_type="time", mbps=100).plan_id,
            state.add_plan("shared_isp", billing_type="bandwidth", max_bytes=10**9).plan_id,
            state.add_plan("unlimited_residential", bandwidth_mbps=400, duration="30_days").plan_id,
            state.add_plan("dedicated_mobile", location="NL", duration="7_days").plan_id,
            state.add_plan("dedicated_isp", quantity=2, pool="ISP_US_SNEAKERS").plan_id,
        ]
        self.sub_user_ids = [state.add_sub_user("alice").id]

    async def _open_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            base_url=self.fake.base_url + "/",
            headers={"Authorization": f"Bearer {self.fake.api_key}"},
        )

    def send(self, method: str, path: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        async def go() -> tuple[int, Any]:
            async with self.session.request(
                method, path.lstrip("/"), params=params, json=body
            ) as response:
                return response.status, await response.read()

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.loop.run_until_complete(self.session.close())
        self.loop.run_until_complete(self.fake.close())
        self.loop.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


CREATE = resolve({"$ref": "#/components/schemas/CreatePlanRequest"}, SPEC)
CREATE_FIELDS = [name for name in CREATE.get("properties", {}) if name != "product"]

#: The documented POST /plans requirements: products, fixed fields, fields drawn from the schema.
DOCUMENTED_SHAPES: list[tuple[tuple[str, ...], dict[str, Any], tuple[str, ...]]] = [
    (BANDWIDTH_ONLY, {}, ("bandwidth_gb",)),
    (HYBRIDS, {"billing_type": "bandwidth"}, ("bandwidth_gb",)),
    (HYBRIDS, {"billing_type": "time"}, ("duration", "mbps")),
    (("unlimited_residential",), {"duration": "trial"}, ()),
    (("unlimited_residential",), {}, ("duration", "bandwidth_mbps")),
    (("dedicated_mobile",), {}, ("duration", "location")),
    (("dedicated_isp",), {"pool": "ISP_US_SNEAKERS"}, ("quantity",)),
]


@st.composite
def create_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A POST /plans body the schema allows: any few fields, or a shape the documentation names."""
    properties = CREATE["properties"]
    if draw(st.booleans()):
        products, fixed, drawn = draw(st.sampled_from(DOCUMENTED_SHAPES))
        body = {"product": draw(st.sampled_from(products)), **fixed}
    else:
        body = {"product": draw(from_schema(properties["product"], SPEC))}
        drawn = tuple(draw(st.sets(st.sampled_from(CREATE_FIELDS), max_size=4)))
    for name in drawn:
        body[name] = draw(from_schema(properties[name], SPEC))
    return body


def _query_value(parameter: dict[str, Any]) -> st.SearchStrategy[Any]:
    values = from_schema(parameter["schema"], SPEC)
    hints = HINTS.get(parameter["name"])
    return st.sampled_from(hints) | values if hints else values


@st.composite
def requests(draw: st.DrawFn, server: Server) -> tuple[str, str, dict[str, Any], Any]:
    """A request openapi.json allows, for any of its operations."""
    method, route, operation = draw(st.sampled_from(OPERATIONS))
    path = route
    params: dict[str, Any] = {}
    for parameter in operation.get("parameters", ()):
        name = parameter["name"]
        if parameter["in"] == "path":
            known = server.sub_user_ids if name == "id" else server.plan_ids
            # Mostly IDs that exist, so that requests get past the 404.
            value = draw(st.sampled_from([*known, None]))
            if value is None:
                value = draw(from_schema(parameter["schema"], SPEC))
            path = path.replace("{" + name + "}", str(value))
        elif parameter.get("required") or draw(st.booleans()):
            value = draw(_query_value(parameter))
            params[name] = str(value).lower() if isinstance(value, bool) else str(value)
    body = None
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if route == "/plans":
        body = draw(create_bodies())  # few fields at a time, so purchases go through too
    elif content is not None:
        body = draw(from_schema(content["schema"], SPEC))
    return method, path, params, body


def _account(server: Server) -> tuple[int, int, int]:
    state = server.fake.state
    return state.balance_cents, len(state.plans), len(state.transactions)


@settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_fake_answers_every_allowed_request_as_the_spec_says(
    server: Server, data: st.DataObject
) -> None:
    method, path, params, body = data.draw(requests(server))
    before = _account(server)
    status, _ = server.send(method, path, params, body)
    record = server.fake.requests[-1]
    assert status < 500, (method, path, params, body, record.response)
    assert status != 401 and status != 429
    check_record(record)
    if method == "POST" and status >= 400:
        assert _account(server) == before, (path, body, status)


# -- client rules against the fake's rules -------------------------------------------


class _NoNetwork:
    """Stands in for the client: records that a request would have been sent."""

    sent = False

    async def _request(self, *args: Any, **kwargs: Any) -> Plan:
        self.sent = True
        # A created plan carries its identity; the client checks that it does.
        return Plan(plan_id=uuid.uuid4(), product=Product.residential, status=PlanStatus.active)


def client_accepts_create(body: dict[str, Any]) -> bool:
    stub = _NoNetwork()
    try:
        asyncio.run(AsyncPlans(stub).create(**body))  # type: ignore[arg-type]
    except RequestValidationError:
        assert not stub.sent
        return False
    assert stub.sent
    return True


def fake_accepts(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except FakeAPIError as exc:
        assert exc.code == "VALIDATION_ERROR"
        return False
    return True


def _only_billing(product: str) -> str:
    return "bandwidth" if product in BANDWIDTH_ONLY else "time"


def _redundant_billing_type(body: dict[str, Any]) -> bool:
    """A billing_type naming the only billing a non-hybrid product has."""
    product = body["product"]
    return product not in HYBRIDS and body.get("billing_type") == _only_billing(product)


@settings(max_examples=600, deadline=None)
@given(body=create_bodies())
@example(body={"product": "residential", "bandwidth_gb": 1})
@example(body={"product": "unlimited_residential", "duration": "1_hour", "bandwidth_mbps": 200})
@example(body={"product": "dedicated_isp", "quantity": 1, "pool": "ISP_US_SNEAKERS"})
@example(body={"product": "datacenter", "billing_type": "time", "duration": "1_hour", "mbps": 5})
def test_client_and_fake_agree_on_every_purchase_body(body: dict[str, Any]) -> None:
    client = client_accepts_create(body)
    fake = fake_accepts(validate_create, body, frozenset())
    if client:
        # Whatever the client lets through, the server's rules accept: no request is
        # spent on a purchase the rules refuse.
        assert fake, body
    elif fake:
        # The one known difference: the client refuses a billing_type that restates a
        # non-hybrid product's only billing; the fake tolerates it.
        assert _redundant_billing_type(body), body


EXTEND = resolve({"$ref": "#/components/schemas/ExtendPlanRequest"}, SPEC)


@st.composite
def plans_and_extensions(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    product = draw(from_schema({"$ref": "#/components/schemas/Product"}, SPEC))
    if product in HYBRIDS:
        billing = draw(st.sampled_from(("bandwidth", "time")))
    else:
        billing = _only_billing(product)
    return product, billing, draw(from_schema(EXTEND, SPEC))


@settings(max_examples=600, deadline=None)
@given(case=plans_and_extensions())
@example(case=("dedicated_isp", "time", {"extend_30_days": True}))
@example(case=("unlimited_residential", "time", {"add_days": 60}))
@example(case=("datacenter", "bandwidth", {"add_days": 3, "add_bandwidth_gb": 1.5}))
def test_client_and_fake_agree_on_every_extension_of_a_known_plan(
    case: tuple[str, str, dict[str, Any]],
) -> None:
    product, billing, body = case
    try:
        check_extend_plan(
            ExtendPlanRequest(**body), product=Product(product), billing_type=BillingType(billing)
        )
        client = True
    except RequestValidationError:
        client = False
    fake = fake_accepts(validate_extend, body, product, billing)
    assert client == fake, (product, billing, body)


def test_the_generators_cover_every_operation() -> None:
    assert {path for _, path, _ in OPERATIONS} == set(SPEC["paths"])
    assert len(OPERATIONS) == 32
