"""The proxy username grammar: building a username and parsing one back.

The public face is ``flashproxy_async.targeting``.
"""

from __future__ import annotations

from typing import Literal

from .._exceptions import TargetingError
from ._rules import SPECS, SessionTime, Spec, Targeting, product_name, resolve_targeting

__all__ = ["build_username", "parse_username"]

_WIRE_KEYS = {
    "country": "country",
    "state": "state",
    "city": "city",
    "zip_code": "zip",
    "asn": "asn",
    "session": "session",
    "session_time": "time",
}
_UNLIMITED_WIRE_KEYS = {"country": "region", "session": "session", "session_time": "sessTime"}
_SHORT_LONG: dict[str, Literal["short", "long"]] = {"short": "short", "long": "long"}
_SESS_AUTO = ("sessAuto", "1")
# Pieces of the bare username that would be read as grammar by the gateway.
_RESERVED = frozenset(
    {*_WIRE_KEYS.values(), *(k.lower() for k in _UNLIMITED_WIRE_KEYS.values())}
    | {"package", "zone", "sessauto"}
)


def _check_username(username: str) -> None:
    pieces = username.split("-")
    if not username or "" in pieces or any(ch.isspace() for ch in username):
        raise TargetingError(
            f"proxy username {username!r} must be non-empty, without whitespace or "
            "empty dash-separated pieces",
            rule="username.format",
        )
    clash = next((p for p in pieces[1:] if p.lower() in _RESERVED), None)
    if clash is not None:
        raise TargetingError(
            f"proxy username {username!r} contains the targeting keyword {clash!r}; pass "
            "the bare username and targeting as keywords (the -package-/-zone- suffix "
            "is added for you)",
            rule="username.reserved",
        )


def _wire_time(spec: Spec, value: SessionTime) -> str:
    if isinstance(value, str):
        return value
    return str(value // spec.time_unit)


def build_username(
    username: str,
    product: object,
    *,
    country: str | None = None,
    state: str | None = None,
    city: str | None = None,
    zip_code: str | None = None,
    asn: int | str | None = None,
    session: str | None = None,
    session_time: SessionTime | None = None,
) -> str:
    """Build the proxy username that carries this targeting for this product.

    Segments follow the documented order (country, state, city, zip, asn, session,
    time) after the product's marker (``-package-poolN``, ``-package-ipv6``,
    ``-zone-custom``).

    Args:
        username: the bare proxy username (a plan's ``proxy_username``).
        product: the product name, as a str or a str-valued Enum.
        country: 2-letter country code, any case; written lowercase.
        state: a state name (``"New York"``) or, in the US, a USPS code (``"NY"``);
            written in the product's form (``newyork``, ``us_newyork``, ``ny``).
        city: a city name; written lowercase without spaces (``losangeles``).
        zip_code: a 5-digit US ZIP code (pool 3 only).
        asn: an autonomous system number (pools 1, 3, 4 and mobile).
        session: a sticky session ID of ASCII letters and digits.
        session_time: the session's lifetime: a ``timedelta`` whole in the
            product's unit (seconds for pools 2, 3, 5; minutes for
            unlimited_residential), or ``"short"``/``"long"`` for pool 1.

    Returns:
        The proxy username, e.g. ``user-package-pool4-country-us-state-ca``.

    Raises:
        TargetingError: the product is unknown, the username is malformed, or the
            targeting breaks one of the product's rules; ``rule`` names which.
    """
    name = product_name(product)
    target = resolve_targeting(
        name,
        country=country,
        state=state,
        city=city,
        zip_code=zip_code,
        asn=asn,
        session=session,
        session_time=session_time,
    )
    _check_username(username)
    spec = SPECS[name]
    keys = _UNLIMITED_WIRE_KEYS if name == "unlimited_residential" else _WIRE_KEYS
    parts = [username + spec.marker]
    for feature, key in keys.items():
        value = getattr(target, feature)
        if value is not None:
            parts += [key, _wire_time(spec, value) if feature == "session_time" else str(value)]
    if name == "unlimited_residential" and target.session is not None:
        parts += _SESS_AUTO
    return "-".join(parts)


def _split_base(name: str, spec: Spec, tokens: list[str]) -> tuple[str, list[str]]:
    if spec.marker:
        marker = spec.marker[1:].split("-")
        width = len(marker)
        start = next((i for i in range(1, len(tokens)) if tokens[i : i + width] == marker), None)
        if start is None:
            raise TargetingError(
                f"a {name} username carries {spec.marker!r} after the username",
                rule="parse.marker",
            )
        return "-".join(tokens[:start]), tokens[start + width :]
    start = next((i for i in range(1, len(tokens)) if tokens[i].lower() in _RESERVED), len(tokens))
    return "-".join(tokens[:start]), tokens[start:]


def _parse_time(name: str, spec: Spec, raw: str) -> SessionTime:
    if spec.session_time is None:
        raise TargetingError(f"{name} takes no session time", rule=f"{name}.session_time")
    if spec.session_time == "short_long" and raw in _SHORT_LONG:
        return _SHORT_LONG[raw]
    if spec.session_time in ("seconds", "minutes") and raw.isascii() and raw.isdigit():
        return spec.time_unit * int(raw)
    raise TargetingError(f"{name} cannot read session time {raw!r}", rule="parse.session_time")


def parse_username(username: str, product: object) -> tuple[str, Targeting]:
    """Split a proxy username into the bare username and its targeting.

    The inverse of ``build_username``: the segments must come in the documented order,
    each at most once, and the targeting must satisfy the product's rules. Country
    codes are read case-insensitively.

    Args:
        username: a full proxy username such as ``user-package-pool4-country-us-state-ca``.
        product: the product the username is for (str or str-valued Enum).

    Returns:
        The bare username and a ``Targeting`` in wire form.

    Raises:
        TargetingError: the username does not follow the product's grammar or rules.
    """
    name = product_name(product)
    spec = SPECS[name]
    base, rest = _split_base(name, spec, username.split("-"))
    unlimited = name == "unlimited_residential"
    if unlimited and rest[-2:] == list(_SESS_AUTO):
        rest = rest[:-2]
        if "session" not in rest[::2]:
            raise TargetingError("sessAuto-1 without a session", rule="parse.segment")
    elif unlimited and "session" in rest[::2]:
        raise TargetingError(
            "an unlimited_residential session ends in -sessAuto-1", rule="parse.segment"
        )
    keys = _UNLIMITED_WIRE_KEYS if unlimited else _WIRE_KEYS
    order = {key: (i, feature) for i, (feature, key) in enumerate(keys.items())}
    if len(rest) % 2:
        raise TargetingError(f"{username!r} ends in a key without a value", rule="parse.segment")
    found: dict[str, str] = {}
    last = -1
    for key, raw in zip(rest[::2], rest[1::2], strict=True):
        if key not in order or order[key][0] <= last:
            raise TargetingError(
                f"unexpected segment {key!r} in {username!r}; {name} segments come in the "
                f"order {', '.join(keys.values())}, each at most once",
                rule="parse.segment",
            )
        last, feature = order[key]
        found[feature] = raw
    raw_time = found.pop("session_time", None)
    target = resolve_targeting(
        name, **found, session_time=None if raw_time is None else _parse_time(name, spec, raw_time)
    )
    _check_username(base)
    return base, target
