"""SyncResource and SyncIterator over toy async resources: how each kind of member maps."""

from __future__ import annotations

import collections.abc
import gc
import inspect
import threading
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator
from typing import Any

import pytest

from flashproxy_async import ClientClosedError
from flashproxy_async.resources._base import AsyncResource
from flashproxy_async.sync import SyncIterator, SyncResource
from flashproxy_async.sync._portal import PortalRunner
from flashproxy_async.sync._resource import _iterator_annotation


class ToyClient:
    async def close(self) -> None:
        pass


class Countdown:
    """An async iterator with no ``aclose``, unlike an async generator."""

    def __init__(self, start: int) -> None:
        self.left = start

    def __aiter__(self) -> Countdown:
        return self

    async def __anext__(self) -> int:
        if self.left == 0:
            raise StopAsyncIteration
        self.left -= 1
        return self.left + 1


class Child(AsyncResource):
    async def ping(self) -> str:
        return "pong"


class Toy(AsyncResource):
    def __init__(self) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.child = Child(None)  # type: ignore[arg-type]
        self.label = "a data attribute"
        self.cleaned_up = threading.Event()

    async def double(self, x: int) -> int:
        """Twice ``x``."""
        return 2 * x

    def count(self, n: int) -> AsyncIterator[int]:
        return self._count(n)

    async def _count(self, n: int) -> AsyncGenerator[int, None]:
        try:
            for i in range(n):
                if i == 2 and n == 99:
                    raise ValueError("page 3 failed")
                yield i
        finally:
            self.cleaned_up.set()

    def countdown(self, start: int) -> AsyncIterator[int]:
        return Countdown(start)

    def later(self, x: int) -> Awaitable[int]:
        return self.double(x)

    def version(self) -> int:
        return 7


@pytest.fixture
def runner() -> Iterator[PortalRunner[ToyClient]]:
    made = PortalRunner(ToyClient)
    yield made
    made.close()


@pytest.fixture
def toy() -> Toy:
    return Toy()


@pytest.fixture
def view(runner: PortalRunner[ToyClient], toy: Toy) -> SyncResource[Toy]:
    return SyncResource(runner, lambda: toy, path="toy")


def test_each_kind_of_member_maps_to_its_blocking_form(view: SyncResource[Toy]) -> None:
    assert view.double(21) == 42
    assert view.later(4) == 8  # a plain method returning an awaitable is awaited
    assert view.version() == 7
    assert list(view.count(3)) == [0, 1, 2]
    assert list(view.countdown(2)) == [2, 1]
    assert view.child.ping() == "pong"
    assert repr(view.child) == "<SyncResource toy.child: Child>"
    assert view.double is view.double  # made once, then a plain attribute


def test_signatures_and_docs_follow_the_async_members(view: SyncResource[Toy]) -> None:
    assert str(inspect.signature(view.double)) == "(x: 'int') -> 'int'"
    assert str(inspect.signature(view.count)) == "(n: 'int') -> 'SyncIterator[int]'"
    assert str(inspect.signature(view.version)) == "() -> 'int'"
    assert view.double.__doc__.startswith("Twice ``x``.")
    assert view.version.__doc__ == (
        "Blocking: runs ``Toy.version`` on the client's event-loop thread."
    )
    assert view.child.ping.__qualname__ == "FlashProxy.toy.child.ping"


def test_only_public_methods_and_resources_are_members(view: SyncResource[Toy]) -> None:
    for missing in ("label", "nothing", "cleaned_up"):
        with pytest.raises(AttributeError, match=f"no public method or resource '{missing}'"):
            getattr(view, missing)
    with pytest.raises(AttributeError):
        view._count  # noqa: B018
    assert {"double", "count", "countdown", "later", "version", "child"} <= set(dir(view))
    assert "label" not in dir(view)


def test_an_iterator_fetches_lazily_and_stays_finished(view: SyncResource[Toy], toy: Toy) -> None:
    numbers = view.count(2)
    assert isinstance(numbers, SyncIterator) and iter(numbers) is numbers
    assert next(numbers) == 0
    assert list(numbers) == [1]
    assert toy.cleaned_up.is_set()
    with pytest.raises(StopIteration):
        next(numbers)
    numbers.close()


def test_closing_an_iterator_runs_its_cleanup_before_returning(
    view: SyncResource[Toy], toy: Toy
) -> None:
    with view.count(10) as numbers:
        assert next(numbers) == 0
        assert not toy.cleaned_up.is_set()
    assert toy.cleaned_up.is_set()
    numbers.close()
    assert list(numbers) == []


def test_an_iterator_dropped_unfinished_is_closed_by_the_loop(
    view: SyncResource[Toy], toy: Toy
) -> None:
    numbers = view.count(10)
    assert next(numbers) == 0
    del numbers
    gc.collect()
    assert toy.cleaned_up.wait(timeout=30)


def test_an_iterator_never_started_needs_no_loop_to_close(
    view: SyncResource[Toy], toy: Toy
) -> None:
    view.count(10).close()
    view.countdown(3).close()
    numbers = view.countdown(3)
    next(numbers)
    numbers.close()  # an async iterator without aclose: nothing to run


def test_an_error_while_iterating_is_raised_and_ends_the_iteration(
    view: SyncResource[Toy], toy: Toy
) -> None:
    numbers = view.count(99)
    with pytest.raises(ValueError, match="page 3 failed"):
        list(numbers)
    assert toy.cleaned_up.is_set()
    assert list(numbers) == []


def test_an_iterator_closes_quietly_after_its_client(
    runner: PortalRunner[ToyClient], view: SyncResource[Toy], toy: Toy
) -> None:
    numbers = view.count(10)
    next(numbers)
    runner.close()
    assert toy.cleaned_up.is_set()  # the loop closed it on its way out
    numbers.close()
    with pytest.raises(ClientClosedError):
        view.double(1)


def test_an_iterator_made_before_a_fork_refuses_to_go_on_after_it(
    view: SyncResource[Toy],
) -> None:
    for step in (next, SyncIterator.close):
        numbers = view.count(10)
        next(numbers)
        numbers._generation = object()  # as in a forked child, whose loop is new
        with pytest.raises(RuntimeError, match=r"made before os\.fork\(\)"):
            step(numbers)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("AsyncIterator[Plan]", "SyncIterator[Plan]"),
        ("collections.abc.AsyncIterable[dict[str, Any]]", "SyncIterator[dict[str, Any]]"),
        ("AsyncGenerator[Page[int], None]", "SyncIterator[Page[int]]"),
        ("Plan", "Plan"),
        ("list[AsyncIterator[int]]", "list[AsyncIterator[int]]"),
        (collections.abc.AsyncIterator[int], SyncIterator[int]),
        (typing.AsyncGenerator[str, None], SyncIterator[str]),
        (int, int),
        (inspect.Signature.empty, inspect.Signature.empty),
    ],
)
def test_async_iterator_annotations_become_sync_iterators(annotation: Any, expected: Any) -> None:
    assert _iterator_annotation(annotation) == expected
