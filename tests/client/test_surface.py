"""The client surface against the fake: per-call options, raw responses, the escape
hatch, request ids, the base-URL hint, paginators."""

from __future__ import annotations

import copy
import pickle
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

import flashproxy_async as fp
from flashproxy_async.models import Balance, Plan, PlanStatus, PoolList, Product
from flashproxy_async.testing import FakeFlashProxy

MISSING_PLAN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    return {"rate": 1_000_000, "max_concurrent": 100}


@pytest.fixture
async def client(flashproxy_fake: FakeFlashProxy) -> AsyncIterator[fp.AsyncFlashProxy]:
    async with fp.AsyncFlashProxy(
        flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, max_retries=0
    ) as c:
        yield c


async def buy(client: fp.AsyncFlashProxy, n: int) -> list[Plan]:
    return [await client.plans.create(product="residential", bandwidth_gb=1) for _ in range(n)]


# Per-call options


async def test_extra_headers_and_query_reach_the_server_for_that_call_only(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    await client.balance.get(extra_headers={"X-Trace": "t-1"}, extra_query={"debug": True})
    await client.balance.get()
    first, second = flashproxy_fake.requests_for("GET", "/balance")
    assert first.headers["X-Trace"] == "t-1"
    assert first.query == {"debug": "true"}
    assert "X-Trace" not in second.headers
    assert second.query == {}


async def test_extra_body_is_merged_after_the_local_checks(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    plan = await client.plans.create(
        product="residential", bandwidth_gb=1, extra_body={"end_user_reference": "via-extra"}
    )
    (sent,) = flashproxy_fake.requests_for("POST", "/plans")
    assert sent.json == {
        "product": "residential",
        "bandwidth_gb": 1,
        "end_user_reference": "via-extra",
    }
    assert plan.end_user_reference == "via-extra"
    # The typed arguments are still checked first: nothing is sent for a broken rule.
    with pytest.raises(fp.RequestValidationError):
        await client.plans.create(product="residential", extra_body={"bandwidth_gb": 1})
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1


async def test_extra_headers_cannot_change_the_key_that_is_sent(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    for name in ("Authorization", "authorization", "AUTHORIZATION"):
        with pytest.raises(fp.RequestValidationError) as caught:
            await client.balance.get(extra_headers={name: "Bearer fp_live_someone_else"})
        assert caught.value.rule == "extra_headers.authorization"
    assert flashproxy_fake.requests == []


async def test_extra_body_on_a_get_is_refused_before_sending(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    with pytest.raises(fp.RequestValidationError):
        await client.balance.get(extra_body={"x": 1})
    assert flashproxy_fake.requests == []


async def test_a_per_call_retry_budget_applies_to_that_call_alone(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    client._transport.sleep = _no_sleep
    flashproxy_fake.faults.fail_next(2, status=503, method="GET", path="/balance")
    balance = await client.balance.get(max_retries=2)
    assert isinstance(balance, Balance)
    assert len(flashproxy_fake.requests_for("GET", "/balance")) == 3
    flashproxy_fake.faults.fail_next(1, status=503, method="GET", path="/balance")
    with pytest.raises(fp.InternalServerError):
        await client.balance.get()  # the client's own max_retries=0


async def test_a_per_call_timeout_and_deadline_apply(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    flashproxy_fake.faults.delay(30, method="GET", path="/balance")
    with pytest.raises(fp.APITimeoutError):
        await client.balance.get(timeout=0.05)
    flashproxy_fake.faults.delay(30, method="GET", path="/balance")
    with pytest.raises(fp.APITimeoutError):
        await client.balance.get(deadline=0.05)


async def test_unknown_or_bad_options_are_refused(client: fp.AsyncFlashProxy) -> None:
    with pytest.raises(TypeError, match="extra_header"):
        await client.balance.get(extra_header={"a": "b"})  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        await client.balance.get(max_retries=-1)
    with pytest.raises(TypeError):
        await client.balance.get(extra_headers={"X-A": 1})  # type: ignore[dict-item]


async def test_secret_extra_headers_are_masked_in_hook_events(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    seen: list[fp.RequestEvent] = []
    async with fp.AsyncFlashProxy(
        flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        event_hooks={"request": [seen.append]},
    ) as client:
        await client.balance.get(extra_headers={"X-Upstream-Token": "tok-s3cret", "X-Trace": "t"})
    (event,) = seen
    assert event.headers["X-Upstream-Token"] == "***"
    assert event.headers["X-Trace"] == "t"
    assert "tok-s3cret" not in repr(event)


async def _no_sleep(seconds: float) -> None:
    return None


# Raw responses and request ids


async def test_raw_response_carries_status_headers_request_id_and_the_parsed_result(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    (plan,) = await buy(client, 1)
    raw = await client.plans.with_raw_response.get(plan)
    assert raw.status == 200
    assert raw.headers["Content-Type"].startswith("application/json")
    assert raw.headers["x-request-id"] == raw.headers["X-Request-Id"] == raw.request_id
    recorded = flashproxy_fake.requests_for("GET", f"/plans/{plan.plan_id}")[0]
    assert recorded.response is not None
    assert raw.request_id == recorded.response.headers["x-request-id"]
    assert raw.attempts == 1
    assert raw.elapsed >= 0
    parsed: Plan = raw.parse()
    assert parsed == plan
    assert "proxy_password" not in repr(raw)


async def test_raw_response_counts_the_attempts_a_retry_took(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    client._transport.sleep = _no_sleep
    flashproxy_fake.faults.fail_next(1, status=503, method="GET", path="/balance")
    raw = await client.balance.with_raw_response.get(max_retries=1)
    assert raw.attempts == 2
    assert isinstance(raw.parse(), Balance)


async def test_every_resource_method_has_a_raw_twin(client: fp.AsyncFlashProxy) -> None:
    from flashproxy_async.resources import resources_of

    for name in resources_of(fp.AsyncFlashProxy):
        resource = getattr(client, name)
        view = resource.with_raw_response
        methods = [m for m in dir(type(resource)) if not m.startswith("_")]
        listed = set(vars(view)) - {"_resource"}
        assert listed == set(methods) - {"with_raw_response"}, name


async def test_a_raw_list_gives_the_first_page(client: fp.AsyncFlashProxy) -> None:
    await buy(client, 3)
    raw = await client.plans.with_raw_response.list(per_page=2)
    page = raw.parse()
    assert raw.status == 200
    assert len(page) == 2
    assert page.has_next_page()


async def test_errors_carry_the_request_id(client: fp.AsyncFlashProxy) -> None:
    with pytest.raises(fp.NotFoundError) as caught:
        await client.plans.get(MISSING_PLAN)
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_")


# Errors travel


def _sample_errors() -> list[fp.FlashProxyError]:
    api = fp.RateLimitedError(
        "slow down",
        retry_after=1.5,
        status=429,
        code="RATE_LIMITED",
        body={"success": False},
        headers={"X-Request-Id": "req_1"},
    )
    api.mark_outcome_unknown("order-7")
    found: list[fp.FlashProxyError] = [
        api,
        fp.ResponseValidationError("bad", path="data.plan_id", body={"a": 1}),
        fp.RequestValidationError("no", rule="create.product"),
        fp.TargetingError("bad city", rule="city"),
        fp.APITimeoutError("late"),
        fp.ClientClosedError("closed"),
    ]
    for cls in _all_subclasses(fp.APIError):
        if not issubclass(cls, fp.RateLimitedError):
            found.append(cls("m", status=400, code="X", body="b", headers={"request-id": "r"}))
    from flashproxy_async.bulk import JournalError, JournalInUseError, ReferenceConflictError
    from flashproxy_async.limiters import RedisLimiterError

    too_large = fp.ResponseTooLargeError("too big", limit=16, path="$")
    too_large.mark_outcome_unknown("order-8")
    plan = Plan(plan_id=uuid.uuid4(), product=Product.residential, status=PlanStatus.active)
    found += [
        RedisLimiterError("redis down"),
        too_large,
        JournalError("orders.journal:3: not a journal record"),
        JournalInUseError("orders.journal is held by pid 42"),
        ReferenceConflictError("order-9", "datacenter", plan),
    ]
    return found


def _all_subclasses(cls: type[Any]) -> list[type[Any]]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _all_subclasses(direct))]


@pytest.mark.parametrize("error", _sample_errors(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle_and_deepcopy(error: fp.FlashProxyError) -> None:
    for copied in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(copied) is type(error)
        assert str(copied) == str(error)
        assert copied.args == error.args
        assert vars(copied) == vars(error)
        if isinstance(error, fp.APIError):
            assert copied.request_id == error.request_id is not None


def test_every_package_error_class_is_in_the_pickle_sample() -> None:
    sampled = {type(error) for error in _sample_errors()}
    for cls in _all_subclasses(fp.FlashProxyError):
        if cls.__module__.startswith("flashproxy_async") and cls is not fp.FlashProxyError:
            assert any(issubclass(s, cls) for s in sampled), cls


# The escape hatch


async def test_get_returns_decoded_data_or_a_model(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    data = await client.get("/balance")
    assert isinstance(data, dict) and "balance_cents" in data
    pools: PoolList = await client.get("/proxies/pools", params={"type": "isp"}, cast_to=PoolList)
    assert isinstance(pools, PoolList)
    assert flashproxy_fake.requests_for("GET", "/proxies/pools")[0].query == {"type": "isp"}


async def test_post_sends_what_the_sdk_would_refuse_and_maps_errors(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    # A product name the SDK does not know is refused locally by plans.create...
    with pytest.raises(fp.RequestValidationError):
        await client.plans.create(product="residential-ultra", bandwidth_gb=1)
    # ...and goes to the server through post(), which answers with its own error.
    with pytest.raises(fp.BadRequestError):
        await client.post("/plans", body={"product": "residential-ultra", "bandwidth_gb": 1})
    plan = await client.post(
        "/plans", body={"product": "residential", "bandwidth_gb": 1}, cast_to=Plan
    )
    assert isinstance(plan, Plan)
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 2


async def test_post_is_money_safe_by_default(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    client._transport.sleep = _no_sleep
    flashproxy_fake.faults.process_then_fail(1, status=500, method="POST", path="/plans")
    with pytest.raises(fp.InternalServerError) as caught:
        await client.post(
            "/plans", body={"product": "residential", "bandwidth_gb": 1}, max_retries=3
        )
    assert caught.value.outcome_unknown
    assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
    flashproxy_fake.faults.process_then_fail(1, status=500, method="POST", path="/plans")
    body = {"product": "residential", "bandwidth_gb": 1, "end_user_reference": "ref-9"}
    with pytest.raises(fp.InternalServerError) as again:
        await client.post("/plans", body=body)
    assert again.value.end_user_reference == "ref-9"


async def test_a_path_without_a_leading_slash_is_refused(client: fp.AsyncFlashProxy) -> None:
    with pytest.raises(ValueError):
        await client.get("balance")


# The base URL hint


async def test_a_404_from_a_base_url_without_api_v1_says_so(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    root = flashproxy_fake.base_url.removesuffix("/api/v1")
    async with fp.AsyncFlashProxy(flashproxy_fake.api_key, base_url=root) as client:
        with pytest.raises(fp.NotFoundError, match="does not end in /api/v1"):
            await client.balance.get()


async def test_a_404_from_the_right_base_url_has_no_hint(client: fp.AsyncFlashProxy) -> None:
    with pytest.raises(fp.NotFoundError) as caught:
        await client.plans.get(MISSING_PLAN)
    assert "/api/v1" not in str(caught.value)


# Paginators


async def test_a_paginator_iterates_items_awaits_to_a_page_and_walks_pages(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    bought = await buy(client, 5)
    items = [plan.plan_id async for plan in client.plans.list(per_page=2)]
    assert sorted(map(str, items)) == sorted(str(p.plan_id) for p in bought)
    first: fp.Page[Plan] = await client.plans.list(per_page=2)
    assert len(first) == 2 and list(first) == first.items
    assert first.pagination is not None and first.pagination.page == 1
    sizes = [len(page) async for page in client.plans.list(per_page=2).iter_pages()]
    assert sizes == [2, 2, 1]


async def test_pages_fetch_the_next_until_the_last(client: fp.AsyncFlashProxy) -> None:
    await buy(client, 3)
    page = await client.plans.list_page(per_page=2)
    assert page.has_next_page()
    last = await page.next_page()
    assert len(last) == 1
    assert not last.has_next_page()
    with pytest.raises(LookupError):
        await last.next_page()


async def test_a_list_can_start_at_page_n(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    await buy(client, 5)
    rest = [plan async for plan in client.plans.list(per_page=2, page=2)]
    assert len(rest) == 3
    pages = [r.query["page"] for r in flashproxy_fake.requests_for("GET", "/plans")]
    assert pages == ["2", "3"]
    with pytest.raises(fp.RequestValidationError):
        client.plans.list(page=0)


async def test_per_call_options_reach_every_page_of_a_walk(
    client: fp.AsyncFlashProxy, flashproxy_fake: FakeFlashProxy
) -> None:
    await buy(client, 3)
    async for _ in client.plans.list(per_page=2, extra_headers={"X-Walk": "w"}):
        pass
    walked = flashproxy_fake.requests_for("GET", "/plans")
    assert len(walked) == 2
    assert all(r.headers["X-Walk"] == "w" for r in walked)
