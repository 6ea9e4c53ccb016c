"""The ``flashproxy`` command line, on click and rich (``pip install 'flashproxy-async[cli]'``).

::

    flashproxy demo                                   # no account needed
    export FLASHPROXY_API_KEY=fp_live_...
    flashproxy balance
    flashproxy plans list --status active --json
    flashproxy provision orders.csv --journal orders.journal

Exit codes: 0 success, 1 failure or partial failure (an API error), 2 usage error
(bad arguments, no API key, an invalid orders file). Errors are one line on stderr
(one per bad row of an orders file), in the command line's flag names; the API key
is never printed. Shell completion: ``eval "$(_FLASHPROXY_COMPLETE=bash_source
flashproxy)"``.

Importing ``flashproxy_async`` never imports this package, click or rich.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``flashproxy`` command; return its exit status."""
    try:
        from . import _commands, _demo, _fake_server, _provision  # noqa: F401 - registers them
        from ._app import run
    except ImportError as exc:
        if exc.name not in ("click", "rich"):
            raise
        print(
            f"flashproxy: error: the command line needs {exc.name}: "
            "python -m pip install 'flashproxy-async[cli]'",
            file=sys.stderr,
        )
        return 2
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
