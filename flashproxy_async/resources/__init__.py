"""The API's resources, one class per path prefix, each built as ``Cls(client)``."""

from ._pagination import Page
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
    "AsyncPlans",
    "AsyncProxies",
    "AsyncServers",
    "AsyncSubUsers",
    "AsyncUsage",
    "Page",
]
