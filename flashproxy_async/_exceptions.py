"""The errors this package raises, as one tree.

* FlashProxyError - the root of everything raised here.
  * APIError - the server answered with an error status or ``success: false``.
    * BadRequestError - 400 ``VALIDATION_ERROR`` (and ``NOT_SUPPORTED``).
      * InvalidPoolError - 400 ``INVALID_POOL``: no such dedicated-ISP pool.
    * AuthenticationError - 401 ``UNAUTHORIZED``: missing or invalid API key.
    * InsufficientBalanceError - 402 ``INSUFFICIENT_BALANCE``.
    * PermissionDeniedError - 403 ``FORBIDDEN``: the account is suspended.
      * ProductDisabledError - 403 ``PRODUCT_DISABLED``.
    * NotFoundError - 404 ``NOT_FOUND``.
    * OutOfStockError - 409 ``OUT_OF_STOCK``.
      * PoolOutOfStockError - 409 ``POOL_OUT_OF_STOCK``.
    * RateLimitedError - 429 ``RATE_LIMITED``, with ``retry_after``.
    * InternalServerError - 500 and above.
  * APIConnectionError - the request never got an HTTP answer.
    * APITimeoutError - an attempt or the call's deadline ran out.
  * ClientClosedError - the client was used after ``close()``.
  * ResponseValidationError - a 2xx body that does not fit its model.
    * ResponseTooLargeError - a body past ``max_response_bytes``, cut off while read.
  * RequestValidationError - bad input caught locally, before any request.
    * TargetingError - a proxy username or URL that breaks the targeting rules.
  * RedisLimiterError - Redis failed under ``limiters.RedisRateLimiter`` (defined
    there, so that importing this package never needs redis).

State-changing calls whose outcome is unknown (a timeout, a dropped connection
or a 5xx after the request was sent) raise with ``outcome_unknown=True`` and the
``end_user_reference`` that was sent, so the caller can reconcile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._redact import mask_secret_fields, redact, secret_values, snippet

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "FlashProxyError",
    "InsufficientBalanceError",
    "InternalServerError",
    "InvalidPoolError",
    "NotFoundError",
    "OutOfStockError",
    "PermissionDeniedError",
    "PoolOutOfStockError",
    "ProductDisabledError",
    "RateLimitedError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "TargetingError",
    "api_error_from_response",
]

_OUTCOME_UNKNOWN_NOTE = (
    "the request may have been processed (outcome unknown); it was not resent. "
    "Check before retrying"
)


class FlashProxyError(Exception):
    """Root of every error raised by flashproxy_async."""

    #: True when a state-changing request was sent and its outcome is unknown.
    outcome_unknown: bool = False
    #: The ``end_user_reference`` sent with the request whose outcome is unknown.
    end_user_reference: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds with cls(*args), which the keyword-only attributes of
        # the subclasses refuse; restore the message and the attributes instead, so
        # errors cross process pools and task queues intact.
        return (_restore_error, (type(self), self.args), self.__dict__)

    def mark_outcome_unknown(self, end_user_reference: str | None) -> None:
        """Flag this error as one after which a purchase may have gone through."""
        self.outcome_unknown = True
        self.end_user_reference = end_user_reference

    def __str__(self) -> str:
        text = super().__str__()
        if not self.outcome_unknown:
            return text
        reference = (
            f" (end_user_reference={self.end_user_reference!r})"
            if self.end_user_reference is not None
            else ""
        )
        return f"{text}; {_OUTCOME_UNKNOWN_NOTE}{reference}"


class APIError(FlashProxyError):
    """The API answered with an error.

    Attributes:
        status: the HTTP status code.
        code: the API's error code (``VALIDATION_ERROR``, ...), or None if the
            body carried none.
        message: the API's message, or a snippet of a body that was not JSON.
        body: the decoded JSON body, or the raw text when it was not JSON.
        headers: response headers, with lower-case names.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        # The server may echo a password it holds, one this client never saw: mask the
        # spec's secret fields by name, and their values wherever else they appear.
        message = redact(message, secret_values(body))
        self.status = status
        self.code = code
        self.message = message
        self.body = mask_secret_fields(body)
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}
        label = f"{status} {code}" if code else str(status)
        super().__init__(f"{label}: {message}")

    @property
    def request_id(self) -> str | None:
        """The server's ``x-request-id`` (or ``request-id``) header, when it sent one."""
        return self.headers.get("x-request-id") or self.headers.get("request-id")


def _restore_error(cls: type[FlashProxyError], args: tuple[Any, ...]) -> FlashProxyError:
    error = cls.__new__(cls)
    error.args = args
    return error


