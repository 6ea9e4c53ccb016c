"""python -m codegen diff: each kind of spec change, classed breaking or not for SDK users."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.__main__ import main
from codegen._diff import ADDED, CHANGED, REMOVED, Change, diff_specs
from codegen._diff_report import changelog_draft
from codegen._generate import SPEC_PATH
from codegen._spec_walk import REQUEST, RESPONSE, schema_sides

Spec = dict[str, Any]


@pytest.fixture(scope="module")
def spec() -> Spec:
    loaded: Spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def changed(spec: Spec, edit: Callable[[Spec], object]) -> list[Change]:
    """The changes found after applying ``edit`` to a copy of ``spec``."""
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


def test_an_unchanged_spec_has_no_changes(spec: Spec) -> None:
    assert diff_specs(spec, copy.deepcopy(spec)).changes == []


def test_an_added_operation_is_not_breaking(spec: Spec) -> None:
    def add(new: Spec) -> None:
        new["paths"]["/sub-users"]["post"] = {
            "operationId": "createSubUser",
            "responses": {"201": {"description": "created"}},
        }

    change = only(changed(spec, add))

    assert (change.kind, change.section, change.breaking) == ("operation-added", ADDED, False)
    assert "`createSubUser` (`POST /sub-users`)" in change.text


def test_a_removed_operation_is_breaking(spec: Spec) -> None:
    change = only(changed(spec, lambda new: new["paths"]["/balance/pricing"].pop("get")))

    assert (change.kind, change.section, change.breaking) == ("operation-removed", REMOVED, True)


def test_a_moved_operation_is_not_breaking(spec: Spec) -> None:
    def move(new: Spec) -> None:
        new["paths"]["/balance/prices"] = new["paths"].pop("/balance/pricing")

    change = only(changed(spec, move))

    assert (change.kind, change.breaking) == ("operation-moved", False)


def test_a_removed_response_field_is_breaking(spec: Spec) -> None:
    change = only(changed(spec, lambda new: schemas(new)["Plan"]["properties"].pop("location")))

    assert (change.kind, change.section, change.breaking) == ("field-removed", REMOVED, True)
    assert "`Plan.location`" in change.text


def test_an_added_optional_field_is_not_breaking(spec: Spec) -> None:
    def add(new: Spec) -> None:
        schemas(new)["Pool"]["properties"]["region"] = {"type": "string"}

    change = only(changed(spec, add))

    assert (change.kind, change.section, change.breaking) == ("field-added", ADDED, False)
    assert change.text == "`Pool.region` (optional response field)."


def test_a_new_required_request_field_is_breaking_but_a_response_one_is_not(spec: Spec) -> None:
    def add_required(name: str) -> Callable[[Spec], None]:
        def edit(new: Spec) -> None:
            schemas(new)[name]["properties"]["region"] = {"type": "string"}
            schemas(new)[name].setdefault("required", []).append("region")

        return edit

    request = only(changed(spec, add_required("CreatePlanRequest")))
    response = only(changed(spec, add_required("Pool")))

    assert (request.kind, request.section, request.breaking) == (
        "field-added-required",
        CHANGED,
        True,
    )
    assert (response.kind, response.breaking) == ("field-added", False)


def test_a_new_enum_value_is_not_breaking_on_either_side(spec: Spec) -> None:
    def widen(name: str) -> Callable[[Spec], None]:
        return lambda new: schemas(new)[name]["enum"].append("x")

    response_enum = only(changed(spec, widen("PlanStatus")))
    request_enum = only(changed(spec, widen("VpnConfigFormat")))

    for change in (response_enum, request_enum):
        assert (change.kind, change.section, change.breaking) == ("enum-value-added", ADDED, False)
    assert response_enum.text == "`PlanStatus`: new enum value `x`."


def test_a_narrowed_request_enum_is_breaking(spec: Spec) -> None:
    change = only(changed(spec, lambda new: schemas(new)["VpnConfigFormat"]["enum"].pop()))

    assert (change.kind, change.section, change.breaking) == ("enum-value-removed", REMOVED, True)


def test_a_narrowed_inline_parameter_enum_is_breaking(spec: Spec) -> None:
    old = copy.deepcopy(spec)
    granularity = param(old, "/usage/plans/{planId}", "get", "granularity")
    granularity["schema"] = {"type": "string", "enum": ["hourly", "daily"]}

    def narrow(new: Spec) -> None:
        param(new, "/usage/plans/{planId}", "get", "granularity")["schema"]["enum"] = ["daily"]

    change = only(changed(old, narrow))

    assert (change.kind, change.section, change.breaking) == ("enum-value-removed", REMOVED, True)
    assert change.text == (
        "`getPlanUsageDetail` query parameter `granularity`: enum value `hourly`."
    )


def test_a_newly_required_parameter_is_breaking(spec: Spec) -> None:
    def require(new: Spec) -> None:
        param(new, "/geo/cities", "get", "state_code")["required"] = True

    change = only(changed(spec, require))

    assert (change.kind, change.section, change.breaking) == (
        "parameter-required-changed",
        CHANGED,
        True,
    )
    assert change.text == "`getGeoCities` query parameter `state_code` is now required."


def test_a_new_optional_parameter_is_not_breaking_and_a_new_required_one_is(spec: Spec) -> None:
    def add(required: bool) -> Callable[[Spec], None]:
        def edit(new: Spec) -> None:
            new["paths"]["/plans"]["get"]["parameters"].append(
                {"name": "q", "in": "query", "required": required, "schema": {"type": "string"}}
            )

        return edit

    assert only(changed(spec, add(False))).breaking is False
    assert only(changed(spec, add(True))).breaking is True


def test_a_parameter_type_change_is_breaking(spec: Spec) -> None:
    def retype(new: Spec) -> None:
        param(new, "/plans", "get", "page")["schema"] = {"type": "string"}

    change = only(changed(spec, retype))

    assert (change.kind, change.breaking) == ("parameter-type-changed", True)
    assert "from `integer` to `string`" in change.text


def test_nullability_breaks_the_side_that_reads_it(spec: Spec) -> None:
    def nullable(model: str, name: str) -> Callable[[Spec], None]:
        def edit(new: Spec) -> None:
            schemas(new)[model]["properties"][name]["nullable"] = True

        return edit

    assert only(changed(spec, nullable("Pool", "title"))).breaking is True
    assert only(changed(spec, nullable("CreatePlanRequest", "pool"))).breaking is False


def test_response_statuses_added_and_removed(spec: Spec) -> None:
    def edit(new: Spec) -> None:
        responses = new["paths"]["/balance"]["get"]["responses"]
        responses["503"] = {"description": "maintenance"}
        del responses["429"]

    added, removed = changed(spec, edit)

    assert (added.kind, added.breaking) == ("status-added", False)
    assert (removed.kind, removed.breaking) == ("status-removed", False)
    success_removed = only(
        changed(spec, lambda new: new["paths"]["/balance"]["get"]["responses"].pop("200"))
    )
    assert success_removed.breaking is True


def test_a_response_type_change_is_breaking(spec: Spec) -> None:
    def retype(new: Spec) -> None:
        content = new["paths"]["/plans/{planId}"]["get"]["responses"]["200"]["content"]
        content["application/json"]["schema"] = {"$ref": "#/components/schemas/PlanListResponse"}

    change = only(changed(spec, retype))

    assert (change.kind, change.breaking) == ("payload-type-changed", True)
    assert "from `PlanResponse` to `PlanListResponse`" in change.text


def test_sides_follow_refs_from_operations_into_components(spec: Spec) -> None:
    sides = schema_sides(spec)

    assert sides["Plan"] == {RESPONSE}
    assert sides["PlanConnection"] == {RESPONSE}  # reached only through Plan
    assert sides["CreatePlanRequest"] == {REQUEST}
    assert sides["Product"] == {REQUEST, RESPONSE}


def test_the_changelog_draft_lists_breaking_lines_first_under_unreleased(spec: Spec) -> None:
    new = copy.deepcopy(spec)
    new["info"]["version"] = "2.2.0"
    schemas(new)["Pool"]["properties"]["region"] = {"type": "string"}
    schemas(new)["Plan"]["properties"].pop("location")
    schemas(new)["VpnConfigFormat"]["enum"].pop()
    param(new, "/geo/cities", "get", "state_code")["required"] = True

    draft = changelog_draft(diff_specs(spec, new))

    assert draft == (
        "## [Unreleased]\n"
        "\n### Added\n"
        "- `Pool.region` (optional response field).\n"
        "\n### Changed\n"
        "- **Breaking:** `client.geo.cities(state_code=...)` (query parameter `state_code`) "
        "is now required.\n"
        "- Models regenerated from FlashProxy Reseller API spec 2.2.0 (was 2.1.0).\n"
        "\n### Removed\n"
        "- **Breaking:** `Plan.location` field.\n"
        "- **Breaking:** `VpnConfigFormat`: enum value `wireguard`.\n"
    )


@pytest.fixture()
def spec_files(tmp_path: Path, spec: Spec) -> Callable[[Callable[[Spec], object]], list[str]]:
    """Write the spec and an edited copy; return the two paths as CLI arguments."""

    def write(edit: Callable[[Spec], object]) -> list[str]:
        new = copy.deepcopy(spec)
        edit(new)
        (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
        return [str(SPEC_PATH), str(tmp_path / "new.json")]

    return write


def test_exit_status_is_0_without_breaking_changes(
    spec_files: Callable[[Callable[[Spec], object]], list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = spec_files(lambda new: schemas(new)["PlanStatus"]["enum"].append("suspended"))

    assert main(["diff", *args]) == 0
    out = capsys.readouterr().out
    assert "1 change(s), 0 breaking" in out
    assert "### Added\n- `PlanStatus`: new enum value `suspended`." in out


def test_exit_status_is_1_with_a_breaking_change_and_json_says_why(
    spec_files: Callable[[Callable[[Spec], object]], list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = spec_files(lambda new: schemas(new)["Plan"]["properties"].pop("location"))

    assert main(["diff", *args, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] is True
    assert report["changes"] == [
        {
            "kind": "field-removed",
            "section": "Removed",
            "breaking": True,
            "text": "`Plan.location` field.",
        }
    ]
    assert report["changelog"].startswith("## [Unreleased]\n\n### Removed\n")


def test_exit_status_is_2_on_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_json = tmp_path / "broken.json"
    not_json.write_text("{", encoding="utf-8")
    not_openapi = tmp_path / "list.json"
    not_openapi.write_text("[]", encoding="utf-8")

    for bad in (tmp_path / "missing.json", not_json, not_openapi):
        assert main(["diff", str(SPEC_PATH), str(bad)]) == 2
        assert "codegen diff:" in capsys.readouterr().err
    for argv in (["diff", str(SPEC_PATH)], ["--check", "diff", str(SPEC_PATH), str(SPEC_PATH)]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
