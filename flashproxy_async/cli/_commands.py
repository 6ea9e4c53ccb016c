"""The commands that call the API once or walk a list: balance, plans, pools, proxy-url."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import click

from .._exceptions import TargetingError
from .._generated import Plan, PlanStatusFilter, PoolType, Product
from .._plan_fields import CREATE_PLAN_FIELDS
from ._app import api_options, flashproxy, open_client, run_async, settings
from ._output import cli_data, print_json, print_table

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy

__all__ = ["plan_data", "plan_urls"]

_PLAN_HEADERS = ("plan_id", "product", "status", "expires_at", "reference")


def _plan_rows(plans: list[Plan]) -> list[tuple[object, ...]]:
    """Table rows for plans; credentials are never part of them."""
    return [
        (p.plan_id, p.product, p.status, p.expires_at, p.end_user_reference or "") for p in plans
    ]


async def plan_urls(client: AsyncFlashProxy, plan: Plan, **options: Any) -> list[str]:
    """Every proxy URL of a plan; a dedicated ISP plan's come from its proxy list."""
    if str(plan.product) == "dedicated_isp":
        return plan.proxy_urls(await client.plans.proxies(plan), **options)
    return plan.proxy_urls(**options)


async def plan_data(client: AsyncFlashProxy, plan: Plan) -> dict[str, Any]:
    """A plan as JSON; with --show-credentials, its password and its proxy URLs too."""
    show = settings().show_credentials
    data: dict[str, Any] = cli_data(plan, show_credentials=show)
    if show:
        if plan.proxy_password is None and plan.plan_id is not None:
            plan = await client.plans.get(plan.plan_id)  # e.g. read back without a password
            data = cli_data(plan, show_credentials=True)
        try:
            data["proxy_urls"] = await plan_urls(client, plan)
        except TargetingError as exc:  # a product whose host the API documentation omits
            data["proxy_urls"] = None
            data["proxy_urls_error"] = str(exc)
    return data


async def _show_plans(client: AsyncFlashProxy, plans: list[Plan], *, many: bool) -> None:
    if settings().as_json:
        data = [await plan_data(client, plan) for plan in plans]
        print_json(data if many else data[0])
        return
    print_table(_PLAN_HEADERS, _plan_rows(plans))
    if settings().show_credentials:
        for plan in plans:
            for url in await plan_urls(client, plan):
                click.echo(f"{plan.plan_id}  {url}")


@flashproxy.command()
@api_options
def balance() -> int:
    """Show the account balance.

    \b
    Example:
      flashproxy balance --json
    """

    async def go() -> int:
        async with open_client() as client:
            result = await client.balance.get()
        if settings().as_json:
            print_json(cli_data(result))
        else:
            click.echo(
                f"Balance: {result.balance_formatted}  (spent: {result.total_spent_formatted})"
            )
        return 0

    return run_async(go)


@flashproxy.group()
def plans() -> None:
    """List, show, buy and extend plans.

    \b
    Examples:
      flashproxy plans list --status active
      flashproxy plans create --product residential --bandwidth-gb 5 --reference cust-42
    """


@plans.command("list")
@click.option(
    "--status",
    type=click.Choice(["active", "expired", "cancelled", "all"]),
    help="Only plans with this status, e.g. --status active",
)
@click.option("--product", help="Only plans of this product, e.g. --product residential")
@api_options
def list_plans(status: str | None, product: str | None) -> int:
    """List every plan (all pages).

    \b
    Example:
      flashproxy plans list --status active --product pool2 --json
    """

    async def go() -> int:
        async with open_client() as client:
            # Typed as the enums; values the spec lacks are refused by the client, by name.
            listing = client.plans.list(
                status=None if status is None else PlanStatusFilter(status),
                product=None if product is None else Product(product),
            )
            found = [p async for p in listing]
            await _show_plans(client, found, many=True)
        return 0

    return run_async(go)


@plans.command("get")
@click.argument("plan_id")
@api_options
def get_plan(plan_id: str) -> int:
    """Show one plan.

    \b
    Example:
      flashproxy plans get 3f1c...-...  --json --show-credentials
    """

    async def go() -> int:
        async with open_client() as client:
            await _show_plans(client, [await client.plans.get(plan_id)], many=False)
        return 0

    return run_async(go)


