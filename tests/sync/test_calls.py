"""Blocking calls against the fake API on 127.0.0.1: results, pages, errors, threads."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

import flashproxy_async as fp
from flashproxy_async.models import Plan
from flashproxy_async.sync import FlashProxy, SyncIterator

from .conftest import MakeClient, ThreadedFake, portal_thread_of, portal_threads


def test_a_script_buys_reads_and_lists_plans(client: FlashProxy) -> None:
    before = client.balance.get().balance_cents
    plan = client.plans.create(product="residential", bandwidth_gb=2, end_user_reference="r1")
    assert isinstance(plan, Plan)
    assert client.plans.get(plan.plan_id) == plan
    assert client.plans.get(plan) == plan  # a Plan works as its ID, as in async
    assert [p.plan_id for p in client.plans.list()] == [plan.plan_id]
    assert client.balance.get().balance_cents < before


def test_paginated_lists_fetch_one_page_per_step(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    made = [client.plans.create(product="residential", bandwidth_gb=1) for _ in range(5)]
    plans = client.plans.list(per_page=2)
    assert isinstance(plans, SyncIterator)
    assert threaded_fake.count("GET", "/plans") == 0
    first = next(plans)
    assert threaded_fake.count("GET", "/plans") == 1
    rest = list(plans)
    assert threaded_fake.count("GET", "/plans") == 3
    assert {p.plan_id for p in [first, *rest]} == {p.plan_id for p in made}
    with pytest.raises(StopIteration):
        next(plans)
    page = client.plans.list_page(page=3, per_page=2)
    assert len(page.items) == 1 and page.pagination is not None


def test_a_list_closed_early_fetches_no_more_pages(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    for _ in range(3):
        client.plans.create(product="residential", bandwidth_gb=1)
    with client.plans.list(per_page=1) as plans:
        next(plans)
    assert list(plans) == []
    assert threaded_fake.count("GET", "/plans") == 1


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.plans.get(uuid.uuid4()), fp.NotFoundError),
        (lambda c: c.plans.proxies(c.plans.list_page().items[0]), fp.BadRequestError),
        (lambda c: c.plans.create(product="dedicated_isp"), fp.RequestValidationError),
        (lambda c: c.plans.get("not-a-uuid"), fp.RequestValidationError),
        (lambda c: c.plans.list(per_page=0), fp.RequestValidationError),
        (lambda c: c.geo.countries(product_type="nope"), fp.RequestValidationError),
    ],
    ids=["404", "400", "product-rule", "plan-id", "per-page", "enum"],
)
def test_errors_are_the_async_clients_classes(
    client: FlashProxy, call: object, error: type[Exception]
) -> None:
    client.plans.create(product="residential", bandwidth_gb=1)
    with pytest.raises(error) as info:
        call(client)  # type: ignore[operator]
    assert type(info.value) is error


def test_local_validation_sends_nothing(client: FlashProxy, threaded_fake: ThreadedFake) -> None:
    with pytest.raises(fp.RequestValidationError) as info:
        client.plans.create(product="residential")
    assert info.value.rule
    assert threaded_fake.fake.requests == []


def test_many_threads_share_one_client_one_loop_thread(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    plans = [client.plans.create(product="residential", bandwidth_gb=1) for _ in range(8)]
    session = client._view.client()._transport._session
    calls_per_thread = 25
    results: dict[int, list[uuid.UUID | None]] = {}
    start = threading.Barrier(len(plans))

    def work(index: int) -> None:
        start.wait()
        results[index] = [
            client.plans.get(plans[index].plan_id).plan_id for _ in range(calls_per_thread)
        ]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert results == {i: [plan.plan_id] * calls_per_thread for i, plan in enumerate(plans)}
    assert threaded_fake.count("GET", "/plans/{planId}") == len(plans) * calls_per_thread
    assert portal_threads() == [portal_thread_of(client)]
    assert client._view.client()._transport._session is session


def test_with_options_applies_per_call_settings_on_the_same_thread(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    client.balance.get()
    hurried = client.with_options(deadline=0.2, max_retries=0)
    assert (hurried.deadline, hurried.max_retries) == (0.2, 0)
    assert client.deadline is None
    threaded_fake.hold("GET", "/balance")
    with pytest.raises(fp.APITimeoutError):
        hurried.balance.get()
    assert client.balance.get().balance_cents > 0
    assert hurried.with_options(max_retries=1).deadline == 0.2
    assert portal_threads() == [portal_thread_of(client)]
    with pytest.raises(ValueError):
        client.with_options(max_retries=-1)
    hurried.close()
    assert client.is_closed


def test_settings_and_repr_come_from_the_async_client(make_client: MakeClient) -> None:
    limiter = fp.TokenBucketLimiter()
    client = make_client(timeout=3.0, max_retries=1, limiter=limiter)
    assert client.timeout == fp.Timeout.coerce(3.0)
    assert client.max_retries == 1
    assert client.limiter is limiter
    assert client.base_url.startswith("http://127.0.0.1:")
    assert repr(client) == (
        f"FlashProxy(base_url={client.base_url!r}, key=test, max_retries=1, closed=False)"
    )
    assert client._view.client()._transport._api_key not in repr(client)


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("FLASHPROXY_API_KEY", raising=False)
    monkeypatch.delenv("FLASHPROXY_BASE_URL", raising=False)
    yield


def test_bad_arguments_raise_at_construction_without_a_thread(no_env: None) -> None:
    with pytest.raises(fp.RequestValidationError, match="FLASHPROXY_API_KEY"):
        FlashProxy()
    with pytest.raises(ValueError, match="max_retries"):
        FlashProxy("fp_test_" + "k" * 32, max_retries=-1)
    assert portal_threads() == []


def test_a_session_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="belongs to the event loop it was made in"):
        FlashProxy("fp_test_" + "k" * 32, session=object())  # type: ignore[arg-type]


def test_the_key_comes_from_the_environment_once(
    monkeypatch: pytest.MonkeyPatch, threaded_fake: ThreadedFake
) -> None:
    monkeypatch.setenv("FLASHPROXY_API_KEY", threaded_fake.api_key)
    monkeypatch.setenv("FLASHPROXY_BASE_URL", threaded_fake.base_url)
    with FlashProxy() as client:
        monkeypatch.setenv("FLASHPROXY_API_KEY", "fp_test_" + "x" * 32)
        assert client.balance.get().balance_cents > 0


def test_a_copy_remakes_its_settings_on_a_forked_childs_new_client(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    """The at-fork hook's effect, simulated in-process; the fork tests really fork."""
    from flashproxy_async.sync import _portal as _sync_portal

    hurried = client.with_options(max_retries=0, deadline=30)
    hurried.balance.get()
    state = client._view.runner._state
    inherited = state.generation
    assert inherited is not None
    state.forget_parent()
    try:
        assert hurried.balance.get().balance_cents > 0
        assert hurried._view.client() is not inherited.client
        assert (hurried.max_retries, hurried.deadline) == (0, 30)
        assert client.max_retries == 2
    finally:
        _sync_portal._INHERITED_FROM_PARENT.remove(inherited)
        inherited.request_stop()
        inherited.join(timeout=30)
