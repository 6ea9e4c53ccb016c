"""Run the installed ``flashproxy`` console script in a subprocess."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import attrs

FLASHPROXY = str(Path(sys.executable).with_name("flashproxy"))
_TIMEOUT = 60.0


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


def cli_env(api_key: str | None = None, **extra: str) -> dict[str, str]:
    """The current environment without FlashProxy settings, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASHPROXY_")}
    if api_key is not None:
        env["FLASHPROXY_API_KEY"] = api_key
    env.update(extra)
    return env


async def start(*args: str, env: Mapping[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        FLASHPROXY,
        *args,
        env=dict(env if env is not None else cli_env()),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """Run ``flashproxy *args`` to completion (the event loop keeps serving any fake)."""
    process = await start(*args, env=env)
    out, err = await asyncio.wait_for(process.communicate(), _TIMEOUT)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())
