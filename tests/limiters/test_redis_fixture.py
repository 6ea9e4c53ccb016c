"""The Redis fixture skips only where the tests may be skipped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def _run_probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_probe.py").write_text("def test_probe(redis_url):\n    pass\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "FLASHPROXY_TEST_REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens once the socket is closed


def test_a_redis_url_that_does_not_answer_fails_instead_of_skipping(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    result = _run_probe(tmp_path, FLASHPROXY_TEST_REDIS_URL=url)
    assert result.returncode == 1, result.stdout
    assert "does not answer" in result.stdout
    assert "FLASHPROXY_TEST_REDIS_URL asks for" in result.stdout
