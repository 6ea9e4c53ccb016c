"""Secrets the server echoes are masked, whether or not the client ever saw them."""

from __future__ import annotations

from typing import Any

import pytest

import flashproxy_async as fp
from flashproxy_async._redact import secret_fields

from .conftest import MakeClient, ok, url

UNSEEN = "Unseen9PASSWORDq"


def test_the_secret_fields_come_from_the_spec() -> None:
    assert {"proxy_password", "password", "full", "format"} <= secret_fields()


@pytest.mark.parametrize(
    "message",
    [
        f"proxy_password: {UNSEEN} is not allowed",
        f"password={UNSEEN}",
        f"Plan user_abc:{UNSEEN}@gate.example:8000 refused",
        f'{{"proxy_password": "{UNSEEN}"}}',
    ],
)
async def test_an_echoed_password_is_masked_in_the_error_and_its_body(
    make_client: MakeClient, mocked: Any, message: str
) -> None:
    body = {
        "success": False,
        "error": {"code": "VALIDATION_ERROR", "message": message},
        "data": {"proxy_password": UNSEEN, "connection": {"format": f"u:{UNSEEN}@h:1"}},
    }
    mocked.get(url("/balance"), status=400, payload=body)
    with pytest.raises(fp.BadRequestError) as caught:
        await make_client().balance.get()
    error = caught.value
    assert UNSEEN not in str(error) and UNSEEN not in error.message
    assert UNSEEN not in repr(error.body)
    assert error.body["data"]["proxy_password"] == "***"


async def test_a_body_that_does_not_fit_keeps_no_password(
    make_client: MakeClient, mocked: Any
) -> None:
    plan = {"plan_id": "not-a-uuid", "proxy_password": UNSEEN, "product": "residential"}
    mocked.get(url("/plans/9b2f7f4e-3a55-4c1e-8d59-1a2b3c4d5e6f"), payload=ok(plan))
    with pytest.raises(fp.ResponseValidationError) as caught:
        await make_client().plans.get("9b2f7f4e-3a55-4c1e-8d59-1a2b3c4d5e6f")
    assert UNSEEN not in str(caught.value)
    assert UNSEEN not in repr(caught.value.body)


async def test_a_2xx_saying_failure_to_a_purchase_is_outcome_unknown(
    make_client: MakeClient, mocked: Any
) -> None:
    mocked.post(url("/plans"), status=201, payload={"success": False})
    with pytest.raises(fp.APIError) as caught:
        await make_client().plans.create(
            product="residential", bandwidth_gb=1, end_user_reference="ref-1"
        )
    assert caught.value.outcome_unknown and caught.value.end_user_reference == "ref-1"


@pytest.mark.parametrize(
    "data",
    [None, {}, {"plan_id": "9b2f7f4e-3a55-4c1e-8d59-1a2b3c4d5e6f", "product": "residential"}],
)
async def test_a_created_plan_without_its_identity_is_outcome_unknown(
    make_client: MakeClient, mocked: Any, data: Any
) -> None:
    body = {"success": True} if data is None else ok(data)
    mocked.post(url("/plans"), status=201, payload=body)
    with pytest.raises(fp.ResponseValidationError) as caught:
        await make_client().plans.create(
            product="residential", bandwidth_gb=1, end_user_reference="ref-2"
        )
    assert caught.value.outcome_unknown and caught.value.end_user_reference == "ref-2"
