"""The retry rules: what is retried for GETs and for state-changing POSTs, and how long we wait."""

from __future__ import annotations

import asyncio
import email.utils
from typing import Any

import aiohttp
import pytest
from _support.clock import FakeClock
from aiohttp.client_reqrep import ConnectionKey
from yarl import URL

import flashproxy_async as fp
from flashproxy_async._retry import RetryPolicy, parse_retry_after

from .conftest import MakeClient, RecordingLimiter, err, ok, url

RETRYABLE = [408, 429, 500, 502, 503, 504]


def refused() -> aiohttp.ClientConnectorError:
    fields: dict[str, Any] = dict.fromkeys(ConnectionKey._fields)
    fields.update(host="api.test", port=443, is_ssl=True)
    return aiohttp.ClientConnectorError(
        ConnectionKey(**fields), ConnectionRefusedError(111, "Connection refused")
    )


def attempts(mocked: Any, method: str, path: str) -> int:
    return len(mocked.requests.get((method, URL(url(path))), []))


async def purchase(client: fp.AsyncFlashProxy) -> Any:
    return await client._request(
        "POST",
        "/plans",
        json_body={"product": "residential", "bandwidth_gb": 1},
        state_changing=True,
        end_user_reference="order-42",
    )


@pytest.mark.parametrize("status", RETRYABLE)
async def test_get_is_retried_on_each_retryable_status(
    make_client: MakeClient, mocked: Any, limiter: RecordingLimiter, status: int
) -> None:
    client = make_client(max_retries=2)
    mocked.get(url("/plans"), status=status, payload=err("WHATEVER"))
    mocked.get(url("/plans"), payload=ok(["plan"]))
    assert await client._request("GET", "/plans") == ["plan"]
    assert attempts(mocked, "GET", "/plans") == 2
    # Every attempt, the retry included, went through the limiter.
    assert limiter.acquired == limiter.released == 2


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 501])
async def test_get_is_not_retried_on_other_statuses(
    make_client: MakeClient, mocked: Any, status: int
) -> None:
    client = make_client(max_retries=3)
    mocked.get(url("/plans"), status=status, payload=err("X"))
    with pytest.raises(fp.APIError):
        await client._request("GET", "/plans")
    assert attempts(mocked, "GET", "/plans") == 1


@pytest.mark.parametrize(
    ("exception", "raised"),
    [
        (refused(), fp.APIConnectionError),
        (aiohttp.ServerDisconnectedError(), fp.APIConnectionError),
        (asyncio.TimeoutError(), fp.APITimeoutError),
        (aiohttp.SocketTimeoutError(), fp.APITimeoutError),
    ],
)
async def test_get_is_retried_on_connection_errors_and_timeouts(
    make_client: MakeClient,
    mocked: Any,
    exception: BaseException,
    raised: type[fp.FlashProxyError],
) -> None:
    client = make_client(max_retries=2)
    for _ in range(3):
        mocked.get(url("/plans"), exception=exception)
    with pytest.raises(raised) as info:
        await client._request("GET", "/plans")
    assert attempts(mocked, "GET", "/plans") == 3
    assert info.value.__cause__ is exception
    assert not info.value.outcome_unknown
    assert not any(isinstance(v, aiohttp.ClientError) for v in vars(info.value).values())


async def test_timeout_error_is_a_builtin_timeout_error(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=0)
    mocked.get(url("/plans"), exception=asyncio.TimeoutError())
    with pytest.raises(TimeoutError):
        await client._request("GET", "/plans")


@pytest.mark.parametrize("max_retries", [0, 1, 3])
async def test_max_retries_counts_retries_after_the_first_attempt(
    make_client: MakeClient, mocked: Any, fake_time: FakeClock, max_retries: int
) -> None:
    client = make_client(max_retries=max_retries)
    mocked.get(url("/plans"), status=503, payload=err("INTERNAL_ERROR"), repeat=True)
    with pytest.raises(fp.InternalServerError):
        await client._request("GET", "/plans")
    assert attempts(mocked, "GET", "/plans") == max_retries + 1
    assert len(fake_time.sleeps) == max_retries


async def test_backoff_is_exponential_with_full_jitter(
    make_client: MakeClient, mocked: Any, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=6)
    mocked.get(url("/plans"), status=500, payload=err("INTERNAL_ERROR"), repeat=True)
    with pytest.raises(fp.InternalServerError):
        await client._request("GET", "/plans")
    # random() fixed at 1.0 gives the ceiling: 0.5 doubling, capped at 8.
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(random=lambda: 0.25).backoff(3) == 0.5
    assert RetryPolicy(random=lambda: 0.0).backoff(1) == 0.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_state_changing_post_is_never_resent_after_a_5xx(
    make_client: MakeClient, mocked: Any, status: int
) -> None:
    client = make_client(max_retries=5)
    mocked.post(url("/plans"), status=status, payload=err("INTERNAL_ERROR"), repeat=True)
    with pytest.raises(fp.InternalServerError) as info:
        await purchase(client)
    assert attempts(mocked, "POST", "/plans") == 1
    assert info.value.outcome_unknown
    assert info.value.end_user_reference == "order-42"
    assert "may have been processed" in str(info.value)
    assert "order-42" in str(info.value)


