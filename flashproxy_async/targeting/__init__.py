"""Proxy targeting: usernames and proxy URLs built and checked against the documented rules.

A wrong username fails silently (the gateway serves the wrong country), so every
rule is checked locally and a violation raises ``TargetingError`` whose ``rule``
names it (``"pool4.session_time"``, ``"pool1.city.needs_state"``, ...)::

    from flashproxy_async.targeting import build_username, proxy_url

    build_username("user", "pool4", country="US", state="California")
    # 'user-package-pool4-country-us-state-ca'
    proxy_url("pool2", "user", "p@ss", country="de", city="Berlin", port_index=3)
    # 'http://user-package-pool2-country-de-city-berlin:p%40ss@v3-resi-us.proxyserver.bot:10003'

What each product accepts, as read from the API documentation (API 2.1.0):

* ``pool1``-``pool5``: the "Per-Pool Feature Comparison" table. State is a full
  name (pools 1, 2, 5; US only for 1 and 5), ``us_`` plus the full name (pool 3,
  hence US only) or a 2-letter code (pool 4). City: pool 1 in the US with a state;
  pool 5 directly outside the US, with a state inside it; pools 2-4 anywhere. ZIP:
  pool 3, US only. ASN: pools 1, 3, 4. Session time: ``"short"``/``"long"`` (pool
  1), whole seconds up to 7 days / 24 h / 2 h (pools 2 / 3 / 5), none (pool 4).
* ``residential`` and ``mobile``: "Geo Targeting Username Format": country, state
  as a full name in any country, city, session. No session time is documented for
  them, so none is accepted. ``mobile`` also takes ASN (GET /geo/asn: "ASNs for
  mobile targeting").
* ``unlimited_residential``: ``-zone-custom``, then ``-region-{cc}`` for the country
  and ``-session-{id}-sessTime-{min}-sessAuto-1``. The documentation brackets session
  and sessTime together, so each needs the other; sessTime is in whole minutes, with no
  documented maximum.
* ``residential-lite``, ``datacenter``, ``shared_isp``, ``ipv6-residential`` and
  ``ipv6-datacenter``: country only. GET /geo/countries lists them as product
  types ("Use in username: user-country-US"); nothing else is documented for them.
  ``ipv6-residential`` usernames carry ``-package-ipv6``.
* ``dedicated_mobile`` and ``dedicated_isp``: no targeting (dedicated IPs).

Choices where the documentation is silent: state, city and ASN need a country, as in
every documented example; ``session_time`` needs a ``session``; a multi-word US state
is written as the documentation writes cities (GET /geo/cities: ``city-losangeles``),
lowercase without spaces (``newyork``, and ``us_newyork`` for pool 3), since no example
shows one; ZIP codes are 5 digits. GET /geo/asn's ``user-country-US-asn-7922`` is
accepted by ``parse_username``, but country codes are always written lowercase.

Hosts and ports are in ``PROXY_ENDPOINTS``. The documentation gives none for ``datacenter``,
``shared_isp`` and ``dedicated_isp``, and a blank one for ``dedicated_mobile``: for
these pass ``host`` and ``port`` from the plan's ``connection`` (or a dedicated ISP
proxy item).
"""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, TypedDict
from urllib.parse import quote

from .._exceptions import TargetingError
from ._endpoints import PROXY_ENDPOINTS, ProxyEndpoint
from ._rules import SessionTime, Targeting, product_name, resolve_targeting
from ._us_states import US_STATES, us_state_code, us_state_name
from ._username import build_username, parse_username

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._generated import Plan

__all__ = [
    "PROXY_ENDPOINTS",
    "US_STATES",
    "ProxyEndpoint",
    "SessionTime",
    "StickySessions",
    "Targeting",
    "TargetingError",
    "build_username",
    "parse_username",
    "proxy_url",
    "resolve_targeting",
    "us_state_code",
    "us_state_name",
]

_SCHEMES = ("http", "socks5")
_SESSION_ALPHABET = string.ascii_letters + string.digits


class _StickyOptions(TypedDict, total=False):
    """``proxy_url``'s keywords, less ``session``, which ``StickySessions`` makes."""

    scheme: Literal["http", "socks5"]
    port_index: int
    host: str | None
    port: int | None
    country: str | None
    state: str | None
    city: str | None
    zip_code: str | None
    asn: int | str | None
    session_time: SessionTime | None


def _endpoint(
    name: str, scheme: str, port_index: int, host: str | None, port: int | None
) -> tuple[str, int]:
    if scheme not in _SCHEMES:
        raise TargetingError(f"scheme must be 'http' or 'socks5', got {scheme!r}", rule="scheme")
    known = PROXY_ENDPOINTS[name]
    if isinstance(port_index, bool) or not isinstance(port_index, int):
        raise TargetingError(f"port_index must be an int, got {port_index!r}", rule="port_index")
    if not 0 <= port_index < known.port_count:
        raise TargetingError(
            f"{name} has ports 0..{known.port_count - 1} to choose from, got {port_index}",
            rule="port_index",
        )
    if port is not None and (isinstance(port, bool) or not 0 < port < 65536):
        raise TargetingError(f"port must be 1..65535, got {port!r}", rule="port")
    host = host or known.host
    first_port = (
        port if port is not None else (known.http_port if scheme == "http" else known.socks5_port)
    )
    if host is None or first_port is None:
        raise TargetingError(
            f"the API documentation gives no {scheme} host and port for {name}; "
            "pass host= and port= from the plan's connection",
            rule="endpoint",
        )
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host, first_port + port_index


