"""/balance/...: balance, pricing and transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .._generated import Balance, TransactionType
from .._rules import check_page
from ._base import AsyncResource, enum_param, operation
from ._pagination import Page, iterate_pages, parse_page

__all__ = ["AsyncBalance"]


class AsyncBalance(AsyncResource):
    """Account balance: ``client.balance``."""

    @operation("getBalance")
    async def get(self) -> Balance:
        """The balance, pre-paid allocations and spending.

        Returns:
            A :class:`Balance`.
        """
        result: Balance = await self._client._request("GET", "/balance", cast_to=Balance)
        return result

    @operation("getPricing")
    async def pricing(self) -> Any:
        """The account's pricing. Schema not published in 2.1.0: returns ``data``."""
        return await self._client._request("GET", "/balance/pricing")

    @operation("listTransactions")
    def transactions(
        self, *, type: TransactionType | str | None = None, per_page: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Iterate over every balance transaction, across pages.

        Items are decoded JSON objects (schema not published in 2.1.0).

        Args:
            type: ``topup``, ``purchase``, ``extend``, ``refund``, ``adjustment`` or ``all``.
            per_page: page size to ask for; the server's default when None.

        Raises:
            RequestValidationError: an unknown type or ``per_page`` < 1 (raised here).
            APIError: the server answered an error while fetching a page.
        """
        check_page(None, per_page)
        kind = None if type is None else enum_param(type, TransactionType, "type")

        async def fetch(number: int) -> Any:
            params = {"page": number, "per_page": per_page, "type": kind}
            return await self._client._request("GET", "/balance/transactions", params=params)

        return iterate_pages(fetch, "transactions", None, per_page=per_page)

    @operation("listTransactions")
    async def transactions_page(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        type: TransactionType | str | None = None,
    ) -> Page[dict[str, Any]]:
        """Fetch one page of balance transactions.

        Returns:
            A :class:`Page` of decoded transaction objects, with ``.pagination``.

        Raises:
            RequestValidationError: an unknown type, or page/per_page < 1.
        """
        check_page(page, per_page)
        params = {
            "page": page,
            "per_page": per_page,
            "type": None if type is None else enum_param(type, TransactionType, "type"),
        }
        data = await self._client._request("GET", "/balance/transactions", params=params)
        return parse_page(data, "transactions", None)
