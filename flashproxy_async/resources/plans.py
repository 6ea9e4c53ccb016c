"""GET/POST /plans and /plans/{planId}/...: list, buy, read, extend and upgrade plans."""

from __future__ import annotations

import functools
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from .._call_options import reads
from .._converter import unstructure
from .._exceptions import FlashProxyError, ResponseValidationError
from .._generated import (
    BillingType,
    BillingTypeLiteral,
    CreatePlanRequest,
    DedicatedMobileLocation,
    DedicatedMobileLocationLiteral,
    Duration,
    DurationLiteral,
    ExtendPlanRequest,
    Plan,
    PlanStatusFilter,
    PlanStatusFilterLiteral,
    Product,
    ProductLiteral,
    ProxyList,
    UpgradePlanRequest,
)
from .._raw_response import RawView, to_raw
from .._rules import (
    check_create_plan,
    check_extend_plan,
    check_page,
    check_upgrade_plan,
    usage_stats_range,
)
from ._base import AsyncResource, PlanRef, enum_param, operation, plan_id_of
from ._pagination import AsyncPaginator, Page, iterate_pages
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
from ._stock import check_mobile_stock, check_pool_stock

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncPlans", "AsyncPlansWithRawResponse"]


class AsyncPlansWithRawResponse(RawView):
    """``client.plans.with_raw_response``: the methods of :class:`AsyncPlans`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncPlans) -> None:
        super().__init__(resource)
        self.list = to_raw(resource.list)
        self.list_page = to_raw(resource.list_page)
        self.create = to_raw(resource.create)
        self.get = to_raw(resource.get)
        self.proxies = to_raw(resource.proxies)
        self.usage = to_raw(resource.usage)
        self.usage_stats = to_raw(resource.usage_stats)
        self.extend = to_raw(resource.extend)
        self.upgrade = to_raw(resource.upgrade)
        self.create_dedicated_isp = to_raw(resource.create_dedicated_isp)
        self.create_dedicated_mobile = to_raw(resource.create_dedicated_mobile)


class AsyncPlans(AsyncResource):
    """Proxy plans: ``client.plans``."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncPlansWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncPlansWithRawResponse(self)

    def _list_params(
        self,
        status: PlanStatusFilter | PlanStatusFilterLiteral | None,
        product: Product | ProductLiteral | None,
    ) -> dict[str, Any]:
        return {
            "status": None if status is None else enum_param(status, PlanStatusFilter, "status"),
            "product": None if product is None else enum_param(product, Product, "product"),
        }

    @operation("listPlans")
    def list(
        self,
        *,
        status: PlanStatusFilter | PlanStatusFilterLiteral | None = None,
        product: Product | ProductLiteral | None = None,
        page: int = 1,
        per_page: int | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPaginator[Plan]:
        """Every plan, across pages: ``async for plan in client.plans.list()``.

        ``await client.plans.list()`` gives the first :class:`Page` instead, and
        ``iter_pages()`` walks page by page.

        Args:
            status: ``active``, ``expired``, ``cancelled`` or ``all``.
            product: only plans of this product.
            page: the page to start at.
            per_page: page size to ask for; the server's default when None.

        Returns:
            An :class:`AsyncPaginator` of :class:`Plan`, fetching one page at a time.

        Raises:
            RequestValidationError: an unknown status or product, or ``page`` or
                ``per_page`` < 1 (raised here, before iteration starts).
            APIError: the server answered an error while fetching a page.
        """
        check_page(page, per_page)
        params = self._list_params(status, product)

        async def fetch(number: int) -> Any:
            return await self._client._request(
                "GET", "/plans", params={**params, "page": number, "per_page": per_page}, **options
            )

        return iterate_pages(fetch, "plans", Plan, per_page=per_page, start=page)

    @operation("listPlans")
    async def list_page(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        status: PlanStatusFilter | PlanStatusFilterLiteral | None = None,
        product: Product | ProductLiteral | None = None,
        **options: Unpack[CallOptions],
    ) -> Page[Plan]:
        """Fetch one page of plans.

        Returns:
            A :class:`Page` with ``.items`` (plans) and ``.pagination`` (or None);
            ``await page.next_page()`` fetches the next.

        Raises:
            RequestValidationError: an unknown status or product, or page/per_page < 1.
            APIError: the server answered an error.
        """
        return await self.list(
            page=page, per_page=per_page, status=status, product=product, **options
        )

    @overload
    async def create(
        self,
        *,
        product: BandwidthProduct,
        bandwidth_gb: float,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: HybridProduct,
        billing_type: BandwidthBilling,
        bandwidth_gb: float,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: HybridProduct,
        billing_type: TimeBilling,
        duration: Duration | DurationLiteral,
        mbps: int,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: UnlimitedProduct,
        duration: TrialDuration,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: UnlimitedProduct,
        duration: TimedDuration,
        bandwidth_mbps: int,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: DedicatedMobileProduct,
        duration: Duration | DurationLiteral,
        location: DedicatedMobileLocation | DedicatedMobileLocationLiteral,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def create(
        self,
        *,
        product: DedicatedIspProduct,
        quantity: int,
        pool: str,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @operation("createPlan")
    async def create(
        self,
        *,
        product: Product | ProductLiteral,
        bandwidth_gb: float | None = None,
        duration: Duration | DurationLiteral | None = None,
        billing_type: BillingType | BillingTypeLiteral | None = None,
        mbps: int | None = None,
        bandwidth_mbps: int | None = None,
        location: DedicatedMobileLocation | DedicatedMobileLocationLiteral | None = None,
        quantity: int | None = None,
        pool: str | None = None,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan:
        """Buy a plan. Which arguments a product takes is checked locally first.

        Args:
            product: the product to buy.
            bandwidth_gb: GB to buy (bandwidth products, bandwidth-billed hybrids).
            duration: plan duration (time-billed hybrids, unlimited_residential,
                dedicated_mobile); ``trial`` only for unlimited_residential.
            billing_type: ``bandwidth`` or ``time`` (hybrid products).
            mbps: speed of a time-billed hybrid plan.
            bandwidth_mbps: unlimited_residential cap, 200-3000 (200 for ``1_hour``).
            location: ``NL`` or ``UK`` (dedicated_mobile).
            quantity: number of IPs (dedicated_isp).
            pool: pool name from :meth:`AsyncProxies.pools` (dedicated_isp).
            end_user_reference: your reference, stored on the plan; it is carried on
                errors whose outcome is unknown, so you can reconcile.

        Returns:
            The new :class:`Plan`.

        Raises:
            RequestValidationError: a product rule is broken (``rule`` names it).
            InsufficientBalanceError: the balance cannot pay for the plan.
            OutOfStockError: the product is out of stock.
            ProductDisabledError: the product is not enabled for the account.
            BadRequestError: the server refused the purchase otherwise.
            APIError, APIConnectionError: with ``outcome_unknown=True`` when the
                purchase may have gone through; it is never resent.
        """
        request = CreatePlanRequest(
            product=enum_param(product, Product, "product"),
            bandwidth_gb=bandwidth_gb,
            duration=None if duration is None else enum_param(duration, Duration, "duration"),
            billing_type=(
                None
                if billing_type is None
                else enum_param(billing_type, BillingType, "billing_type")
            ),
            mbps=mbps,
            bandwidth_mbps=bandwidth_mbps,
            location=(
                None
                if location is None
                else enum_param(location, DedicatedMobileLocation, "location")
            ),
            quantity=quantity,
            pool=pool,
            end_user_reference=end_user_reference,
        )
        check_create_plan(request)
        result: Plan = await self._client._request(
            "POST",
            "/plans",
            json_body=unstructure(request),
            cast_to=Plan,
            state_changing=True,
            end_user_reference=end_user_reference,
            **options,
        )
        _check_created(result, end_user_reference)
        return result

    @operation("getPlan")
    async def get(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Plan:
        """Fetch one plan.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            NotFoundError: no such plan.
        """
        result: Plan = await self._client._request(
            "GET", f"/plans/{plan_id_of(plan_id)}", cast_to=Plan, **options
        )
        return result

    @operation("getPlanProxies")
    async def proxies(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> ProxyList:
        """The static proxies of a dedicated_isp plan.

        Returns:
            A :class:`ProxyList` (``.proxies``, ``.count``, ``.source``).

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            BadRequestError: the plan is not a dedicated_isp plan.
            NotFoundError: no such plan.
        """
        result: ProxyList = await self._client._request(
            "GET", f"/plans/{plan_id_of(plan_id)}/proxies", cast_to=ProxyList, **options
        )
        return result

    @operation("getPlanUsage")
    async def usage(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """A plan's usage. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request("GET", f"/plans/{plan_id_of(plan_id)}/usage", **options)

    @operation("getPlanUsageStats")
    async def usage_stats(
        self,
        plan_id: PlanRef,
        *,
        start: datetime | int,
        end: datetime | int,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Monitor series of an unlimited_residential plan, sent as ``from``/``to``.

        Schema not published in 2.1.0: returns the decoded ``data``.

        Args:
            start: range start, a timezone-aware datetime or Unix seconds.
            end: range end, after ``start`` and at most 30 days later.

        Raises:
            RequestValidationError: a bad ``plan_id``, a naive datetime, ``start``
                not before ``end``, or a window over 30 days.
            BadRequestError: wrong product or a legacy plan (``NOT_SUPPORTED``).
        """
        first, last = usage_stats_range(start, end)
        return await self._client._request(
            "GET",
            f"/plans/{plan_id_of(plan_id)}/usage-stats",
            params={"from": first, "to": last},
            **options,
        )

    @overload
    async def extend(
        self,
        plan_id: PlanRef,
        *,
        add_bandwidth_gb: float,
        add_days: int | None = None,
        extend_30_days: bool = False,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def extend(
        self,
        plan_id: PlanRef,
        *,
        add_bandwidth_gb: float | None = None,
        add_days: int,
        extend_30_days: bool = False,
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @overload
    async def extend(
        self,
        plan_id: PlanRef,
        *,
        add_bandwidth_gb: float | None = None,
        add_days: int | None = None,
        extend_30_days: Literal[True],
        **options: Unpack[CallOptions],
    ) -> Plan: ...

    @operation("extendPlan")
    async def extend(
        self,
        plan_id: PlanRef,
        *,
        add_bandwidth_gb: float | None = None,
        add_days: int | None = None,
        extend_30_days: bool = False,
        **options: Unpack[CallOptions],
    ) -> Plan:
        """Add bandwidth or time to a plan.

        Given a :class:`Plan`, the product's rules are checked locally
        (unlimited_residential: add_days 1/7/30/60; dedicated_mobile: 7/14/30;
        add_bandwidth_gb only where bandwidth is billed; extend_30_days only for
        dedicated_isp). Given a bare ID, the server decides.

        Returns:
            The extended :class:`Plan`.

        Raises:
            RequestValidationError: a rule is broken (``rule`` names it).
            InsufficientBalanceError, BadRequestError, NotFoundError: refused.
            APIError, APIConnectionError: with ``outcome_unknown=True`` when the
                extension may have gone through.
        """
        path = f"/plans/{plan_id_of(plan_id)}/extend"
        request = ExtendPlanRequest(
            add_bandwidth_gb=add_bandwidth_gb,
            add_days=add_days,
            extend_30_days=True if extend_30_days else None,
        )
        plan = plan_id if isinstance(plan_id, Plan) else None
        check_extend_plan(
            request,
            product=plan.product if plan else None,
            billing_type=plan.billing_type if plan else None,
        )
        result: Plan = await self._client._request(
            "POST",
            path,
            json_body=unstructure(request),
            cast_to=Plan,
            state_changing=True,
            **options,
        )
        return result

    @operation("upgradePlan")
    async def upgrade(
        self, plan_id: PlanRef, *, bandwidth_mbps: int, **options: Unpack[CallOptions]
    ) -> Any:
        """Raise a plan's bandwidth cap. Schema not published in 2.1.0: returns ``data``.

        Raises:
            RequestValidationError: ``bandwidth_mbps`` is not positive, or outside
                200-3000 for an unlimited_residential Plan.
            BadRequestError, InsufficientBalanceError: refused.
        """
        path = f"/plans/{plan_id_of(plan_id)}/upgrade"
        check_upgrade_plan(
            bandwidth_mbps, product=plan_id.product if isinstance(plan_id, Plan) else None
        )
        return await self._client._request(
            "POST",
            path,
            json_body=unstructure(UpgradePlanRequest(bandwidth_mbps=bandwidth_mbps)),
            state_changing=True,
            **options,
        )

    async def create_dedicated_isp(
        self,
        *,
        pool: str,
        quantity: int,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> tuple[Plan, ProxyList]:
        """The documented "Dedicated ISP Purchase Flow": check stock, buy, fetch the proxies.

        Returns:
            The new plan and its static proxy list.

        Raises:
            RequestValidationError: ``quantity`` < 1, a blank pool, or a pool that
                GET /proxies/pools does not list (rule ``create.pool.unknown``).
            PoolOutOfStockError: the pool's stock cannot cover ``quantity``; raised
                before any purchase is sent.
            APIError: as :meth:`create` and :meth:`proxies`. When fetching the
                proxies fails after the purchase went through, the error has
                ``outcome_unknown=True`` and the ``end_user_reference``, and (on
                Python 3.11+) a note naming the plan bought: fetch its proxies with
                :meth:`proxies` rather than running the flow again.
        """
        check_create_plan(
            CreatePlanRequest(product=Product.dedicated_isp, quantity=quantity, pool=pool)
        )
        check_pool_stock(await self._client.proxies.pools(**reads(options)), pool, quantity)
        plan = await self.create(
            product=Product.dedicated_isp,
            quantity=quantity,
            pool=pool,
            end_user_reference=end_user_reference,
            **options,
        )
        try:
            proxies = await self.proxies(plan, **reads(options))
        except FlashProxyError as exc:
            # The IPs are bought: a caller that retried the whole flow would buy twice.
            exc.mark_outcome_unknown(end_user_reference)
            if sys.version_info >= (3, 11):
                exc.add_note(
                    f"dedicated_isp plan {plan.plan_id} was bought; fetch its proxies "
                    "with plans.proxies() instead of buying again"
                )
            raise
        return plan, proxies

    async def create_dedicated_mobile(
        self,
        *,
        duration: Duration | DurationLiteral,
        location: DedicatedMobileLocation | DedicatedMobileLocationLiteral,
        end_user_reference: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan:
        """Buy a dedicated mobile proxy after checking stock at ``location``.

        The stock answer has no published schema; when the location's stock
        cannot be read from it, the purchase goes ahead and the server decides.

        Raises:
            RequestValidationError: a product rule is broken.
            OutOfStockError: the stock answer says ``location`` is empty; raised
                before any purchase is sent.
            APIError: as :meth:`create`.
        """
        where = enum_param(location, DedicatedMobileLocation, "location")
        check_create_plan(
            CreatePlanRequest(
                product=Product.dedicated_mobile,
                duration=enum_param(duration, Duration, "duration"),
                location=where,
            )
        )
        check_mobile_stock(
            await self._client.servers.dedicated_mobile_stock(**reads(options)), where.value
        )
        return await self.create(
            product=Product.dedicated_mobile,
            duration=duration,
            location=where,
            end_user_reference=end_user_reference,
            **options,
        )


_CREATED_PLAN_FIELDS = ("plan_id", "product", "status")


def _check_created(plan: Plan, end_user_reference: str | None) -> None:
    """A 201 is a purchase made: one without the plan's identity is in doubt, not created."""
    missing = [name for name in _CREATED_PLAN_FIELDS if getattr(plan, name) is None]
    if missing:
        error = ResponseValidationError(
            f"the server answered the purchase without the plan's {', '.join(missing)}",
            path=f"data.{missing[0]}",
            body=unstructure(plan),
        )
        error.mark_outcome_unknown(end_user_reference)
        raise error
