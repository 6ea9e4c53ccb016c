"""Render a :class:`SpecDiff` as a terminal report, draft CHANGELOG lines, or JSON."""

from __future__ import annotations

import json

from ._diff import ADDED, SECTIONS, Change, SpecDiff
from ._sdk_terms import in_sdk_terms, package_version, suggested_version


def changelog_line(change: Change) -> str:
    """One Keep a Changelog bullet; breaking changes say so first."""
    return f"- {'**Breaking:** ' if change.breaking else ''}{in_sdk_terms(change.text)}"


def changelog_draft(diff: SpecDiff) -> str:
    """Draft lines for CHANGELOG.md, under ``## [Unreleased]`` and its sections."""
    lines = ["## [Unreleased]"]
    for section in SECTIONS:
        # Breaking lines first: they are what a reader of the changelog must not miss.
        entries = sorted(
            (change for change in diff.changes if change.section == section),
            key=lambda change: not change.breaking,
        )
        if entries:
            lines += ["", f"### {section}", *(changelog_line(change) for change in entries)]
    return "\n".join(lines) + "\n"


def text_report(diff: SpecDiff) -> str:
    """A human report: a verdict, every change with its class, then the CHANGELOG draft."""
    breaking = len(diff.breaking)
    lines = [
        f"openapi.json {diff.old_version} -> {diff.new_version}: "
        f"{len(diff.changes)} change(s), {breaking} breaking for SDK users",
    ]
    if not diff.changes:
        return lines[0] + "\n"
    width = max(len(change.kind) for change in diff.changes)
    lines.append("")
    for change in diff.changes:
        verdict = "BREAKING" if change.breaking else "ok      "
        lines.append(f"  {verdict}  {change.kind:<{width}}  {change.text}")
    lines += ["", "Draft CHANGELOG.md lines:", "", changelog_draft(diff)]
    version, why = suggest(diff)
    lines += [f"Suggested package version: {version} ({why}; now {package_version()})", ""]
    return "\n".join(lines)


def suggest(diff: SpecDiff) -> tuple[str, str]:
    """The next package version for this diff, and why."""
    added = any(change.section == ADDED for change in diff.changes)
    return suggested_version(package_version(), breaking=bool(diff.breaking), added=added)


def json_report(diff: SpecDiff) -> str:
    """The same content as :func:`text_report`, for tools."""
    payload = {
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "breaking": bool(diff.breaking),
        "changes": [
            {
                "kind": change.kind,
                "section": change.section,
                "breaking": change.breaking,
                "text": change.text,
            }
            for change in diff.changes
        ],
        "changelog": changelog_draft(diff),
        "suggested_version": suggest(diff)[0],
    }
    return json.dumps(payload, indent=2) + "\n"
