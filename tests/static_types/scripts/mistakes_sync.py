"""A blocking-client script with the mistakes users make; each is tagged."""

from flashproxy_async.sync import FlashProxy


def main() -> None:
    with FlashProxy() as client:
        client.plans.crate(product="residential", bandwidth_gb=5)  # expect-error
        client.plans.create(product="residential", bandwidth_gb="5")  # expect-error
        client.plans.create(bandwidth_gb=5)  # expect-error
        print(client.balance.get().no_such_attribute)  # expect-error
        client.plans.create(product="residental", bandwidth_gb=5)  # expect-error
        client.plans.create(product="residential")  # expect-error
        client.plans.create(product="datacenter", bandwidth_gb=5)  # expect-error
        client.plans.create(product="datacenter", billing_type="time", mbps=50)  # expect-error
        client.plans.create(product="unlimited_residential", duration="7_days")  # expect-error
        client.plans.create(  # expect-error
            product="unlimited_residential", duration="7_dayz", bandwidth_mbps=300
        )
        client.plans.create(product="dedicated_mobile", duration="7_days")  # expect-error
        client.plans.create(product="dedicated_isp", quantity=2)  # expect-error
        client.plans.extend("4f9c0f6e-0000-4000-8000-000000000000")  # expect-error
        client.plans.list(status="actve")  # expect-error
        client.proxies.pools(type="ips")  # expect-error
