"""Every product's proxy host and ports, from the API documentation's "Proxy Connection Formats"."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["PROXY_ENDPOINTS", "ProxyEndpoint"]


@attrs.frozen
class ProxyEndpoint:
    """Where a product's proxies listen.

    Attributes:
        host: the gateway hostname, or None where the documentation gives none (the plan's
            ``connection.hostname`` is then the only source).
        http_port: the first HTTP port, or None where the documentation gives none.
        socks5_port: the first SOCKS5 port, or None where the documentation gives none.
        port_count: how many consecutive ports, all identical, start at each
            first port (10 for the residential pools, else 1).
    """

    host: str | None
    http_port: int | None
    socks5_port: int | None
    port_count: int = 1


_UNKNOWN = ProxyEndpoint(host=None, http_port=None, socks5_port=None)
# The API documentation, "Residential Pool 1-5": ports 10000-10009 (HTTP) and 11000-11009 (SOCKS5),
# "Multiple ports available for load distribution - all identical".
_POOLS = ProxyEndpoint("v3-resi-us.proxyserver.bot", 10000, 11000, port_count=10)
_GEO = ProxyEndpoint("geo.proxyserver.bot", 8080, 1080)

#: Product name -> endpoint, straight from the API documentation. ``datacenter``, ``shared_isp``
#: and ``dedicated_isp`` have no connection format there, and ``dedicated_mobile``'s
#: is blank (`:`), so their host and ports come from the plan's ``connection``.
PROXY_ENDPOINTS: Mapping[str, ProxyEndpoint] = MappingProxyType(
    {
        "residential-lite": ProxyEndpoint("lite.proxyserver.bot", 6969, 9696),
        "residential": _GEO,
        "mobile": _GEO,
        "datacenter": _UNKNOWN,
        "shared_isp": _UNKNOWN,
        "ipv6-residential": ProxyEndpoint("v3-v6-resi.proxyserver.bot", 30, 31),
        "ipv6-datacenter": ProxyEndpoint("v3-v6-dc.proxyserver.bot", 50, 51),
        "pool1": _POOLS,
        "pool2": _POOLS,
        "pool3": _POOLS,
        "pool4": _POOLS,
        "pool5": _POOLS,
        # Documented as "HTTP/SOCKS5: unlim.proxyserver.bot:12000", one port for both.
        "unlimited_residential": ProxyEndpoint("unlim.proxyserver.bot", 12000, 12000),
        "dedicated_mobile": _UNKNOWN,
        "dedicated_isp": _UNKNOWN,
    }
)
