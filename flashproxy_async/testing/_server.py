"""FakeFlashProxy: the fake API on a real loopback port."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from types import TracebackType

from aiohttp import web

from ._app import Pipeline, ResponseHook
from ._catalog import DEFAULT_BALANCE_CENTS
from ._faults import API_PREFIX, Faults, compile_path
from ._pricing import Prices
from ._ratelimit import FakeStats, RateLimiter
from ._records import RecordedRequest
from ._state import FakeState


def new_test_key() -> str:
    """A fresh sandbox-style API key (``fp_test_`` and 32 hex digits)."""
    return "fp_test_" + secrets.token_hex(16)


class FakeFlashProxy:
    """A stateful fake of the FlashProxy Reseller API, served over HTTP on loopback.

    Use it as an async context manager, or call :meth:`start` and :meth:`close`::

        async with FakeFlashProxy(time_scale=0.01) as fake:
            async with AsyncFlashProxy(api_key=fake.api_key, base_url=fake.base_url) as client:
                print(await client.balance.get())

    Args:
        host: interface to bind; keep the default in tests.
        port: port to bind; 0 picks a free one.
        api_key: the accepted bearer key; a fresh ``fp_test_`` key by default.
        balance_cents: the starting balance, recorded as a topup transaction.
        prices: the price list purchases are charged from.
        disabled_products: products that answer 403 PRODUCT_DISABLED.
        rate: requests admitted per ``period`` per key (strict sliding window).
        period: the window, in seconds before scaling.
        max_concurrent: requests in flight per key.
        provisioning_delay: seconds until a new unlimited_residential server has an IP.
        rotation_delay: seconds until a rotated IP takes effect.
        restart_delay: seconds a restarting server reports "restarting".
        time_scale: multiplies ``period`` and every delay above, e.g. 0.01 for tests.
            Injected fault delays are not scaled; late commits are.
        clock: monotonic clock for the window and the delays; pass your own to step
            time by hand.
        record_requests: keep every request in :attr:`requests`. Turn it off for long
            load runs: a record per request grows the heap, and the garbage collector's
            pauses then slow the fake down as the run goes on.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        balance_cents: int = DEFAULT_BALANCE_CENTS,
        prices: Prices | None = None,
        disabled_products: Iterable[str] = (),
        rate: int = 100,
        period: float = 60.0,
        max_concurrent: int = 20,
        provisioning_delay: float = 30.0,
        rotation_delay: float = 10.0,
        restart_delay: float = 60.0,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        record_requests: bool = True,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self.api_key = api_key or new_test_key()
        self.time_scale = time_scale
        self.stats = FakeStats()
        """Counters: requests, rate_limited, peak_concurrency, dropped_connections, ..."""
        self.faults = Faults()
        """Fault injection; see :class:`Faults`."""
        self.state = FakeState(
            balance_cents=balance_cents,
            prices=prices,
            disabled_products=frozenset(disabled_products),
            clock=clock,
            provisioning_delay=provisioning_delay * time_scale,
            rotation_delay=rotation_delay * time_scale,
            restart_delay=restart_delay * time_scale,
        )
        """The account: balance, plans, stock, transactions and sub-users."""
        self.limiter = RateLimiter(
            rate=rate,
            period=period * time_scale,
            max_concurrent=max_concurrent,
            clock=clock,
            stats=self.stats,
        )
        self._pipeline = Pipeline(
            state=self.state,
            faults=self.faults,
            limiter=self.limiter,
            stats=self.stats,
            api_keys={self.api_key},
            # Whole seconds, as the real API sends, unless the window is shorter than that.
            integer_retry_after=lambda: self.limiter.period >= 1.0,
            time_scale=time_scale,
            record_requests=record_requests,
        )
        self.app = self._pipeline.build_app()
        """The aiohttp application, for use with aiohttp's own test utilities."""
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not started"
        return f"<FakeFlashProxy {where}>"

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("FakeFlashProxy is not started")
        return self._port

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:PORT/api/v1``."""
        return self.url + API_PREFIX

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (none with ``record_requests=False``)."""
        return self._pipeline.requests

    def requests_for(
        self, method: str | None = None, path: str | re.Pattern[str] | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests filtered by method and path pattern (as in :class:`Faults`)."""
        pattern = compile_path(path)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.fullmatch(r.path))
        ]

    def add_api_key(self, key: str | None = None) -> str:
        """Accept another key (same account, its own rate-limit budget); return it."""
        key = key or new_test_key()
        self._pipeline.api_keys.add(key)
        return key

    def add_response_hook(self, hook: ResponseHook) -> None:
        """Call ``hook(record)`` after every answer; ``record.response`` holds the answer."""
        self._pipeline.response_hooks.append(hook)

    def reset_rate_limit(self) -> None:
        """Forget past admissions, as if the window had passed."""
        self.limiter.reset()

    async def start(self) -> None:
        """Bind the port and start serving."""
        if self._runner is not None:
            raise RuntimeError("FakeFlashProxy is already started")
        self._pipeline.closing.clear()
        runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or ()
        self._port = sockets[0].getsockname()[1] if sockets else self._requested_port

    async def close(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        runner, self._runner = self._runner, None
        self._pipeline.closing.set()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeFlashProxy:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
