"""``flashproxy fake-server``: the fake API as a tool, with the lines to point a client at it."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal

import click

from ._app import flashproxy, refuse_api_options

__all__ = ["fake_server"]


async def _serve(options: dict[str, object]) -> None:
    from ..testing import FakeFlashProxy

    fake = FakeFlashProxy(**options)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, stop.set)
    try:
        await fake.start()
    except OSError as exc:
        where = f"{options['host']}:{options['port']}"
        if exc.errno == errno.EADDRINUSE:
            raise click.UsageError(f"--port {options['port']}: {where} is already in use") from None
        raise click.UsageError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    try:
        host = str(options["host"])
        shown = "localhost" if host in ("127.0.0.1", "localhost") else host
        base_url = f"http://{shown}:{fake.port}/api/v1"
        # A throwaway test key for a local fake, printed so that the user can use it.
        click.echo(f"FlashProxy fake API: {base_url}")
        click.echo(f"API key: {fake.api_key}")
        click.echo("Point the client and the CLI at it (in another shell):")
        click.echo(f"  export FLASHPROXY_BASE_URL={base_url} FLASHPROXY_API_KEY={fake.api_key}")
        click.echo("Press Ctrl-C to stop.")
        await stop.wait()
    finally:
        await fake.close()
    click.echo("Stopped.")


@flashproxy.command("fake-server")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface, e.g. --host 0.0.0.0"
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=3000,
    show_default=True,
    help="Port (0 picks a free one), e.g. --port 3000",
)
@click.option(
    "--api-key",
    metavar="KEY",
    help="The key the fake accepts (default: a new fp_test_ key), e.g. --api-key fp_test_abc",
)
@click.option(
    "--balance-cents",
    type=click.IntRange(min=0),
    default=500_000,
    show_default=True,
    help="Starting balance in cents, e.g. --balance-cents 1000",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Scale every delay (provisioning, rotation, rate window), e.g. --time-scale 0.01",
)
@click.option(
    "--rate",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Requests per --period per key, e.g. --rate 10",
)
@click.option(
    "--period",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Rate-limit window in seconds, e.g. --period 60",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Requests in flight per key, e.g. --max-concurrent 20",
)
def fake_server(**options: object) -> int:
    """Serve a stateful fake of the API locally until Ctrl-C.

    The same fake as 'python -m flashproxy_async.testing', with the same options.

    \b
    Example:
      flashproxy fake-server --port 3000 --time-scale 0.01
      # then, in another shell, the export line it prints, and:
      flashproxy balance
    """
    refuse_api_options("fake-server")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(options))
    return 0
