"""What each product's proxy username may target, and the checks that enforce it.

The public face is ``flashproxy_async.targeting``; its docstring states how each
product's rules were read from the API documentation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal, TypeAlias

import attrs

from .._exceptions import TargetingError
from ._us_states import US_STATES, compact_name, lookup_us_state

__all__ = ["SPECS", "SessionTime", "Spec", "Targeting", "product_name", "resolve_targeting"]

SessionTime: TypeAlias = timedelta | Literal["short", "long"]

_COUNTRY = re.compile(r"[a-z]{2}")
_PLACE = re.compile(r"[a-z0-9_]+")
_STATE_CODE = re.compile(r"[a-z0-9]{2}")
_ZIP = re.compile(r"[0-9]{5}")
_SESSION = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")


@attrs.frozen(kw_only=True)
class Targeting:
    """The targeting carried by one proxy username, in the form written on the wire.

    ``attrs.asdict(targeting)`` gives keywords that ``build_username`` takes back.

    Attributes:
        country: 2-letter country code, lowercase.
        state: the state in the product's form (``california``, ``us_california``
            or ``ca``).
        city: lowercase, no spaces (``losangeles``).
        zip_code: 5-digit US ZIP code (pool 3).
        asn: autonomous system number.
        session: sticky session ID, ASCII letters and digits.
        session_time: the session's lifetime: a ``timedelta``, or ``"short"`` /
            ``"long"`` for pool 1.
    """

    country: str | None = None
    state: str | None = None
    city: str | None = None
    zip_code: str | None = None
    asn: int | None = None
    session: str | None = None
    session_time: SessionTime | None = None


@attrs.frozen(kw_only=True)
class Spec:
    """What one product's username accepts. Defaults: nothing but the bare username."""

    marker: str = ""
    country: bool = False
    state: Literal["full_name", "us_prefix", "code"] | None = None
    state_us_only: bool = False
    # "us_only": pool 1, US cities with a state; "us_needs_state": pool 5.
    city: Literal["any", "us_only", "us_needs_state"] | None = None
    zip_code: bool = False
    asn: bool = False
    session: bool = False
    session_time: Literal["short_long", "seconds", "minutes"] | None = None
    session_time_max: timedelta | None = None

    def supports(self, feature: str) -> bool:
        return bool(getattr(self, feature))

    @property
    def time_unit(self) -> timedelta:
        """The unit ``session_time`` is written in: a minute or a second."""
        return timedelta(minutes=1) if self.session_time == "minutes" else timedelta(seconds=1)


_GEO_FULL = Spec(country=True, state="full_name", city="any", session=True)
_COUNTRY_ONLY = Spec(country=True)

# The API documentation: "Per-Pool Feature Comparison", "Pool N Sessions", "Geo
# Targeting Username Format", "Proxy Connection Formats" and GET /geo/countries|asn.
# See the targeting module docstring for how the products it says little about were read.
SPECS: Mapping[str, Spec] = {
    "residential-lite": _COUNTRY_ONLY,
    "residential": _GEO_FULL,
    "mobile": attrs.evolve(_GEO_FULL, asn=True),
    "datacenter": _COUNTRY_ONLY,
    "shared_isp": _COUNTRY_ONLY,
    "ipv6-residential": attrs.evolve(_COUNTRY_ONLY, marker="-package-ipv6"),
    "ipv6-datacenter": _COUNTRY_ONLY,
    "pool1": Spec(
        marker="-package-pool1",
        country=True,
        state="full_name",
        state_us_only=True,
        city="us_only",
        asn=True,
        session=True,
        session_time="short_long",
    ),
    "pool2": Spec(
        marker="-package-pool2",
        country=True,
        state="full_name",
        city="any",
        session=True,
        session_time="seconds",
        session_time_max=timedelta(days=7),
    ),
    "pool3": Spec(
        marker="-package-pool3",
        country=True,
        state="us_prefix",
        state_us_only=True,
        city="any",
        zip_code=True,
        asn=True,
        session=True,
        session_time="seconds",
        session_time_max=timedelta(hours=24),
    ),
    # Pool 4: "Sessions last ~10 minutes. No duration control."
    "pool4": Spec(
        marker="-package-pool4", country=True, state="code", city="any", asn=True, session=True
    ),
    "pool5": Spec(
        marker="-package-pool5",
        country=True,
        state="full_name",
        state_us_only=True,
        city="us_needs_state",
        session=True,
        session_time="seconds",
        session_time_max=timedelta(hours=2),
    ),
    # Documented as {username}-zone-custom[-region-{CC}][-session-{ID}-sessTime-{MIN}-sessAuto-1]
    "unlimited_residential": Spec(
        marker="-zone-custom", country=True, session=True, session_time="minutes"
    ),
    "dedicated_mobile": Spec(),
    "dedicated_isp": Spec(),
}

_FEATURES = ("country", "state", "city", "zip_code", "asn", "session", "session_time")


def product_name(product: object) -> str:
    """The product's wire name, from a str or a str-valued Enum such as ``Product``."""
    name = str(getattr(product, "value", product))
    if name not in SPECS:
        raise TargetingError(
            f"unknown product {name!r}; expected one of {', '.join(SPECS)}", rule="product"
        )
    return name


def _supported(spec: Spec) -> str:
    features = [f for f in _FEATURES if spec.supports(f)]
    return ", ".join(features) if features else "no targeting at all"


def _country(value: str) -> str:
    code = value.lower() if isinstance(value, str) else ""
    if not _COUNTRY.fullmatch(code):
        raise TargetingError(
            f"country must be a 2-letter code such as 'us', got {value!r}", rule="country.format"
        )
    return code


