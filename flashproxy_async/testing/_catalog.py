"""What the fake sells: products, durations, hosts, default prices and stock.

Values marked "documented" come from the API documentation; values marked
"fake-only" are plausible inventions where it says nothing.
"""

from __future__ import annotations

from typing import Final

BANDWIDTH_PRODUCTS: Final = frozenset(
    {"residential-lite", "residential", "mobile", "pool1", "pool2", "pool3", "pool4", "pool5"}
)
HYBRID_PRODUCTS: Final = frozenset(
    {"datacenter", "shared_isp", "ipv6-residential", "ipv6-datacenter"}
)
SERVER_PRODUCTS: Final = frozenset({"unlimited_residential", "dedicated_mobile"})
PRODUCTS: Final = (
    BANDWIDTH_PRODUCTS | HYBRID_PRODUCTS | SERVER_PRODUCTS | frozenset({"dedicated_isp"})
)

# documented: the Duration enum. trial is expressed as one hour (fake-only).
DURATION_DAYS: Final[dict[str, float]] = {
    "trial": 1 / 24,
    "1_hour": 1 / 24,
    "1_day": 1,
    "7_days": 7,
    "14_days": 14,
    "30_days": 30,
    "60_days": 60,
    "90_days": 90,
}
# documented (POST /plans, duration): "1_hour available for datacenter, shared_isp,
# ipv6-residential, ipv6-datacenter". unlimited_residential is added at bandwidth_mbps
# exactly 200, because its bandwidth_mbps text says "Hourly plans capped at 200".
ONE_HOUR_PRODUCTS: Final = HYBRID_PRODUCTS | frozenset({"unlimited_residential"})
HOURLY_MBPS: Final = 200
MIN_BANDWIDTH_MBPS: Final = 200
MAX_BANDWIDTH_MBPS: Final = 3000
MOBILE_LOCATIONS: Final = ("NL", "UK")
UNLIMITED_EXTEND_DAYS: Final = frozenset({1, 7, 30, 60})
DEDICATED_MOBILE_EXTEND_DAYS: Final = frozenset({7, 14, 30})

# (hostname, port_http, port_socks, username suffix in the connection string)
HOSTS: Final[dict[str, tuple[str, int, int, str]]] = {
    "residential-lite": ("lite.proxyserver.bot", 6969, 9696, ""),  # documented
    "residential": ("geo.proxyserver.bot", 8080, 1080, ""),  # documented
    "mobile": ("geo.proxyserver.bot", 8080, 1080, ""),  # documented
    "ipv6-residential": ("v3-v6-resi.proxyserver.bot", 30, 31, "-package-ipv6"),  # documented
    "ipv6-datacenter": ("v3-v6-dc.proxyserver.bot", 50, 51, ""),  # documented
    "pool1": ("v3-resi-us.proxyserver.bot", 10000, 11000, "-package-pool1"),  # documented
    "pool2": ("v3-resi-us.proxyserver.bot", 10000, 11000, "-package-pool2"),  # documented
    "pool3": ("v3-resi-us.proxyserver.bot", 10000, 11000, "-package-pool3"),  # documented
    "pool4": ("v3-resi-us.proxyserver.bot", 10000, 11000, "-package-pool4"),  # documented
    "pool5": ("v3-resi-us.proxyserver.bot", 10000, 11000, "-package-pool5"),  # documented
    "unlimited_residential": ("unlim.proxyserver.bot", 12000, 12000, ""),  # documented
    "datacenter": ("dc.proxyserver.bot", 7070, 7071, ""),  # fake-only
    "shared_isp": ("shared-isp.proxyserver.bot", 7777, 7778, ""),  # fake-only
    "dedicated_mobile": ("dm.proxyserver.bot", 20000, 20001, ""),  # fake-only
    # documented: the example proxy host; the ports are fake-only.
    "dedicated_isp": ("isp.proxyserver.bot", 10001, 11001, ""),
}

BYTES_PER_GB: Final = 1024**3
# openapi.json: the plan's max_bytes is an int64.
MAX_BYTES: Final = 2**63 - 1

# documented: pool prices per GB; everything else fake-only.
DEFAULT_PER_GB_CENTS: Final[dict[str, int]] = {
    "residential-lite": 150,
    "residential": 300,
    "mobile": 400,
    "datacenter": 60,
    "shared_isp": 120,
    "ipv6-residential": 90,
    "ipv6-datacenter": 40,
    "pool1": 80,
    "pool2": 125,
    "pool3": 150,
    "pool4": 180,
    "pool5": 100,
}
# Per day. Hybrid time plans are priced per 100 Mbps, unlimited_residential per 200 Mbps,
# and a 1_hour plan costs 1/8 of the daily rate (documented).
DEFAULT_PER_DAY_CENTS: Final[dict[str, int]] = {
    "datacenter": 200,
    "shared_isp": 300,
    "ipv6-residential": 250,
    "ipv6-datacenter": 150,
    "unlimited_residential": 500,
    "dedicated_mobile": 1000,
}
DEFAULT_PER_IP_30_DAYS_CENTS: Final = 300

DEFAULT_BALANCE_CENTS: Final = 500_000  # the documented example: $5,000.00
DEFAULT_MOBILE_STOCK: Final[dict[str, int]] = {"NL": 5, "UK": 3}
DEFAULT_TRIAL_STOCK: Final = 3
# (pool, title, provider, country, stock)
DEFAULT_POOLS: Final[tuple[tuple[str, str, str, str, int], ...]] = (
    ("ISP_US_SNEAKERS", "US Sneakers ISP", "ISP", "US", 50),  # the documented example name
    ("ISP_UK_GENERAL", "UK General ISP", "ISP", "UK", 20),
    ("ISP_DE_GENERAL", "DE General ISP", "ISP", "DE", 0),
    ("SN_US_SUBNET", "US /24 Subnet", "SN", "US", 4),
)

GEO_COUNTRIES: Final[tuple[tuple[str, str], ...]] = (
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
    ("FR", "France"),
    ("CA", "Canada"),
)
GEO_STATES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "US": (("california", "California"), ("newyork", "New York"), ("texas", "Texas")),
    "DE": (("berlin", "Berlin"), ("bavaria", "Bavaria")),
}
GEO_CITIES: Final[dict[str, tuple[tuple[str, str, str | None], ...]]] = {
    "US": (
        ("losangeles", "Los Angeles", "california"),
        ("sanfrancisco", "San Francisco", "california"),
        ("newyork", "New York", "newyork"),
        ("houston", "Houston", "texas"),
    ),
    "GB": (("london", "London", None), ("manchester", "Manchester", None)),
    "DE": (("berlin", "Berlin", "berlin"), ("munich", "Munich", "bavaria")),
    "NL": (("amsterdam", "Amsterdam", None),),
}
GEO_ASNS: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "US": ((7922, "Comcast Cable"), (21928, "T-Mobile USA"), (7018, "AT&T")),
    "GB": ((2856, "British Telecommunications"), (12576, "EE Limited")),
    "DE": ((3320, "Deutsche Telekom"),),
}
