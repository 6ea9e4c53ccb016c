"""/servers/...: dedicated servers (unlimited_residential, dedicated_mobile) and their stock."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio

from .._exceptions import APITimeoutError, NotFoundError
from .._raw_response import RawView, to_raw
from ._base import AsyncResource, PlanRef, operation, plan_id_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncServers", "AsyncServersWithRawResponse"]

Sleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]

#: The API documentation, GET /servers/{planId}/ip: "Wait 30-60 seconds after purchase."
DEFAULT_IP_TIMEOUT = 120.0
#: The API documentation, POST /servers/{planId}/rotate-ip: "New IP in 10-30 seconds."
DEFAULT_ROTATION_TIMEOUT = 60.0
#: A poll made as the timeout runs out still gets this long: one last look.
LAST_LOOK = 1.0


def _ip_of(answer: Any) -> Any:
    """The IP in a GET /servers/{planId}/ip answer, which has no published schema."""
    if isinstance(answer, Mapping):
        for key in ("ip", "ip_address", "address"):
            if key in answer:
                return answer[key]
    return answer


class AsyncServersWithRawResponse(RawView):
    """``client.servers.with_raw_response``: the methods of :class:`AsyncServers`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncServers) -> None:
        super().__init__(resource)
        self.monitoring = to_raw(resource.monitoring)
        self.stats = to_raw(resource.stats)
        self.ip = to_raw(resource.ip)
        self.rotate_ip = to_raw(resource.rotate_ip)
        self.restart = to_raw(resource.restart)
        self.dedicated_mobile_stock = to_raw(resource.dedicated_mobile_stock)
        self.unlimited_residential_trial_stock = to_raw(resource.unlimited_residential_trial_stock)
        self.wait_for_ip = to_raw(resource.wait_for_ip)
        self.rotate_ip_and_wait = to_raw(resource.rotate_ip_and_wait)


