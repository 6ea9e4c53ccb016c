"""Blocking pages and paginators: the async ones driven from the client's loop thread.

A blocking list method returns a :class:`SyncPaginator` (a plain iterator over the
items, with ``iter_pages()`` and ``first_page()``); a ``*_page`` method returns a
:class:`SyncPage`, whose ``next_page()`` blocks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, TypeVar

from .._generated import Pagination
from ..resources import AsyncPaginator, Page
from ._iterator import SyncIterator
from ._portal import PortalRunner

__all__ = ["SyncPage", "SyncPaginator"]

T = TypeVar("T")


async def _next_page(page: Page[Any]) -> Page[Any]:
    return await page.next_page()


async def _first_page(paginator: AsyncPaginator[Any]) -> Page[Any]:
    page: Page[Any] = await paginator.first_page()
    return page


async def _pages(paginator: AsyncPaginator[Any]) -> AsyncIterator[Page[Any]]:
    async for page in paginator.iter_pages():
        yield page


class SyncPage(Generic[T]):
    """One page of a list, on the blocking client: iterable over its items, and sized.

    Attributes:
        items: the page's items.
        pagination: the page's pagination block, or None when the server sent none.
    """

    def __init__(self, runner: PortalRunner[Any], page: Page[T]) -> None:
        self._runner = runner
        self._page = page

    @property
    def items(self) -> list[T]:
        return self._page.items

    @property
    def pagination(self) -> Pagination | None:
        return self._page.pagination

    def __iter__(self) -> Iterator[T]:
        return iter(self._page.items)

    def __len__(self) -> int:
        return len(self._page.items)

    def has_next_page(self) -> bool:
        """Whether another page follows (as :meth:`Page.has_next_page`)."""
        return self._page.has_next_page()

    def next_page(self) -> SyncPage[T]:
        """Fetch the page after this one.

        Raises:
            LookupError: there is none (:meth:`has_next_page` is False).
            APIError: the server answered an error.
        """
        if not self._page.has_next_page():
            raise LookupError("this is the last page; check has_next_page() first")
        page: Page[T] = self._runner.run(_next_page, self._page, stacklevel=2)
        return SyncPage(self._runner, page)

    def __repr__(self) -> str:
        return f"SyncPage(items={len(self)}, pagination={self.pagination!r})"


class SyncPaginator(SyncIterator[T]):
    """What a blocking list method returns: a plain iterator over every item.

    ``first_page()`` gives the first :class:`SyncPage` (what ``await`` gives on the
    async client), and ``iter_pages()`` walks page by page.
    """

    def __init__(self, runner: PortalRunner[Any], source: AsyncPaginator[T]) -> None:
        super().__init__(runner, source)
        self._paginator = source

    def first_page(self) -> SyncPage[T]:
        """Fetch the first page of the walk (the ``page`` the list started at)."""
        page: Page[T] = self._runner.run(_first_page, self._paginator, stacklevel=2)
        return SyncPage(self._runner, page)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """Every page from the first, one fetch per step."""
        pages = SyncIterator(self._runner, _pages(self._paginator))
        with pages:
            for page in pages:
                yield SyncPage(self._runner, page)
