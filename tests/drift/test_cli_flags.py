"""The CLI's create-plan flags are the spec's create-plan fields, one each."""

from __future__ import annotations

import click
import pytest

from flashproxy_async._plan_fields import CREATE_PLAN_FIELDS
from flashproxy_async.cli._commands import create_plan


def test_plans_create_has_one_flag_per_field_of_the_spec() -> None:
    assert isinstance(create_plan, click.Command)
    options = {param.name: param for param in create_plan.params if isinstance(param, click.Option)}
    for field in CREATE_PLAN_FIELDS:
        assert field.name in options, f"flashproxy plans create lacks a flag for {field.name}"
        option = options[field.name]
        assert option.help and "e.g." in option.help
        if field.enum is not None and field.name != "product":
            assert isinstance(option.type, click.Choice)
            assert set(option.type.choices) == field.enum.known_values()
    api_options = {"api_key", "base_url", "as_json", "json", "show_credentials"}
    extra = set(options) - {f.name for f in CREATE_PLAN_FIELDS} - api_options
    assert extra == set(), f"flags with no create-plan field behind them: {sorted(extra)}"


@pytest.mark.parametrize("field", [f for f in CREATE_PLAN_FIELDS if f.kind in (int, float)])
def test_numeric_fields_are_typed_flags(field: object) -> None:
    options = {p.name: p for p in create_plan.params}
    assert options[field.name].type.name in {"integer", "float"}  # type: ignore[attr-defined]
