"""US states convert between full names and USPS codes, in every pool's form."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flashproxy_async.targeting import (
    US_STATES,
    TargetingError,
    build_username,
    parse_username,
    us_state_code,
    us_state_name,
)

COMPACT = {code: "".join(name.split()).lower() for code, name in US_STATES.items()}
# The form each product writes a US state in (the API documentation, "Per-Pool Feature Comparison").


def _full_name(code: str) -> str:
    return COMPACT[code]


def _us_prefix(code: str) -> str:
    return f"us_{COMPACT[code]}"


def _usps(code: str) -> str:
    return code.lower()


STATE_FORM: dict[str, Callable[[str], str]] = {
    "pool1": _full_name,
    "pool2": _full_name,
    "pool3": _us_prefix,
    "pool4": _usps,
    "pool5": _full_name,
    "residential": _full_name,
    "mobile": _full_name,
}


def test_table_has_fifty_states_and_dc() -> None:
    assert len(US_STATES) == 51
    assert US_STATES["DC"] == "District of Columbia"


@pytest.mark.parametrize("product", sorted(STATE_FORM))
@pytest.mark.parametrize("code", sorted(US_STATES))
def test_every_state_reaches_every_form_from_either_spelling(product: str, code: str) -> None:
    wire = STATE_FORM[product](code)
    spellings = [code, code.lower(), US_STATES[code], US_STATES[code].upper(), COMPACT[code]]
    for spelling in spellings:
        username = build_username("u", product, country="US", state=spelling)
        assert username.endswith(f"-country-us-state-{wire}")
        assert parse_username(username, product)[1].state == wire


@pytest.mark.parametrize("code", sorted(US_STATES))
def test_each_pool_form_converts_to_every_other(code: str) -> None:
    for source, source_form in STATE_FORM.items():
        _, parsed = parse_username(
            build_username("u", source, country="us", state=US_STATES[code]), source
        )
        assert parsed.state == source_form(code)
        for target, target_form in STATE_FORM.items():
            rebuilt = build_username("u", target, country="us", state=parsed.state)
            assert rebuilt.endswith(f"-state-{target_form(code)}")


def test_multi_word_states_are_written_without_spaces() -> None:
    assert build_username("u", "pool3", country="us", state="New York").endswith("us_newyork")
    assert build_username("u", "pool2", country="us", state="ny").endswith("-state-newyork")
    assert build_username("u", "pool4", country="us", state="new york").endswith("-state-ny")
    assert build_username("u", "pool1", country="us", state="DC").endswith("districtofcolumbia")


@pytest.mark.parametrize("code", sorted(US_STATES))
def test_state_code_and_name_functions_are_inverse(code: str) -> None:
    assert us_state_code(us_state_name(code)) == code
    assert us_state_name(code.lower()) == US_STATES[code]
    assert us_state_code(f"us_{COMPACT[code]}") == code


def test_unknown_state_spelling_raises() -> None:
    with pytest.raises(KeyError):
        us_state_code("Ontario")
    with pytest.raises(TargetingError):
        build_username("u", "pool3", country="us", state="XX")


def test_non_us_states_pass_through_where_the_pool_allows_them() -> None:
    assert build_username("u", "pool2", country="DE", state="Baden Wurttemberg").endswith(
        "-country-de-state-badenwurttemberg"
    )
    assert build_username("u", "pool4", country="ca", state="ON").endswith("-state-on")
    assert build_username("u", "residential", country="de", state="bavaria").endswith(
        "-state-bavaria"
    )
