"""The event loop behind the blocking client: an anyio blocking portal on a thread it owns.

One :class:`PortalRunner` serves a blocking client and its ``with_options`` copies.
The loop thread (``anyio.run`` hosting a ``BlockingPortal``) starts on the first call
and runs every coroutine of the async client; ``close()`` cancels the calls still
running, closes the async client inside the loop, and ends the thread. A forked child
forgets its parent's portal (its thread did not survive the fork) and starts its own,
with a fresh async client, on first use.

A call is handed to the loop with one ``loop.call_soon_threadsafe``, which starts its
task there; the task's done callback stores the outcome and releases a lock the caller
waits on. Neither ``BlockingPortal.call`` (two thread round trips: 140 us of CPU per
call on the benchmark machine) nor ``asyncio.run_coroutine_threadsafe`` (a
``concurrent.futures.Future`` chained to the task both ways, and a fresh condition
lock per wait) is on the path: the hop costs one wake-up each way and nothing more.
Ctrl-C while waiting cancels the task beneath. The loop is always asyncio, since
``anyio.run`` is told so.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
import warnings
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Generic, Protocol, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from .._exceptions import ClientClosedError

__all__ = ["BlockingCallInEventLoopWarning", "PortalRunner"]

T = TypeVar("T")


class _Closeable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=_Closeable)

#: Lock waits are interruptible by Ctrl-C on POSIX only; elsewhere a waiting caller
#: notices KeyboardInterrupt at the end of each slice of this many seconds.
_WAIT_SLICE = 0.25
#: How long a garbage-collected, unclosed client may hold up the collecting thread (or
#: interpreter exit) while its loop cancels its calls and closes its session.
_FINALIZE_JOIN_TIMEOUT = 2.0

_CLOSED_MESSAGE = "the client is closed; create a new FlashProxy"
_OWN_THREAD_MESSAGE = (
    "a blocking FlashProxy call was made from the client's own event-loop thread (from "
    "async code the client itself runs, such as a limiter or a callback); it would wait "
    "for itself forever. Use AsyncFlashProxy with await in async code."
)


class BlockingCallInEventLoopWarning(UserWarning):
    """A blocking :class:`~flashproxy_async.sync.FlashProxy` call was made from a thread
    that is running an event loop (a coroutine, or a Jupyter cell).

    The call still works, since it runs on the client's own loop thread, but the calling
    loop is stalled until it returns. In async code use ``AsyncFlashProxy`` with
    ``await``; in a notebook, where stalling the kernel's loop is harmless, silence it
    with ``warnings.simplefilter("ignore", BlockingCallInEventLoopWarning)``.
    """


class _Generation(Generic[C]):
    """One process's loop thread, its portal, and the async client it runs."""

    def __init__(self, client: C) -> None:
        self.client = client
        self.portal: BlockingPortal | None = None
        self.thread_id: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: anyio.Event | None = None
        self._stopping = False
        self._calls: set[asyncio.Task[Any]] = set()
        self.failure: BaseException | None = None

    def start(self) -> None:
        """Start the loop thread and wait until its portal is up."""
        started: concurrent.futures.Future[None] = concurrent.futures.Future()
        # A daemon thread: a client nobody closed must not keep the process alive.
        thread = threading.Thread(
            target=self._run, args=(started,), name="flashproxy-portal", daemon=True
        )
        self._thread = thread
        thread.start()
        started.result()

    def _run(self, started: concurrent.futures.Future[None]) -> None:
        try:
            anyio.run(self._serve, started, backend="asyncio")
        except BaseException as exc:
            if started.done():
                self.failure = exc  # raised again by close(), in the closing thread
            else:
                started.set_exception(exc)

    async def _serve(self, started: concurrent.futures.Future[None]) -> None:
        try:
            async with BlockingPortal() as portal:
                self._stop = anyio.Event()
                self.loop = asyncio.get_running_loop()
                self.thread_id = threading.get_ident()
                self.portal = portal
                started.set_result(None)
                await self._stop.wait()
                self._stopping = True
                calls = list(self._calls)
                for call in calls:
                    call.cancel()
                if calls:
                    await asyncio.wait(calls)
                await portal.stop(cancel_remaining=True)
        finally:
            # Every call has ended by now, so the session closes with nothing in flight.
            await self.client.close()

    def submit(self, call: _Call[Any]) -> None:
        """Hand ``call`` to the loop; its task starts there. Never blocks.

        Raises:
            ClientClosedError: the loop has ended.
        """
        assert self.loop is not None
        try:
            self.loop.call_soon_threadsafe(self._start, call)
        except RuntimeError:  # the loop ended: closed by another thread since running()
            raise ClientClosedError(_CLOSED_MESSAGE) from None

    def _start(self, call: _Call[Any]) -> None:
        # On the loop thread.
        if call.abandoned:
            call.settle(concurrent.futures.CancelledError())
        elif self._stopping:
            call.settle(ClientClosedError(_CLOSED_MESSAGE))
        else:
            call.task = asyncio.ensure_future(self._drive(call))

    async def _drive(self, call: _Call[Any]) -> None:
        # Settled from inside the task rather than by a done callback: one trip
        # round the loop fewer per call.
        task = asyncio.current_task()
        assert task is not None
        self._calls.add(task)
        try:
            result = await call.function(*call.args)
        except asyncio.CancelledError:
            call.settle(concurrent.futures.CancelledError())
            raise
        except BaseException as exc:
            call.settle(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            call.settle(None, result)
        finally:
            self._calls.discard(task)

    def cancel(self, call: _Call[Any]) -> None:
        """Ctrl-C in the caller: cancel ``call``'s task, or keep it from starting."""
        call.abandoned = True
        assert self.loop is not None
        with contextlib.suppress(RuntimeError):  # the loop has ended: nothing runs
            self.loop.call_soon_threadsafe(call.cancel_task)

    def request_stop(self) -> None:
        """Ask the loop to cancel its calls, close the client and end; never blocks.

        Only for a started generation.
        """
        assert self.loop is not None and self._stop is not None
        with contextlib.suppress(RuntimeError):  # the loop has already ended
            self.loop.call_soon_threadsafe(self._stop.set)

    def is_alive(self) -> bool:
        assert self._thread is not None
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        assert self._thread is not None
        self._thread.join(timeout)


class _Call(Generic[T]):
    """One blocking call: what to run, and its outcome once the loop has settled it."""

    __slots__ = ("abandoned", "args", "done", "error", "function", "result", "task")

    def __init__(self, function: Callable[..., Coroutine[Any, Any, T]], args: tuple[Any, ...]):
        self.function = function
        self.args = args
        # Held until the loop settles the call: the caller's wait is an acquire.
        self.done = threading.Lock()
        self.done.acquire()
        self.abandoned = False
        self.task: asyncio.Task[Any] | None = None
        self.error: BaseException | None = None
        self.result: Any = None

    def settle(self, error: BaseException | None, result: Any = None) -> None:
        self.error, self.result = error, result
        self.done.release()

    def cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()


class _State(Generic[C]):
    """What a runner's finaliser needs: everything but the runner itself."""

    def __init__(self, make_client: Callable[[], C], client: C) -> None:
        self.make_client = make_client
        self.lock = threading.Lock()
        self.generation: _Generation[C] | None = _Generation(client)
        self.closed = False
        _LIVE_STATES.add(self)

    def current(self) -> _Generation[C]:
        """This process's generation, made (portal not started) if there is none yet."""
        generation = self.generation
        if generation is None:
            with self.lock:
                generation = self._current_locked()
        return generation

    def _current_locked(self) -> _Generation[C]:
        if self.generation is None:
            self.generation = _Generation(self.make_client())
        return self.generation

    def running(self) -> _Generation[C]:
        """This process's generation with its portal started, ready for a call.

        Raises:
            ClientClosedError: the client is closed.
            RuntimeError: called from the loop thread itself.
        """
        generation = self.generation
        if self.closed or generation is None or generation.portal is None:
            with self.lock:
                if self.closed:
                    raise ClientClosedError(_CLOSED_MESSAGE)
                generation = self._current_locked()
                if generation.portal is None:  # else another thread started it meanwhile
                    generation.start()
        if generation.thread_id == threading.get_ident():
            raise RuntimeError(_OWN_THREAD_MESSAGE)
        return generation

    def forget_parent(self) -> None:
        """In a forked child: drop the parent's portal, whose thread did not survive."""
        # The parent's thread may have held the lock at the fork; it will never release it.
        self.lock = threading.Lock()
        generation = self.generation
        if generation is not None and generation.portal is not None:
            # Its sockets are the parent's: never close them here, never even collect them.
            _INHERITED_FROM_PARENT.append(generation)
            self.generation = None


_LIVE_STATES: weakref.WeakSet[_State[Any]] = weakref.WeakSet()
_INHERITED_FROM_PARENT: list[_Generation[Any]] = []


def _forget_parents() -> None:
    for state in list(_LIVE_STATES):
        state.forget_parent()


if hasattr(os, "register_at_fork"):  # pragma: no branch - absent only on Windows
    os.register_at_fork(after_in_child=_forget_parents)


def _collect(state: _State[Any]) -> None:
    """The finaliser of a runner collected (or alive at exit) without ``close()``."""
    generation = state.generation
    if state.closed or generation is None or generation.portal is None:
        return
    # No lock here: the collecting thread may be the one holding it.
    state.closed = True
    warnings.warn(
        "unclosed FlashProxy client: use 'with FlashProxy() as client:' or call client.close()",
        ResourceWarning,
        stacklevel=2,
    )
    generation.request_stop()
    if generation.thread_id != threading.get_ident():
        generation.join(_FINALIZE_JOIN_TIMEOUT)


def _submit_and_wait(call: _Call[T], state: _State[Any], generation: _Generation[Any]) -> T:
    try:
        # Submitted inside the try: an interrupt the moment the call starts still
        # cancels it.
        generation.submit(call)
        while not call.done.acquire(timeout=_WAIT_SLICE):
            if not generation.is_alive():  # closed before the loop could start it
                raise ClientClosedError("the client was closed during the call") from None
    except BaseException:
        # Ctrl-C while waiting: abandon the call, and cancel its task in the loop.
        generation.cancel(call)
        raise
    error = call.error
    if error is None:
        result: T = call.result
        return result
    call.error = None  # no cycle through the traceback
    if isinstance(error, concurrent.futures.CancelledError) and state.closed:
        raise ClientClosedError("the client was closed during the call") from None
    raise error


class PortalRunner(Generic[C]):
    """Runs coroutines for blocking callers on a loop thread it owns.

    ``make_client`` builds the async client; it is called once here, in the caller's
    thread (so bad arguments raise at once), and again in a forked child.
    """

    def __init__(self, make_client: Callable[[], C]) -> None:
        self._state = _State(make_client, make_client())
        self._finalizer = weakref.finalize(self, _collect, self._state)

    @property
    def client(self) -> C:
        """This process's async client. Use it only inside :meth:`run`'s coroutines,
        or to read its settings."""
        return self._state.current().client

    @property
    def generation(self) -> object:
        """An identity that changes when a forked child drops its parent's portal."""
        return self._state.generation

    @property
    def closed(self) -> bool:
        return self._state.closed

    def run(
        self, function: Callable[..., Coroutine[Any, Any, T]], *args: Any, stacklevel: int = 1
    ) -> T:
        """Await ``function(*args)`` on the loop thread and return its result, blocking.

        ``stacklevel`` names the frame a BlockingCallInEventLoopWarning points at:
        1 is the caller of ``run``.

        Raises:
            ClientClosedError: the client is closed, or was closed during the call.
            RuntimeError: called from the loop thread itself.
            BaseException: whatever ``function`` raised.
        """
        state = self._state
        generation = state.running()
        if asyncio._get_running_loop() is not None:
            warnings.warn(
                "a blocking FlashProxy call stalls the event loop running in this thread "
                "until it returns; use AsyncFlashProxy with await in async code",
                BlockingCallInEventLoopWarning,
                stacklevel=stacklevel + 1,
            )
        return _submit_and_wait(_Call(function, args), state, generation)

    def close(self) -> None:
        """Cancel running calls, close the async client, end the loop thread. Idempotent.

        Raises:
            RuntimeError: called from the loop thread itself.
            BaseException: what closing the async client raised.
        """
        state = self._state
        generation = state.generation
        if generation is not None and generation.thread_id == threading.get_ident():
            raise RuntimeError(_OWN_THREAD_MESSAGE)
        with state.lock:
            if state.closed:
                return
            state.closed = True
            generation = state.generation
        self._finalizer.detach()
        if generation is not None and generation.portal is not None:
            generation.request_stop()
            generation.join()
            if generation.failure is not None:
                raise generation.failure
