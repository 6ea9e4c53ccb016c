"""``AsyncFlashProxy``: wires configuration, the transport, the limiter and the resources."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import aiohttp

from ._call_options import CallOptions, apply_call_options
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Timeout,
    check_deadline,
    check_max_retries,
    key_mode,
    resolve_api_key,
    resolve_base_url,
)
from ._exceptions import ClientClosedError
from ._hooks import EventHooks
from ._logging import configure_from_env
from ._transport import RequestOptions, Transport
from .limiters import Limiter, TokenBucketLimiter
from .resources import (
    AsyncBalance,
    AsyncGeo,
    AsyncPlans,
    AsyncProxies,
    AsyncServers,
    AsyncSubUsers,
    AsyncUsage,
    ResourceSlot,
    resources_of,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AsyncFlashProxy"]

configure_from_env()

T = TypeVar("T")


class _NotGiven(enum.Enum):
    NOT_GIVEN = enum.auto()


NOT_GIVEN = _NotGiven.NOT_GIVEN


class AsyncFlashProxy:
    """Async client for the FlashProxy Reseller API.

    Use it as an async context manager, or call :meth:`close` when done::

        async with AsyncFlashProxy() as client:
            balance = await client.balance.get()
            async for plan in client.plans.list(status="active"):
                print(plan.plan_id, plan.product)

    Every call goes through :attr:`limiter` (100 requests a minute and 20 in flight by
    default), is retried per the money-safe rules (calls that change nothing on
    connection errors, timeouts, 408, 429 and 5xx; purchases and other state changes
    only when the server provably did not act), and raises a
    :class:`~flashproxy_async.FlashProxyError` subclass on failure.

    Args:
        api_key: The API key (``fp_live_...`` or ``fp_test_...``). Defaults to the
            ``FLASHPROXY_API_KEY`` environment variable.
        base_url: The API root, ending in ``/api/v1``. Defaults to
            ``FLASHPROXY_BASE_URL``, then to production for a live key and the sandbox
            for a test key.
        timeout: Seconds per attempt, a :class:`Timeout` with separate connect and
            attempt limits, or None for no limit. Defaults to ``Timeout()``.
        max_retries: Retries after the first attempt. Defaults to 2.
        deadline: Seconds a whole call may take, every retry and limiter wait
            included; None (the default) for no deadline.
        limiter: The rate and concurrency limit to share; defaults to a new
            :class:`~flashproxy_async.TokenBucketLimiter`. Clients using the same key
            in one event loop should share one.
        session: An aiohttp session to send with. It is used as is (its connection
            limit is yours to set) and is never closed by the client. By default the
            client creates its own on first use, with a connection limit equal to
            the limiter's ``max_concurrent``.
        session_factory: A callable returning the ``aiohttp.ClientSession`` to send
            with, called once, on first use, inside the event loop that will use
            it. The client closes that session. Exclusive with ``session``.
        trust_env: Let the client's own session read ``HTTP_PROXY``,
            ``HTTPS_PROXY``, ``NO_PROXY`` and ``~/.netrc`` (as requests and httpx
            do). Defaults to True; not applied to a session you pass in.
        proxy: A proxy URL for the SDK's own traffic, taking precedence over the
            environment.
        event_hooks: ``{"request": [...], "response": [...]}``: functions or
            coroutine functions called per attempt with a
            :class:`~flashproxy_async.RequestEvent` (once the attempt holds its
            limiter slot, right before it is sent) or a
            :class:`~flashproxy_async.ResponseEvent` (once the answer is read).
            An exception a hook raises propagates; a request hook's stops that
            attempt from being sent. Events carry headers with secrets masked.
        max_response_bytes: The largest response body read, counted after
            decompression, 16 MiB by default. A larger one ends its attempt with
            :class:`~flashproxy_async.ResponseTooLargeError` (outcome unknown on a
            purchase), within the attempt's timeout and without holding it in memory.

    Raises:
        RequestValidationError: no API key, a key that is not a FlashProxy key, or a
            live key with a plain-http base URL whose host is not loopback.
        TypeError: ``timeout``, ``deadline`` or ``max_retries`` of the wrong type, or a
            hook that is not callable.
        ValueError: ``timeout``, ``deadline``, ``max_retries`` or ``max_response_bytes``
            out of range, an ``event_hooks`` key other than ``request`` and
            ``response``, or both ``session`` and ``session_factory``.
    """

    limiter: Limiter

    # The client's resources: the one list of them (see ``resources_of``).
    plans = ResourceSlot(AsyncPlans)
    usage = ResourceSlot(AsyncUsage)
    servers = ResourceSlot(AsyncServers)
    proxies = ResourceSlot(AsyncProxies)
    balance = ResourceSlot(AsyncBalance)
    geo = ResourceSlot(AsyncGeo)
    sub_users = ResourceSlot(AsyncSubUsers)

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        limiter: Limiter | None = None,
        session: aiohttp.ClientSession | None = None,
        event_hooks: Mapping[str, Iterable[Callable[..., object]]] | None = None,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
        trust_env: bool = True,
        proxy: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if session is not None and session_factory is not None:
            raise ValueError("pass session or session_factory, not both")
        if session_factory is not None and not callable(session_factory):
            raise TypeError("session_factory must be a callable returning a ClientSession")
        key = resolve_api_key(api_key)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ValueError(
                f"max_response_bytes must be a positive int, got {max_response_bytes!r}"
            )
        self._options = RequestOptions(
            timeout=Timeout.coerce(timeout),
            max_retries=check_max_retries(max_retries),
            deadline=check_deadline(deadline),
            event_hooks=EventHooks.coerce(event_hooks),
        )
        self._mode = key_mode(key)
        self._owns_limiter = limiter is None
        self.limiter = TokenBucketLimiter() if limiter is None else limiter
        self._transport = Transport(
            api_key=key,
            base_url=resolve_base_url(base_url, key),
            limiter=self.limiter,
            session=session,
            session_factory=session_factory,
            trust_env=trust_env,
            proxy=proxy,
            max_response_bytes=max_response_bytes,
        )
        self._attach_resources()

    def _attach_resources(self) -> None:
        # Built now, not on first access: each resource must belong to this client,
        # never to the one a ``with_options`` copy was made from.
        for name in resources_of(type(self)):
            self.__dict__.pop(name, None)
            getattr(self, name)

    @property
    def base_url(self) -> str:
        """The API root every path is joined to."""
        return self._transport.base_url

    @property
    def key_fingerprint(self) -> str:
        """A short one-way digest of the API key: names the account, never reveals the key."""
        return hashlib.sha256(self._transport.secrets[0].encode()).hexdigest()[:16]

    @property
    def timeout(self) -> Timeout:
        """The per-attempt time limits."""
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self._options.max_retries

    @property
    def deadline(self) -> float | None:
        """Seconds a whole call may take, retries included, or None."""
        return self._options.deadline

    @property
    def event_hooks(self) -> dict[str, list[Callable[..., object]]]:
        """The hooks, as a fresh mapping to extend and pass to :meth:`with_options`."""
        return self._options.event_hooks.as_dict()

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` has run on this client or a copy sharing its session."""
        return self._transport.closed

    def with_options(
        self,
        *,
        timeout: float | Timeout | _NotGiven | None = NOT_GIVEN,
        max_retries: int | _NotGiven = NOT_GIVEN,
        deadline: float | _NotGiven | None = NOT_GIVEN,
        event_hooks: Mapping[str, Iterable[Callable[..., object]]] | _NotGiven | None = NOT_GIVEN,
    ) -> AsyncFlashProxy:
        """A copy with other per-call settings, sharing this client's session and limiter.

        ``client.with_options(deadline=5).plans.get(plan_id)`` applies to that call
        only. Closing either client closes the shared session.

        Args:
            timeout: As for the constructor; omitted keeps the current value.
            max_retries: As for the constructor; omitted keeps the current value.
            deadline: As for the constructor (None removes it); omitted keeps it.
            event_hooks: As for the constructor, replacing the current hooks (None
                removes them); omitted keeps them. Extend :attr:`event_hooks` to add.

        Returns:
            The new client.

        Raises:
            TypeError: an option of the wrong type.
            ValueError: an option out of range.
        """
        options = RequestOptions(
            timeout=self._options.timeout
            if isinstance(timeout, _NotGiven)
            else Timeout.coerce(timeout),
            max_retries=self._options.max_retries
            if isinstance(max_retries, _NotGiven)
            else check_max_retries(max_retries),
            deadline=self._options.deadline
            if isinstance(deadline, _NotGiven)
            else check_deadline(deadline),
            event_hooks=self._options.event_hooks
            if isinstance(event_hooks, _NotGiven)
            else EventHooks.coerce(event_hooks),
        )
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._options = options
        clone._owns_limiter = False
        clone._attach_resources()
        return clone

    async def close(self) -> None:
        """Close the session the client created, if any. Safe to call more than once.

        A session passed in by the caller is left open. After closing, any call
        raises :class:`~flashproxy_async.ClientClosedError`.
        """
        if self._transport.closed:
            return
        await self._transport.aclose()
        if self._owns_limiter:
            await self.limiter.aclose()

    async def __aenter__(self) -> AsyncFlashProxy:
        if self._transport.closed:
            raise ClientClosedError("the client is closed; create a new AsyncFlashProxy")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        # Never the key: only which kind of key it is.
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, key={self._mode}, "
            f"max_retries={self.max_retries}, closed={self.is_closed})"
        )

    @overload
    def _request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        json_body: Mapping[str, Any] | None = ...,
        cast_to: type[T],
        state_changing: bool = ...,
        end_user_reference: str | None = ...,
        text_ok: bool = ...,
        **options: Unpack[CallOptions],
    ) -> Coroutine[Any, Any, T]: ...

    @overload
    def _request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        json_body: Mapping[str, Any] | None = ...,
        cast_to: None = ...,
        state_changing: bool = ...,
        end_user_reference: str | None = ...,
        text_ok: bool = ...,
        **options: Unpack[CallOptions],
    ) -> Coroutine[Any, Any, Any]: ...

    def _request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        state_changing: bool = False,
        end_user_reference: str | None = None,
        text_ok: bool = False,
        **options: Unpack[CallOptions],
    ) -> Coroutine[Any, Any, Any]:
        """Send one call through the transport; the single door every resource uses.

        A plain function returning the transport's coroutine, not a coroutine of its
        own: one frame fewer for every resume of every call. The options are checked
        here, at the call, before anything is awaited.

        Args:
            method: ``GET`` or ``POST``.
            path: Relative to :attr:`base_url`, starting with ``/``.
            params: Query parameters; None values are dropped, enums send their
                value, UUIDs their string, booleans ``true``/``false``.
            json_body: A JSON-ready body with wire names.
            cast_to: Structure the unwrapped ``data`` into this class; None returns
                the decoded ``data`` as is.
            state_changing: The call buys or changes something: retried only when the
                server provably did not act.
            end_user_reference: Carried on an outcome-unknown error.
            text_ok: Return a non-JSON 2xx body as ``str``.
            options: This call's :class:`CallOptions` (``timeout``, ``extra_headers``...).

        Returns:
            The unwrapped ``data``, structured when ``cast_to`` is given.

        Raises:
            APIError: the server answered with an error (a subclass per code/status).
            APIConnectionError: no answer; APITimeoutError when an attempt or the
                deadline ran out.
            ResponseValidationError: a 2xx body that does not fit.
            RequestValidationError: parameters that cannot be encoded, or an
                ``Authorization`` entry in ``extra_headers``.
            ClientClosedError: the client is closed.
        """
        return self._transport.request(
            method,
            path,
            options=apply_call_options(self._options, options),
            params=params,
            json_body=json_body,
            cast_to=cast_to,
            state_changing=state_changing,
            end_user_reference=end_user_reference,
            text_ok=text_ok,
        )

    @overload
    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        cast_to: type[T],
        **options: Unpack[CallOptions],
    ) -> T: ...

    @overload
    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        cast_to: None = ...,
        **options: Unpack[CallOptions],
    ) -> Any: ...

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """GET any endpoint, for one the SDK does not cover yet.

        It takes the path every resource takes (the limiter, the retry rules, the
        error classes and redaction all apply)::

            pools = await client.get("/proxies/pools", params={"type": "isp"})

        Args:
            path: Relative to :attr:`base_url`, starting with ``/``.
            params: Query parameters, encoded as the resources encode theirs.
            cast_to: A generated model to structure ``data`` into; None (the
                default) returns the decoded ``data``.
            options: Per-call options, as on every method.

        Returns:
            The unwrapped ``data``, structured when ``cast_to`` is given.

        Raises:
            APIError: the server answered with an error, as for any method.
            APIConnectionError: no answer (APITimeoutError when time ran out).
            ResponseValidationError: a 2xx body that does not fit ``cast_to``.
            RequestValidationError: options or parameters refused locally.
            ClientClosedError: the client is closed.
        """
        return await self._request("GET", path, params=params, cast_to=cast_to, **options)

    @overload
    async def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = ...,
        cast_to: type[T],
        state_changing: bool = ...,
        **options: Unpack[CallOptions],
    ) -> T: ...

    @overload
    async def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = ...,
        cast_to: None = ...,
        state_changing: bool = ...,
        **options: Unpack[CallOptions],
    ) -> Any: ...

    async def post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        state_changing: bool = True,
        **options: Unpack[CallOptions],
    ) -> Any:
        """POST to any endpoint, for one (or a field) the SDK does not cover yet.

        Args:
            path: Relative to :attr:`base_url`, starting with ``/``.
            body: The JSON body, with wire names.
            cast_to: A generated model to structure ``data`` into, or None.
            state_changing: True (the default) treats the call as one that may buy
                or change something: it is retried only when the server provably did
                not act, and an unknown outcome is flagged. Pass False only for a
                POST that changes nothing.
            options: Per-call options, as on every method.

        Returns:
            The unwrapped ``data``, structured when ``cast_to`` is given.

        Raises:
            APIError, APIConnectionError: with ``outcome_unknown=True`` when a
                state-changing call may have gone through.
            ResponseValidationError, RequestValidationError, ClientClosedError: as
                any method.
        """
        reference = body.get("end_user_reference") if body is not None else None
        return await self._request(
            "POST",
            path,
            json_body=body,
            cast_to=cast_to,
            state_changing=state_changing,
            # Carried on an outcome-unknown error, as plans.create does.
            end_user_reference=reference if isinstance(reference, str) else None,
            **options,
        )
