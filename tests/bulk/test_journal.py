"""The journal: one run at a time, torn lines ignored, states from the last record."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashproxy_async.bulk import PlanOrder
from flashproxy_async.bulk._journal import Journal, JournalInUseError, OrderState


def test_a_journal_in_use_by_another_run_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with Journal(path), pytest.raises(JournalInUseError, match="in use"):
        Journal(path).open()
    with Journal(path):  # free again once the first run closed it
        pass


def test_last_record_decides_and_torn_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "j"
    order = PlanOrder(reference="a", product="residential", bandwidth_gb=1)
    with Journal(path) as journal:
        journal.intent(order)
        journal.failed("a", ValueError("boom"), outcome_unknown=False)
        journal.intent(PlanOrder(reference="b", product="residential", bandwidth_gb=1))
    with path.open("a") as handle:
        handle.write('{"v": 1, "event": "absent", "refer')
    with Journal(path) as journal:
        assert journal.state("a").state is OrderState.RETRY
        assert journal.state("b").state is OrderState.IN_DOUBT
        assert journal.state("c").state is OrderState.NEW
        journal.absent("b")
    with Journal(path) as journal:
        assert journal.state("b").state is OrderState.RETRY
    assert path.stat().st_mode & 0o777 == 0o600
