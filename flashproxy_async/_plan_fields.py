"""The one table of create-plan fields, and which of them each product family needs.

:data:`CREATE_PLAN_FIELDS` is read from the generated ``CreatePlanRequest``, so a
field the spec adds or drops shows up here without hand work. The other layers read
it: ``plans.create`` (its local rules), the bulk order class and its CSV/JSONL
columns, and the CLI's flags. :data:`PRODUCT_VARIANTS` is the API documentation's
table of required parameters (POST /plans); the run-time rules in ``_rules`` read it,
and a test holds the typed overloads of ``plans.create`` to it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping

import attrs

from ._generated import BillingType, CreatePlanRequest, Duration, Product
from ._model_support import OpenStrEnum

__all__ = [
    "BANDWIDTH_PRODUCTS",
    "CREATE_PLAN_FIELDS",
    "HYBRID_PRODUCTS",
    "PRODUCT_VARIANTS",
    "PlanField",
    "ProductVariant",
    "plan_field",
    "variants_of",
]


@attrs.frozen
class PlanField:
    """One field of POST /plans, as every layer names and types it."""

    #: The keyword of ``plans.create``, the body key, the CSV/JSONL column; the CLI
    #: flag is ``--`` + the name with ``-`` for ``_``.
    name: str
    #: ``float``, ``int``, ``str``, ``bool`` or the generated enum class.
    kind: type
    required: bool

    @property
    def enum(self) -> type[OpenStrEnum] | None:
        """The generated enum class when the field is enum-valued."""
        return self.kind if issubclass(self.kind, OpenStrEnum) else None

    @property
    def flag(self) -> str:
        """The CLI option for this field."""
        return "--" + self.name.replace("_", "-")


def _kind_of(hint: object) -> type:
    # ``X | None`` -> X; the generated request uses nothing more complex.
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (kind,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        hint = kind
    if not isinstance(hint, type):
        raise TypeError(f"CreatePlanRequest has a field of unsupported type {hint!r}")
    return hint


def _fields() -> tuple[PlanField, ...]:
    hints = typing.get_type_hints(CreatePlanRequest)
    return tuple(
        PlanField(
            name=field.name,
            kind=_kind_of(hints[field.name]),
            required=field.default is attrs.NOTHING,
        )
        for field in attrs.fields(CreatePlanRequest)
    )


#: Every field of POST /plans, in the spec's order (``product`` first).
CREATE_PLAN_FIELDS: tuple[PlanField, ...] = _fields()


def plan_field(name: str) -> PlanField:
    """The field called ``name``; KeyError when the spec has none."""
    for field in CREATE_PLAN_FIELDS:
        if field.name == name:
            return field
    raise KeyError(name)


#: Billed per GB only (the products table; pools 1-5 included).
BANDWIDTH_PRODUCTS = frozenset(
    {"residential-lite", "residential", "mobile", "pool1", "pool2", "pool3", "pool4", "pool5"}
)
#: Billed per GB or by time ("ipv6_*" in the documentation's rules is the enum's ipv6-*).
HYBRID_PRODUCTS = frozenset({"datacenter", "shared_isp", "ipv6-residential", "ipv6-datacenter"})


@attrs.frozen
class ProductVariant:
    """One row of the required-parameters table: products, when it applies, what it needs.

    A request matches the row when its product is one of ``products`` and, for each
    field of ``when``, its value is one of the values given there. The row's fields
    are ``when``'s keys and ``required``; any other create-plan field is refused.
    """

    name: str
    products: frozenset[str]
    required: tuple[str, ...]
    when: Mapping[str, frozenset[str]] = attrs.field(factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field this row takes beside ``product`` and ``end_user_reference``."""
        return (*self.when, *(name for name in self.required if name not in self.when))

    def matches(self, request: CreatePlanRequest) -> bool:
        """Whether ``request`` falls under this row (its product aside)."""
        for name, values in self.when.items():
            value = getattr(request, name)
            raw = value.value if isinstance(value, OpenStrEnum) else value
            if raw not in values:
                return False
        return True


_NOT_TRIAL = frozenset(value for value in Duration.known_values() if value != Duration.trial)

#: The documentation's POST /plans required-parameters table, most specific row first.
PRODUCT_VARIANTS: tuple[ProductVariant, ...] = (
    ProductVariant("bandwidth", BANDWIDTH_PRODUCTS, ("bandwidth_gb",)),
    ProductVariant(
        "hybrid, billed by bandwidth",
        HYBRID_PRODUCTS,
        ("bandwidth_gb",),
        {"billing_type": frozenset({BillingType.bandwidth.value})},
    ),
    ProductVariant(
        "hybrid, billed by time",
        HYBRID_PRODUCTS,
        ("duration", "mbps"),
        {"billing_type": frozenset({BillingType.time.value})},
    ),
    ProductVariant(
        "unlimited residential trial",
        frozenset({Product.unlimited_residential.value}),
        (),
        {"duration": frozenset({Duration.trial.value})},
    ),
    ProductVariant(
        "unlimited residential",
        frozenset({Product.unlimited_residential.value}),
        ("bandwidth_mbps",),
        {"duration": _NOT_TRIAL},
    ),
    ProductVariant(
        "dedicated mobile",
        frozenset({Product.dedicated_mobile.value}),
        ("duration", "location"),
    ),
    ProductVariant("dedicated ISP", frozenset({Product.dedicated_isp.value}), ("quantity", "pool")),
)


def variants_of(product: str) -> tuple[ProductVariant, ...]:
    """The rows for ``product``; empty for a product the table does not cover."""
    return tuple(variant for variant in PRODUCT_VARIANTS if product in variant.products)
