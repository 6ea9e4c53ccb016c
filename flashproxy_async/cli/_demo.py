"""``flashproxy demo``: a mixed batch against an in-process fake, end to end."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .._exceptions import FlashProxyError, OutOfStockError
from .._generated import Plan
from ..bulk import PlanOrder
from ._app import flashproxy, refuse_api_options, run_async, settings
from ._commands import plan_urls
from ._output import print_json, print_table
from ._provision import print_summary, report_data, run_provision

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["demo"]

_OUT_OF_STOCK_POOL = "ISP_DE_GENERAL"  # the fake's pool that starts with no stock
# Each purchase is held this long by the fake (not scaled), so the progress visibly moves.
_PURCHASE_DELAY = 0.25
_DEMO_CONCURRENCY = 2


def _orders(isp_pool: str) -> list[PlanOrder]:
    return [
        PlanOrder(reference="demo-residential", product="residential", bandwidth_gb=5),
        PlanOrder(reference="demo-pool1", product="pool1", bandwidth_gb=10),
        PlanOrder(
            reference="demo-datacenter",
            product="datacenter",
            billing_type="time",
            duration="30_days",
            mbps=100,
        ),
        PlanOrder(
            reference="demo-shared-isp",
            product="shared_isp",
            billing_type="bandwidth",
            bandwidth_gb=2,
        ),
        PlanOrder(reference="demo-isp", product="dedicated_isp", pool=isp_pool, quantity=3),
        PlanOrder(
            reference="demo-isp-sold-out",
            product="dedicated_isp",
            pool=_OUT_OF_STOCK_POOL,
            quantity=2,
        ),
    ]


async def _urls(client: AsyncFlashProxy, plan: Plan) -> list[str]:
    """The plan's URL (US-targeted where the product takes a country); every IP's for ISP."""
    if str(plan.product) == "dedicated_isp":
        return await plan_urls(client, plan)
    try:
        return [plan.proxy_url(country="US")]
    except FlashProxyError:
        return [plan.proxy_url()]


async def _run_demo(journal: Path | None, as_json: bool) -> int:
    from .._client import AsyncFlashProxy
    from ..limiters import TokenBucketLimiter
    from ..testing import FakeFlashProxy

    with tempfile.TemporaryDirectory(prefix="flashproxy-demo-") as scratch:
        journal_path = journal or Path(scratch) / "demo.journal"
        async with FakeFlashProxy(time_scale=0.01) as fake:
            fake.faults.delay(_PURCHASE_DELAY, None, method="POST", path="/plans")
            say = (lambda *_: None) if as_json else click.echo
            say(f"Started a local fake FlashProxy API at {fake.base_url}")
            limiter = TokenBucketLimiter(max_concurrent=_DEMO_CONCURRENCY)
            async with AsyncFlashProxy(
                api_key=fake.api_key, base_url=fake.base_url, limiter=limiter
            ) as client:
                pools = await client.proxies.pools()
                in_stock = [p for p in pools.pools or [] if p.in_stock and p.stock >= 3]
                if not as_json:
                    click.echo("\nDedicated ISP pools (step 1 of the dedicated ISP flow):")
                    rows = [(p.pool, p.title, p.stock) for p in pools.pools or []]
                    print_table(("pool", "title", "stock"), rows)
                orders = _orders(in_stock[0].pool)
                say(f"\nProvisioning {len(orders)} plans (journal: {journal_path}):")
                report, tally = await run_provision(client, orders, journal_path)
                urls = {ref: await _urls(client, plan) for ref, plan in report.created.items()}
                # The fake's credentials are throwaway: the demo's JSON shows them.
                settings().show_credentials = True
                data = await report_data(client, report, tally) if as_json else None

    expected = {
        ref
        for ref, error in report.failed.items()
        if ref == "demo-isp-sold-out" and isinstance(error, OutOfStockError)
    }
    unexpected = (set(report.failed) - expected) | set(report.not_attempted)
    if data is not None:
        print_json({"report": data, "proxy_urls": urls})
        return 1 if unexpected else 0
    click.echo("\nReady-to-use proxy URLs for your scraper (credentials of the local fake):")
    for ref, plan_urls_ in urls.items():
        for url in plan_urls_:
            click.echo(f"  {ref:<18} {url}")
    print_summary(orders, report, tally)
    if expected:
        click.echo(
            f"\nThe failure of demo-isp-sold-out is expected: pool {_OUT_OF_STOCK_POOL} "
            "has no stock, so that order fails and the rest of the batch goes on."
        )
    return 1 if unexpected else 0


@flashproxy.command()
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Journal file (default: a temporary one), e.g. --journal demo.journal",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the report and the URLs as JSON, e.g. flashproxy demo --json",
)
def demo(journal: Path | None, as_json: bool) -> int:
    """Provision a demo batch against a built-in fake API: no key, no network, no money.

    It takes no --api-key or --base-url: it starts its own fake. To try the other
    commands against a fake, run 'flashproxy fake-server' and use the export line it prints.

    \b
    Example:
      flashproxy demo
    """
    refuse_api_options("demo")
    return run_async(lambda: _run_demo(journal, as_json or settings().as_json))
