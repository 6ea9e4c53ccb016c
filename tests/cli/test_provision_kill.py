"""A provisioning job SIGKILLed midway and rerun leaves exactly one plan per order."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from flashproxy_async.testing import FakeFlashProxy

from ._run import cli_env, run, start

ORDERS = 10
_POLL = 0.02
_MAX_WAIT = 30.0


def journal_events(path: Path) -> list[str]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line)["event"])
        except (ValueError, KeyError):
            continue  # torn by the kill
    return events


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll (the journal is a file, the fake's state plain data) a bounded number of times."""
    for _ in range(int(_MAX_WAIT / _POLL)):
        if condition():
            return
        await asyncio.sleep(_POLL)
    raise AssertionError("condition not met in time")


async def kill_when(
    argv: tuple[str, ...], env: dict[str, str], condition: Callable[[], bool]
) -> None:
    process = await start(*argv, env=env)
    await wait_until(condition)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL


async def test_killed_job_rerun_buys_exactly_one_plan_per_order(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    fake = flashproxy_fake
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "reference,product,bandwidth_gb\n"
        + "".join(f"job-{i},residential,{i + 1}\n" for i in range(ORDERS))
    )
    # Staggered purchases: the k-th POST is held 0.08*k s, so a kill finds some orders
    # done, some in flight and (after the first kill) some not yet sent.
    for k in range(1, 2 * ORDERS):
        fake.faults.delay(0.08 * k, method="POST", path="/plans")
    journal = tmp_path / "job.journal"
    env = cli_env(fake.api_key)
    # A scaled settle window: an intent whose request the kill cut off before it was
    # sent is looked up again 2 s after it, not after the default 65 s.
    argv = (
        "provision", str(orders), "--journal", str(journal), "--max-concurrent", "2",
        "--base-url", fake.base_url, "--settle", "2",
    )  # fmt: skip

    def posts_answered() -> bool:
        return all(r.response is not None for r in fake.requests_for("POST", "/plans"))

    await kill_when(argv, env, lambda: journal_events(journal).count("created") >= 3)
    # Purchases in flight at the kill still complete on the server; wait for them, as
    # a real rerun would come later.
    await wait_until(posts_answered)
    first_events = len(journal_events(journal))
    assert 3 <= len(fake.state.plans) < ORDERS

    await kill_when(argv, env, lambda: len(journal_events(journal)) > first_events + 2)
    await wait_until(posts_answered)

    result = await run(*argv, "--json", env=env)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    references = {f"job-{i}" for i in range(ORDERS)}
    assert set(report["created"]) == references
    bought = Counter(plan.end_user_reference for plan in fake.state.plans.values())
    assert bought == Counter(dict.fromkeys(references, 1))
    for ref, plan in report["created"].items():
        assert fake.state.plans[plan["plan_id"]].end_user_reference == ref


def write_orders(path: Path, count: int) -> set[str]:
    path.write_text(
        "reference,product,bandwidth_gb\n"
        + "".join(f"customer-{i}/2026-12-01/1,residential,{i + 1}\n" for i in range(count))
    )
    return {f"customer-{i}/2026-12-01/1" for i in range(count)}


def assert_exactly_once(fake: FakeFlashProxy, references: set[str], start_balance: int) -> None:
    """One plan per order, none lost, and the money charged is what the orders cost."""
    plans = list(fake.state.plans.values())
    assert Counter(p.end_user_reference for p in plans) == Counter(dict.fromkeys(references, 1))
    assert start_balance - fake.state.balance_cents == sum(p.cost_cents for p in plans) > 0


