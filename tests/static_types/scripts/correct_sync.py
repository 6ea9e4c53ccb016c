"""A correct blocking-client script: both checkers must pass it with 0 errors."""

from flashproxy_async.models import Duration, Plan, Product
from flashproxy_async.sync import FlashProxy


def main() -> None:
    with FlashProxy() as client:
        plan: Plan = client.plans.create(product="residential", bandwidth_gb=5)
        client.plans.create(product=Product.residential, bandwidth_gb=5.5)
        client.plans.create(product="datacenter", billing_type="bandwidth", bandwidth_gb=1)
        client.plans.create(product="datacenter", billing_type="time", duration="7_days", mbps=50)
        client.plans.create(product="unlimited_residential", duration="trial")
        client.plans.create(
            product=Product.unlimited_residential, duration=Duration.days_7, bandwidth_mbps=300
        )
        client.plans.create(product="dedicated_mobile", duration="30_days", location="NL")
        client.plans.create(product="dedicated_isp", quantity=2, pool="p", end_user_reference="r")
        client.plans.extend(plan, add_days=7)
        client.plans.extend(plan, extend_30_days=True)
        client.plans.extend(plan.plan_id, add_bandwidth_gb=1.5)
        print(plan.plan_id.hex, plan.product.value, plan.status.value)
        for item in client.plans.list(status="active", product=Product.mobile):
            print(item.plan_id)
        page = client.plans.list_page(page=2)
        print(len(page.items), client.balance.get().balance_formatted)
        for pool in client.proxies.pools(type="isp").pools:
            print(pool.pool, pool.in_stock, pool.stock, pool.title, pool.provider)
