"""The file journal: a journal of one job, or it is refused, naming the file and the line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flashproxy_async import FlashProxyError
from flashproxy_async.bulk import JournalError, JournalInUseError, PlanOrder
from flashproxy_async.bulk._journal import FileJournal
from flashproxy_async.bulk._journal_base import JobHeader, OrderState, job_id

from ._journals import header, intent, line, write

BASE = "http://127.0.0.1:1/api/v1"
ORDERS = [PlanOrder(reference=r, product="residential", bandwidth_gb=1) for r in "abc"]
HEADER = JobHeader(job_id(ORDERS), BASE)
ABSENT = line(event="absent", reference="a")


def opened(path: Path) -> FileJournal:
    journal = FileJournal(path)
    journal.open(HEADER)
    return journal


def test_a_new_journal_starts_with_its_header_and_never_the_key(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = opened(path)
    journal.close()
    first = json.loads(path.read_text().splitlines()[0])
    assert first["flashproxy_journal"] == "provision" and first["format"] == 2
    assert first["job"] == job_id(ORDERS) and first["base_url"] == BASE
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["j"]  # the temporary file is gone


def test_the_job_is_its_references_and_products_in_any_order() -> None:
    assert job_id(ORDERS) == job_id(list(reversed(ORDERS)))
    other = [*ORDERS[:2], PlanOrder(reference="c", product="mobile", bandwidth_gb=1)]
    assert job_id(other) != job_id(ORDERS)


def test_a_journal_in_use_by_another_run_is_refused_naming_path_and_pid(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = opened(path)
    try:
        with pytest.raises(JournalInUseError) as caught:
            opened(path)
        assert str(path) in str(caught.value)
        assert f"pid {os.getpid()}" in str(caught.value)
        assert isinstance(caught.value, JournalError) and isinstance(caught.value, OSError)
    finally:
        journal.close()
    opened(path).close()  # free again once the first run closed it


def test_last_record_decides_and_a_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = opened(path)
    journal.intent(ORDERS[0], sent_at=100.0)
    journal.failed("a", ValueError("boom"), outcome_unknown=False)
    journal.intent(ORDERS[1], sent_at=200.0)
    journal.failed("b", TimeoutError("lost"), outcome_unknown=True)
    journal.close()
    with path.open("a") as handle:
        handle.write('{"v": 2, "event": "absent", "refer')
    journal = opened(path)
    assert journal.state("a").state is OrderState.RETRY
    b = journal.state("b")
    assert b.state is OrderState.IN_DOUBT and b.sent_at == 200.0  # the intent's time
    assert journal.state("c").state is OrderState.NEW
    journal.absent("b")
    journal.close()
    assert "refer" not in path.read_text().replace('"reference"', "")
    assert opened_state(path, "b") is OrderState.RETRY


def opened_state(path: Path, reference: str) -> OrderState:
    journal = opened(path)
    try:
        return journal.state(reference).state
    finally:
        journal.close()


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"reference,product,bandwidth_gb\na,residential,1\n", ":1: not a provisioning journal"),
        (b"notes about the job\n", ":1: not a provisioning journal"),
        (b'{"event": "intent", "reference": "a"}\n', ":1: not a provisioning journal"),
        (os.urandom(64).replace(b"\n", b"x") + b"\n", ":1: not a provisioning journal"),
    ],
)
def test_a_file_that_is_not_a_journal_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, complaint: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    with pytest.raises(JournalError, match=complaint) as caught:
        opened(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, FlashProxyError)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("body", "number", "complaint"),
    [
        ("garbage\n" + line(event="absent", reference="a"), 2, "not a JSON record"),
        (ABSENT + '{"v": 2, "eve\n' + ABSENT, 3, "not a JSON record"),
        ("[1, 2]\n", 2, "not a journal record"),
        (line(event="bought", reference="a"), 2, "not a journal record"),
        (line(event="intent", reference="a"), 2, "a damaged intent"),
        (line(event="created", reference="a", plan="x"), 2, "a damaged created"),
        # A damaged last line that ends with its newline was written whole: damage.
        (line(event="absent", reference="a") + "garbage\n", 3, "not a JSON record"),
    ],
)  # fmt: skip
def test_a_damaged_record_anywhere_but_a_torn_last_line_is_refused(
    tmp_path: Path, body: str, number: int, complaint: str
) -> None:
    path = tmp_path / "j"
    write(path, ORDERS, BASE, body)
    before = path.read_bytes()
    with pytest.raises(JournalError, match=f"{path}:{number}: {complaint}"):
        opened(path)
    assert path.read_bytes() == before


def test_random_bytes_after_the_header_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(header(ORDERS, BASE).encode() + b"\xff\xfe\x00garbage\n")
    with pytest.raises(JournalError, match=f"{path}:2: not UTF-8"):
        opened(path)


def test_a_journal_of_another_job_or_api_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    write(path, ORDERS[:2], BASE, intent(ORDERS[0]))
    with pytest.raises(JournalError, match="another job"):
        opened(path)
    write(path, ORDERS, "https://elsewhere.example/api/v1")
    with pytest.raises(JournalError, match=r"elsewhere\.example"):
        opened(path)


def test_a_journal_deleted_during_the_run_stops_the_writes(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = opened(path)
    try:
        path.unlink()
        with pytest.raises(JournalError, match="deleted or replaced"):
            journal.intent(ORDERS[0], sent_at=1.0)
    finally:
        journal.close()


def test_a_directory_is_not_a_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="directory"):
        opened(tmp_path)
