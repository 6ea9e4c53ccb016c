"""Every example in the package's docstrings (the ``::`` blocks ``help()`` shows) runs
against the fake, so that ``help(AsyncFlashProxy)`` never shows code that fails."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

import flashproxy_async
from flashproxy_async import AsyncFlashProxy
from flashproxy_async.sync import FlashProxy
from flashproxy_async.testing import FakeFlashProxy

#: Modules whose examples are shell commands, not Python.
SHELL_EXAMPLES = {"flashproxy_async.cli"}
ORDERS_CSV = "reference,product,bandwidth_gb\nacme-resi,residential,1\n"


def _literal_blocks(doc: str) -> Iterator[str]:
    """The indented blocks that follow a line ending in ``::`` (reStructuredText)."""
    lines = doc.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.rstrip().endswith("::"):
            continue
        while index < len(lines) and not lines[index].strip():
            index += 1
        base = len(line) - len(line.lstrip())
        body: list[str] = []
        while index < len(lines) and (
            not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > base
        ):
            body.append(lines[index])
            index += 1
        if body:
            yield textwrap.dedent("\n".join(body)).strip()


def _documented(module: types.ModuleType) -> Iterator[Any]:
    yield module
    for name, value in vars(module).items():
        if name.startswith("_") or not str(getattr(value, "__module__", "")).startswith(
            "flashproxy_async"
        ):
            continue
        if inspect.isclass(value) or inspect.isfunction(value):
            yield value
        if inspect.isclass(value):
            yield from (v for k, v in vars(value).items() if not k.startswith("_") and callable(v))


def _examples() -> list[Any]:
    found: dict[str, str] = {}
    names = [
        info.name for info in pkgutil.walk_packages(flashproxy_async.__path__, "flashproxy_async.")
    ]
    for name in ["flashproxy_async", *names]:
        if name in SHELL_EXAMPLES:
            continue
        module = importlib.import_module(name)
        for obj in _documented(module):
            for number, block in enumerate(_literal_blocks(inspect.getdoc(obj) or "")):
                where = f"{name}:{getattr(obj, '__qualname__', '')}:{number}"
                found.setdefault(block, where)
    return [pytest.param(block, id=where) for block, where in found.items()]


EXAMPLES = _examples()


def test_the_client_docstring_example_is_collected() -> None:
    ids = [str(p.id) for p in EXAMPLES]
    assert "flashproxy_async:AsyncFlashProxy:0" in ids
    assert "flashproxy_async:AsyncFlashProxy.get:0" in ids


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFlashProxy]:
    with start_blocking_portal() as portal:
        running = FakeFlashProxy(time_scale=0.001)
        portal.call(running.start)
        try:
            yield running
        finally:
            portal.call(running.close)


def _namespace(fake: FakeFlashProxy) -> dict[str, Any]:
    with FlashProxy(fake.api_key, base_url=fake.base_url) as client:
        plan = client.plans.create(product="residential", bandwidth_gb=1)
    return {
        "__name__": "__example__",
        "pytest": pytest,
        "AsyncFlashProxy": AsyncFlashProxy,
        "FlashProxy": FlashProxy,
        "FakeFlashProxy": FakeFlashProxy,
        "plan_id": plan.plan_id,
    }


@pytest.mark.parametrize("block", EXAMPLES)
def test_docstring_example_runs(
    block: str, fake: FakeFlashProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPROXY_API_KEY", fake.api_key)
    monkeypatch.setenv("FLASHPROXY_BASE_URL", fake.base_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    namespace = _namespace(fake)
    if "await " not in block and "async " not in block:
        exec(compile(block, "<docstring example>", "exec"), namespace)
        return

    async def run() -> None:
        # A fragment that uses ``client`` without making one gets one.
        async with AsyncFlashProxy() as client:
            namespace["client"] = client
            source = "async def __example__():\n" + textwrap.indent(block, "    ")
            exec(compile(source, "<docstring example>", "exec"), namespace)
            await namespace["__example__"]()

    asyncio.run(run())
