"""The price list the fake charges from."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import attrs

from ._catalog import (
    DEFAULT_PER_DAY_CENTS,
    DEFAULT_PER_GB_CENTS,
    DEFAULT_PER_IP_30_DAYS_CENTS,
    HOURLY_MBPS,
)


def _frozen_mapping(value: Mapping[str, int]) -> dict[str, int]:
    return dict(value)


@attrs.define(frozen=True)
class Prices:
    """Prices in cents. Products not named here use the fake's defaults.

    Attributes:
        per_gb_cents: price of one GB, per bandwidth-billed product.
        per_day_cents: price of one day of a time-billed product. Hybrid products are
            priced per 100 Mbps, unlimited_residential per 200 Mbps; ``1_hour`` costs
            an eighth of a day.
        per_ip_30_days_cents: price of one dedicated-ISP IP for 30 days.
    """

    per_gb_cents: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_mapping)
    per_day_cents: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_mapping)
    per_ip_30_days_cents: int = DEFAULT_PER_IP_30_DAYS_CENTS

    def gb(self, product: str) -> int:
        """Price of one GB of ``product``."""
        return self.per_gb_cents.get(product, DEFAULT_PER_GB_CENTS.get(product, 100))

    def day(self, product: str) -> int:
        """Price of one day of ``product`` at its base bandwidth."""
        return self.per_day_cents.get(product, DEFAULT_PER_DAY_CENTS.get(product, 1000))

    # Exact fractions: any amount the schema allows (1e308 GB, a 400-digit mbps) gets a
    # price, and a price beyond the balance is a 402, not a float overflow.

    def bandwidth_cost(self, product: str, gb: float) -> int:
        return math.ceil(self.gb(product) * Fraction(str(gb)))

    def time_cost(self, product: str, days: float, mbps: int | None) -> int:
        # POST /plans, duration: 1_hour is "priced at 1/8 of daily rate", not 1/24.
        effective_days = Fraction(1, 8) if days < 1 else Fraction(days)
        factor = Fraction(1)
        if product == "unlimited_residential" and mbps is not None:
            factor = Fraction(mbps, HOURLY_MBPS)
        elif mbps is not None:
            factor = Fraction(mbps, 100)
        return math.ceil(self.day(product) * effective_days * factor)

    def ip_cost(self, quantity: int, periods: int = 1) -> int:
        return self.per_ip_30_days_cents * quantity * periods


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"
