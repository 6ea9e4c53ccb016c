"""``flashproxy fake-server`` as a tool, and ``demo``'s refusal of options it does not use."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys

import anyio
import pytest

from ._run import FLASHPROXY, cli_env, run, start


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def long_options(help_text: str) -> set[str]:
    return set(re.findall(r"(--[a-z][a-z0-9-]+)", help_text)) - {"--help"}


def test_fake_server_takes_every_option_of_the_module_entry_point() -> None:
    module_help = subprocess.run(
        [sys.executable, "-m", "flashproxy_async.testing", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    ours = subprocess.run(
        [FLASHPROXY, "fake-server", "--help"], capture_output=True, text=True, check=True
    )
    expected = long_options(module_help)
    assert {"--api-key", "--balance-cents", "--time-scale", "--port"} <= expected
    assert expected <= long_options(ours.stdout)


async def test_fake_server_prints_the_export_line_and_honours_its_options() -> None:
    port = free_port()
    key = "fp_test_" + "cd" * 16
    server = await start(
        "fake-server", "--port", str(port), "--api-key", key, "--balance-cents", "1234",
        "--time-scale", "0.01", "--rate", "50", "--period", "30", "--max-concurrent", "5",
    )  # fmt: skip
    try:
        assert server.stdout is not None
        lines = []
        with anyio.fail_after(30):
            while not lines or not lines[-1].startswith("Press Ctrl-C"):
                lines.append((await server.stdout.readline()).decode().strip())
        base_url = f"http://localhost:{port}/api/v1"
        assert f"export FLASHPROXY_BASE_URL={base_url} FLASHPROXY_API_KEY={key}" in lines
        # The export line is all a client needs: no --base-url, no --api-key.
        env = cli_env(FLASHPROXY_BASE_URL=base_url, FLASHPROXY_API_KEY=key)
        balance = await run("balance", "--json", env=env)
        assert balance.code == 0, balance.err
        assert json.loads(balance.out)["balance_cents"] == 1234
    finally:
        server.send_signal(signal.SIGTERM)
        with anyio.fail_after(30):
            await server.wait()
    assert server.returncode == 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("--port", "99999"), "'--port': 99999 is not in the range 0<=x<=65535"),
        (("--port", "http"), "'--port': 'http' is not a valid integer"),
        (("--time-scale", "-1"), "'--time-scale': -1.0 is not in the range x>0"),
        (("--time-scale", "0"), "'--time-scale': 0.0 is not in the range x>0"),
        (("--balance-cents", "-5"), "'--balance-cents'"),
    ],
)
async def test_fake_server_refuses_bad_options_in_one_line(
    argv: tuple[str, ...], said: str
) -> None:
    result = await run("fake-server", *argv)
    assert result.code == 2
    line = one_line(result.err)
    assert line.startswith("flashproxy: error: ") and said in line, line


async def test_fake_server_on_a_port_in_use_fails_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = await run("fake-server", "--port", str(port))
    assert result.code == 2
    assert f"--port {port}: 127.0.0.1:{port} is already in use" in one_line(result.err)


@pytest.mark.parametrize(
    "argv",
    [
        ("demo", "--api-key", "fp_test_" + "ab" * 16),
        ("demo", "--base-url", "http://localhost:3000/api/v1"),
        ("--base-url", "http://localhost:3000/api/v1", "demo"),
        ("--api-key", "fp_test_" + "ab" * 16, "fake-server"),
    ],
)
async def test_demo_and_fake_server_refuse_the_api_options(argv: tuple[str, ...]) -> None:
    result = await run(*argv)
    assert result.code == 2
    line = one_line(result.err)
    assert "--api-key" in line or "--base-url" in line
    assert "ab" * 16 not in line
