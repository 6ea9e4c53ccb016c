"""The loop thread's life: lazy start, close, reuse after close, collection, exit."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import pytest

import flashproxy_async as fp
from flashproxy_async.sync import FlashProxy

from .conftest import ThreadedFake, portal_thread_of, portal_threads


def test_the_loop_thread_starts_on_the_first_call_and_ends_on_close(client: FlashProxy) -> None:
    assert portal_threads() == []
    client.balance.get()
    thread = portal_thread_of(client)
    assert thread.is_alive() and thread.daemon
    session = client._view.client()._transport._session
    assert session is not None
    client.close()
    assert not thread.is_alive()
    assert session.closed
    assert client.is_closed


def test_close_is_idempotent_and_later_calls_raise_client_closed(client: FlashProxy) -> None:
    client.balance.get()
    client.close()
    client.close()
    with pytest.raises(fp.ClientClosedError, match="create a new FlashProxy"):
        client.balance.get()
    with pytest.raises(fp.ClientClosedError):
        client.plans.list()
    with pytest.raises(fp.ClientClosedError), client:
        pass


def test_a_client_never_used_closes_without_a_thread(client: FlashProxy) -> None:
    client.close()
    assert client.is_closed
    assert portal_threads() == []
    with pytest.raises(fp.ClientClosedError):
        client.balance.get()


def test_the_with_block_closes_the_client(threaded_fake: ThreadedFake) -> None:
    with FlashProxy(threaded_fake.api_key, base_url=threaded_fake.base_url) as client:
        client.balance.get()
        thread = portal_thread_of(client)
    assert client.is_closed
    assert not thread.is_alive()


def test_closing_cancels_a_call_waiting_in_another_thread(
    client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    client.balance.get()
    threaded_fake.hold("GET", "/balance")
    outcome: list[BaseException] = []

    def waiting_call() -> None:
        try:
            client.balance.get()
        except BaseException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=waiting_call)
    caller.start()
    threaded_fake.wait_for_arrival("GET", "/balance")
    client.close()
    caller.join(timeout=30)
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], fp.ClientClosedError)
    assert "closed during the call" in str(outcome[0])


def _unmanaged(fake: ThreadedFake) -> FlashProxy:
    """A client no fixture holds on to, so that dropping it collects it."""
    return FlashProxy(fake.api_key, base_url=fake.base_url)


def test_a_client_collected_unclosed_warns_and_ends_its_thread(
    threaded_fake: ThreadedFake,
) -> None:
    client = _unmanaged(threaded_fake)
    client.balance.get()
    thread = portal_thread_of(client)
    session = client._view.client()._transport._session
    assert session is not None
    with pytest.warns(ResourceWarning, match="unclosed FlashProxy client"):
        del client
        gc.collect()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert session.closed


def test_a_client_collected_unused_holds_nothing_and_says_nothing(
    threaded_fake: ThreadedFake,
) -> None:
    client = _unmanaged(threaded_fake)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del client
        gc.collect()


def test_a_copy_keeps_the_thread_alive_after_the_original_is_collected(
    threaded_fake: ThreadedFake,
) -> None:
    client = _unmanaged(threaded_fake)
    copy = client.with_options(max_retries=0)
    client.balance.get()
    del client
    gc.collect()
    assert copy.balance.get().balance_cents > 0
    copy.close()


def test_a_script_that_never_closes_its_client_exits_at_once_and_quietly(
    tmp_path: Path, threaded_fake: ThreadedFake
) -> None:
    script = tmp_path / "forgetful.py"
    script.write_text(
        textwrap.dedent(
            """
            from flashproxy_async.sync import FlashProxy

            client = FlashProxy()
            print(client.balance.get().balance_formatted)
            """
        )
    )
    env = {
        **os.environ,
        "FLASHPROXY_API_KEY": threaded_fake.api_key,
        "FLASHPROXY_BASE_URL": threaded_fake.base_url,
    }
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("$")
    assert done.stderr == ""
