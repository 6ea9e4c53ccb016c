"""codegen diff on what the first version missed: constraints, renames, success
statuses, deprecations, SDK-term CHANGELOG lines and the suggested version."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from codegen._diff import Change, diff_specs
from codegen._diff_report import changelog_draft, suggest, text_report
from codegen._generate import SPEC_PATH
from codegen._sdk_terms import in_sdk_terms, suggested_version

Spec = dict[str, Any]


@pytest.fixture(scope="module")
def spec() -> Spec:
    loaded: Spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def changed(spec: Spec, edit: Callable[[Spec], object]) -> list[Change]:
    new = copy.deepcopy(spec)
    edit(new)
    return diff_specs(spec, new).changes


def only(changes: list[Change]) -> Change:
    assert len(changes) == 1, changes
    return changes[0]


def schemas(spec: Spec) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def param(spec: Spec, path: str, method: str, name: str) -> dict[str, Any]:
    params = spec["paths"][path][method]["parameters"]
    return next(p for p in params if p.get("name") == name)


def _mbps_maximum(value: int) -> Callable[[Spec], object]:
    return lambda new: _create_field(new, "bandwidth_mbps").update(maximum=value)


def _create_field(spec: Spec, name: str) -> dict[str, object]:
    field: dict[str, object] = schemas(spec)["CreatePlanRequest"]["properties"][name]
    return field


def test_a_lowered_request_maximum_is_breaking(spec: Spec) -> None:
    change = only(changed(spec, _mbps_maximum(2000)))
    assert (change.kind, change.breaking) == ("constraint-tightened", True)
    assert "`maximum` changed from `3000` to `2000`" in change.text


def test_a_raised_request_maximum_is_not_breaking(spec: Spec) -> None:
    change = only(changed(spec, _mbps_maximum(4000)))
    assert (change.kind, change.breaking) == ("constraint-loosened", False)


def test_a_new_max_length_on_a_request_field_is_breaking(spec: Spec) -> None:
    change = only(
        changed(spec, lambda new: _create_field(new, "end_user_reference").update(maxLength=64))
    )
    assert (change.kind, change.breaking) == ("constraint-tightened", True)
    assert "now has `maxLength: 64`" in change.text


def test_a_loosened_response_bound_is_breaking_and_a_tightened_one_is_not(spec: Spec) -> None:
    def bound(value: int) -> object:
        return lambda new: schemas(new)["Pool"]["properties"]["stock"].update(maximum=value)

    base = copy.deepcopy(spec)
    schemas(base)["Pool"]["properties"]["stock"]["maximum"] = 100
    looser = only(changed(base, bound(1000)))
    tighter = only(changed(base, bound(10)))
    assert (looser.kind, looser.breaking) == ("constraint-loosened", True)
    assert (tighter.kind, tighter.breaking) == ("constraint-tightened", False)


def test_a_new_pattern_and_min_length_on_a_parameter_are_breaking(spec: Spec) -> None:
    def tighten(new: Spec) -> None:
        param(new, "/geo/states", "get", "country_code")["schema"].update(
            pattern="^[A-Z]{2}$", minLength=2
        )

    found = changed(spec, tighten)
    assert {(c.kind, c.breaking) for c in found} == {("constraint-tightened", True)}
    assert len(found) == 2


def test_one_parameter_removed_and_one_added_is_a_likely_rename(spec: Spec) -> None:
    def rename(new: Spec) -> None:
        param(new, "/proxies/pools", "get", "country")["name"] = "country_code"

    change = only(changed(spec, rename))
    assert (change.kind, change.breaking) == ("parameter-renamed", True)
    assert "`country` was removed and `country_code` added: likely a rename" in change.text


def test_trading_one_success_status_for_another_is_not_breaking(spec: Spec) -> None:
    def to_200(new: Spec) -> None:
        responses = new["paths"]["/plans"]["post"]["responses"]
        responses["200"] = responses.pop("201")

    change = only(changed(spec, to_200))
    assert (change.kind, change.breaking) == ("success-status-changed", False)
    assert "accepts any 2xx" in change.text


def test_a_deprecated_parameter_is_listed(spec: Spec) -> None:
    def deprecate(new: Spec) -> None:
        param(new, "/proxies/pools", "get", "country")["deprecated"] = True

    change = only(changed(spec, deprecate))
    assert (change.kind, change.breaking) == ("parameter-deprecated", False)


def test_changelog_lines_name_sdk_calls_not_operation_ids(spec: Spec) -> None:
    def rename(new: Spec) -> None:
        param(new, "/proxies/pools", "get", "country")["name"] = "country_code"

    new = copy.deepcopy(spec)
    rename(new)
    draft = changelog_draft(diff_specs(spec, new))
    assert "`client.proxies.pools(country=...)`" in draft
    assert "listPools" not in draft
    assert in_sdk_terms("`aNewOperation` is new.") == "`aNewOperation` is new."


@pytest.mark.parametrize(
    ("current", "breaking", "added", "expected"),
    [
        ("0.1.0", True, True, "0.2.0"),
        ("0.1.0", False, True, "0.2.0"),
        ("0.1.0", False, False, "0.1.1"),
        ("1.4.2", True, False, "2.0.0"),
        ("1.4.2", False, True, "1.5.0"),
    ],
)
def test_the_suggested_version_follows_semver(
    current: str, breaking: bool, added: bool, expected: str
) -> None:
    assert suggested_version(current, breaking=breaking, added=added)[0] == expected


def test_the_report_ends_with_a_suggested_version(spec: Spec) -> None:
    new = copy.deepcopy(spec)
    _create_field(new, "bandwidth_mbps")["maximum"] = 2000
    diff = diff_specs(spec, new)
    assert f"Suggested package version: {suggest(diff)[0]}" in text_report(diff)
