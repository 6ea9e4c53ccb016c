"""The client surface on the blocking client: the same names, blocking."""

from __future__ import annotations

import asyncio
import copy
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from anyio.from_thread import start_blocking_portal

import flashproxy_async as fp
from flashproxy_async.models import Balance, Plan, PoolList
from flashproxy_async.sync import FlashProxy, SyncPage, SyncPaginator
from tests.client._forward_proxy import ForwardProxy

from .conftest import MakeClient, ThreadedFake

MISSING_PLAN = "00000000-0000-4000-8000-000000000000"


def buy(client: FlashProxy, n: int) -> list[Plan]:
    return [client.plans.create(product="residential", bandwidth_gb=1) for _ in range(n)]


def test_per_call_options_reach_the_server_for_that_call_only(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    client.balance.get(extra_headers={"X-Trace": "s-1"}, extra_query={"v": 2}, timeout=5)
    client.balance.get()
    first, second = threaded_fake.fake.requests_for("GET", "/balance")
    assert first.headers["X-Trace"] == "s-1" and first.query == {"v": "2"}
    assert "X-Trace" not in second.headers
    plan = client.plans.create(
        product="residential", bandwidth_gb=1, extra_body={"end_user_reference": "sync-extra"}
    )
    assert plan.end_user_reference == "sync-extra"


def test_extra_headers_cannot_change_the_key(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    with pytest.raises(fp.RequestValidationError):
        client.balance.get(extra_headers={"authorization": "Bearer fp_live_other"})
    assert threaded_fake.count("GET", "/balance") == 0


def test_a_per_call_retry_budget(client: FlashProxy, threaded_fake: ThreadedFake) -> None:
    threaded_fake.fake.faults.fail_next(1, status=503, method="GET", path="/balance")
    with pytest.raises(fp.InternalServerError):
        client.balance.get(max_retries=0)
    threaded_fake.fake.faults.fail_next(1, status=503, method="GET", path="/balance")
    raw = client.balance.with_raw_response.get(max_retries=1)
    assert raw.attempts == 2


def test_raw_responses(client: FlashProxy, threaded_fake: ThreadedFake) -> None:
    (plan,) = buy(client, 1)
    raw = client.plans.with_raw_response.get(plan)
    assert isinstance(raw, fp.RawResponse)
    assert raw.status == 200
    assert raw.request_id is not None and raw.headers["X-REQUEST-ID"] == raw.request_id
    assert raw.parse() == plan
    page_raw = client.plans.with_raw_response.list_page()
    assert isinstance(page_raw.parse(), SyncPage)
    assert "with_raw_response" in dir(client.plans)
    with pytest.raises(fp.NotFoundError) as caught:
        client.plans.get(MISSING_PLAN)
    assert caught.value.request_id is not None


def test_errors_from_the_blocking_client_pickle(client: FlashProxy) -> None:
    with pytest.raises(fp.NotFoundError) as caught:
        client.plans.get(MISSING_PLAN)
    for copied in (pickle.loads(pickle.dumps(caught.value)), copy.deepcopy(caught.value)):
        assert type(copied) is fp.NotFoundError
        assert (copied.status, copied.code, copied.request_id) == (
            404,
            "NOT_FOUND",
            caught.value.request_id,
        )


def test_the_escape_hatch(client: FlashProxy, threaded_fake: ThreadedFake) -> None:
    data: Any = client.get("/balance")
    assert "balance_cents" in data
    assert isinstance(client.get("/balance", cast_to=Balance), Balance)
    pools = client.get("/proxies/pools", cast_to=PoolList, extra_query={"type": "isp"})
    assert isinstance(pools, PoolList)
    plan = client.post("/plans", body={"product": "residential", "bandwidth_gb": 1}, cast_to=Plan)
    assert isinstance(plan, Plan)
    with pytest.raises(fp.BadRequestError):
        client.post("/plans", body={"product": "residential-ultra", "bandwidth_gb": 1})


def test_paginators_and_pages(client: FlashProxy, threaded_fake: ThreadedFake) -> None:
    buy(client, 5)
    listing = client.plans.list(per_page=2)
    assert isinstance(listing, SyncPaginator)
    assert len(list(listing)) == 5
    assert [len(page) for page in client.plans.list(per_page=2).iter_pages()] == [2, 2, 1]
    first = client.plans.list(per_page=2).first_page()
    assert len(first) == 2 and list(first) == first.items
    assert first.pagination is not None
    page = client.plans.list_page(per_page=2, page=2)
    assert page.has_next_page()
    last = page.next_page()
    assert len(last) == 1 and not last.has_next_page()
    with pytest.raises(LookupError):
        last.next_page()
    assert len(list(client.plans.list(per_page=2, page=3))) == 1


def test_the_base_url_hint(make_client: MakeClient, threaded_fake: ThreadedFake) -> None:
    client = make_client(base_url=threaded_fake.base_url.removesuffix("/api/v1"))
    with pytest.raises(fp.NotFoundError, match="does not end in /api/v1"):
        client.balance.get()


def test_limiter_counters_are_readable(client: FlashProxy) -> None:
    client.balance.get()
    limiter = client.limiter
    assert isinstance(limiter, fp.TokenBucketLimiter)
    assert limiter.started == 1 and limiter.in_flight == 0 and limiter.rate_limited == 0


def test_session_factory_runs_on_the_clients_loop_thread(
    make_client: MakeClient, threaded_fake: ThreadedFake
) -> None:
    threads: list[str] = []
    made: list[aiohttp.ClientSession] = []

    def factory() -> aiohttp.ClientSession:
        asyncio.get_running_loop()  # raises outside a running loop
        threads.append(threading.current_thread().name)
        made.append(aiohttp.ClientSession(headers={"X-Sync-Factory": "1"}))
        return made[-1]

    client = make_client(session_factory=factory)
    client.balance.get()
    client.close()
    assert threads == ["flashproxy-portal"]
    assert made[0].closed
    assert threaded_fake.fake.requests_for("GET", "/balance")[0].headers["X-Sync-Factory"] == "1"


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with start_blocking_portal() as portal:
        proxy = portal.call(ForwardProxy().__aenter__)
        try:
            yield proxy
        finally:
            portal.call(proxy.__aexit__, None, None, None)


def test_proxies_from_the_environment_and_explicit(
    make_client: MakeClient,
    threaded_fake: ThreadedFake,
    forward_proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    make_client(proxy=forward_proxy.url).balance.get()
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    make_client().balance.get()
    make_client(trust_env=False).balance.get()
    assert forward_proxy.seen == [threaded_fake.base_url + "/balance"] * 2
