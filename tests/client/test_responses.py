"""Envelope unwrapping, error mapping, request encoding and headers."""

from __future__ import annotations

import codecs
import enum
import re
import uuid
from typing import Any

import aiohttp
import attrs
import pytest
from yarl import URL

import flashproxy_async as fp
from flashproxy_async._transport import USER_AGENT
from flashproxy_async.models import Plan

from .conftest import API_KEY, MakeClient, err, ok, url

ERROR_CODES = [
    (400, "VALIDATION_ERROR", fp.BadRequestError),
    (400, "NOT_SUPPORTED", fp.BadRequestError),
    (400, "INVALID_POOL", fp.InvalidPoolError),
    (401, "UNAUTHORIZED", fp.AuthenticationError),
    (402, "INSUFFICIENT_BALANCE", fp.InsufficientBalanceError),
    (403, "FORBIDDEN", fp.PermissionDeniedError),
    (403, "PRODUCT_DISABLED", fp.ProductDisabledError),
    (404, "NOT_FOUND", fp.NotFoundError),
    (409, "OUT_OF_STOCK", fp.OutOfStockError),
    (409, "POOL_OUT_OF_STOCK", fp.PoolOutOfStockError),
    (429, "RATE_LIMITED", fp.RateLimitedError),
    (500, "INTERNAL_ERROR", fp.InternalServerError),
]


@pytest.mark.parametrize(("status", "code", "cls"), ERROR_CODES)
async def test_every_error_code_maps_to_its_class(
    make_client: MakeClient, mocked: Any, status: int, code: str, cls: type[fp.APIError]
) -> None:
    client = make_client(max_retries=0)
    mocked.get(url("/plans"), status=status, payload=err(code, "it failed"))
    with pytest.raises(cls) as info:
        await client._request("GET", "/plans")
    assert type(info.value) is cls
    assert (info.value.status, info.value.code, info.value.message) == (status, code, "it failed")
    assert info.value.body == err(code, "it failed")


async def test_code_decides_before_status(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    # A 400 carrying POOL_OUT_OF_STOCK is still a pool-out-of-stock error.
    mocked.post(url("/plans"), status=400, payload=err("POOL_OUT_OF_STOCK"))
    with pytest.raises(fp.PoolOutOfStockError) as info:
        await client._request("POST", "/plans", json_body={}, state_changing=True)
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, fp.BadRequestError),
        (402, fp.InsufficientBalanceError),
        (404, fp.NotFoundError),
        (409, fp.OutOfStockError),
        (418, fp.APIError),
        (501, fp.InternalServerError),
    ],
)
async def test_unknown_code_falls_back_by_status(
    make_client: MakeClient, mocked: Any, status: int, cls: type[fp.APIError]
) -> None:
    client = make_client(max_retries=0)
    mocked.get(url("/plans"), status=status, payload=err("BRAND_NEW_CODE"))
    with pytest.raises(cls) as info:
        await client._request("GET", "/plans")
    assert type(info.value) is cls
    assert info.value.code == "BRAND_NEW_CODE"


async def test_html_502_is_an_api_error_with_a_snippet(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=0)
    page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 1000 + "</body></html>"
    mocked.get(url("/plans"), status=502, body=page, content_type="text/html")
    with pytest.raises(fp.InternalServerError) as info:
        await client._request("GET", "/plans")
    assert info.value.status == 502
    assert "502 Bad Gateway" in str(info.value)
    assert len(str(info.value)) < 300
    assert info.value.body == page


