"""/usage/...: account-wide and per-plan usage."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._generated import (
    UsageGranularity,
    UsageGranularityLiteral,
    UsagePeriod,
    UsagePeriodLiteral,
)
from .._raw_response import RawView, to_raw
from ._base import AsyncResource, PlanRef, enum_param, operation, plan_id_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncUsage", "AsyncUsageWithRawResponse"]


class AsyncUsageWithRawResponse(RawView):
    """``client.usage.with_raw_response``: the methods of :class:`AsyncUsage`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncUsage) -> None:
        super().__init__(resource)
        self.summary = to_raw(resource.summary)
        self.plan = to_raw(resource.plan)
        self.realtime = to_raw(resource.realtime)


class AsyncUsage(AsyncResource):
    """Usage reports: ``client.usage``."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncUsageWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncUsageWithRawResponse(self)

    @operation("getUsageSummary")
    async def summary(
        self,
        *,
        period: UsagePeriod | UsagePeriodLiteral | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Usage summary. Schema not published in 2.1.0: returns the decoded ``data``.

        Args:
            period: ``today``, ``week``, ``month`` or ``all``.

        Raises:
            RequestValidationError: an unknown period.
        """
        params = {"period": None if period is None else enum_param(period, UsagePeriod, "period")}
        return await self._client._request("GET", "/usage/summary", params=params, **options)

    @operation("getPlanUsageDetail")
    async def plan(
        self,
        plan_id: PlanRef,
        *,
        granularity: UsageGranularity | UsageGranularityLiteral | None = None,
        **options: Unpack[CallOptions],
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
            "GET", f"/usage/plans/{plan_id_of(plan_id)}", params=params, **options
        )

    @operation("getRealtimeUsage")
    async def realtime(self, **options: Unpack[CallOptions]) -> Any:
        """Real-time usage. Schema not published in 2.1.0: returns the decoded ``data``."""
        return await self._client._request("GET", "/usage/realtime", **options)
