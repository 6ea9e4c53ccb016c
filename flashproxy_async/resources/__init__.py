"""The API's resources, one class per path prefix, each built as ``Cls(client)``.

The client class lists its resources as :class:`ResourceSlot` attributes;
:func:`resources_of` reads that list for the blocking client and the tests.
"""

from ._base import AsyncResource, PlanRef, ResourceSlot, resources_of
from ._pagination import AsyncPaginator, Page
from ._plan_types import (
    BandwidthBilling,
    BandwidthProduct,
    DedicatedIspProduct,
    DedicatedMobileProduct,
    HybridProduct,
    TimeBilling,
    TimedDuration,
    TrialDuration,
    UnlimitedProduct,
)
from .balance import AsyncBalance
from .geo import AsyncGeo
from .plans import AsyncPlans
from .proxies import AsyncProxies
from .servers import AsyncServers
from .sub_users import AsyncSubUsers
from .usage import AsyncUsage

__all__ = [
    "AsyncBalance",
    "AsyncGeo",
    "AsyncPaginator",
    "AsyncPlans",
    "AsyncProxies",
    "AsyncResource",
    "AsyncServers",
    "AsyncSubUsers",
    "AsyncUsage",
    "BandwidthBilling",
    "BandwidthProduct",
    "DedicatedIspProduct",
    "DedicatedMobileProduct",
    "HybridProduct",
    "Page",
    "PlanRef",
    "ResourceSlot",
    "TimeBilling",
    "TimedDuration",
    "TrialDuration",
    "UnlimitedProduct",
    "resources_of",
]
