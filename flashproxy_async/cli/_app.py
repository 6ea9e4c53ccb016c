"""The ``flashproxy`` group, its shared options, and the one place errors become exit codes."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from .._config import API_KEY_ENV
from .._exceptions import FlashProxyError, RequestValidationError
from .._generated import SPEC_VERSION
from .._redact import redact
from .._version import __version__
from ..bulk import JournalError

if TYPE_CHECKING:
    from .._client import AsyncFlashProxy
    from ..limiters import Limiter

__all__ = ["EXIT_FAILURE", "EXIT_USAGE", "Settings", "api_options", "flashproxy", "run"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_MIN_SECRET = 8
# click 8.2+ raises this for a group run without its command (older ones print the help).
_NO_ARGS_IS_HELP: tuple[type[Exception], ...] = tuple(
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)


@attrs.define
class Settings:
    """The options every API command shares, given before or after the command name."""

    api_key: str | None = None
    base_url: str | None = None
    as_json: bool = False
    show_credentials: bool = False
    given: set[str] = attrs.field(factory=set)


def settings() -> Settings:
    """The run's settings, shared by the group and the command it runs."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return  # not given here; it may have been given on the other side of the command
        chosen = settings()
        setattr(chosen, name, value)
        chosen.given.add(param.opts[0])

    return callback


def api_options(function: F) -> F:
    """``--api-key``, ``--base-url``, ``--json`` and ``--show-credentials``."""
    for decorator in reversed(
        [
            click.option(
                "--api-key",
                metavar="KEY",
                expose_value=False,
                callback=_store("api_key"),
                help=f"API key (default: ${API_KEY_ENV}, preferred: it stays out of the "
                "process list), e.g. --api-key fp_test_...",
            ),
            click.option(
                "--base-url",
                metavar="URL",
                expose_value=False,
                callback=_store("base_url"),
                help="API base URL (default: $FLASHPROXY_BASE_URL, else chosen by the key), "
                "e.g. --base-url http://localhost:3000/api/v1",
            ),
            click.option(
                "--json",
                "as_json",
                is_flag=True,
                expose_value=False,
                callback=_store("as_json"),
                help="Print JSON (snake_case keys) instead of text, e.g. flashproxy balance --json",
            ),
            click.option(
                "--show-credentials",
                is_flag=True,
                expose_value=False,
                callback=_store("show_credentials"),
                help="Include proxy passwords and ready proxy URLs in the output (off by "
                "default: they are masked), e.g. plans list --json --show-credentials",
            ),
        ]
    ):
        function = decorator(function)
    return function


class _Group(click.Group):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        with formatter.section("Exit codes"):
            formatter.write_text("0 success, 1 failure or partial failure, 2 usage error.")


@click.group(
    cls=_Group,
    context_settings=CONTEXT_SETTINGS,
    epilog=(
        'Shell completion: eval "$(_FLASHPROXY_COMPLETE=bash_source flashproxy)" (zsh_source, '
        "fish_source for other shells). Run 'flashproxy COMMAND --help' for a command's options."
    ),
)
@click.version_option(
    __version__,
    "--version",
    prog_name="flashproxy",
    message=f"%(prog)s %(version)s (FlashProxy Reseller API {SPEC_VERSION})",
    help="Show the version and exit, e.g. flashproxy --version",
)
@api_options
def flashproxy() -> None:
    """Command line for the FlashProxy Reseller API.

    \b
    Examples:
      flashproxy demo                          # no account needed
      export FLASHPROXY_API_KEY=fp_live_...
      flashproxy balance
      flashproxy plans list --status active --json
      flashproxy provision orders.csv --journal orders.journal
    """


def refuse_api_options(command: str) -> None:
    """Refuse the shared options given before a command that does not use them."""
    given = sorted(settings().given & {"--api-key", "--base-url", "--show-credentials"})
    if given:
        raise click.UsageError(f"{command} takes no {', '.join(given)}")


