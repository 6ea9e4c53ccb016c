"""Scrub secrets out of text before it reaches a log record or an exception message.

Error bodies come from the server and may echo a proxy password (a plan's
``proxy_password``, a ``user:pass@host:port`` connection string) or, from a
misbehaving proxy in between, the ``Authorization`` header. The known secrets
(the API key) are masked by value; the rest by shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "redact", "snippet"]

MASK = "***"
_SNIPPET_CHARS = 200

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # API keys of either mode, wherever they appear.
    (re.compile(r"\b(fp_(?:live|test)_)[A-Za-z0-9_\-]+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)\b(bearer\s+)\S+"), rf"\g<1>{MASK}"),
    # JSON (or repr'd dict) members whose name says secret; a value cut off before its
    # closing quote is masked to the end of the line.
    (
        re.compile(
            r"""(?ix)
            (["']?[a-z_\-]*(?:password|passwd|secret|token|api[_\-]?key|authorization)
             ["']?\s*[:=]\s*)
            (["'])(?:\\.|(?!\2).)*(?:\2|$)
            """
        ),
        rf"\g<1>\g<2>{MASK}\g<2>",
    ),
    # Query-string or form style: password=..., pass=...
    (
        re.compile(r"(?i)\b((?:proxy_)?(?:password|passwd|pass|pwd|api_key|token)=)[^&\s\"',;]+"),
        rf"\g<1>{MASK}",
    ),
    # user:password@host, as in a plan's connection format or a proxy URL.
    (
        re.compile(r"(?<![\w.\-:/@])((?:[a-z][a-z0-9+.\-]*://)?[^\s:@/\"',;]+):[^\s@/\"',;]+@"),
        rf"\g<1>:{MASK}@",
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret in ``secrets`` and every secret-shaped value masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def snippet(text: str, secrets: Iterable[str] = ()) -> str:
    """A body shortened for an error message: whitespace folded, masked, then cut.

    Masked before it is cut: a cut through a secret would leave a prefix that no
    pattern recognises.
    """
    flat = redact(" ".join(text.split()), secrets)
    cut = flat[:_SNIPPET_CHARS] + ("..." if len(flat) > _SNIPPET_CHARS else "")
    return cut or "<empty body>"
