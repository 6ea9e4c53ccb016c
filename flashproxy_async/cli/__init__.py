"""The ``flashproxy`` command line.

::

    flashproxy demo                                   # no account needed
    export FLASHPROXY_API_KEY=fp_live_...
    flashproxy balance
    flashproxy plans list --status active --json
    flashproxy provision orders.csv --journal orders.journal

Exit codes: 0 success, 1 failure or partial failure, 2 usage error (bad arguments,
no API key, an invalid orders file). Errors are one line on stderr; the API key is
never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from .._exceptions import FlashProxyError, RequestValidationError
from .._redact import redact

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


async def _run(args: argparse.Namespace) -> int:
    as_json = bool(getattr(args, "json", False))
    if args.command == "demo":
        from ._demo import run_demo

        return await run_demo(args.journal, as_json)

    from .._client import AsyncFlashProxy

    orders = None
    if args.command == "provision":
        from ..bulk import load_orders

        # Read and check the file before any client exists: a bad file is a usage error.
        orders = load_orders(args.orders)
    limiter = None
    if getattr(args, "max_concurrent", None) is not None:
        from ..limiters import TokenBucketLimiter

        if args.max_concurrent < 1:
            raise RequestValidationError("--max-concurrent must be at least 1", rule="cli")
        limiter = TokenBucketLimiter(max_concurrent=args.max_concurrent)
    async with AsyncFlashProxy(
        api_key=getattr(args, "api_key", None),
        base_url=getattr(args, "base_url", None),
        limiter=limiter,
    ) as client:
        if orders is not None:
            from ._provision import run_provision, show_report

            report = await run_provision(client, orders, args.journal)
            return show_report(orders, report, as_json)
        from ._commands import run_api_command

        return await run_api_command(client, args, as_json)


def _fail(message: str, secrets: Sequence[str], code: int) -> int:
    print(f"flashproxy: error: {redact(message, secrets)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``flashproxy`` command; return its exit status."""
    from ._parser import build_parser

    args = build_parser().parse_args(argv)
    secrets = [
        s for s in (getattr(args, "api_key", None), os.environ.get("FLASHPROXY_API_KEY")) if s
    ]
    if args.command == "fake-server":
        from ..testing.__main__ import main as serve

        return serve(
            ["--host", args.host, "--port", str(args.port), "--time-scale", str(args.time_scale)]
        )
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return _fail("interrupted", secrets, 130)
    except RequestValidationError as exc:
        return _fail(str(exc), secrets, EXIT_USAGE)
    except FlashProxyError as exc:
        return _fail(str(exc), secrets, EXIT_FAILURE)
    except FileNotFoundError as exc:
        return _fail(f"{exc.strerror}: {exc.filename}", secrets, EXIT_USAGE)
    except OSError as exc:
        return _fail(str(exc), secrets, EXIT_FAILURE)
    except Exception as exc:  # the promise: one line, never a traceback
        return _fail(f"unexpected {type(exc).__name__}: {exc}", secrets, EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main())
