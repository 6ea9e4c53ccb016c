"""Where blocking calls must work: event loops, Ctrl-C, forked children; and where not."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import flashproxy_async as fp
from flashproxy_async import Limiter
from flashproxy_async.sync import BlockingCallInEventLoopWarning, FlashProxy

from .conftest import MakeClient, ThreadedFake, portal_thread_of, wait_until_cancelled


async def test_a_call_from_a_coroutine_warns_and_completes(client: FlashProxy) -> None:
    with pytest.warns(BlockingCallInEventLoopWarning, match="stalls the event loop") as caught:
        balance = client.balance.get()
    assert balance.balance_cents > 0
    assert caught[0].filename == __file__  # points at the caller's line


async def test_lists_and_errors_work_from_a_coroutine(client: FlashProxy) -> None:
    with pytest.warns(BlockingCallInEventLoopWarning):
        plan = client.plans.create(product="residential", bandwidth_gb=1)
        assert [p.plan_id for p in client.plans.list()] == [plan.plan_id]
        with pytest.raises(fp.NotFoundError):
            client.plans.get("00000000-0000-4000-8000-000000000000")


def test_a_jupyter_style_cell_in_a_running_loop_neither_deadlocks_nor_refuses(
    client: FlashProxy,
) -> None:
    """A notebook kernel runs each cell as plain code inside its running loop."""
    results: list[Any] = []

    def cell() -> None:
        with pytest.warns(BlockingCallInEventLoopWarning):
            results.append(client.balance.get().balance_cents)

    async def kernel() -> None:
        asyncio.get_running_loop().call_soon(cell)
        await asyncio.sleep(0)  # the cell runs here, blocking this loop until it is done
        task = asyncio.create_task(asyncio.to_thread(lambda: None))
        await task

    # Bounded: were the call to deadlock, the test would fail instead of hanging.
    kernel_thread = threading.Thread(target=asyncio.run, args=(kernel(),), daemon=True)
    kernel_thread.start()
    kernel_thread.join(timeout=30)
    assert not kernel_thread.is_alive()
    assert len(results) == 1 and results[0] > 0


class CallingBackLimiter(Limiter):
    """A limiter that makes a blocking call, from inside the client's own loop."""

    rate, period, max_concurrent = 100, 60.0, 20

    def __init__(self, action: str) -> None:
        self.action = action
        self.client: FlashProxy | None = None

    async def acquire(self) -> None:
        assert self.client is not None
        if self.action == "call":
            self.client.balance.get()
        else:
            self.client.close()

    async def release(self) -> None:
        pass

    async def pause(self, seconds: float) -> None:
        pass


@pytest.mark.parametrize("action", ["call", "close"])
def test_a_call_from_the_clients_own_loop_thread_is_refused(
    make_client: MakeClient, action: str
) -> None:
    limiter = CallingBackLimiter(action)
    client = make_client(limiter=limiter, max_retries=0)
    limiter.client = client
    with pytest.raises(RuntimeError, match="client's own event-loop thread") as info:
        client.balance.get()
    assert not isinstance(info.value, fp.ClientClosedError)
    assert not client.is_closed


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="main")
def test_an_interrupt_while_waiting_cancels_the_call_beneath(client: FlashProxy) -> None:
    """Ctrl-C's KeyboardInterrupt, simulated in-process; the subprocess test sends SIGINT."""
    import _thread

    cancelled = threading.Event()

    async def interrupted_call() -> None:
        _thread.interrupt_main()
        await wait_until_cancelled(cancelled)

    runner = client._view.runner
    with pytest.raises(KeyboardInterrupt):
        runner.run(interrupted_call)
    assert cancelled.wait(timeout=30)
    assert client.balance.get().balance_cents > 0


CTRL_C_SCRIPT = """
import os
from flashproxy_async import TokenBucketLimiter
from flashproxy_async.sync import FlashProxy

client = FlashProxy(limiter=TokenBucketLimiter(max_concurrent=1), max_retries=0)
try:
    client.plans.get(os.environ["PLAN_ID"])  # the fake holds this request
except KeyboardInterrupt:
    print("interrupted", flush=True)
    # One slot in all: this call goes out only if the interrupted one gave its slot back.
    print("then", client.balance.get().balance_formatted, flush=True)
    client.close()
    raise
"""


def test_ctrl_c_interrupts_a_waiting_call_promptly_and_cancels_it(
    tmp_path: Path, client: FlashProxy, threaded_fake: ThreadedFake
) -> None:
    plan = client.plans.create(product="residential", bandwidth_gb=1)
    balance = client.balance.get().balance_formatted
    threaded_fake.hold("GET", "/plans/{planId}")
    script = tmp_path / "ctrl_c.py"
    script.write_text(CTRL_C_SCRIPT)
    env = {
        **os.environ,
        "FLASHPROXY_API_KEY": threaded_fake.api_key,
        "FLASHPROXY_BASE_URL": threaded_fake.base_url,
        "PLAN_ID": str(plan.plan_id),
    }
    child = subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        threaded_fake.wait_for_arrival("GET", "/plans/")
        interrupted_at = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    took = time.monotonic() - interrupted_at
    assert child.returncode != 0
    assert err.rstrip().endswith("KeyboardInterrupt")
    assert out.splitlines() == ["interrupted", f"then {balance}"]
    assert threaded_fake.count("GET", "/balance") == 2
    # The held request would have lasted 120 s; prompt means well under that.
    assert took < 15


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
@pytest.mark.parametrize("started", [True, False], ids=["after-use", "before-use"])
def test_a_forked_child_gets_a_fresh_loop_thread(
    make_client: MakeClient, threaded_fake: ThreadedFake, started: bool
) -> None:
    client = make_client()
    plan = client.plans.create(product="residential", bandwidth_gb=1)
    if not started:
        client = make_client()
    else:
        parent_thread = portal_thread_of(client)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        status = 1
        try:
            got = client.plans.get(plan.plan_id)
            fresh = portal_thread_of(client)
            report = f"{got.plan_id} {fresh.is_alive()} {fresh.ident != threading.get_ident()}"
            client.close()
            os.write(writing, report.encode())
            status = 0
        except BaseException as exc:
            os.write(writing, repr(exc).encode())
        finally:
            os._exit(status)
    os.close(writing)
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    with os.fdopen(reading) as pipe:
        report = pipe.read()
    assert os.waitstatus_to_exitcode(done[1]) == 0, report
    assert report == f"{plan.plan_id} True True"
    assert threaded_fake.count("GET", "/plans/{planId}") == 1
    # The parent's client, and its loop thread, carry on.
    assert client.plans.get(plan.plan_id) == plan
    if started:
        assert portal_thread_of(client) is parent_thread
