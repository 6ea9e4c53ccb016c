"""Validate the fake's recorded answers against the response schemas of openapi.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

from flashproxy_async.testing import RecordedRequest

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.json"


@cache
def load_spec() -> dict[str, Any] | None:
    if not SPEC_PATH.exists():
        return None
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def _schema_for(spec: dict[str, Any], record: RecordedRequest) -> tuple[dict[str, Any] | None, str]:
    """The JSON schema the answer must satisfy, or None with the reason it is exempt."""
    assert record.response is not None and record.route is not None
    operation = spec["paths"].get(record.route, {}).get(record.method.lower())
    if operation is None:
        raise AssertionError(f"{record.method} {record.route} is not in openapi.json")
    status = str(record.response.status)
    responses = operation["responses"]
    response = responses.get(status) or responses.get("default")
    if response is None:
        if record.response.status >= 400:
            return {"$ref": "#/components/schemas/ErrorResponse"}, "error"
        raise AssertionError(f"{record.method} {record.route}: status {status} undocumented")
    content = response.get("content", {})
    media = content.get(record.response.content_type)
    if media is None:
        raise AssertionError(
            f"{record.method} {record.route} {status}: {record.response.content_type} "
            f"not documented (have {sorted(content)})"
        )
    if record.response.content_type != "application/json":
        return None, "not JSON"
    return media["schema"], "json"


def check_record(record: RecordedRequest) -> bool:
    """Validate one exchange; True if a schema was checked. Raises on a mismatch."""
    spec = load_spec()
    if spec is None or record.response is None or record.response.fault is not None:
        return False
    if record.route is None:  # an unknown path: nothing in the spec to compare to
        return False
    schema, _ = _schema_for(spec, record)
    if schema is None:
        return False
    validator = OAS30Validator(
        {**schema, "components": spec["components"]},
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(record.response.json()), key=lambda e: e.path)
    if errors:
        details = "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
        raise AssertionError(
            f"{record.method} {record.path} -> {record.response.status} breaks openapi.json: "
            f"{details}"
        )
    return True