def open_client(limiter: Limiter | None = None) -> AsyncFlashProxy:
    """The client for the run's key and base URL; no key at all is a usage error."""
    from .._client import AsyncFlashProxy

    chosen = settings()
    if not chosen.api_key and not os.environ.get(API_KEY_ENV):
        raise click.UsageError(f"no API key: set {API_KEY_ENV} (or pass --api-key)")
    return AsyncFlashProxy(api_key=chosen.api_key, base_url=chosen.base_url, limiter=limiter)


def _flag_names(message: str, command: click.Command | None) -> str:
    """``bandwidth_gb`` -> ``--bandwidth-gb``: errors speak the command line's language."""
    names = {"api_key": "--api-key", "base_url": "--base-url"}
    for param in command.params if command is not None else ():
        if isinstance(param, click.Option) and param.name:
            names.setdefault(param.name, param.opts[0])
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b=?")
    return pattern.sub(lambda m: names[m.group(1)], message)


def run_async(make: Callable[[], Coroutine[Any, Any, T]], *, flag_names: bool = True) -> T:
    """Run a command's coroutine; local errors name the command's flags, not Python's."""
    try:
        return asyncio.run(make())
    except RequestValidationError as exc:
        if not flag_names:
            raise
        command = click.get_current_context().command
        raise RequestValidationError(_flag_names(str(exc), command), rule=exc.rule) from None


def _fail(message: str, secrets: Sequence[str], code: int) -> int:
    lines = redact(message, secrets).strip().splitlines() or [""]
    sys.stdout.flush()
    for line in lines:
        print(f"flashproxy: error: {line}", file=sys.stderr)
    return code


def _secrets(args: Sequence[str]) -> list[str]:
    """The keys this run may hold: never to be printed, whatever the error says."""
    found = [os.environ.get(API_KEY_ENV, "")]
    for i, arg in enumerate(args):
        if arg == "--api-key" and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--api-key="):
            found.append(arg.partition("=")[2])
    # A real key is long (fp_live_ plus 32 characters); masking a short typo would mangle
    # every message it happens to occur in.
    return [s for s in found if len(s) >= _MIN_SECRET]


def _usage_error(exc: click.UsageError, secrets: Sequence[str]) -> int:
    where = exc.ctx.command_path if exc.ctx is not None else "flashproxy"
    message = exc.format_message().rstrip(".")
    command = exc.ctx.command if exc.ctx is not None else None
    if isinstance(exc, _NO_ARGS_IS_HELP) and isinstance(command, click.Group):
        # click's message here is the whole help page; one line names the choices.
        message = f"missing command: one of {', '.join(sorted(command.commands))}"
    return _fail(f"{message} (see '{where} --help')", secrets, EXIT_USAGE)


def run(argv: Sequence[str] | None) -> int:
    """Run the command line; return the exit status. Errors are one line on stderr."""
    args = list(argv) if argv is not None else sys.argv[1:]
    secrets = _secrets(args)
    try:
        result = flashproxy.main(
            args=args,
            prog_name="flashproxy",
            standalone_mode=False,
        )
    except click.UsageError as exc:
        return _usage_error(exc, secrets)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, click.Abort):
        return _fail("interrupted", secrets, EXIT_INTERRUPTED)
    except click.ClickException as exc:
        return _fail(exc.format_message(), secrets, exc.exit_code)
    except RequestValidationError as exc:
        return _fail(str(exc), secrets, EXIT_USAGE)
    except JournalError as exc:
        # A journal that is not this job's, is damaged or is in use: nothing was sent.
        return _fail(" ".join(str(exc).split()), secrets, EXIT_USAGE)
    except FlashProxyError as exc:
        return _fail(str(exc), secrets, EXIT_FAILURE)
    except FileNotFoundError as exc:
        return _fail(f"{exc.strerror}: {exc.filename}", secrets, EXIT_USAGE)
    except OSError as exc:
        return _fail(str(exc), secrets, EXIT_FAILURE)
    except Exception as exc:  # the promise: one line, never a traceback
        message = f"unexpected {type(exc).__name__}: {exc}"
        return _fail(message, secrets, EXIT_FAILURE)
    return result if isinstance(result, int) else EXIT_OK