def proxy_url(
    product: object,
    username: str,
    password: str,
    *,
    scheme: Literal["http", "socks5"] = "http",
    port_index: int = 0,
    host: str | None = None,
    port: int | None = None,
    country: str | None = None,
    state: str | None = None,
    city: str | None = None,
    zip_code: str | None = None,
    asn: int | str | None = None,
    session: str | None = None,
    session_time: SessionTime | None = None,
) -> str:
    """Build a proxy URL, ``scheme://username:password@host:port``, with targeting.

    Args:
        product: the product name, as a str or a str-valued Enum.
        username: the bare proxy username (a plan's ``proxy_username``).
        password: the proxy password; percent-encoded, as is the username.
        scheme: ``"http"`` or ``"socks5"``.
        port_index: which of the identical ports to use: 0-9 for the residential
            pools (HTTP 10000-10009, SOCKS5 11000-11009), only 0 elsewhere.
        host: the proxy hostname, overriding the documented one (a plan's
            ``connection.hostname``). Required where the documentation gives none.
        port: the first port for ``scheme``, overriding the documented one (a plan's
            ``connection.port_http`` or ``port_socks``); ``port_index`` is added.
            Required where the documentation gives none.
        country: targeting, as for ``build_username``.
        state: targeting, as for ``build_username``.
        city: targeting, as for ``build_username``.
        zip_code: targeting, as for ``build_username``.
        asn: targeting, as for ``build_username``.
        session: targeting, as for ``build_username``.
        session_time: targeting, as for ``build_username``.

    Returns:
        The URL, ready for aiohttp's ``proxy=`` (HTTP) or a SOCKS connector.

    Raises:
        TargetingError: an unknown product or scheme, a port index out of range, no
            known host or port, or targeting that breaks the product's rules.
    """
    name = product_name(product)
    full_username = build_username(
        username,
        name,
        country=country,
        state=state,
        city=city,
        zip_code=zip_code,
        asn=asn,
        session=session,
        session_time=session_time,
    )
    netloc_host, netloc_port = _endpoint(name, scheme, port_index, host, port)
    credentials = f"{quote(full_username, safe='')}:{quote(password, safe='')}"
    return f"{scheme}://{credentials}@{netloc_host}:{netloc_port}"


class StickySessions:
    """Hands out proxy URLs, each with a fresh random sticky session ID.

    One URL per scraping job keeps that job on one exit IP while other jobs get
    their own. Iterating yields new URLs forever; ``next_url()`` gives one.

    Args:
        product: as for ``proxy_url``.
        username: as for ``proxy_url``.
        password: as for ``proxy_url``.
        session_length: characters in each session ID (ASCII letters and digits).
        rng: the random source; a ``secrets.SystemRandom()`` unless given (pass
            ``random.Random(seed)`` in tests).
        **options: any other ``proxy_url`` keyword except ``session`` (scheme,
            port_index, host, port, country, ..., session_time).

    Raises:
        TargetingError: at construction, if the product takes no sessions or the
            options break a rule, so a bad setup fails before the first request.
    """

    def __init__(
        self,
        product: object,
        username: str,
        password: str,
        *,
        session_length: int = 12,
        rng: random.Random | None = None,
        **options: Unpack[_StickyOptions],
    ) -> None:
        if "session" in options:
            raise TypeError("StickySessions makes the session IDs; do not pass session=")
        if session_length < 1:
            raise ValueError("session_length must be at least 1")
        self._args = (product, username, password)
        self._options = options
        self._session_length = session_length
        self._rng = rng if rng is not None else secrets.SystemRandom()
        self._url("0")

    @classmethod
    def for_plan(
        cls,
        plan: Plan,
        *,
        session_length: int = 12,
        rng: random.Random | None = None,
        **options: Unpack[_StickyOptions],
    ) -> StickySessions:
        """Sticky sessions on a plan's own credentials and connection endpoint.

        Takes the same keywords as the constructor; ``host`` and ``port`` default to
        the plan's connection details, as in ``plan.proxy_url()``.

        Raises:
            TargetingError: the plan lacks credentials, or the options break a rule.
        """
        product, username, password = plan._proxy_credentials()
        host, port = plan._proxy_endpoint(options.get("scheme", "http"))
        if "host" not in options and "port" not in options:
            options["host"], options["port"] = host, port
        return cls(product, username, password, session_length=session_length, rng=rng, **options)

    def _url(self, session: str) -> str:
        return proxy_url(*self._args, session=session, **self._options)

    def next_url(self) -> str:
        """A proxy URL with a session ID not handed out before (with high probability)."""
        session = "".join(self._rng.choices(_SESSION_ALPHABET, k=self._session_length))
        return self._url(session)

    def __iter__(self) -> Iterator[str]:
        while True:
            yield self.next_url()

    def __repr__(self) -> str:
        product, username, _password = self._args
        return f"StickySessions(product={product_name(product)!r}, username={username!r})"


for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("flashproxy_async._"):
        _obj.__module__ = __name__
for _func in (build_username, parse_username, resolve_targeting, us_state_code, us_state_name):
    _func.__module__ = __name__
del _name, _obj, _func
