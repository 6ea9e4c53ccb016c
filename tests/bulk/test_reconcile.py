"""Reruns after an unknown outcome: one walk of the plan list, nothing bought twice."""

from __future__ import annotations

import json
from pathlib import Path

from flashproxy_async._client import AsyncFlashProxy
from flashproxy_async.bulk import PlanOrder, provision
from flashproxy_async.testing import FakeFlashProxy


def residential(reference: str) -> PlanOrder:
    return PlanOrder(reference=reference, product="residential", bandwidth_gb=5)


def intent_line(order: PlanOrder) -> str:
    record = {"v": 1, "event": "intent", "reference": order.reference, "order": {}}
    return json.dumps(record) + "\n"


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

    flashproxy_fake.requests.clear()
    second = await provision(client, orders, journal=journal)
    assert sorted(second.reconciled) == sorted(first.in_doubt)
    assert sorted(second.created) == sorted(o.reference for o in orders)
    assert flashproxy_fake.requests_for("POST") == []
    walk = flashproxy_fake.requests_for("GET", "/plans")
    assert [r.query.get("page") for r in walk] == [str(n) for n in range(1, len(walk) + 1)]
    assert all(r.query.get("product") == "residential" for r in walk)
    assert all(r.query.get("per_page") == "100" for r in walk)
    plans = flashproxy_fake.state.plans.values()
    assert len([p for p in plans if p.end_user_reference in second.created]) == 6


async def test_intent_without_outcome_is_reconciled_or_bought_once(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    bought = PlanOrder(
        reference="bought", product="datacenter", billing_type="bandwidth", bandwidth_gb=1
    )
    lost = residential("lost")
    existing = flashproxy_fake.state.add_plan("datacenter", end_user_reference="bought")
    journal = tmp_path / "j"
    # A killed run: intents durable, no outcomes, and a torn last line.
    journal.write_text(intent_line(bought) + intent_line(lost) + '{"v": 1, "event": "cre')

    report = await provision(client, [bought, lost], journal=journal)
    assert str(report.created["bought"].plan_id) == existing.plan_id
    assert report.reconciled == ["bought"]
    assert [r.json["end_user_reference"] for r in flashproxy_fake.requests_for("POST")] == ["lost"]
    walk = flashproxy_fake.requests_for("GET", "/plans")
    assert len(walk) == 1 and "product" not in walk[0].query  # two products: no filter
    torn, *appended = journal.read_text().splitlines()[2:]
    assert torn == '{"v": 1, "event": "cre'
    events = [json.loads(line)["event"] for line in appended]
    assert events == ["created", "absent", "intent", "created"]

    flashproxy_fake.requests.clear()
    again = await provision(client, [bought, lost], journal=journal)
    assert sorted(again.created) == ["bought", "lost"] and flashproxy_fake.requests == []


async def test_nothing_in_doubt_means_no_walk(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    await provision(client, [residential("a")], journal=tmp_path / "j")
    assert flashproxy_fake.requests_for("GET", "/plans") == []


async def test_a_created_record_that_no_longer_reads_as_a_plan_is_reconciled_not_rebought(
    client: AsyncFlashProxy, flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    existing = flashproxy_fake.state.add_plan("residential", end_user_reference="bought")
    journal = tmp_path / "j"
    # Written by an SDK whose Plan model differed: plan_id no longer parses.
    created = {"v": 1, "event": "created", "reference": "bought", "plan": {"plan_id": 42}}
    journal.write_text(intent_line(residential("bought")) + json.dumps(created) + "\n")

    report = await provision(client, [residential("bought")], journal=journal)
    assert flashproxy_fake.requests_for("POST") == []
    assert report.reconciled == ["bought"]
    assert str(report.created["bought"].plan_id) == existing.plan_id
