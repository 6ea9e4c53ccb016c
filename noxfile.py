"""Development sessions: ``nox -s tests lint typecheck codegen codegen_check bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "codegen_check"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with line and branch coverage."""
    session.install("-e", ".[test,cli,redis]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.17.6,<0.18")  # the range pyproject's dev extra pins
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package and codegen."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate flashproxy_async/_generated from openapi.json."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "codegen")


@nox.session
def codegen_check(session: nox.Session) -> None:
    """Fail when the committed models differ from what openapi.json produces."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "codegen", "--check")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: ratios against baselines measured in the same run."""
    session.install("-e", ".[dev,bench]")
    session.run("python", "-m", "bench", *session.posargs)