async def test_an_immediate_rerun_waits_for_the_killed_runs_purchases_to_settle(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    fake = flashproxy_fake
    balance = fake.state.balance_cents
    references = write_orders(tmp_path / "orders.csv", ORDERS)
    # Every purchase commits 3 s after it arrives (3000 s at the fake's scale): a
    # supervisor that restarts the job at once looks before the killed runs' purchases
    # commit. The settle window (6 s) is longer than that, as the default (the attempt
    # timeout plus a margin) is longer than a purchase can take.
    fake.faults.commit_late(3000, None)
    journal = tmp_path / "job.journal"
    env = cli_env(fake.api_key)
    argv = (
        "provision", str(tmp_path / "orders.csv"), "--journal", str(journal),
        "--max-concurrent", "2", "--base-url", fake.base_url, "--settle", "6",
    )  # fmt: skip

    def purchases_received() -> int:
        return len(fake.requests_for("POST", "/plans"))

    # Each run is killed once a purchase of its own reached the server.
    for _kill in range(3):
        received = purchases_received()
        await kill_when(argv, env, lambda n=received: purchases_received() > n)
    # No pause: the rerun comes while the killed runs' purchases are still in progress.
    # (The in-process settle test shows the wait itself; here the machine's speed
    # decides which of the killed purchases are still inside their window.)
    result = await run(*argv, "--json", env=env)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert set(report["created"]) == references
    await wait_until(lambda: all(r.response is not None for r in fake.requests_for("POST")))
    assert_exactly_once(fake, references, balance)


async def test_two_runs_at_once_with_two_journals_buy_nothing_twice(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    fake = flashproxy_fake
    balance = fake.state.balance_cents
    references = write_orders(tmp_path / "orders.csv", 4)
    # Held until the test lets them go: the second run starts while the first runs.
    fake.faults.delay(60.0, None, method="POST", path="/plans")
    env = cli_env(fake.api_key)
    common = ("provision", str(tmp_path / "orders.csv"), "--base-url", fake.base_url)
    first_journal = tmp_path / "first.journal"
    first = await start(*common, "--journal", str(first_journal), env=env)
    await wait_until(lambda: "intent" in journal_events(first_journal))
    second = await run(*common, "--journal", str(tmp_path / "second.journal"), env=env)
    assert second.code == 2
    [line] = second.err.strip().splitlines()
    assert str(first_journal) in line and f"pid {first.pid}" in line
    assert fake.api_key not in line
    fake.faults.clear()
    fake.faults.release_held()
    assert await asyncio.wait_for(first.wait(), _MAX_WAIT) == 0
    assert_exactly_once(fake, references, balance)


@pytest.mark.parametrize(
    "damage", ["emptied", "garbage", "random bytes", "cut in half", "deleted", "second journal"]
)
async def test_a_damaged_or_lost_journal_never_buys_a_finished_job_again(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path, damage: str
) -> None:
    fake = flashproxy_fake
    balance = fake.state.balance_cents
    references = write_orders(tmp_path / "orders.csv", 6)
    journal = tmp_path / "job.journal"
    env = cli_env(fake.api_key)

    def argv(path: Path) -> tuple[str, ...]:
        return ("provision", str(tmp_path / "orders.csv"), "--journal", str(path),
                "--base-url", fake.base_url, "--json")  # fmt: skip

    assert (await run(*argv(journal), env=env)).code == 0
    content = journal.read_bytes()
    refused = damage in ("emptied", "garbage", "random bytes")
    if damage == "emptied":
        journal.write_bytes(b"")
    elif damage == "garbage":
        journal.write_bytes(b"lorem ipsum\n" * 40)
    elif damage == "random bytes":
        journal.write_bytes(os.urandom(2000))
    elif damage == "cut in half":
        journal.write_bytes(content[: len(content) // 2])
    elif damage == "deleted":
        journal.unlink()
    else:
        journal = tmp_path / "second.journal"
    posts, requests = len(fake.requests_for("POST")), len(fake.requests)
    result = await run(*argv(journal), env=env)
    if refused:
        assert result.code == 2
        [line] = result.err.strip().splitlines()
        assert str(journal) in line
        assert ":1: not a provisioning journal" in line or "empty" in line
        assert len(fake.requests) == requests  # refused before anything was sent
        journal.unlink()  # what the operator does next: the walk covers a lost journal
        result = await run(*argv(journal), env=env)
    assert result.code == 0, result.err
    assert set(json.loads(result.out)["created"]) == references
    assert len(fake.requests_for("POST")) == posts
    assert_exactly_once(fake, references, balance)


async def test_an_orders_file_given_as_the_journal_is_refused_untouched(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    write_orders(orders, 4)
    before = orders.read_bytes()
    result = await run(
        "provision", str(orders), "--journal", str(orders), "--base-url",
        flashproxy_fake.base_url, env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert f"{orders}:1: not a provisioning journal" in line
    assert orders.read_bytes() == before
    assert flashproxy_fake.requests == []
