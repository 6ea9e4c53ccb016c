"""--json on every command: snake_case keys; credentials and URLs only with --show-credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from yarl import URL

from flashproxy_async.testing import FakeFlashProxy
from flashproxy_async.testing._state import FakeProxy

from ._run import cli_env, run

#: Maps keyed by the orders' references (data, not field names).
BY_REFERENCE = frozenset({"created", "failed", "outcomes", "proxy_urls"})


def keys(data: Any, *, by_reference: bool = False) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if not by_reference:
                yield key
            yield from keys(value, by_reference=key in BY_REFERENCE and isinstance(value, dict))
    elif isinstance(data, list):
        for item in data:
            yield from keys(item)


def assert_snake_case(data: Any) -> None:
    wrong = [key for key in keys(data) if key != key.lower() or "-" in key]
    assert not wrong, wrong


async def test_every_command_prints_snake_case_json(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    plan = flashproxy_fake.state.add_plan("residential", end_user_reference="r1")
    orders = tmp_path / "orders.jsonl"
    orders.write_text('{"reference": "p1", "product": "pool1", "bandwidth_gb": 1}\n')
    commands = [
        ("balance",),
        ("plans", "list"),
        ("plans", "get", plan.plan_id),
        ("plans", "create", "--product", "mobile", "--bandwidth-gb", "1"),
        ("plans", "extend", plan.plan_id, "--add-bandwidth-gb", "1"),
        ("pools",),
        ("proxy-url", plan.plan_id),
        ("provision", str(orders), "--journal", str(tmp_path / "j")),
    ]
    for argv in commands:
        result = await run(*argv, "--json", *base, env=env)
        assert result.code == 0, (argv, result.err)
        assert_snake_case(json.loads(result.out))
    pools = json.loads((await run("pools", "--json", *base, env=env)).out)
    assert "in_stock" in pools["pools"][0] and "inStock" not in pools["pools"][0]
    demo = await run("demo", "--json", env=cli_env())
    assert_snake_case(json.loads(demo.out))


async def test_credentials_are_masked_unless_asked_for(flashproxy_fake: FakeFlashProxy) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    plan = flashproxy_fake.state.add_plan("pool2")
    hidden = await run("plans", "get", plan.plan_id, "--json", *base, env=env)
    data = json.loads(hidden.out)
    assert data["proxy_password"] == "***" and "proxy_urls" not in data
    assert plan.proxy_password not in hidden.out

    shown = await run("plans", "get", plan.plan_id, "--json", "--show-credentials", *base, env=env)
    data = json.loads(shown.out)
    assert data["proxy_password"] == plan.proxy_password
    urls = [URL(url) for url in data["proxy_urls"]]
    assert [url.port for url in urls] == list(range(10000, 10010))  # every port of the pool
    assert {(url.user, url.password) for url in urls} == {
        (f"{plan.proxy_username}-package-pool2", plan.proxy_password)
    }
    # Before the command works too, and so does the table form.
    text = await run("--show-credentials", "plans", "list", *base, env=env)
    assert text.code == 0 and f"{plan.plan_id}  http://" in text.out


async def test_dedicated_isp_credentials_are_one_url_per_ip(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    proxies = [FakeProxy("isp.proxyserver.bot", 10001 + i, f"user_{i}", f"pw{i}") for i in range(2)]
    isp = flashproxy_fake.state.add_plan("dedicated_isp", proxies=proxies)
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    listed = await run("plans", "list", "--json", "--show-credentials", *base, env=env)
    (data,) = json.loads(listed.out)
    assert data["proxy_urls"] == [
        "http://user_0:pw0@isp.proxyserver.bot:10001",
        "http://user_1:pw1@isp.proxyserver.bot:10002",
    ]
    every = await run("proxy-url", isp.plan_id, "--json", *base, env=env)
    assert json.loads(every.out)["urls"] == data["proxy_urls"]
    second = await run("proxy-url", isp.plan_id, "--port-index", "1", *base, env=env)
    assert second.out.strip() == data["proxy_urls"][1]
    missing = await run("proxy-url", isp.plan_id, "--port-index", "2", *base, env=env)
    assert missing.code == 2
    assert "2 static IPs (--port-index 0..1), got 2" in missing.err


async def test_a_rerun_report_with_credentials_has_every_plans_urls(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\na,residential,1\n")
    journal = ("--journal", str(tmp_path / "j"))
    first = await run("provision", str(orders), *journal, "--json", *base, env=env)
    assert json.loads(first.out)["created"]["a"]["proxy_password"] == "***"
    rerun = await run(
        "provision", str(orders), *journal, "--json", "--show-credentials", *base, env=env
    )
    report = json.loads(rerun.out)
    assert report["outcomes"] == {"a": "skipped"}
    (stored,) = flashproxy_fake.state.plans.values()
    assert report["created"]["a"]["proxy_password"] == stored.proxy_password
    assert report["created"]["a"]["proxy_urls"][0].startswith(f"http://{stored.proxy_username}:")
