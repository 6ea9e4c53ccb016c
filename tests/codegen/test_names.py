"""Generated class names come from the spec: a generic or numbered name fails generation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegen import _names
from codegen._generate import SPEC_PATH, render
from codegen._names import UnnamedSchemaError, check_class_names

POINTER = "#/components/schemas/PoolList/properties/summary"


def _spec_with_inline_object(tmp_path: Path) -> Path:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["PoolList"]["properties"]["summary"] = {
        "type": "object",
        "properties": {"regions": {"type": "integer"}},
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_an_inline_schema_without_a_name_fails_generation_saying_where_to_name_it(
    tmp_path: Path,
) -> None:
    with pytest.raises(UnnamedSchemaError) as caught:
        render(_spec_with_inline_object(tmp_path))
    assert "Summary" in str(caught.value)
    assert "INLINE_NAMES" in str(caught.value)


def test_an_inline_schema_named_in_the_map_generates_that_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(_names.INLINE_NAMES, POINTER, "PoolSummary")
    models = render(_spec_with_inline_object(tmp_path))["models.py"]
    assert "class PoolSummary(" in models
    assert "summary: PoolSummary | None" in models


@pytest.mark.parametrize("name", ["Data", "Data1", "Model", "Plan2"])
def test_generic_and_numbered_names_are_refused_even_when_listed(name: str) -> None:
    spec = {"components": {"schemas": {name: {"type": "object"}}}}
    with pytest.raises(UnnamedSchemaError):
        check_class_names(f"class {name}:\n    pass\n", spec)
