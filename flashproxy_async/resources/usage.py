"""/usage/...: account-wide and per-plan usage."""

from __future__ import annotations

from typing import Any

from .._generated import UsageGranularity, UsagePeriod
from ._base import AsyncResource, PlanRef, enum_param, operation, plan_id_of

__all__ = ["AsyncUsage"]


class AsyncUsage(AsyncResource):
    """Usage reports: ``client.usage``."""

    @operation("getUsageSummary")
    async def summary(self, *, period: UsagePeriod | str | None = None) -> Any:
        """Usage summary. Schema not published in 2.1.0: returns the decoded ``data``.

        Args:
            period: ``today``, ``week``, ``month`` or ``all``.

        Raises:
            RequestValidationError: an unknown period.
        """
        params = {"period": None if period is None else enum_param(period, UsagePeriod, "period")}
        return await self._client._request("GET", "/usage/summary", params=params)

    @operation("getPlanUsageDetail")
    async def plan(
        self, plan_id: PlanRef, *, granularity: UsageGranularity | str | None = None
    ) -> Any:
        """Detailed usage of one plan. Schema not published in 2.1.0: returns ``data``.

        Args:
            granularity: ``hourly``, ``daily`` or ``weekly``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID, or an unknown granularity.
        """
        params = {
            "granularity": (
                None
                if granularity is None
                else enum_param(granularity, UsageGranularity, "granularity")
            )
        }
        return await self._client._request(
            "GET", f"/usage/plans/{plan_id_of(plan_id)}", params=params
        )

    @operation("getRealtimeUsage")
    async def realtime(self) -> Any:
        """Real-time usage. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/usage/realtime")
