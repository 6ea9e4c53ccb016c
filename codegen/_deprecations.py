"""``_generated/deprecations.py``: what the spec marks deprecated, for run-time warnings."""

from __future__ import annotations

from typing import Any

from ._spec_walk import operations, parameters

DEPRECATIONS_MODULE = "deprecations.py"


def deprecations_module(spec: dict[str, Any], header: str) -> str:
    """The source of ``deprecations.py``: deprecated operationIds and parameters."""
    deprecated_ops: list[str] = []
    deprecated_params: dict[str, list[str]] = {}
    for key, op in sorted(operations(spec).items()):
        if op.node.get("deprecated"):
            deprecated_ops.append(key)
        names = sorted(
            param["name"]
            for param in parameters(spec, op).values()
            if param.get("deprecated") and "name" in param
        )
        if names:
            deprecated_params[key] = names
    ops = "".join(f'    "{key}",\n' for key in deprecated_ops)
    params = "".join(
        f'    "{key}": frozenset({{{", ".join(repr(n) for n in names)}}}),\n'
        for key, names in deprecated_params.items()
    )
    return (
        f"{header}\n"
        "#: operationIds the spec marks deprecated: calling their method warns.\n"
        f"DEPRECATED_OPERATIONS: frozenset[str] = frozenset({{\n{ops}}})\n\n"
        "#: operationId -> the parameters the spec marks deprecated: passing one warns.\n"
        f"DEPRECATED_PARAMETERS: dict[str, frozenset[str]] = {{\n{params}}}\n"
    )
