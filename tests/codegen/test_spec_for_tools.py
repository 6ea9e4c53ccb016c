"""openapi.json as third-party tools (Prism, schemathesis, linters) read it.

A schema-valid success must be one the SDK accepts, every error status the API can
answer an operation with is listed for it, parameters that must not be empty say
so, and the fields the SDK relies on are required.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from flashproxy_async.testing import FakeFlashProxy

REPO_ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "patch")


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    return [
        (method, path, op, [*item.get("parameters", []), *op.get("parameters", [])])
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_every_success_envelope_says_success_is_true(openapi_spec: dict[str, Any]) -> None:
    for name, schema in openapi_spec["components"]["schemas"].items():
        if name.endswith("Response") and name != "ErrorResponse":
            assert "success" in schema.get("required", []), name
            assert schema["properties"]["success"]["enum"] == [True], name


def test_every_operation_lists_the_errors_it_can_answer(openapi_spec: dict[str, Any]) -> None:
    missing = []
    for method, path, op, params in _operations(openapi_spec):
        expected = {"401", "429", "500"}
        if any(p.get("in") == "path" for p in params):
            expected |= {"404", "400"}
        if any(p.get("in") == "query" for p in params) or "requestBody" in op:
            expected.add("400")
        lacking = expected - set(op["responses"])
        if lacking:
            missing.append(f"{method.upper()} {path}: {sorted(lacking)}")
    assert missing == []


def test_required_text_parameters_must_not_be_empty(openapi_spec: dict[str, Any]) -> None:
    loose = [
        f"{method.upper()} {path} {param['name']}"
        for method, path, _, params in _operations(openapi_spec)
        for param in params
        if param.get("required")
        and param.get("schema", {}).get("type") == "string"
        and not {"enum", "format", "minLength"} & set(param["schema"])
    ]
    assert loose == []


def test_assumed_required_fields_are_required_and_explained(openapi_spec: dict[str, Any]) -> None:
    marked = {
        name: schema
        for name, schema in openapi_spec["components"]["schemas"].items()
        if "x-flashproxy-assumed-required" in schema
    }
    assert {"Plan", "PoolList", "ProxyList"} <= set(marked)
    for name, schema in marked.items():
        assert set(schema["x-flashproxy-assumed-required"]) <= set(schema["required"]), name
        assert schema["x-flashproxy-required-assumption"], name
    assert {"plan_id", "product", "status"} <= set(marked["Plan"]["required"])
    pool = openapi_spec["components"]["schemas"]["Pool"]
    assert {"pool", "inStock", "stock", "title", "provider"} <= set(pool["required"])


async def test_the_fake_answers_a_wrong_method_with_405_and_allow() -> None:
    async with FakeFlashProxy() as fake:
        key = fake.add_api_key()
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            aiohttp.ClientSession() as session,
            session.delete(f"{fake.base_url}/plans", headers=headers) as response,
        ):
            assert response.status == 405
            assert set(response.headers["Allow"].split(",")) >= {"GET", "POST"}
            body = await response.json()
    assert body["success"] is False


def _lint(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_spectral_finds_no_errors() -> None:
    spectral = shutil.which("spectral")
    if spectral is None:
        pytest.skip("spectral is not installed (npm i -g @stoplight/spectral-cli)")
    ruleset = REPO_ROOT / ".spectral.yaml"
    result = _lint(
        [spectral, "lint", "openapi.json", "--ruleset", str(ruleset), "-f", "json", "-q"]
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f.get("severity") == 0]
    assert errors == [], errors


def test_redocly_finds_no_errors() -> None:
    redocly = shutil.which("redocly")
    if redocly is None:
        pytest.skip("redocly is not installed (npm i -g @redocly/cli)")
    result = _lint([redocly, "lint", "openapi.json", "--format", "summary"])
    assert result.returncode == 0, result.stdout + result.stderr
