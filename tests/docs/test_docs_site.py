"""The documentation site builds with ``mkdocs build --strict``, as CI builds it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

_INCLUDE = re.compile(r'--8<-- "README\.md:([a-z-]+)"')


def test_every_guide_page_includes_a_readme_section_that_exists() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    pages = sorted((REPO_ROOT / "docs").glob("*.md"))
    included = {name: page.name for page in pages for name in _INCLUDE.findall(page.read_text())}
    assert set(included) >= {
        "getting-started", "proxy-urls", "errors-and-money", "limits", "blocking", "bulk",
        "cli", "testing",
    }  # fmt: skip
    for name in included:
        assert f"<!-- --8<-- [start:{name}] -->" in readme, name
        assert f"<!-- --8<-- [end:{name}] -->" in readme, name


def test_mkdocs_build_strict_passes(tmp_path: Path) -> None:
    pytest.importorskip("mkdocstrings", reason="the docs extra is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reference = (tmp_path / "reference" / "models" / "index.html").read_text()
    assert 'id="flashproxy_async.models.Plan.proxy_urls"' in reference
    assert (tmp_path / "spec-bump" / "index.html").exists()
