"""The command line's surface: --version, help with an example everywhere, completion, extras."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import click

from flashproxy_async import __spec_version__, __version__
from flashproxy_async.cli import main
from flashproxy_async.cli._app import flashproxy

from ._run import FLASHPROXY, cli_env


def commands(group: click.Group, path: str = "flashproxy") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} {name}")


def console_script(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLASHPROXY, *argv], env=cli_env(**env), capture_output=True, text=True, check=False
    )


def test_version_names_the_package_and_the_api() -> None:
    result = console_script("--version")
    assert result.returncode == 0
    assert (
        result.stdout.strip()
        == f"flashproxy {__version__} (FlashProxy Reseller API {__spec_version__})"
    )


def test_every_command_and_option_has_help_with_an_example() -> None:
    main(["--version"])  # registers every command
    found = dict(commands(flashproxy))
    assert set(found) >= {
        "flashproxy balance", "flashproxy plans list", "flashproxy plans get",
        "flashproxy plans create", "flashproxy plans extend", "flashproxy pools",
        "flashproxy proxy-url", "flashproxy provision", "flashproxy fake-server",
        "flashproxy demo",
    }  # fmt: skip
    for path, command in [("flashproxy", flashproxy), *found.items()]:
        assert command.help and ("Example" in command.help), path
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help and "e.g." in param.help, (path, param.name)
    # What a user sees, through the console script.
    result = console_script("plans", "create", "--help")
    assert result.returncode == 0
    assert "--bandwidth-gb FLOAT" in result.stdout and "e.g. --bandwidth-gb 5" in result.stdout


def test_shell_completion_is_built_in() -> None:
    script = console_script(_FLASHPROXY_COMPLETE="bash_source")
    assert script.returncode == 0 and "_flashproxy_completion" in script.stdout
    words = console_script(
        _FLASHPROXY_COMPLETE="bash_complete", COMP_WORDS="flashproxy pl", COMP_CWORD="1"
    )
    assert words.stdout.split() == ["plain,plans"]
    options = console_script(
        _FLASHPROXY_COMPLETE="bash_complete",
        COMP_WORDS="flashproxy provision --max",
        COMP_CWORD="2",
    )
    assert "plain,--max-concurrent" in options.stdout.split()


def test_the_package_imports_neither_click_nor_rich() -> None:
    probe = (
        "import sys, flashproxy_async, flashproxy_async.bulk, flashproxy_async.sync, "
        "flashproxy_async.testing, flashproxy_async.targeting; "
        "print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_without_the_cli_extra_the_command_says_how_to_get_it() -> None:
    probe = (
        "import sys; sys.modules['rich'] = None; from flashproxy_async.cli import main; "
        "sys.exit(main(['balance']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False,
        env={k: v for k, v in os.environ.items() if k != "FLASHPROXY_API_KEY"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "flashproxy: error: the command line needs rich: "
        "python -m pip install 'flashproxy-async[cli]'"
    )
