"""Shared test helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support.clock import FakeClock

if TYPE_CHECKING:
    from flashproxy_async.testing import RecordedRequest

pytest_plugins = ["flashproxy_async.testing._pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = REPO_ROOT.parent / "shared" / "seed" / "flashproxy-reseller-api.md"


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """The vendored openapi.json."""
    spec: dict[str, Any] = json.loads((REPO_ROOT / "openapi.json").read_text(encoding="utf-8"))
    return spec


@pytest.fixture
def fake_time() -> FakeClock:
    """A fake clock for code that takes a clock, a sleep or a wall clock."""
    return FakeClock()


_FAKE_ANSWERS: list[RecordedRequest] = []


@pytest.fixture(scope="session", autouse=True)
def _record_every_fake_answer() -> Iterator[None]:
    """Hook every FakeFlashProxy built in this process, whoever builds it."""
    from flashproxy_async.testing import FakeFlashProxy

    original = FakeFlashProxy.__init__

    def recording_init(self: FakeFlashProxy, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.add_response_hook(_FAKE_ANSWERS.append)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakeFlashProxy, "__init__", recording_init)
        yield


@pytest.fixture(autouse=True)
def fake_answers(_record_every_fake_answer: None) -> Iterator[list[RecordedRequest]]:
    """The fake's answers of this test; each is checked against openapi.json afterwards.

    Fakes in child processes (CLI and bench tests) are out of reach and not checked.
    """
    from testing._openapi_check import check_record

    _FAKE_ANSWERS.clear()
    yield _FAKE_ANSWERS
    answers = list(_FAKE_ANSWERS)
    _FAKE_ANSWERS.clear()
    for record in answers:
        check_record(record)