def _place(value: str, feature: str) -> str:
    place = compact_name(value) if isinstance(value, str) else ""
    if not _PLACE.fullmatch(place):
        raise TargetingError(
            f"{feature} {value!r} must be ASCII letters and digits once lowercased and "
            "spaces removed (the API documentation writes 'losangeles'); use the name from /geo",
            rule=f"{feature}.format",
        )
    return place


def _state(name: str, spec: Spec, value: str, is_us: bool) -> str:
    if spec.state_us_only and not is_us:
        raise TargetingError(
            f"{name} targets states in the US only; set country='us'", rule=f"{name}.state.us_only"
        )
    if not is_us:
        state = _place(value, "state")
        if spec.state == "code" and not _STATE_CODE.fullmatch(state):
            raise TargetingError(
                f"{name} writes states as 2-letter codes, got {value!r}", rule=f"{name}.state.code"
            )
        return state
    code = lookup_us_state(value) if isinstance(value, str) else None
    if code is None:
        raise TargetingError(
            f"{value!r} is not a US state: give a name ('New York') or USPS code ('NY')",
            rule="state.unknown",
        )
    if spec.state == "code":
        return code.lower()
    full = compact_name(US_STATES[code])
    return f"us_{full}" if spec.state == "us_prefix" else full


def _city(name: str, spec: Spec, value: str, is_us: bool, has_state: bool) -> str:
    if spec.city == "us_only" and not is_us:
        raise TargetingError(f"{name} targets cities in the US only", rule=f"{name}.city.us_only")
    if spec.city in ("us_only", "us_needs_state") and is_us and not has_state:
        raise TargetingError(
            f"{name} needs a state to target a US city", rule=f"{name}.city.needs_state"
        )
    return _place(value, "city")


def _zip_code(name: str, value: str, is_us: bool) -> str:
    if not is_us:
        raise TargetingError(
            f"{name} targets ZIP codes in the US only", rule=f"{name}.zip_code.us_only"
        )
    if not isinstance(value, str) or not _ZIP.fullmatch(value):
        raise TargetingError(
            f"zip_code must be a 5-digit string such as '10001', got {value!r}",
            rule="zip_code.format",
        )
    return value


def _asn(value: int | str) -> int:
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TargetingError(f"asn must be a positive integer, got {value!r}", rule="asn.format")
    return value


def _session(value: str) -> str:
    if not isinstance(value, str) or not _SESSION.fullmatch(value):
        raise TargetingError(
            f"session ID must be ASCII letters and digits, got {value!r} (a dash would "
            "corrupt the username)",
            rule="session.format",
        )
    return value


def _session_time(name: str, spec: Spec, value: SessionTime) -> SessionTime:
    rule = f"{name}.session_time"
    if spec.session_time == "short_long":
        if value not in ("short", "long"):
            raise TargetingError(
                f"{name} takes session_time 'short' or 'long', got {value!r}", rule=rule
            )
        return value
    if not isinstance(value, timedelta):
        raise TargetingError(f"{name} takes session_time as a timedelta, got {value!r}", rule=rule)
    unit = spec.time_unit
    if value <= timedelta(0):
        raise TargetingError(f"{name} session_time must be positive", rule=f"{rule}.positive")
    if value % unit:
        raise TargetingError(
            f"{name} counts session_time in whole {spec.session_time}, got {value}",
            rule=f"{rule}.whole",
        )
    if spec.session_time_max is not None and value > spec.session_time_max:
        raise TargetingError(
            f"{name} sessions last at most {spec.session_time_max}, got {value}", rule=f"{rule}.max"
        )
    return value


def resolve_targeting(
    product: object,
    *,
    country: str | None = None,
    state: str | None = None,
    city: str | None = None,
    zip_code: str | None = None,
    asn: int | str | None = None,
    session: str | None = None,
    session_time: SessionTime | None = None,
) -> Targeting:
    """Validate targeting against the product's rules and put it in wire form.

    Takes the same keywords as ``build_username``; ``parse_username`` of the built
    username gives back exactly this ``Targeting``.

    Args:
        product: the product name, as a str or a str-valued Enum.

    Returns:
        The targeting as the username will carry it.

    Raises:
        TargetingError: the product is unknown or any rule is broken; ``rule`` names it.
    """
    name = product_name(product)
    spec = SPECS[name]
    given = {
        "country": country,
        "state": state,
        "city": city,
        "zip_code": zip_code,
        "asn": asn,
        "session": session,
        "session_time": session_time,
    }
    for feature, value in given.items():
        if value is not None and not spec.supports(feature):
            raise TargetingError(
                f"{name} takes no {feature} targeting; it supports {_supported(spec)}",
                rule=f"{name}.{feature}",
            )
    for feature in ("state", "city", "zip_code", "asn"):
        if given[feature] is not None and country is None:
            raise TargetingError(
                f"{feature} targeting needs a country", rule=f"{feature}.needs_country"
            )
    if session_time is not None and session is None:
        raise TargetingError("session_time needs a session", rule="session_time.needs_session")
    if session is not None and spec.session_time == "minutes" and session_time is None:
        raise TargetingError(
            f"{name} sessions need a session_time (the documented format sets sessTime "
            "with every session)",
            rule=f"{name}.session.needs_session_time",
        )
    country_code = None if country is None else _country(country)
    is_us = country_code == "us"
    return Targeting(
        country=country_code,
        state=None if state is None else _state(name, spec, state, is_us),
        city=None if city is None else _city(name, spec, city, is_us, state is not None),
        zip_code=None if zip_code is None else _zip_code(name, zip_code, is_us),
        asn=None if asn is None else _asn(asn),
        session=None if session is None else _session(session),
        session_time=None if session_time is None else _session_time(name, spec, session_time),
    )
