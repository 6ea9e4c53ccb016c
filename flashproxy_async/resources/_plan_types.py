"""The ``Literal`` types of the ``plans.create`` overloads, one per row of the table.

They spell out, for type checkers, the product sets and selector values of
``flashproxy_async._plan_fields.PRODUCT_VARIANTS``; a test holds the two to each
other, so a product added to the spec fails it until it is placed here.
"""

from __future__ import annotations

from typing import Literal

from .._generated import BillingType, Duration, Product

__all__ = [
    "BandwidthBilling",
    "BandwidthProduct",
    "DedicatedIspProduct",
    "DedicatedMobileProduct",
    "HybridProduct",
    "TimeBilling",
    "TimedDuration",
    "TrialDuration",
    "UnlimitedProduct",
]

#: Products billed per GB only.
BandwidthProduct = Literal[
    Product.residential_lite,
    Product.residential,
    Product.mobile,
    Product.pool1,
    Product.pool2,
    Product.pool3,
    Product.pool4,
    Product.pool5,
    "residential-lite",
    "residential",
    "mobile",
    "pool1",
    "pool2",
    "pool3",
    "pool4",
    "pool5",
]
#: Products billed per GB or by time.
HybridProduct = Literal[
    Product.datacenter,
    Product.shared_isp,
    Product.ipv6_residential,
    Product.ipv6_datacenter,
    "datacenter",
    "shared_isp",
    "ipv6-residential",
    "ipv6-datacenter",
]
UnlimitedProduct = Literal[
    Product.unlimited_residential,
    "unlimited_residential",
]
DedicatedMobileProduct = Literal[
    Product.dedicated_mobile,
    "dedicated_mobile",
]
DedicatedIspProduct = Literal[
    Product.dedicated_isp,
    "dedicated_isp",
]
BandwidthBilling = Literal[
    BillingType.bandwidth,
    "bandwidth",
]
TimeBilling = Literal[
    BillingType.time,
    "time",
]
TrialDuration = Literal[
    Duration.trial,
    "trial",
]
#: Every duration but ``trial``.
TimedDuration = Literal[
    Duration.hours_1,
    Duration.days_1,
    Duration.days_7,
    Duration.days_14,
    Duration.days_30,
    Duration.days_60,
    Duration.days_90,
    "1_hour",
    "1_day",
    "7_days",
    "14_days",
    "30_days",
    "60_days",
    "90_days",
]
