"""The event loop behind the blocking client, run by the threads that call it.

One :class:`PortalRunner` serves a blocking client and its ``with_options`` copies. Each
process generation has one asyncio loop and one async client, shared by every thread.
The loop has no thread of its own to run on: whoever holds the *baton* runs it, and
only for as long as it has a reason to.

* A caller that finds nobody running the loop takes the baton and runs the loop
  (``run_forever``, stopped when its call settles) in its own thread. Unless the last
  driver left it a moment ago, its call starts in the loop's first round, after that
  round's poll, so that what came in while nobody ran the loop (a keep-alive connection
  the server closed) is read first. No thread is woken: handing every call to a loop
  thread (a wake-up each way, the GIL passed twice) put the blocking client at 1.6 times
  the async client's CPU per call on the 2-core benchmark machine, and running the loop
  in the caller at about 1.2 times.
* A caller that arrives while another thread runs the loop hands its call over with one
  ``loop.call_soon_threadsafe`` and waits on a lock that settling the call releases.
* A driver whose own call has settled passes the baton on before it returns: to the
  oldest caller still waiting, whose lock it releases so that it runs the loop itself;
  else to the loop thread, when something no caller can run is left (a call from a
  thread that cannot run this loop, a cancelled call still unwinding, a task the client
  spawned, a stop); else to nobody. A waiting call therefore always has a driver.
* The loop thread (``flashproxy-portal``, started with the generation) is the driver
  of last resort. It starts the loop, hosts the keeper task (which holds an anyio
  ``BlockingPortal`` open, so anyio is proven to work on the loop before any call runs,
  and which closes the async client at the end), and serves every call for the first
  :data:`_STARTUP_SERVE` seconds, so that threads racing to start a client are served by
  one thread. It serves calls from threads that already run an event loop (those cannot
  run a second one), and it alone runs the stop: ``close()`` has it cancel the calls,
  close the async client inside the loop, shut the loop down and end.

A main thread that runs the loop handles SIGINT as ``asyncio.Runner`` does: while it
drives, and only if the handler is Python's default, a handler of ours has the loop
cancel the call (so KeyboardInterrupt is never raised inside the loop's own code) and
the call then raises KeyboardInterrupt; a second Ctrl-C while it unwinds raises at
once. A waiting caller's Ctrl-C cancels its task through the driver, as before. A forked
child forgets its parent's generation (its threads did not survive the fork) and starts
its own, with a fresh async client, on first use.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import signal
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Coroutine
from types import FrameType
from typing import Any, Generic, Protocol, TypeVar

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
#: How long a new generation's loop thread serves every call itself.
_STARTUP_SERVE = 0.1
#: A loop left by its last driver less than this many seconds ago starts a call at once:
#: it has had no time to miss anything a poll would read first.
_FRESH_LOOP = 0.001
#: How often the loop thread, running tasks the client spawned, looks whether they ended.
_BACKGROUND_POLL = 0.05

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


class _Home:
    """The baton's holder when the loop thread runs the loop."""


_HOME = _Home()


