"""``python -m codegen [--check]``."""

from __future__ import annotations

import argparse
import difflib
import sys

from ._generate import OUTPUT_DIR, GeneratorMismatchError, differences, render, write


def _summarise(name: str, new_text: str) -> str:
    path = OUTPUT_DIR / name
    old_lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    new_lines = new_text.splitlines()
    diff = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=0))
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    return f"  {path.relative_to(OUTPUT_DIR.parent.parent)}: +{added} -{removed} lines"


def main(argv: list[str] | None = None) -> int:
    """Regenerate the models, or with ``--check`` report drift and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit non-zero if the committed models differ from what openapi.json produces",
    )
    args = parser.parse_args(argv)
    try:
        files = render()
    except GeneratorMismatchError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    if not args.check:
        write(files)
        print(f"codegen: wrote {len(files)} files to {OUTPUT_DIR}")
        return 0
    changed = differences(files)
    if not changed:
        print("codegen: generated models are up to date with openapi.json")
        return 0
    print("codegen: generated models are out of date with openapi.json:", file=sys.stderr)
    for name in changed:
        print(_summarise(name, files.get(name, "")), file=sys.stderr)
    print("run `python -m codegen` to regenerate", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
