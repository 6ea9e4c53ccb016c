"""Every public import path keeps working: the names each public module exported in
0.1.0 are still there, and every name in every ``__all__`` imports."""

from __future__ import annotations

import importlib

import pytest

#: The public surface of 0.1.0, module by module. Names may be added, never removed.
RELEASED: dict[str, list[str]] = {
    "flashproxy_async": [
        "APIConnectionError", "APIError", "APITimeoutError", "AsyncFlashProxy",
        "AuthenticationError", "BadRequestError", "ClientClosedError", "FlashProxyError",
        "InsufficientBalanceError", "InternalServerError", "InvalidPoolError", "Limiter",
        "NotFoundError", "OutOfStockError", "Page", "PermissionDeniedError",
        "PoolOutOfStockError", "ProductDisabledError", "RateLimitedError",
        "RequestValidationError", "ResponseValidationError", "TargetingError", "Timeout",
        "TokenBucketLimiter", "__spec_version__", "__version__",
    ],
    "flashproxy_async.models": [
        "Allocation", "Balance", "BalanceAllocations", "BillingType",
        "DedicatedMobileLocation", "Duration", "ErrorCode", "GeoProductType", "Pagination",
        "Plan", "PlanBilling", "PlanConnection", "PlanLimits", "PlanStatus",
        "PlanStatusFilter", "Pool", "PoolList", "PoolProvider", "PoolType", "Product",
        "ProxyItem", "ProxyList", "ProxyListProduct", "ProxySource", "SubUserStatusFilter",
        "TransactionType", "UsageGranularity", "UsagePeriod", "VpnConfigFormat",
    ],
    "flashproxy_async.sync": [
        "BlockingCallInEventLoopWarning", "FlashProxy", "SyncIterator", "SyncResource",
    ],
    "flashproxy_async.bulk": [
        "PlanOrder", "ProgressEvent", "ProvisionReport", "load_orders", "provision",
        "validate_orders",
    ],
    "flashproxy_async.targeting": [
        "PROXY_ENDPOINTS", "ProxyEndpoint", "SessionTime", "StickySessions", "Targeting",
        "TargetingError", "US_STATES", "build_username", "parse_username", "proxy_url",
        "resolve_targeting", "us_state_code", "us_state_name",
    ],
    "flashproxy_async.limiters": ["RedisLimiterError", "RedisRateLimiter"],
    "flashproxy_async.testing": [
        "FakeFlashProxy", "FakePlan", "FakePool", "FakeState", "FakeStats", "FakeSubUser",
        "FakeTransaction", "Fault", "FaultKind", "Faults", "Prices", "RecordedRequest",
        "RecordedResponse",
    ],
    "flashproxy_async.resources": [
        "AsyncBalance", "AsyncGeo", "AsyncPlans", "AsyncProxies", "AsyncServers",
        "AsyncSubUsers", "AsyncUsage", "Page",
    ],
    "flashproxy_async.cli": ["main"],
}  # fmt: skip


@pytest.mark.parametrize("module_name", sorted(RELEASED))
def test_every_released_name_still_imports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in RELEASED[module_name] if not hasattr(module, name)]
    assert missing == []
    assert set(RELEASED[module_name]) <= set(module.__all__)


@pytest.mark.parametrize("module_name", sorted(RELEASED))
def test_every_name_in_all_imports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        exec(f"from {module_name} import {name}", {})


def test_public_objects_report_their_public_module() -> None:
    import flashproxy_async
    import flashproxy_async.limiters

    assert flashproxy_async.TokenBucketLimiter.__module__ == "flashproxy_async"
    assert flashproxy_async.limiters.RedisRateLimiter.__module__ == "flashproxy_async.limiters"
    assert flashproxy_async.RequestEvent.__module__ == "flashproxy_async"
