"""mypy --strict sees precise types for the client surface (RawResponse[Plan], Page[Plan])."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

HERE = Path(__file__).parent


def test_the_surface_types_check_under_mypy_strict() -> None:
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--warn-unused-ignores", str(HERE / "surface_types.py")]
    )
    assert status == 0, stdout + stderr
