"""/proxies/...: dedicated ISP pools, stock, connection info and per-plan configs."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._generated import (
    PoolList,
    PoolType,
    PoolTypeLiteral,
    VpnConfigFormat,
    VpnConfigFormatLiteral,
)
from .._raw_response import RawView, to_raw
from ._base import AsyncResource, PlanRef, enum_param, operation, plan_id_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncProxies", "AsyncProxiesWithRawResponse"]


class AsyncProxiesWithRawResponse(RawView):
    """``client.proxies.with_raw_response``: the methods of :class:`AsyncProxies`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncProxies) -> None:
        super().__init__(resource)
        self.pools = to_raw(resource.pools)
        self.stock = to_raw(resource.stock)
        self.connection_info = to_raw(resource.connection_info)
        self.vpn_config = to_raw(resource.vpn_config)
        self.ip_reset_link = to_raw(resource.ip_reset_link)


class AsyncProxies(AsyncResource):
    """Proxy pools and configuration: ``client.proxies``."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncProxiesWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncProxiesWithRawResponse(self)

    @operation("listPools")
    async def pools(
        self,
        *,
        type: PoolType | PoolTypeLiteral | None = None,
        country: str | None = None,
        **options: Unpack[CallOptions],
    ) -> PoolList:
        """The dedicated_isp pools and their stock (step 1 of the dedicated ISP flow).

        Args:
            type: ``isp`` or ``subnet``.
            country: a country code, e.g. ``US``.

        Returns:
            A :class:`PoolList` (``.pools``, ``.total``, ``.in_stock_count``).

        Raises:
            RequestValidationError: an unknown pool type.
            ProductDisabledError: dedicated_isp is not enabled for the account.
        """
        params = {
            "type": None if type is None else enum_param(type, PoolType, "type"),
            "country": country,
        }
        result: PoolList = await self._client._request(
            "GET", "/proxies/pools", params=params, cast_to=PoolList, **options
        )
        return result

    @operation("getProxyStock")
    async def stock(self, **options: Unpack[CallOptions]) -> Any:
        """Pool stock stats. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/proxies/stock", **options)

    @operation("getConnectionInfo")
    async def connection_info(self, **options: Unpack[CallOptions]) -> Any:
        """Connection info. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/proxies/connection-info", **options)

    @operation("getVpnConfig")
    async def vpn_config(
        self,
        plan_id: PlanRef,
        *,
        format: VpnConfigFormat | VpnConfigFormatLiteral | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """A plan's VPN configuration.

        Args:
            format: ``ovpn`` or ``wireguard``.

        Returns:
            The configuration file as ``str`` when the server sends text; else the
            decoded ``data`` (schema not published in 2.1.0).

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID, or an unknown format.
        """
        params = {
            "format": None if format is None else enum_param(format, VpnConfigFormat, "format")
        }
        return await self._client._request(
            "GET",
            f"/proxies/{plan_id_of(plan_id)}/vpn-config",
            params=params,
            text_ok=True,
            **options,
        )

    @operation("getIpResetLink")
    async def ip_reset_link(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """A plan's IP reset link. Schema not published in 2.1.0: returns ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request(
            "GET", f"/proxies/{plan_id_of(plan_id)}/ip-reset-link", **options
        )
