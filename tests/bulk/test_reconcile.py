"""Reconciliation: orders the journal cannot vouch for are looked up, in one walk, first."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.bulk import JournalError, PlanOrder, ReferenceConflictError, provision
from flashproxy_async.testing import FakeFlashProxy

from ._journals import events, intent, line, write


def residential(reference: str) -> PlanOrder:
    return PlanOrder(reference=reference, product="residential", bandwidth_gb=5)


def plans_per_reference(fake: FakeFlashProxy) -> Counter[str | None]:
    return Counter(plan.end_user_reference for plan in fake.state.plans.values())


async def test_dropped_purchase_is_found_on_rerun_in_one_walk(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    journal = tmp_path / "j"
    orders = [residential(f"r{i}") for i in range(6)]
    flashproxy_fake.faults.process_then_drop(2, method="POST", path="/plans")
    # Unrelated plans make the list longer than one page of the walk.
    for i in range(150):
        flashproxy_fake.state.add_plan("residential", end_user_reference=f"other-{i}")

    first = await provision(client, orders, journal=journal)
    assert len(first.in_doubt) == 2
    assert len(first.created) == 4
    assert all(e.outcome_unknown for e in first.failed.values())
    assert first.reconcile_requests == 2  # 150 plans: two pages of 100, nothing found

    flashproxy_fake.requests.clear()
    second = await provision(client, orders, journal=journal, settle=0)
    assert sorted(second.reconciled) == sorted(first.in_doubt)
    assert sorted(second.created) == sorted(o.reference for o in orders)
    assert flashproxy_fake.requests_for("POST") == []
    walk = flashproxy_fake.requests_for("GET", "/plans")
    assert [r.query.get("page") for r in walk] == [str(n) for n in range(1, len(walk) + 1)]
    assert all(r.query.get("per_page") == "100" for r in walk)
    assert second.reconcile_requests == len(walk)
    assert plans_per_reference(flashproxy_fake) - Counter() == Counter(
        {**{f"other-{i}": 1 for i in range(150)}, **{o.reference: 1 for o in orders}}
    )


async def test_intent_without_outcome_is_reconciled_or_bought_once(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    bought = PlanOrder(
        reference="bought", product="datacenter", billing_type="bandwidth", bandwidth_gb=1
    )
    lost = residential("lost")
    existing = flashproxy_fake.state.add_plan("datacenter", end_user_reference="bought")
    journal = tmp_path / "j"
    # A killed run, long ago: intents durable, no outcomes, and a torn last line.
    write(
        journal, [bought, lost], flashproxy_fake.base_url,
        intent(bought), intent(lost), '{"v": 2, "event": "cre',
    )  # fmt: skip

    report = await provision(client, [bought, lost], journal=journal, settle=1.0)
    assert str(report.created["bought"].plan_id) == existing.plan_id
    assert report.reconciled == ["bought"]
    assert [r.json["end_user_reference"] for r in flashproxy_fake.requests_for("POST")] == ["lost"]
    assert len(flashproxy_fake.requests_for("GET", "/plans")) == 1
    # The torn line was cut off, and what followed reads cleanly.
    assert events(journal) == ["intent", "intent", "created", "absent", "intent", "created"]

    flashproxy_fake.requests.clear()
    again = await provision(client, [bought, lost], journal=journal, reconcile="journal")
    assert sorted(again.created) == ["bought", "lost"]
    assert flashproxy_fake.requests_for("POST") == []
    assert flashproxy_fake.requests_for("GET", "/plans") == []


async def test_journal_mode_walks_only_for_what_the_journal_doubts(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    report = await provision(
        client, [residential("a")], journal=tmp_path / "j", reconcile="journal"
    )
    assert report.ok and report.reconcile_requests == 0
    assert flashproxy_fake.requests_for("GET", "/plans") == []


async def test_a_created_record_that_no_longer_reads_as_a_plan_is_reconciled_not_rebought(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    existing = flashproxy_fake.state.add_plan("residential", end_user_reference="bought")
    journal = tmp_path / "j"
    order = residential("bought")
    # Written by an SDK whose Plan model differed: plan_id no longer parses.
    write(
        journal, [order], flashproxy_fake.base_url,
        intent(order), line(event="created", reference="bought", plan={"plan_id": 42}),
    )  # fmt: skip
    report = await provision(client, [order], journal=journal, reconcile="journal")
    assert flashproxy_fake.requests_for("POST") == []
    assert report.reconciled == ["bought"]
    assert str(report.created["bought"].plan_id) == existing.plan_id


@pytest.mark.parametrize("damage", ["emptied", "deleted", "second journal"])
async def test_a_lost_or_replaced_journal_never_buys_an_order_again(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path, damage: str
) -> None:
    orders = [residential(f"r{i}") for i in range(8)]
    journal = tmp_path / "j"
    first = await provision(client, orders, journal=journal)
    assert first.ok
    balance_after_first = flashproxy_fake.state.balance_cents
    if damage == "emptied":
        journal.write_text("")
        # An empty file is damage, not a new journal: refused, nothing sent.
        flashproxy_fake.requests.clear()
        with pytest.raises(JournalError, match="empty"):
            await provision(client, orders, journal=journal)
        assert flashproxy_fake.requests == []
        journal.unlink()  # what the operator does next
    elif damage == "deleted":
        journal.unlink()
    else:
        journal = tmp_path / "second.journal"
    posts_before = len(flashproxy_fake.requests_for("POST"))
    rerun = await provision(client, orders, journal=journal)
    assert sorted(rerun.reconciled) == sorted(o.reference for o in orders)
    assert len(flashproxy_fake.requests_for("POST")) == posts_before
    assert plans_per_reference(flashproxy_fake) == Counter({o.reference: 1 for o in orders})
    assert flashproxy_fake.state.balance_cents == balance_after_first
    assert all(plan.proxy_url() for plan in rerun.created.values())


async def test_a_plan_of_another_product_under_the_reference_is_a_conflict(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    other = flashproxy_fake.state.add_plan("mobile", end_user_reference="customer-42/1")
    orders = [residential("customer-42/1"), residential("customer-42/2")]
    report = await provision(client, orders, journal=tmp_path / "j")
    error = report.failed["customer-42/1"]
    assert isinstance(error, ReferenceConflictError)
    assert other.plan_id in str(error) and "mobile" in str(error)
    assert [r.json["end_user_reference"] for r in flashproxy_fake.requests_for("POST")] == [
        "customer-42/2"
    ]
    # Never bought, on any rerun, in either mode.
    for mode in ("always", "journal"):
        again = await provision(client, orders, journal=tmp_path / "j", reconcile=mode)  # type: ignore[arg-type]
        assert isinstance(again.failed["customer-42/1"], ReferenceConflictError)
    assert len(flashproxy_fake.requests_for("POST")) == 1
    assert json.loads((tmp_path / "j").read_text().splitlines()[-1])["event"] == "conflict"
