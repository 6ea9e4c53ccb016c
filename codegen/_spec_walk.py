"""Read an OpenAPI document as the SDK sees it: operations, parameters, model fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Keywords that narrow a value: compared by ``codegen diff``.
CONSTRAINT_KEYWORDS = (
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern", "minItems", "maxItems", "uniqueItems",
)  # fmt: skip
REQUEST = "request"
RESPONSE = "response"

Json = dict[str, Any]


class SpecError(ValueError):
    """The file is not an OpenAPI document we can read."""


def load_spec(path: Path) -> Json:
    """Parse ``path`` as an OpenAPI JSON document, or raise :class:`SpecError`."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise SpecError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
        raise SpecError(f"{path} is not an OpenAPI document (no 'paths' object)")
    return spec


@dataclass(frozen=True)
class Operation:
    """One operation, keyed by its operationId (or ``METHOD path`` without one)."""

    key: str
    method: str
    path: str
    node: Json

    @property
    def where(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class FieldInfo:
    """What the generated model exposes of one field."""

    type: str
    required: bool
    nullable: bool
    enum: tuple[str, ...] | None
    constraints: tuple[tuple[str, Any], ...] = ()
    deprecated: bool = False


def operations(spec: Json) -> dict[str, Operation]:
    """Every operation of ``spec`` by key."""
    found: dict[str, Operation] = {}
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            node = item.get(method)
            if isinstance(node, dict):
                key = str(node.get("operationId") or f"{method.upper()} {path}")
                found[key] = Operation(key, method, path, node)
    return found


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def resolve(spec: Json, node: Json) -> Json:
    """Follow ``$ref`` (to any ``#/...`` pointer) until a concrete node."""
    seen: set[str] = set()
    while "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen or not ref.startswith("#/"):
            return node
        seen.add(ref)
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def parameters(spec: Json, op: Operation) -> dict[str, Json]:
    """The operation's parameters by ``in:name``; operation-level ones override path-level."""
    path_item = spec["paths"][op.path]
    merged: dict[str, Json] = {}
    for raw in [*path_item.get("parameters", []), *op.node.get("parameters", [])]:
        param = resolve(spec, raw)
        merged[f"{param.get('in')}:{param.get('name')}"] = param
    return merged


def json_schema(spec: Json, holder: Json) -> Json | None:
    """The JSON schema of a request body or response (``application/json``, else the first)."""
    holder = resolve(spec, holder)
    content = holder.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    if not isinstance(media, dict) or "schema" not in media:
        return None
    schema: Json = media["schema"]
    return schema


def describe(schema: Json) -> str:
    """A type as the generated model would spell it, ignoring nullability and constraints."""
    if "$ref" in schema:
        return ref_name(str(schema["$ref"]))
    for combiner, sep in (("allOf", " & "), ("oneOf", " | "), ("anyOf", " | ")):
        parts = schema.get(combiner)
        if parts:
            return sep.join(describe(part) for part in parts)
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{describe(schema.get('items', {}))}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict[str, {describe(schema['additionalProperties'])}]"
    if "format" in schema:
        return f"{kind}({schema['format']})"
    return str(kind)


def constraints_of(schema: Json) -> tuple[tuple[str, Any], ...]:
    """The constraint keywords ``schema`` states (bounds, lengths, pattern), in order."""
    return tuple((key, schema[key]) for key in CONSTRAINT_KEYWORDS if key in schema)


def _properties(spec: Json, schema: Json) -> tuple[dict[str, Json], set[str]]:
    # allOf parts are merged as the generated class inherits them.
    props: dict[str, Json] = dict(schema.get("properties", {}))
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        inner_props, inner_required = _properties(spec, resolve(spec, part))
        props = {**inner_props, **props}
        required |= inner_required
    return props, required


def fields(spec: Json, schema: Json, prefix: str = "") -> dict[str, FieldInfo]:
    """Flatten an object schema into dotted field paths.

    A field whose schema is a ``$ref`` stops the walk: the referenced component
    is compared on its own, so each change is reported once, at the model that
    holds it.
    """
    found: dict[str, FieldInfo] = {}
    props, required = _properties(spec, schema)
    for name, prop in props.items():
        path = f"{prefix}{name}"
        enum = prop.get("enum")
        found[path] = FieldInfo(
            type=describe(prop),
            required=name in required,
            nullable=bool(prop.get("nullable")),
            enum=tuple(str(value) for value in enum) if enum else None,
            constraints=constraints_of(prop),
            deprecated=bool(prop.get("deprecated")),
        )
        if "$ref" not in prop:
            inline = prop.get("items", {}) if prop.get("type") == "array" else prop
            suffix = "[]." if prop.get("type") == "array" else "."
            if "$ref" not in inline and (inline.get("properties") or inline.get("allOf")):
                found.update(fields(spec, inline, f"{path}{suffix}"))
    return found


def _refs_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield ref_name(node["$ref"])
        for value in node.values():
            yield from _refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs_in(value)


def schema_sides(spec: Json) -> dict[str, set[str]]:
    """For each component schema, whether requests, responses or both reach it."""
    schemas = spec.get("components", {}).get("schemas", {})
    sides: dict[str, set[str]] = {name: set() for name in schemas}
    for op in operations(spec).values():
        request_roots = [
            *parameters(spec, op).values(),
            resolve(spec, op.node.get("requestBody", {})),
        ]
        response_roots = [resolve(spec, r) for r in op.node.get("responses", {}).values()]
        for side, roots in ((REQUEST, request_roots), (RESPONSE, response_roots)):
            pending = [name for root in roots for name in _refs_in(root)]
            while pending:
                name = pending.pop()
                if name in schemas and side not in sides[name]:
                    sides[name].add(side)
                    pending.extend(_refs_in(schemas[name]))
    return sides
