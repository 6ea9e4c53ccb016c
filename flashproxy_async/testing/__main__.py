"""Run the fake API: ``python -m flashproxy_async.testing --port 3000``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from ._server import FakeFlashProxy


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m flashproxy_async.testing",
        description="Serve a stateful fake of the FlashProxy Reseller API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    parser.add_argument("--api-key", default=None, help="accepted key (default: a new one)")
    parser.add_argument("--balance-cents", type=int, default=500_000)
    parser.add_argument("--time-scale", type=float, default=1.0, help="scale every delay")
    parser.add_argument("--rate", type=int, default=100, help="requests per period per key")
    parser.add_argument("--period", type=float, default=60.0, help="rate-limit window (s)")
    parser.add_argument("--max-concurrent", type=int, default=20)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeFlashProxy(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        balance_cents=args.balance_cents,
        time_scale=args.time_scale,
        rate=args.rate,
        period=args.period,
        max_concurrent=args.max_concurrent,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
        # This is a throwaway test key for a local fake, printed so the user can use it.
        base_url = f"http://{shown}:{fake.port}/api/v1"
        print(f"FlashProxy fake API: {base_url}", flush=True)
        print(f"API key: {fake.api_key}", flush=True)
        # Without these a client that follows the docs goes to the real API.
        print("Point the client and the CLI at it (in another shell):", flush=True)
        print(
            f"  export FLASHPROXY_BASE_URL={base_url} FLASHPROXY_API_KEY={fake.api_key}",
            flush=True,
        )
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; return the exit status."""
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
