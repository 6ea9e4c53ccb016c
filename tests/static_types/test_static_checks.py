"""User scripts through mypy --strict and pyright strict, for both clients.

Each ``# expect-error`` line of a mistakes script must draw an error (anywhere in
its statement), and nothing else may; a correct script must have 0 errors. So a
misspelt method, a wrong type, a misspelt enum value or a missing product field is
a static error in the async client and in the blocking one alike.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "scripts"
REPO_ROOT = Path(__file__).resolve().parents[2]
TAG = "# expect-error"
PYRIGHT_TIMEOUT = 240

MISTAKES = sorted(SCRIPTS.glob("mistakes_*.py"))
CORRECT = sorted(SCRIPTS.glob("correct_*.py"))


def tagged_spans(script: Path) -> dict[int, range]:
    """First line -> lines, of each statement carrying the tag on one of its lines."""
    source = script.read_text(encoding="utf-8")
    tagged = {n for n, line in enumerate(source.splitlines(), start=1) if TAG in line}
    spans: dict[int, range] = {}
    claimed: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and not hasattr(node, "body"):
            span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if tagged & set(span):
                spans[node.lineno] = span
                claimed |= tagged & set(span)
    assert claimed == tagged, f"{script.name}: a tag outside any simple statement"
    return spans


def problems(script: Path, error_lines: list[int]) -> list[str]:
    spans = tagged_spans(script)
    found = []
    for line, span in sorted(spans.items()):
        if not any(error in span for error in error_lines):
            found.append(f"{script.name}:{line}: expected an error, got none")
    for error in sorted(set(error_lines)):
        if not any(error in span for span in spans.values()):
            found.append(f"{script.name}:{error}: an error on a line not tagged")
    return found


@cache
def mypy_report() -> tuple[dict[str, list[int]], str]:
    """Error lines per script name, from one mypy --strict run over every script."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", os.devnull,
         "--no-incremental", "--cache-dir", os.devnull, "--no-pretty",
         *map(str, [*MISTAKES, *CORRECT])],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
        env={**os.environ, "MYPYPATH": str(REPO_ROOT)},
    )  # fmt: skip
    errors: dict[str, list[int]] = {}
    for name, line in re.findall(r"^(?:.*[/\\])?(\w+\.py):(\d+): error:", result.stdout, re.M):
        errors.setdefault(name, []).append(int(line))
    return errors, result.stdout


def run_mypy(script: Path) -> tuple[list[int], str]:
    errors, output = mypy_report()
    return errors.get(script.name, []), output


@cache
def pyright_command() -> list[str] | None:
    """The pyright command, or None when it cannot run here (it fetches node pyright
    from npm on first use)."""
    executable = shutil.which("pyright", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyright"
    )
    if executable is None:
        return None
    try:
        probe = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=PYRIGHT_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [executable] if probe.returncode == 0 else None


@cache
def pyright_report(workdir: Path) -> tuple[dict[str, list[int]], str]:
    """Error lines per script name, from one pyright strict run over every script."""
    command = pyright_command()
    assert command is not None
    config = workdir / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.10",
                "extraPaths": [str(REPO_ROOT)],
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [*command, "--outputjson", "--project", str(config), *map(str, [*MISTAKES, *CORRECT])],
        capture_output=True, text=True, cwd=workdir, timeout=PYRIGHT_TIMEOUT, check=False,
    )  # fmt: skip
    errors: dict[str, list[int]] = {}
    for diagnostic in json.loads(result.stdout)["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            name = Path(diagnostic["file"]).name
            errors.setdefault(name, []).append(diagnostic["range"]["start"]["line"] + 1)
    return errors, result.stdout


def run_pyright(script: Path, workdir: Path) -> tuple[list[int], str]:
    if pyright_command() is None:
        pytest.skip("pyright is not installed, or could not fetch its node package (offline)")
    errors, output = pyright_report(workdir)
    return errors.get(script.name, []), output


@pytest.fixture(scope="module")
def pyright_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pyright")


@pytest.mark.parametrize("script", MISTAKES, ids=lambda path: path.stem)
def test_mypy_strict_flags_every_mistake_and_nothing_else(script: Path) -> None:
    lines, output = run_mypy(script)
    assert problems(script, lines) == [], output


@pytest.mark.parametrize("script", CORRECT, ids=lambda path: path.stem)
def test_mypy_strict_passes_a_correct_script(script: Path) -> None:
    lines, output = run_mypy(script)
    assert lines == [], output


@pytest.mark.parametrize("script", MISTAKES, ids=lambda path: path.stem)
def test_pyright_strict_flags_every_mistake_and_nothing_else(
    script: Path, pyright_dir: Path
) -> None:
    lines, output = run_pyright(script, pyright_dir)
    assert problems(script, lines) == [], output


@pytest.mark.parametrize("script", CORRECT, ids=lambda path: path.stem)
def test_pyright_strict_passes_a_correct_script(script: Path, pyright_dir: Path) -> None:
    lines, output = run_pyright(script, pyright_dir)
    assert lines == [], output


def test_the_scripts_cover_both_clients() -> None:
    assert {path.stem for path in MISTAKES} == {"mistakes_async", "mistakes_sync"}
    assert {path.stem for path in CORRECT} == {"correct_async", "correct_sync"}
