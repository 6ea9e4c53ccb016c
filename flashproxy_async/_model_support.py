"""Hand-written bases that the generated models build on.

The generated code imports these; it holds no behaviour of its own. Keep this
module free of imports from the rest of the package at import time, so that
the generated models load first.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from typing import TypeAlias
    from uuid import UUID

    from ._generated import PlanConnection, Product, ProxyItem, ProxyList

    #: What ``proxies=`` takes: the answer of ``client.plans.proxies(plan)``, or its items.
    StaticProxies: TypeAlias = ProxyList | Sequence[ProxyItem]

__all__ = ["EXTRA_FIELDS_SLOT", "Model", "OpenStrEnum", "PlanMethods"]

M = TypeVar("M", bound="Model")

#: Where the converter keeps the members of the wire data that no field took.
EXTRA_FIELDS_SLOT = "_extra_fields"
_NO_EXTRAS: Mapping[str, Any] = MappingProxyType({})


class OpenStrEnum(str, enum.Enum):
    """A str enum that equals its value and tolerates values the spec did not list.

    The API adds products and statuses before we regenerate. A closed enum would
    turn one new value into a decode error for the whole response, so an unknown
    value becomes a pseudo-member: it compares equal to its string, and
    ``is_known`` is False. Request-side values are checked against
    :meth:`known_values` instead.
    """

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        # Cached so that the same unknown value always yields the same object.
        return cls._value2member_map_.setdefault(value, pseudo)

    @classmethod
    def known_values(cls) -> frozenset[str]:
        """The values the spec documents, without pseudo-members seen since."""
        return frozenset(member.value for member in cls.__members__.values())

    @property
    def is_known(self) -> bool:
        """True when the spec documents this value."""
        return self.value in type(self).known_values()


class Model:
    """The base of every generated model: models as data, through the one converter.

    ``to_dict()`` and ``from_dict()`` speak the wire format (wire names such as
    ``inStock``, UUIDs as strings, datetimes in ISO 8601). Members the server sent
    that the spec does not know are kept in :attr:`extra_fields` and written back by
    ``to_dict()``, so a field the API adds before the SDK does is neither lost nor
    hidden.
    """

    __slots__ = (EXTRA_FIELDS_SLOT,)

    @property
    def extra_fields(self) -> Mapping[str, Any]:
        """Members of the decoded data that no field took, by wire name (read-only)."""
        extras: Mapping[str, Any] | None = getattr(self, EXTRA_FIELDS_SLOT, None)
        return _NO_EXTRAS if extras is None else MappingProxyType(extras)

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data with wire names; unset optional fields left out."""
        from ._converter import unstructure

        data: dict[str, Any] = unstructure(self)
        return data

    def to_json(self, **dumps_options: Any) -> str:
        """:meth:`to_dict` as a JSON string; keyword arguments go to ``json.dumps``."""
        return json.dumps(self.to_dict(), **dumps_options)

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """Decode wire data (as :meth:`to_dict` gives, or as the API sends) into a model.

        Raises:
            ResponseValidationError: the data does not fit; ``path`` names the field.
        """
        from ._converter import structure

        return structure(dict(data), cls, path=cls.__name__)


