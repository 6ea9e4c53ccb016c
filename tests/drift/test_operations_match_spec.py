"""Every resource method sends what its operation in openapi.json describes.

Each ``@operation`` method is called with every parameter given (a sample value per
type) against a client whose request path only records: the HTTP method, the path,
the query names and the body keys must be the operation's. After a spec bump that
renames a query parameter or adds a body field, this fails naming the method to
change, though the regenerated models and the rest of the suite pass.
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
import typing_extensions

from codegen._generate import SPEC_PATH
from codegen._spec_walk import json_schema, load_spec, operations, parameters, resolve
from flashproxy_async import AsyncFlashProxy
from flashproxy_async._call_options import CallOptions
from flashproxy_async._plan_fields import PRODUCT_VARIANTS
from flashproxy_async.resources import resources_of
from flashproxy_async.resources._base import OPERATION_ATTRIBUTE

#: Names the resources import only for type checkers, for get_type_hints.
TYPE_CHECKING_NAMES = {"Unpack": typing_extensions.Unpack, "CallOptions": CallOptions}

API_KEY = "fp_test_" + "d" * 32
PLAN_ID = "536593ee-8722-48bd-bd17-b2ec73b7d701"
#: Values for parameters whose name says more than their type.
BY_NAME: dict[str, Any] = {
    "plan_id": PLAN_ID,
    "start": 1_700_000_000,
    "end": 1_700_003_600,
    "country": "us",
    "country_code": "us",
    "pool": "pool-a",
    "bandwidth_mbps": 300,
    "add_days": 7,
}
#: A valid value for each create-plan field a table row does not pin.
CREATE_SAMPLES: dict[str, Any] = {
    "bandwidth_gb": 5.0,
    "duration": "30_days",
    "mbps": 100,
    "bandwidth_mbps": 300,
    "location": "NL",
    "quantity": 2,
    "pool": "pool-a",
}


class _Sent(Exception):
    pass


@attrs.frozen
class Sent:
    method: str
    path: str
    query: frozenset[str]
    body: frozenset[str] | None


def _sample(name: str, hint: Any) -> Any:
    if name in BY_NAME:
        return BY_NAME[name]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _sample(name, members[0])
    if typing.get_origin(hint) is typing.Literal:
        return typing.get_args(hint)[0]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if hint is bool:
        return True
    if hint in (int, float):
        return hint(1)
    if hint is datetime:
        return datetime(2026, 1, 1, tzinfo=timezone.utc)
    if hint is uuid.UUID:
        return uuid.UUID(PLAN_ID)
    return "x1"


def _calls(method: Callable[..., Any]) -> list[dict[str, Any]]:
    """Keyword arguments that give every parameter of ``method``, in one or more calls."""
    if method.__name__ == "create" and getattr(method, OPERATION_ATTRIBUTE) == "createPlan":
        return [_create_call(row) for row in PRODUCT_VARIANTS]
    hints = typing.get_type_hints(method, localns=TYPE_CHECKING_NAMES)
    call = {}
    for name, parameter in inspect.signature(method).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        call[name] = _sample(name, hints.get(name, str))
    return [call]


def _create_call(row: Any) -> dict[str, Any]:
    chosen = {name: min(values) for name, values in row.when.items()}
    return {
        "product": min(row.products),
        **{name: CREATE_SAMPLES[name] for name in row.required if name not in chosen},
        **chosen,
        "end_user_reference": "ref-1",
    }


async def _record(client: AsyncFlashProxy, resource: str, name: str, call: dict[str, Any]) -> Sent:
    sent: list[Sent] = []

    async def recorder(
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        **_: Any,
    ) -> Any:
        query = frozenset(k for k, v in (params or {}).items() if v is not None)
        body = None if json_body is None else frozenset(json_body)
        sent.append(Sent(method, path, query, body))
        raise _Sent

    client._request = recorder  # type: ignore[method-assign]
    result = getattr(getattr(client, resource), name)(**call)
    with pytest.raises(_Sent):
        if inspect.isawaitable(result):
            await result
        else:
            await result.__anext__()
    return sent[0]


def _marked_methods() -> list[tuple[str, str, str]]:
    found = []
    for attribute, cls in resources_of(AsyncFlashProxy).items():
        for name in dir(cls):
            operation_id = getattr(getattr(cls, name), OPERATION_ATTRIBUTE, None)
            if isinstance(operation_id, str) and not name.startswith("_"):
                found.append((attribute, name, operation_id))
    return sorted(found)


def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


@pytest.mark.parametrize(
    ("resource", "name", "operation_id"),
    _marked_methods(),
    ids=lambda value: str(value),
)
async def test_the_method_sends_its_operations_method_path_query_and_body(
    resource: str, name: str, operation_id: str
) -> None:
    spec = load_spec(SPEC_PATH)
    where = f"client.{resource}.{name}"
    ops = operations(spec)
    assert operation_id in ops, f"{where} is marked {operation_id!r}, which openapi.json lacks"
    op = ops[operation_id]
    spec_query = {
        param["name"] for key, param in parameters(spec, op).items() if key.startswith("query:")
    }
    body_holder = op.node.get("requestBody")
    body_schema = None if body_holder is None else json_schema(spec, body_holder)
    spec_body = set(resolve(spec, body_schema).get("properties", {})) if body_schema else None

    async with AsyncFlashProxy(API_KEY, base_url="http://127.0.0.1:9/api/v1") as client:
        sends = [
            await _record(client, resource, name, call)
            for call in _calls(getattr(type(getattr(client, resource)), name))
        ]
    problems = []
    for sent in sends:
        if sent.method.lower() != op.method or not _path_pattern(op.path).match(sent.path):
            problems.append(f"sends {sent.method} {sent.path}; {operation_id} is {op.where}")
        for extra in sorted(sent.query - spec_query):
            problems.append(f"sends query {extra!r}, which {operation_id} does not have")
        if sent.body is not None and spec_body is None:
            problems.append(f"sends a body; {operation_id} takes none")
        for extra in sorted((sent.body or set()) - (spec_body or set())):
            problems.append(f"sends body key {extra!r}, which {operation_id} does not have")
    for missing in sorted(spec_query - set().union(*(sent.query for sent in sends))):
        problems.append(f"cannot send query {missing!r} of {operation_id}: add the parameter")
    if spec_body is not None:
        given = set().union(*(sent.body or set() for sent in sends))
        for missing in sorted(spec_body - given):
            problems.append(f"cannot send body key {missing!r} of {operation_id}: add it")
    assert not problems, f"{where} ({flashproxy_source(resource)}):\n  " + "\n  ".join(problems)


def flashproxy_source(resource: str) -> str:
    cls = resources_of(AsyncFlashProxy)[resource]
    return inspect.getsourcefile(cls) or cls.__module__
