"""A correct async-client script: both checkers must pass it with 0 errors."""

from flashproxy_async import AsyncFlashProxy
from flashproxy_async.models import Duration, Plan, Product


async def main() -> None:
    async with AsyncFlashProxy() as client:
        plan: Plan = await client.plans.create(product="residential", bandwidth_gb=5)
        await client.plans.create(product=Product.residential, bandwidth_gb=5.5)
        await client.plans.create(product="datacenter", billing_type="bandwidth", bandwidth_gb=1)
        await client.plans.create(
            product="datacenter", billing_type="time", duration="7_days", mbps=50
        )
        await client.plans.create(product="unlimited_residential", duration="trial")
        await client.plans.create(
            product=Product.unlimited_residential, duration=Duration.days_7, bandwidth_mbps=300
        )
        await client.plans.create(product="dedicated_mobile", duration="30_days", location="NL")
        await client.plans.create(
            product="dedicated_isp", quantity=2, pool="p", end_user_reference="r"
        )
        await client.plans.extend(plan, add_days=7)
        await client.plans.extend(plan, extend_30_days=True)
        await client.plans.extend(plan.plan_id, add_bandwidth_gb=1.5)
        print(plan.plan_id.hex, plan.product.value, plan.status.value)
        async for item in client.plans.list(status="active", product=Product.mobile):
            print(item.plan_id)
        page = await client.plans.list_page(page=2)
        print(len(page.items), (await client.balance.get()).balance_formatted)
        for pool in (await client.proxies.pools(type="isp")).pools:
            print(pool.pool, pool.in_stock, pool.stock, pool.title, pool.provider)
