"""A provisioning job SIGKILLed midway and rerun leaves exactly one plan per order."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

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
    argv = (
        "provision", str(orders), "--journal", str(journal), "--max-concurrent", "2",
        "--base-url", fake.base_url,
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
