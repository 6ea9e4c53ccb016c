"""Bulk provisioning: buy a batch of plans, safely across crashes and reruns.

::

    from flashproxy_async import AsyncFlashProxy
    from flashproxy_async.bulk import load_orders, provision

    async with AsyncFlashProxy() as client:
        report = await provision(client, load_orders("orders.csv"), journal="orders.journal")
    for reference, plan in report.created.items():
        print(reference, plan.plan_id)

Each order's ``reference`` is sent as the plan's ``end_user_reference``. The journal
makes a rerun safe: killed at any instant and rerun with the same journal, a job
leaves exactly one plan per order.
"""

from __future__ import annotations

from ._journal_base import JournalError, JournalInUseError
from ._journal_spec import open_journal
from ._orders import PlanOrder, load_orders
from ._provision import ProgressEvent, ProvisionReport, provision
from ._purchase_once import purchase_once
from ._reconcile import ReferenceConflictError
from ._redis_journal import RedisJournal
from ._validate import validate_orders

__all__ = [
    "JournalError",
    "JournalInUseError",
    "PlanOrder",
    "ProgressEvent",
    "ProvisionReport",
    "RedisJournal",
    "ReferenceConflictError",
    "load_orders",
    "open_journal",
    "provision",
    "purchase_once",
    "validate_orders",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