class PlanMethods(Model):
    """Conveniences offered by :class:`Plan`, computed from its own fields."""

    __slots__ = ()

    if TYPE_CHECKING:
        plan_id: UUID | None
        product: Product | None
        proxy_username: str | None
        proxy_password: str | None
        connection: PlanConnection | None

    def proxy_url(
        self,
        *,
        scheme: Literal["http", "socks5"] = "http",
        port_index: int = 0,
        proxies: StaticProxies | None = None,
        **targeting: Any,
    ) -> str:
        """A ready-to-use proxy URL for this plan, with optional targeting.

        Uses the plan's own credentials and, when it has them, its own connection
        host and ports. Targeting keywords are those of
        :func:`flashproxy_async.targeting.build_username`.

        A ``dedicated_isp`` plan has one URL per static IP, each with its own
        credentials, from its proxy list: pass ``proxies=await
        client.plans.proxies(plan)``, and ``port_index`` picks the IP.

        Args:
            scheme: ``"http"`` or ``"socks5"``.
            port_index: which port (0-9 on the residential pools, only 0 on most
                products), or which static IP of a ``dedicated_isp`` plan.
            proxies: a ``dedicated_isp`` plan's proxy list; refused for other products.
            **targeting: country, state, city, zip_code, asn, session, session_time.

        Raises:
            TargetingError: the plan lacks credentials (or, for ``dedicated_isp``,
                its proxy list), ``port_index`` is not one the plan has, or the
                targeting breaks a rule.
        """
        if self._static_ips(proxies) is not None:
            urls = self.proxy_urls(proxies, scheme=scheme, **targeting)
            return _pick(urls, port_index, "static IPs")
        from .targeting import proxy_url

        product, username, password = self._proxy_credentials()
        host, port = self._proxy_endpoint(scheme)
        return proxy_url(
            product,
            username,
            password,
            scheme=scheme,
            port_index=port_index,
            host=host,
            port=port,
            **targeting,
        )

    def proxy_urls(
        self,
        proxies: StaticProxies | None = None,
        *,
        scheme: Literal["http", "socks5"] = "http",
        **targeting: Any,
    ) -> list[str]:
        """Every proxy URL of this plan: ``proxy_urls()[i] == proxy_url(port_index=i)``.

        For a ``dedicated_isp`` plan, one URL per static IP, each with that IP's own
        username and password, in the order of the plan's proxy list (pass it as
        ``proxies``). For the residential pools, one URL per identical port (10);
        for other products, a list of one.

        Raises:
            TargetingError: as :meth:`proxy_url`.
        """
        static = self._static_ips(proxies)
        if static is not None:
            from .targeting import proxy_url

            return [
                proxy_url(
                    "dedicated_isp",
                    p.username,
                    p.password,
                    scheme=scheme,
                    host=p.host,
                    port=p.port,
                    **targeting,
                )
                for p in static
            ]
        from .targeting import PROXY_ENDPOINTS

        known = PROXY_ENDPOINTS.get(str(self.product))
        ports = known.port_count if known is not None else 1
        return [
            self.proxy_url(scheme=scheme, port_index=index, **targeting) for index in range(ports)
        ]

    def _static_ips(self, proxies: StaticProxies | None) -> Sequence[ProxyItem] | None:
        """The static IPs to build URLs from, or None for a product without them."""
        from ._exceptions import TargetingError

        is_isp = str(self.product) == "dedicated_isp"
        if proxies is None:
            if is_isp:
                raise TargetingError(
                    "a dedicated_isp plan has one URL per static IP, each with its own "
                    "credentials: pass proxies=await client.plans.proxies(plan)",
                    rule="plan.dedicated_isp.proxies",
                )
            return None
        if not is_isp:
            raise TargetingError(
                f"proxies= is for dedicated_isp plans; this plan is {self.product}",
                rule="plan.proxies",
            )
        if isinstance(proxies, Sequence):
            return proxies
        owner: UUID | None = proxies.plan_id
        if owner is not None and self.plan_id is not None and owner != self.plan_id:
            raise TargetingError(
                f"the proxy list is plan {owner}'s, not plan {self.plan_id}'s",
                rule="plan.proxies",
            )
        return proxies.proxies or []

    def _proxy_credentials(self) -> tuple[Product, str, str]:
        from ._exceptions import TargetingError

        if self.product is None:
            raise TargetingError(
                "this plan has no product, so no proxy URL can be built for it",
                rule="plan.product",
            )
        if self.proxy_username is None or self.proxy_password is None:
            raise TargetingError(
                f"plan {getattr(self, 'plan_id', None)} carries no proxy credentials (a plan "
                "read back from a provisioning journal never does: passwords are not written "
                "to disk); fetch it with client.plans.get(plan_id), then call proxy_url()",
                rule="plan.credentials",
            )
        return self.product, self.proxy_username, self.proxy_password

    def _proxy_endpoint(self, scheme: str) -> tuple[str | None, int | None]:
        """The plan's own host and port for ``scheme``, when the API sent them."""
        if self.connection is None or not self.connection.hostname:
            return None, None
        port = self.connection.port_socks if scheme == "socks5" else self.connection.port_http
        return self.connection.hostname, port


def _pick(urls: list[str], index: int, what: str) -> str:
    from ._exceptions import TargetingError

    if isinstance(index, bool) or not isinstance(index, int):
        raise TargetingError(f"port_index must be an int, got {index!r}", rule="port_index")
    if not 0 <= index < len(urls):
        have = f"0..{len(urls) - 1}" if urls else "none"
        raise TargetingError(
            f"this plan has {len(urls)} {what} (port_index {have}), got {index}",
            rule="port_index",
        )
    return urls[index]
