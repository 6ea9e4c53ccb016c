"""Provisioning progress: what it counts, what it says while waiting, on a terminal and piped."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import re
from pathlib import Path

import anyio
import attrs
from rich.console import Console

from flashproxy_async.bulk import ProgressEvent
from flashproxy_async.cli._progress import PlainRenderer, RichRenderer, Tally
from flashproxy_async.testing import FakeFlashProxy

from ._run import FLASHPROXY, cli_env, run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@attrs.frozen
class QueuedLimiter:
    rate: int = 100
    period: float = 60.0
    waiting: int = 0


@attrs.frozen
class SettlingEvent(ProgressEvent):
    """A status event of a kind this CLI was written without: it must still be shown."""

    seconds_left: float | None = None


def plain(total: int, limiter: object = None) -> tuple[PlainRenderer, io.StringIO, FakeClock]:
    clock, stream = FakeClock(), io.StringIO()
    return PlainRenderer(Tally(total, clock=clock), limiter, stream), stream, clock


def test_counts_rate_and_eta_leave_out_orders_done_by_an_earlier_run() -> None:
    renderer, stream, clock = plain(4)
    renderer.event(ProgressEvent("a", "skipped", 1, 4))
    clock.now += 2
    renderer.event(ProgressEvent("b", "created", 2, 4))
    lines = stream.getvalue().splitlines()
    assert (
        lines[0]
        == "provisioning 1/4: 0 created, 0 reconciled, 1 skipped, 0 failed, 0 not attempted"
    )
    # One purchase in 2 s: 30 a minute, and 2 orders left take 4 s.
    assert lines[1] == (
        "provisioning 2/4: 1 created, 0 reconciled, 1 skipped, 0 failed, 0 not attempted; "
        "30/min, ETA 0:04"
    )


def test_an_unknown_outcome_that_settles_an_order_is_counted_under_its_name() -> None:
    renderer, stream, _ = plain(1)
    renderer.event(ProgressEvent("a", "parked_for_review", 1, 1))
    assert "0 not attempted, 1 parked for review" in stream.getvalue()


def test_a_status_event_is_shown_by_name_with_the_fields_it_carries() -> None:
    renderer, stream, clock = plain(2)
    renderer.event(SettlingEvent("", "settling", 0, 2, seconds_left=12.0))
    assert stream.getvalue() == "provisioning: settling: seconds left 12.0\n"
    clock.now += 1
    renderer.event(SettlingEvent("", "settling", 0, 2, seconds_left=11.0))  # unchanged kind
    clock.now += 5
    renderer.event(SettlingEvent("", "settling", 0, 2, seconds_left=6.0))  # a reminder is due
    assert stream.getvalue().splitlines()[1:] == ["provisioning: settling: seconds left 6.0"]
    renderer.event(ProgressEvent("a", "reconciled", 1, 2))
    assert "1 reconciled" in stream.getvalue().splitlines()[-1]


def test_plain_progress_says_when_it_waits_on_the_limiter() -> None:
    limiter = QueuedLimiter(waiting=0)
    renderer, stream, _ = plain(3, limiter)
    renderer.tick()
    assert stream.getvalue() == ""
    renderer._limiter = QueuedLimiter(waiting=3)
    renderer.tick()
    renderer.tick()  # said once, not at every look
    assert stream.getvalue() == (
        "provisioning: waiting on the rate limit (100 requests per 60 s): 3 purchases queued\n"
    )


def test_rich_progress_draws_the_bar_counts_and_the_limiter_wait() -> None:
    clock = FakeClock()
    console = Console(file=io.StringIO(), force_terminal=True, width=160)
    renderer = RichRenderer(Tally(2, clock=clock), QueuedLimiter(waiting=1), console)
    clock.now += 1
    renderer.event(ProgressEvent("a", "created", 1, 2))
    renderer.close()
    screen = ANSI.sub("", console.file.getvalue())  # type: ignore[attr-defined]
    assert "provisioning" in screen and "1/2" in screen
    assert "1 created, 0 reconciled, 0 skipped, 0 failed, 0 not attempted" in screen
    assert "1.0/s, ETA 0:01" in screen
    assert "waiting on the rate limit (100 requests per 60 s): 1 purchases queued" in screen


ORDERS = 6


def orders_file(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(
        "reference,product,bandwidth_gb\n"
        + "".join(f"job-{i},residential,1\n" for i in range(ORDERS))
    )
    return path


def provision_argv(fake: FakeFlashProxy, tmp_path: Path) -> list[str]:
    # Two starts a second: the job's last purchases must wait on the limiter.
    return [
        "provision", str(orders_file(tmp_path)), "--journal", str(tmp_path / "j"),
        "--rate", "2", "--period", "1", "--base-url", fake.base_url,
    ]  # fmt: skip


def read_until_closed(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


async def test_progress_on_a_terminal_is_a_live_rich_display(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()
    env = cli_env(flashproxy_fake.api_key, TERM="xterm-256color", COLUMNS="160")
    process = await asyncio.create_subprocess_exec(
        FLASHPROXY, *provision_argv(flashproxy_fake, tmp_path),
        stdin=terminal, stdout=terminal, stderr=terminal, env=env,
    )  # fmt: skip
    os.close(terminal)
    try:
        with anyio.fail_after(60):
            output = await anyio.to_thread.run_sync(read_until_closed, controller)
            await process.wait()
    finally:
        os.close(controller)
    assert process.returncode == 0, output
    text = output.decode()
    assert ANSI.search(text), "a terminal gets rich's live display"
    screen = ANSI.sub("", text)
    assert f"{ORDERS}/{ORDERS}" in screen
    assert f"{ORDERS} created, 0 reconciled, 0 skipped, 0 failed, 0 not attempted" in screen
    assert "waiting on the rate limit (2 requests per 1 s)" in screen
    assert re.search(r"[0-9.]+/(s|min)", screen)


async def test_piped_progress_is_plain_lines(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    result = await run(
        *provision_argv(flashproxy_fake, tmp_path), env=cli_env(flashproxy_fake.api_key)
    )
    assert result.code == 0, result.err
    assert not ANSI.search(result.err + result.out)
    lines = result.err.splitlines()
    assert all(line.startswith("provisioning") for line in lines), lines
    assert any(
        line.startswith("provisioning: waiting on the rate limit (2 requests per 1 s): ")
        for line in lines
    )
    assert lines[-1].startswith(f"provisioning {ORDERS}/{ORDERS}: {ORDERS} created, ")
    assert f"{ORDERS} created, 0 reconciled, 0 skipped, 0 failed, 0 not attempted" in result.out
