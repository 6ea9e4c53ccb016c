"""A realistic spec bump, run as a maintainer would, on a copy of the repository.

The bump (from the current spec version to its next minor) adds an endpoint, a
product and a required response field, removes a field, renames a query parameter,
changes a type and a success status, tightens two limits and deprecates an operation.
``codegen diff`` must report every one. After regenerating, the project's own drift
tests must fail naming each piece of hand work (the renamed parameter's method, the
new product in every layer, the new limit, the new operation), and pass once it is
done. Each step runs the copy's own code in a child process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen._generate import REPO_ROOT, SPEC_PATH, spec_version

NEW_PRODUCT = "residential-pro"
COPIED = ("openapi.json", "pyproject.toml", "codegen", "flashproxy_async")
TESTS = ("conftest.py", "_support", "drift", "resources", "testing")
DRIFT_TESTS = [
    "tests/drift",
    "tests/resources/test_plan_overloads.py",
    "tests/resources/test_operations.py::test_every_operation_in_openapi_has_a_method",
]


def next_minor(version: str) -> str:
    major, minor, *_ = version.split(".")
    return f"{major}.{int(minor) + 1}.0"


def bump(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    spec["info"]["version"] = next_minor(spec["info"]["version"])
    spec["paths"]["/proxies/pools/{pool}"] = {
        "get": {
            "tags": ["proxies"],
            "operationId": "getPool",
            "summary": "Get one pool",
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
    schemas["Product"]["enum"].append(NEW_PRODUCT)
    balance = schemas["Balance"]
    balance["properties"]["currency"] = {"type": "string"}
    balance["required"] = [*balance.get("required", []), "currency"]
    del schemas["Plan"]["properties"]["location"]
    pools = spec["paths"]["/proxies/pools"]["get"]["parameters"]
    next(p for p in pools if p.get("name") == "country")["name"] = "country_code"
    schemas["Pool"]["properties"]["stock"] = {"type": "string"}
    created = spec["paths"]["/plans"]["post"]["responses"]
    created["200"] = created.pop("201")
    request = schemas["CreatePlanRequest"]["properties"]
    request["bandwidth_mbps"]["maximum"] = 2000
    request["end_user_reference"]["maxLength"] = 64
    spec["paths"]["/plans/{planId}/usage"]["get"]["deprecated"] = True


#: (change kind, a fragment of its line) that the diff must report for the bump.
EXPECTED_CHANGES = [
    ("spec-version", "Models regenerated"),
    ("operation-added", "getPool"),
    ("enum-value-added", NEW_PRODUCT),
    ("field-added", "Balance.currency"),
    ("field-removed", "Plan.location"),
    ("parameter-renamed", "`country` was removed and `country_code` added"),
    ("field-type-changed", "Pool.stock"),
    ("success-status-changed", "createPlan"),
    ("constraint-tightened", "`maximum` changed from `3000` to `2000`"),
    ("constraint-tightened", "now has `maxLength: 64`"),
    ("operation-deprecated", "getPlanUsage"),
]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bumped")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    (root / "tests").mkdir()
    for name in TESTS:
        source = REPO_ROOT / "tests" / name
        if source.is_dir():
            shutil.copytree(source, root / "tests" / name, ignore=ignore)
        else:
            shutil.copy2(source, root / "tests" / name)
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    bump(spec)
    (root / "openapi.json").write_text(json.dumps(spec, indent=2), encoding="utf-8")
    return root


def drift(repo: Path) -> subprocess.CompletedProcess[str]:
    return run(["-m", "pytest", "-q", "--no-cov", "-p", "no:cacheprovider", *DRIFT_TESTS], repo)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{path} changed; update this test's hand work"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


_CATALOG = "flashproxy_async/testing/_catalog.py"
_PROXIES = "flashproxy_async/resources/proxies.py"
_RESIDENTIAL_HOST = '"residential": ("geo.proxyserver.bot", 8080, 1080, ""),'
#: (file, old text, new text): what the failing drift tests ask for.
HAND_WORK = [
    (_PROXIES, '"country": country,', '"country_code": country_code,'),
    (_PROXIES, "country: str | None = None", "country_code: str | None = None"),
    (
        "flashproxy_async/_plan_fields.py",
        '{"residential-lite", "residential",',
        '{"residential-lite", "residential-pro", "residential",',
    ),
    (
        "flashproxy_async/resources/_plan_types.py",
        "    Product.residential,\n",
        "    Product.residential,\n    Product.residential_pro,\n",
    ),
    (
        "flashproxy_async/resources/_plan_types.py",
        '    "residential",\n',
        '    "residential",\n    "residential-pro",\n',
    ),
    (
        "flashproxy_async/targeting/_endpoints.py",
        '"residential": _GEO,',
        '"residential": _GEO,\n        "residential-pro": _GEO,',
    ),
    (
        "flashproxy_async/targeting/_rules.py",
        '"residential": _GEO_FULL,',
        '"residential": _GEO_FULL,\n    "residential-pro": _GEO_FULL,',
    ),
    (
        _CATALOG,
        '{"residential-lite", "residential",',
        '{"residential-lite", "residential-pro", "residential",',
    ),
    (
        _CATALOG,
        _RESIDENTIAL_HOST,
        _RESIDENTIAL_HOST + '\n    "residential-pro": ("geo.proxyserver.bot", 8080, 1080, ""),',
    ),
    ("flashproxy_async/_rules.py", "UNLIMITED_MBPS_MAX = 3000", "UNLIMITED_MBPS_MAX = 2000"),
    (_CATALOG, "MAX_BANDWIDTH_MBPS: Final = 3000", "MAX_BANDWIDTH_MBPS: Final = 2000"),
]


def do_the_hand_work(repo: Path) -> None:
    """What the failing drift tests ask for, done as a maintainer would."""
    for path, old, new in HAND_WORK:
        edit(repo, path, old, new)
    proxies = repo / _PROXIES
    proxies.write_text(proxies.read_text(encoding="utf-8") + GET_POOL, encoding="utf-8")


GET_POOL = '''
    @operation("getPool")
    async def pool(self, pool: str) -> PoolList:
        """One dedicated ISP pool by name."""
        result: PoolList = await self._client._request(
            "GET", f"/proxies/pools/{pool}", cast_to=PoolList
        )
        return result
'''


def test_the_diff_reports_every_change_of_the_bump(repo: Path) -> None:
    result = run(["-m", "codegen", "diff", str(SPEC_PATH), "openapi.json", "--json"], repo)
    assert result.returncode == 1, result.stderr  # breaking changes
    report = json.loads(result.stdout)
    missing = [
        (kind, fragment)
        for kind, fragment in EXPECTED_CHANGES
        if not any(c["kind"] == kind and fragment in c["text"] for c in report["changes"])
    ]
    assert not missing, json.dumps(report["changes"], indent=1)
    assert report["suggested_version"]
    assert "client.proxies.pools(country=...)" in report["changelog"]


def test_after_regenerating_the_drift_tests_name_the_hand_work_until_it_is_done(
    repo: Path,
) -> None:
    assert spec_version(repo / "openapi.json") == next_minor(spec_version())
    generated = run(["-m", "codegen"], repo)
    assert generated.returncode == 0, generated.stderr

    failing = drift(repo)
    assert failing.returncode == 1, failing.stdout[-3000:]
    for named in (
        "client.proxies.pools",
        "sends query 'country', which listPools does not have",
        f"products ['{NEW_PRODUCT}'] are in openapi.json but not in the local rules",
        "not in the proxy endpoints",
        "not in the targeting grammar",
        "not in the fake's catalogue",
        "have no plans.create overload",
        "UNLIMITED_MBPS_MIN/MAX in flashproxy_async/_rules.py",
        "'getPool'",
    ):
        assert named in failing.stdout, named

    do_the_hand_work(repo)
    regenerated = run(["-m", "codegen"], repo)  # the blocking surface follows the resources
    assert regenerated.returncode == 0, regenerated.stderr
    assert run(["-m", "codegen", "--check"], repo).returncode == 0
    passing = drift(repo)
    assert passing.returncode == 0, passing.stdout[-3000:]
