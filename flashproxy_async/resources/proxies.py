"""/proxies/...: dedicated ISP pools, stock, connection info and per-plan configs."""

from __future__ import annotations

from typing import Any

from .._generated import PoolList, PoolType, VpnConfigFormat
from ._base import AsyncResource, PlanRef, enum_param, operation, plan_id_of

__all__ = ["AsyncProxies"]


class AsyncProxies(AsyncResource):
    """Proxy pools and configuration: ``client.proxies``."""

    @operation("listPools")
    async def pools(
        self, *, type: PoolType | str | None = None, country: str | None = None
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
            "GET", "/proxies/pools", params=params, cast_to=PoolList
        )
        return result

    @operation("getProxyStock")
    async def stock(self) -> Any:
        """Pool stock stats. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/proxies/stock")

    @operation("getConnectionInfo")
    async def connection_info(self) -> Any:
        """Connection info. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/proxies/connection-info")

    @operation("getVpnConfig")
    async def vpn_config(
        self, plan_id: PlanRef, *, format: VpnConfigFormat | str | None = None
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
            "GET", f"/proxies/{plan_id_of(plan_id)}/vpn-config", params=params, text_ok=True
        )

    @operation("getIpResetLink")
    async def ip_reset_link(self, plan_id: PlanRef) -> Any:
        """A plan's IP reset link. Schema not published in 2.1.0: returns ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request("GET", f"/proxies/{plan_id_of(plan_id)}/ip-reset-link")
