"""The blocking client has the async client's surface: resources, methods, signatures.

The async surface is derived here by introspection, never listed by hand, so a method
or resource added to ``AsyncFlashProxy`` later is checked without touching this file.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from flashproxy_async import AsyncFlashProxy
from flashproxy_async.resources import AsyncPlans
from flashproxy_async.resources._base import AsyncResource
from flashproxy_async.sync import FlashProxy, SyncIterator, SyncPaginator, SyncResource

API_KEY = "fp_test_" + "p" * 32
BASE_URL = "http://127.0.0.1:9/api/v1"

Surface = dict[str, dict[str, Callable[..., Any]]]


def async_surface(client: AsyncFlashProxy) -> Surface:
    """Every public method of every resource the async client carries."""
    return {
        name: {
            method: getattr(resource, method)
            for method in dir(type(resource))
            if not method.startswith("_") and callable(getattr(resource, method))
        }
        for name, resource in vars(client).items()
        if not name.startswith("_") and isinstance(resource, AsyncResource)
    }


#: Async result types and the blocking types the blocking client returns for them.
_BLOCKING_FORMS = {
    "AsyncIterator[": "SyncIterator[",
    "AsyncPaginator[": "SyncPaginator[",
    "Page[": "SyncPage[",
}


def _blocking_return(annotation: Any) -> Any:
    """The return annotation a blocking twin should carry for an async method's."""
    if isinstance(annotation, str):
        for async_form, sync_form in _BLOCKING_FORMS.items():
            if annotation.startswith(async_form):
                return sync_form + annotation.removeprefix(async_form)
    return annotation


def parity_problems(surface: Surface, sync_client: Any) -> list[str]:
    """What the blocking client lacks or gets wrong, one line per problem."""
    problems: list[str] = []
    for resource_name, methods in surface.items():
        resource = getattr(sync_client, resource_name, None)
        if resource is None:
            problems.append(f"no resource {resource_name}")
            continue
        for name, async_method in methods.items():
            where = f"{resource_name}.{name}"
            sync_method = getattr(resource, name, None)
            if sync_method is None or inspect.iscoroutinefunction(sync_method):
                problems.append(f"no blocking {where}")
                continue
            expected = inspect.signature(async_method)
            actual = inspect.signature(sync_method)
            if list(actual.parameters.values()) != list(expected.parameters.values()):
                problems.append(f"{where}{actual} != {expected}")
            if actual.return_annotation != _blocking_return(expected.return_annotation):
                problems.append(f"{where} returns {actual.return_annotation}")
    return problems


@pytest.fixture
def async_client() -> AsyncFlashProxy:
    return AsyncFlashProxy(API_KEY, base_url=BASE_URL)


@pytest.fixture
def sync_client() -> Iterator[FlashProxy]:
    client = FlashProxy(API_KEY, base_url=BASE_URL)
    yield client
    client.close()


def test_every_async_resource_method_has_a_blocking_twin_with_its_parameters(
    async_client: AsyncFlashProxy, sync_client: FlashProxy
) -> None:
    surface = async_surface(async_client)
    assert set(surface) == {
        "plans",
        "usage",
        "servers",
        "proxies",
        "balance",
        "geo",
        "sub_users",
    }
    assert sum(len(methods) for methods in surface.values()) >= 32
    assert parity_problems(surface, sync_client) == []


def test_paginated_methods_become_plain_iterators(sync_client: FlashProxy) -> None:
    for method in (sync_client.plans.list, sync_client.balance.transactions):
        assert inspect.signature(method).return_annotation.startswith("SyncPaginator[")
    assert inspect.signature(sync_client.plans.list).return_annotation == "SyncPaginator[Plan]"
    assert inspect.signature(sync_client.plans.list_page).return_annotation == "SyncPage[Plan]"
    assert issubclass(SyncPaginator, SyncIterator)
    assert issubclass(SyncIterator, Iterator)


def test_the_parity_check_reports_a_missing_or_different_twin(
    async_client: AsyncFlashProxy,
) -> None:
    surface = async_surface(async_client)

    def get(plan_id: Any, extra: int = 0) -> Any: ...

    broken = SimpleNamespace(plans=SimpleNamespace(get=get))
    problems = parity_problems(surface, broken)
    mismatch = (
        "plans.get(plan_id: 'Any', extra: 'int' = 0) -> 'Any' != "
        "(plan_id: 'PlanRef', **options: 'Unpack[CallOptions]') -> 'Plan'"
    )
    assert mismatch in problems
    assert "no blocking plans.list" in problems
    assert "no resource balance" in problems


def test_an_async_method_added_later_is_on_the_blocking_client_with_its_signature(
    monkeypatch: pytest.MonkeyPatch, async_client: AsyncFlashProxy
) -> None:
    async def archive(self: AsyncPlans, plan_id: str, *, reason: str = "done") -> str:
        """Archive a plan."""
        return f"{plan_id}:{reason}"

    monkeypatch.setattr(AsyncPlans, "archive", archive, raising=False)
    surface = async_surface(async_client)
    assert "archive" in surface["plans"]
    with FlashProxy(API_KEY, base_url=BASE_URL) as client:
        assert parity_problems(surface, client) == []
        assert str(inspect.signature(client.plans.archive)) == (
            "(plan_id: 'str', *, reason: 'str' = 'done') -> 'str'"
        )
        assert client.plans.archive("p1", reason="old") == "p1:old"


def test_the_constructor_takes_the_async_clients_arguments() -> None:
    expected = inspect.signature(AsyncFlashProxy).parameters
    actual = inspect.signature(FlashProxy).parameters
    assert list(actual) == list(expected)
    for name, parameter in expected.items():
        assert actual[name].kind == parameter.kind, name
        assert actual[name].default == parameter.default, name
        if name != "session":  # typed None on the blocking client: it refuses one
            assert actual[name].annotation == parameter.annotation, name


def test_client_level_names_match_the_async_client(
    async_client: AsyncFlashProxy, sync_client: FlashProxy
) -> None:
    def public(obj: object) -> set[str]:
        return {name for name in dir(obj) if not name.startswith("_")}

    assert public(sync_client) == public(async_client)
    for name in ("with_options", "close"):
        expected = inspect.signature(getattr(async_client, name)).parameters
        assert inspect.signature(getattr(sync_client, name)).parameters == expected


def test_resources_are_typed_as_sync_views_of_their_async_classes(
    async_client: AsyncFlashProxy,
) -> None:
    hints = typing.get_type_hints(FlashProxy)
    for name in async_surface(async_client):
        resource_type = type(getattr(async_client, name))
        view_class = hints[name]
        assert issubclass(view_class, SyncResource), name
        assert SyncResource[resource_type] in view_class.__orig_bases__, name  # type: ignore[valid-type]


def test_blocking_methods_read_like_the_async_ones_in_help(sync_client: FlashProxy) -> None:
    get = sync_client.plans.get
    assert get.__name__ == "get"
    assert get.__qualname__ == "SyncPlans.get"
    assert get.__doc__.startswith("Fetch one plan.")
    assert "Blocking: runs ``AsyncPlans.get``" in get.__doc__
    assert "blocking form of the async result" in sync_client.plans.list.__doc__
    assert not inspect.iscoroutinefunction(get)
    assert {"get", "list", "create_dedicated_isp"} <= set(dir(sync_client.plans))
    assert repr(sync_client.plans) == "<SyncResource plans: AsyncPlans>"
