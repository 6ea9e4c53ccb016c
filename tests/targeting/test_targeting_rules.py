"""Each targeting rule, broken once, raises TargetingError naming it."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

import pytest

from flashproxy_async import RequestValidationError, TargetingError
from flashproxy_async.targeting import build_username, parse_username

UNLIM = "unlimited_residential"
US_CITY = {"country": "us", "city": "Los Angeles"}


def session_for(**duration: float) -> dict[str, Any]:
    return {"session": "a", "session_time": timedelta(**duration)}


@pytest.mark.parametrize(
    ("product", "kwargs", "rule"),
    [
        # The per-pool feature matrix.
        ("pool1", {"country": "de", "state": "bavaria"}, "pool1.state.us_only"),
        ("pool3", {"country": "de", "state": "bavaria"}, "pool3.state.us_only"),
        ("pool5", {"country": "gb", "state": "england"}, "pool5.state.us_only"),
        ("pool4", {"country": "de", "state": "bavaria"}, "pool4.state.code"),
        ("pool1", {"country": "de", "city": "berlin"}, "pool1.city.us_only"),
        ("pool1", US_CITY, "pool1.city.needs_state"),
        ("pool5", US_CITY, "pool5.city.needs_state"),
        ("pool2", {"country": "us", "asn": 7922}, "pool2.asn"),
        ("pool5", {"country": "us", "asn": 7922}, "pool5.asn"),
        ("residential", {"country": "us", "asn": 7922}, "residential.asn"),
        ("pool1", {"country": "us", "zip_code": "10001"}, "pool1.zip_code"),
        ("pool3", {"country": "de", "zip_code": "10115"}, "pool3.zip_code.us_only"),
        ("residential", {"country": "us", "zip_code": "10001"}, "residential.zip_code"),
        # Sessions.
        ("pool4", session_for(minutes=5), "pool4.session_time"),
        ("pool1", session_for(hours=1), "pool1.session_time"),
        ("pool2", {"session": "a", "session_time": "long"}, "pool2.session_time"),
        ("pool2", {"session": "a", "session_time": 600}, "pool2.session_time"),
        ("pool2", session_for(days=7, seconds=1), "pool2.session_time.max"),
        ("pool3", session_for(hours=24, seconds=1), "pool3.session_time.max"),
        ("pool5", session_for(hours=2, seconds=1), "pool5.session_time.max"),
        ("pool2", session_for(milliseconds=1500), "pool2.session_time.whole"),
        ("pool3", session_for(seconds=0), "pool3.session_time.positive"),
        ("unlimited_residential", session_for(seconds=90), f"{UNLIM}.session_time.whole"),
        ("unlimited_residential", {"session": "a"}, f"{UNLIM}.session.needs_session_time"),
        ("residential", session_for(minutes=5), "residential.session_time"),
        ("pool2", {"session_time": timedelta(minutes=5)}, "session_time.needs_session"),
        ("pool2", {"session": "abc-123"}, "session.format"),
        ("pool2", {"session": "abc_123"}, "session.format"),
        ("pool2", {"session": ""}, "session.format"),
        ("pool2", {"session": "séance"}, "session.format"),
        # Products with little or no documented targeting.
        ("unlimited_residential", US_CITY, "unlimited_residential.city"),
        ("unlimited_residential", {"country": "us", "state": "ca"}, "unlimited_residential.state"),
        ("residential-lite", {"country": "us", "state": "ca"}, "residential-lite.state"),
        ("datacenter", {"session": "abc"}, "datacenter.session"),
        ("ipv6-residential", US_CITY, "ipv6-residential.city"),
        ("dedicated_mobile", {"country": "us"}, "dedicated_mobile.country"),
        ("dedicated_isp", {"session": "abc"}, "dedicated_isp.session"),
        # Formats.
        ("pool2", {"country": "usa"}, "country.format"),
        ("pool2", {"country": "u1"}, "country.format"),
        ("pool2", {"state": "california"}, "state.needs_country"),
        ("pool2", {"city": "berlin"}, "city.needs_country"),
        ("pool3", {"zip_code": "10001"}, "zip_code.needs_country"),
        ("mobile", {"asn": 7922}, "asn.needs_country"),
        ("pool4", {"country": "us", "state": "Gondor"}, "state.unknown"),
        ("pool2", {"country": "us", "city": "winston-salem"}, "city.format"),
        ("pool3", {"country": "us", "zip_code": "1000"}, "zip_code.format"),
        ("pool3", {"country": "us", "zip_code": 10001}, "zip_code.format"),
        ("mobile", {"country": "us", "asn": 0}, "asn.format"),
        ("mobile", {"country": "us", "asn": "AS7922"}, "asn.format"),
    ],
)  # fmt: skip
def test_broken_rule_is_named(product: str, kwargs: dict[str, Any], rule: str) -> None:
    with pytest.raises(TargetingError) as caught:
        build_username("user", product, **kwargs)
    assert caught.value.rule == rule


def test_targeting_error_is_a_request_validation_error() -> None:
    with pytest.raises(RequestValidationError):
        build_username("user", "pool4", session="a", session_time=timedelta(minutes=1))


@pytest.mark.parametrize(
    ("username", "rule"),
    [
        ("", "username.format"),
        ("us er", "username.format"),
        ("user-", "username.format"),
        ("user-package-pool1", "username.reserved"),
        ("user-Country-x", "username.reserved"),
    ],
)
def test_bare_username_that_would_corrupt_the_grammar_is_refused(username: str, rule: str) -> None:
    with pytest.raises(TargetingError) as caught:
        build_username(username, "pool1")
    assert caught.value.rule == rule


def test_bare_username_may_hold_dashes_that_are_not_keywords() -> None:
    username = build_username("my-user", "residential", country="us")
    assert username == "my-user-country-us"
    assert parse_username(username, "residential")[0] == "my-user"


def test_unknown_product_is_refused() -> None:
    with pytest.raises(TargetingError) as caught:
        build_username("user", "pool6")
    assert caught.value.rule == "product"


class _Product(str, Enum):
    POOL4 = "pool4"


def test_str_valued_enum_product_is_accepted() -> None:
    assert build_username("user", _Product.POOL4, country="us", state="ca") == (
        "user-package-pool4-country-us-state-ca"
    )


@pytest.mark.parametrize(
    ("product", "username", "rule"),
    [
        ("pool2", "user-country-de", "parse.marker"),
        ("pool2", "user-package-pool2-city-berlin-country-de", "parse.segment"),
        ("pool2", "user-package-pool2-country-de-country-fr", "parse.segment"),
        ("pool2", "user-package-pool2-country", "parse.segment"),
        ("pool2", "user-package-pool2-region-de", "parse.segment"),
        ("pool2", "user-package-pool2-country-us-session-a-time-soon", "parse.session_time"),
        ("pool1", "user-package-pool1-country-us-session-a-time-600", "parse.session_time"),
        ("pool4", "user-package-pool4-country-us-session-a-time-600", "pool4.session_time"),
        ("residential", "user-package-pool1", "parse.segment"),
        ("unlimited_residential", "user-zone-custom-session-a-sessTime-5", "parse.segment"),
        ("unlimited_residential", "user-zone-custom-sessAuto-1", "parse.segment"),
        ("unlimited_residential", "user-zone-custom-country-us", "parse.segment"),
    ],
)
def test_malformed_username_does_not_parse(product: str, username: str, rule: str) -> None:
    with pytest.raises(TargetingError) as caught:
        parse_username(username, product)
    assert caught.value.rule == rule
