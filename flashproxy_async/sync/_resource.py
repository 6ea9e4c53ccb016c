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
import enum
import functools
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import attrs

from ..resources import AsyncResource
from ._portal import PortalRunner

__all__ = ["SyncIterator", "SyncResource"]

R = TypeVar("R")
T = TypeVar("T")

#: The module the blocking functions report, as the public door for them.
PUBLIC_MODULE = "flashproxy_async.sync"


class _End(enum.Enum):
    END = enum.auto()


_END = _End.END


async def _next_or_end(source: AsyncIterator[T]) -> T | Literal[_End.END]:
    # StopAsyncIteration is not sent across the portal: it ends iteration, not the call.
    try:
        return await source.__anext__()
    except StopAsyncIteration:
        return _END


async def _aclose(source: AsyncIterator[Any]) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        await aclose()


class SyncIterator(Iterator[T]):
    """A plain iterator over an async iterator that lives on the client's loop thread.

    Each ``next()`` fetches the next item there, so a paginated list fetches one page
    at a time, when it is reached. ``close()``, or the end of a ``with`` block, closes
    the async iterator at once; one dropped unfinished is closed by the loop when it is
    collected. Like a generator, one iterator is not for several threads at once.
    """

    def __init__(self, runner: PortalRunner[Any], source: AsyncIterator[T]) -> None:
        self._runner = runner
        self._source = source
        self._generation = runner.generation
        self._started = False
        self._finished = False

    def __iter__(self) -> SyncIterator[T]:
        return self

    def _check_process(self) -> None:
        if self._runner.generation is not self._generation:
            raise RuntimeError(
                "this iterator was made before os.fork() and its loop is in the parent "
                "process; call the list method again in this process"
            )

    def __next__(self) -> T:
        """The next item.

        Raises:
            StopIteration: no more items.
            APIError: as the async iterator, while fetching a page.
            ClientClosedError: the client is closed.
        """
        if self._finished:
            raise StopIteration
        self._check_process()
        self._started = True
        try:
            item: T | Literal[_End.END] = self._runner.run(_next_or_end, self._source, stacklevel=2)
        except BaseException:
            self._finished = True
            raise
        if item is _END:
            self._finished = True
            raise StopIteration
        return item

    def close(self) -> None:
        """Close the async iterator, running its cleanup now. Idempotent."""
        if self._finished:
            return
        self._finished = True
        if self._started and not self._runner.closed:
            self._check_process()
            self._runner.run(_aclose, self._source, stacklevel=2)

    def __enter__(self) -> SyncIterator[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_ASYNC_ITERATOR_ORIGINS = (
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
)
_ASYNC_ITERATOR_NAMES = frozenset(origin.__name__ for origin in _ASYNC_ITERATOR_ORIGINS)


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
        if bracket and head.rsplit(".", 1)[-1] in _ASYNC_ITERATOR_NAMES:
            return f"SyncIterator[{_first_type_argument(rest[:-1])}]"
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
    if not awaits:
        returns = _iterator_annotation(returns)
        if returns is not signature.return_annotation:
            note += "; returns a SyncIterator in place of the async iterator"
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
    if inspect.isawaitable(result):
        return await result
    return result


def _blocking(
    spec: _MethodSpec, runner: PortalRunner[Any], locate: Callable[[], Any], path: str
) -> Callable[..., Any]:
    name = spec.function.__name__
    call: Callable[..., Any]
    if spec.awaits:

        def call(*args: Any, **kwargs: Any) -> Any:
            return runner.run(_await_method, locate, name, args, kwargs, stacklevel=2)

    else:

        def call(*args: Any, **kwargs: Any) -> Any:
            result = runner.run(_call_method, locate, name, args, kwargs, stacklevel=2)
            if isinstance(result, AsyncIterator):
                return SyncIterator(runner, result)
            return result

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

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = _method_spec(self._resource_type, name)
        value: Any
        if spec is not None:
            value = _blocking(spec, self._runner, self._locate, f"{self._path}.{name}")
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
        return sorted({*super().__dir__(), *methods, *nested})

    def __repr__(self) -> str:
        return f"<SyncResource {self._path}: {self._resource_type.__name__}>"
