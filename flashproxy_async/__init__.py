"""Async Python SDK for the FlashProxy Reseller API."""

from ._call_options import CallOptions
from ._client import AsyncFlashProxy
from ._config import Timeout
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    FlashProxyError,
    InsufficientBalanceError,
    InternalServerError,
    InvalidPoolError,
    NotFoundError,
    OutOfStockError,
    PermissionDeniedError,
    PoolOutOfStockError,
    ProductDisabledError,
    RateLimitedError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    TargetingError,
)
from ._generated import SPEC_VERSION as __spec_version__
from ._hooks import RequestEvent, ResponseEvent
from ._raw_response import Headers, RawResponse
from ._version import __version__
from .limiters import Limiter, TokenBucketLimiter
from .resources import AsyncPaginator, Page

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncFlashProxy",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "CallOptions",
    "ClientClosedError",
    "FlashProxyError",
    "Headers",
    "InsufficientBalanceError",
    "InternalServerError",
    "InvalidPoolError",
    "Limiter",
    "NotFoundError",
    "OutOfStockError",
    "Page",
    "PermissionDeniedError",
    "PoolOutOfStockError",
    "ProductDisabledError",
    "RateLimitedError",
    "RawResponse",
    "RequestEvent",
    "RequestValidationError",
    "ResponseEvent",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "TargetingError",
    "Timeout",
    "TokenBucketLimiter",
    "__spec_version__",
    "__version__",
]

# Public objects report the package, not the private module they live in.
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and not isinstance(_obj, str):
        _obj.__module__ = __name__
del _name, _obj
