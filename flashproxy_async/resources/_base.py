"""What every resource shares: the operation marker, the base class, argument coercion.

Coercion lives here rather than in each resource so that every method checks
path IDs and enum-valued parameters the same way, before any request is spent.
"""

from __future__ import annotations

import functools
import re
import uuid
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from urllib.parse import quote

from .._exceptions import RequestValidationError
from .._generated import Plan
from .._generated import deprecations as _deprecations
from .._model_support import OpenStrEnum

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = [
    "OPERATION_ATTRIBUTE",
    "AsyncResource",
    "PlanRef",
    "ResourceSlot",
    "enum_param",
    "operation",
    "plan_id_of",
    "required_text",
    "resources_of",
]

F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=OpenStrEnum)

#: The attribute ``@operation`` sets on a method: the operationId it implements.
OPERATION_ATTRIBUTE = "__flashproxy_operation_id__"

#: A plan, named by its ID as a string, as a UUID, or by the plan itself.
PlanRef = str | uuid.UUID | Plan

#: A UUID already in the form ``str(uuid.UUID(...))`` gives: the common case, checked
#: in 0.3 us rather than parsed and printed again in 2.5 us.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def operation(operation_id: str) -> Callable[[F], F]:
    """Mark a method as the implementation of the openapi.json ``operation_id``.

    When the spec deprecates the operation, or some of its parameters, the method
    warns with :class:`DeprecationWarning` at the call (for parameters: when given).
    """

    def mark(function: F) -> F:
        setattr(function, OPERATION_ATTRIBUTE, operation_id)
        return _warn_when_deprecated(function, operation_id)

    return mark


def _warn_when_deprecated(function: F, operation_id: str) -> F:
    whole = operation_id in _deprecations.DEPRECATED_OPERATIONS
    parameters = _deprecations.DEPRECATED_PARAMETERS.get(operation_id, frozenset())
    if not whole and not parameters:
        return function
    name = function.__qualname__

    @functools.wraps(function)
    def warned(*args: Any, **kwargs: Any) -> Any:
        # Warned here, at the call, not when the coroutine first runs: the warning
        # then points at the caller's line.
        if whole:
            warnings.warn(
                f"{name} ({operation_id}) is deprecated in the API spec",
                DeprecationWarning,
                stacklevel=2,
            )
        for given in sorted(parameters & {k for k, v in kwargs.items() if v is not None}):
            warnings.warn(
                f"{name}: the {given!r} parameter is deprecated in the API spec",
                DeprecationWarning,
                stacklevel=2,
            )
        return function(*args, **kwargs)

    return warned  # type: ignore[return-value]


class AsyncResource:
    """Base of the resource classes: holds the client that sends their requests."""

    def __init__(self, client: AsyncFlashProxy) -> None:
        self._client = client


R = TypeVar("R", bound=AsyncResource)


class ResourceSlot(Generic[R]):
    """A resource attribute of the client class: ``plans = ResourceSlot(AsyncPlans)``.

    The client's slots are the one list of its resources: the blocking client and the
    spec-coverage test read them with :func:`resources_of`. The resource is built on
    first access and then kept in the client's ``__dict__``.
    """

    def __init__(self, cls: type[R]) -> None:
        self.cls = cls
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, client: None, owner: type) -> ResourceSlot[R]: ...

    @overload
    def __get__(self, client: AsyncFlashProxy, owner: type) -> R: ...

    def __get__(self, client: AsyncFlashProxy | None, owner: type) -> R | ResourceSlot[R]:
        if client is None:
            return self
        resource = self.cls(client)
        client.__dict__[self.name] = resource
        return resource


def resources_of(client_class: type) -> Mapping[str, type[AsyncResource]]:
    """Attribute name -> resource class, for every :class:`ResourceSlot` of a client class."""
    found: dict[str, type[AsyncResource]] = {}
    for klass in reversed(client_class.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, ResourceSlot):
                found[name] = member.cls
    return found


def plan_id_of(plan: PlanRef) -> str:
    """The canonical plan ID string for a path, from a str, a UUID or a Plan.

    Raises:
        RequestValidationError: the string is not a UUID, or not a str, UUID or Plan.
    """
    # A string first: that is how IDs arrive from files, queues and the command line.
    if type(plan) is str and _CANONICAL_UUID.fullmatch(plan):
        return plan
    if isinstance(plan, Plan):
        return str(plan.plan_id)
    if isinstance(plan, uuid.UUID):
        return str(plan)
    if isinstance(plan, str):
        try:
            return str(uuid.UUID(plan))
        except ValueError:
            raise RequestValidationError(
                f"plan_id must be a UUID, got {plan!r}", rule="plan_id.uuid"
            ) from None
    raise RequestValidationError(
        f"plan_id must be a str, UUID or Plan, got {type(plan).__name__}", rule="plan_id.type"
    )


def required_text(value: str, name: str) -> str:
    """``value`` when it is a non-blank string, quoted for use as a path segment."""
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(f"{name} must be a non-empty string", rule=f"{name}.required")
    return quote(value, safe="")


def enum_param(value: E | str, cls: type[E], name: str) -> E:
    """``value`` as a documented member of ``cls``.

    Response-side enums tolerate unknown values; request-side ones must not, or a
    typo would be spent as a request and come back as a 400.

    Raises:
        RequestValidationError: the value is not one ``cls`` documents.
    """
    raw = value.value if isinstance(value, OpenStrEnum) else value
    if isinstance(raw, str) and raw in cls.known_values():
        return cls(raw)
    allowed = ", ".join(sorted(cls.known_values()))
    raise RequestValidationError(
        f"{name} must be one of {allowed}; got {value!r}", rule=f"{name}.enum"
    )
