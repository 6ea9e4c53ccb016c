"""Which operations of openapi.json have a resource method, found by their ``@operation`` mark.

A resource method is marked by the decorator that sets
``fn.__flashproxy_operation_id__ = "<operationId>"``. After a spec bump, the
spec-coverage test calls :func:`uncovered_operations` to point at the new
operations that still need a method, and :func:`stale_operations` at the
methods whose operation the spec dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ._generate import SPEC_PATH
from ._spec_walk import load_spec, operations

OPERATION_ATTRIBUTE = "__flashproxy_operation_id__"


def _marked_ids(resource_class: type) -> Iterator[str]:
    for klass in resource_class.__mro__:
        for member in vars(klass).values():
            # staticmethod, classmethod and property hide the marked function one level down.
            for candidate in (
                member,
                getattr(member, "__func__", None),
                getattr(member, "fget", None),
            ):
                operation_id = getattr(candidate, OPERATION_ATTRIBUTE, None)
                if isinstance(operation_id, str):
                    yield operation_id
                    break


def covered_operations(resource_classes: Iterable[type]) -> set[str]:
    """The operationIds that some method of ``resource_classes`` is marked with."""
    return {operation_id for cls in resource_classes for operation_id in _marked_ids(cls)}


def uncovered_operations(
    spec_path: Path = SPEC_PATH, resource_classes: Iterable[type] = ()
) -> list[str]:
    """The operationIds of ``spec_path`` that no resource method is marked with, sorted.

    Raises:
        SpecError: ``spec_path`` cannot be read as an OpenAPI document.
    """
    return sorted(operations(load_spec(spec_path)).keys() - covered_operations(resource_classes))


def stale_operations(
    spec_path: Path = SPEC_PATH, resource_classes: Iterable[type] = ()
) -> list[str]:
    """The operationIds marked on resource methods that ``spec_path`` no longer has, sorted.

    Raises:
        SpecError: ``spec_path`` cannot be read as an OpenAPI document.
    """
    return sorted(covered_operations(resource_classes) - operations(load_spec(spec_path)).keys())
