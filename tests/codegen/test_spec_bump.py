"""The spec-bump loop, end to end, on a copy of the repository.

A spec with one added operation and one added field is diffed, found stale by
--check, regenerated and decoded; the coverage check points at the new operation
until a method exists. The generator runs three times here (--check on the stale
models, regenerate, then --check): each run costs ~2 s.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

import flashproxy_async
from codegen._coverage import (
    OPERATION_ATTRIBUTE,
    covered_operations,
    stale_operations,
    uncovered_operations,
)
from codegen._generate import REPO_ROOT, SPEC_PATH, spec_version
from codegen._spec_walk import operations
from flashproxy_async import AsyncFlashProxy
from flashproxy_async._transport import USER_AGENT
from flashproxy_async.resources import resources_of
from flashproxy_async.resources._base import OPERATION_ATTRIBUTE as RESOURCES_OPERATION_ATTRIBUTE

NEW_OPERATION = "getPool"
RESOURCE_CLASSES: list[type] = list(resources_of(AsyncFlashProxy).values())


def _next_minor(version: str) -> str:
    major, minor, *_ = version.split(".")
    return f"{major}.{int(minor) + 1}.0"


#: The bump goes from whatever the committed spec is to its next minor version.
NEW_VERSION = _next_minor(spec_version(SPEC_PATH))
COPIED = ("openapi.json", "pyproject.toml", "codegen", "flashproxy_async")


def load(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


def bump(spec: dict[str, Any]) -> None:
    """The next spec: one new operation and one new field on an existing model."""
    spec["info"]["version"] = NEW_VERSION
    spec["paths"]["/proxies/pools/{pool}"] = {
        "get": {
            "tags": ["proxies"],
            "operationId": NEW_OPERATION,
            "summary": "Get one pool",
            "description": "One dedicated ISP pool by name.",
            "parameters": [
                {"name": "pool", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "Pool",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PoolListResponse"}
                        }
                    },
                }
            },
        }
    }
    pool = spec["components"]["schemas"]["Pool"]
    pool["properties"]["lastRestock"] = {"type": "string", "format": "date-time"}


def marked(operation_id: str) -> Callable[..., None]:
    """A resource method marked the way ``@operation`` marks it."""

    def method(self: object) -> None: ...

    setattr(method, OPERATION_ATTRIBUTE, operation_id)
    return method


def resource_class(name: str, operation_ids: Iterable[str]) -> type:
    methods = {f"m{index}": marked(op) for index, op in enumerate(sorted(operation_ids))}
    return type(name, (), methods)


@pytest.fixture(scope="module")
def bumped_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the parts of the repository that codegen needs, with the bumped spec."""
    root = tmp_path_factory.mktemp("repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    spec = load(SPEC_PATH)
    bump(spec)
    (root / "openapi.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    return root


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_diff_reports_the_bump_as_additions_only(bumped_repo: Path) -> None:
    result = run(["-m", "codegen", "diff", str(SPEC_PATH), "openapi.json"], bumped_repo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 change(s), 0 breaking" in result.stdout
    assert "- Operation `getPool` (`GET /proxies/pools/{pool}`)." in result.stdout
    assert "- `Pool.lastRestock` (optional response field)." in result.stdout


def test_regenerated_models_decode_the_new_field(bumped_repo: Path) -> None:
    # The committed models no longer match the changed schema: --check says so, briefly.
    stale = run(["-m", "codegen", "--check"], bumped_repo)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "out of date" in stale.stderr
    assert re.search(r"flashproxy_async/_generated/models\.py: \+\d+ -\d+ lines", stale.stderr)
    assert len(stale.stderr.splitlines()) <= 7  # a line per generated file, a head, a hint

    generated = run(["-m", "codegen"], bumped_repo)
    assert generated.returncode == 0, generated.stderr
    check = run(["-m", "codegen", "--check"], bumped_repo)
    assert check.returncode == 0, check.stderr

    snippet = (
        "import flashproxy_async\n"
        "from flashproxy_async._converter import structure\n"
        "from flashproxy_async._generated import Pool\n"
        "pool = structure({'pool': 'ISP_US', 'inStock': True, 'stock': 3, 'title': 'US',"
        " 'provider': 'ISP', 'lastRestock': '2025-01-02T03:04:05Z'}, Pool)\n"
        "print(flashproxy_async.__file__)\n"
        "print(flashproxy_async.__spec_version__)\n"
        "print(pool.last_restock.isoformat())\n"
    )
    decoded = run(["-c", snippet], bumped_repo)

    assert decoded.returncode == 0, decoded.stderr
    package_file, version, last_restock = decoded.stdout.splitlines()
    assert Path(package_file).is_relative_to(bumped_repo)  # the copy, not the original
    assert version == NEW_VERSION
    assert last_restock == "2025-01-02T03:04:05+00:00"


def test_coverage_points_at_the_added_operation_until_a_method_is_added(
    bumped_repo: Path,
) -> None:
    resources = list(RESOURCE_CLASSES)
    bumped_spec = bumped_repo / "openapi.json"

    assert uncovered_operations(SPEC_PATH, resources) == []
    assert uncovered_operations(bumped_spec, resources) == [NEW_OPERATION]

    resources.append(resource_class("Pools", [NEW_OPERATION]))
    assert uncovered_operations(bumped_spec, resources) == []
    assert stale_operations(bumped_spec, resources) == []


# The suite's own spec-coverage test, run in the bumped copy as a maintainer would.
COVERAGE_TEST = "tests/resources/test_operations.py::test_every_operation_in_openapi_has_a_method"
# What the maintainer adds to AsyncProxies, the last class of proxies.py.
NEW_METHOD = f'''
    @operation("{NEW_OPERATION}")
    async def pool(self, pool: str) -> PoolList:
        """One dedicated ISP pool by name."""
        result: PoolList = await self._client._request(
            "GET", f"/proxies/pools/{{pool}}", cast_to=PoolList
        )
        return result
'''


def test_the_suites_coverage_test_fails_naming_the_new_operation_until_it_has_a_method(
    bumped_repo: Path,
) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    (bumped_repo / "tests").mkdir(exist_ok=True)
    shutil.copy2(REPO_ROOT / "tests" / "conftest.py", bumped_repo / "tests" / "conftest.py")
    for package in ("_support", "resources", "testing"):
        shutil.copytree(
            REPO_ROOT / "tests" / package, bumped_repo / "tests" / package, ignore=ignore
        )
    argv = ["-m", "pytest", "-q", "--no-cov", "-p", "no:cacheprovider", COVERAGE_TEST]

    missing = run(argv, bumped_repo)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert f"'{NEW_OPERATION}'" in missing.stdout

    proxies = bumped_repo / "flashproxy_async" / "resources" / "proxies.py"
    proxies.write_text(proxies.read_text(encoding="utf-8") + NEW_METHOD, encoding="utf-8")
    covered = run(argv, bumped_repo)
    assert covered.returncode == 0, covered.stdout + covered.stderr


def test_a_method_whose_operation_was_dropped_is_stale(tmp_path: Path) -> None:
    spec = load(SPEC_PATH)
    del spec["paths"]["/balance/pricing"]
    dropped = tmp_path / "openapi.json"
    dropped.write_text(json.dumps(spec), encoding="utf-8")
    every_method = [resource_class("All", operations(load(SPEC_PATH)))]

    assert stale_operations(dropped, every_method) == ["getPricing"]
    assert stale_operations(SPEC_PATH, every_method) == []


def test_coverage_finds_marks_through_inheritance_and_method_wrappers() -> None:
    class Base:
        inherited = marked("listPlans")

    class Plans(Base):
        plain = marked("getPlan")
        as_static = staticmethod(marked("createPlan"))
        as_class = classmethod(marked("extendPlan"))
        unmarked = staticmethod(len)

    assert covered_operations([Plans]) == {"listPlans", "getPlan", "createPlan", "extendPlan"}


def test_the_package_carries_the_spec_version_it_was_generated_from() -> None:
    assert flashproxy_async.__spec_version__ == spec_version(SPEC_PATH)
    assert "__spec_version__" in flashproxy_async.__all__


def test_the_user_agent_names_the_spec_version() -> None:
    assert USER_AGENT.startswith(
        f"flashproxy-async/{flashproxy_async.__version__} "
        f"(spec {flashproxy_async.__spec_version__}) python/"
    )


def test_coverage_reads_the_mark_that_operation_sets() -> None:
    assert OPERATION_ATTRIBUTE == RESOURCES_OPERATION_ATTRIBUTE