async def test_envelope_is_unwrapped(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.get(url("/balance"), payload=ok({"balance_cents": 1234}))
    assert await client._request("GET", "/balance") == {"balance_cents": 1234}


async def test_success_false_on_200_is_an_error(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.get(url("/balance"), status=200, payload=err("FORBIDDEN", "suspended"))
    with pytest.raises(fp.PermissionDeniedError, match="suspended"):
        await client._request("GET", "/balance")


async def test_2xx_without_envelope_is_a_response_validation_error(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client()
    mocked.get(url("/balance"), payload=[1, 2, 3])
    with pytest.raises(fp.ResponseValidationError, match="envelope"):
        await client._request("GET", "/balance")


async def test_non_json_2xx_fails_unless_text_ok(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    config = "[Interface]\nPrivateKey = abc\n"
    mocked.get(url("/proxies/p/vpn-config"), body=config, content_type="text/plain")
    mocked.get(url("/proxies/p/vpn-config"), body=config, content_type="text/plain")
    assert await client._request("GET", "/proxies/p/vpn-config", text_ok=True) == config
    with pytest.raises(fp.ResponseValidationError, match="expected a JSON body"):
        await client._request("GET", "/proxies/p/vpn-config")


async def test_text_ok_still_unwraps_a_json_envelope(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.get(url("/proxies/p/vpn-config"), payload=ok({"config": "x"}))
    assert await client._request("GET", "/proxies/p/vpn-config", text_ok=True) == {"config": "x"}


@attrs.frozen
class _Money:
    cents: int
    currency: str


async def test_cast_to_structures_data(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.get(url("/balance"), payload=ok({"cents": 5, "currency": "USD"}))
    assert await client._request("GET", "/balance", cast_to=_Money) == _Money(5, "USD")


async def test_cast_to_mismatch_names_the_path(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.get(url("/balance"), payload=ok({"cents": "five", "currency": "USD"}))
    with pytest.raises(fp.ResponseValidationError) as info:
        await client._request("GET", "/balance", cast_to=_Money)
    assert info.value.path == "data.cents"


async def test_undecodable_2xx_after_a_purchase_is_outcome_unknown(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client()
    mocked.post(url("/plans"), status=201, body="<html>oops</html>", content_type="text/html")
    with pytest.raises(fp.ResponseValidationError) as info:
        await client._request(
            "POST", "/plans", json_body={}, state_changing=True, end_user_reference="ref-1"
        )
    assert info.value.outcome_unknown
    assert info.value.end_user_reference == "ref-1"


class _Status(enum.Enum):
    ACTIVE = "active"


async def test_params_encoding_and_headers(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    plan_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    mocked.get(re.compile(r"^https://api\.test/api/v1/plans\?.*$"), payload=ok([]))
    await client._request(
        "GET",
        "/plans",
        params={"status": _Status.ACTIVE, "plan": plan_id, "all": True, "page": 2, "x": None},
    )
    ((method, sent_url), calls), *_ = mocked.requests.items()
    assert method == "GET"
    assert sent_url.query == {
        "status": "active",
        "plan": str(plan_id),
        "all": "true",
        "page": "2",
    }
    headers = calls[0].kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Accept"] == "application/json"
    assert "Content-Type" not in headers
    assert headers["User-Agent"] == USER_AGENT
    assert re.match(
        r"^flashproxy-async/\S+ .*python/\d+\.\d+\.\d+ aiohttp/\S+$", headers["User-Agent"]
    )
    assert f"flashproxy-async/{fp.__version__}" in headers["User-Agent"]
    assert aiohttp.__version__ in headers["User-Agent"]


async def test_json_body_is_sent_as_json(make_client: MakeClient, mocked: Any) -> None:
    client = make_client()
    mocked.post(url("/plans"), status=201, payload=ok({"plan_id": "p"}))
    await client._request("POST", "/plans", json_body={"product": "residential", "bandwidth_gb": 1})
    call = mocked.requests[("POST", URL(url("/plans")))][0]
    assert call.kwargs["headers"]["Content-Type"] == "application/json"
    assert call.kwargs["data"] == b'{"product":"residential","bandwidth_gb":1}'


async def test_unencodable_input_fails_before_any_request(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client()
    with pytest.raises(fp.RequestValidationError):
        await client._request("GET", "/plans", params={"bad": {"a": 1}})
    with pytest.raises(fp.RequestValidationError):
        await client._request("POST", "/plans", json_body={"when": object()})
    assert mocked.requests == {}


async def test_a_redirect_is_not_followed_and_is_an_error(
    make_client: MakeClient, mocked: Any
) -> None:
    # Following it would send the Authorization header to wherever Location points.
    client = make_client(max_retries=2)
    elsewhere = "https://elsewhere.example/steal"
    mocked.get(url("/balance"), status=302, headers={"Location": elsewhere}, body="")
    mocked.get(elsewhere, payload=ok({"balance_cents": 1}))

    with pytest.raises(fp.APIError) as info:
        await client._request("GET", "/balance")

    assert info.value.status == 302
    assert [key[1] for key in mocked.requests] == [URL(url("/balance"))]


CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    ' Application/Problem+JSON ; Charset="UTF-8"',
    "text/plain; charset=latin-1",
    "text/html; charset=no-such-codec",
    "application/json; charset*=utf-8''%75tf-8",
    "garbage",
    "a/b/c",
    "",
]


@pytest.mark.parametrize("header", CONTENT_TYPES)
def test_media_type_reads_the_header_as_aiohttp_does(header: str | None) -> None:
    from aiohttp.helpers import parse_content_type

    from flashproxy_async._wire import media_type

    expected_type, params = (
        ("application/octet-stream", {}) if header is None else parse_content_type(header)
    )
    charset = params.get("charset")
    try:
        expected_codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        expected_codec = "utf-8"
    assert media_type(header) == (expected_type, expected_codec)


async def test_a_body_in_its_declared_charset_is_decoded_with_it(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client()
    mocked.get(
        url("/balance"),
        status=200,
        body='{"success": true, "data": {"note": "caf\u00e9"}}'.encode("latin-1"),
        content_type="application/json; charset=latin-1",
    )
    assert await client._request("GET", "/balance") == {"note": "caf\u00e9"}


async def test_a_204_without_a_body_is_none_and_does_not_fit_a_model(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client()
    mocked.post(url("/servers/s/restart"), status=204, body="")
    assert await client._request("POST", "/servers/s/restart", json_body={}) is None
    mocked.get(url("/plans/p"), status=204, body="")
    with pytest.raises(fp.ResponseValidationError):
        await client._request("GET", "/plans/p", cast_to=Plan)
