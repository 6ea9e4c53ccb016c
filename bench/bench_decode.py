"""Decoding 10,000 plan payloads into models: the SDK's converter against pydantic v2.

The input is what the transport hands the converter: the ``data`` dict of each
response, already parsed. The SDK decodes with ``structure(data, Plan)``, the call
the transport makes; pydantic with ``model_validate`` on equivalent models
(:mod:`bench._pydantic_models`). ``json.loads`` of the same payloads, the cost of
parsing them at all, is the second baseline. The end-to-end pair (bytes to model:
``json.loads`` + ``structure`` against ``model_validate_json``) is reported alongside.

Goal: SDK / pydantic <= 1.0.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from flashproxy_async._converter import structure
from flashproxy_async._generated import Plan

from ._common import Figure, interleaved_medians
from ._payloads import plan_payloads
from ._pydantic_models import PydanticPlan

GOAL = 1.0


def _per_item(items: list[Any], decode: Callable[[Any], object]) -> Callable[[], float]:
    def once() -> float:
        started = time.perf_counter()
        for item in items:
            decode(item)
        return (time.perf_counter() - started) / len(items)

    return once


def _sdk_from_text(text: str) -> Plan:
    return structure(json.loads(text), Plan)


def measure(*, count: int, rounds: int) -> list[Figure]:
    payloads = plan_payloads(count)
    texts = [json.dumps(payload) for payload in payloads]
    # Both decoders must agree before their speed means anything.
    assert str(structure(payloads[0], Plan).plan_id) == str(
        PydanticPlan.model_validate(payloads[0]).plan_id
    )
    medians = interleaved_medians(
        rounds,
        {
            "sdk": _per_item(payloads, lambda data: structure(data, Plan)),
            "pydantic": _per_item(payloads, PydanticPlan.model_validate),
            "json.loads": _per_item(texts, json.loads),
            "sdk_from_text": _per_item(texts, _sdk_from_text),
            "pydantic_from_text": _per_item(texts, PydanticPlan.model_validate_json),
        },
    )
    us = {name: round(value * 1e6, 2) for name, value in medians.items()}
    details = {"payloads": count, "rounds": rounds, "us_per_payload": us}
    return [
        Figure(
            name=f"decode {count:,} plans",
            baseline_label="pydantic v2 model_validate",
            baseline=us["pydantic"],
            sdk=us["sdk"],
            unit="us/plan",
            goal=("<=", GOAL),
            details=details,
        ),
        Figure(
            name=f"decode {count:,} plans",
            baseline_label="json.loads alone",
            baseline=us["json.loads"],
            sdk=us["sdk"],
            unit="us/plan",
            goal=None,
            details=details,
        ),
        Figure(
            name="bytes to model",
            baseline_label="pydantic model_validate_json",
            baseline=us["pydantic_from_text"],
            sdk=us["sdk_from_text"],
            unit="us/plan",
            goal=None,
            details=details,
        ),
    ]


def run(smoke: bool = False) -> list[Figure]:
    if smoke:
        return measure(count=50, rounds=1)
    return measure(count=10_000, rounds=7)
