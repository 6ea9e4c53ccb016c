"""A plain iterator over an async iterator that lives on the client's loop thread."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any, Literal, TypeVar

from ._portal import PortalRunner

__all__ = ["SyncIterator"]

T = TypeVar("T")


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
