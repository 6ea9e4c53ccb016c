"""The argument parser of the ``flashproxy`` command."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from ..targeting import SessionTime

__all__ = ["build_parser", "session_time"]

_EPILOG = (
    "The API key comes from FLASHPROXY_API_KEY (preferred: it stays out of the process "
    "list) or --api-key. Exit codes: 0 success, 1 failure or partial failure, 2 usage error."
)


def _common() -> argparse.ArgumentParser:
    # SUPPRESS keeps a subcommand's unset option from overwriting the same option given
    # before the subcommand, so both `flashproxy --json balance` and `balance --json` work.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api-key", default=argparse.SUPPRESS, help="API key (default: $FLASHPROXY_API_KEY)"
    )
    common.add_argument(
        "--base-url", default=argparse.SUPPRESS, help="API base URL (default: from the key)"
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    return common


def _add_create_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--product", required=True, help="e.g. residential, datacenter")
    parser.add_argument("--bandwidth-gb", type=float)
    parser.add_argument("--duration", help="e.g. 1_day, 30_days, trial")
    parser.add_argument("--billing-type", choices=["bandwidth", "time"])
    parser.add_argument("--mbps", type=int, help="hybrid time plans")
    parser.add_argument("--bandwidth-mbps", type=int, help="unlimited_residential, 200-3000")
    parser.add_argument("--location", help="dedicated_mobile: NL or UK")
    parser.add_argument("--quantity", type=int, help="dedicated_isp: number of IPs")
    parser.add_argument("--pool", help="dedicated_isp: pool name")
    parser.add_argument("--reference", help="sent as end_user_reference")


_DURATION = re.compile(r"([0-9]+)([smhd]?)")
_UNITS = {"s": "seconds", "m": "minutes", "": "minutes", "h": "hours", "d": "days"}


def session_time(text: str) -> SessionTime:
    """``--session-time``: ``short``/``long`` (pool 1), or ``600s``, ``10m``, ``2h``, ``1d``.

    A bare number counts minutes.
    """
    value = text.strip().lower()
    if value in ("short", "long"):
        return "short" if value == "short" else "long"
    match = _DURATION.fullmatch(value)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"expected short, long or a duration such as 600s, 10m, 2h, 1d, got {text!r}"
        )
    number, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(number)})


def _add_targeting_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheme", choices=["http", "socks5"], default="http")
    parser.add_argument("--port-index", type=int, default=0)
    parser.add_argument("--country")
    parser.add_argument("--state")
    parser.add_argument("--city")
    parser.add_argument("--zip", dest="zip_code")
    parser.add_argument("--asn")
    parser.add_argument("--session", help="sticky session id")
    parser.add_argument(
        "--session-time",
        type=session_time,
        help="sticky session lifetime: 600s, 10m, 2h or 1d (a bare number is minutes); "
        "short or long for pool1",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full parser; every subcommand sets ``command`` (and ``plans_command``)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="flashproxy",
        description="Command line for the FlashProxy Reseller API.",
        epilog=_EPILOG,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser("balance", parents=[common], help="show the account balance")

    plans = commands.add_parser("plans", parents=[common], help="list, get, create, extend plans")
    plan_commands = plans.add_subparsers(dest="plans_command", metavar="ACTION", required=True)
    listing = plan_commands.add_parser("list", parents=[common], help="list plans")
    listing.add_argument("--status", choices=["active", "expired", "cancelled", "all"])
    listing.add_argument("--product")
    get = plan_commands.add_parser("get", parents=[common], help="show one plan")
    get.add_argument("plan_id")
    create = plan_commands.add_parser("create", parents=[common], help="buy one plan")
    _add_create_options(create)
    extend = plan_commands.add_parser("extend", parents=[common], help="extend a plan")
    extend.add_argument("plan_id")
    extend.add_argument("--add-days", type=int)
    extend.add_argument("--add-bandwidth-gb", type=float)
    extend.add_argument("--extend-30-days", action="store_true")

    pools = commands.add_parser("pools", parents=[common], help="list dedicated-ISP pools")
    pools.add_argument("--type", dest="pool_type", help="isp or subnet")
    pools.add_argument("--country")

    provision = commands.add_parser(
        "provision", parents=[common], help="buy a batch of plans from a CSV or JSONL file"
    )
    provision.add_argument("orders", help="ORDERS.csv or ORDERS.jsonl")
    provision.add_argument(
        "--journal", required=True, help="journal file; rerun with the same one to resume"
    )
    provision.add_argument(
        "--max-concurrent",
        type=int,
        default=None,
        help="purchases in flight at once (default 20, the API's limit); lower it when "
        "other jobs share the key",
    )

    proxy_url = commands.add_parser(
        "proxy-url", parents=[common], help="print a ready-to-use proxy URL for a plan"
    )
    proxy_url.add_argument("plan_id")
    _add_targeting_options(proxy_url)

    fake = commands.add_parser("fake-server", help="serve the fake API locally")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=3000)
    fake.add_argument("--time-scale", type=float, default=1.0)

    demo = commands.add_parser(
        "demo", parents=[common], help="provision a demo batch against an in-process fake"
    )
    demo.add_argument("--journal", help="journal file (default: a temporary one)")
    return parser