class AsyncServers(AsyncResource):
    """Dedicated servers: ``client.servers``."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncServersWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncServersWithRawResponse(self)

    @operation("getServerMonitoring")
    async def monitoring(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """Monitoring info. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request(
            "GET", f"/servers/{plan_id_of(plan_id)}/monitoring", **options
        )

    @operation("getServerStats")
    async def stats(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """Server stats. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request(
            "GET", f"/servers/{plan_id_of(plan_id)}/stats", **options
        )

    @operation("getServerIp")
    async def ip(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """The server's current IP. Schema not published in 2.1.0: returns ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            NotFoundError: the server is still provisioning (see :meth:`wait_for_ip`).
        """
        return await self._client._request("GET", f"/servers/{plan_id_of(plan_id)}/ip", **options)

    @operation("rotateServerIp")
    async def rotate_ip(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """Ask a dedicated mobile server for a new IP (ready in 10-30 s).

        Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            BadRequestError: invalid operation, or rotated too often.
        """
        return await self._client._request(
            "POST", f"/servers/{plan_id_of(plan_id)}/rotate-ip", state_changing=True, **options
        )

    @operation("restartServer")
    async def restart(self, plan_id: PlanRef, **options: Unpack[CallOptions]) -> Any:
        """Restart an unlimited_residential or dedicated_mobile server (1-3 min down).

        Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request(
            "POST", f"/servers/{plan_id_of(plan_id)}/restart", state_changing=True, **options
        )

    @operation("getDedicatedMobileStock")
    async def dedicated_mobile_stock(self, **options: Unpack[CallOptions]) -> Any:
        """Dedicated mobile availability. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request("GET", "/servers/stock/dedicated-mobile", **options)

    @operation("getUnlimitedResidentialTrialStock")
    async def unlimited_residential_trial_stock(self, **options: Unpack[CallOptions]) -> Any:
        """Trial server availability. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request(
            "GET", "/servers/stock/unlimited-residential-trial", **options
        )

    async def wait_for_ip(
        self,
        plan_id: PlanRef,
        *,
        timeout: float = DEFAULT_IP_TIMEOUT,  # noqa: ASYNC109 - a budget across many polls
        initial_delay: float = 2.0,
        max_delay: float = 15.0,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> Any:
        """Poll GET /servers/{planId}/ip until the server has one.

        The server answers 404 while it is provisioning (30-60 s after purchase).
        Polls at once, then after ``initial_delay`` seconds, doubling up to
        ``max_delay``, never past ``timeout``. Each poll is bounded by what is left of
        ``timeout`` (a poll made as it runs out gets :data:`LAST_LOOK` seconds), so a
        hung request cannot hold the wait past it.

        Args:
            sleep: awaitable sleep, ``anyio.sleep`` by default (inject for tests).
            clock: monotonic clock in seconds, ``time.monotonic`` by default.

        Returns:
            The decoded ``data`` of the first successful answer.

        Raises:
            APITimeoutError: still provisioning when ``timeout`` ran out.
            RequestValidationError: ``plan_id`` is not a UUID.
            APIError: any error other than the provisioning 404.
        """
        plan = plan_id_of(plan_id)
        result = await self._poll_ip(
            plan, lambda _: True, timeout, initial_delay, max_delay, sleep, clock
        )
        return result

    async def rotate_ip_and_wait(
        self,
        plan_id: PlanRef,
        *,
        timeout: float = DEFAULT_ROTATION_TIMEOUT,  # noqa: ASYNC109 - as wait_for_ip's
        initial_delay: float = 2.0,
        max_delay: float = 10.0,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> Any:
        """Rotate the IP, then poll GET /servers/{planId}/ip until it differs.

        Reads the current IP first, rotates, then polls with the backoff of
        :meth:`wait_for_ip`; a 404 while the server switches is waited out.

        Returns:
            The decoded ``data`` of the first answer with a different IP.

        Raises:
            APITimeoutError: the IP had not changed when ``timeout`` ran out.
            BadRequestError: the rotation was refused (rotated too often).
            APIError: as :meth:`ip` and :meth:`rotate_ip`.
        """
        plan = plan_id_of(plan_id)
        before = _ip_of(await self.ip(plan))
        await self.rotate_ip(plan)
        return await self._poll_ip(
            plan,
            lambda answer: _ip_of(answer) != before,
            timeout,
            initial_delay,
            max_delay,
            sleep,
            clock,
        )

    async def _poll_ip(
        self,
        plan: str,
        done: Callable[[Any], bool],
        give_up_after: float,
        initial_delay: float,
        max_delay: float,
        sleep: Sleep | None,
        clock: Clock | None,
    ) -> Any:
        sleep_for: Sleep = sleep or anyio.sleep
        now: Clock = clock or time.monotonic
        deadline = now() + give_up_after
        delay = initial_delay
        last = "the server was still provisioning"
        while True:
            try:
                answer = await self._ip_within(plan, max(deadline - now(), LAST_LOOK))
            except NotFoundError:
                last = "the server was still provisioning"
            except APITimeoutError as exc:
                if now() < deadline:
                    raise
                raise APITimeoutError(
                    f"gave up after {give_up_after:g} s: "
                    f"the last look at the IP timed out (plan {plan})"
                ) from exc
            else:
                if done(answer):
                    return answer
                last = "the IP had not changed"
            remaining = deadline - now()
            if remaining <= 0:
                raise APITimeoutError(f"gave up after {give_up_after:g} s: {last} (plan {plan})")
            await sleep_for(min(delay, remaining))
            delay = min(delay * 2, max_delay)

    async def _ip_within(self, plan: str, seconds: float) -> Any:
        """GET the IP, giving up after ``seconds`` (or the client's own deadline, if sooner),
        so that a hung poll cannot outlast the wait's timeout."""
        own = self._client._options.deadline
        bounded = self._client.with_options(deadline=seconds if own is None else min(own, seconds))
        return await bounded.servers.ip(plan)
