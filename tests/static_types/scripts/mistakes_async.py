"""An async-client script with the mistakes users make; each is tagged."""

from flashproxy_async import AsyncFlashProxy


async def main() -> None:
    async with AsyncFlashProxy() as client:
        await client.plans.crate(product="residential", bandwidth_gb=5)  # expect-error
        await client.plans.create(product="residential", bandwidth_gb="5")  # expect-error
        await client.plans.create(bandwidth_gb=5)  # expect-error
        print((await client.balance.get()).no_such_attribute)  # expect-error
        await client.plans.create(product="residental", bandwidth_gb=5)  # expect-error
        await client.plans.create(product="residential")  # expect-error
        await client.plans.create(product="datacenter", bandwidth_gb=5)  # expect-error
        await client.plans.create(
            product="datacenter", billing_type="time", mbps=50
        )  # expect-error
        await client.plans.create(
            product="unlimited_residential", duration="7_days"
        )  # expect-error
        await client.plans.create(  # expect-error
            product="unlimited_residential", duration="7_dayz", bandwidth_mbps=300
        )
        await client.plans.create(product="dedicated_mobile", duration="7_days")  # expect-error
        await client.plans.create(product="dedicated_isp", quantity=2)  # expect-error
        await client.plans.extend("4f9c0f6e-0000-4000-8000-000000000000")  # expect-error
        client.plans.list(status="actve")  # expect-error
        await client.proxies.pools(type="ips")  # expect-error
