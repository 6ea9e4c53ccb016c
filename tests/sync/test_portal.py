"""The portal runner alone, with a toy async client: no network, no fake."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from flashproxy_async import APITimeoutError, ClientClosedError
from flashproxy_async.sync import _portal as _sync_portal
from flashproxy_async.sync._portal import PortalRunner

from .conftest import portal_threads


class ToyClient:
    """Records the thread its close() ran on; can be told to fail closing."""

    def __init__(self, fail_close: bool = False) -> None:
        self.fail_close = fail_close
        self.closed_on: int | None = None

    async def close(self) -> None:
        self.closed_on = threading.get_ident()
        if self.fail_close:
            raise OSError("could not close")


@pytest.fixture
def runner() -> Iterator[PortalRunner[ToyClient]]:
    made = PortalRunner(ToyClient)
    yield made
    made.close()


async def answer(value: Any) -> Any:
    return value


async def fail(error: BaseException) -> None:
    raise error


def test_run_returns_the_result_and_raises_the_error_itself(
    runner: PortalRunner[ToyClient],
) -> None:
    assert runner.run(answer, 42) == 42
    error = APITimeoutError("too slow")
    with pytest.raises(APITimeoutError) as info:
        runner.run(fail, error)
    assert info.value is error


def test_a_long_call_is_waited_for_across_many_slices(
    runner: PortalRunner[ToyClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sync_portal, "_WAIT_SLICE", 0.001)

    async def slow_then(error: BaseException | None) -> str:
        await asyncio.sleep(0.05)
        if error is not None:
            raise error
        return "done"

    assert runner.run(slow_then, None) == "done"
    # A TimeoutError of the call's own is raised, not taken for the end of a slice.
    with pytest.raises(APITimeoutError):
        runner.run(slow_then, APITimeoutError("deadline"))


def test_close_closes_the_client_on_the_loop_thread_and_ends_it(
    runner: PortalRunner[ToyClient],
) -> None:
    loop_thread = runner.run(answer, None) or threading.get_ident()
    loop_thread = runner.run(asyncio.to_thread, threading.get_ident)  # a worker, not the loop
    del loop_thread
    [thread] = portal_threads()
    runner.close()
    assert runner.client.closed_on == thread.ident
    assert not thread.is_alive()


def test_a_client_that_fails_to_close_raises_from_close() -> None:
    runner = PortalRunner(lambda: ToyClient(fail_close=True))
    runner.run(answer, None)
    with pytest.raises(OSError, match="could not close"):
        runner.close()
    runner.close()  # closed all the same


def test_the_first_calls_of_many_threads_start_one_loop_thread(
    runner: PortalRunner[ToyClient],
) -> None:
    start = threading.Barrier(8)
    seen: list[int] = []

    async def loop_thread() -> int:
        return threading.get_ident()

    def first_call() -> None:
        start.wait()
        seen.append(runner.run(loop_thread))

    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(seen) == 8 and len(set(seen)) == 1
    assert len(portal_threads()) == 1


def test_a_loop_that_cannot_start_raises_and_the_next_call_tries_again(
    runner: PortalRunner[ToyClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    class BrokenPortal:
        def __init__(self) -> None:
            raise OSError("no loop for you")

    with monkeypatch.context() as patch:
        patch.setattr(_sync_portal, "BlockingPortal", BrokenPortal)
        with pytest.raises(OSError, match="no loop for you"):
            runner.run(answer, 1)
    assert runner.run(answer, 2) == 2


def test_a_call_cancelled_by_its_own_code_raises_cancelled(
    runner: PortalRunner[ToyClient],
) -> None:
    async def cancel_myself() -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    with pytest.raises(concurrent.futures.CancelledError):
        runner.run(cancel_myself)
    assert runner.run(answer, "still fine") == "still fine"


def test_a_call_reaching_a_stopping_loop_is_refused(runner: PortalRunner[ToyClient]) -> None:
    runner.run(answer, None)
    generation = runner._state.running()
    generation._stopping = True
    with pytest.raises(ClientClosedError):
        runner.run(answer, None)
    generation._stopping = False


def test_a_call_after_the_loop_ended_under_it_raises_client_closed(
    runner: PortalRunner[ToyClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.run(answer, None)
    generation = runner._state.running()
    generation.request_stop()
    generation.join()
    with pytest.raises(ClientClosedError):  # the loop is closed: nothing can be scheduled
        runner.run(answer, None)

    def scheduled_too_late(self: Any, call: Any) -> None:
        pass  # the loop ended after taking the call, before running it

    monkeypatch.setattr(_sync_portal, "_WAIT_SLICE", 0.001)
    monkeypatch.setattr(_sync_portal._Generation, "submit", scheduled_too_late)
    with pytest.raises(ClientClosedError, match="closed during the call"):
        runner.run(answer, None)


def test_a_collected_runner_closes_even_from_its_own_loop_thread() -> None:
    runner = PortalRunner(ToyClient)
    state = runner._state

    async def collect_here() -> None:
        _sync_portal._collect(state)
        await asyncio.Event().wait()  # cancelled as the loop stops

    with (
        pytest.warns(ResourceWarning, match="unclosed FlashProxy client"),
        pytest.raises(ClientClosedError, match="closed during the call"),
    ):
        runner.run(collect_here)
    state.current().join(timeout=30)
    assert not state.current().is_alive()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        _sync_portal._collect(state)  # already closed: nothing more to say
    runner.close()


def test_a_simulated_fork_gives_a_fresh_generation_and_leaves_the_old_one_alone(
    runner: PortalRunner[ToyClient],
) -> None:
    """What the at-fork hook does in a child, run in this process (the fork test forks)."""
    runner.run(answer, None)
    inherited = runner._state.generation
    assert inherited is not None
    old_client = runner.client
    runner._state.forget_parent()
    try:
        assert runner.generation is None
        assert runner.client is not old_client  # made afresh, lazily
        assert runner.run(answer, "child") == "child"
        assert runner._state.current() is not inherited
        assert old_client.closed_on is None  # the parent's is never closed by the child
    finally:
        _sync_portal._INHERITED_FROM_PARENT.remove(inherited)
        inherited.request_stop()
        inherited.join(timeout=30)


def test_forgetting_an_unstarted_generation_keeps_its_client(
    runner: PortalRunner[ToyClient],
) -> None:
    client = runner.client
    runner._state.forget_parent()
    assert runner.client is client


def test_the_at_fork_hook_forgets_every_live_runners_parent(
    runner: PortalRunner[ToyClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.run(answer, None)
    inherited = runner._state.generation
    assert inherited is not None
    monkeypatch.setattr(_sync_portal, "_LIVE_STATES", weakref.WeakSet([runner._state]))
    _sync_portal._forget_parents()
    try:
        assert runner.generation is None
    finally:
        _sync_portal._INHERITED_FROM_PARENT.remove(inherited)
        inherited.request_stop()
        inherited.join(timeout=30)
