"""The converter's fast paths give exactly what the plain cattrs path and the stdlib give.

The fast structuring function per class, the UUID text parser and the ``Z`` datetime
shortcut exist only for speed; these tests hold them to the slow paths on
valid input, invalid input and everything between.
"""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from cattrs.gen import make_dict_structure_fn
from hypothesis import given, settings
from hypothesis import strategies as st

from flashproxy_async import _generated
from flashproxy_async._converter import (
    _renames,
    _structure_datetime,
    _uuid_from_text,
    converter,
    structure,
)

MODELS = [
    cls
    for _, cls in inspect.getmembers(_generated, inspect.isclass)
    if attrs.has(cls) and cls.__module__.startswith(_generated.__name__)
]

PLAN = {
    "plan_id": "536593ee-8722-48bd-bd17-b2ec73b7d701",
    "product": "residential",
    "billing_type": "bandwidth",
    "proxy_username": "fp1",
    "proxy_password": "secret",
    "connection": {"hostname": "h", "port_http": 1, "port_socks": 2, "format": "f"},
    "limits": {"max_gb": 1, "max_bytes": 5, "bytes_used": 0, "bandwidth_mbps": None},
    "location": None,
    "expires_at": "2026-01-01T00:00:00Z",
    "status": "active",
    "created_at": "2026-01-01T00:00:00+02:00",
    "billing": {"mode": "bandwidth", "cost_cents": 0},
    "end_user_reference": None,
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(["residential", "brand-new", "2026-01-01T00:00:00Z", PLAN["plan_id"]]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _slow(cls: type[Any]) -> Any:
    return make_dict_structure_fn(cls, converter, **_renames(cls))


def _outcome(function: Any, data: Any, cls: type[Any]) -> tuple[str, Any]:
    try:
        return "ok", attrs.asdict(function(data, cls), recurse=True)
    except Exception as exc:
        return "error", (type(exc), str(exc))


@given(patch=st.dictionaries(st.sampled_from(sorted(PLAN)), JSON_VALUES, max_size=4))
@settings(max_examples=300, deadline=None)
def test_fast_plan_decoding_matches_cattrs_on_any_patch(patch: dict[str, Any]) -> None:
    data = {**PLAN, **patch}
    fast = converter.get_structure_hook(_generated.Plan)
    assert _outcome(fast, data, _generated.Plan) == _outcome(
        _slow(_generated.Plan), data, _generated.Plan
    )


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@given(data=st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=6) | JSON_VALUES)
@settings(max_examples=40, deadline=None)
def test_every_model_decodes_any_json_as_cattrs_does(cls: type[Any], data: Any) -> None:
    fast = converter.get_structure_hook(cls)
    assert _outcome(fast, data, cls) == _outcome(_slow(cls), data, cls)


def test_missing_keys_take_defaults_and_extra_keys_are_ignored() -> None:
    identity = {name: PLAN[name] for name in ("plan_id", "product", "status")}
    plan = structure({**identity, "surprise": 1}, _generated.Plan)
    assert plan.billing_type is None and plan.limits is None
    assert plan.plan_id == uuid.UUID(PLAN["plan_id"])


def test_fast_path_errors_are_the_detailed_cattrs_errors() -> None:
    from flashproxy_async import ResponseValidationError

    with pytest.raises(ResponseValidationError) as caught:
        structure({**PLAN, "limits": {"bytes_used": "5"}}, _generated.Plan)
    assert caught.value.path == "data.limits.bytes_used"


UUID_TEXTS = [
    "536593ee-8722-48bd-bd17-b2ec73b7d701",
    "536593EE-8722-48BD-BD17-B2EC73B7D701",
    "{536593ee-8722-48bd-bd17-b2ec73b7d701}",
    "urn:uuid:536593ee-8722-48bd-bd17-b2ec73b7d701",
    "536593ee872248bdbd17b2ec73b7d701",
    "536593ee-8722-48bd-bd17-b2ec73b7d70",
    "536593ee-8722-48bd-bd17-b2ec73b7d7011",
    "zz6593ee-8722-48bd-bd17-b2ec73b7d701",
    "",
]


def _uuid_outcome(function: Any, text: str) -> tuple[str, Any]:
    try:
        value = function(text)
        return "ok", (value, value.int, value.is_safe, value.version, hash(value))
    except Exception as exc:
        return "error", (type(exc), str(exc))


@pytest.mark.parametrize("text", UUID_TEXTS)
def test_uuid_from_text_matches_uuid(text: str) -> None:
    assert _uuid_outcome(_uuid_from_text, text) == _uuid_outcome(uuid.UUID, text)


@given(st.text(alphabet="0123456789abcdefABCDEF-{}_+ urnid:", max_size=45) | st.uuids().map(str))
def test_uuid_from_any_text_matches_uuid(text: str) -> None:
    assert _uuid_outcome(_uuid_from_text, text) == _uuid_outcome(uuid.UUID, text)


def _reference_datetime(value: str) -> datetime:
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.123456Z",
        "2026-01-01T00:00:00z",
        "2026-01-01Z",
        "2026-01-01T00:00Z",
        "2026-01-01T00:00:00+02:00",
        "2026-01-01T00:00:00",
        "not a date Z",
    ],
)
def test_datetime_shortcut_matches_the_portable_parse(value: str) -> None:
    def outcome(function: Any) -> tuple[str, Any]:
        try:
            parsed = function(value)
            return "ok", (parsed, parsed.utcoffset())
        except Exception as exc:
            return "error", type(exc)

    assert outcome(lambda v: _structure_datetime(v, datetime)) == outcome(_reference_datetime)
