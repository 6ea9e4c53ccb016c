"""``flashproxy provision``: a bulk job with live progress and a summary in the same words."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anyio
import click

from .._exceptions import APIError
from ..bulk import (
    PlanOrder,
    ProgressEvent,
    ProvisionReport,
    RedisJournal,
    load_orders,
    open_journal,
    provision,
)
from ._app import api_options, flashproxy, open_client, run_async, settings
from ._commands import plan_data
from ._output import print_json, print_table
from ._progress import Tally, make_renderer, words

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["print_summary", "report_data", "run_provision"]

_TICK = 0.2  # seconds between two looks at the limiter's queue


async def run_provision(
    client: AsyncFlashProxy,
    orders: Sequence[PlanOrder],
    journal: str | os.PathLike[str] | RedisJournal,
    *,
    settle: float | None = None,
    reconcile: Literal["always", "journal"] = "always",
) -> tuple[ProvisionReport, Tally]:
    """Provision ``orders`` with progress on stderr; the tally keeps the progress's words."""
    sys.stdout.flush()  # what was printed before the progress stays above it in a shared log
    tally = Tally(len(orders))
    renderer = make_renderer(tally, client.limiter, sys.stderr)

    def on_progress(event: ProgressEvent) -> None:
        renderer.event(event)

    async def watch_the_limiter() -> None:
        while True:
            await anyio.sleep(_TICK)
            renderer.tick()

    failure: Exception | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(watch_the_limiter)
            try:
                report = await provision(
                    client,
                    orders,
                    journal=journal,
                    on_progress=on_progress,
                    settle=settle,
                    reconcile=reconcile,
                )
            except Exception as exc:
                # Raised as itself, not wrapped in the task group's ExceptionGroup, so
                # that a journal error still reads as one line and exits 2.
                failure = exc
            group.cancel_scope.cancel()
    finally:
        renderer.close()
    if failure is not None:
        raise failure
    return report, tally


def _error_text(error: BaseException) -> str:
    if isinstance(error, APIError) and error.code:
        text = f"{error.code}: {error.message}"
    else:
        text = str(error) or type(error).__name__
    return text + (
        " (in doubt: rerun to reconcile)" if getattr(error, "outcome_unknown", False) else ""
    )


def _outcome(reference: str, report: ProvisionReport, tally: Tally) -> str:
    if reference in tally.outcomes:
        return tally.outcomes[reference]
    if reference in report.failed:
        return "failed"
    if reference in report.created:
        return "reconciled" if reference in report.reconciled else "created"
    return "not_attempted"


def print_summary(orders: Sequence[PlanOrder], report: ProvisionReport, tally: Tally) -> None:
    """The summary table, one row per order, then the totals, in the progress's words."""
    rows: list[tuple[object, ...]] = []
    for order in orders:
        ref = order.reference
        outcome = _outcome(ref, report, tally)
        if ref in report.failed:
            detail: object = _error_text(report.failed[ref])
        else:
            detail = report.created[ref].plan_id if ref in report.created else ""
        shown = "FAILED" if outcome == "failed" else words(outcome)
        rows.append((ref, order.product, shown, detail))
    click.echo()
    print_table(("reference", "product", "outcome", "plan / error"), rows)
    click.echo(f"\n{tally.counts_text()}")
    if report.stopped_by is not None:
        click.echo(f"Stopped early: {_error_text(report.stopped_by)}")
    if report.in_doubt:
        click.echo("Some purchases are in doubt; rerun with the same --journal to reconcile them.")


async def report_data(
    client: AsyncFlashProxy, report: ProvisionReport, tally: Tally
) -> dict[str, Any]:
    """The report as JSON; credentials only with --show-credentials."""
    return {
        "created": {ref: await plan_data(client, plan) for ref, plan in report.created.items()},
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
        "reconcile_requests": report.reconcile_requests,
        "outcomes": dict(tally.outcomes),
        "counts": dict(tally.counts),
    }


async def _print_urls(client: AsyncFlashProxy, report: ProvisionReport) -> None:
    click.echo("\nProxy URLs:")
    for ref, plan in report.created.items():
        for url in (await plan_data(client, plan)).get("proxy_urls") or []:
            click.echo(f"  {ref}  {url}")


@flashproxy.command("provision")
@click.argument("orders_file", metavar="ORDERS", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--journal",
    required=True,
    metavar="FILE|URL",
    help="Journal file; rerun with the same one to resume safely, e.g. --journal "
    "orders.journal. Or a job shared by workers on many hosts, in Redis: --journal "
    "'redis://HOST:PORT/DB?job=NAME' (add &lease=SECONDS to change the 30 s lease)",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    help="Purchases in flight at once (default 20, the API's limit); lower it when other "
    "jobs share the key, e.g. --max-concurrent 5",
)
@click.option(
    "--rate",
    type=click.IntRange(min=1),
    help="Requests this job may start per --period (default 100, the API's limit), "
    "e.g. --rate 50 to leave half to other jobs on the key",
)
@click.option(
    "--period",
    type=click.FloatRange(min=0, min_open=True),
    help="The window --rate counts in, in seconds (default 60), e.g. --period 60",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Seconds an in-doubt order of a killed run waits, from its sending, before it is "
    "looked up (default: the per-attempt timeout plus 5 s), e.g. --settle 90",
)
@click.option(
    "--reconcile",
    type=click.Choice(["always", "journal"]),
    default="always",
    show_default=True,
    help="always: look up every order not recorded done before buying; journal: trust the "
    "journal alone (a lost or replaced journal buys again), e.g. --reconcile journal",
)
@api_options
def provision_command(
    orders_file: Path,
    journal: str,
    max_concurrent: int | None,
    rate: int | None,
    period: float | None,
    settle: float | None,
    reconcile: Literal["always", "journal"],
) -> int:
    """Buy a batch of plans from an orders file, safely across crashes and reruns.

    ORDERS is a .csv file (a header row: reference, product, bandwidth_gb, duration,
    billing_type, mbps, bandwidth_mbps, location, quantity, pool), a .jsonl or .ndjson
    file (one JSON object a line) or a .json file (an array of objects). Every row is
    checked before anything is bought; every bad row is reported, with its line.

    \b
    Examples:
      flashproxy provision orders.csv --journal orders.journal
      flashproxy provision orders.json --journal orders.journal --json --show-credentials
    """
    # Read and check the file before any client exists: a bad file is a usage error.
    orders = load_orders(orders_file)
    book = open_journal(journal)
    limits = {"rate": rate, "period": period, "max_concurrent": max_concurrent}
    given = {name: value for name, value in limits.items() if value is not None}
    limiter = None
    if given:
        from ..limiters import TokenBucketLimiter

        limiter = TokenBucketLimiter(**given)  # type: ignore[arg-type]

    async def go() -> int:
        async with open_client(limiter) as client:
            report, tally = await run_provision(
                client, orders, book, settle=settle, reconcile=reconcile
            )
            if settings().as_json:
                print_json(await report_data(client, report, tally))
            else:
                print_summary(orders, report, tally)
                if settings().show_credentials:
                    await _print_urls(client, report)
        return 0 if report.ok else 1

    return run_async(go, flag_names=False)