#: Help for each create-plan flag; the flags themselves come from the spec's field table.
_CREATE_FLAG_HELP: dict[str, str] = {
    "product": "Product to buy, e.g. --product residential (or datacenter)",
    "bandwidth_gb": "Bandwidth in GB, e.g. --bandwidth-gb 5",
    "duration": "Plan length, e.g. --duration 30_days (1_day, 1_hour, trial)",
    "billing_type": "Hybrid products: billed by bandwidth or time, e.g. --billing-type time",
    "mbps": "Time-billed hybrid plans: speed, e.g. --mbps 100",
    "bandwidth_mbps": "unlimited_residential: 200-3000 Mbps, e.g. --bandwidth-mbps 500",
    "location": "dedicated_mobile: NL or UK, e.g. --location NL",
    "quantity": "dedicated_isp: number of IPs, e.g. --quantity 3",
    "pool": "dedicated_isp: pool from 'flashproxy pools', e.g. --pool ISP_US_SNEAKERS",
    "end_user_reference": "Your reference, sent as end_user_reference, e.g. --reference cust-42",
}
#: Flags whose name on the command line is not the field's.
_CREATE_FLAG_NAMES = {"end_user_reference": "--reference"}


def _create_plan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per field of POST /plans, named and typed from ``CREATE_PLAN_FIELDS``."""
    for field in reversed(CREATE_PLAN_FIELDS):
        kind: Any = field.kind
        if field.enum is not None and field.name != "product":
            # Products stay free text: the rules name the known ones in their error.
            kind = click.Choice(sorted(field.enum.known_values()))
        elif field.enum is not None or kind is str:
            kind = str
        flag = _CREATE_FLAG_NAMES.get(field.name, field.flag)
        help_text = _CREATE_FLAG_HELP.get(
            field.name, f"The API's {field.name} field, e.g. {flag} VALUE"
        )
        option = click.option(
            flag,
            field.name,
            type=kind,
            is_flag=kind is bool or None,
            required=field.name == "product",
            help=help_text,
        )
        command = option(command)
    return command


@plans.command("create")
@_create_plan_options
@api_options
def create_plan(product: str, **options: Any) -> int:
    """Buy one plan; the product rules are checked before anything is sent.

    \b
    Examples:
      flashproxy plans create --product residential --bandwidth-gb 5
      flashproxy plans create --product datacenter --billing-type time --duration 30_days --mbps 100
      flashproxy plans create --product dedicated_isp --pool ISP_US_SNEAKERS --quantity 3
    """

    async def go() -> int:
        async with open_client() as client:
            # Fields from flags: the overloads cannot see them, the run-time rules check them.
            fields: dict[str, Any] = {"product": product, **options}
            plan = await client.plans.create(**fields)
            await _show_plans(client, [plan], many=False)
        return 0

    return run_async(go)


@plans.command("extend")
@click.argument("plan_id")
@click.option("--add-days", type=int, help="Days to add, e.g. --add-days 30")
@click.option("--add-bandwidth-gb", type=float, help="GB to add, e.g. --add-bandwidth-gb 10")
@click.option(
    "--extend-30-days",
    is_flag=True,
    help="dedicated_isp: extend by 30 days, e.g. plans extend ID --extend-30-days",
)
@api_options
def extend_plan(
    plan_id: str, add_days: int | None, add_bandwidth_gb: float | None, extend_30_days: bool
) -> int:
    """Add bandwidth or time to a plan (what a plan takes depends on its product).

    \b
    Example:
      flashproxy plans extend 3f1c...  --add-bandwidth-gb 10
    """

    async def go() -> int:
        async with open_client() as client:
            plan = await client.plans.get(plan_id)  # its product lets the extend rules apply
            # Which of these is given is known at run time only; the rules check it.
            fields: dict[str, Any] = {
                "add_days": add_days,
                "add_bandwidth_gb": add_bandwidth_gb,
                "extend_30_days": extend_30_days,
            }
            extended = await client.plans.extend(plan, **fields)
            await _show_plans(client, [extended], many=False)
        return 0

    return run_async(go)


@flashproxy.command()
@click.option(
    "--type",
    "pool_type",
    type=click.Choice(["isp", "subnet"]),
    help="Only ISP or subnet pools, e.g. --type isp",
)
@click.option("--country", help="Only pools in this country, e.g. --country US")
@api_options
def pools(pool_type: str | None, country: str | None) -> int:
    """List the dedicated ISP pools and their stock (step 1 of the dedicated ISP flow).

    \b
    Example:
      flashproxy pools --type isp --json
    """

    async def go() -> int:
        async with open_client() as client:
            kind = None if pool_type is None else PoolType(pool_type)
            found = await client.proxies.pools(type=kind, country=country)
        if settings().as_json:
            print_json(cli_data(found))
            return 0
        rows = [
            (p.pool, p.title, p.provider, p.stock, "yes" if p.in_stock else "no")
            for p in found.pools or []
        ]
        print_table(("pool", "title", "provider", "stock", "in_stock"), rows)
        return 0

    return run_async(go)


_DURATION = re.compile(r"([0-9]+)([smhd]?)")
_UNITS = {"s": "seconds", "m": "minutes", "": "minutes", "h": "hours", "d": "days"}


def _session_time(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> timedelta | str | None:
    """``--session-time``: ``short``/``long`` (pool 1), or ``600s``, ``10m``, ``2h``, ``1d``."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("short", "long"):
        return text
    match = _DURATION.fullmatch(text)
    if match is None:
        raise click.BadParameter(
            f"expected short, long or a duration such as 600s, 10m, 2h, 1d, got {value!r}"
        )
    number, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(number)})


