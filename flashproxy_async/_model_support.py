"""Hand-written bases that the generated models build on.

The generated code imports these; it holds no behaviour of its own. Keep this
module free of imports from the rest of the package at import time, so that
the generated models load first.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ._generated import PlanConnection, Product

__all__ = ["OpenStrEnum", "PlanMethods"]


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


class PlanMethods:
    """Conveniences offered by :class:`Plan`, computed from its own fields."""

    __slots__ = ()

    if TYPE_CHECKING:
        product: Product | None
        proxy_username: str | None
        proxy_password: str | None
        connection: PlanConnection | None

    def proxy_url(
        self, *, scheme: Literal["http", "socks5"] = "http", port_index: int = 0, **targeting: Any
    ) -> str:
        """A ready-to-use proxy URL for this plan, with optional targeting.

        Uses the plan's own credentials and, when it has them, its own connection
        host and ports. Targeting keywords are those of
        :func:`flashproxy_async.targeting.build_username`.

        Raises:
            TargetingError: the plan lacks credentials, or the targeting breaks a rule.
        """
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

    def _proxy_credentials(self) -> tuple[Product, str, str]:
        from ._exceptions import TargetingError

        if self.product is None or self.proxy_username is None or self.proxy_password is None:
            raise TargetingError(
                "this plan has no product or proxy credentials to build a URL from",
                rule="plan.credentials",
            )
        return self.product, self.proxy_username, self.proxy_password

    def _proxy_endpoint(self, scheme: str) -> tuple[str | None, int | None]:
        """The plan's own host and port for ``scheme``, when the API sent them."""
        if self.connection is None or not self.connection.hostname:
            return None, None
        port = self.connection.port_socks if scheme == "socks5" else self.connection.port_http
        return self.connection.hostname, port
