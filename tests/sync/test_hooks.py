"""Event hooks through the blocking client."""

from __future__ import annotations

from flashproxy_async.sync import FlashProxy

from .conftest import ThreadedFake


def test_the_blocking_client_runs_hooks_on_its_loop_thread(
    threaded_fake: ThreadedFake,
) -> None:
    statuses: list[int] = []
    with FlashProxy(
        threaded_fake.api_key,
        base_url=threaded_fake.base_url,
        event_hooks={"response": [lambda event: statuses.append(event.status)]},
    ) as client:
        client.balance.get()
        quiet = client.with_options(event_hooks=None)
        quiet.balance.get()
        assert quiet.event_hooks == {"request": [], "response": []}
    assert statuses == [200]