class _Generation(Generic[C]):
    """One process's loop, its loop thread, and the async client it runs."""

    def __init__(self, client: C) -> None:
        self.client = client
        self.portal: BlockingPortal | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._stopping = False
        self._home_driving = False
        self._calls: set[asyncio.Task[Any]] = set()
        self.failure: BaseException | None = None
        self._reset()

    def _reset(self) -> None:
        # Everything below is guarded by _mutex, except where noted.
        self._mutex = threading.Lock()
        self._driver: _Call[Any] | _Home | None = _HOME
        # Calls not yet settled; and, in arrival order, those whose callers wait and
        # could run the loop themselves (a dict: settling removes one in O(1)).
        self._open: set[_Call[Any]] = set()
        self._waiting: dict[_Call[Any], None] = {}
        # Set without the mutex, by request_stop: a finaliser may run while it is held.
        self._stop_requested = False
        self._ended = False
        self._idle_since = 0.0
        # Held while the loop thread has nothing to do; released to wake it.
        self._home_turn = threading.Lock()
        self._home_turn.acquire()
        # Weak, as asyncio's own record: a task nobody holds may still be collected.
        self._spawned: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

    def start(self) -> None:
        """Start the loop thread and wait until the loop and its keeper are up."""
        self._reset()
        started: concurrent.futures.Future[None] = concurrent.futures.Future()
        # A daemon thread: a client nobody closed must not keep the process alive.
        thread = threading.Thread(
            target=self._home, args=(started,), name="flashproxy-portal", daemon=True
        )
        self._thread = thread
        thread.start()
        started.result()

    # The loop thread.

    def _home(self, started: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        ready: asyncio.Future[None] = loop.create_future()
        keeper = loop.create_task(self._serve(ready))
        try:
            loop.run_until_complete(ready)
        except BaseException as exc:
            self._finish(loop)
            started.set_exception(exc)
            return
        self._keeper = keeper
        loop.set_task_factory(self._spawn)
        started.set_result(None)
        serve_until = loop.time() + _STARTUP_SERVE
        try:
            while not self._home_drive(serve_until):
                self._home_wait()
                serve_until = 0.0
            loop.run_until_complete(keeper)
        except BaseException as exc:
            self.failure = exc  # raised again by close(), in the closing thread
        finally:
            self._finish(loop)

    async def _serve(self, ready: asyncio.Future[None]) -> None:
        try:
            async with BlockingPortal() as portal:
                self._stop = asyncio.Event()
                self.portal = portal
                ready.set_result(None)
                await self._stop.wait()
                self._stopping = True
                calls = list(self._calls)
                for call in calls:
                    call.cancel()
                if calls:
                    await asyncio.wait(calls)
                await portal.stop(cancel_remaining=True)
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
                return
            raise
        finally:
            # Every call has ended by now, so the session closes with nothing in flight.
            await self.client.close()

    def _spawn(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        # The task factory: a task the client spawns is work that outlives the call
        # that spawned it (a limiter's clean-up), which the loop thread then runs.
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)
        return task

    def _background(self) -> bool:
        # A done task leaves the set one step after it ends, when its callback runs.
        return bool(self._spawned) and any(not task.done() for task in self._spawned)

    def _home_drive(self, serve_until: float) -> bool:
        """Run the loop while something needs it; True once a stop is asked for."""
        loop = self.loop
        assert loop is not None
        while True:
            with self._mutex:
                if self._stop_requested:
                    return True
                now = loop.time()
                if now >= serve_until and not self._open and not self._background():
                    self._pass_baton()
                    return False
            wake = loop.call_at(max(serve_until, now + _BACKGROUND_POLL), loop.stop)
            # Only this run may be stopped by a settled call or a stop request: a stop
            # left for a later run_until_complete would end it before its future.
            self._home_driving = True
            try:
                loop.run_forever()
            finally:
                self._home_driving = False
                wake.cancel()

    def _home_wait(self) -> None:
        """Park until the baton comes back, or until a stop finds nobody driving."""
        while True:
            self._home_turn.acquire()
            with self._mutex:
                if self._driver is _HOME:
                    return
                if self._stop_requested and self._driver is None:
                    self._driver = _HOME
                    return

    def _wake_home(self) -> None:
        # Lock-free, for request_stop; a second release while a wake-up is pending
        # fails harmlessly, since the woken thread reads the state under the mutex.
        with contextlib.suppress(RuntimeError):
            self._home_turn.release()

    def _finish(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._mutex:
            self._ended = True
            self._driver = None
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()

    # Calls.

    def submit(self, call: _Call[Any]) -> None:
        """Give ``call`` the baton (``call.promoted``) or hand it to the driver.

        Raises:
            ClientClosedError: the loop has ended.
        """
        loop = self.loop
        assert loop is not None
        with self._mutex:
            if self._ended:
                raise ClientClosedError(_CLOSED_MESSAGE)
            self._open.add(call)
            if self._driver is None and call.can_drive and not self._stop_requested:
                self._driver = call
                call.promoted = True
            else:
                if call.can_drive:
                    self._waiting[call] = None
                if self._driver is None:
                    self._driver = _HOME
                    self._wake_home()
        if call.promoted:
            if time.monotonic() - self._idle_since < _FRESH_LOOP:
                self._start(call)
            else:
                # Started from the loop's first round, not here: that round's poll reads
                # what came in while nobody ran the loop before the task's first step,
                # so a keep-alive connection the server closed meanwhile is seen closed
                # before the call picks one (a POST sent on it fails).
                loop.call_soon(self._start, call)
            return
        try:
            loop.call_soon_threadsafe(self._start, call)
        except RuntimeError:  # the loop ended: closed by another thread since running()
            raise ClientClosedError(_CLOSED_MESSAGE) from None

    def drive(self, call: _Call[Any]) -> None:
        """Run the loop in this thread until ``call`` settles, then pass the baton on."""
        loop = self.loop
        assert loop is not None
        call.driving = True
        restore = _own_sigint(self, call, loop)
        try:
            while not call.settled:
                loop.run_forever()
        finally:
            call.driving = False
            try:
                with self._mutex:
                    self._pass_baton()
            finally:
                # Restored only now: an interrupt while the baton is passed must not
                # leave it half passed.
                if restore:
                    _raw_signal.signal(signal.SIGINT, signal.default_int_handler)

    def _pass_baton(self) -> None:
        # Under the mutex, by the driver that is leaving.
        for call in self._waiting:
            if not call.abandoned:
                del self._waiting[call]
                self._driver = call
                call.promoted = True
                call.done.release()
                return
        if self._stop_requested or self._open or self._background():
            self._driver = _HOME
            self._wake_home()
        else:
            self._driver = None
            self._idle_since = time.monotonic()

    def _start(self, call: _Call[Any]) -> None:
        # On the loop, by its driver.
        if call.abandoned:
            self._settle(call, concurrent.futures.CancelledError())
        elif self._stopping:
            self._settle(call, ClientClosedError(_CLOSED_MESSAGE))
        else:
            call.task = asyncio.Task(self._run(call), loop=self.loop)

    async def _run(self, call: _Call[Any]) -> None:
        # Settled from inside the task rather than by a done callback: one trip
        # round the loop fewer per call. A task cancelled before its first step never
        # runs this body, so _cancel_call settles that one itself.
        call.running = True
        if self._stopping:  # started after the stop took the list of calls to cancel
            self._settle(call, concurrent.futures.CancelledError())
            return
        task = asyncio.current_task()
        assert task is not None
        self._calls.add(task)
        try:
            result = await call.function(*call.args)
        except asyncio.CancelledError:
            self._settle(call, concurrent.futures.CancelledError())
            raise
        except BaseException as exc:
            self._settle(call, exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self._settle(call, None, result)
        finally:
            self._calls.discard(task)

    def _settle(self, call: _Call[Any], error: BaseException | None, result: Any = None) -> None:
        call.error, call.result = error, result
        with self._mutex:
            call.settled = True
            self._open.discard(call)
            self._waiting.pop(call, None)
            stop = call.driving or (self._home_driving and not self._open)
        # An abandoned call's caller has gone, and may have left its lock released.
        if not call.driving and not call.abandoned:
            call.done.release()
        loop = self.loop
        if stop and loop is not None and loop.is_running():
            loop.stop()

    def cancel(self, call: _Call[Any]) -> None:
        """Ctrl-C in the caller: cancel ``call``'s task, or keep it from starting."""
        call.abandoned = True
        with self._mutex:
            self._waiting.pop(call, None)
            if self._driver is call:  # given the baton, and leaving before running the loop
                self._pass_baton()
        assert self.loop is not None
        with contextlib.suppress(RuntimeError):  # the loop has ended: nothing runs
            self.loop.call_soon_threadsafe(self._cancel_call, call)

    def _cancel_call(self, call: _Call[Any]) -> None:
        # On the loop: Ctrl-C in the caller, waiting or driving.
        task = call.task
        if call.settled:
            return
        if task is None:
            call.abandoned = True  # _start, still to come, settles it as cancelled
        elif call.running:
            task.cancel()
        else:
            task.cancel()
            self._settle(call, concurrent.futures.CancelledError())

    def in_loop(self) -> bool:
        """Whether this thread is running this generation's loop (in the client's code)."""
        loop = self.loop
        return loop is not None and asyncio._get_running_loop() is loop

    def holds_baton_here(self) -> bool:
        driver = self._driver
        return isinstance(driver, _Call) and driver.thread == threading.get_ident()

    def request_stop(self) -> None:
        """Ask the loop to cancel its calls, close the client and end; never blocks.

        Only for a started generation. Takes no lock: a finaliser may call it from a
        thread that holds one.
        """
        assert self.loop is not None
        self._stop_requested = True
        with contextlib.suppress(RuntimeError):  # the loop has already ended
            self.loop.call_soon_threadsafe(self._begin_stop)
        self._wake_home()

    def _begin_stop(self) -> None:
        # On the loop. The driver's own call is cancelled with the rest; the loop
        # thread, if it drives, looks up from the loop at once.
        if self._stop is not None:
            self._stop.set()
        if self._home_driving and self.loop is not None:
            self.loop.stop()

    def is_loop_thread(self) -> bool:
        return self._thread is threading.current_thread()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        assert self._thread is not None
        self._thread.join(timeout)


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    # As asyncio.run does when its main task is done.
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


#: The C functions under ``signal.signal`` and ``signal.getsignal``: the wrappers'
#: conversion of handlers to enums fails (and recovers) for a Python handler, which
#: made swapping the handler cost 30 us per call on the benchmark machine.
_raw_signal: Any = getattr(signal, "_signal", signal)


def _own_sigint(
    generation: _Generation[Any], call: _Call[Any], loop: asyncio.AbstractEventLoop
) -> bool:
    """While the main thread drives: SIGINT cancels ``call`` instead of raising.

    Only over Python's default handler, as ``asyncio.Runner`` does; True if installed.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or _raw_signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        return False

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if call.settled or not call.driving:
            call.interrupted = True  # raised in the caller as soon as drive() returns
            return
        if call.interrupted:
            raise KeyboardInterrupt()  # a second Ctrl-C, while the call unwinds
        call.interrupted = True
        # Deferred to the loop, not done here: this may run inside the loop's own
        # code, or while this thread holds the generation's mutex.
        loop.call_soon_threadsafe(generation._cancel_call, call)

    _raw_signal.signal(signal.SIGINT, on_sigint)
    return True


class _Call(Generic[T]):
    """One blocking call: what to run, and its outcome once the loop has settled it."""

    __slots__ = (
        "abandoned",
        "args",
        "can_drive",
        "done",
        "driving",
        "error",
        "function",
        "interrupted",
        "promoted",
        "result",
        "running",
        "settled",
        "task",
        "thread",
    )

    def __init__(
        self,
        function: Callable[..., Coroutine[Any, Any, T]],
        args: tuple[Any, ...],
        can_drive: bool,
    ):
        self.function = function
        self.args = args
        self.can_drive = can_drive
        self.thread = threading.get_ident()
        # Held until the loop settles the call or passes the baton to its caller: the
        # caller's wait is an acquire.
        self.done = threading.Lock()
        self.done.acquire()
        self.abandoned = False
        self.promoted = False
        self.driving = False
        self.settled = False
        self.running = False
        self.interrupted = False
        self.task: asyncio.Task[Any] | None = None
        self.error: BaseException | None = None
        self.result: Any = None


class _State(Generic[C]):
    """What a runner's finaliser needs: everything but the runner itself."""

    def __init__(self, make_client: Callable[[], C], client: C) -> None:
        self.make_client = make_client
        self.lock = threading.Lock()
        self.generation: _Generation[C] | None = _Generation(client)
        self.closed = False
        _LIVE_STATES.add(self)

    def current(self) -> _Generation[C]:
        """This process's generation, made (loop not started) if there is none yet."""
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
        """This process's generation with its loop started, ready for a call.

        Raises:
            ClientClosedError: the client is closed.
            RuntimeError: called from the client's own loop.
        """
        generation = self.generation
        if self.closed or generation is None or generation.portal is None:
            with self.lock:
                if self.closed:
                    raise ClientClosedError(_CLOSED_MESSAGE)
                generation = self._current_locked()
                if generation.portal is None:  # else another thread started it meanwhile
                    generation.start()
        if generation.in_loop():
            raise RuntimeError(_OWN_THREAD_MESSAGE)
        return generation

    def forget_parent(self) -> None:
        """In a forked child: drop the parent's generation, whose threads did not survive."""
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
    # A thread running the loop (or holding the baton) must return to let it stop.
    if not (generation.in_loop() or generation.holds_baton_here() or generation.is_loop_thread()):
        generation.join(_FINALIZE_JOIN_TIMEOUT)


def _submit_and_wait(call: _Call[T], state: _State[Any], generation: _Generation[Any]) -> T:
    try:
        # Submitted inside the try: an interrupt the moment the call starts still
        # cancels it.
        generation.submit(call)
        if not call.promoted:
            while not call.done.acquire(timeout=_WAIT_SLICE):
                if not generation.is_alive():  # closed before the loop could start it
                    raise ClientClosedError("the client was closed during the call") from None
        if call.promoted:  # the baton: given at once, or passed on by the last driver
            generation.drive(call)  # passes it on, even for a call that settled at once
    except BaseException:
        # Ctrl-C: abandon the call, and cancel its task in the loop.
        generation.cancel(call)
        raise
    if call.interrupted:
        raise KeyboardInterrupt()
    error = call.error
    if error is None:
        result: T = call.result
        return result
    call.error = None  # no cycle through the traceback
    if isinstance(error, concurrent.futures.CancelledError) and state.closed:
        raise ClientClosedError("the client was closed during the call") from None
    raise error


class PortalRunner(Generic[C]):
    """Runs coroutines for blocking callers on a loop that the callers themselves drive.

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
        """An identity that changes when a forked child drops its parent's generation."""
        return self._state.generation

    @property
    def closed(self) -> bool:
        return self._state.closed

    def run(
        self, function: Callable[..., Coroutine[Any, Any, T]], *args: Any, stacklevel: int = 1
    ) -> T:
        """Await ``function(*args)`` on the client's loop and return its result, blocking.

        ``stacklevel`` names the frame a BlockingCallInEventLoopWarning points at:
        1 is the caller of ``run``.

        Raises:
            ClientClosedError: the client is closed, or was closed during the call.
            RuntimeError: called from the client's own loop.
            BaseException: whatever ``function`` raised.
        """
        state = self._state
        generation = state.running()
        in_a_loop = asyncio._get_running_loop() is not None
        if in_a_loop:
            warnings.warn(
                "a blocking FlashProxy call stalls the event loop running in this thread "
                "until it returns; use AsyncFlashProxy with await in async code",
                BlockingCallInEventLoopWarning,
                stacklevel=stacklevel + 1,
            )
        return _submit_and_wait(_Call(function, args, not in_a_loop), state, generation)

    def close(self) -> None:
        """Cancel running calls, close the async client, end the loop thread. Idempotent.

        Raises:
            RuntimeError: called from the client's own loop.
            BaseException: what closing the async client raised.
        """
        state = self._state
        generation = state.generation
        if generation is not None and generation.in_loop():
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
