"""Pydantic v2 models equivalent to the generated ``Plan``, for the decode baseline.

Equivalent in what they check: strict str/int/bool (``"5"`` is not ``5``), float
accepting int, UUIDs and datetimes parsed from strings, unknown keys ignored, and
the very same open enums, so that an unknown product decodes in both.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr

from flashproxy_async._generated import BillingType, PlanStatus, Product

__all__ = ["PydanticPlan"]

_CONFIG = ConfigDict(extra="ignore")


class PydanticPlanConnection(BaseModel):
    model_config = _CONFIG

    hostname: StrictStr | None = None
    port_http: StrictInt | None = None
    port_socks: StrictInt | None = None
    format: StrictStr | None = None


class PydanticPlanLimits(BaseModel):
    model_config = _CONFIG

    max_gb: StrictFloat | StrictInt | None = None
    max_bytes: StrictInt | None = None
    bytes_used: StrictInt | None = None
    bandwidth_mbps: StrictInt | None = None


class PydanticPlanBilling(BaseModel):
    model_config = _CONFIG

    mode: StrictStr | None = None
    price_per_gb_cents: StrictInt | None = None
    cost_cents: StrictInt | None = None
    cost_formatted: StrictStr | None = None


class PydanticPlan(BaseModel):
    model_config = _CONFIG

    plan_id: UUID | None = None
    product: Product | None = None
    billing_type: BillingType | None = None
    proxy_username: StrictStr | None = None
    proxy_password: StrictStr | None = None
    connection: PydanticPlanConnection | None = None
    limits: PydanticPlanLimits | None = None
    location: StrictStr | None = None
    expires_at: datetime | None = None
    status: PlanStatus | None = None
    created_at: datetime | None = None
    billing: PydanticPlanBilling | None = None
    end_user_reference: StrictStr | None = None
