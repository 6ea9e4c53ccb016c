"""Blocking views of the async resources, made by introspection: no twin classes.

:class:`SyncResource` wraps whatever async resource it is given. Each public method
of the resource's class becomes, on first access, a blocking function with the same
name, parameters, defaults and docstring, which awaits the async method on the
client's loop thread. A method that returns an async iterator (the paginated lists)
returns a :class:`SyncIterator` instead. A nested async resource becomes a nested
``SyncResource``. So a method added to an async resource is at once on the blocking
client, with its signature.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from .._raw_response import RawResponse, RawView
from ..resources import AsyncPaginator, AsyncResource, Page
from ._iterator import SyncIterator
from ._pages import SyncPage, SyncPaginator
from ._portal import PortalRunner

__all__ = ["SyncIterator", "SyncRawView", "SyncResource"]

R = TypeVar("R")
T = TypeVar("T")

#: The module the blocking functions report, as the public door for them.
PUBLIC_MODULE = "flashproxy_async.sync"


_ASYNC_ITERATOR_ORIGINS = (
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
)
_ASYNC_ITERATOR_NAMES = frozenset(origin.__name__ for origin in _ASYNC_ITERATOR_ORIGINS)
#: Result types the blocking client returns in their blocking form.
_BLOCKING_NAMES = {"AsyncPaginator": "SyncPaginator", "Page": "SyncPage"}


def _first_type_argument(arguments: str) -> str:
    depth = 0
    for index, char in enumerate(arguments):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            return arguments[:index].strip()
    return arguments.strip()


def _iterator_annotation(annotation: Any) -> Any:
    """``AsyncIterator[X]`` (a string under postponed annotations, or a type) as
    ``SyncIterator[X]``; anything else as it is."""
    if isinstance(annotation, str):
        head, bracket, rest = annotation.partition("[")
        name = head.rsplit(".", 1)[-1]
        if bracket and name in _ASYNC_ITERATOR_NAMES:
            return f"SyncIterator[{_first_type_argument(rest[:-1])}]"
        if bracket and name in _BLOCKING_NAMES:
            return f"{_BLOCKING_NAMES[name]}[{rest}"
        return annotation
    if typing.get_origin(annotation) in _ASYNC_ITERATOR_ORIGINS:
        return SyncIterator[typing.get_args(annotation)[0]]  # type: ignore[misc]
    return annotation


@attrs.frozen
class _MethodSpec:
    """What a blocking function copies from an async method: computed once per class."""

    function: Callable[..., Any]
    awaits: bool
    signature: inspect.Signature
    doc: str


_SPECS: dict[tuple[type, str], _MethodSpec | None] = {}


def _method_spec(cls: type, name: str) -> _MethodSpec | None:
    """The blocking form of ``cls.name``, or None when that is not a public method."""
    key = (cls, name)
    if key not in _SPECS:
        _SPECS[key] = _make_spec(cls, name)
    return _SPECS[key]


def _make_spec(cls: type, name: str) -> _MethodSpec | None:
    function = inspect.getattr_static(cls, name, None)
    if name.startswith("_") or not inspect.isfunction(function):
        return None
    awaits = inspect.iscoroutinefunction(function)
    signature = inspect.signature(function)
    returns = signature.return_annotation
    note = f"Blocking: runs ``{cls.__name__}.{name}`` on the client's event-loop thread"
    returns = _iterator_annotation(returns)
    if returns != signature.return_annotation:
        note += (
            "; returns a SyncIterator in place of the async iterator"
            if not awaits
            else "; returns a SyncPage"
        )
    doc = (inspect.getdoc(function) or "").rstrip()
    return _MethodSpec(
        function=function,
        awaits=awaits,
        signature=signature.replace(
            parameters=list(signature.parameters.values())[1:],  # without self
            return_annotation=returns,
        ),
        doc=f"{doc}\n\n{note}." if doc else f"{note}.",
    )


async def _await_method(
    locate: Callable[[], Any], name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Any:
    return await getattr(locate(), name)(*args, **kwargs)


async def _call_method(
    locate: Callable[[], Any], name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Any:
    result = getattr(locate(), name)(*args, **kwargs)
    # A paginator is awaitable (to its first page), but is returned as it is.
    if inspect.isawaitable(result) and not isinstance(result, AsyncPaginator):
        return await result
    return result


def _blocking_result(runner: PortalRunner[Any], result: Any) -> Any:
    """An async-only result in its blocking form."""
    if isinstance(result, AsyncPaginator):
        return SyncPaginator(runner, result)
    if isinstance(result, AsyncIterator):
        return SyncIterator(runner, result)
    if isinstance(result, Page):
        return SyncPage(runner, result)
    if isinstance(result, RawResponse) and isinstance(result.parsed, Page):
        return attrs.evolve(result, parsed=SyncPage(runner, result.parsed))
    return result


def _blocking(
    spec: _MethodSpec, runner: PortalRunner[Any], locate: Callable[[], Any], path: str
) -> Callable[..., Any]:
    name = spec.function.__name__
    call: Callable[..., Any]
    if spec.awaits:

        def call(*args: Any, **kwargs: Any) -> Any:
            result = runner.run(_await_method, locate, name, args, kwargs, stacklevel=2)
            return _blocking_result(runner, result)

    else:

        def call(*args: Any, **kwargs: Any) -> Any:
            result = runner.run(_call_method, locate, name, args, kwargs, stacklevel=2)
            return _blocking_result(runner, result)

    functools.update_wrapper(call, spec.function)
    call.__module__ = PUBLIC_MODULE
    call.__qualname__ = f"FlashProxy.{path}"
    call.__doc__ = spec.doc
    call.__signature__ = spec.signature  # type: ignore[attr-defined]
    return call


class SyncResource(Generic[R]):
    """The blocking view of one async resource: ``FlashProxy().plans`` wraps ``AsyncPlans``.

    Every public method of the async resource is here, blocking, with the same
    parameters (``help()``, ``inspect.signature`` and notebook completion show them).
    Methods returning async iterators return :class:`SyncIterator`. The methods are
    found at run time, so to a type checker they return ``Any``; ``R`` names the async
    resource whose documentation and types apply.
    """

    def __init__(self, runner: PortalRunner[Any], locate: Callable[[], R], *, path: str) -> None:
        self._runner = runner
        self._locate = locate
        self._path = path
        self._resource_type: type[Any] = type(locate())

    if TYPE_CHECKING:
        # Reached through __getattr__ at run time; named here for type checkers.
        with_raw_response: SyncRawView

    def _run(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call the async method ``name`` on the loop thread; what the typed methods use."""
        result = self._runner.run(_call_method, self._locate, name, args, kwargs, stacklevel=3)
        return _blocking_result(self._runner, result)

    if not TYPE_CHECKING:
        # Hidden from type checkers: a misspelt method on a typed resource must be a
        # static error. At run time, a member the generated surface does not copy (a
        # property, say) is still reached here.
        def __getattr__(self, name: str) -> Any:
            return self._dynamic_member(name)

    def _dynamic_member(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = _method_spec(self._resource_type, name)
        value: Any
        if spec is not None:
            value = _blocking(spec, self._runner, self._locate, f"{self._path}.{name}")
        elif name == "with_raw_response":
            parent = self._locate
            value = SyncRawView(
                self._runner,
                lambda: cast(Any, parent()).with_raw_response,
                self._resource_type,
                path=f"{self._path}.{name}",
            )
        elif isinstance(getattr(self._locate(), name, None), AsyncResource):
            parent = self._locate
            value = SyncResource(
                self._runner, lambda: getattr(parent(), name), path=f"{self._path}.{name}"
            )
        else:
            raise AttributeError(
                f"{self._resource_type.__name__} has no public method or resource {name!r}"
            )
        # Cached: later lookups are plain attribute reads.
        self.__dict__[name] = value
        return value

    def __dir__(self) -> list[str]:
        resource = self._locate()
        methods = {name for name in dir(self._resource_type) if _method_spec(type(resource), name)}
        nested = {
            name
            for name, value in vars(resource).items()
            if not name.startswith("_") and isinstance(value, AsyncResource)
        }
        raw = {"with_raw_response"} if hasattr(resource, "with_raw_response") else set()
        return sorted({*super().__dir__(), *methods, *nested, *raw})

    def __repr__(self) -> str:
        return f"<SyncResource {self._path}: {self._resource_type.__name__}>"


class SyncRawView:
    """``FlashProxy().plans.with_raw_response``: each method, blocking, returning a
    :class:`~flashproxy_async.RawResponse` (a ``*_page`` method's holds a ``SyncPage``)."""

    def __init__(
        self,
        runner: PortalRunner[Any],
        locate: Callable[[], RawView],
        resource_type: type[Any],
        *,
        path: str,
    ) -> None:
        self._runner = runner
        self._locate = locate
        self._resource_type = resource_type
        self._path = path

    def __getattr__(self, name: str) -> Any:
        spec = _method_spec(self._resource_type, name)
        if spec is None:
            raise AttributeError(f"{self._resource_type.__name__} has no public method {name!r}")
        runner, locate = self._runner, self._locate

        def call(*args: Any, **kwargs: Any) -> Any:
            result = runner.run(_await_method, locate, name, args, kwargs, stacklevel=2)
            return _blocking_result(runner, result)

        functools.update_wrapper(call, spec.function)
        call.__module__ = PUBLIC_MODULE
        call.__qualname__ = f"FlashProxy.{self._path}.{name}"
        call.__signature__ = spec.signature.replace(  # type: ignore[attr-defined]
            return_annotation=f"RawResponse[{spec.function.__annotations__.get('return', 'Any')}]"
        )
        self.__dict__[name] = call
        return call

    def __repr__(self) -> str:
        return f"<SyncRawView {self._path}: {self._resource_type.__name__}>"
