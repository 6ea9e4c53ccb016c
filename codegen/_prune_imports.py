"""A datamodel-code-generator custom formatter that drops unused imports.

The dataclass output type always imports ``dataclasses.dataclass`` (and
``enum.Enum``), which our attrs templates never use. The generator's supported
hook for reshaping its output is a custom formatter; this one decides from the
syntax tree, not from patterns in the text.
"""

from __future__ import annotations

import ast
from typing import Any

from datamodel_code_generator.format import CustomCodeFormatter


def _used_names(tree: ast.Module) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def prune_unused_imports(code: str) -> str:
    """Remove ``from x import y`` statements none of whose names the module uses."""
    tree = ast.parse(code)
    used = _used_names(tree)
    doomed: set[int] = set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        if all((alias.asname or alias.name) not in used for alias in node.names):
            end = node.end_lineno if node.end_lineno is not None else node.lineno
            doomed.update(range(node.lineno, end + 1))
    lines = code.splitlines(keepends=True)
    return "".join(line for number, line in enumerate(lines, start=1) if number not in doomed)


class CodeFormatter(CustomCodeFormatter):
    """Entry point datamodel-code-generator looks up in a custom formatter module."""

    def __init__(self, formatter_kwargs: dict[str, Any]) -> None:
        super().__init__(formatter_kwargs)

    def apply(self, code: str) -> str:
        return prune_unused_imports(code)
