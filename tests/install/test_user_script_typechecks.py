"""A user's script outside the repository type-checks against the installed package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests._support.typecheckers import run_mypy, run_pyright
from tests.conftest import REPO_ROOT

USER_SCRIPT = """\
from __future__ import annotations

import asyncio

from flashproxy_async import AsyncFlashProxy, FlashProxyError
from flashproxy_async.bulk import PlanOrder, ProvisionReport, provision
from flashproxy_async.models import Plan
from flashproxy_async.targeting import proxy_url
from flashproxy_async.testing import FakeFlashProxy


async def main() -> list[str]:
    async with FakeFlashProxy() as fake, AsyncFlashProxy(
        fake.api_key, base_url=fake.base_url
    ) as client:
        plan: Plan = await client.plans.create(product="residential", bandwidth_gb=1)
        urls = plan.proxy_urls()
        report: ProvisionReport = await provision(
            client, [PlanOrder(reference="r", product="pool1", bandwidth_gb=1)], journal="j"
        )
        try:
            await client.balance.get()
        except FlashProxyError as error:
            print(error.outcome_unknown)
        return [*urls, plan.proxy_url(country="us"), proxy_url("pool2", "u", "p"), *report.in_doubt]


print(asyncio.run(main()))
"""


@pytest.fixture
def user_script(tmp_path: Path) -> Path:
    script = tmp_path / "scraper.py"
    script.write_text(USER_SCRIPT)
    return script


def test_the_editable_install_is_a_plain_path_entry_not_an_import_hook(tmp_path: Path) -> None:
    probe = (
        "import json, sys, flashproxy_async; print(json.dumps({'path': sys.path, "
        "'file': flashproxy_async.__file__, "
        "'finders': [type(f).__name__ for f in sys.meta_path]}))"
    )
    found = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout
    )
    # Type checkers follow sys.path entries; they cannot follow an import hook.
    assert Path(found["file"]).resolve().parent.parent == REPO_ROOT
    assert str(REPO_ROOT) in {str(Path(entry).resolve()) for entry in found["path"] if entry}
    assert not [name for name in found["finders"] if "editable" in name.lower()]


def test_mypy_strict_checks_a_user_script_outside_the_repository(user_script: Path) -> None:
    result = run_mypy(user_script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 1 source file" in result.stdout


def test_pyright_checks_a_user_script_outside_the_repository(user_script: Path) -> None:
    result = run_pyright(user_script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
