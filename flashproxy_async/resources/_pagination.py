"""One page of a list, and the walk over every page.

The API documentation publishes no body for the paginated lists, so parsing is tolerant:
``{<items>: [...], "pagination": {...}}`` (our assumption in openapi.json), a
bare list in ``data``, or items without a pagination block.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .._converter import structure
from .._exceptions import ResponseValidationError
from .._generated import Pagination

__all__ = ["Page", "iterate_pages", "parse_page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a paginated list.

    Attributes:
        items: the page's items.
        pagination: the page's pagination block (``page``, ``per_page``,
            ``total``, ``total_pages``), or None when the server sent none.
    """

    items: list[T]
    pagination: Pagination | None = None


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


async def iterate_pages(
    fetch: Callable[[int], Awaitable[Any]],
    items_key: str,
    item_type: type[T] | None,
    *,
    per_page: int | None,
) -> AsyncIterator[T]:
    """Yield every item of a paginated list, one page in memory at a time.

    ``fetch(n)`` returns the decoded ``data`` of page ``n``. The walk stops at
    ``total_pages`` when the server gives it, else at a short or empty page, and
    always when a page repeats one already seen (a server that ignores ``page``).
    """
    seen: set[bytes] = set()
    number = 1
    first_size = 0
    while True:
        data = await fetch(number)
        page: Page[T] = parse_page(data, items_key, item_type)
        raw_items, _ = _raw_items(data, items_key)
        fingerprint = _fingerprint(raw_items)
        if raw_items and fingerprint in seen:
            return
        seen.add(fingerprint)
        if number == 1:
            first_size = len(page.items)
        for item in page.items:
            yield item
        if _is_last(page, number, per_page, first_size):
            return
        number += 1
