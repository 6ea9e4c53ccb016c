"""Property tests: valid targeting round-trips; forbidden targeting never gets through.

The matrix below restates the API documentation ("Per-Pool Feature Comparison",
"Pool N Sessions", "Geo Targeting Username Format", the unlimited residential format)
on its own, so the tests do not lean on the implementation's tables.
"""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from flashproxy_async.targeting import (
    US_STATES,
    TargetingError,
    build_username,
    parse_username,
    resolve_targeting,
)

# state: None | "full" (any country) | "us_full" | "us_prefix" | "code"
# city: None | "any" | "us_with_state" (pool 1) | "non_us_or_state" (pool 5)
# time: None | "short_long" | ("seconds"|"minutes", max or None)
MATRIX: dict[str, dict[str, Any]] = {
    "pool1": {"state": "us_full", "city": "us_with_state", "asn": True, "time": "short_long"},
    "pool2": {"state": "full", "city": "any", "time": ("seconds", timedelta(days=7))},
    "pool3": {
        "state": "us_prefix", "city": "any", "zip": True, "asn": True,
        "time": ("seconds", timedelta(hours=24)),
    },
    "pool4": {"state": "code", "city": "any", "asn": True},
    "pool5": {
        "state": "us_full", "city": "non_us_or_state", "time": ("seconds", timedelta(hours=2)),
    },
    "residential": {"state": "full", "city": "any"},
    "mobile": {"state": "full", "city": "any", "asn": True},
    "unlimited_residential": {"time": ("minutes", None)},
    "residential-lite": {"session": False},
    "datacenter": {"session": False},
    "shared_isp": {"session": False},
    "ipv6-residential": {"session": False},
    "ipv6-datacenter": {"session": False},
    "dedicated_mobile": {"country": False, "session": False},
    "dedicated_isp": {"country": False, "session": False},
}  # fmt: skip
PRODUCTS = sorted(MATRIX)
UNLIMITED = "unlimited_residential"
RESERVED = {"country", "state", "city", "zip", "asn", "session", "time", "package", "zone"}
RESERVED |= {"region", "sesstime", "sessauto"}

alnum = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
piece = st.text(string.ascii_letters + string.digits + "_.", min_size=1, max_size=8)
base_usernames = (
    st.lists(piece, min_size=1, max_size=3)
    .filter(lambda ps: not any(p.lower() in RESERVED for p in ps[1:]))
    .map("-".join)
)
countries = st.sampled_from(["us", "US", "Us", "de", "gb", "fr", "jp", "br"])
places = st.text(string.ascii_lowercase, min_size=1, max_size=10)
us_states = st.sampled_from(sorted(US_STATES)).flatmap(
    lambda code: st.sampled_from([code, code.lower(), US_STATES[code], US_STATES[code].lower()])
)


def _allows(product: str, feature: str) -> bool:
    rules = MATRIX[product]
    defaults = {"country": True, "session": True}
    return bool(rules.get(feature, defaults.get(feature, False)))


@st.composite
def valid_targeting(draw: st.DrawFn, product: str) -> dict[str, Any]:
    rules = MATRIX[product]
    kwargs: dict[str, Any] = {}
    if not _allows(product, "country") or draw(st.booleans()):
        return kwargs | draw(_valid_session(product))
    kwargs["country"] = country = draw(countries)
    is_us = country.lower() == "us"
    state_rule = rules.get("state")
    wants_state = draw(st.booleans())
    if state_rule and wants_state:
        if is_us:
            kwargs["state"] = draw(us_states)
        elif state_rule == "full":
            kwargs["state"] = draw(places)
        elif state_rule == "code":
            kwargs["state"] = draw(st.text(string.ascii_letters, min_size=2, max_size=2))
    city_rule = rules.get("city")
    city_ok = {
        "any": True,
        "us_with_state": is_us and "state" in kwargs,
        "non_us_or_state": not is_us or "state" in kwargs,
    }.get(str(city_rule), False)
    if city_ok and draw(st.booleans()):
        kwargs["city"] = draw(places)
    if rules.get("zip") and is_us and draw(st.booleans()):
        kwargs["zip_code"] = draw(st.from_regex(r"[0-9]{5}", fullmatch=True))
    if rules.get("asn") and draw(st.booleans()):
        kwargs["asn"] = draw(st.integers(1, 4_294_967_295))
    return kwargs | draw(_valid_session(product))


@st.composite
def _valid_session(draw: st.DrawFn, product: str) -> dict[str, Any]:
    time_rule = MATRIX[product].get("time")
    if not _allows(product, "session") or draw(st.booleans()):
        return {}
    kwargs: dict[str, Any] = {"session": draw(alnum)}
    if time_rule == "short_long":
        if draw(st.booleans()):
            kwargs["session_time"] = draw(st.sampled_from(["short", "long"]))
    elif time_rule is not None:
        unit, maximum = time_rule
        top = int(maximum / timedelta(**{unit: 1})) if maximum else 100_000
        if unit == "minutes" or draw(st.booleans()):
            kwargs["session_time"] = timedelta(**{unit: draw(st.integers(1, top))})
    return kwargs


