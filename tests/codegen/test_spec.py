"""openapi.json is a faithful, valid reconstruction of the API documentation.

The tests that compare the two read the documentation's text from the file
FLASHPROXY_API_DOCS names, and skip without it. They parse it with its whitespace
collapsed, so the raw one-line dump and a reflowed copy read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.conftest import read_api_docs

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node or len(node.get("allOf", ())) == 1:
        if "allOf" in node:
            node = node["allOf"][0]
            continue
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    return node


def nodes(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in the document, with its JSON-pointer-like location."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nodes(value, f"{where}/{index}")


def test_spec_passes_openapi_spec_validator(openapi_spec: dict[str, Any]) -> None:
    validate(openapi_spec)


def test_spec_describes_version_servers_security_and_limits(openapi_spec: dict[str, Any]) -> None:
    assert openapi_spec["info"]["version"] == "2.1.0"
    urls = {server["url"] for server in openapi_spec["servers"]}
    assert urls == {
        "https://rapi.flashproxy.com/api/v1",
        "https://rapi.flashproxy.com/sandbox/api/v1",
        "http://localhost:3000/api/v1",
    }
    scheme = openapi_spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "fp_live_" in scheme["description"] and "fp_test_" in scheme["description"]
    limit = openapi_spec["x-flashproxy-rate-limit"]
    assert (limit["requests"], limit["period_seconds"], limit["max_concurrent"]) == (100, 60, 20)
    assert "100 requests per minute" in openapi_spec["info"]["description"]


def test_every_operation_has_unique_id_and_tag_of_its_prefix(openapi_spec: dict[str, Any]) -> None:
    ops = operations(openapi_spec)
    assert len(ops) == 32
    ids = [op["operationId"] for _, _, op in ops]
    assert len(set(ids)) == 32
    for _, path, op in ops:
        assert op["tags"] == [path.strip("/").split("/")[0]]
        assert op["summary"] and op["description"]


def test_every_error_status_answers_the_error_response(openapi_spec: dict[str, Any]) -> None:
    for method, path, op in operations(openapi_spec):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)
        assert {"401", "429", "500"} <= set(op["responses"]), (method, path)


def test_error_codes_are_the_documented_table_plus_not_supported(
    openapi_spec: dict[str, Any], api_docs: str
) -> None:
    # "Error Codes": a table row is "| `CODE` | status |".
    table_codes = set(re.findall(r"\| `([A-Z_]+)` \| \d{3}", _flat(api_docs)))
    assert len(table_codes) == 11
    spec_codes = set(openapi_spec["components"]["schemas"]["ErrorCode"]["enum"])
    assert spec_codes == table_codes | {"NOT_SUPPORTED"}


def test_create_plan_is_201_and_answers_the_plan(openapi_spec: dict[str, Any]) -> None:
    create = openapi_spec["paths"]["/plans"]["post"]
    created = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/PlanResponse"}
    body = resolve(openapi_spec, create["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["product"]
    assert set(body["properties"]) == {
        "product", "bandwidth_gb", "duration", "billing_type", "mbps", "bandwidth_mbps",
        "location", "quantity", "pool", "end_user_reference",
    }  # fmt: skip
    mbps = body["properties"]["bandwidth_mbps"]
    assert (mbps["minimum"], mbps["maximum"]) == (200, 3000)
    assert resolve(openapi_spec, body["properties"]["location"])["enum"] == ["NL", "UK"]


def test_max_gb_is_nullable(openapi_spec: dict[str, Any]) -> None:
    limits = openapi_spec["components"]["schemas"]["PlanLimits"]
    assert limits["properties"]["max_gb"]["nullable"] is True


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sections(text: str) -> dict[tuple[str, str], str]:
    """Each operation's block of the documentation, by (method, path)."""
    sections: dict[tuple[str, str], str] = {}
    for block in re.split(r"### (?=(?:GET|POST) /)", _flat(text))[1:]:
        method, path = block.split(" ", 2)[:2]
        sections[(method.lower(), path)] = block
    return sections


_DOCUMENTED = _sections(read_api_docs() or "")


def documented_operations(having: str = "") -> list[Any]:
    """Parameters for the operations whose block contains ``having``.

    Without the documentation, one placeholder: its test asks for ``api_docs``, which
    skips saying why, rather than the test vanishing as an empty parameter set.
    """
    if not _DOCUMENTED:
        return [pytest.param(("", ""), id="without-api-docs")]
    keys = sorted(key for key, block in _DOCUMENTED.items() if having in block)
    return [pytest.param(key, id=f"{key[0]} {key[1]}") for key in keys]


BODY_PROPERTY = re.compile(
    r"(?<!\S)- \*\*(?P<name>\w+)\*\* \((?P<type>\w+)(?: \((?P<detail>[^)]*)\))?\)"
    r"(?P<required> \(required\))?"
)
#: Ranges the API documentation states: "Range: 200-3000" for bandwidth_mbps (POST
#: /plans), and "any positive integer" for add_days (POST /plans/{planId}/extend).
DOCUMENTED_RANGES = {
    "/components/schemas/CreatePlanRequest/properties/bandwidth_mbps",
    "/components/schemas/ExtendPlanRequest/properties/add_days",
}
RANGE_KEYWORDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


