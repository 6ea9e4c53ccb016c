"""US states (50 + DC): full names and USPS codes, in both directions.

The targeting grammar writes a US state three ways depending on the pool: a full
name (``california``, ``newyork``), ``us_`` plus that name (pool 3) or the USPS
code (``ca``, pool 4). Users may spell a state either way; these tables convert.
"""

from __future__ import annotations

__all__ = ["US_STATES", "compact_name", "lookup_us_state", "us_state_code", "us_state_name"]

#: USPS code -> full name, the 50 states and the District of Columbia.
US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}


def compact_name(name: str) -> str:
    """Lowercase with all whitespace removed: how the API documentation writes places."""
    return "".join(name.split()).lower()


_CODE_BY_COMPACT_NAME: dict[str, str] = {compact_name(n): c for c, n in US_STATES.items()}


def lookup_us_state(spelling: str) -> str | None:
    """The USPS code for a state spelt as a code, a full name or a pool 3 form, else None.

    Case and whitespace are ignored, so ``"New York"``, ``"newyork"``, ``"NY"`` and
    ``"us_newyork"`` all give ``"NY"``.
    """
    key = compact_name(spelling)
    if key.upper() in US_STATES:
        return key.upper()
    if key.startswith("us_"):
        key = key[3:]
    return _CODE_BY_COMPACT_NAME.get(key)


def us_state_code(name: str) -> str:
    """Convert a US state's name (any case and spacing) or code to its USPS code.

    Args:
        name: ``"New York"``, ``"newyork"``, ``"us_newyork"`` or ``"ny"``.

    Returns:
        The upper-case USPS code, e.g. ``"NY"``.

    Raises:
        KeyError: the spelling names no US state or DC.
    """
    code = lookup_us_state(name)
    if code is None:
        raise KeyError(name)
    return code


def us_state_name(code: str) -> str:
    """Convert a USPS code (or any spelling ``us_state_code`` takes) to the full name.

    Args:
        code: ``"ny"``, ``"NY"`` or a full-name spelling.

    Returns:
        The title-case full name, e.g. ``"New York"``.

    Raises:
        KeyError: the spelling names no US state or DC.
    """
    return US_STATES[us_state_code(code)]
