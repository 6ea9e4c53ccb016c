"""The fake's in-memory account: balance, plans, stock, transactions, sub-users."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from fractions import Fraction

import attrs

from ._catalog import (
    BANDWIDTH_PRODUCTS,
    BYTES_PER_GB,
    DEFAULT_BALANCE_CENTS,
    DEFAULT_MOBILE_STOCK,
    DEFAULT_POOLS,
    DEFAULT_TRIAL_STOCK,
    DURATION_DAYS,
    HOSTS,
    HYBRID_PRODUCTS,
    MAX_BYTES,
    PRODUCTS,
)
from ._errors import FakeAPIError, not_found, validation_error
from ._pricing import Prices, format_cents
from ._rules import Extension, Order


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def random_ip() -> str:
    return "10." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))


@attrs.define(eq=False)
class FakeProxy:
    """One static IP of a dedicated_isp plan."""

    host: str
    port: int
    username: str
    password: str = attrs.field(repr=False)


@attrs.define(eq=False)
class FakePlan:
    """A plan held by the fake. Mutate it freely in tests."""

    plan_id: str
    product: str
    billing_type: str
    proxy_username: str
    proxy_password: str = attrs.field(repr=False)
    max_bytes: int | None = None
    bytes_used: int = 0
    bandwidth_mbps: int | None = None
    mbps: int | None = None
    location: str | None = None
    expires_at: dt.datetime | None = None
    status: str = "active"
    created_at: dt.datetime = attrs.field(factory=utcnow)
    cost_cents: int = 0
    end_user_reference: str | None = None
    duration: str | None = None
    quantity: int | None = None
    pool: str | None = None
    proxies: list[FakeProxy] = attrs.field(factory=list)
    ip: str | None = None
    ip_ready_at: float | None = None
    next_ip: str | None = None
    next_ip_at: float | None = None
    restarting_until: float | None = None
    legacy: bool = False
    """A legacy (ThorData) unlimited plan: usage-stats answers NOT_SUPPORTED."""

    def current_status(self, now: dt.datetime | None = None) -> str:
        """The status as the API reports it: an active plan past its expiry is expired."""
        expires_at = self.expires_at
        if self.status == "active" and expires_at is not None and expires_at <= (now or utcnow()):
            return "expired"
        return self.status


@attrs.define(eq=False)
class FakePool:
    """A dedicated-ISP pool and its stock of IPs."""

    pool: str
    title: str
    provider: str
    country: str
    stock: int


@attrs.define(eq=False)
class FakeTransaction:
    """A balance movement; ``amount_cents`` is negative for spending."""

    id: str
    type: str
    amount_cents: int
    balance_after_cents: int
    description: str
    plan_id: str | None
    created_at: dt.datetime


@attrs.define(eq=False)
class FakeSubUser:
    """A sub-user of the reseller account."""

    id: str
    username: str
    status: str = "active"
    email: str | None = None
    created_at: dt.datetime = attrs.field(factory=utcnow)
    plan_ids: list[str] = attrs.field(factory=list)


class FakeState:
    """The account behind a FakeFlashProxy; read it in assertions, seed it in setup.

    Delays are in seconds of ``clock`` (already scaled by the fake's ``time_scale``).
    """

    def __init__(
        self,
        *,
        balance_cents: int = DEFAULT_BALANCE_CENTS,
        prices: Prices | None = None,
        disabled_products: frozenset[str] = frozenset(),
        clock: Callable[[], float],
        provisioning_delay: float,
        rotation_delay: float,
        restart_delay: float,
    ) -> None:
        self.prices = prices or Prices()
        self.disabled_products = set(disabled_products)
        self.clock = clock
        self.provisioning_delay = provisioning_delay
        self.rotation_delay = rotation_delay
        self.restart_delay = restart_delay
        self.suspended = False
        """While true every authenticated request answers 403 FORBIDDEN."""
        self.balance_cents = 0
        self.total_spent_cents = 0
        self.plans: dict[str, FakePlan] = {}
        self.transactions: list[FakeTransaction] = []
        self.sub_users: dict[str, FakeSubUser] = {}
        self.pools: dict[str, FakePool] = {
            name: FakePool(name, title, provider, country, stock)
            for name, title, provider, country, stock in DEFAULT_POOLS
        }
        self.mobile_stock: dict[str, int] = dict(DEFAULT_MOBILE_STOCK)
        self.trial_stock = DEFAULT_TRIAL_STOCK
        if balance_cents:
            self.add_transaction("topup", balance_cents, "Initial balance")

    # -- seeding helpers -------------------------------------------------------------

    def set_balance(self, cents: int) -> None:
        """Set the balance, recording the difference as an adjustment."""
        if cents != self.balance_cents:
            self.add_transaction("adjustment", cents - self.balance_cents, "Manual adjustment")

    def set_pool_stock(
        self,
        pool: str,
        stock: int,
        *,
        title: str | None = None,
        provider: str = "ISP",
        country: str = "US",
    ) -> FakePool:
        """Set a pool's stock, creating the pool if it does not exist."""
        existing = self.pools.get(pool)
        if existing is None:
            existing = FakePool(pool, title or pool, provider, country, stock)
            self.pools[pool] = existing
        existing.stock = stock
        return existing

    def set_mobile_stock(self, location: str, available: int) -> None:
        """Set how many dedicated-mobile servers ``location`` (NL or UK) has."""
        self.mobile_stock[location] = available

    def set_trial_stock(self, available: int) -> None:
        """Set how many unlimited-residential trial servers are available."""
        self.trial_stock = available

    def add_sub_user(
        self, username: str, *, status: str = "active", email: str | None = None
    ) -> FakeSubUser:
        """Add a sub-user and return it."""
        user = FakeSubUser(id=f"su_{secrets.token_hex(6)}", username=username, status=status)
        user.email = email
        self.sub_users[user.id] = user
        return user

    def add_plan(self, product: str, **fields: object) -> FakePlan:
        """Add a plan without charging for it; ``fields`` set FakePlan attributes.

        Server plans get their IP immediately unless ``ip_ready_at`` is given.
        """
        if product not in PRODUCTS:
            raise ValueError(f"unknown product {product!r}")
        billing = "bandwidth" if product in BANDWIDTH_PRODUCTS else "time"
        plan = self._new_plan(product, str(fields.pop("billing_type", billing)))
        if product in ("unlimited_residential", "dedicated_mobile"):
            plan.ip = random_ip()
        for name, value in fields.items():
            setattr(plan, name, value)
        self.plans[plan.plan_id] = plan
        return plan

    def record_usage(self, plan_id: str, num_bytes: int) -> None:
        """Count ``num_bytes`` of traffic against a plan."""
        self.plan(plan_id).bytes_used += num_bytes

    def expire_plan(self, plan_id: str) -> None:
        """Mark a plan expired."""
        self.plan(plan_id).status = "expired"

    def cancel_plan(self, plan_id: str) -> None:
        """Mark a plan cancelled."""
        self.plan(plan_id).status = "cancelled"

    # -- queries ---------------------------------------------------------------------

    def plan(self, plan_id: str) -> FakePlan:
        """The plan with this id; raises the API's NOT_FOUND error otherwise."""
        plan = self.plans.get(plan_id)
        if plan is None:
            raise not_found("Plan")
        return plan

    def server_ip(self, plan: FakePlan) -> str | None:
        """The server's current IP, or None while it is provisioning."""
        now = self.clock()
        if plan.ip_ready_at is not None and now < plan.ip_ready_at:
            return None
        if plan.next_ip is not None and plan.next_ip_at is not None and now >= plan.next_ip_at:
            plan.ip, plan.next_ip, plan.next_ip_at = plan.next_ip, None, None
        return plan.ip

    # -- operations ------------------------------------------------------------------

    def add_transaction(
        self, kind: str, amount_cents: int, description: str, plan_id: str | None = None
    ) -> FakeTransaction:
        self.balance_cents += amount_cents
        if kind in ("purchase", "extend"):
            self.total_spent_cents -= amount_cents
        transaction = FakeTransaction(
            id=f"txn_{secrets.token_hex(8)}",
            type=kind,
            amount_cents=amount_cents,
            balance_after_cents=self.balance_cents,
            description=description,
            plan_id=plan_id,
            created_at=utcnow(),
        )
        self.transactions.append(transaction)
        return transaction

    def _charge(self, cost: int) -> None:
        if cost > self.balance_cents:
            raise FakeAPIError(
                "INSUFFICIENT_BALANCE",
                f"Insufficient balance: need {format_cents(cost)}, "
                f"have {format_cents(self.balance_cents)}",
            )

    @staticmethod
    def _bytes_of(gb: float, already: int = 0) -> int:
        total = already + round(Fraction(str(gb)) * BYTES_PER_GB)
        if total > MAX_BYTES:
            raise validation_error("bandwidth_gb is too large: max_bytes would exceed int64")
        return total

    def order_cost(self, order: Order) -> int:
        prices = self.prices
        if order.bandwidth_gb is not None:
            return prices.bandwidth_cost(order.product, order.bandwidth_gb)
        if order.product == "dedicated_isp":
            return prices.ip_cost(order.quantity or 0)
        if order.duration == "trial":
            return 0
        days = DURATION_DAYS[order.duration or "1_day"]
        return prices.time_cost(order.product, days, order.mbps or order.bandwidth_mbps)

    def purchase(self, order: Order) -> FakePlan:
        """Create a plan from a validated order: check stock and balance, then charge."""
        pool: FakePool | None = None
        if order.product == "dedicated_isp":
            pool = self.pools.get(order.pool or "")
            if pool is None:
                raise FakeAPIError("INVALID_POOL", f"Invalid pool name: {order.pool}")
            if pool.stock < (order.quantity or 0):
                raise FakeAPIError(
                    "POOL_OUT_OF_STOCK",
                    f"Pool {pool.pool} has {pool.stock} IPs, {order.quantity} requested",
                )
        elif order.product == "dedicated_mobile":
            if self.mobile_stock.get(order.location or "", 0) < 1:
                raise FakeAPIError("OUT_OF_STOCK", f"No dedicated mobile in {order.location}")
        elif order.duration == "trial" and self.trial_stock < 1:
            raise FakeAPIError("OUT_OF_STOCK", "No unlimited residential trial available")
        max_bytes = None if order.bandwidth_gb is None else self._bytes_of(order.bandwidth_gb)
        cost = self.order_cost(order)
        self._charge(cost)

        plan = self._new_plan(order.product, order.billing_type)
        plan.cost_cents = cost
        plan.end_user_reference = order.end_user_reference
        plan.duration = order.duration
        plan.mbps = order.mbps
        plan.bandwidth_mbps = order.bandwidth_mbps
        plan.location = order.location
        plan.max_bytes = max_bytes
        if order.duration is not None:
            plan.expires_at = plan.created_at + dt.timedelta(days=DURATION_DAYS[order.duration])
        if pool is not None:
            quantity = order.quantity or 0
            pool.stock -= quantity
            plan.pool, plan.quantity = pool.pool, quantity
            plan.expires_at = plan.created_at + dt.timedelta(days=30)
            host, port, _, _ = HOSTS["dedicated_isp"]
            plan.proxies = [
                FakeProxy(host, port + i, f"user_{secrets.token_hex(4)}", secrets.token_hex(8))
                for i in range(quantity)
            ]
        if order.product == "dedicated_mobile":
            self.mobile_stock[order.location or ""] -= 1
            plan.ip = random_ip()
        if order.product == "unlimited_residential":
            if order.duration == "trial":
                self.trial_stock -= 1
            plan.ip = random_ip()
            plan.ip_ready_at = self.clock() + self.provisioning_delay
        self.plans[plan.plan_id] = plan
        self.add_transaction("purchase", -cost, f"Purchase {order.product}", plan.plan_id)
        return plan

    def extend(self, plan: FakePlan, extension: Extension) -> FakePlan:
        """Apply a validated extension to a plan, charging for it."""
        if plan.status == "cancelled":
            raise validation_error("A cancelled plan cannot be extended")
        prices = self.prices
        cost = 0
        max_bytes = plan.max_bytes
        if extension.add_bandwidth_gb is not None:
            max_bytes = self._bytes_of(extension.add_bandwidth_gb, plan.max_bytes or 0)
            cost += prices.bandwidth_cost(plan.product, extension.add_bandwidth_gb)
        if extension.add_days is not None:
            mbps = plan.mbps if plan.product in HYBRID_PRODUCTS else plan.bandwidth_mbps
            cost += prices.time_cost(plan.product, extension.add_days, mbps)
        if extension.extend_30_days:
            cost += prices.ip_cost(plan.quantity or 0)
        expires_at = plan.expires_at
        days = extension.add_days or (30 if extension.extend_30_days else 0)
        if days:
            start = max(plan.expires_at or utcnow(), utcnow())
            try:
                expires_at = start + dt.timedelta(days=days)
            except OverflowError:
                raise validation_error("add_days is too large: expiry beyond year 9999") from None
        self._charge(cost)
        plan.max_bytes = max_bytes
        plan.expires_at = expires_at
        if plan.status == "expired" or plan.current_status() == "expired":
            plan.status = "active"
        plan.cost_cents += cost
        self.add_transaction("extend", -cost, f"Extend {plan.product}", plan.plan_id)
        return plan

    def upgrade(self, plan: FakePlan, mbps: int) -> FakePlan:
        """Raise an unlimited plan's bandwidth cap, charging the rest of its term."""
        remaining = 1.0
        if plan.expires_at is not None:
            remaining = max((plan.expires_at - utcnow()).total_seconds() / 86400, 1 / 24)
        old = plan.bandwidth_mbps or 0
        cost = max(
            self.prices.time_cost(plan.product, remaining, mbps)
            - self.prices.time_cost(plan.product, remaining, old or None),
            0,
        )
        self._charge(cost)
        plan.bandwidth_mbps = mbps
        plan.cost_cents += cost
        self.add_transaction("purchase", -cost, f"Upgrade to {mbps} Mbps", plan.plan_id)
        return plan

    def _new_plan(self, product: str, billing_type: str) -> FakePlan:
        return FakePlan(
            plan_id=str(uuid.uuid4()),
            product=product,
            billing_type=billing_type,
            proxy_username=f"fp{secrets.token_hex(5)}",
            proxy_password=secrets.token_urlsafe(12),
        )
