"""A deprecated operation or parameter warns at the call, with DeprecationWarning."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from flashproxy_async._generated import deprecations
from flashproxy_async.resources._base import OPERATION_ATTRIBUTE, operation


async def _pools(*, type: str | None = None, country: str | None = None) -> str:
    return "called"


def test_a_deprecated_operation_warns_at_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deprecations, "DEPRECATED_OPERATIONS", frozenset({"listPools"}))
    method: Any = operation("listPools")(_pools)
    assert getattr(method, OPERATION_ATTRIBUTE) == "listPools"
    with pytest.warns(DeprecationWarning, match=r"listPools\) is deprecated") as caught:
        coroutine = method()
    assert caught[0].filename == __file__
    coroutine.close()


async def test_a_deprecated_parameter_warns_only_when_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        deprecations, "DEPRECATED_PARAMETERS", {"listPools": frozenset({"country"})}
    )
    method: Any = operation("listPools")(_pools)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert await method(type="isp") == "called"
    with pytest.warns(DeprecationWarning, match="'country' parameter is deprecated"):
        assert await method(country="us") == "called"


def test_an_operation_nothing_deprecates_is_left_as_it_is() -> None:
    assert operation("listPools")(_pools) is _pools
