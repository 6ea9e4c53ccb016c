"""Construction, configuration, sessions, closing and garbage collection."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from typing import Any

import aiohttp
import pytest

import flashproxy_async as fp
from flashproxy_async._config import PRODUCTION_BASE_URL, SANDBOX_BASE_URL

from .conftest import API_KEY, BASE_URL, KEY_TAIL, MakeClient, ok, url

LIVE_KEY = f"fp_live_{KEY_TAIL}"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASHPROXY_API_KEY", raising=False)
    monkeypatch.delenv("FLASHPROXY_BASE_URL", raising=False)


def test_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPROXY_API_KEY", API_KEY)
    client = fp.AsyncFlashProxy()
    assert client._transport._headers["Authorization"] == f"Bearer {API_KEY}"


def test_explicit_key_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPROXY_API_KEY", "fp_test_fromenv")
    client = fp.AsyncFlashProxy(LIVE_KEY)
    assert client._transport._headers["Authorization"] == f"Bearer {LIVE_KEY}"


def test_missing_key_is_refused() -> None:
    with pytest.raises(fp.RequestValidationError, match="FLASHPROXY_API_KEY"):
        fp.AsyncFlashProxy()


@pytest.mark.parametrize(
    "key",
    ["sk_live_Qx7", "fp_prod_Qx7", "FP_LIVE_Qx7", "fp_live_", "fp_test_Q x7", "fp_test_Qx7\n"],
)
def test_bad_key_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(fp.RequestValidationError) as info:
        fp.AsyncFlashProxy(key)
    assert isinstance(info.value, ValueError)
    assert info.value.rule == "api_key"
    assert "x7" not in str(info.value)


def test_base_url_defaults_by_key_mode() -> None:
    assert fp.AsyncFlashProxy(LIVE_KEY).base_url == PRODUCTION_BASE_URL
    assert fp.AsyncFlashProxy(API_KEY).base_url == SANDBOX_BASE_URL
    assert PRODUCTION_BASE_URL == "https://rapi.flashproxy.com/api/v1"
    assert SANDBOX_BASE_URL == "https://rapi.flashproxy.com/sandbox/api/v1"


def test_base_url_from_env_and_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPROXY_BASE_URL", "https://env.example/api/v1/")
    assert fp.AsyncFlashProxy(LIVE_KEY).base_url == "https://env.example/api/v1"
    explicit = fp.AsyncFlashProxy(LIVE_KEY, base_url="https://x.example/api/v1")
    assert explicit.base_url == "https://x.example/api/v1"


@pytest.mark.parametrize(
    "base_url", ["http://rapi.flashproxy.com/api/v1", "http://10.0.0.5:3000/api/v1"]
)
def test_live_key_over_plain_http_is_refused(base_url: str) -> None:
    with pytest.raises(fp.RequestValidationError, match="plain http"):
        fp.AsyncFlashProxy(LIVE_KEY, base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://localhost:3000/api/v1",
        "http://127.0.0.1:3000/api/v1",
        "http://127.8.9.10/api/v1",
        "http://[::1]:3000/api/v1",
    ],
)
def test_live_key_over_http_to_loopback_is_allowed(base_url: str) -> None:
    assert fp.AsyncFlashProxy(LIVE_KEY, base_url=base_url).base_url == base_url


def test_test_key_may_use_plain_http() -> None:
    client = fp.AsyncFlashProxy(API_KEY, base_url="http://sandbox.example/api/v1")
    assert client.base_url == "http://sandbox.example/api/v1"


@pytest.mark.parametrize(
    "base_url", ["ftp://x/api/v1", "rapi.flashproxy.com/api/v1", "https://u:p@x.example/api/v1"]
)
def test_malformed_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(fp.RequestValidationError) as info:
        fp.AsyncFlashProxy(API_KEY, base_url=base_url)
    assert "u:p" not in str(info.value)


def test_timeout_forms() -> None:
    assert fp.AsyncFlashProxy(API_KEY).timeout == fp.Timeout(attempt=60.0, connect=10.0)
    assert fp.AsyncFlashProxy(API_KEY, timeout=5).timeout == fp.Timeout(attempt=5.0, connect=5.0)
    assert fp.AsyncFlashProxy(API_KEY, timeout=30).timeout == fp.Timeout(attempt=30.0, connect=10.0)
    fine = fp.Timeout(connect=1, attempt=9)
    assert fp.AsyncFlashProxy(API_KEY, timeout=fine).timeout is fine
    assert fp.AsyncFlashProxy(API_KEY, timeout=None).timeout == fp.Timeout(None, None)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"timeout": 0}, ValueError),
        ({"timeout": float("inf")}, ValueError),
        ({"timeout": "5"}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"deadline": -2}, ValueError),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        fp.AsyncFlashProxy(API_KEY, **kwargs)


async def test_with_options_shares_session_and_limiter(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=1)
    other = client.with_options(timeout=3, deadline=9)
    assert other.limiter is client.limiter
    assert other._transport is client._transport
    assert (other.timeout, other.deadline, other.max_retries) == (fp.Timeout(3, 3), 9.0, 1)
    assert (client.timeout, client.deadline) == (fp.Timeout(), None)
    assert other.plans._client is other
    assert client.with_options(deadline=None).with_options().deadline is None


def test_default_limiter_is_a_token_bucket() -> None:
    client = fp.AsyncFlashProxy(API_KEY)
    assert isinstance(client.limiter, fp.TokenBucketLimiter)
    assert (client.limiter.rate, client.limiter.period, client.limiter.max_concurrent) == (
        100,
        60.0,
        20,
    )


async def test_connector_limit_matches_limiter_concurrency() -> None:
    limiter = fp.TokenBucketLimiter(max_concurrent=7)
    async with fp.AsyncFlashProxy(API_KEY, base_url=BASE_URL, limiter=limiter) as client:
        session = client._transport._get_session()
        assert session.connector is not None
        assert session.connector.limit == 7


async def test_session_is_created_lazily_and_closed(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    assert client._transport._session is None
    mocked.get(url("/balance"), payload=ok(1))
    await client._request("GET", "/balance")
    session = client._transport._session
    assert session is not None and not session.closed
    await client.close()
    assert session.closed
    await client.close()  # idempotent
    assert client.is_closed


async def test_use_after_close_is_refused(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    await client.close()
    with pytest.raises(fp.ClientClosedError, match="closed"):
        await client._request("GET", "/balance")
    with pytest.raises(fp.ClientClosedError):
        await client.__aenter__()
    assert mocked.requests == {}


async def test_user_session_is_used_and_never_closed(mocked: Any) -> None:
    session = aiohttp.ClientSession()
    try:
        client = fp.AsyncFlashProxy(API_KEY, base_url=BASE_URL, session=session)
        mocked.get(url("/balance"), payload=ok(1))
        async with client:
            assert await client._request("GET", "/balance") == 1
            assert client._transport._session is session
        assert client.is_closed
        assert not session.closed
    finally:
        await session.close()


async def test_unclosed_client_warns_when_collected(make_client: MakeClient, mocked: Any) -> None:
    client = fp.AsyncFlashProxy(API_KEY, base_url=BASE_URL)
    mocked.get(url("/balance"), payload=ok(1))
    await client._request("GET", "/balance")
    session = client._transport._session
    assert session is not None
    with pytest.warns(ResourceWarning, match="unclosed AsyncFlashProxy"):
        del client
        gc.collect()
    await session.close()


async def test_closed_client_does_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    client = fp.AsyncFlashProxy(API_KEY, base_url=BASE_URL)
    client._transport._get_session()
    await client.close()
    del client
    gc.collect()
    assert not [w for w in recwarn if issubclass(w.category, ResourceWarning)]


def test_unclosed_client_at_interpreter_exit_does_not_crash() -> None:
    script = textwrap.dedent(
        f"""
        import asyncio
        from flashproxy_async import AsyncFlashProxy

        client = AsyncFlashProxy({API_KEY!r}, base_url="http://127.0.0.1:9/api/v1")

        async def main():
            client._transport._get_session()

        asyncio.run(main())
        print("done")
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert KEY_TAIL not in result.stderr
