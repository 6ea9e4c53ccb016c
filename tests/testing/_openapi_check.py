"""Validate the fake's recorded answers against the response schemas of openapi.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

from flashproxy_async.testing import RecordedRequest

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.json"
_ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}


@cache
def load_spec() -> dict[str, Any] | None:
    if not SPEC_PATH.exists():
        return None
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def _schema_for(
    spec: dict[str, Any], method: str, route: str | None, status: int, content_type: str
) -> dict[str, Any] | None:
    """The JSON schema the answer must satisfy, or None when it is not JSON."""
    if route is None:  # no such path: the answer must still be an error envelope
        if status < 400:
            raise AssertionError(f"{method} to an unknown path answered {status}")
        return _ERROR_SCHEMA
    operation = spec["paths"].get(route, {}).get(method.lower())
    if operation is None:
        raise AssertionError(f"{method} {route} is not in openapi.json")
    responses = operation["responses"]
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        if status >= 400:
            return _ERROR_SCHEMA
        raise AssertionError(f"{method} {route}: status {status} undocumented")
    media = response.get("content", {}).get(content_type)
    if media is None:
        raise AssertionError(
            f"{method} {route} {status}: {content_type} not documented "
            f"(have {sorted(response.get('content', {}))})"
        )
    if content_type != "application/json":
        return None
    schema: dict[str, Any] = media["schema"]
    return schema


@cache
def _validator(
    method: str, route: str | None, status: int, content_type: str
) -> OAS30Validator | None:
    spec = load_spec()
    assert spec is not None
    schema = _schema_for(spec, method, route, status, content_type)
    if schema is None:
        return None
    return OAS30Validator(
        {**schema, "components": spec["components"]},
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )


def check_record(record: RecordedRequest) -> bool:
    """Validate one exchange; True if a schema was checked. Raises on a mismatch.

    Answers shaped by an injected fault are exempt: they are wrong on purpose.
    """
    if load_spec() is None or record.response is None or record.response.fault is not None:
        return False
    response = record.response
    validator = _validator(record.method, record.route, response.status, response.content_type)
    if validator is None:
        return False
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: e.path)
    if errors:
        details = "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
        raise AssertionError(
            f"{record.method} {record.path} -> {response.status} breaks openapi.json: {details}"
        )
    return True
