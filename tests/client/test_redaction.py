"""The API key and proxy passwords never reach a log record, a repr or an exception's text."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import flashproxy_async as fp
from flashproxy_async._redact import redact

from .conftest import API_KEY, KEY_TAIL, MakeClient, ok, url

PASSWORD = "Pw8uniqueHUNTER2"


def leaked(text: str) -> list[str]:
    return [secret for secret in (KEY_TAIL, PASSWORD) if secret in text]


def record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.extend(repr(value) for value in vars(record).values())
    return texts


async def test_nothing_secret_in_logs_reprs_or_errors(
    make_client: MakeClient, mocked: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, aiohttp's included
    client = make_client(max_retries=1)
    echoed = {
        "success": False,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": (
                f"bad request from Bearer {API_KEY}; key {API_KEY}; "
                f'proxy_password: "{PASSWORD}"; connection user-1:{PASSWORD}@gw.example:8000; '
                f"url http://user-1:{PASSWORD}@gw.example:8000 pass={PASSWORD}"
            ),
        },
    }
    mocked.get(url("/plans"), status=503, payload={"success": False, "message": API_KEY})
    mocked.get(url("/plans"), status=400, payload=echoed)
    mocked.get(url("/balance"), status=502, body=f"<pre>{API_KEY} password={PASSWORD}</pre>")
    mocked.get(url("/usage"), exception=asyncio.TimeoutError())
    mocked.post(url("/plans"), status=201, body=f"proxy_password={PASSWORD}")
    mocked.get(url("/plans/1"), payload=ok({"proxy_password": PASSWORD}))

    errors: list[BaseException] = []
    for call in (
        client._request("GET", "/plans"),
        client.with_options(max_retries=0)._request("GET", "/balance"),
        client.with_options(max_retries=0)._request("GET", "/usage"),
        client._request("POST", "/plans", json_body={}, state_changing=True),
    ):
        with pytest.raises(fp.FlashProxyError) as info:
            await call
        errors.append(info.value)
    assert await client._request("GET", "/plans/1") == {"proxy_password": PASSWORD}

    assert [type(e) for e in errors] == [
        fp.BadRequestError,
        fp.InternalServerError,
        fp.APITimeoutError,
        fp.ResponseValidationError,
    ]
    assert caplog.records, "expected DEBUG records of each attempt"
    texts = [*record_texts(caplog), repr(client), repr(client.with_options(timeout=2))]
    texts += [text for e in errors for text in (str(e), repr(e))]
    assert [t for t in texts if leaked(t)] == []
    # The message still says what went wrong, with the secrets masked.
    assert "proxy_password" in str(errors[0])
    assert "key ***;" in str(errors[0])


async def test_attempts_are_logged_with_method_path_status_attempt_elapsed(
    make_client: MakeClient, mocked: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flashproxy_async")
    client = make_client(max_retries=1)
    mocked.get(url("/balance"), status=503, payload={"success": False})
    mocked.get(url("/balance"), payload=ok(1))
    await client._request("GET", "/balance")
    attempts = [r for r in caplog.records if hasattr(r, "attempt")]
    assert [(r.http_method, r.http_path, r.http_status, r.attempt) for r in attempts] == [  # type: ignore[attr-defined]
        ("GET", "/balance", 503, 1),
        ("GET", "/balance", 200, 2),
    ]
    assert all(r.name == "flashproxy_async" for r in caplog.records)
    assert all(isinstance(r.elapsed, float) for r in attempts)  # type: ignore[attr-defined]
    assert any("retrying GET /balance" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"proxy_password": "abc"}', '{"proxy_password": "***"}'),
        ('{"proxy_password": "abc\\"def", "x": 1}', '{"proxy_password": "***", "x": 1}'),
        ('x {"proxy_password":"abcd', 'x {"proxy_password":"***"'),
        ("{'password': 'abc'}", "{'password': '***'}"),
        ("user:abc@host:80", "user:***@host:80"),
        ("socks5://user:abc@host:80", "socks5://user:***@host:80"),
        ("password=abc&x=1", "password=***&x=1"),
        ("Authorization: Bearer abc", "Authorization: Bearer ***"),
        ("key fp_live_abc123 end", "key fp_live_*** end"),
        ("at 12:30 on host:8080", "at 12:30 on host:8080"),
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
    ],
)
def test_redact_patterns(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_known_secrets() -> None:
    assert redact("a s3cr3t b", ["s3cr3t"]) == "a *** b"


async def test_a_long_error_body_cut_inside_a_password_leaks_no_part_of_it(
    make_client: MakeClient, mocked: Any
) -> None:
    client = make_client(max_retries=0)
    # The password straddles the 200-character cut of the error message's body snippet.
    body = "x" * 170 + f'"proxy_password":"{PASSWORD}"' + "y" * 300
    mocked.get(url("/plans"), status=502, body=body)

    with pytest.raises(fp.InternalServerError) as info:
        await client._request("GET", "/plans")

    message = str(info.value)
    assert PASSWORD[:4] not in message
    assert '"proxy_password":"***"' in message
