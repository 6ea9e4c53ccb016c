"""The blocking client, for scripts, cron jobs and notebooks::

    from flashproxy_async.sync import FlashProxy

    with FlashProxy() as client:
        print(client.balance.get().balance_formatted)
        for plan in client.plans.list(status="active"):
            print(plan.plan_id)

It is not a second implementation. ``FlashProxy`` owns an event loop on a background
thread (an anyio blocking portal, started on the first call) and runs the
``AsyncFlashProxy`` code there: the same resources, methods, retries, limiter and
exception classes. Paginated methods return plain iterators (:class:`SyncIterator`).

Where it works:

* a plain script, and many threads sharing one client (one loop thread, one session,
  one limiter for all of them);
* inside a running event loop, such as a Jupyter cell or a coroutine: the call runs
  on the client's thread, so nothing deadlocks, but the caller's loop stalls until it
  returns, and :class:`BlockingCallInEventLoopWarning` says so;
* Ctrl-C interrupts a waiting call at once and cancels the request beneath it;
* after ``os.fork()`` the child starts its own loop thread and session on its first
  call (each process then has its own limiter; share a limit between processes with
  ``flashproxy_async.limiters.RedisRateLimiter``).

Only a call made from the client's own loop thread (from async code the client runs,
such as a custom limiter) is refused, with a ``RuntimeError``: it would wait for itself.

Types: ``client.plans`` is a ``SyncResource[AsyncPlans]``. Its methods are found at
run time, so a type checker sees their results as ``Any``; annotate where it matters
(``plan: Plan = client.plans.get(plan_id)``). ``help()``, ``inspect.signature`` and
notebook completion show each method's real parameters and documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

import aiohttp

from .._client import NOT_GIVEN, AsyncFlashProxy, _NotGiven
from .._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Timeout,
    resolve_api_key,
    resolve_base_url,
)
from .._exceptions import ClientClosedError
from ..limiters import Limiter
from ..resources import (
    AsyncBalance,
    AsyncGeo,
    AsyncPlans,
    AsyncProxies,
    AsyncServers,
    AsyncSubUsers,
    AsyncUsage,
    resources_of,
)
from ._pages import SyncPage, SyncPaginator
from ._portal import BlockingCallInEventLoopWarning, PortalRunner
from ._resource import SyncIterator, SyncRawView, SyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = [
    "BlockingCallInEventLoopWarning",
    "FlashProxy",
    "SyncIterator",
    "SyncPage",
    "SyncPaginator",
    "SyncRawView",
    "SyncResource",
]

T = TypeVar("T")


async def _call_client(
    view: _View, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Any:
    return await getattr(view.client(), name)(*args, **kwargs)


class _View:
    """Which async client a blocking client's calls reach: the runner's, or a
    ``with_options`` copy of it (made again for a forked child's new client)."""

    def __init__(
        self,
        runner: PortalRunner[AsyncFlashProxy],
        overrides: dict[str, Any],
        derived: AsyncFlashProxy | None = None,
    ) -> None:
        self.runner = runner
        self.overrides = overrides
        self._cache = None if derived is None else (runner.client, derived)

    def client(self) -> AsyncFlashProxy:
        base = self.runner.client
        if not self.overrides:
            return base
        cache = self._cache
        if cache is not None and cache[0] is base:
            return cache[1]
        derived = base.with_options(**self.overrides)
        self._cache = (base, derived)
        return derived


def _resource_locator(view: _View, name: str) -> Callable[[], Any]:
    return lambda: getattr(view.client(), name)


class FlashProxy:
    """Blocking client for the FlashProxy Reseller API.

    Takes the same arguments as :class:`~flashproxy_async.AsyncFlashProxy` and has the
    same resources and methods, blocking. Use it as a context manager, or call
    :meth:`close`::

        with FlashProxy() as client:
            plan = client.plans.get(plan_id)

    One client is safe to share between threads. Its loop thread starts on the first
    call and ends on :meth:`close`; a client collected unclosed gives a
    ``ResourceWarning`` and is closed then.

    A call raises what the async call raises, the same classes. Besides:
    ``ClientClosedError`` once the client is closed (also for a call still waiting when
    another thread closes it); ``RuntimeError`` for a call from the client's own loop
    thread; and a call from a thread running an event loop warns with
    :class:`BlockingCallInEventLoopWarning`, then runs.

    Args:
        api_key: As for ``AsyncFlashProxy``; defaults to ``FLASHPROXY_API_KEY``.
        base_url: As for ``AsyncFlashProxy``; defaults to ``FLASHPROXY_BASE_URL``, then
            production or the sandbox by the key.
        timeout: Seconds per attempt, a :class:`~flashproxy_async.Timeout`, or None.
        max_retries: Retries after the first attempt. Defaults to 2.
        deadline: Seconds a whole call may take, retries and limiter waits included.
        limiter: The rate and concurrency limit, used on the client's loop thread;
            defaults to a new ``TokenBucketLimiter``. Do not share one with other
            clients (it belongs to one event loop): share the ``FlashProxy`` instead.
            A forked child's client reuses the object given here as it is.
        session: Must be None. An aiohttp session belongs to the event loop it was
            made in, and this client's loop is its own: pass ``session_factory``.
        event_hooks: As for ``AsyncFlashProxy``; the hooks run on the client's loop
            thread.
        session_factory: A callable returning an ``aiohttp.ClientSession``, called
            on the client's loop thread on first use (again in a forked child), so
            the session belongs to the loop that uses it: for a proxy, custom TLS or
            tracing. The client closes it.
        trust_env: As for ``AsyncFlashProxy``: ``HTTP(S)_PROXY``/``NO_PROXY`` are
            honoured by default.
        proxy: As for ``AsyncFlashProxy``: a proxy URL for the SDK's own traffic.

    Raises:
        RequestValidationError: no API key, a key that is not a FlashProxy key, or a
            live key with a plain-http base URL whose host is not loopback.
        TypeError: ``timeout``, ``deadline`` or ``max_retries`` of the wrong type.
        ValueError: one of them out of range, or a ``session`` given.
    """

    # For type checkers only: _attach_resources sets one view per resource of
    # ``resources_of(AsyncFlashProxy)``, and the parity test holds this list to it.
    plans: SyncResource[AsyncPlans]
    usage: SyncResource[AsyncUsage]
    servers: SyncResource[AsyncServers]
    proxies: SyncResource[AsyncProxies]
    balance: SyncResource[AsyncBalance]
    geo: SyncResource[AsyncGeo]
    sub_users: SyncResource[AsyncSubUsers]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        limiter: Limiter | None = None,
        session: None = None,
        event_hooks: Mapping[str, Iterable[Callable[..., object]]] | None = None,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
        trust_env: bool = True,
        proxy: str | None = None,
    ) -> None:
        if session is not None:
            raise ValueError(
                "FlashProxy cannot use an aiohttp session: a session belongs to the event "
                "loop it was made in, and FlashProxy runs its own loop on its own thread. "
                "Pass session_factory instead: it is called on the client's own loop."
            )
        # Resolved once, so that a forked child's new async client is the same client.
        key = resolve_api_key(api_key)
        url = resolve_base_url(base_url, key)

        def make_client() -> AsyncFlashProxy:
            return AsyncFlashProxy(
                key,
                base_url=url,
                timeout=timeout,
                max_retries=max_retries,
                deadline=deadline,
                limiter=limiter,
                event_hooks=event_hooks,
                session_factory=session_factory,
                trust_env=trust_env,
                proxy=proxy,
            )

        self._view = _View(PortalRunner(make_client), {})
        self._attach_resources()

    def _attach_resources(self) -> None:
        for name in resources_of(AsyncFlashProxy):
            locate = _resource_locator(self._view, name)
            setattr(self, name, SyncResource(self._view.runner, locate, path=name))

    @property
    def base_url(self) -> str:
        """The API root every path is joined to."""
        return self._view.client().base_url

    @property
    def timeout(self) -> Timeout:
        """The per-attempt time limits."""
        return self._view.client().timeout

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self._view.client().max_retries

    @property
    def deadline(self) -> float | None:
        """Seconds a whole call may take, retries included, or None."""
        return self._view.client().deadline

    @property
    def limiter(self) -> Limiter:
        """The rate and concurrency limit every call goes through."""
        return self._view.client().limiter

    @property
    def event_hooks(self) -> dict[str, list[Callable[..., object]]]:
        """The hooks, as a fresh mapping to extend and pass to :meth:`with_options`."""
        return self._view.client().event_hooks

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` has run on this client or a copy sharing its thread."""
        return self._view.runner.closed

    def with_options(
        self,
        *,
        timeout: float | Timeout | _NotGiven | None = NOT_GIVEN,
        max_retries: int | _NotGiven = NOT_GIVEN,
        deadline: float | _NotGiven | None = NOT_GIVEN,
        event_hooks: Mapping[str, Iterable[Callable[..., object]]] | _NotGiven | None = NOT_GIVEN,
    ) -> FlashProxy:
        """A copy with other per-call settings, sharing this client's thread, session
        and limiter.

        ``client.with_options(deadline=5).plans.get(plan_id)`` applies to that call
        only. Closing either client closes both.

        Args:
            timeout: As for the constructor; omitted keeps the current value.
            max_retries: As for the constructor; omitted keeps the current value.
            deadline: As for the constructor (None removes it); omitted keeps it.
            event_hooks: As for the constructor, replacing the current hooks (None
                removes them); omitted keeps them.

        Returns:
            The new client.

        Raises:
            TypeError: an option of the wrong type.
            ValueError: an option out of range.
        """
        given = {
            "timeout": timeout,
            "max_retries": max_retries,
            "deadline": deadline,
            "event_hooks": event_hooks,
        }
        overrides = {
            **self._view.overrides,
            **{name: value for name, value in given.items() if value is not NOT_GIVEN},
        }
        runner = self._view.runner
        # Made here so that bad options raise here; calls make it again after a fork.
        derived = runner.client.with_options(**overrides)
        clone = object.__new__(FlashProxy)
        clone._view = _View(runner, overrides, derived)
        clone._attach_resources()
        return clone

    @overload
    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        cast_to: type[T],
        **options: Unpack[CallOptions],
    ) -> T: ...

    @overload
    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        cast_to: None = ...,
        **options: Unpack[CallOptions],
    ) -> Any: ...

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """GET any endpoint, blocking: as :meth:`AsyncFlashProxy.get`."""
        kwargs = {"params": params, "cast_to": cast_to, **options}
        return self._view.runner.run(_call_client, self._view, "get", (path,), kwargs, stacklevel=2)

    @overload
    def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = ...,
        cast_to: type[T],
        state_changing: bool = ...,
        **options: Unpack[CallOptions],
    ) -> T: ...

    @overload
    def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = ...,
        cast_to: None = ...,
        state_changing: bool = ...,
        **options: Unpack[CallOptions],
    ) -> Any: ...

    def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        state_changing: bool = True,
        **options: Unpack[CallOptions],
    ) -> Any:
        """POST to any endpoint, blocking: as :meth:`AsyncFlashProxy.post`."""
        kwargs = {"body": body, "cast_to": cast_to, "state_changing": state_changing, **options}
        return self._view.runner.run(
            _call_client, self._view, "post", (path,), kwargs, stacklevel=2
        )

    def close(self) -> None:
        """Cancel calls still running, close the session, and end the loop thread.

        Safe to call more than once. A call still waiting in another thread raises
        ``ClientClosedError``, and so does any call made afterwards.

        Raises:
            RuntimeError: called from the client's own loop thread.
        """
        self._view.runner.close()

    def __enter__(self) -> FlashProxy:
        if self._view.runner.closed:
            raise ClientClosedError("the client is closed; create a new FlashProxy")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never the key: only which kind of key it is.
        client = self._view.client()
        return (
            f"FlashProxy(base_url={client.base_url!r}, key={client._mode}, "
            f"max_retries={client.max_retries}, closed={self.is_closed})"
        )


for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