def _description(section: str) -> str:
    return section.split("/openapi.json", 1)[1].split("```markdown", 1)[0]


PARAMETER = re.compile(
    r"(?<!\S)- \*\*(?P<name>\w+)\*\* \((?P<type>\w+)(?: \((?P<detail>[^)]*)\))?, "
    r"(?P<location>path|query), (?P<required>required|optional)\)"
)


def test_spec_has_exactly_the_documented_operations(
    openapi_spec: dict[str, Any], api_docs: str
) -> None:
    spec_ops = {(method, path) for method, path, _ in operations(openapi_spec)}
    assert spec_ops == set(_sections(api_docs))


@pytest.mark.parametrize("key", documented_operations())
def test_parameters_match_the_documentation(
    openapi_spec: dict[str, Any], api_docs: str, key: tuple[str, str]
) -> None:
    method, path = key
    section = _sections(api_docs)[key].split("### Responses")[0]
    op = openapi_spec["paths"][path][method]
    spec_params = {param["name"]: param for param in op.get("parameters", [])}
    documented = {match["name"]: match for match in PARAMETER.finditer(section)}
    assert set(spec_params) == set(documented)
    for name, line in documented.items():
        param = spec_params[name]
        schema = resolve(openapi_spec, param["schema"])
        assert param["in"] == line["location"]
        assert param["required"] is (line["required"] == "required")
        assert schema["type"] == line["type"]
        detail = line["detail"]
        if detail and "|" in detail:
            assert schema["enum"] == detail.split("|")
        elif detail:
            assert schema["format"] == detail
        else:
            assert "enum" not in schema and "format" not in schema


def test_assumptions_are_marked(openapi_spec: dict[str, Any]) -> None:
    schemas = openapi_spec["components"]["schemas"]
    for name in ("ErrorResponse", "Pagination", "PlanPage", "PlanLimits", "PlanBilling"):
        assert schemas[name]["x-flashproxy-assumed"] is True, name
        assert schemas[name]["x-flashproxy-assumption"], name
    allocations = schemas["BalanceAllocations"]["properties"]
    assert allocations["residential-lite"]["x-flashproxy-assumed"] is True
    created = openapi_spec["paths"]["/plans"]["post"]["responses"]["201"]
    assert created["x-flashproxy-assumed"] is True


@pytest.mark.parametrize("key", documented_operations())
def test_descriptions_are_the_documented_text(
    openapi_spec: dict[str, Any], api_docs: str, key: tuple[str, str]
) -> None:
    # The published dump lost its line breaks; the words, product rules and flows must
    # all be there.
    method, path = key
    documented = _description(_sections(api_docs)[key]).strip()
    assert _flat(openapi_spec["paths"][path][method]["description"]) == documented


@pytest.mark.parametrize("key", documented_operations(having="### Request Body"))
def test_request_bodies_match_the_documentation(
    openapi_spec: dict[str, Any], api_docs: str, key: tuple[str, str]
) -> None:
    method, path = key
    section = _sections(api_docs)[key].split("### Request Body", 1)[1].split("### Responses")[0]
    documented = {match["name"]: match for match in BODY_PROPERTY.finditer(section)}
    body = openapi_spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    schema = resolve(openapi_spec, body["schema"])
    assert set(schema["properties"]) == set(documented)
    required = {name for name, line in documented.items() if line["required"]}
    assert set(schema.get("required", [])) == required
    for name, line in documented.items():
        prop = resolve(openapi_spec, schema["properties"][name])
        assert prop["type"] == line["type"], name
        if line["detail"]:
            assert prop["enum"] == line["detail"].split("|"), name
        else:
            assert "enum" not in prop, name


def test_every_range_beyond_the_documentation_is_marked_assumed(
    openapi_spec: dict[str, Any],
) -> None:
    ranged = [where for where, node in nodes(openapi_spec) if RANGE_KEYWORDS & node.keys()]
    assert set(ranged) >= DOCUMENTED_RANGES
    unmarked = [
        where
        for where, node in nodes(openapi_spec)
        if where in ranged
        and where not in DOCUMENTED_RANGES
        and not (node.get("x-flashproxy-assumed") is True and node.get("x-flashproxy-assumption"))
    ]
    assert unmarked == []


def test_every_password_like_property_is_marked_secret(openapi_spec: dict[str, Any]) -> None:
    # Codegen hides x-flashproxy-secret fields from repr; a new password field in a
    # spec bump must not slip through unmarked.
    secret_name = re.compile(r"pass(word)?|secret|token|api_?key", re.I)
    unmarked = [
        f"{name}.{prop}"
        for name, schema in openapi_spec["components"]["schemas"].items()
        for prop, node in schema.get("properties", {}).items()
        if secret_name.search(prop) and node.get("x-flashproxy-secret") is not True
    ]
    assert unmarked == []
