"""``_generated/literals.py``: a ``Literal`` alias of every enum's values.

Resource parameters take ``Product | ProductLiteral``: the generated enum member or
one of the spec's strings, so a misspelt value is a static error in both clients.
"""

from __future__ import annotations

import ast
import json

LITERALS_MODULE = "literals.py"


def _enum_values(node: ast.ClassDef) -> list[str]:
    values: list[str] = []
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            values.append(statement.value.value)
    return values


def _is_enum(node: ast.ClassDef) -> bool:
    return any(isinstance(base, ast.Name) and base.id == "OpenStrEnum" for base in node.bases)


def literal_aliases(models_source: str) -> dict[str, list[str]]:
    """Alias name (``<Enum>Literal``) -> the enum's wire values, in spec order."""
    tree = ast.parse(models_source)
    return {
        f"{node.name}Literal": _enum_values(node)
        for node in tree.body
        if isinstance(node, ast.ClassDef) and _is_enum(node) and _enum_values(node)
    }


def literals_module(models_source: str, header: str) -> str:
    """The source of ``literals.py``."""
    aliases = literal_aliases(models_source)
    lines = [header, "from typing import Literal", ""]
    for name, values in aliases.items():
        members = "".join(f"    {json.dumps(value)},\n" for value in values)
        lines.append(f"{name} = Literal[\n{members}]")
    exported = "".join(f'    "{name}",\n' for name in aliases)
    lines.append(f"\n__all__ = [\n{exported}]")
    return "\n".join(lines) + "\n"
