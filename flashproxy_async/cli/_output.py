"""What the commands print: snake_case JSON, rich tables, and credentials only on request."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from rich import box
from rich.console import Console
from rich.table import Table

from .._redact import MASK

__all__ = ["cli_data", "print_json", "print_table", "stdout_console"]

#: Fields that hold a password, or a string with one inside (``user:pass@host:port``).
_SECRET_FIELDS = frozenset({"proxy_password", "password", "full", "format"})
_WIDE = 10_000  # piped output: never wrap a table row, a script reads it line by line


def cli_data(value: Any, *, show_credentials: bool = False) -> Any:
    """A model (or plain data) as JSON-ready data: snake_case keys, unset fields left out.

    Keys are the Python field names, never the API's wire names (``in_stock``, not
    ``inStock``), so every command's JSON reads the same. Passwords are masked unless
    ``show_credentials``.
    """
    if attrs.has(type(value)):
        data = {
            field.name: cli_data(getattr(value, field.name), show_credentials=show_credentials)
            for field in attrs.fields(type(value))
            if getattr(value, field.name) is not None
        }
        return data if show_credentials else _masked(data)
    if isinstance(value, Mapping):
        data = {str(k): cli_data(v, show_credentials=show_credentials) for k, v in value.items()}
        return data if show_credentials else _masked(data)
    if isinstance(value, (list, tuple)):
        return [cli_data(item, show_credentials=show_credentials) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: MASK if key in _SECRET_FIELDS and isinstance(value, str) else value
        for key, value in data.items()
    }


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def stdout_console() -> Console:
    """A console on stdout: styled on a terminal, plain and unwrapped in a pipe."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=_WIDE, no_color=True, highlight=False, soft_wrap=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows as a table; a cell that is None prints empty."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console = stdout_console()
    if console.is_terminal:
        console.print(table)
        return
    with console.capture() as captured:
        console.print(table)
    # Piped: no padding at the ends of lines, for diff and grep.
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
