"""/sub-users/...: the reseller's sub-users."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._generated import (
    SubUserStatusFilter,
    SubUserStatusFilterLiteral,
)
from .._raw_response import RawView, to_raw
from .._rules import check_page
from ._base import AsyncResource, enum_param, operation, required_text
from ._pagination import AsyncPaginator, Page, iterate_pages

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncSubUsers", "AsyncSubUsersWithRawResponse"]


class AsyncSubUsersWithRawResponse(RawView):
    """``client.sub_users.with_raw_response``: the methods of :class:`AsyncSubUsers`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncSubUsers) -> None:
        super().__init__(resource)
        self.list = to_raw(resource.list)
        self.list_page = to_raw(resource.list_page)
        self.get = to_raw(resource.get)


class AsyncSubUsers(AsyncResource):
    """Sub-users: ``client.sub_users``. Items are decoded JSON objects (schema not
    published in 2.1.0)."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncSubUsersWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncSubUsersWithRawResponse(self)

    @operation("listSubUsers")
    def list(
        self,
        *,
        status: SubUserStatusFilter | SubUserStatusFilterLiteral | None = None,
        page: int = 1,
        per_page: int | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPaginator[dict[str, Any]]:
        """Iterate over every sub-user, across pages.

        Args:
            status: ``active``, ``suspended`` or ``all``.
            page: the page to start at.
            per_page: page size to ask for; the server's default when None.

        Returns:
            An :class:`AsyncPaginator`: iterate it for the items, await it for the
            first :class:`Page`, or walk ``iter_pages()``.

        Raises:
            RequestValidationError: an unknown status or ``per_page`` < 1 (raised here).
            APIError: the server answered an error while fetching a page.
        """
        check_page(page, per_page)
        wanted = None if status is None else enum_param(status, SubUserStatusFilter, "status")

        async def fetch(number: int) -> Any:
            params = {"page": number, "per_page": per_page, "status": wanted}
            return await self._client._request("GET", "/sub-users", params=params, **options)

        return iterate_pages(fetch, "sub_users", None, per_page=per_page, start=page)

    @operation("listSubUsers")
    async def list_page(
        self,
        *,
        page: int = 1,
        per_page: int | None = None,
        status: SubUserStatusFilter | SubUserStatusFilterLiteral | None = None,
        **options: Unpack[CallOptions],
    ) -> Page[dict[str, Any]]:
        """Fetch one page of sub-users.

        Raises:
            RequestValidationError: an unknown status, or page/per_page < 1.
        """
        return await self.list(page=page, per_page=per_page, status=status, **options)

    @operation("getSubUser")
    async def get(self, id: str, **options: Unpack[CallOptions]) -> Any:
        """One sub-user. Schema not published in 2.1.0: returns the decoded ``data``.

        Raises:
            RequestValidationError: a blank ``id``.
        """
        return await self._client._request(
            "GET", f"/sub-users/{required_text(id, 'id')}", **options
        )
