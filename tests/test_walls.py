"""The walls between the package's rooms, read from the imports with ``ast``.

ARCHITECTURE.md states these rules; this test is what keeps them:

* ``testing/`` (the fake API) imports nothing of the client side, nor anything else of
  the package: it must stay an independent reading of the API documentation;
* the core (the flat private modules) imports no sync, bulk or CLI code, and only the
  client (the composition root) imports resources;
* a limiter imports nothing of HTTP;
* targeting does no I/O and never imports the transport;
* no module imports another area's private module.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "flashproxy_async"
PACKAGE = "flashproxy_async"
#: Subpackages that are rooms of their own. ``_generated`` is shared by everyone.
AREAS = frozenset({"bulk", "cli", "limiters", "resources", "sync", "targeting", "testing"})
HTTP_MODULES = ("aiohttp", "http", "urllib.request", "socket", "ssl")
IO_MODULES = (*HTTP_MODULES, "asyncio", "anyio", "redis", "subprocess", "pathlib", "io")
IO_CALLS = frozenset({"open", "print", "input"})


@attrs.frozen
class Import:
    importer: str  # dotted module name
    imported: str  # dotted module name, absolute
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    """Every import in a module, as absolute names; ``from . import x`` yields ``pkg.x``."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield Import(name, base, node.lineno)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if _is_module(root, candidate):
                    yield Import(name, candidate, node.lineno)


def _is_module(root: Path, dotted: str) -> bool:
    if not dotted.startswith(PACKAGE + "."):
        return False
    relative = Path(*dotted.split(".")[1:])
    return (root / relative).with_suffix(".py").exists() or (root / relative).is_dir()


def area_of(module: str) -> str | None:
    """The area a package module belongs to, or None for the core."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in AREAS:
        return parts[1]
    return None


def is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(root: Path) -> list[str]:
    """Each broken rule as ``module:line: what``; empty when the walls stand."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if "_generated" in path.parts:
            continue
        for imp in imports_of(root, path):
            found.extend(f"{imp.importer}:{imp.line}: {rule}" for rule in _broken_rules(imp))
        if area_of(module_name(root, path)) == "targeting":
            found.extend(_io_calls(root, path))
    return found


def _broken_rules(imp: Import) -> Iterator[str]:
    own_area = area_of(imp.importer)
    internal = imp.imported.startswith(PACKAGE + ".") or imp.imported == PACKAGE
    target = imp.imported.split(".")
    if own_area == "testing" and internal and area_of(imp.imported) != "testing":
        yield f"testing imports the client side ({imp.imported})"
    if own_area is None and internal:
        if area_of(imp.imported) in {"sync", "bulk", "cli"}:
            yield f"the core imports {imp.imported}"
        composition_root = imp.importer in {PACKAGE, f"{PACKAGE}._client"}
        if area_of(imp.imported) == "resources" and not composition_root:
            yield f"the core imports resources ({imp.imported}); only the client may"
    if own_area == "limiters":
        http = _within(imp.imported, *HTTP_MODULES)
        client = _within(imp.imported, f"{PACKAGE}._transport", f"{PACKAGE}._wire")
        if http or client or area_of(imp.imported) == "resources":
            yield f"a limiter imports HTTP ({imp.imported})"
    if own_area == "targeting":
        if _within(imp.imported, *IO_MODULES):
            yield f"targeting imports an I/O module ({imp.imported})"
        if _within(imp.imported, f"{PACKAGE}._transport", f"{PACKAGE}._client"):
            yield f"targeting imports the transport ({imp.imported})"
    if internal and len(target) > 2:
        their_area = area_of(imp.imported)
        if their_area is not None and their_area != own_area and is_private(target[2]):
            yield f"imports another area's private module {imp.imported}"


def _io_calls(root: Path, path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in IO_CALLS
        ):
            yield f"{module_name(root, path)}:{node.lineno}: targeting calls {node.func.id}()"


def test_the_walls_stand() -> None:
    assert violations(PACKAGE_ROOT) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("testing/_planted.py", "from .._client import AsyncFlashProxy\n", "testing imports"),
        ("testing/_planted.py", "import flashproxy_async.resources\n", "testing imports"),
        ("_planted.py", "from .bulk import provision\n", "the core imports"),
        ("_planted.py", "from .resources import AsyncPlans\n", "only the client may"),
        ("limiters/_planted.py", "import aiohttp\n", "a limiter imports HTTP"),
        ("limiters/_planted.py", "from .._transport import Transport\n", "imports HTTP"),
        ("targeting/_planted.py", "import socket\n", "an I/O module"),
        ("targeting/_planted.py", "from .._transport import Transport\n", "the transport"),
        ("targeting/_planted.py", "def f():\n    return open('x')\n", "calls open()"),
        ("bulk/_planted.py", "from ..targeting._rules import SPECS\n", "private module"),
        ("cli/_planted.py", "from ..limiters import _token_bucket\n", "private module"),
    ],
)
def test_a_planted_violation_is_caught(
    tmp_path: Path, module: str, source: str, expected: str
) -> None:
    root = tmp_path / PACKAGE
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(root) == []
    planted = root / module
    planted.write_text(source, encoding="utf-8")
    found = violations(root)
    assert len(found) == 1, found
    assert expected in found[0]
    assert found[0].startswith(module_name(root, planted) + ":")
