"""One page of a list, and the walk over every page.

A list method returns an :class:`AsyncPaginator`: ``async for`` walks the items,
``await`` gives the first :class:`Page`, ``iter_pages()`` walks the pages, and each
page can fetch the next. The API documentation publishes no body for the paginated
lists, so parsing is tolerant:
``{<items>: [...], "pagination": {...}}`` (our assumption in openapi.json), a
bare list in ``data``, or items without a pagination block.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .._converter import structure
from .._exceptions import ResponseValidationError
from .._generated import Pagination

__all__ = ["AsyncPaginator", "Lister", "Page", "iterate_pages", "parse_page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a paginated list: iterable over its items, and sized.

    Attributes:
        items: the page's items.
        pagination: the page's pagination block (``page``, ``per_page``,
            ``total``, ``total_pages``), or None when the server sent none.
    """

    items: list[T]
    pagination: Pagination | None = None
    number: int = attrs.field(default=1, repr=False, eq=False)
    _lister: Lister[T] | None = attrs.field(default=None, repr=False, eq=False, alias="lister")
    _last: bool = attrs.field(default=True, repr=False, eq=False, alias="last")
    _norm: int = attrs.field(default=0, repr=False, eq=False, alias="norm")
    _fingerprint: bytes = attrs.field(default=b"", repr=False, eq=False, alias="fingerprint")

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def has_next_page(self) -> bool:
        """Whether another page follows.

        When the page carries ``total_pages`` that decides; otherwise a short or
        empty page is the last, and so is a page that repeats the one before it
        (a server that ignores ``page``).
        """
        return self._lister is not None and not self._last

    async def next_page(self) -> Page[T]:
        """Fetch the page after this one.

        Raises:
            LookupError: there is none (:meth:`has_next_page` is False).
            APIError: the server answered an error.
        """
        if self._lister is None or self._last:
            raise LookupError("this is the last page; check has_next_page() first")
        return await self._lister.page(self.number + 1, norm=self._norm, previous=self)


@attrs.frozen
class Lister(Generic[T]):
    """How to fetch page ``n`` of one list, with its filters bound."""

    fetch: Callable[[int], Awaitable[Any]]
    items_key: str
    item_type: type[T] | None
    per_page: int | None

    async def page(
        self, number: int, *, norm: int | None = None, previous: Page[T] | None = None
    ) -> Page[T]:
        """Fetch and parse page ``number``; ``norm`` is the walk's first page size."""
        data = await self.fetch(number)
        parsed: Page[T] = parse_page(data, self.items_key, self.item_type)
        raw_items, _ = _raw_items(data, self.items_key)
        fingerprint = _fingerprint(raw_items)
        size = len(parsed.items) if norm is None else norm
        repeated = previous is not None and bool(raw_items) and fingerprint == previous._fingerprint
        return Page(
            items=[] if repeated else parsed.items,
            pagination=parsed.pagination,
            number=number,
            lister=self,
            last=repeated or _is_last(parsed, number, self.per_page, size),
            norm=size,
            fingerprint=fingerprint,
        )


class AsyncPaginator(AsyncIterator[T]):
    """What a list method returns.

    * ``async for item in paginator``: every item, fetching a page at a time;
    * ``await paginator``: the first :class:`Page` (the page asked for);
    * ``async for page in paginator.iter_pages()``: every page.

    Nothing is fetched until one of these starts. The walk stops at
    ``total_pages`` when the server gives it, else at a short or empty page, and
    always when a page repeats one already seen.
    """

    def __init__(self, lister: Lister[T], *, start: int = 1) -> None:
        self._lister = lister
        self._start = start
        self._items: AsyncIterator[T] | None = None

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def first_page(self) -> Page[T]:
        """The first page of the walk (page ``start``)."""
        return await self._lister.page(self._start)

    async def iter_pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the first, one fetch at a time."""
        page = await self.first_page()
        seen = {page._fingerprint}
        yield page
        while page.has_next_page():
            page = await page.next_page()
            if page.items and page._fingerprint in seen:
                return
            seen.add(page._fingerprint)
            if page.items:
                yield page

    async def _walk_items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncPaginator[T]:
        return self

    async def __anext__(self) -> T:
        if self._items is None:
            self._items = self._walk_items()
        return await self._items.__anext__()

    async def aclose(self) -> None:
        """Stop a walk part-way, closing the page fetch it is in."""
        items = self._items
        if items is not None:
            await items.aclose()  # type: ignore[attr-defined]


def _raw_items(data: Any, items_key: str) -> tuple[list[Any], Any]:
    """The item list and the raw pagination block of a decoded ``data`` value."""
    if isinstance(data, list):
        return data, None
    if isinstance(data, Mapping):
        items = data.get(items_key)
        if items is None:
            # Tolerate a differently named list when it is the only one.
            lists = [value for value in data.values() if isinstance(value, list)]
            items = lists[0] if len(lists) == 1 else None
        if isinstance(items, list):
            return items, data.get("pagination")
    raise ResponseValidationError(
        f"expected a list of {items_key} or an object holding one",
        path=f"data.{items_key}",
        body=data,
    )


def parse_page(data: Any, items_key: str, item_type: type[T] | None) -> Page[T]:
    """Read one page from a decoded ``data`` value.

    Args:
        data: the unwrapped ``data`` of the response.
        items_key: the documented name of the item list (``plans``, ...).
        item_type: the model of each item, or None to keep the decoded objects.

    Raises:
        ResponseValidationError: no item list could be found, or an item or the
            pagination block does not fit its model.
    """
    raw_items, raw_pagination = _raw_items(data, items_key)
    if item_type is None:
        items: list[Any] = list(raw_items)
    else:
        items = [
            structure(item, item_type, path=f"data.{items_key}[{index}]")
            for index, item in enumerate(raw_items)
        ]
    pagination = (
        structure(raw_pagination, Pagination, path="data.pagination")
        if isinstance(raw_pagination, Mapping)
        else None
    )
    return Page(items=items, pagination=pagination)


def _fingerprint(items: list[Any]) -> bytes:
    encoded = json.dumps(items, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(encoded.encode(), digest_size=16).digest()


def _is_last(page: Page[Any], number: int, per_page: int | None, first_size: int) -> bool:
    """Whether ``page`` (requested as ``number``) ends the walk."""
    if not page.items:
        return True
    total_pages = page.pagination.total_pages if page.pagination else None
    if total_pages is not None:
        # Trusted when present: never request a page beyond it.
        return number >= total_pages
    # The size the server says it used beats the one asked for: a server that caps
    # per_page sends full pages shorter than the request, and the walk must go on.
    expected = page.pagination.per_page if page.pagination is not None else None
    if expected is None:
        expected = per_page
    # Without a page size to compare against, the first page's size is the norm.
    return len(page.items) < (expected if expected is not None else first_size)


def iterate_pages(
    fetch: Callable[[int], Awaitable[Any]],
    items_key: str,
    item_type: type[T] | None,
    *,
    per_page: int | None,
    start: int = 1,
) -> AsyncPaginator[T]:
    """The paginator over a list: ``fetch(n)`` returns the decoded ``data`` of page ``n``."""
    return AsyncPaginator(Lister(fetch, items_key, item_type, per_page), start=start)
