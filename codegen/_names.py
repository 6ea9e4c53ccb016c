"""Every generated class is named by the spec, never by the generator's guesswork.

The generator names an inline schema after its property (``Data``) and numbers
clashes (``Data1``), so a schema added earlier in the file renames public classes
silently. Here a class name must be a component schema's name, or be given to an
inline schema in :data:`INLINE_NAMES` (a JSON pointer into openapi.json -> a name;
the name goes in as the schema's ``title``, which the generator then uses).
"""

from __future__ import annotations

import ast
import copy
import re
from typing import Any

#: JSON pointer of an inline schema in openapi.json -> the class name it generates.
INLINE_NAMES: dict[str, str] = {}

_GENERIC = re.compile(r"^(Data|Model|Item|Items|Object|Response|Request|Result|Field)\d*$|\d$")


class UnnamedSchemaError(ValueError):
    """A generated class name the spec does not give."""


def _pointer_target(spec: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = spec
    for part in pointer.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, dict):
        raise UnnamedSchemaError(f"INLINE_NAMES: {pointer} is not a schema")
    return node


def with_inline_titles(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` whose inline schemas named in :data:`INLINE_NAMES` carry titles."""
    named = copy.deepcopy(spec)
    for pointer, name in INLINE_NAMES.items():
        _pointer_target(named, pointer)["title"] = name
    return named


def check_class_names(models_source: str, spec: dict[str, Any]) -> None:
    """Raise :class:`UnnamedSchemaError` for every class the spec does not name."""
    allowed = set(spec.get("components", {}).get("schemas", {})) | set(INLINE_NAMES.values())
    tree = ast.parse(models_source)
    defined = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    unnamed = [name for name in defined if name not in allowed or _GENERIC.search(name)]
    if unnamed:
        raise UnnamedSchemaError(
            f"generated class(es) {', '.join(unnamed)} take their name from the generator, "
            "not the spec. Move the inline schema under components/schemas with a real "
            "name, or name it in INLINE_NAMES (codegen/_names.py: JSON pointer -> name)."
        )
