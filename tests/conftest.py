"""Shared test helpers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _support.clock import FakeClock

if TYPE_CHECKING:
    from flashproxy_async.testing import RecordedRequest

pytest_plugins = ["flashproxy_async.testing._pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Names the file holding the published API documentation's text (the one-line raw dump
#: or a reflowed copy: the tests that read it do not depend on line breaks).
API_DOCS_VARIABLE = "FLASHPROXY_API_DOCS"


def read_api_docs() -> str | None:
    """The API documentation's text, or None when FLASHPROXY_API_DOCS names no file.

    For collecting parameters; a test that needs the text takes the ``api_docs`` fixture,
    which says why it is missing.
    """
    value = os.environ.get(API_DOCS_VARIABLE)
    if not value or not Path(value).is_file():
        return None
    return Path(value).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def api_docs() -> str:
    """The API documentation's text; skips without it, and fails in CI on a wrong path."""
    value = os.environ.get(API_DOCS_VARIABLE)
    if not value:
        pytest.skip(f"set {API_DOCS_VARIABLE} to the API documentation's text to run this")
    if not Path(value).is_file():
        message = f"{API_DOCS_VARIABLE}={value} names no file"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # the documentation was meant to be there: no silent skip
        pytest.skip(message)
    return Path(value).read_text(encoding="utf-8")


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
