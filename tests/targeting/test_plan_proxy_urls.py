"""plan.proxy_urls() and plan.proxy_url(port_index=...): one answer for every product."""

from __future__ import annotations

from uuid import uuid4

import pytest
from yarl import URL

from flashproxy_async.models import (
    Plan,
    PlanConnection,
    PlanStatus,
    Product,
    ProxyItem,
    ProxyList,
)
from flashproxy_async.targeting import TargetingError

PLAN_ID = uuid4()
ISP = Plan(
    plan_id=PLAN_ID,
    product=Product.dedicated_isp,
    status=PlanStatus.active,
    proxy_username="plan_user",
    proxy_password="plan_pass",
    connection=PlanConnection(hostname="isp.proxyserver.bot", port_http=10000),
)
ITEMS = [
    ProxyItem(host="isp.proxyserver.bot", port=10001 + i, username=f"ip_{i}", password=f"p@{i}",
              full=f"isp.proxyserver.bot:{10001 + i}:ip_{i}:p@{i}")
    for i in range(3)
]  # fmt: skip
LISTING = ProxyList(plan_id=PLAN_ID, proxies=ITEMS, count=3)


def test_dedicated_isp_urls_are_one_per_static_ip_with_its_own_credentials() -> None:
    urls = ISP.proxy_urls(LISTING)
    assert [(URL(u).user, URL(u).password, URL(u).port) for u in urls] == [
        ("ip_0", "p@0", 10001), ("ip_1", "p@1", 10002), ("ip_2", "p@2", 10003),
    ]  # fmt: skip
    assert "plan_user" not in "".join(urls)
    assert ISP.proxy_urls(ITEMS) == urls  # a bare list of items works as well
    assert ISP.proxy_urls(LISTING, scheme="socks5")[0].startswith("socks5://ip_0:p%400@")


def test_dedicated_isp_port_index_picks_one_ip_and_refuses_one_it_lacks() -> None:
    urls = ISP.proxy_urls(LISTING)
    assert [ISP.proxy_url(proxies=LISTING, port_index=i) for i in range(3)] == urls
    with pytest.raises(TargetingError, match=r"3 static IPs \(port_index 0\.\.2\), got 3") as bad:
        ISP.proxy_url(proxies=LISTING, port_index=3)
    assert bad.value.rule == "port_index"
    with pytest.raises(TargetingError, match="none"):
        ISP.proxy_url(proxies=ProxyList(plan_id=PLAN_ID, proxies=[]))


def test_dedicated_isp_without_its_proxy_list_says_how_to_get_it() -> None:
    for call in (ISP.proxy_url, ISP.proxy_urls):
        with pytest.raises(TargetingError, match=r"proxies=await client\.plans\.proxies\(plan\)"):
            call()


def test_a_proxy_list_of_another_plan_or_for_another_product_is_refused() -> None:
    with pytest.raises(TargetingError, match="not plan"):
        ISP.proxy_urls(ProxyList(plan_id=uuid4(), proxies=ITEMS))
    resi = Plan(
        plan_id=PLAN_ID,
        product=Product.residential,
        status=PlanStatus.active,
        proxy_username="u",
        proxy_password="p",
    )
    with pytest.raises(TargetingError, match="for dedicated_isp plans") as caught:
        resi.proxy_urls(LISTING)
    assert caught.value.rule == "plan.proxies"


def test_pool_plans_list_every_port_and_port_index_agrees() -> None:
    pool = Plan(
        plan_id=PLAN_ID,
        product=Product.pool2,
        status=PlanStatus.active,
        proxy_username="u",
        proxy_password="p",
    )
    urls = pool.proxy_urls(country="de")
    assert [URL(u).port for u in urls] == list(range(10000, 10010))
    assert urls == [pool.proxy_url(country="de", port_index=i) for i in range(10)]
    assert all(URL(u).user == "u-package-pool2-country-de" for u in urls)


def test_single_port_products_have_one_url_and_refuse_other_port_indexes() -> None:
    resi = Plan(
        plan_id=PLAN_ID,
        product=Product.residential,
        status=PlanStatus.active,
        proxy_username="u",
        proxy_password="p",
    )
    assert resi.proxy_urls() == [resi.proxy_url()]
    with pytest.raises(TargetingError) as caught:
        resi.proxy_url(port_index=1)
    assert caught.value.rule == "port_index"
