"""python -m codegen: deterministic output, drift detection, generated headers."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import _generate
from codegen._prune_imports import prune_unused_imports
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return _generate.render()


def test_check_passes_on_the_committed_models() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_generation_is_deterministic(rendered: dict[str, str]) -> None:
    assert _generate.render() == rendered


def test_every_generated_file_says_it_is_generated_with_its_spec_version(
    rendered: dict[str, str],
) -> None:
    assert set(rendered) == {"models.py", "__init__.py", "literals.py", "deprecations.py"}
    version = _generate.spec_version()
    for text in rendered.values():
        head = text[:400]
        assert "do not edit by hand" in head
        assert f"FlashProxy Reseller API {version})" in head
        assert "20" not in head.split(version)[1][:40]  # no timestamp after the version


def test_schema_change_is_detected_as_drift(tmp_path: Path, openapi_spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(openapi_spec)
    changed["components"]["schemas"]["Pool"]["properties"]["region"] = {"type": "string"}
    spec_path = tmp_path / "openapi.json"
    spec_path.write_text(json.dumps(changed), encoding="utf-8")

    drift = _generate.differences(_generate.render(spec_path))

    assert drift == ["models.py"]


def test_check_reports_a_summary_and_fails_on_drift(
    tmp_path: Path, rendered: dict[str, str]
) -> None:
    stale = dict(rendered, **{"models.py": rendered["models.py"].replace("in_stock", "instock")})
    _generate.write(stale, tmp_path)
    assert _generate.differences(rendered, tmp_path) == ["models.py"]
    (tmp_path / "leftover.py").write_text("", encoding="utf-8")
    assert _generate.differences(rendered, tmp_path) == ["leftover.py", "models.py"]
    _generate.write(rendered, tmp_path)
    assert _generate.differences(rendered, tmp_path) == []


def test_generated_models_hold_no_dataclass_or_unused_imports(rendered: dict[str, str]) -> None:
    models = rendered["models.py"]
    assert "dataclass" not in models
    assert "from enum import Enum" not in models
    assert "@_define(kw_only=True)" in models


def test_prune_keeps_used_and_future_imports() -> None:
    code = (
        "from __future__ import annotations\n"
        "from a import used\n"
        "from b import (\n    unused_one,\n    unused_two,\n)\n"
        "from c import unused as alias\n"
        "x = used\n"
    )
    assert prune_unused_imports(code) == (
        "from __future__ import annotations\nfrom a import used\nx = used\n"
    )


def test_a_different_generator_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_generate, "GENERATOR_VERSION", "0.0.1")
    with pytest.raises(_generate.GeneratorMismatchError, match=r"pinned to 0\.0\.1"):
        _generate.render()