@flashproxy.command("proxy-url")
@click.argument("plan_id")
@click.option(
    "--scheme",
    type=click.Choice(["http", "socks5"]),
    default="http",
    show_default=True,
    help="Proxy protocol, e.g. --scheme socks5",
)
@click.option(
    "--port-index",
    type=int,
    help="Which port (0-9 on pools 1-5) or, for dedicated_isp, which static IP; default: "
    "port 0, or every IP of a dedicated_isp plan; e.g. --port-index 3",
)
@click.option(
    "--all",
    "every_url",
    is_flag=True,
    help="Print every URL of the plan (each port, each static IP), e.g. proxy-url ID --all",
)
@click.option("--country", help="Exit country, e.g. --country us")
@click.option("--state", help="Exit state (as the product takes it), e.g. --state california")
@click.option("--city", help="Exit city, e.g. --city berlin")
@click.option("--zip", "zip_code", help="US ZIP code (pool 3), e.g. --zip 10001")
@click.option("--asn", help="Exit ASN, e.g. --asn 7922")
@click.option("--session", help="Sticky session ID, e.g. --session job42")
@click.option(
    "--session-time",
    metavar="DURATION",
    callback=_session_time,
    help="Sticky session lifetime: 600s, 10m, 2h or 1d (a bare number is minutes), or "
    "short or long on pool1, e.g. --session-time 30m",
)
@api_options
def proxy_url(
    plan_id: str,
    scheme: Literal["http", "socks5"],
    port_index: int | None,
    every_url: bool,
    **targeting: Any,
) -> int:
    """Print a plan's ready-to-use proxy URL (with its password: handle it as a secret).

    \b
    Examples:
      flashproxy proxy-url 3f1c...  --country us --session job42 --session-time 30m
      flashproxy proxy-url 3f1c...  --all             # every port / every static IP
    """
    options = {name: value for name, value in targeting.items() if value is not None}

    async def go() -> int:
        async with open_client() as client:
            plan = await client.plans.get(plan_id)
            if str(plan.product) == "dedicated_isp":
                options["proxies"] = await client.plans.proxies(plan)
        if every_url or (port_index is None and "proxies" in options):
            urls = plan.proxy_urls(scheme=scheme, **options)
        else:
            urls = [plan.proxy_url(scheme=scheme, port_index=port_index or 0, **options)]
        if settings().as_json:
            print_json({"plan_id": str(plan.plan_id), "urls": urls})
        else:
            click.echo("\n".join(urls))
        return 0

    return run_async(go)
