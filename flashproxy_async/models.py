"""The API's data: plans, pools, proxies, balance, and the enums they use.

These are the attrs classes generated from ``openapi.json`` (see
``flashproxy_async._generated``), re-exported here so user code can name them in type
hints and comparisons::

    from flashproxy_async.models import Plan, Product

    def is_residential(plan: Plan) -> bool:
        return plan.product == Product.residential

Enums are ``str`` subclasses that also accept values the spec does not list yet
(``Product("new-product")`` works, and its ``.is_known`` is False).
Response envelopes and request bodies stay private: resource methods unwrap the
first and build the second from keyword arguments.
"""

from ._generated import (
    Allocation,
    Balance,
    BalanceAllocations,
    BillingType,
    DedicatedMobileLocation,
    Duration,
    ErrorCode,
    GeoProductType,
    Pagination,
    Plan,
    PlanBilling,
    PlanConnection,
    PlanLimits,
    PlanStatus,
    PlanStatusFilter,
    Pool,
    PoolList,
    PoolProvider,
    PoolType,
    Product,
    ProxyItem,
    ProxyList,
    ProxyListProduct,
    ProxySource,
    SubUserStatusFilter,
    TransactionType,
    UsageGranularity,
    UsagePeriod,
    VpnConfigFormat,
)

__all__ = [
    "Allocation",
    "Balance",
    "BalanceAllocations",
    "BillingType",
    "DedicatedMobileLocation",
    "Duration",
    "ErrorCode",
    "GeoProductType",
    "Pagination",
    "Plan",
    "PlanBilling",
    "PlanConnection",
    "PlanLimits",
    "PlanStatus",
    "PlanStatusFilter",
    "Pool",
    "PoolList",
    "PoolProvider",
    "PoolType",
    "Product",
    "ProxyItem",
    "ProxyList",
    "ProxyListProduct",
    "ProxySource",
    "SubUserStatusFilter",
    "TransactionType",
    "UsageGranularity",
    "UsagePeriod",
    "VpnConfigFormat",
]
