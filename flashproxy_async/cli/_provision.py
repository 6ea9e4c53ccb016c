"""``flashproxy provision``: a bulk job with a live progress bar and a summary table."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._exceptions import APIError
from ..bulk import PlanOrder, ProgressEvent, ProvisionReport, provision
from ._output import ProgressBar, print_json, print_table, public_data

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["print_summary", "report_data", "run_provision"]


async def run_provision(
    client: AsyncFlashProxy, orders: Sequence[PlanOrder], journal: str | os.PathLike[str]
) -> ProvisionReport:
    """Provision ``orders`` with a progress bar on stderr."""
    sys.stdout.flush()  # what was printed before the bar stays above it in a shared log
    bar = ProgressBar(len(orders))

    def on_progress(event: ProgressEvent) -> None:
        bar.update(event.done, event.outcome)

    try:
        return await provision(client, orders, journal=journal, on_progress=on_progress)
    finally:
        bar.finish()


def _error_text(error: BaseException) -> str:
    if isinstance(error, APIError) and error.code:
        text = f"{error.code}: {error.message}"
    else:
        text = str(error) or type(error).__name__
    return text + (
        " (in doubt: rerun to reconcile)" if getattr(error, "outcome_unknown", False) else ""
    )


def print_summary(orders: Sequence[PlanOrder], report: ProvisionReport) -> None:
    """The summary table: one row per order, then the totals."""
    rows: list[tuple[object, ...]] = []
    for order in orders:
        ref = order.reference
        if ref in report.created:
            outcome = "reconciled" if ref in report.reconciled else "created"
            rows.append((ref, order.product, outcome, report.created[ref].plan_id))
        elif ref in report.failed:
            rows.append((ref, order.product, "FAILED", _error_text(report.failed[ref])))
        else:
            rows.append((ref, order.product, "not attempted", ""))
    print()
    print_table(("reference", "product", "outcome", "plan / error"), rows)
    print(
        f"\n{len(report.created)} created, {len(report.failed)} failed, "
        f"{len(report.not_attempted)} not attempted"
    )
    if report.stopped_by is not None:
        print(f"Stopped early: {_error_text(report.stopped_by)}")
    if report.in_doubt:
        print("Some purchases are in doubt; rerun with the same --journal to reconcile them.")


def report_data(report: ProvisionReport) -> dict[str, Any]:
    """The report as JSON-ready data, credentials masked."""
    return {
        "created": {ref: public_data(plan) for ref, plan in report.created.items()},
        "failed": {
            ref: {
                "error": type(error).__name__,
                "code": getattr(error, "code", None),
                "message": str(error),
                "outcome_unknown": bool(getattr(error, "outcome_unknown", False)),
            }
            for ref, error in report.failed.items()
        },
        "not_attempted": report.not_attempted,
        "reconciled": report.reconciled,
        "in_doubt": report.in_doubt,
    }


def show_report(orders: Sequence[PlanOrder], report: ProvisionReport, as_json: bool) -> int:
    """Print the report; 0 if every order has its plan, else 1."""
    if as_json:
        print_json(report_data(report))
    else:
        print_summary(orders, report)
    return 0 if report.ok else 1