@pytest.mark.parametrize(
    ("exception", "raised"),
    [
        (asyncio.TimeoutError(), fp.APITimeoutError),
        (aiohttp.ServerDisconnectedError(), fp.APIConnectionError),
        (aiohttp.ClientPayloadError("cut"), fp.APIConnectionError),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), fp.APIConnectionError),
    ],
)
async def test_state_changing_post_is_never_resent_after_a_timeout_or_drop(
    make_client: MakeClient,
    mocked: Any,
    exception: BaseException,
    raised: type[fp.FlashProxyError],
) -> None:
    client = make_client(max_retries=5)
    mocked.post(url("/plans"), exception=exception, repeat=True)
    with pytest.raises(raised) as info:
        await purchase(client)
    assert attempts(mocked, "POST", "/plans") == 1
    assert info.value.outcome_unknown
    assert info.value.end_user_reference == "order-42"


@pytest.mark.parametrize("status", [408, 400, 402, 409])
async def test_state_changing_post_is_not_retried_on_4xx(
    make_client: MakeClient, mocked: Any, status: int
) -> None:
    client = make_client(max_retries=5)
    mocked.post(url("/plans"), status=status, payload=err("X"), repeat=True)
    with pytest.raises(fp.APIError) as info:
        await purchase(client)
    assert attempts(mocked, "POST", "/plans") == 1
    assert not info.value.outcome_unknown


async def test_state_changing_post_is_retried_when_connection_refused(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=2)
    mocked.post(url("/plans"), exception=refused())
    mocked.post(url("/plans"), status=201, payload=ok({"plan_id": "p1"}))
    assert await purchase(client) == {"plan_id": "p1"}
    assert attempts(mocked, "POST", "/plans") == 2


async def test_refused_every_time_raises_without_outcome_unknown(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=2)
    mocked.post(url("/plans"), exception=refused(), repeat=True)
    with pytest.raises(fp.APIConnectionError) as info:
        await purchase(client)
    assert attempts(mocked, "POST", "/plans") == 3
    assert not info.value.outcome_unknown


async def test_state_changing_post_is_retried_after_429_and_pauses_limiter(
    make_client: MakeClient, mocked: Any, limiter: RecordingLimiter, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=2)
    mocked.post(
        url("/plans"), status=429, payload=err("RATE_LIMITED"), headers={"Retry-After": "7"}
    )
    mocked.post(url("/plans"), status=201, payload=ok({"plan_id": "p1"}))
    assert await purchase(client) == {"plan_id": "p1"}
    assert attempts(mocked, "POST", "/plans") == 2
    assert limiter.pauses == [7.0]
    assert fake_time.sleeps == [7.0]
    assert limiter.acquired == 2


async def test_429_without_retry_after_pauses_for_the_backoff(
    make_client: MakeClient, mocked: Any, limiter: RecordingLimiter, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=1)
    mocked.get(url("/plans"), status=429, payload=err("RATE_LIMITED"))
    mocked.get(url("/plans"), payload=ok([]))
    await client._request("GET", "/plans")
    assert limiter.pauses == [0.5]
    assert fake_time.sleeps == [0.5]


async def test_retry_after_as_http_date(
    make_client: MakeClient, mocked: Any, limiter: RecordingLimiter, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=1)
    date = email.utils.formatdate(fake_time.wall() + 12.0, usegmt=True)
    mocked.get(url("/plans"), status=503, payload=err("X"), headers={"Retry-After": date})
    mocked.get(url("/plans"), payload=ok([]))
    await client._request("GET", "/plans")
    assert fake_time.sleeps == [12.0]
    assert limiter.pauses == []  # only a 429 pauses the shared limiter


async def test_retry_after_past_the_cap_raises_rate_limited(
    make_client: MakeClient, mocked: Any, limiter: RecordingLimiter, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=5)
    mocked.get(
        url("/plans"), status=429, payload=err("RATE_LIMITED"), headers={"Retry-After": "3600"}
    )
    with pytest.raises(fp.RateLimitedError) as info:
        await client._request("GET", "/plans")
    assert info.value.retry_after == 3600.0
    assert attempts(mocked, "GET", "/plans") == 1
    assert fake_time.sleeps == []
    # The limiter still hears the server's wait, so no one else hammers it.
    assert limiter.pauses == [3600.0]


async def test_rate_limited_after_retries_carries_retry_after(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=1)
    mocked.get(
        url("/plans"),
        status=429,
        payload=err("RATE_LIMITED"),
        headers={"Retry-After": "2"},
        repeat=True,
    )
    with pytest.raises(fp.RateLimitedError) as info:
        await client._request("GET", "/plans")
    assert info.value.retry_after == 2.0
    assert attempts(mocked, "GET", "/plans") == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("5", 5.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        ("Tue, 14 Nov 2023 22:13:30 GMT", 10.0),
        ("Tue, 14 Nov 2023 22:13:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=1_700_000_000.0) == expected


async def test_deadline_stops_retries(
    make_client: MakeClient, mocked: Any, fake_time: FakeClock
) -> None:
    client = make_client(max_retries=10, deadline=1.2)
    mocked.get(url("/plans"), status=503, payload=err("X"), repeat=True)
    with pytest.raises(fp.InternalServerError):
        await client._request("GET", "/plans")
    # Sleeps of 0.5 then 1.0 would end at 1.5, past the 1.2 s deadline.
    assert fake_time.sleeps == [0.5]
    assert attempts(mocked, "GET", "/plans") == 2


async def test_per_call_options_override_the_client(make_client: MakeClient, mocked: Any) -> None:
    client = make_client(max_retries=0)
    mocked.get(url("/plans"), status=503, payload=err("X"), repeat=True)
    with pytest.raises(fp.InternalServerError):
        await client.with_options(max_retries=3)._request("GET", "/plans")
    assert attempts(mocked, "GET", "/plans") == 4
    with pytest.raises(fp.InternalServerError):
        await client._request("GET", "/plans")
    assert attempts(mocked, "GET", "/plans") == 5
