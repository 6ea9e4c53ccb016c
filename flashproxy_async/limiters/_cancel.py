"""A cheap ``anyio.lowlevel.checkpoint_if_cancelled`` for the limiter's hot path.

anyio's own takes 2 to 4 us on the benchmark machine, most of it finding the backend
and a KeyError for a task that never entered an anyio cancel scope: as long as the
rest of one waited acquire and release. A task with no anyio scope can only be
cancelled by ``Task.cancel()``, which asyncio delivers at the await itself, so there is
nothing to check; only a task that has an anyio scope takes anyio's check.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from typing import Any

import anyio.lowlevel

__all__ = ["checkpoint_if_cancelled", "in_anyio_scope"]


def _anyio_task_states() -> Mapping[Any, Any] | None:
    # anyio's record of the tasks that entered one of its scopes (asyncio backend), as
    # the plain dict inside its WeakKeyDictionary: its .get() is a Python frame.
    # Private to anyio: if it moves, every task takes anyio's public check instead.
    try:
        from anyio._backends._asyncio import _task_states
    except ImportError:  # pragma: no cover - an anyio without it
        return None
    data = getattr(_task_states, "data", None)
    return (
        data if isinstance(_task_states, weakref.WeakKeyDictionary) and data is not None else None
    )


_TASK_STATES = _anyio_task_states()
_ref = weakref.ref


def in_anyio_scope() -> bool:
    """Whether the current task is inside an anyio cancel scope (True when unsure).

    A plain function, so that the common answer costs no coroutine.
    """
    if _TASK_STATES is None:
        return True
    if not _TASK_STATES:
        # No task is in a scope (the common case outside anyio): spares finding ours.
        return False
    task = asyncio.current_task()
    state = None if task is None else _TASK_STATES.get(_ref(task))
    return state is not None and getattr(state, "cancel_scope", True) is not None


async def checkpoint_if_cancelled() -> None:
    """Raise the pending cancellation of an enclosing anyio scope; never yields otherwise."""
    if in_anyio_scope():
        await anyio.lowlevel.checkpoint_if_cancelled()
