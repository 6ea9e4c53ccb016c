"""Who runs the loop: the calling thread, a waiting caller given the baton, or the loop
thread; and that nothing waits for a driver that is not coming."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import anyio.to_thread
import pytest
from aiohttp import web
from anyio.from_thread import start_blocking_portal

from flashproxy_async import ClientClosedError
from flashproxy_async.sync import BlockingCallInEventLoopWarning
from flashproxy_async.sync import _portal as _sync_portal
from flashproxy_async.sync._portal import PortalRunner

from .conftest import portal_threads, wait_until_cancelled


class ToyClient:
    def __init__(self) -> None:
        self.closed_on: int | None = None

    async def close(self) -> None:
        self.closed_on = threading.get_ident()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[PortalRunner[ToyClient]]:
    """A runner whose loop thread hands the loop to callers from the start."""
    monkeypatch.setattr(_sync_portal, "_STARTUP_SERVE", 0.0)
    made = PortalRunner(ToyClient)
    made.run(here)
    yield made
    made.close()


async def here() -> int:
    return threading.get_ident()


def loop_thread_ident() -> int | None:
    [thread] = portal_threads()
    return thread.ident


def _raising_in_thread(
    runner: PortalRunner[ToyClient], function: Any
) -> tuple[threading.Thread, list[BaseException]]:
    """Start ``runner.run(function)`` in a new thread; the list gets what it raises."""
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            runner.run(function)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    return thread, outcome


def test_a_lone_caller_runs_its_call_in_its_own_thread(runner: PortalRunner[ToyClient]) -> None:
    assert [runner.run(here) for _ in range(3)] == [threading.get_ident()] * 3
    worker: list[int] = []
    thread = threading.Thread(target=lambda: worker.append(runner.run(here)))
    thread.start()
    thread.join(timeout=30)
    assert worker == [thread.ident]


def test_the_loop_thread_serves_the_first_calls_then_lets_callers_drive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sync_portal, "_STARTUP_SERVE", 0.2)
    runner = PortalRunner(ToyClient)
    try:
        assert runner.run(here) == loop_thread_ident()
        time.sleep(0.3)
        assert runner.run(here) == threading.get_ident()
    finally:
        runner.close()


def test_the_client_closes_on_the_loop_thread_after_callers_drove(
    runner: PortalRunner[ToyClient],
) -> None:
    runner.run(here)
    loop_thread = loop_thread_ident()
    runner.close()
    assert runner.client.closed_on == loop_thread
    assert portal_threads() == []


def test_a_driver_passes_the_baton_to_a_waiting_caller_when_its_call_ends(
    runner: PortalRunner[ToyClient],
) -> None:
    release_first = threading.Event()
    second_submitted = threading.Event()
    seen: dict[str, int] = {}

    async def first() -> None:
        seen["first"] = threading.get_ident()
        await asyncio.to_thread(release_first.wait, 30)

    async def second() -> None:
        second_submitted.set()
        # Outlives the first call: someone must run the loop after its driver left.
        await asyncio.sleep(0.2)
        seen["second"] = threading.get_ident()

    def call(function: Any) -> None:
        runner.run(function)

    one = threading.Thread(target=call, args=(first,))
    one.start()
    while "first" not in seen:
        time.sleep(0.001)
    two = threading.Thread(target=call, args=(second,))
    two.start()
    assert second_submitted.wait(timeout=30)
    release_first.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert not one.is_alive() and not two.is_alive()
    assert seen["first"] == one.ident
    assert seen["second"] == two.ident  # the baton came to the waiting caller


class SessionClient:
    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def test_a_keep_alive_connection_closed_while_nobody_ran_the_loop_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server's close arrives while no thread runs the loop; the next POST must see it."""
    monkeypatch.setattr(_sync_portal, "_STARTUP_SERVE", 0.0)

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    async def serve() -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_post("/", answer)
        server = web.AppRunner(app, keepalive_timeout=0.05)
        await server.setup()
        site = web.TCPSite(server, "127.0.0.1", 0)
        await site.start()
        return server, f"http://127.0.0.1:{server.addresses[0][1]}/"

    runner = PortalRunner(SessionClient)

    async def post(url: str) -> int:
        client = runner.client
        if client.session is None:
            client.session = aiohttp.ClientSession()
        async with client.session.post(url, data=b"x") as response:
            return response.status

    with start_blocking_portal() as portal:
        server, url = portal.call(serve)
        try:
            for _ in range(4):
                assert runner.run(post, url) == 200
                time.sleep(0.2)  # the server closes the idle connection meanwhile
        finally:
            runner.close()
            portal.call(server.cleanup)


def test_a_call_cancelled_before_its_first_step_still_settles(
    runner: PortalRunner[ToyClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between the task's creation and its first step: the driver still returns."""
    start = _sync_portal._Generation._start

    def start_then_interrupt(self: Any, call: Any) -> None:
        start(self, call)
        self._cancel_call(call)

    monkeypatch.setattr(_sync_portal._Generation, "_start", start_then_interrupt)
    thread, outcome = _raising_in_thread(runner, here)
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], concurrent.futures.CancelledError)
    monkeypatch.undo()
    assert runner.run(here) == threading.get_ident()


