"""Every targeting example in the API documentation, reproduced exactly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import attrs
import pytest

from flashproxy_async.targeting import SessionTime, build_username, parse_username, proxy_url


def _round_trips(username: str, product: str) -> None:
    base, targeting = parse_username(username, product)
    assert build_username(base, product, **attrs.asdict(targeting, recurse=False)) == username


# The API documentation, "Pool Examples" table.
@pytest.mark.parametrize(
    ("product", "kwargs", "expected"),
    [
        (
            "pool1",
            {"country": "us", "session": "abc", "session_time": "long"},
            "user-package-pool1-country-us-session-abc-time-long",
        ),
        ("pool2", {"country": "de", "city": "berlin"}, "user-package-pool2-country-de-city-berlin"),
        (
            "pool3",
            {"country": "us", "zip_code": "10001"},
            "user-package-pool3-country-us-zip-10001",
        ),
        ("pool4", {"country": "us", "state": "CA"}, "user-package-pool4-country-us-state-ca"),
        ("pool5", {"country": "gb", "city": "london"}, "user-package-pool5-country-gb-city-london"),
    ],
)
def test_pool_examples_table_is_reproduced(
    product: str, kwargs: dict[str, Any], expected: str
) -> None:
    assert build_username("user", product, **kwargs) == expected
    _round_trips(expected, product)


# The API documentation, "Pool 1 Sessions" and "Pools 2, 3, 5 Sessions".
@pytest.mark.parametrize(
    ("product", "session_time", "expected"),
    [
        ("pool1", "short", "user-package-pool1-country-us-session-abc123-time-short"),
        ("pool1", "long", "user-package-pool1-country-us-session-abc123-time-long"),
        ("pool2", timedelta(minutes=10), "user-package-pool2-country-us-session-abc123-time-600"),
        ("pool3", timedelta(minutes=30), "user-package-pool3-country-us-session-abc123-time-1800"),
    ],
)
def test_pool_session_examples_are_reproduced(
    product: str, session_time: SessionTime, expected: str
) -> None:
    username = build_username(
        "user", product, country="us", session="abc123", session_time=session_time
    )
    assert username == expected
    _round_trips(expected, product)


def test_pool1_without_time_leaves_the_default_short_behaviour() -> None:
    assert (
        build_username("user", "pool1", country="us", session="abc123")
        == "user-package-pool1-country-us-session-abc123"
    )


# The API documentation, "Geo Targeting Username Format".
def test_geo_examples_are_reproduced() -> None:
    assert build_username("user123", "residential", country="US") == "user123-country-us"
    assert (
        build_username("user123", "residential", country="us", session="abc123")
        == "user123-country-us-session-abc123"
    )
    assert (
        build_username(
            "user123", "residential", country="us", state="ca", city="Los Angeles", session="s1"
        )
        == "user123-country-us-state-california-city-losangeles-session-s1"
    )


@pytest.mark.parametrize("product", ["residential", "mobile"])
def test_full_state_name_example_for_residential_and_mobile(product: str) -> None:
    username = build_username("user123", product, country="us", state="California")
    assert username == "user123-country-us-state-california"
    _round_trips(username, product)


# The API documentation: "full name for residential/mobile/pools 1,2,5. Pool 3:
# -state-us_california. Pool 4: -state-ca", and GET /geo/states says the same.
@pytest.mark.parametrize(
    ("product", "state_segment"),
    [
        ("pool1", "-state-california"),
        ("pool2", "-state-california"),
        ("pool3", "-state-us_california"),
        ("pool4", "-state-ca"),
        ("pool5", "-state-california"),
    ],
)
def test_state_form_per_pool_matches_the_documentation(product: str, state_segment: str) -> None:
    expected = f"user123-package-{product}-country-us{state_segment}"
    assert build_username("user123", product, country="us", state="california") == expected
    _round_trips(expected, product)


# The API documentation, GET /geo/cities.
def test_cities_example_is_reproduced() -> None:
    expected = "user-country-us-state-california-city-losangeles"
    assert (
        build_username("user", "residential", country="us", state="California", city="Los Angeles")
        == expected
    )
    _round_trips(expected, "residential")


# GET /geo/asn and GET /geo/countries write the country upper-case, every username
# example elsewhere lower-case; usernames are built lower-case, so these are read as
# written and rebuilt lower.
def test_asn_and_countries_examples_parse_and_rebuild_lowercase() -> None:
    base, targeting = parse_username("user-country-US-asn-7922", "mobile")
    assert (base, targeting.country, targeting.asn) == ("user", "us", 7922)
    assert build_username("user", "mobile", country="US", asn=7922) == "user-country-us-asn-7922"
    assert parse_username("user-country-US", "residential")[1].country == "us"


# Documented: {username}-zone-custom[-region-{CC}][-session-{ID}-sessTime-{MIN}-sessAuto-1]
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "user-zone-custom"),
        ({"country": "US"}, "user-zone-custom-region-us"),
        (
            {"session": "abc123", "session_time": timedelta(minutes=30)},
            "user-zone-custom-session-abc123-sessTime-30-sessAuto-1",
        ),
        (
            {"country": "de", "session": "abc123", "session_time": timedelta(hours=2)},
            "user-zone-custom-region-de-session-abc123-sessTime-120-sessAuto-1",
        ),
    ],
)
def test_unlimited_residential_format_is_reproduced(kwargs: dict[str, Any], expected: str) -> None:
    assert build_username("user", "unlimited_residential", **kwargs) == expected
    _round_trips(expected, "unlimited_residential")


# The API documentation, "Proxy Connection Formats": USERNAME[-marker]:PASSWORD@host:port.
@pytest.mark.parametrize(
    ("product", "scheme", "marker", "address"),
    [
        ("ipv6-residential", "http", "-package-ipv6", "v3-v6-resi.proxyserver.bot:30"),
        ("ipv6-residential", "socks5", "-package-ipv6", "v3-v6-resi.proxyserver.bot:31"),
        ("ipv6-datacenter", "http", "", "v3-v6-dc.proxyserver.bot:50"),
        ("ipv6-datacenter", "socks5", "", "v3-v6-dc.proxyserver.bot:51"),
        ("residential-lite", "http", "", "lite.proxyserver.bot:6969"),
        ("residential-lite", "socks5", "", "lite.proxyserver.bot:9696"),
        ("residential", "http", "", "geo.proxyserver.bot:8080"),
        ("residential", "socks5", "", "geo.proxyserver.bot:1080"),
        ("mobile", "http", "", "geo.proxyserver.bot:8080"),
        ("mobile", "socks5", "", "geo.proxyserver.bot:1080"),
        ("unlimited_residential", "http", "-zone-custom", "unlim.proxyserver.bot:12000"),
        ("unlimited_residential", "socks5", "-zone-custom", "unlim.proxyserver.bot:12000"),
    ],
)
def test_connection_formats_are_reproduced(
    product: str, scheme: Literal["http", "socks5"], marker: str, address: str
) -> None:
    expected = f"{scheme}://USERNAME{marker}:PASSWORD@{address}"
    assert proxy_url(product, "USERNAME", "PASSWORD", scheme=scheme) == expected


@pytest.mark.parametrize("pool", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("port_index", range(10))
def test_pool_connection_format_covers_every_port(pool: int, port_index: int) -> None:
    product = f"pool{pool}"
    http = proxy_url(product, "USERNAME", "PASSWORD", port_index=port_index)
    socks = proxy_url(product, "USERNAME", "PASSWORD", scheme="socks5", port_index=port_index)
    credentials = f"USERNAME-package-pool{pool}:PASSWORD@v3-resi-us.proxyserver.bot"
    assert http == f"http://{credentials}:{10000 + port_index}"
    assert socks == f"socks5://{credentials}:{11000 + port_index}"


def test_dedicated_isp_proxy_item_example_is_reproduced() -> None:
    url = proxy_url(
        "dedicated_isp", "user_abc123", "pass_xyz789", host="isp.proxyserver.bot", port=10001
    )
    assert url == "http://user_abc123:pass_xyz789@isp.proxyserver.bot:10001"
