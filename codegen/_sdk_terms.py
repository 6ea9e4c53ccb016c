"""Spec names in SDK terms: ``listPools`` is ``client.proxies.pools()``; the next version.

Read from the ``@operation`` marks of the resources the client lists, so a draft
CHANGELOG line speaks of what users call, not of operationIds.
"""

from __future__ import annotations

import importlib
import re
from functools import cache

_SUBJECT = re.compile(
    r"`(?P<op>\w+)` (?P<place>query|path|header|cookie) parameter `(?P<name>[\w-]+)`"
)
_OPERATION = re.compile(r"`(?P<op>\w+)`")


@cache
def sdk_calls() -> dict[str, str]:
    """operationId -> ``client.<resource>.<method>``, for every marked method."""
    base = importlib.import_module("flashproxy_async.resources._base")
    client = importlib.import_module("flashproxy_async._client")
    found: dict[str, str] = {}
    for attribute, cls in base.resources_of(client.AsyncFlashProxy).items():
        for name in sorted(dir(cls)):
            operation_id = getattr(getattr(cls, name), base.OPERATION_ATTRIBUTE, None)
            if isinstance(operation_id, str) and not name.startswith("_"):
                # The plain method wins over its paging twin (list over list_page).
                found.setdefault(operation_id, f"client.{attribute}.{name}")
    return found


def in_sdk_terms(text: str) -> str:
    """``text`` with operationIds (and their parameters) spelt as SDK calls."""
    calls = sdk_calls()

    def parameter(match: re.Match[str]) -> str:
        call = calls.get(match["op"])
        if call is None:
            return match[0]
        return f"`{call}({match['name']}=...)` ({match['place']} parameter `{match['name']}`)"

    def operation(match: re.Match[str]) -> str:
        call = calls.get(match["op"])
        return f"`{call}()`" if call else match[0]

    text = _SUBJECT.sub(parameter, text)
    return _OPERATION.sub(lambda m: operation(m) if m["op"] in calls else m[0], text)


def suggested_version(current: str, *, breaking: bool, added: bool) -> tuple[str, str]:
    """The next package version and why, by semver (below 1.0 a break bumps the minor)."""
    major, minor, patch = (int(part) for part in current.split(".")[:3])
    if breaking and major >= 1:
        return f"{major + 1}.0.0", "major: breaking changes"
    if breaking:
        return f"{major}.{minor + 1}.0", "minor: breaking changes while below 1.0"
    if added:
        return f"{major}.{minor + 1}.0", "minor: additions only"
    return f"{major}.{minor}.{patch + 1}", "patch: nothing added or broken"


def package_version() -> str:
    """The SDK's version, from its one home."""
    module = importlib.import_module("flashproxy_async._version")
    return str(module.__version__)
