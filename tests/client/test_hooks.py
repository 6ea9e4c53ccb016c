"""Event hooks: called per attempt, see no secret, and a request hook can hold a send back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import flashproxy_async as fp
from flashproxy_async.testing import FakeFlashProxy


class Refused(Exception):
    pass


async def test_hooks_see_each_attempt_with_the_key_masked(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    seen: list[Any] = []

    async def on_response(event: fp.ResponseEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    async with fp.AsyncFlashProxy(
        flashproxy_fake.api_key,
        base_url=flashproxy_fake.base_url,
        event_hooks={"request": [seen.append], "response": [on_response]},
    ) as client:
        await client.plans.list_page(page=1, per_page=5)

    request, response = seen
    assert isinstance(request, fp.RequestEvent)
    assert (request.method, request.attempt) == ("GET", 1)
    assert request.url.startswith(flashproxy_fake.base_url + "/plans?")
    assert "per_page=5" in request.url
    assert request.headers["Authorization"] == "***"
    assert flashproxy_fake.api_key not in repr(seen)
    assert isinstance(response, fp.ResponseEvent)
    assert response.status == 200
    assert response.elapsed >= 0


async def test_a_request_hook_that_raises_sends_nothing(flashproxy_fake: FakeFlashProxy) -> None:
    def refuse(event: fp.RequestEvent) -> None:
        raise Refused(event.method)

    async with fp.AsyncFlashProxy(
        flashproxy_fake.api_key, base_url=flashproxy_fake.base_url
    ) as client:
        guarded = client.with_options(event_hooks={"request": [refuse]})
        with pytest.raises(Refused):
            await guarded.plans.create(product="residential", bandwidth_gb=1)
        assert flashproxy_fake.requests_for("POST", "/plans") == []
        # The copy's hooks are its own: the original client still sends.
        await client.plans.create(product="residential", bandwidth_gb=1)
        assert len(flashproxy_fake.requests_for("POST", "/plans")) == 1
        assert client.event_hooks == {"request": [], "response": []}
        assert guarded.event_hooks["request"] == [refuse]


def test_event_hooks_are_checked_when_the_client_is_built() -> None:
    with pytest.raises(ValueError, match="'request' and 'response'"):
        fp.AsyncFlashProxy("fp_test_x", event_hooks={"reqest": []})
    with pytest.raises(TypeError, match="not callable"):
        fp.AsyncFlashProxy("fp_test_x", event_hooks={"request": ["print"]})  # type: ignore[list-item]
