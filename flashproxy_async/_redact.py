"""Scrub secrets out of text before it reaches a log record or an exception message.

Error bodies come from the server and may echo a proxy password (a plan's
``proxy_password``, a ``user:pass@host:port`` connection string) or, from a
misbehaving proxy in between, the ``Authorization`` header. The known secrets
(the API key) are masked by value; the rest by shape.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MASK", "mask_secret_fields", "redact", "secret_fields", "secret_values", "snippet"]

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


@functools.cache
def secret_fields() -> frozenset[str]:
    """The wire names of every field the spec marks secret (``x-flashproxy-secret``).

    Read from the generated models, where codegen turns the mark into ``repr=False``.
    """
    import attrs

    from ._generated import models

    names: set[str] = set()
    for model in vars(models).values():
        if isinstance(model, type) and attrs.has(model):
            names.update(field.name for field in attrs.fields(model) if field.repr is False)
    return frozenset(names)


@functools.cache
def _named_secret_pattern() -> re.Pattern[str]:
    # ``password: s3cr3t`` without quotes. Only the password-like names: the others
    # (connection strings) hold ``user:pass@host``, which the shape pattern masks, and
    # words like "format" occur in ordinary messages.
    names = sorted(name for name in secret_fields() if "pass" in name)
    return re.compile(rf"(?i)\b((?:{'|'.join(map(re.escape, names))})\s*[:=]\s*)(?![\"'])[^\s,;&]+")


def secret_values(body: Any) -> list[str]:
    """The values of the secret fields anywhere in a decoded JSON body."""
    found: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            if key in secret_fields() and isinstance(value, str) and value:
                found.append(value)
            else:
                found.extend(secret_values(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(secret_values(item))
    return found


def mask_secret_fields(body: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a decoded body with secret fields masked and every string redacted."""
    known = [*secrets, *secret_values(body)]
    return _mask(body, known)


def _mask(body: Any, secrets: list[str]) -> Any:
    if isinstance(body, Mapping):
        return {
            key: MASK
            if key in secret_fields() and isinstance(value, str)
            else _mask(value, secrets)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [_mask(item, secrets) for item in body]
    if isinstance(body, str):
        return redact(body, secrets)
    return body


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret in ``secrets`` and every secret-shaped value masked."""
    # Longest first: a secret that contains another is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _named_secret_pattern().sub(rf"\g<1>{MASK}", text)


def snippet(text: str, secrets: Iterable[str] = ()) -> str:
    """A body shortened for an error message: whitespace folded, masked, then cut.

    Masked before it is cut: a cut through a secret would leave a prefix that no
    pattern recognises.
    """
    flat = redact(" ".join(text.split()), secrets)
    cut = flat[:_SNIPPET_CHARS] + ("..." if len(flat) > _SNIPPET_CHARS else "")
    return cut or "<empty body>"
