"""Proxy URLs: schemes, ports, overrides, percent-encoding and sticky sessions."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import aiohttp
import attrs
import pytest
from yarl import URL

from flashproxy_async.models import Plan, PlanConnection, PlanStatus, Product
from flashproxy_async.targeting import PROXY_ENDPOINTS, StickySessions, TargetingError, proxy_url

PRODUCTS = [
    "residential-lite", "residential", "mobile", "datacenter", "shared_isp",
    "ipv6-residential", "ipv6-datacenter", "pool1", "pool2", "pool3", "pool4", "pool5",
    "unlimited_residential", "dedicated_mobile", "dedicated_isp",
]  # fmt: skip


def test_every_product_has_an_endpoint_entry() -> None:
    assert sorted(PROXY_ENDPOINTS) == sorted(PRODUCTS)


def test_credentials_are_percent_encoded_and_decode_back() -> None:
    password = "p@ss:w/rd%?#&é "
    url = proxy_url("pool4", "user.name", password, country="us", state="ca")
    assert "p%40ss%3Aw%2Frd%25%3F%23%26%C3%A9%20@" in url
    parsed = URL(url)
    assert parsed.user == "user.name-package-pool4-country-us-state-ca"
    assert parsed.password == password
    auth = aiohttp.BasicAuth.from_url(parsed)
    assert auth is not None and auth.password == password
    assert (parsed.host, parsed.port) == ("v3-resi-us.proxyserver.bot", 10000)


@pytest.mark.parametrize("scheme", ["https", "socks4", "SOCKS5", ""])
def test_other_schemes_are_refused(scheme: Any) -> None:
    with pytest.raises(TargetingError) as caught:
        proxy_url("residential", "u", "p", scheme=scheme)
    assert caught.value.rule == "scheme"


@pytest.mark.parametrize("port_index", [-1, 10, True, 1.0])
def test_pool_port_index_outside_0_to_9_is_refused(port_index: Any) -> None:
    with pytest.raises(TargetingError) as caught:
        proxy_url("pool3", "u", "p", port_index=port_index)
    assert caught.value.rule == "port_index"


@pytest.mark.parametrize("product", ["residential", "ipv6-datacenter", "unlimited_residential"])
def test_single_port_products_take_only_port_index_0(product: str) -> None:
    proxy_url(product, "u", "p", port_index=0)
    with pytest.raises(TargetingError) as caught:
        proxy_url(product, "u", "p", port_index=1)
    assert caught.value.rule == "port_index"


@pytest.mark.parametrize(
    "product", ["datacenter", "shared_isp", "dedicated_mobile", "dedicated_isp"]
)
def test_products_without_a_documented_host_need_the_plans_host_and_port(product: str) -> None:
    with pytest.raises(TargetingError) as caught:
        proxy_url(product, "u", "p")
    assert caught.value.rule == "endpoint"
    with pytest.raises(TargetingError):
        proxy_url(product, "u", "p", host="h.example")
    assert proxy_url(product, "u", "p", host="h.example", port=7000) == "http://u:p@h.example:7000"


def test_plan_overrides_win_and_port_index_offsets_the_plans_port() -> None:
    url = proxy_url(
        "pool2", "u", "p", scheme="socks5", host="other.example", port=21000, port_index=4
    )
    assert url == "socks5://u-package-pool2:p@other.example:21004"


def test_ipv6_literal_host_is_bracketed() -> None:
    assert proxy_url("dedicated_isp", "u", "p", host="2001:db8::1", port=8000) == (
        "http://u:p@[2001:db8::1]:8000"
    )


@pytest.mark.parametrize("port", [0, 65536, -5])
def test_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(TargetingError) as caught:
        proxy_url("dedicated_isp", "u", "p", host="h", port=port)
    assert caught.value.rule == "port"


def test_targeting_rules_apply_to_urls() -> None:
    with pytest.raises(TargetingError) as caught:
        proxy_url("pool4", "u", "p", session="a", session_time=timedelta(minutes=5))
    assert caught.value.rule == "pool4.session_time"


def test_sticky_sessions_hand_out_a_new_session_each_time() -> None:
    sessions = StickySessions(
        "pool2", "user", "secret", country="us", session_time=timedelta(minutes=10),
        rng=random.Random(7), port_index=2,
    )  # fmt: skip
    urls = [sessions.next_url() for _ in range(50)]
    assert len(set(urls)) == 50
    for url in urls:
        parsed = URL(url)
        assert parsed.port == 10002 and parsed.password == "secret"
        assert parsed.user is not None
        base, _, rest = parsed.user.partition("-session-")
        assert base == "user-package-pool2-country-us"
        session, _, time = rest.partition("-time-")
        assert session.isalnum() and session.isascii() and len(session) == 12
        assert time == "600"


def test_sticky_sessions_are_reproducible_with_a_seeded_rng() -> None:
    def first_three(seed: int) -> list[str]:
        sessions = StickySessions("residential", "u", "p", rng=random.Random(seed))
        return [url for url, _ in zip(sessions, range(3), strict=False)]

    assert first_three(1) == first_three(1)
    assert first_three(1) != first_three(2)


def test_sticky_sessions_refuse_a_bad_setup_up_front() -> None:
    with pytest.raises(TargetingError) as caught:
        StickySessions("dedicated_isp", "u", "p", host="h", port=1)
    assert caught.value.rule == "dedicated_isp.session"
    with pytest.raises(TargetingError):
        StickySessions("unlimited_residential", "u", "p")  # needs a session_time
    with pytest.raises(TypeError):
        StickySessions("pool2", "u", "p", session="fixed")  # type: ignore[call-arg]


def test_sticky_sessions_repr_hides_the_password() -> None:
    sessions = StickySessions("pool1", "user", "hunter2", session_time="long")
    assert "hunter2" not in repr(sessions)
    assert "user" in repr(sessions)


def test_sticky_sessions_need_at_least_one_character() -> None:
    with pytest.raises(ValueError):
        StickySessions("pool2", "u", "p", session_length=0)


def _plan(**connection: Any) -> Plan:
    return Plan(
        plan_id=uuid.UUID("536593ee-8722-48bd-bd17-b2ec73b7d701"),
        product=Product.pool2,
        status=PlanStatus.active,
        proxy_username="fp123",
        proxy_password="s3cret",
        connection=PlanConnection(**connection) if connection else None,
    )


def test_sticky_sessions_for_a_plan_use_its_credentials_and_endpoint() -> None:
    plan = _plan(hostname="gw.example.net", port_http=20000, port_socks=21000)
    sessions = StickySessions.for_plan(plan, country="de", rng=random.Random(7))
    first, second = URL(sessions.next_url()), URL(sessions.next_url())
    assert (first.host, first.port, first.password) == ("gw.example.net", 20000, "s3cret")
    assert first.user is not None and first.user.startswith("fp123-package-pool2-country-de")
    assert first.user != second.user

    socks = URL(StickySessions.for_plan(plan, scheme="socks5", port_index=2).next_url())
    assert (socks.scheme, socks.port) == ("socks5", 21002)


def test_sticky_sessions_for_a_plan_without_connection_use_the_documented_endpoint() -> None:
    url = URL(StickySessions.for_plan(_plan()).next_url())
    assert (url.host, url.port) == (
        PROXY_ENDPOINTS["pool2"].host,
        PROXY_ENDPOINTS["pool2"].http_port,
    )


def test_sticky_sessions_for_a_plan_without_credentials_are_refused() -> None:
    with pytest.raises(TargetingError) as caught:
        StickySessions.for_plan(attrs.evolve(_plan(), proxy_username=None, proxy_password=None))
    assert caught.value.rule == "plan.credentials"


def test_plan_proxy_url_uses_its_credentials_endpoint_and_targeting() -> None:
    plan = _plan(hostname="gw.example.net", port_http=20000, port_socks=21000)
    url = URL(plan.proxy_url(country="US", state="New York", port_index=3))
    assert (url.scheme, url.host, url.port) == ("http", "gw.example.net", 20003)
    assert (url.user, url.password) == ("fp123-package-pool2-country-us-state-newyork", "s3cret")
    socks = URL(plan.proxy_url(scheme="socks5", country="de"))
    assert (socks.scheme, socks.port) == ("socks5", 21000)
    assert URL(_plan().proxy_url()).host == PROXY_ENDPOINTS["pool2"].host

    with pytest.raises(TargetingError) as caught:
        plan.proxy_url(country="us", asn=7922)
    assert caught.value.rule == "pool2.asn"
    with pytest.raises(TargetingError) as caught:
        attrs.evolve(_plan(), proxy_password=None).proxy_url()
    assert caught.value.rule == "plan.credentials"
