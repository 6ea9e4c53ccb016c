"""/balance/...: balance, pricing and transactions."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._generated import (
    Balance,
    TransactionType,
    TransactionTypeLiteral,
)
from .._raw_response import RawView, to_raw
from .._rules import check_page
from ._base import AsyncResource, enum_param, operation
from ._pagination import AsyncPaginator, Page, iterate_pages

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncBalance", "AsyncBalanceWithRawResponse"]


class AsyncBalanceWithRawResponse(RawView):
    """``client.balance.with_raw_response``: the methods of :class:`AsyncBalance`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncBalance) -> None:
        super().__init__(resource)
        self.get = to_raw(resource.get)
        self.pricing = to_raw(resource.pricing)
        self.transactions = to_raw(resource.transactions)
        self.transactions_page = to_raw(resource.transactions_page)


class AsyncBalance(AsyncResource):
    """Account balance: ``client.balance``."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncBalanceWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncBalanceWithRawResponse(self)

    @operation("getBalance")
    async def get(self, **options: Unpack[CallOptions]) -> Balance:
        """The balance, pre-paid allocations and spending.

        Returns:
            A :class:`Balance`.
        """
        result: Balance = await self._client._request("GET", "/balance", cast_to=Balance, **options)
        return result

    @operation("getPricing")
    async def pricing(self, **options: Unpack[CallOptions]) -> Any:
        """The account's pricing. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request("GET", "/balance/pricing", **options)

    @operation("listTransactions")
    def transactions(
        self,
        *,
        type: TransactionType | TransactionTypeLiteral | None = None,
        page: int = 1,
        per_page: int | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPaginator[dict[str, Any]]:
        """Iterate over every balance transaction, across pages.

        Items are decoded JSON objects (schema not published in 2.1.0).

        Args:
            type: ``topup``, ``purchase``, ``extend``, ``refund``, ``adjustment`` or ``all``.
            page: the page to start at.
            per_page: page size to ask for; the server's default when None.

        Returns:
            An :class:`AsyncPaginator`: iterate it for the items, await it for the
            first :class:`Page`, or walk ``iter_pages()``.

        Raises:
            RequestValidationError: an unknown type or ``per_page`` < 1 (raised here).
            APIError: the server answered an error while fetching a page.
        """
        check_page(page, per_page)
        kind = None if type is None else enum_param(type, TransactionType, "type")

        async def fetch(number: int) -> Any:
            params = {"page": number, "per_page": per_page, "type": kind}
            return await self._client._request(
                "GET", "/balance/transactions", params=params, **options
            )

        return iterate_pages(fetch, "transactions", None, per_page=per_page, start=page)

    @operation("listTransactions")
    async def transactions_page(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        type: TransactionType | TransactionTypeLiteral | None = None,
        **options: Unpack[CallOptions],
    ) -> Page[dict[str, Any]]:
        """Fetch one page of balance transactions.

        Returns:
            A :class:`Page` of decoded transaction objects, with ``.pagination``.

        Raises:
            RequestValidationError: an unknown type, or page/per_page < 1.
        """
        return await self.transactions(page=page, per_page=per_page, type=type, **options)
