"""The SDK's own traffic and proxies: the environment by default, proxy= explicitly,
and sessions made by a factory in the loop that uses them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from flashproxy_async import AsyncFlashProxy
from flashproxy_async.testing import FakeFlashProxy

from ._forward_proxy import ForwardProxy


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    async with ForwardProxy() as running:
        yield running


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


async def balance_via(fake: FakeFlashProxy, **options: object) -> None:
    async with AsyncFlashProxy(fake.api_key, base_url=fake.base_url, **options) as client:  # type: ignore[arg-type]
        await client.balance.get()


async def test_http_proxy_from_the_environment_is_honoured_by_default(
    flashproxy_fake: FakeFlashProxy, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await balance_via(flashproxy_fake)
    assert proxy.seen == [flashproxy_fake.base_url + "/balance"]


async def test_no_proxy_and_trust_env_false_bypass_the_environment(
    flashproxy_fake: FakeFlashProxy, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await balance_via(flashproxy_fake, trust_env=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    await balance_via(flashproxy_fake)
    assert proxy.seen == []
    assert len(flashproxy_fake.requests_for("GET", "/balance")) == 2


async def test_an_explicit_proxy_is_used(
    flashproxy_fake: FakeFlashProxy, proxy: ForwardProxy
) -> None:
    await balance_via(flashproxy_fake, proxy=proxy.url)
    assert proxy.seen == [flashproxy_fake.base_url + "/balance"]


async def test_session_factory_is_called_once_in_the_running_loop_and_closed(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    made: list[aiohttp.ClientSession] = []
    loops: list[asyncio.AbstractEventLoop] = []

    def factory() -> aiohttp.ClientSession:
        loops.append(asyncio.get_running_loop())
        made.append(aiohttp.ClientSession(headers={"X-From-Factory": "yes"}))
        return made[-1]

    client = AsyncFlashProxy(
        flashproxy_fake.api_key, base_url=flashproxy_fake.base_url, session_factory=factory
    )
    assert made == []  # not before first use
    await client.balance.get()
    await client.balance.get()
    await client.close()
    assert len(made) == 1 and loops == [asyncio.get_running_loop()]
    assert made[0].closed
    assert all(
        r.headers["X-From-Factory"] == "yes"
        for r in flashproxy_fake.requests_for("GET", "/balance")
    )


def test_session_and_session_factory_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        AsyncFlashProxy(
            "fp_test_" + "k" * 32,
            session=object(),  # type: ignore[arg-type]
            session_factory=aiohttp.ClientSession,
        )
    with pytest.raises(TypeError):
        AsyncFlashProxy("fp_test_" + "k" * 32, session_factory="nope")  # type: ignore[arg-type]
