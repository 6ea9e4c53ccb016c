"""Shared test helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["flashproxy_async.testing._pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = REPO_ROOT.parent / "shared" / "seed" / "flashproxy-reseller-api.md"


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """The vendored openapi.json."""
    spec: dict[str, Any] = json.loads((REPO_ROOT / "openapi.json").read_text(encoding="utf-8"))
    return spec
