"""The real ``flashproxy`` console script: exit codes, --json, errors, secrecy."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import anyio

from flashproxy_async.testing import FakeFlashProxy
from flashproxy_async.testing._state import FakeProxy

from ._run import cli_env, run, start


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


async def test_help_and_usage_errors_exit_2_in_one_line() -> None:
    assert (await run("--help")).code == 0
    for argv, said in (
        (("bogus",), "No such command 'bogus'"),
        (("plans",), "missing command: one of create, extend, get, list"),
        (("plans", "get"), "Missing argument 'PLAN_ID'"),
        (("provision", "x.csv"), "Missing option '--journal'"),
        (("plans", "list", "--status", "gone"), "'--status'"),
        (("balance", "--bogus"), "No such option '--bogus'"),
    ):
        result = await run(*argv)
        assert result.code == 2, argv
        line = one_line(result.err)
        assert line.startswith("flashproxy: error: ") and said in line, line


async def test_no_api_key_is_a_usage_error_in_one_line_in_flag_names() -> None:
    result = await run("balance", env=cli_env())
    assert result.code == 2
    line = one_line(result.err)
    assert "FLASHPROXY_API_KEY" in line and "--api-key" in line and "api_key=" not in line
    malformed = await run("balance", "--api-key", "nope", env=cli_env())
    assert malformed.code == 2 and "fp_test_" in one_line(malformed.err)


async def test_balance_json_is_machine_readable(flashproxy_fake: FakeFlashProxy) -> None:
    env = cli_env(flashproxy_fake.api_key)
    result = await run("balance", "--json", "--base-url", flashproxy_fake.base_url, env=env)
    assert result.code == 0, result.err
    assert json.loads(result.out)["balance_cents"] == flashproxy_fake.state.balance_cents
    # Options work before the command too.
    before = await run("--json", "--base-url", flashproxy_fake.base_url, "balance", env=env)
    assert json.loads(before.out) == json.loads(result.out)


async def test_plans_create_list_get_extend_and_proxy_url(flashproxy_fake: FakeFlashProxy) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    created = await run(
        "plans", "create", "--product", "residential", "--bandwidth-gb", "2",
        "--reference", "cli-1", "--json", *base, env=env,
    )  # fmt: skip
    assert created.code == 0, created.err
    plan = json.loads(created.out)
    assert plan["end_user_reference"] == "cli-1"
    assert plan["proxy_password"] == "***"
    stored = flashproxy_fake.state.plans[plan["plan_id"]]
    assert stored.proxy_password not in created.out

    listed = await run("plans", "list", "--status", "active", *base, env=env)
    assert listed.code == 0 and plan["plan_id"] in listed.out and "cli-1" in listed.out
    got = await run("plans", "get", plan["plan_id"], "--json", *base, env=env)
    assert json.loads(got.out)["plan_id"] == plan["plan_id"]
    extended = await run(
        "plans", "extend", plan["plan_id"], "--add-bandwidth-gb", "1", "--json", *base, env=env
    )
    assert extended.code == 0, extended.err
    assert json.loads(extended.out)["limits"]["max_gb"] == 3

    url = await run("proxy-url", plan["plan_id"], "--country", "US", *base, env=env)
    assert url.code == 0, url.err
    assert url.out.strip().startswith(f"http://{stored.proxy_username}-country-us:")

    pools = await run("pools", "--json", *base, env=env)
    assert pools.code == 0 and json.loads(pools.out)["total"] >= 1


async def test_proxy_url_takes_session_times_in_each_products_form(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    pool2 = flashproxy_fake.state.add_plan("pool2")
    sticky = ("--country", "us", "--session", "abc")

    async def url(plan_id: str, *argv: str) -> str:
        result = await run("proxy-url", plan_id, *sticky, *argv, *base, env=env)
        assert result.code == 0, result.err
        return result.out.strip()

    for given in ("10m", "10", "600s"):
        assert f"{pool2.proxy_username}-package-pool2-country-us-session-abc-time-600:" in (
            await url(pool2.plan_id, "--session-time", given)
        )
    assert "-time-172800:" in await url(pool2.plan_id, "--session-time", "2d")
    pool1 = flashproxy_fake.state.add_plan("pool1")
    assert "-session-abc-time-long:" in await url(pool1.plan_id, "--session-time", "long")
    unlimited = flashproxy_fake.state.add_plan("unlimited_residential")
    assert "-session-abc-sessTime-120-sessAuto-1:" in (
        await url(unlimited.plan_id, "--session-time", "2h")
    )

    unreadable = await run("proxy-url", pool2.plan_id, "--session-time", "soon", *base, env=env)
    assert unreadable.code == 2 and "'--session-time'" in one_line(unreadable.err)
    too_long = await run(
        "proxy-url", pool2.plan_id, *sticky, "--session-time", "8d", *base, env=env
    )
    assert too_long.code == 2
    assert "at most 7 days" in one_line(too_long.err)


async def test_proxy_url_percent_encodes_static_ip_credentials(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    proxy = FakeProxy("isp.proxyserver.bot", 10001, "user_1", "p@ss:w/rd")
    isp = flashproxy_fake.state.add_plan("dedicated_isp", proxies=[proxy])
    result = await run(
        "proxy-url", isp.plan_id, "--json", "--base-url", flashproxy_fake.base_url,
        env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["urls"] == [
        "http://user_1:p%40ss%3Aw%2Frd@isp.proxyserver.bot:10001"
    ]


async def test_local_rule_violation_is_a_usage_error_and_sends_nothing(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    env = cli_env(flashproxy_fake.api_key)
    result = await run(
        "plans", "create", "--product", "residential", "--base-url", flashproxy_fake.base_url,
        env=env,
    )  # fmt: skip
    assert result.code == 2
    assert one_line(result.err) == "flashproxy: error: residential needs --bandwidth-gb"
    every = await run(
        "plans", "create", "--product", "datacenter", "--billing-type", "time",
        "--base-url", flashproxy_fake.base_url, env=env,
    )  # fmt: skip
    assert every.code == 2
    assert one_line(every.err) == "flashproxy: error: datacenter needs --duration and --mbps"
    extra = await run(
        "plans", "create", "--product", "residential", "--bandwidth-gb", "1", "--mbps", "5",
        "--base-url", flashproxy_fake.base_url, env=env,
    )  # fmt: skip
    assert extra.code == 2
    assert "--mbps not accepted for residential; it takes --bandwidth-gb" in one_line(extra.err)
    assert flashproxy_fake.requests == []


async def test_api_errors_are_one_line_and_never_echo_the_key(
    flashproxy_fake: FakeFlashProxy,
) -> None:
    base = ("--base-url", flashproxy_fake.base_url)
    missing = await run(
        "plans", "get", "00000000-0000-4000-8000-000000000000", *base,
        env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert missing.code == 1
    assert "NOT_FOUND" in one_line(missing.err)

    wrong_key = "fp_test_" + "ab" * 16
    for env, argv in (
        (cli_env(), ("--api-key", wrong_key, "balance", *base)),
        (cli_env(wrong_key), ("balance", *base)),
    ):
        result = await run(*argv, env=env)
        assert result.code == 1
        assert "UNAUTHORIZED" in one_line(result.err)
        assert wrong_key not in result.out + result.err
    ok = await run("balance", *base, env=cli_env(flashproxy_fake.api_key))
    assert flashproxy_fake.api_key not in ok.out + ok.err


async def test_provision_partial_failure_exits_1_with_a_summary(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "reference,product,bandwidth_gb,pool,quantity\n"
        "a,residential,5,,\n"
        "b,dedicated_isp,,ISP_DE_GENERAL,1\n"
        "c,pool1,3,,\n"
    )
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    journal = str(tmp_path / "j")
    result = await run("provision", str(orders), "--journal", journal, *base, env=env)
    assert result.code == 1
    totals = "2 created, 0 reconciled, 0 skipped, 1 failed, 0 not attempted"
    assert totals in result.out
    assert "POOL_OUT_OF_STOCK" in result.out
    assert f"provisioning 3/3: {totals}" in result.err  # the progress, in the same words

    flashproxy_fake.state.set_pool_stock("ISP_DE_GENERAL", 1)
    again = await run("provision", str(orders), "--journal", journal, "--json", *base, env=env)
    assert again.code == 0, again.err
    report = json.loads(again.out)
    assert sorted(report["created"]) == ["a", "b", "c"]
    assert report["failed"] == {} and report["not_attempted"] == []
    assert report["outcomes"] == {"a": "skipped", "b": "created", "c": "skipped"}
    assert len(flashproxy_fake.state.plans) == 3

    # A third run buys nothing, and its summary says so in the progress's words.
    third = await run("provision", str(orders), "--journal", journal, *base, env=env)
    assert third.code == 0, third.err
    totals = "0 created, 0 reconciled, 3 skipped, 0 failed, 0 not attempted"
    assert f"provisioning 3/3: {totals}" in third.err
    assert totals in third.out
    rows = [line.split() for line in third.out.splitlines() if line[:2] in ("a ", "b ", "c ")]
    assert [row[2] for row in rows] == ["skipped", "skipped", "skipped"]
    assert len(flashproxy_fake.state.plans) == 3


async def test_provision_reports_every_bad_row_at_once_and_refuses_an_empty_file(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    orders = tmp_path / "orders.json"
    orders.write_text(
        '[\n  {"reference": "a", "product": "residential"},\n'
        '  {"reference": "b", "product": "residential", "bandwidth_gb": 1},\n'
        '  {"reference": "c", "product": "pool1", "bandwidth_gb": "lots"}\n]\n'
    )
    result = await run("provision", str(orders), "--journal", str(tmp_path / "j"), *base, env=env)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines == [
        f"flashproxy: error: {orders}:2: order 'a': residential needs bandwidth_gb",
        f"flashproxy: error: {orders}:4: order 'c': bandwidth_gb must be a number, got 'lots'",
    ]
    empty = tmp_path / "empty.csv"
    empty.write_text("reference,product,bandwidth_gb\n")
    nothing = await run("provision", str(empty), "--journal", str(tmp_path / "j"), *base, env=env)
    assert nothing.code == 2
    assert one_line(nothing.err) == f"flashproxy: error: {empty}: the file holds no orders"
    assert flashproxy_fake.requests == []


async def test_provision_with_a_bad_orders_file_is_a_usage_error(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\na,residential,5\na,residential,6\n")
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url)
    duplicate = await run("provision", str(orders), "--journal", str(tmp_path / "j"), *base,
                          env=env)  # fmt: skip
    assert duplicate.code == 2
    assert "unique" in one_line(duplicate.err)
    absent = await run("provision", str(tmp_path / "nope.csv"), "--journal", "j", env=env)
    assert absent.code == 2 and "nope.csv" in one_line(absent.err)
    assert flashproxy_fake.requests_for("POST") == []


async def test_demo_exits_0_and_prints_proxy_urls() -> None:
    started = time.monotonic()
    result = await run("demo", env=cli_env())
    assert result.code == 0, result.err
    # "Well under a minute", interpreter start-up included.
    assert time.monotonic() - started < 20
    assert "Ready-to-use proxy URLs" in result.out
    assert "http://" in result.out and "@geo.proxyserver.bot:8080" in result.out
    assert "isp.proxyserver.bot" in result.out
    assert "demo-isp-sold-out" in result.out and "expected" in result.out
    assert "6/6" in result.err  # the progress bar ran
    as_json = await run("demo", "--json", env=cli_env())
    assert as_json.code == 0
    assert "demo-isp-sold-out" in json.loads(as_json.out)["report"]["failed"]


async def test_fake_server_serves_the_api_on_the_given_port_until_stopped() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await start("fake-server", "--port", str(port))
    try:
        assert server.stdout is not None
        with anyio.fail_after(30):
            banner = (await server.stdout.readline()).decode()
            key_line = (await server.stdout.readline()).decode()
        assert f":{port}/api/v1" in banner
        base_url = banner.split()[-1]
        api_key = key_line.split()[-1]
        balance = await run("balance", "--json", "--base-url", base_url, env=cli_env(api_key))
        assert balance.code == 0, balance.err
        assert json.loads(balance.out)["balance_cents"] > 0
    finally:
        server.send_signal(signal.SIGTERM)
        with anyio.fail_after(30):
            await server.wait()
    assert server.returncode == 0


async def test_provision_summary_says_what_stopped_the_run_and_what_is_in_doubt(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\na,residential,1\nb,residential,1\n")
    env = cli_env(flashproxy_fake.api_key)
    base = ("--base-url", flashproxy_fake.base_url, "--max-concurrent", "1")
    flashproxy_fake.faults.process_then_drop(method="POST", path="/plans")
    doubt = await run("provision", str(orders), "--journal", str(tmp_path / "j1"), *base, env=env)
    assert doubt.code == 1
    assert "(in doubt: rerun to reconcile)" in doubt.out
    assert "rerun with the same --journal to reconcile them" in doubt.out

    # Other orders: the first job's, under a new journal, are found by the walk, not bought.
    orders.write_text("reference,product,bandwidth_gb\nc,residential,1\nd,residential,1\n")
    flashproxy_fake.state.set_balance(0)
    stopped = await run("provision", str(orders), "--journal", str(tmp_path / "j2"), *base, env=env)
    assert stopped.code == 1
    assert "Stopped early: INSUFFICIENT_BALANCE" in stopped.out
    assert "0 created, 0 reconciled, 0 skipped, 1 failed, 1 not attempted" in stopped.out


async def test_provision_prints_proxy_urls_with_show_credentials(
    flashproxy_fake: FakeFlashProxy, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("reference,product,bandwidth_gb\na,pool1,1\n")
    result = await run(
        "provision", str(orders), "--journal", str(tmp_path / "j"), "--show-credentials",
        "--base-url", flashproxy_fake.base_url, env=cli_env(flashproxy_fake.api_key),
    )  # fmt: skip
    assert result.code == 0, result.err
    (plan,) = flashproxy_fake.state.plans.values()
    urls = [line.split()[1] for line in result.out.splitlines() if line.startswith("  a  ")]
    assert len(urls) == 10  # pool 1's ten ports
    assert urls[0].startswith(f"http://{plan.proxy_username}-package-pool1:")
