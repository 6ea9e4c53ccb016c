"""Constraint changes (bounds, lengths, patterns) of one field or parameter, classed as
oasdiff classes them.

A tighter constraint breaks a request (a call that was valid is refused); a looser
one breaks a response (a value the user's code relied on being in range may not be).
The other direction is not breaking.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._spec_walk import CONSTRAINT_KEYWORDS, REQUEST, RESPONSE

#: Keyword -> which way is tighter: +1 when a larger value is tighter, -1 smaller.
_BOUNDS = {"minimum": +1, "minLength": +1, "minItems": +1, "maximum": -1, "maxLength": -1,
           "maxItems": -1}  # fmt: skip
_FLAGS = ("exclusiveMinimum", "exclusiveMaximum", "uniqueItems")


def _tightened(key: str, old: Any, new: Any) -> bool | None:
    """True when the change tightens, False when it loosens, None when unclear."""
    if key in _BOUNDS:
        if old is None:
            return True
        if new is None:
            return False
        if new == old:
            return None
        return bool((new > old) == (_BOUNDS[key] > 0))
    if key in _FLAGS:
        return bool(new) and not bool(old) if bool(new) != bool(old) else None
    # pattern: added or changed tightens (as far as anyone can tell), removed loosens.
    return new is not None


def constraint_changes(
    subject: str,
    before: tuple[tuple[str, Any], ...],
    after: tuple[tuple[str, Any], ...],
    sides: frozenset[str],
) -> Iterator[tuple[str, bool, str]]:
    """(kind, breaking, text) for each constraint that changed."""
    old, new = dict(before), dict(after)
    for key in CONSTRAINT_KEYWORDS:
        if old.get(key) == new.get(key):
            continue
        tighter = _tightened(key, old.get(key), new.get(key))
        if tighter is None:
            continue
        breaking = REQUEST in sides if tighter else RESPONSE in sides
        if key not in old:
            text = f"{subject} now has `{key}: {new[key]}`."
        elif key not in new:
            text = f"{subject} no longer has `{key}` (was `{old[key]}`)."
        else:
            text = f"{subject} `{key}` changed from `{old[key]}` to `{new[key]}`."
        yield (f"constraint-{'tightened' if tighter else 'loosened'}", breaking, text)
