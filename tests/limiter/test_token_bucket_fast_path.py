"""The uncontended acquire skips the yield, never the cancellation point."""

from __future__ import annotations

import anyio

from flashproxy_async import TokenBucketLimiter


async def test_a_cancelled_task_takes_nothing_even_from_a_free_limiter() -> None:
    limiter = TokenBucketLimiter(rate=10, period=1.0, max_concurrent=2)
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
    assert scope.cancelled_caught
    assert (limiter.in_flight, limiter.waiting, limiter.started) == (0, 0, 0)


async def test_a_slot_of_an_in_process_limiter_is_released_without_a_shield() -> None:
    limiter = TokenBucketLimiter(rate=10, period=1.0, max_concurrent=1)
    assert limiter.release_may_suspend is False
    with anyio.CancelScope() as scope:
        async with limiter.slot():
            scope.cancel()
            await anyio.sleep(1)
    assert scope.cancelled_caught
    assert limiter.in_flight == 0
    async with limiter.slot():
        assert limiter.in_flight == 1


async def test_the_scope_check_sees_only_a_scope_of_the_task_itself() -> None:
    import asyncio

    from flashproxy_async.limiters._cancel import in_anyio_scope

    assert in_anyio_scope() is False  # no task anywhere is in a scope
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def scoped() -> bool:
        with anyio.CancelScope():
            inside.set()
            seen = in_anyio_scope()
            await leave.wait()
        return seen

    other = asyncio.ensure_future(scoped())
    await inside.wait()
    assert in_anyio_scope() is False  # another task's scope is not ours
    leave.set()
    assert await other is True
