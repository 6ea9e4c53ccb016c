"""``python -m codegen [--check]`` and ``python -m codegen diff OLD.json NEW.json``."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from ._diff import diff_specs
from ._diff_report import json_report, text_report
from ._generate import OUTPUT_DIR, GeneratorMismatchError, differences, render, write
from ._names import UnnamedSchemaError
from ._spec_walk import SpecError, load_spec
from ._sync_surface import SURFACE_FILE, SurfaceError, render_surface

USAGE_ERROR = 2


def _summarise(name: str, new_text: str) -> str:
    path = OUTPUT_DIR / name
    old_lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    new_lines = new_text.splitlines()
    diff = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=0))
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    return f"  {path.relative_to(OUTPUT_DIR.parent.parent)}: +{added} -{removed} lines"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Regenerate flashproxy_async/_generated from openapi.json (the default), "
        "or compare two versions of the spec.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit non-zero if the committed models differ from what openapi.json produces",
    )
    commands = parser.add_subparsers(dest="command", metavar="{diff}")
    diff = commands.add_parser(
        "diff",
        help="list what changed between two specs; exit 1 if anything breaks SDK users",
        description="List what changed between two openapi.json files, class each change as "
        "breaking or not for SDK users, and draft CHANGELOG lines. Exit status: 0 nothing "
        "breaking, 1 breaking changes, 2 usage error.",
    )
    diff.add_argument("old", type=Path, metavar="OLD.json")
    diff.add_argument("new", type=Path, metavar="NEW.json")
    diff.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    ``python -m codegen`` regenerates the models, ``--check`` reports drift and
    returns 1, ``diff OLD NEW`` returns 1 when a change breaks SDK users. Usage
    errors return 2.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "diff":
        if args.check:
            parser.error("--check applies to generating, not to diff")
        return _diff(args.old, args.new, as_json=args.json)
    return _generate(check=args.check)


def _diff(old_path: Path, new_path: Path, *, as_json: bool) -> int:
    try:
        old, new = load_spec(old_path), load_spec(new_path)
    except SpecError as exc:
        print(f"codegen diff: {exc}", file=sys.stderr)
        return USAGE_ERROR
    diff = diff_specs(old, new)
    print(json_report(diff) if as_json else text_report(diff), end="")
    return 1 if diff.breaking else 0


def _generate(*, check: bool) -> int:
    try:
        files = render()
    except (GeneratorMismatchError, UnnamedSchemaError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    if not check:
        write(files)
        print(f"codegen: wrote {len(files)} files to {OUTPUT_DIR}")
    changed = [] if not check else differences(files)
    surface_changed = _surface(check=check)
    if surface_changed is None:
        return 2
    if not check:
        return 0
    if not changed and not surface_changed:
        print("codegen: generated code is up to date with openapi.json and the resources")
        return 0
    print("codegen: generated code is out of date:", file=sys.stderr)
    for name in changed:
        print(_summarise(name, files.get(name, "")), file=sys.stderr)
    if surface_changed:
        print(
            f"  {SURFACE_FILE.relative_to(OUTPUT_DIR.parent.parent)}: differs from the "
            "async resources",
            file=sys.stderr,
        )
    print("run `python -m codegen` to regenerate", file=sys.stderr)
    return 1


def _surface(*, check: bool) -> bool | None:
    """Write (or, checking, compare) the typed blocking surface; None on failure."""
    try:
        text = render_surface()
    except SurfaceError as exc:
        print(f"codegen: the blocking surface: {exc}", file=sys.stderr)
        return None
    current = SURFACE_FILE.read_text(encoding="utf-8") if SURFACE_FILE.is_file() else None
    if not check:
        if current != text:
            SURFACE_FILE.write_text(text, encoding="utf-8")
        print(f"codegen: wrote {SURFACE_FILE.relative_to(OUTPUT_DIR.parent.parent)}")
    return current != text


if __name__ == "__main__":
    sys.exit(main())
