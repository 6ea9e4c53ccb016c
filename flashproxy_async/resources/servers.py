"""/servers/...: dedicated servers (unlimited_residential, dedicated_mobile) and their stock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._exceptions import APITimeoutError, NotFoundError
from ._base import AsyncResource, PlanRef, operation, plan_id_of

__all__ = ["AsyncServers"]

Sleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]

#: Seed, GET /servers/{planId}/ip: "Wait 30-60 seconds after purchase."
DEFAULT_IP_TIMEOUT = 120.0
#: Seed, POST /servers/{planId}/rotate-ip: "New IP in 10-30 seconds."
DEFAULT_ROTATION_TIMEOUT = 60.0


def _ip_of(answer: Any) -> Any:
    """The IP in a GET /servers/{planId}/ip answer, which has no published schema."""
    if isinstance(answer, Mapping):
        for key in ("ip", "ip_address", "address"):
            if key in answer:
                return answer[key]
    return answer


class AsyncServers(AsyncResource):
    """Dedicated servers: ``client.servers``."""

    @operation("getServerMonitoring")
    async def monitoring(self, plan_id: PlanRef) -> Any:
        """Monitoring info. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request("GET", f"/servers/{plan_id_of(plan_id)}/monitoring")

    @operation("getServerStats")
    async def stats(self, plan_id: PlanRef) -> Any:
        """Server stats. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request("GET", f"/servers/{plan_id_of(plan_id)}/stats")

    @operation("getServerIp")
    async def ip(self, plan_id: PlanRef) -> Any:
        """The server's current IP. Schema not published in 2.1.0: returns ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            NotFoundError: the server is still provisioning (see :meth:`wait_for_ip`).
        """
        return await self._client._request("GET", f"/servers/{plan_id_of(plan_id)}/ip")

    @operation("rotateServerIp")
    async def rotate_ip(self, plan_id: PlanRef) -> Any:
        """Ask a dedicated mobile server for a new IP (ready in 10-30 s).

        Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
            BadRequestError: invalid operation, or rotated too often.
        """
        return await self._client._request(
            "POST", f"/servers/{plan_id_of(plan_id)}/rotate-ip", state_changing=True
        )

    @operation("restartServer")
    async def restart(self, plan_id: PlanRef) -> Any:
        """Restart an unlimited_residential or dedicated_mobile server (1-3 min down).

        Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: ``plan_id`` is not a UUID.
        """
        return await self._client._request(
            "POST", f"/servers/{plan_id_of(plan_id)}/restart", state_changing=True
        )

    @operation("getDedicatedMobileStock")
    async def dedicated_mobile_stock(self) -> Any:
        """Dedicated mobile availability. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request("GET", "/servers/stock/dedicated-mobile")

    @operation("getUnlimitedResidentialTrialStock")
    async def unlimited_residential_trial_stock(self) -> Any:
        """Trial server availability. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request("GET", "/servers/stock/unlimited-residential-trial")

    async def wait_for_ip(
        self,
        plan_id: PlanRef,
        *,
        timeout: float = DEFAULT_IP_TIMEOUT,
        initial_delay: float = 2.0,
        max_delay: float = 15.0,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> Any:
        """Poll GET /servers/{planId}/ip until the server has one.

        The server answers 404 while it is provisioning (30-60 s after purchase).
        Polls at once, then after ``initial_delay`` seconds, doubling up to
        ``max_delay``, never past ``timeout``.

        Args:
            sleep: awaitable sleep, ``asyncio.sleep`` by default (inject for tests).
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
        timeout: float = DEFAULT_ROTATION_TIMEOUT,
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
        timeout: float,
        initial_delay: float,
        max_delay: float,
        sleep: Sleep | None,
        clock: Clock | None,
    ) -> Any:
        sleep_for: Sleep = sleep or asyncio.sleep
        now: Clock = clock or time.monotonic
        deadline = now() + timeout
        delay = initial_delay
        last = "the server was still provisioning"
        while True:
            try:
                answer = await self.ip(plan)
            except NotFoundError:
                last = "the server was still provisioning"
            else:
                if done(answer):
                    return answer
                last = "the IP had not changed"
            remaining = deadline - now()
            if remaining <= 0:
                raise APITimeoutError(f"gave up after {timeout:g} s: {last} (plan {plan})")
            await sleep_for(min(delay, remaining))
            delay = min(delay * 2, max_delay)
