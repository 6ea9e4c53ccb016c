"""/geo/...: the countries, states, cities and ASNs to target in proxy usernames."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._generated import (
    GeoProductType,
    GeoProductTypeLiteral,
)
from .._raw_response import RawView, to_raw
from ._base import AsyncResource, enum_param, operation, required_text

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._call_options import CallOptions

__all__ = ["AsyncGeo", "AsyncGeoWithRawResponse"]


class AsyncGeoWithRawResponse(RawView):
    """``client.geo.with_raw_response``: the methods of :class:`AsyncGeo`, each
    returning a :class:`~flashproxy_async.RawResponse`."""

    def __init__(self, resource: AsyncGeo) -> None:
        super().__init__(resource)
        self.countries = to_raw(resource.countries)
        self.states = to_raw(resource.states)
        self.cities = to_raw(resource.cities)
        self.asn = to_raw(resource.asn)


class AsyncGeo(AsyncResource):
    """Geo-targeting lookups: ``client.geo``. All return the decoded ``data``
    (schema not published in 2.1.0)."""

    @functools.cached_property
    def with_raw_response(self) -> AsyncGeoWithRawResponse:
        """Each method, returning a :class:`~flashproxy_async.RawResponse` of its result."""
        return AsyncGeoWithRawResponse(self)

    @operation("getGeoCountries")
    async def countries(
        self,
        *,
        product_type: GeoProductType | GeoProductTypeLiteral,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Countries for ``product_type`` (e.g. ``residential``).

        Raises:
            RequestValidationError: ``product_type`` is not one the spec lists.
        """
        params = {"product_type": enum_param(product_type, GeoProductType, "product_type")}
        return await self._client._request("GET", "/geo/countries", params=params, **options)

    @operation("getGeoStates")
    async def states(
        self, *, product_type: str, country_code: str, **options: Unpack[CallOptions]
    ) -> Any:
        """States of a country (format by pool: ``california``, ``us_california``, ``ca``).

        Raises:
            RequestValidationError: a blank ``product_type`` or ``country_code``.
        """
        required_text(product_type, "product_type")
        required_text(country_code, "country_code")
        params = {"product_type": product_type, "country_code": country_code}
        return await self._client._request("GET", "/geo/states", params=params, **options)

    @operation("getGeoCities")
    async def cities(
        self,
        *,
        product_type: str,
        country_code: str,
        state_code: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Cities of a country, optionally of one state.

        Raises:
            RequestValidationError: a blank ``product_type`` or ``country_code``.
        """
        required_text(product_type, "product_type")
        required_text(country_code, "country_code")
        params = {
            "product_type": product_type,
            "country_code": country_code,
            "state_code": state_code,
        }
        return await self._client._request("GET", "/geo/cities", params=params, **options)

    @operation("getGeoAsn")
    async def asn(
        self, *, country_code: str, product_type: str | None = None, **options: Unpack[CallOptions]
    ) -> Any:
        """ASNs of a country, for ``-asn-`` targeting.

        Raises:
            RequestValidationError: a blank ``country_code``.
        """
        required_text(country_code, "country_code")
        params = {"country_code": country_code, "product_type": product_type}
        return await self._client._request("GET", "/geo/asn", params=params, **options)
