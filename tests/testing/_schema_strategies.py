"""Hypothesis strategies for values that openapi.json's schemas accept.

A small stand-in for schemathesis (not a dependency here): it covers the schema
keywords openapi.json uses for parameters and request bodies.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=12)


def resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``$ref`` and one-element ``allOf`` folded in."""
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**spec["components"]["schemas"][name], **rest}
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            schema = {**schema["allOf"][0], **rest}
        else:
            return schema


def from_schema(schema: dict[str, Any], spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid under ``schema`` (OpenAPI 3.0 subset: enum, scalars, objects)."""
    schema = resolve(schema, spec)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        low = schema.get("minimum")
        exclusive = bool(schema.get("exclusiveMinimum"))
        floats = st.floats(
            min_value=low,
            max_value=schema.get("maximum"),
            exclude_min=exclusive and low is not None,
            allow_nan=False,
            allow_infinity=False,
        )
        first = None if low is None else int(low) + 1 if exclusive else int(low)
        return floats | st.integers(min_value=first, max_value=schema.get("maximum"))
    if kind == "string":
        if schema.get("format") == "uuid":
            return st.uuids().map(str)
        return _TEXT
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: from_schema(sub, spec) for name, sub in properties.items() if name in required},
            optional={
                name: from_schema(sub, spec)
                for name, sub in properties.items()
                if name not in required
            },
        )
    raise NotImplementedError(f"no strategy for schema {schema}")