products_with_targeting = st.sampled_from(PRODUCTS).flatmap(
    lambda p: st.tuples(st.just(p), base_usernames, valid_targeting(p))
)


@given(products_with_targeting)
def test_valid_targeting_parses_back_from_the_username_it_builds(
    case: tuple[str, str, dict[str, Any]],
) -> None:
    product, base, kwargs = case
    username = build_username(base, product, **kwargs)
    parsed_base, targeting = parse_username(username, product)
    assert parsed_base == base
    assert targeting == resolve_targeting(product, **kwargs)
    assert (
        build_username(parsed_base, product, **attrs.asdict(targeting, recurse=False)) == username
    )
    if "country" in kwargs:
        assert kwargs["country"].lower() in username.split("-")


@st.composite
def forbidden_targeting(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """A product, targeting the matrix forbids, and the rule that forbids it."""
    product = draw(st.sampled_from(PRODUCTS))
    rules = MATRIX[product]
    cases: list[tuple[dict[str, Any], str]] = []
    geo = {"state": "california", "city": "losangeles", "zip_code": "10001", "asn": 7922}
    for feature, value in geo.items():
        if not _allows(product, feature if feature != "zip_code" else "zip"):
            country = {"country": "us"} if _allows(product, "country") else {}
            cases.append((country | {feature: value}, f"{product}.{feature}"))
        elif _allows(product, "country"):
            cases.append(({feature: value}, f"{feature}.needs_country"))
    if not _allows(product, "country"):
        cases.append(({"country": "us"}, f"{product}.country"))
    if not _allows(product, "session"):
        cases.append(({"session": "abc"}, f"{product}.session"))
    else:
        bad_id = draw(
            st.text(min_size=0, max_size=6).filter(lambda s: not (s.isascii() and s.isalnum()))
        )
        # unlimited_residential pairs every session with a sessTime.
        paired = {"session_time": timedelta(minutes=1)} if product == UNLIMITED else {}
        cases.append(({"session": bad_id} | paired, "session.format"))
    time_rule = rules.get("time")
    if time_rule is not None:
        lone_time = "short" if time_rule == "short_long" else timedelta(minutes=1)
        cases.append(({"session_time": lone_time}, "session_time.needs_session"))
    session = {"session": "abc"}
    if _allows(product, "session") and time_rule is None:
        cases.append((session | {"session_time": timedelta(minutes=1)}, f"{product}.session_time"))
    elif time_rule == "short_long":
        seconds = draw(st.integers(1, 86_400))
        cases.append(
            (session | {"session_time": timedelta(seconds=seconds)}, f"{product}.session_time")
        )
    elif time_rule is not None:
        unit, maximum = time_rule
        step = timedelta(**{unit: 1})
        if maximum is not None:
            over = maximum + step * draw(st.integers(1, 1000))
            cases.append((session | {"session_time": over}, f"{product}.session_time.max"))
        fraction = timedelta(milliseconds=draw(st.integers(1, 999)))
        cases.append((session | {"session_time": step + fraction}, f"{product}.session_time.whole"))
        negative = -step * draw(st.integers(0, 1000))
        cases.append((session | {"session_time": negative}, f"{product}.session_time.positive"))
        cases.append((session | {"session_time": "long"}, f"{product}.session_time"))
        if unit == "minutes":
            cases.append((session, f"{product}.session.needs_session_time"))
    state_rule = rules.get("state")
    foreign = draw(st.sampled_from(["de", "gb", "fr"]))
    if state_rule in ("us_full", "us_prefix"):
        cases.append(({"country": foreign, "state": "bavaria"}, f"{product}.state.us_only"))
    if rules.get("zip"):
        cases.append(({"country": foreign, "zip_code": "10115"}, f"{product}.zip_code.us_only"))
    if rules.get("city") == "us_with_state":
        cases.append(({"country": foreign, "city": "berlin"}, f"{product}.city.us_only"))
    if rules.get("city") in ("us_with_state", "non_us_or_state"):
        cases.append(({"country": "us", "city": "austin"}, f"{product}.city.needs_state"))
    kwargs, rule = draw(st.sampled_from(cases))
    return product, kwargs, rule


@given(forbidden_targeting(), base_usernames)
def test_no_forbidden_combination_gets_through(
    case: tuple[str, dict[str, Any], str], base: str
) -> None:
    product, kwargs, rule = case
    try:
        username = build_username(base, product, **kwargs)
    except TargetingError as error:
        assert error.rule == rule
    else:
        raise AssertionError(f"{product} {kwargs} built {username!r}; expected {rule}")


@given(st.sampled_from(PRODUCTS), base_usernames, st.sampled_from(sorted(RESERVED)))
def test_a_base_username_holding_a_keyword_is_refused(product: str, base: str, word: str) -> None:
    try:
        build_username(f"{base}-{word}", product)
    except TargetingError as error:
        assert error.rule == "username.reserved"
    else:
        raise AssertionError("a reserved keyword in the username got through")