class BadRequestError(APIError):
    """400: the server rejected the parameters (``VALIDATION_ERROR``, ``NOT_SUPPORTED``)."""


class InvalidPoolError(BadRequestError):
    """400 ``INVALID_POOL``: the dedicated-ISP pool name is unknown."""


class AuthenticationError(APIError):
    """401 ``UNAUTHORIZED``: the API key is missing or invalid."""


class InsufficientBalanceError(APIError):
    """402 ``INSUFFICIENT_BALANCE``: the account cannot pay for this."""


class PermissionDeniedError(APIError):
    """403 ``FORBIDDEN``: the account is suspended."""


class ProductDisabledError(PermissionDeniedError):
    """403 ``PRODUCT_DISABLED``: the product is not enabled for this account."""


class NotFoundError(APIError):
    """404 ``NOT_FOUND``: no such resource."""


class OutOfStockError(APIError):
    """409 ``OUT_OF_STOCK``: the product is out of stock."""


class PoolOutOfStockError(OutOfStockError):
    """409 ``POOL_OUT_OF_STOCK``: the dedicated-ISP pool cannot cover the quantity."""


class RateLimitedError(APIError):
    """429 ``RATE_LIMITED``. ``retry_after`` is the wait in seconds the server asked for."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIError):
    """500 and above: the server failed."""


class APIConnectionError(FlashProxyError):
    """The request got no HTTP answer: refused, reset, DNS, TLS."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """An attempt, or the whole call's deadline, timed out."""


class ClientClosedError(FlashProxyError, RuntimeError):
    """The client was used after ``close()``: build a new one instead."""


class ResponseValidationError(FlashProxyError):
    """A 2xx body did not fit its model. ``path`` names the offending field."""

    def __init__(self, message: str, *, path: str | None = None, body: Any = None) -> None:
        super().__init__(redact(message, secret_values(body)))
        self.path = path
        self.body = mask_secret_fields(body)


class ResponseTooLargeError(ResponseValidationError):
    """A response body passed ``max_response_bytes`` (after decompression) while read."""

    def __init__(self, message: str, *, limit: int, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.limit = limit


class RequestValidationError(FlashProxyError, ValueError):
    """Bad input caught locally, before any request was spent. ``rule`` names the rule."""

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule


class TargetingError(RequestValidationError):
    """A proxy username or URL that breaks the API documentation's targeting rules."""


_CLASS_BY_CODE: dict[str, type[APIError]] = {
    "VALIDATION_ERROR": BadRequestError,
    "NOT_SUPPORTED": BadRequestError,
    "INVALID_POOL": InvalidPoolError,
    "UNAUTHORIZED": AuthenticationError,
    "INSUFFICIENT_BALANCE": InsufficientBalanceError,
    "FORBIDDEN": PermissionDeniedError,
    "PRODUCT_DISABLED": ProductDisabledError,
    "NOT_FOUND": NotFoundError,
    "OUT_OF_STOCK": OutOfStockError,
    "POOL_OUT_OF_STOCK": PoolOutOfStockError,
    "RATE_LIMITED": RateLimitedError,
    "INTERNAL_ERROR": InternalServerError,
}

_CLASS_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientBalanceError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: OutOfStockError,
    429: RateLimitedError,
}


def _error_class(status: int, code: str | None) -> type[APIError]:
    """The code decides first, then the status; unknown codes fall back by status."""
    if code is not None and code in _CLASS_BY_CODE:
        return _CLASS_BY_CODE[code]
    if status >= 500:
        return InternalServerError
    return _CLASS_BY_STATUS.get(status, APIError)


def api_error_from_response(
    status: int,
    body: Any,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
    secrets: Iterable[str] = (),
) -> APIError:
    """Build the right APIError for an error response.

    ``body`` is the decoded JSON when the body was JSON, else the raw text. The
    message is scrubbed of ``secrets`` and of password-shaped values, since the body
    may echo them; ``body`` itself is kept as received.
    """
    code: str | None = None
    message: str | None = None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            raw_code, raw_message = error.get("code"), error.get("message")
            code = raw_code if isinstance(raw_code, str) else None
            message = raw_message if isinstance(raw_message, str) else None
        elif isinstance(error, str):
            message = error
        if message is None and isinstance(body.get("message"), str):
            message = body["message"]
    secrets = [*secrets, *secret_values(body)]
    if message is None:
        message = snippet(body if isinstance(body, str) else repr(body), secrets)
    else:
        message = redact(message, secrets)
    cls = _error_class(status, code)
    kwargs: dict[str, Any] = {"status": status, "code": code, "body": body, "headers": headers}
    if issubclass(cls, RateLimitedError):
        return cls(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)
