"""PlanOrder and reading orders from CSV or JSONL files."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._exceptions import RequestValidationError

__all__ = ["PlanOrder", "create_kwargs", "load_orders"]


@attrs.frozen
class PlanOrder:
    """One plan to buy in a bulk job.

    ``reference`` identifies the order within the job and is sent as the plan's
    ``end_user_reference``; the other fields are the create-plan parameters
    (see ``client.plans.create``). Unset fields are not sent.
    """

    reference: str
    product: str
    bandwidth_gb: float | None = None
    duration: str | None = None
    billing_type: str | None = None
    mbps: int | None = None
    bandwidth_mbps: int | None = None
    location: str | None = None
    quantity: int | None = None
    pool: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PlanOrder:
        """Build an order from a CSV or JSONL row.

        CSV cells are strings: numbers are parsed, and blank cells count as absent.
        JSONL values may already be numbers. An ``end_user_reference`` column is
        accepted in place of ``reference``.

        Raises:
            RequestValidationError: a missing ``reference`` or ``product``, an
                unknown column, or a value of the wrong type.
        """
        values = {str(key).strip(): value for key, value in row.items() if not _is_blank(value)}
        if "end_user_reference" in values and "reference" not in values:
            values["reference"] = values.pop("end_user_reference")
        label = f"order {values.get('reference')!r}" if "reference" in values else "order"
        unknown = sorted(set(values) - set(_PARSERS))
        if unknown:
            raise RequestValidationError(
                f"{label}: unknown column(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(_PARSERS)}",
                rule="order.columns",
            )
        for required in ("reference", "product"):
            if required not in values:
                raise RequestValidationError(
                    f"{label}: {required} is required", rule=f"order.{required}"
                )
        parsed = {name: _PARSERS[name](label, name, value) for name, value in values.items()}
        return cls(**parsed)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(label: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise RequestValidationError(
            f"{label}: {name} must be text, got {value!r}", rule=f"order.{name}"
        )
    return value.strip()


def _integer(label: str, name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise RequestValidationError(
        f"{label}: {name} must be a whole number, got {value!r}", rule=f"order.{name}"
    )


def _number(label: str, name: str, value: Any) -> float:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise RequestValidationError(
            f"{label}: {name} must be a number, got {value!r}", rule=f"order.{name}"
        )
    return number


_PARSERS: dict[str, Callable[[str, str, Any], Any]] = {
    "reference": _text,
    "product": _text,
    "bandwidth_gb": _number,
    "duration": _text,
    "billing_type": _text,
    "mbps": _integer,
    "bandwidth_mbps": _integer,
    "location": _text,
    "quantity": _integer,
    "pool": _text,
}


def create_kwargs(order: PlanOrder) -> dict[str, Any]:
    """The keyword arguments of ``client.plans.create`` for this order."""
    kwargs = {
        field.name: getattr(order, field.name)
        for field in attrs.fields(PlanOrder)
        if field.name != "reference" and getattr(order, field.name) is not None
    }
    kwargs["end_user_reference"] = order.reference
    return kwargs


def load_orders(path: str | Path) -> list[PlanOrder]:
    """Read orders from a ``.csv`` file (with a header row) or a ``.jsonl`` file.

    Raises:
        RequestValidationError: the file type is unknown, or a row is not a valid
            order (the message names the line).
        OSError: the file cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows: Iterable[tuple[int, Mapping[str, Any]]] = [
                (number, row) for number, row in enumerate(csv.DictReader(handle), start=2)
            ]
    elif suffix in (".jsonl", ".ndjson"):
        rows = list(_jsonl_rows(path))
    else:
        raise RequestValidationError(
            f"{path}: orders must be a .csv or .jsonl file", rule="orders.file_type"
        )
    orders = []
    for number, row in rows:
        if None in row:
            raise RequestValidationError(
                f"{path}:{number}: more cells than header columns", rule="order.columns"
            )
        try:
            orders.append(PlanOrder.from_row(row))
        except RequestValidationError as exc:
            raise RequestValidationError(f"{path}:{number}: {exc}", rule=exc.rule) from None
    return orders


def _jsonl_rows(path: Path) -> Iterable[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RequestValidationError(
                    f"{path}:{number}: not valid JSON ({exc.msg})", rule="orders.json"
                ) from None
            if not isinstance(row, dict):
                raise RequestValidationError(
                    f"{path}:{number}: each line must be a JSON object", rule="orders.json"
                )
            yield number, row
