"""/sub-users/...: the reseller's sub-users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .._generated import SubUserStatusFilter
from .._rules import check_page
from ._base import AsyncResource, enum_param, operation, required_text
from ._pagination import Page, iterate_pages, parse_page

__all__ = ["AsyncSubUsers"]


class AsyncSubUsers(AsyncResource):
    """Sub-users: ``client.sub_users``. Items are decoded JSON objects (schema not
    published in 2.1.0)."""

    @operation("listSubUsers")
    def list(
        self, *, status: SubUserStatusFilter | str | None = None, per_page: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Iterate over every sub-user, across pages.

        Args:
            status: ``active``, ``suspended`` or ``all``.
            per_page: page size to ask for; the server's default when None.

        Raises:
            RequestValidationError: an unknown status or ``per_page`` < 1 (raised here).
            APIError: the server answered an error while fetching a page.
        """
        check_page(None, per_page)
        wanted = None if status is None else enum_param(status, SubUserStatusFilter, "status")

        async def fetch(number: int) -> Any:
            params = {"page": number, "per_page": per_page, "status": wanted}
            return await self._client._request("GET", "/sub-users", params=params)

        return iterate_pages(fetch, "sub_users", None, per_page=per_page)

    @operation("listSubUsers")
    async def list_page(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        status: SubUserStatusFilter | str | None = None,
    ) -> Page[dict[str, Any]]:
        """Fetch one page of sub-users.

        Raises:
            RequestValidationError: an unknown status, or page/per_page < 1.
        """
        check_page(page, per_page)
        params = {
            "page": page,
            "per_page": per_page,
            "status": None if status is None else enum_param(status, SubUserStatusFilter, "status"),
        }
        data = await self._client._request("GET", "/sub-users", params=params)
        return parse_page(data, "sub_users", None)

    @operation("getSubUser")
    async def get(self, id: str) -> Any:
        """One sub-user. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: a blank ``id``.
        """
        return await self._client._request("GET", f"/sub-users/{required_text(id, 'id')}")
