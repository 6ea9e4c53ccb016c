"""The one request path every API call takes.

Per call: encode the query and body, then per attempt: take a limiter slot, run the
request hooks, send with auth headers, read the body, run the response hooks, unwrap
the ``{"success": ..., "data": ...}`` envelope or map the error, and ask the
:class:`~._retry.RetryPolicy` whether to try again. aiohttp's exceptions are translated
here and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import platform
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

import aiohttp
import anyio
import attrs

from ._call_options import merged_body, merged_headers, merged_query
from ._config import DEFAULT_MAX_RESPONSE_BYTES, Timeout, proxy_from_env
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    FlashProxyError,
    NotFoundError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from ._generated import SPEC_VERSION
from ._hooks import EventHooks, RequestEvent, ResponseEvent, masked_headers, run_hooks
from ._logging import log_attempt
from ._raw_response import note_reply, request_id_of
from ._redact import redact
from ._retry import RetryPolicy, parse_retry_after
from ._version import __version__
from ._wire import Reply, decode_reply, encode_params, media_type
from .limiters import Limiter

__all__ = ["RequestOptions", "Transport"]

T = TypeVar("T")

logger = logging.getLogger("flashproxy_async")

_READ_CHUNK = 64 * 1024

USER_AGENT = (
    f"flashproxy-async/{__version__} (spec {SPEC_VERSION}) python/{platform.python_version()} "
    f"aiohttp/{aiohttp.__version__}"
)


#: Stands in for the deadline's cancel scope when a call has no deadline; it keeps no
#: state, so one serves every attempt.
_NO_SCOPE: contextlib.nullcontext[None] = contextlib.nullcontext()


@attrs.frozen
class RequestOptions:
    """Per-call settings a client carries and ``with_options`` overrides."""

    timeout: Timeout
    max_retries: int
    deadline: float | None
    event_hooks: EventHooks = attrs.field(factory=EventHooks)
    # Set per call only (see _call_options): what the SDK does not know yet.
    extra_headers: Mapping[str, str] = attrs.field(factory=dict)
    extra_query: Mapping[str, Any] = attrs.field(factory=dict)
    extra_body: Mapping[str, Any] = attrs.field(factory=dict)
    #: ``timeout`` as aiohttp takes it, built once with the options, not per attempt.
    client_timeout: aiohttp.ClientTimeout = attrs.field(init=False, repr=False, eq=False)

    @client_timeout.default
    def _client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.timeout.attempt, connect=self.timeout.connect)


@attrs.frozen
class _Failure:
    """An attempt that got no HTTP answer. ``sent`` is False only when provably unsent."""

    error: APIConnectionError
    sent: bool


def _chain(error: FlashProxyError, cause: BaseException) -> FlashProxyError:
    # Same effect as ``raise error from cause``, for errors raised later in the loop.
    error.__cause__ = cause
    error.__suppress_context__ = True
    return error


class Transport:
    """Owns the aiohttp session and sends requests for one API key.

    Shared by a client and every copy made with ``with_options``.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        limiter: Limiter,
        session: aiohttp.ClientSession | None,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
        trust_env: bool = True,
        proxy: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._api_key = api_key
        self._secrets = (api_key,)
        self.max_response_bytes = max_response_bytes
        self.base_url = base_url
        self.limiter = limiter
        self._session = session
        self._owns_session = session is None
        self._session_factory = session_factory
        self._trust_env = trust_env
        self._proxy = proxy
        self._send_proxy = proxy
        self._closed = False
        self.retry_policy = RetryPolicy()
        # Injectable for tests: backoff sleeps, deadline clock, Retry-After dates.
        self.sleep: Callable[[float], Awaitable[None]] = anyio.sleep
        self.clock: Callable[[], float] = time.monotonic
        self.wall_clock: Callable[[], float] = time.time
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run."""
        return self._closed

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs or exception text."""
        return self._secrets

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("the client is closed; create a new AsyncFlashProxy")
        if self._session is None:
            # Created here, on first use, so it binds to the loop that runs the requests.
            if self._session_factory is not None:
                self._session = self._session_factory()
            else:
                connector = aiohttp.TCPConnector(limit=self.limiter.max_concurrent)
                self._session = aiohttp.ClientSession(connector=connector)
                # Read once, here, rather than by aiohttp's trust_env, which looks the
                # proxy and ~/.netrc up on a worker thread for every request, while the
                # request holds its limiter slot (and a netrc entry would clash with
                # our Authorization header).
                if self._proxy is None and self._trust_env:
                    self._send_proxy = proxy_from_env(self.base_url)
        return self._session

    async def aclose(self) -> None:
        """Close the session if we created it. Idempotent; a user's session is left open."""
        if self._closed:
            return
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        # Bound as a default argument: module globals may already be gone at interpreter exit.
        try:
            session = self._session
            if self._owns_session and session is not None and not session.closed:
                _warn(
                    "unclosed AsyncFlashProxy client: use 'async with' or 'await client.close()'",
                    ResourceWarning,
                    source=self,
                    stacklevel=2,
                )
        except Exception:  # a finaliser must never raise
            pass

    async def request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        options: RequestOptions,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        cast_to: type[T] | None = None,
        state_changing: bool = False,
        end_user_reference: str | None = None,
        text_ok: bool = False,
    ) -> Any:
        """Send one API call with retries; return the unwrapped (and structured) ``data``."""
        if self._closed:
            raise ClientClosedError("the client is closed; create a new AsyncFlashProxy")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        query = encode_params(merged_query(params, options.extra_query))
        json_body = merged_body(method, json_body, options.extra_body)
        body: bytes | None = None
        if json_body is not None:
            try:
                body = json.dumps(json_body, separators=(",", ":")).encode()
            except (TypeError, ValueError) as exc:
                raise RequestValidationError(
                    f"request body is not JSON-serialisable: {exc}", rule="json_body"
                ) from exc
        url = self.base_url + path
        headers = merged_headers(self._headers, options.extra_headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        called_at = self.clock()
        deadline_at = None if options.deadline is None else called_at + options.deadline
        attempt = 0
        while True:
            attempt += 1
            try:
                outcome = await self._attempt(
                    method, url, path, query, headers, body, options, attempt, deadline_at
                )
            except ResponseTooLargeError as exc:
                # An answer arrived, so the server acted on the request; never resent.
                if state_changing:
                    exc.mark_outcome_unknown(end_user_reference)
                raise
            if isinstance(outcome, _Failure):
                error: FlashProxyError = outcome.error
                status: int | None = None
                sent = outcome.sent
                retry_after: float | None = None
            else:
                if 200 <= outcome.status < 300:
                    note_reply(
                        outcome.status,
                        outcome.headers,
                        outcome.text,
                        attempt,
                        self.clock() - called_at,
                    )
                try:
                    return decode_reply(
                        outcome,
                        cast_to=cast_to,
                        text_ok=text_ok,
                        secrets=self._secrets,
                        wall_clock=self.wall_clock,
                    )
                except ResponseValidationError as exc:
                    # A 2xx arrived: a purchase went through even if we cannot read it.
                    if state_changing:
                        exc.mark_outcome_unknown(end_user_reference)
                    raise
                except APIError as exc:
                    if isinstance(exc, NotFoundError):
                        _hint_base_url(exc, self.base_url)
                    error, status, sent = exc, outcome.status, True
                    retry_after = parse_retry_after(
                        outcome.headers.get("retry-after"), self.wall_clock()
                    )
            decision = self.retry_policy.decide(
                status=status,
                sent=sent,
                state_changing=state_changing,
                attempt=attempt,
                max_retries=options.max_retries,
                retry_after=retry_after,
                time_left=None if deadline_at is None else deadline_at - self.clock(),
            )
            if decision.pause_limiter is not None:
                await self.limiter.pause(decision.pause_limiter)
            if decision.outcome_unknown:
                error.mark_outcome_unknown(end_user_reference)
            if decision.retry_in is None:
                raise error
            logger.info(
                "retrying %s %s in %.2fs after %s (retry %d of %d)",
                method,
                path,
                decision.retry_in,
                _describe(error),
                attempt,
                options.max_retries,
            )
            await self.sleep(decision.retry_in)

    async def _attempt(
        self,
        method: str,
        url: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes | None,
        options: RequestOptions,
        attempt: int,
        deadline_at: float | None,
    ) -> Reply | _Failure:
        session = self._get_session()
        remaining = None if deadline_at is None else deadline_at - self.clock()
        if remaining is not None and remaining <= 0:
            return _Failure(APITimeoutError("the call's deadline passed before an attempt"), False)
        sent = False
        started = self.clock()
        reply: Reply | None = None
        failure: _Failure | None = None
        # The deadline covers the wait for a limiter slot as well as the request itself.
        # Without one, no scope: an idle CancelScope costs 5 us a call (python -m bench).
        scope: anyio.CancelScope | contextlib.nullcontext[None] = (
            _NO_SCOPE
            if remaining is None
            else anyio.CancelScope(deadline=anyio.current_time() + remaining)
        )
        try:
            with scope:
                async with self.limiter.slot():
                    if options.event_hooks.request:
                        await self._run_request_hooks(
                            options.event_hooks, method, url, query, headers, attempt
                        )
                    # From here on the request may reach the server.
                    sent = True
                    started = self.clock()
                    async with session.request(
                        method,
                        url,
                        params=query,
                        data=body,
                        headers=headers,
                        timeout=options.client_timeout,
                        allow_redirects=False,
                        raise_for_status=False,
                        proxy=self._send_proxy,
                    ) as response:
                        raw = await _read_body(response, self.max_response_bytes)
                        # Kept as aiohttp parsed them: immutable, looked up in any case.
                        headers_in = response.headers
                        content_type, codec = media_type(headers_in.get("Content-Type"))
                        reply = Reply(
                            response.status,
                            headers_in,
                            raw.decode(codec, errors="replace"),
                            content_type,
                        )
        except aiohttp.ClientConnectorError as exc:
            # Refused, unreachable, DNS or TLS failure: no byte of the request left.
            error = self._connection_error(APIConnectionError, f"could not connect: {exc}", exc)
            failure = _Failure(error, sent=False)
        except (asyncio.TimeoutError, TimeoutError) as exc:
            message = f"attempt timed out after {self.clock() - started:.3f}s"
            failure = _Failure(self._connection_error(APITimeoutError, message, exc), sent)
        except aiohttp.ClientError as exc:
            message = f"connection failed: {type(exc).__name__}: {exc}"
            failure = _Failure(self._connection_error(APIConnectionError, message, exc), sent)
        elapsed = self.clock() - started
        if reply is not None:
            log_attempt(
                method, path, query, reply.status, attempt, elapsed, reply.headers, self.secrets
            )
            if options.event_hooks.response:
                await self._run_response_hooks(
                    options.event_hooks, method, url, query, reply, attempt, elapsed
                )
            return reply
        if failure is None:  # the deadline's cancel scope fired
            failure = _Failure(
                APITimeoutError(f"the call's deadline passed (attempt {attempt})"), sent
            )
        log_attempt(
            method, path, query, type(failure.error).__name__, attempt, elapsed, {}, self.secrets
        )
        return failure

    async def _run_request_hooks(
        self,
        hooks: EventHooks,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        attempt: int,
    ) -> None:
        event = RequestEvent(
            method=method,
            url=_with_query(url, query),
            headers=masked_headers(headers, self.secrets),
            attempt=attempt,
        )
        await run_hooks(hooks.request, event)

    async def _run_response_hooks(
        self,
        hooks: EventHooks,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        reply: Reply,
        attempt: int,
        elapsed: float,
    ) -> None:
        event = ResponseEvent(
            method=method,
            url=_with_query(url, query),
            status=reply.status,
            headers=masked_headers(
                {name.lower(): value for name, value in reply.headers.items()}, self.secrets
            ),
            elapsed=elapsed,
            request_id=request_id_of(reply.headers),
            attempt=attempt,
        )
        await run_hooks(hooks.response, event)

    def _connection_error(
        self, cls: type[APIConnectionError], message: str, cause: BaseException
    ) -> APIConnectionError:
        error = cls(redact(message, self.secrets))
        _chain(error, cause)
        return error


def _hint_base_url(error: NotFoundError, base_url: str) -> None:
    # A base URL missing its /api/v1 makes every route a 404 that looks like a missing ID.
    if base_url.rstrip("/").endswith("/api/v1"):
        return
    hint = f" (the base URL {base_url!r} does not end in /api/v1; is the API root right?)"
    error.args = (f"{error.args[0] if error.args else ''}{hint}", *error.args[1:])


def _read_body(response: aiohttp.ClientResponse, cap: int) -> Awaitable[bytes]:
    """The body, decompressed; past ``cap`` bytes the attempt ends.

    Uncompressed and announced within the cap, it is one ``read()``: aiohttp's parser
    stops at the announced length, so that is as bounded as the chunked loop, and
    cheaper (no coroutine of our own around it).
    """
    length = response.content_length
    if length is not None and length <= cap and "Content-Encoding" not in response.headers:
        return response.read()
    return _read_capped(response, cap)


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """The body, decompressed, read in chunks: past ``cap`` bytes the attempt ends."""
    chunks: list[bytes] = []
    size = 0
    # ``content`` yields decompressed data, and aiohttp inflates it in bounded steps,
    # so a gzip bomb costs at most about ``cap`` bytes of memory before it is refused.
    async for chunk in response.content.iter_chunked(_READ_CHUNK):
        size += len(chunk)
        if size > cap:
            response.close()
            raise ResponseTooLargeError(
                f"the response to {response.method} {response.url.path} exceeds "
                f"max_response_bytes ({cap} bytes, counted after decompression)",
                path="$",
                limit=cap,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(error: FlashProxyError) -> str:
    if isinstance(error, APIError):
        return f"{error.status} {error.code}" if error.code else str(error.status)
    return type(error).__name__


def _with_query(url: str, query: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(query)}" if query else url