def test_a_refused_call_passes_the_baton_on(runner: PortalRunner[ToyClient]) -> None:
    generation = runner._state.running()
    generation._stopping = True
    with pytest.raises(ClientClosedError):
        runner.run(here)
    generation._stopping = False
    worker: list[int] = []
    thread = threading.Thread(target=lambda: worker.append(runner.run(here)))
    thread.start()
    thread.join(timeout=30)
    assert worker == [thread.ident]


def test_close_while_another_thread_drives_a_call(runner: PortalRunner[ToyClient]) -> None:
    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    thread, outcome = _raising_in_thread(runner, forever)
    assert started.wait(timeout=30)
    loop_thread = loop_thread_ident()
    runner.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ClientClosedError)
    assert runner.client.closed_on == loop_thread
    assert portal_threads() == []


def test_many_threads_in_and_out_never_stall(runner: PortalRunner[ToyClient]) -> None:
    start = threading.Barrier(6)
    done: list[int] = []

    async def short(index: int) -> int:
        await asyncio.sleep(0.001 * (index % 3))
        return index

    def work(offset: int) -> None:
        start.wait()
        done.extend(runner.run(short, offset + i) for i in range(40))

    threads = [threading.Thread(target=work, args=(100 * n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(done) == sorted(100 * n + i for n in range(6) for i in range(40))
    assert len(portal_threads()) == 1


def test_a_caller_inside_an_event_loop_is_served_by_the_loop_thread(
    runner: PortalRunner[ToyClient],
) -> None:
    async def in_a_loop() -> int:
        with pytest.warns(BlockingCallInEventLoopWarning):
            return runner.run(here)

    assert asyncio.run(in_a_loop()) == loop_thread_ident()


def test_a_task_the_call_spawned_runs_on_after_the_call_returns(
    runner: PortalRunner[ToyClient],
) -> None:
    finished = threading.Event()
    kept: list[asyncio.Task[None]] = []

    async def later() -> None:
        await asyncio.sleep(0.05)
        finished.set()

    async def spawn() -> None:
        kept.append(asyncio.get_running_loop().create_task(later()))

    runner.run(spawn)
    assert finished.wait(timeout=30)  # no further call came to run the loop


def test_anyio_works_on_a_loop_its_callers_drive(runner: PortalRunner[ToyClient]) -> None:
    async def with_anyio() -> list[str]:
        seen: list[str] = []
        await anyio.sleep(0.001)
        with anyio.move_on_after(0.01) as scope:
            await anyio.sleep(5)
        seen.append(f"moved on {scope.cancelled_caught}")
        seen.append(await anyio.to_thread.run_sync(lambda: "from a worker"))
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep, 0.001)
        seen.append("group done")
        return seen

    assert runner.run(with_anyio) == ["moved on True", "from a worker", "group done"]
    assert runner.run(with_anyio) == ["moved on True", "from a worker", "group done"]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="main")
def test_an_interrupt_while_the_main_thread_drives_cancels_its_call(
    runner: PortalRunner[ToyClient],
) -> None:
    import _thread

    cancelled = threading.Event()

    async def interrupted_call() -> None:
        assert threading.current_thread() is threading.main_thread()  # it drives
        _thread.interrupt_main()
        await wait_until_cancelled(cancelled)

    with pytest.raises(KeyboardInterrupt):
        runner.run(interrupted_call)
    assert cancelled.is_set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    assert runner.run(here) == threading.get_ident()


def test_an_interrupted_waiter_leaves_no_call_stalled(runner: PortalRunner[ToyClient]) -> None:
    """A waiter that gives up: its call is cancelled and the other calls finish."""
    release = threading.Event()
    cancelled = threading.Event()
    started = threading.Event()

    async def holding() -> None:
        started.set()
        await asyncio.to_thread(release.wait, 30)

    waiting = threading.Event()

    async def abandoned() -> None:
        waiting.set()
        await wait_until_cancelled(cancelled)

    holder = threading.Thread(target=runner.run, args=(holding,))
    holder.start()
    assert started.wait(timeout=30)
    generation = runner._state.running()
    call = _sync_portal._Call(abandoned, (), True)
    generation.submit(call)
    assert not call.promoted
    assert waiting.wait(timeout=30)
    generation.cancel(call)  # what Ctrl-C in its waiting caller does
    assert cancelled.wait(timeout=30)
    release.set()
    holder.join(timeout=30)
    assert not holder.is_alive()
    assert runner.run(here) == threading.get_ident()


MAIN_DRIVES_SCRIPT = """
import asyncio, sys, time
from flashproxy_async.sync._portal import PortalRunner

class Toy:
    async def close(self):
        pass

async def forever():
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        print("cancelled", flush=True)
        raise

async def here():
    import threading
    return threading.current_thread().name

runner = PortalRunner(Toy)
runner.run(here)
time.sleep(0.3)  # past the loop thread's first calls: the main thread drives now
print("driver", runner.run(here), flush=True)
try:
    runner.run(forever)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("then", runner.run(here), flush=True)
    runner.close()
    raise
"""


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX")
def test_ctrl_c_while_the_main_thread_drives(tmp_path: Path) -> None:
    script = tmp_path / "main_drives.py"
    script.write_text(MAIN_DRIVES_SCRIPT)
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "driver MainThread\n"
        time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode != 0
    assert err.rstrip().endswith("KeyboardInterrupt")
    assert "asyncio" not in err.split("Traceback")[-1]  # not raised inside the loop
    assert out.splitlines() == ["cancelled", "interrupted", "then MainThread"]
