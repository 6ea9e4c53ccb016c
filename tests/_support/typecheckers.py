"""Run mypy and pyright on files outside the repository, as a user of the package would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_PYRIGHT_TIMEOUT = 300.0  # its first run downloads the npm package


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def _clean_env() -> dict[str, str]:
    # A user's shell: no PYTHONPATH pointing into the repository, no coverage hooks.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("COV_")}


def run_mypy(script: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict script`` from the script's own directory."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", script.name],
        cwd=script.parent,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def run_pyright(script: Path) -> subprocess.CompletedProcess[str]:
    """``pyright script`` with this interpreter; skips when pyright cannot start here.

    The pyright package on PyPI is a wrapper that fetches pyright itself from npm (and
    Node.js if none is installed) on first use, so an offline machine cannot run it.
    """
    pyright = _tool("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (pip install pyright)")
    try:
        version = subprocess.run(
            [pyright, "--version"],
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=_PYRIGHT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("pyright did not start in time (no network to fetch it from npm?)")
    if version.returncode != 0 or "pyright" not in version.stdout.lower():
        pytest.skip(f"pyright cannot run here: {(version.stderr or version.stdout).strip()}")
    return subprocess.run(
        [pyright, "--pythonpath", sys.executable, script.name],
        cwd=script.parent,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=_PYRIGHT_TIMEOUT,
        check=False,
    )
