"""``flashproxy_async.cli.main`` in-process (in a worker thread, beside the fake's loop)."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from flashproxy_async.cli import main
from flashproxy_async.testing import FakeFlashProxy


async def call(*argv: str) -> int:
    return await anyio.to_thread.run_sync(main, list(argv))


async def test_commands_in_process(
    flashproxy_fake: FakeFlashProxy,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FLASHPROXY_API_KEY", flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    isp = flashproxy_fake.state.add_plan("dedicated_isp", end_user_reference="isp")
    assert await call("balance", *base) == 0
    assert "Balance: $" in capsys.readouterr().out
    assert await call("plans", "list", "--json", *base) == 0
    assert json.loads(capsys.readouterr().out)[0]["end_user_reference"] == "isp"
    assert await call("plans", "get", isp.plan_id, *base) == 0
    assert isp.plan_id in capsys.readouterr().out
    assert await call("pools", *base) == 0
    assert "ISP_US_SNEAKERS" in capsys.readouterr().out
    assert await call("proxy-url", isp.plan_id, "--json", *base) == 0
    assert json.loads(capsys.readouterr().out)["urls"] == []

    orders = tmp_path / "orders.jsonl"
    orders.write_text('{"reference": "r", "product": "residential", "bandwidth_gb": 1}\n')
    journal = str(tmp_path / "j")
    assert await call("provision", str(orders), "--journal", journal, *base) == 0
    assert "1 created, 0 reconciled, 0 skipped, 0 failed" in capsys.readouterr().out
    assert await call("provision", str(orders), "--journal", journal, "--max-concurrent", "0") == 2
    assert "--max-concurrent" in capsys.readouterr().err

    flashproxy_fake.state.set_balance(0)
    created = ("plans", "create", "--product", "mobile", "--bandwidth-gb", "1", *base)
    assert await call(*created) == 1
    assert "INSUFFICIENT_BALANCE" in capsys.readouterr().err


async def test_demo_in_process(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    journal = tmp_path / "demo.journal"
    assert await call("demo", "--journal", str(journal)) == 0
    out = capsys.readouterr().out
    assert "Ready-to-use proxy URLs" in out and "expected" in out
    assert journal.exists()
