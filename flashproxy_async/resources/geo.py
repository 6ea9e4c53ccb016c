"""/geo/...: the countries, states, cities and ASNs to target in proxy usernames."""

from __future__ import annotations

from typing import Any

from .._generated import GeoProductType
from ._base import AsyncResource, enum_param, operation, required_text

__all__ = ["AsyncGeo"]


class AsyncGeo(AsyncResource):
    """Geo-targeting lookups: ``client.geo``. All return the decoded ``data``
    (schema not published in 2.1.0)."""

    @operation("getGeoCountries")
    async def countries(self, *, product_type: GeoProductType | str) -> Any:
        """Countries for ``product_type`` (e.g. ``residential``).

        Raises:
            RequestValidationError: ``product_type`` is not one the spec lists.
        """
        params = {"product_type": enum_param(product_type, GeoProductType, "product_type")}
        return await self._client._request("GET", "/geo/countries", params=params)

    @operation("getGeoStates")
    async def states(self, *, product_type: str, country_code: str) -> Any:
        """States of a country (format by pool: ``california``, ``us_california``, ``ca``).

        Raises:
            RequestValidationError: a blank ``product_type`` or ``country_code``.
        """
        required_text(product_type, "product_type")
        required_text(country_code, "country_code")
        params = {"product_type": product_type, "country_code": country_code}
        return await self._client._request("GET", "/geo/states", params=params)

    @operation("getGeoCities")
    async def cities(
        self, *, product_type: str, country_code: str, state_code: str | None = None
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
        return await self._client._request("GET", "/geo/cities", params=params)

    @operation("getGeoAsn")
    async def asn(self, *, country_code: str, product_type: str | None = None) -> Any:
        """ASNs of a country, for ``-asn-`` targeting.

        Raises:
            RequestValidationError: a blank ``country_code``.
        """
        required_text(country_code, "country_code")
        params = {"country_code": country_code, "product_type": product_type}
        return await self._client._request("GET", "/geo/asn", params=params)
