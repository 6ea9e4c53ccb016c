"""A stateful fake of the FlashProxy Reseller API for tests, demos and local development.

It imports nothing from the client side of ``flashproxy_async``, so the client and
the fake cannot share a bug. Start it in a test with::

    async with FakeFlashProxy(time_scale=0.01) as fake:
        ...  # talk to fake.base_url with fake.api_key

or use the ``flashproxy_fake`` pytest fixture, or run
``python -m flashproxy_async.testing --port 3000``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._faults import Fault, FaultKind, Faults
    from ._pricing import Prices
    from ._ratelimit import FakeStats
    from ._records import RecordedRequest, RecordedResponse
    from ._server import FakeFlashProxy
    from ._state import FakePlan, FakePool, FakeState, FakeSubUser, FakeTransaction

__all__ = [
    "FakeFlashProxy",
    "FakePlan",
    "FakePool",
    "FakeState",
    "FakeStats",
    "FakeSubUser",
    "FakeTransaction",
    "Fault",
    "FaultKind",
    "Faults",
    "Prices",
    "RecordedRequest",
    "RecordedResponse",
]

# Imported lazily: the pytest plugin imports this package at every pytest start-up,
# and that must stay cheap (no aiohttp.web) until a fake is actually used.
_HOMES = {
    "FakeFlashProxy": "._server",
    "FakePlan": "._state",
    "FakePool": "._state",
    "FakeState": "._state",
    "FakeSubUser": "._state",
    "FakeTransaction": "._state",
    "FakeStats": "._ratelimit",
    "Fault": "._faults",
    "FaultKind": "._faults",
    "Faults": "._faults",
    "Prices": "._pricing",
    "RecordedRequest": "._records",
    "RecordedResponse": "._records",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home, __name__), name)
    value.__module__ = __name__
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
