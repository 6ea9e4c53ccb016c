"""--journal redis://HOST:PORT/DB?job=NAME: the CLI's shared journal, and open_journal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cli._run import cli_env, run

from flashproxy_async.bulk import JournalError, RedisJournal, open_journal
from flashproxy_async.testing import FakeFlashProxy


def test_a_path_stays_a_path() -> None:
    assert open_journal("orders.journal") == "orders.journal"


def test_a_redis_url_names_a_job_and_a_lease() -> None:
    journal = open_journal("redis://:hunter2@127.0.0.1:6379/3?job=shop-1&lease=7.5")
    assert isinstance(journal, RedisJournal)
    assert (journal.job, journal.lease) == ("shop-1", 7.5)
    assert "hunter2" not in journal.name + repr(journal)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("redis://127.0.0.1:6379/0", "name the job"),
        ("redis://:pw@127.0.0.1:6379/0?job=x&lease=soon", "lease must be a positive number"),
        ("redis://127.0.0.1:6379/0?job=x&lease=-1", "lease must be a positive number"),
    ],
)
def test_a_redis_url_without_a_job_or_with_a_bad_lease_is_refused(spec: str, message: str) -> None:
    with pytest.raises(JournalError, match=message) as caught:
        open_journal(spec)
    assert "pw" not in str(caught.value)


async def test_two_cli_runs_on_one_redis_job_buy_each_order_once(
    flashproxy_fake: FakeFlashProxy, redis_url: str, job: str, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "reference,product,bandwidth_gb\n" + "".join(f"cli/{i},residential,1\n" for i in range(6))
    )
    argv = (
        "provision", str(orders), "--journal", f"{redis_url}?job={job}&lease=2",
        "--settle", "1", "--base-url", flashproxy_fake.base_url, "--json",
    )  # fmt: skip
    env = cli_env(flashproxy_fake.api_key)
    first = await run(*argv, env=env)
    second = await run(*argv, env=env)
    assert first.code == 0, first.err
    assert second.code == 0, second.err
    assert set(json.loads(second.out)["created"]) == {f"cli/{i}" for i in range(6)}
    bought = Counter(plan.end_user_reference for plan in flashproxy_fake.state.plans.values())
    assert bought == Counter({f"cli/{i}": 1 for i in range(6)})


async def test_the_cli_refuses_a_redis_journal_without_a_job_before_sending_anything(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\ncli/0,residential,1\n")
    result = await run(
        "provision", str(orders), "--journal", "redis://127.0.0.1:1/0",
        "--base-url", flashproxy_fake.base_url, env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert result.code == 2
    assert result.err.count("\n") == 1 and "name the job" in result.err
    assert flashproxy_fake.requests == []


async def test_the_cli_with_redis_down_sends_nothing_and_says_so_on_one_line(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\ncli/0,residential,1\n")
    result = await run(
        "provision", str(orders), "--journal", "redis://127.0.0.1:1/0?job=x",
        "--base-url", flashproxy_fake.base_url, env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Redis journal 'x'" in result.err
    assert flashproxy_fake.requests == []
