"""Reading stock answers before a purchase, so an empty shelf costs no purchase request.

GET /proxies/pools has a published schema. GET /servers/stock/dedicated-mobile
has none in 2.1.0, so its answer is read tolerantly: when the location's stock
cannot be found in it, the purchase goes ahead and the server decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import OutOfStockError, PoolOutOfStockError, RequestValidationError
from .._generated import PoolList

__all__ = ["check_mobile_stock", "check_pool_stock"]

_COUNT_KEYS = ("available", "stock", "count", "quantity")
_FLAG_KEYS = ("in_stock", "inStock", "available")


def check_pool_stock(pools: PoolList, pool: str, quantity: int) -> None:
    """Raise unless ``pool`` is listed with stock for ``quantity`` IPs.

    Raises:
        RequestValidationError: the pool is not listed (rule ``create.pool.unknown``).
        PoolOutOfStockError: the pool's stock cannot cover ``quantity``; raised
            locally, with status 409 and code ``POOL_OUT_OF_STOCK``, before any purchase.
    """
    listed = {entry.pool: entry for entry in pools.pools}
    entry = listed.get(pool)
    if entry is None:
        raise RequestValidationError(
            f"pool {pool!r} is not among the listed pools ({', '.join(sorted(listed)) or 'none'})",
            rule="create.pool.unknown",
        )
    if not entry.in_stock or entry.stock < quantity:
        raise PoolOutOfStockError(
            f"pool {pool!r} has {entry.stock} IPs in stock, {quantity} requested "
            "(checked before purchase; nothing was bought)",
            status=409,
            code="POOL_OUT_OF_STOCK",
        )


def _location_entry(stock: Any, location: str) -> Any:
    if isinstance(stock, Mapping):
        locations = stock.get("locations", stock)
        if isinstance(locations, Mapping):
            for key, value in locations.items():
                if isinstance(key, str) and key.upper() == location:
                    return value
        if isinstance(locations, list):
            stock = locations
    if isinstance(stock, list):
        for value in stock:
            if isinstance(value, Mapping) and str(value.get("location", "")).upper() == location:
                return value
    return None


def _has_stock(entry: Any) -> bool | None:
    """True or False when the entry says; None when it cannot be read."""
    if isinstance(entry, bool):
        return entry
    if isinstance(entry, int):
        return entry > 0
    if isinstance(entry, Mapping):
        for key in _COUNT_KEYS:
            value = entry.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value > 0
        for key in _FLAG_KEYS:
            value = entry.get(key)
            if isinstance(value, bool):
                return value
    return None


def check_mobile_stock(stock: Any, location: str) -> None:
    """Raise when the dedicated-mobile stock answer says ``location`` is empty.

    Raises:
        OutOfStockError: raised locally, with status 409 and code ``OUT_OF_STOCK``.
    """
    if _has_stock(_location_entry(stock, location)) is False:
        raise OutOfStockError(
            f"no dedicated mobile proxies in stock in {location} "
            "(checked before purchase; nothing was bought)",
            status=409,
            code="OUT_OF_STOCK",
        )
