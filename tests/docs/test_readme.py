"""README.md's examples run, against the fake API, so the documentation cannot rot.

Each ```python block runs as a script in a temporary directory, with FLASHPROXY_API_KEY
and FLASHPROXY_BASE_URL pointing at a fresh fake. A comment line just before a block
changes that: ``<!-- readme-test: pytest -->`` runs it as a pytest module,
``<!-- readme-test: redis -->`` runs it with ``REDIS_URL`` naming the tests' Redis
(``FLASHPROXY_TEST_REDIS_URL``; skipped without one, except under CI),
``<!-- readme-test: skip (reason) -->`` skips it, and ``<!-- readme-test: file NAME -->``
on any block writes it to NAME for the examples that follow.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import attrs
import pytest

from flashproxy_async.testing import FakeFlashProxy
from tests.conftest import REPO_ROOT

_BLOCK = re.compile(
    r"(?:<!-- readme-test: (?P<directive>[^>]*?) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)```",
    re.DOTALL,
)
_EXAMPLE_TIMEOUT_S = 60


@attrs.frozen
class Block:
    lang: str
    code: str
    directive: str
    line: int


def _blocks() -> list[Block]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return [
        Block(
            lang=match["lang"],
            code=match["code"],
            directive=(match["directive"] or "").strip(),
            line=text.count("\n", 0, match.start("code")) + 1,
        )
        for match in _BLOCK.finditer(text)
    ]


def _examples() -> list[object]:
    return [
        pytest.param(index, id=f"line-{block.line}")
        for index, block in enumerate(_blocks())
        if block.lang == "python"
    ]


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first = _blocks()[0]
    commands = [line.split("#")[0].strip() for line in first.code.splitlines()]
    assert commands == [
        'python -m pip install ".[cli]" && flashproxy demo',
        'python -m pip install -e ".[dev]" && python -m pytest',
    ]


def test_ci_runs_the_readme_commands_verbatim() -> None:
    ci_lines = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for line in _blocks()[0].code.splitlines():
        command = line.split("#")[0].strip()
        assert any(ci_line.strip() == command for ci_line in ci_lines), command


def _test_redis_url() -> str:
    url = os.environ.get("FLASHPROXY_TEST_REDIS_URL")
    if url:
        return url
    reason = "FLASHPROXY_TEST_REDIS_URL names no Redis for this README example"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.parametrize("index", _examples())
async def test_readme_example_runs(index: int, tmp_path: Path) -> None:
    blocks = _blocks()
    block = blocks[index]
    if block.directive.startswith("skip"):
        pytest.skip(f"README example at line {block.line}: {block.directive}")
    for earlier in blocks[:index]:
        if earlier.directive.startswith("file "):
            (tmp_path / earlier.directive.removeprefix("file ").strip()).write_text(earlier.code)

    async with FakeFlashProxy(time_scale=0.01) as fake:
        env = {
            **os.environ,
            "FLASHPROXY_API_KEY": fake.api_key,
            "FLASHPROXY_BASE_URL": fake.base_url,
        }
        if block.directive == "redis":
            env["REDIS_URL"] = _test_redis_url()
            env["JOB"] = f"readme:{tmp_path.name}:{os.urandom(4).hex()}"  # a fresh job
        if block.directive == "pytest":
            (tmp_path / "test_example.py").write_text(block.code)
            argv = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"]
        else:
            (tmp_path / "example.py").write_text(block.code)
            argv = ["example.py"]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *argv,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), _EXAMPLE_TIMEOUT_S)

    assert process.returncode == 0, (
        f"README example at line {block.line} failed:\n{output.decode(errors='replace')}"
    )
