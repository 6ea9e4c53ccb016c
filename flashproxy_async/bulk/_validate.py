"""Checking a job before anything is bought: unique references, every order valid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._exceptions import RequestValidationError
from .._generated import (
    BillingType,
    CreatePlanRequest,
    DedicatedMobileLocation,
    Duration,
    Product,
)
from .._rules import check_create_plan
from ._orders import PlanOrder

__all__ = ["validate_orders"]


def _known(value: str | None, enum: type[Any], field: str, reference: str) -> Any:
    if value is None:
        return None
    if value not in enum.known_values():
        raise RequestValidationError(
            f"order {reference!r}: unknown {field} {value!r}; expected one of "
            f"{', '.join(sorted(enum.known_values()))}",
            rule=f"order.{field}.unknown",
        )
    return enum(value)


def validate_orders(orders: Sequence[PlanOrder]) -> None:
    """Check a job before anything is bought: unique references, every order valid.

    Raises:
        RequestValidationError: a reference is empty or repeated, or an order breaks
            a product rule; the message names the order.
    """
    seen: set[str] = set()
    duplicates: list[str] = []
    for order in orders:
        if not order.reference.strip():
            raise RequestValidationError("an order has an empty reference", rule="order.reference")
        if order.reference in seen and order.reference not in duplicates:
            duplicates.append(order.reference)
        seen.add(order.reference)
    if duplicates:
        raise RequestValidationError(
            f"references must be unique within a job; repeated: {', '.join(duplicates)}",
            rule="order.reference.unique",
        )
    for order in orders:
        ref = order.reference
        request = CreatePlanRequest(
            product=_known(order.product, Product, "product", ref),
            bandwidth_gb=order.bandwidth_gb,
            duration=_known(order.duration, Duration, "duration", ref),
            billing_type=_known(order.billing_type, BillingType, "billing_type", ref),
            mbps=order.mbps,
            bandwidth_mbps=order.bandwidth_mbps,
            location=_known(order.location, DedicatedMobileLocation, "location", ref),
            quantity=order.quantity,
            pool=order.pool,
            end_user_reference=ref,
        )
        try:
            check_create_plan(request)
        except RequestValidationError as exc:
            raise RequestValidationError(f"order {ref!r}: {exc}", rule=exc.rule) from None
